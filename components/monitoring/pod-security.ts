/**
 * The monitoring concern's pods as the Pod Security Standards see them: the chart
 * workloads (by the value paths that configure them) and the one exception, node-exporter.
 */
import { StackConfig } from "../../configs/types";
import { ChartWorkload } from "../shared/chart-workloads";
import { PodSecurityException } from "../shared/pod-security";
import { charts } from "../shared/platform";

const release = charts.kubePrometheusStack.release;

/** What the Prometheus Operator sets on the containers it adds to Prometheus and Alertmanager pods. */
const OPERATOR_CONTAINER = {
  by: "the Prometheus Operator",
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
};

function operatorManaged(name: string, main: string, podPath: string, resources: string): ChartWorkload {
  return {
    workload: `StatefulSet/${name}`,
    podSecurityContext: podPath,
    containers: [
      { name: main, securityContextBy: OPERATOR_CONTAINER, resources },
      {
        name: "config-reloader",
        securityContextBy: OPERATOR_CONTAINER,
        resources: "prometheusOperator.prometheusConfigReloader.resources",
      },
    ],
  };
}

const NODE_EXPORTER = `DaemonSet/${release}-prometheus-node-exporter`;

/** kube-prometheus-stack's pods and the values that configure them. */
export const kubePrometheusStackWorkloads: ChartWorkload[] = [
  operatorManaged(
    `prometheus-${release}-prometheus`,
    "prometheus",
    "prometheus.prometheusSpec.securityContext",
    "prometheus.prometheusSpec.resources",
  ),
  operatorManaged(
    `alertmanager-${release}-alertmanager`,
    "alertmanager",
    "alertmanager.alertmanagerSpec.securityContext",
    "alertmanager.alertmanagerSpec.resources",
  ),
  {
    workload: `Deployment/${release}-operator`,
    podSecurityContext: "prometheusOperator.securityContext",
    containers: [
      {
        name: release,
        securityContext: "prometheusOperator.containerSecurityContext",
        resources: "prometheusOperator.resources",
      },
    ],
  },
  ...(["create", "patch"] as const).map((step) => ({
    workload: `Job/${release}-admission-${step}`,
    podSecurityContext: "prometheusOperator.admissionWebhooks.patch.securityContext",
    containers: [
      {
        name: step,
        securityContext: `prometheusOperator.admissionWebhooks.${step === "create" ? "createSecretJob" : "patchWebhookJob"}.securityContext`,
        resources: "prometheusOperator.admissionWebhooks.patch.resources",
      },
    ],
  })),
  {
    workload: `StatefulSet/${release}-grafana`,
    podSecurityContext: "grafana.securityContext",
    containers: [
      { name: "grafana", securityContext: "grafana.containerSecurityContext", resources: "grafana.resources" },
      ...["grafana-sc-dashboard", "grafana-sc-datasources"].map((name) => ({
        name,
        securityContext: "grafana.sidecar.securityContext",
        resources: "grafana.sidecar.resources",
      })),
    ],
  },
  {
    workload: `Deployment/${release}-kube-state-metrics`,
    podSecurityContext: "kube-state-metrics.securityContext",
    containers: [
      {
        name: "kube-state-metrics",
        securityContext: "kube-state-metrics.containerSecurityContext",
        resources: "kube-state-metrics.resources",
      },
    ],
  },
  {
    workload: NODE_EXPORTER,
    podSecurityContext: "prometheus-node-exporter.securityContext",
    containers: [
      {
        name: "node-exporter",
        securityContext: "prometheus-node-exporter.containerSecurityContext",
        resources: "prometheus-node-exporter.resources",
        ports: [{ hostPort: 9100 }],
      },
    ],
    // The chart's DaemonSet template: host network and PID namespace, the host's /proc, /sys and / read-only.
    fixed: {
      hostNetwork: true,
      hostPID: true,
      volumes: ["proc", "sys", "root"].map((name) => ({
        name,
        hostPath: { path: name === "root" ? "/" : `/${name}` },
      })),
    },
  },
];

/** One pod each, from the exporter charts' values. */
export const exporterWorkloads: Record<"postgresExporter" | "pushgateway" | "elasticsearchExporter", ChartWorkload> = {
  postgresExporter: {
    workload: `Deployment/${charts.postgresExporter.release}-prometheus-postgres-exporter`,
    podSecurityContext: "podSecurityContext",
    containers: [{ name: "prometheus-postgres-exporter", securityContext: "securityContext", resources: "resources" }],
  },
  pushgateway: {
    workload: `Deployment/${charts.pushgateway.release}`,
    podSecurityContext: "securityContext",
    containers: [{ name: "pushgateway", securityContext: "containerSecurityContext", resources: "resources" }],
  },
  elasticsearchExporter: {
    workload: `Deployment/${charts.elasticsearchExporter.release}-prometheus-elasticsearch-exporter`,
    podSecurityContext: "podSecurityContext",
    containers: [{ name: "exporter", securityContext: "securityContext", resources: "resources" }],
  },
};

export function monitoringPodSecurityExceptions(config: StackConfig): PodSecurityException[] {
  return [
    {
      workload: NODE_EXPORTER,
      namespace: config.namespaces.nodeExporter,
      containers: ["node-exporter"],
      rules: ["hostNamespaces", "hostPathVolumes", "volumeTypes", "hostPorts"],
      reason:
        "node-exporter reports the node's own CPU, memory, disk and network: it shares the host's network and PID " +
        "namespaces and reads /proc, /sys and / from the host (read-only); it runs as nobody with every capability " +
        "dropped, alone in its namespace",
    },
  ];
}
