/** The logging concern's pods as the Pod Security Standards see them: chart workloads and declared exceptions. */
import { StackConfig } from "../../configs/types";
import { ChartWorkload } from "../shared/chart-workloads";
import { PodSecurityException } from "../shared/pod-security";
import { charts } from "../shared/platform";
import { elasticsearchPodSecurityExceptions } from "./elasticsearch";
import { filebeatPodSecurityException } from "./filebeat";

export const loggingChartWorkloads: Record<"eckOperator" | "elastalert", ChartWorkload> = {
  eckOperator: {
    workload: `StatefulSet/${charts.eckOperator.release}`,
    podSecurityContext: "podSecurityContext",
    containers: [{ name: "manager", securityContext: "securityContext", resources: "resources" }],
  },
  elastalert: {
    workload: `Deployment/${charts.elastalert.release}`,
    podSecurityContext: "podSecurityContext",
    containers: [{ name: "elastalert", securityContext: "securityContext", resources: "resources" }],
  },
};

export function loggingPodSecurityExceptions(config: StackConfig): PodSecurityException[] {
  return [filebeatPodSecurityException(config), ...elasticsearchPodSecurityExceptions(config)];
}
