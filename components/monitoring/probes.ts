/**
 * Synthetic probes from inside the cluster: the blackbox exporter (its chart's values, with our
 * modules) and one `Probe` (monitoring.coreos.com/v1) per kind of target, as pure functions of the
 * stack config. The API's health URL is probed over HTTP; every ingress over HTTPS, so the alerts
 * see what a browser sees, the certificate's expiry included.
 */
import { StackConfig } from "../../configs/types";
import { ChartWorkload } from "../shared/chart-workloads";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../shared/pod-security";
import { charts } from "../shared/platform";
import { k8sResources } from "../shared/resources";

/** The `job` label of every probe's series (Probe spec.jobName). */
export const PROBE_JOB = "cryoprotect-probes";
export const PROBE_MODULES = { api: "http_2xx", ingress: "https_2xx" } as const;

/** blackbox.yml's modules: the API answers 2xx; an ingress answers 2xx over verified TLS. */
export function blackboxModules() {
  return {
    [PROBE_MODULES.api]: { prober: "http", timeout: "5s", http: { preferred_ip_protocol: "ip4" } },
    [PROBE_MODULES.ingress]: {
      prober: "http",
      timeout: "10s",
      http: { preferred_ip_protocol: "ip4", fail_if_not_ssl: true, follow_redirects: true },
    },
  };
}

/** The user of the blackbox exporter image (the chart's default). */
const BLACKBOX_UID = 1000;

export function blackboxExporterValues(config: StackConfig) {
  return {
    fullnameOverride: charts.blackboxExporter.release,
    resources: k8sResources(config.monitoring.probes.resources),
    podSecurityContext: restrictedPodSecurityContext(BLACKBOX_UID),
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    config: { modules: blackboxModules() },
  };
}

export const BLACKBOX_FREE_FORM = new Set(["resources", "podSecurityContext", "securityContext", "config.modules"]);

export const blackboxWorkload: ChartWorkload = {
  workload: `Deployment/${charts.blackboxExporter.release}`,
  podSecurityContext: "podSecurityContext",
  containers: [{ name: "blackbox-exporter", securityContext: "securityContext", resources: "resources" }],
};

export interface ProbeTarget {
  /** The `probe` label of its series: "api", "grafana", "kibana". */
  name: string;
  url: string;
  module: string;
}

/** What the stack probes: its API, and each ingress it exposes (Grafana's health API, Kibana's login page). */
export function probeTargets(config: StackConfig): ProbeTarget[] {
  const targets: ProbeTarget[] = [
    { name: "api", url: config.monitoring.probes.apiHealthUrl, module: PROBE_MODULES.api },
  ];
  const grafana = config.monitoring.grafana.ingress;
  if (grafana)
    targets.push({ name: "grafana", url: `https://${grafana.host}/api/health`, module: PROBE_MODULES.ingress });
  const kibana = config.logging.kibana.ingress;
  if (kibana) targets.push({ name: "kibana", url: `https://${kibana.host}/login`, module: PROBE_MODULES.ingress });
  return targets;
}

/** The blackbox exporter's in-cluster address, as Prometheus reaches it. */
export function blackboxUrl(config: StackConfig): string {
  return `${charts.blackboxExporter.release}.${config.namespaces.monitoring}.svc:9115`;
}

/** One Probe per target, so each series carries its `probe` label. */
export function probes(config: StackConfig) {
  return probeTargets(config).map((t) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name: `cryoprotect-${t.name}`, namespace: config.namespaces.monitoring },
    spec: {
      jobName: PROBE_JOB,
      interval: config.monitoring.probes.interval,
      module: t.module,
      prober: { url: blackboxUrl(config), path: "/probe" },
      targets: { staticConfig: { static: [t.url], labels: { probe: t.name } } },
    },
  }));
}
