/**
 * Values of the cert-manager chart, a pure function of the stack config: CRDs from their bundle
 * (not the chart), metrics scraped through the chart's ServiceMonitor, and each of its four
 * workloads sized from config and within "restricted".
 */
import { StackConfig } from "../../configs/types";
import { ChartWorkload } from "../shared/chart-workloads";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../shared/pod-security";
import { charts } from "../shared/platform";
import { k8sResources } from "../shared/resources";

/** The user of cert-manager's distroless images. */
const CERT_MANAGER_UID = 1000;
const PARTS = ["", "webhook", "cainjector", "startupapicheck"] as const;

export function certManagerValues(config: StackConfig): Record<string, unknown> {
  const resources = k8sResources(config.certManager!.resources);
  const hardened = {
    resources,
    securityContext: restrictedPodSecurityContext(CERT_MANAGER_UID),
    containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  };
  return {
    fullnameOverride: charts.certManager.release,
    crds: { enabled: false },
    prometheus: {
      enabled: true,
      servicemonitor: { enabled: true, interval: config.monitoring.prometheus.scrapeInterval },
    },
    ...hardened,
    webhook: hardened,
    cainjector: hardened,
    startupapicheck: hardened,
  };
}

/** Value paths holding Kubernetes objects, not chart keys. */
export const CERT_MANAGER_FREE_FORM = new Set(
  PARTS.flatMap((p) => ["resources", "securityContext", "containerSecurityContext"].map((k) => (p ? `${p}.${k}` : k))),
);

export const certManagerWorkloads: ChartWorkload[] = PARTS.map((part) => {
  const prefix = part ? `${part}.` : "";
  const name = part ? `${charts.certManager.release}-${part}` : charts.certManager.release;
  return {
    workload: `${part === "startupapicheck" ? "Job" : "Deployment"}/${name}`,
    podSecurityContext: `${prefix}securityContext`,
    containers: [
      {
        name: part || "cert-manager-controller",
        securityContext: `${prefix}containerSecurityContext`,
        resources: `${prefix}resources`,
      },
    ],
  };
});
