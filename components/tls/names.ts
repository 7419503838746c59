/** Names of the TLS concern: cert-manager's release and the certificates dashboard. */
import { IngressConfig, StackConfig } from "../../configs/types";

export const CERTIFICATES_DASHBOARD_UID = "cryoprotect-certificates";
/** The job label of cert-manager's controller metrics (its chart's ServiceMonitor). */
export const CERT_MANAGER_JOB = "cert-manager";

/** The stack's ingresses, by config path. */
export function ingresses(config: StackConfig): { path: string; ingress: IngressConfig }[] {
  return [
    { path: "monitoring.grafana.ingress", ingress: config.monitoring.grafana.ingress },
    { path: "logging.kibana.ingress", ingress: config.logging.kibana.ingress },
  ].filter((i): i is { path: string; ingress: IngressConfig } => i.ingress !== undefined);
}

/** cert-manager is in use when an ingress names an issuer (installed by the stack or already in the cluster). */
export function usesCertManager(config: StackConfig): boolean {
  return ingresses(config).some(({ ingress }) => ingress.tls.issuer !== undefined);
}
