/**
 * The platform contract: what one concern needs to know of another, named once. Chart pins
 * of every Helm release, the in-cluster endpoints other concerns call, and the Secrets and
 * labels that cross namespaces. Concerns import this, never each other.
 */
import { StackConfig } from "../../configs/types";
import { crdBundles } from "./crds";

export interface HelmChartRef {
  chart: string;
  version: string;
  repo: string;
  /** Helm release name; also the chart's fullnameOverride where the chart has one. */
  release: string;
}

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";

/** Every chart the platform installs, pinned; the reference values of exactly these versions define the keys we may set. */
export const charts = {
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repo: PROMETHEUS_COMMUNITY,
    release: "kube-prometheus-stack",
  },
  postgresExporter: {
    chart: "prometheus-postgres-exporter",
    version: "8.2.0",
    repo: PROMETHEUS_COMMUNITY,
    release: "postgres-exporter",
  },
  pushgateway: {
    chart: "prometheus-pushgateway",
    version: "3.8.0",
    repo: PROMETHEUS_COMMUNITY,
    release: "prometheus-pushgateway",
  },
  elasticsearchExporter: {
    chart: "prometheus-elasticsearch-exporter",
    version: "7.4.0",
    repo: PROMETHEUS_COMMUNITY,
    release: "elasticsearch-exporter",
  },
  /** The operator and its CRD bundle move together. */
  eckOperator: {
    chart: "eck-operator",
    version: crdBundles.eck.version,
    repo: "https://helm.elastic.co",
    release: "elastic-operator",
  },
  blackboxExporter: {
    chart: "prometheus-blackbox-exporter",
    version: "11.17.2",
    repo: PROMETHEUS_COMMUNITY,
    release: "blackbox-exporter",
  },
  /** The chart and its CRD bundle move together. */
  certManager: {
    chart: "cert-manager",
    version: `v${crdBundles.certManager.version}`,
    repo: "https://charts.jetstack.io",
    release: "cert-manager",
  },
  elastalert: {
    chart: "elastalert2",
    version: "2.31.0",
    repo: "https://jertel.github.io/elastalert2/",
    release: "elastalert2",
  },
} as const satisfies Record<string, HelmChartRef>;

/**
 * Elasticsearch credentials for Grafana's logs datasource and the elasticsearch-exporter:
 * keys `username` and `password`, in the monitoring namespace. Pods cannot read ECK's
 * `cryoprotect-es-elastic-user` Secret across namespaces, so the logging concern creates this
 * one for its read-only user; the monitoring concern refers to it by name only.
 */
export const ELASTICSEARCH_CREDENTIALS_SECRET = "cryoprotect-es-monitoring-credentials";

/** Label and annotation the Grafana dashboard sidecar looks for (in every namespace). */
export const DASHBOARD_LABEL = "grafana_dashboard";
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";

/** Label that makes Prometheus load a PrometheusRule, in any namespace (ours and the chart's default rules). */
export const RULES_LABEL = { "cryoprotect.dev/rules": "true" } as const;

/** The logging concern's Elasticsearch, as the monitoring concern's exporter and datasource reach it. */
export function elasticsearchUrl(config: StackConfig): string {
  return `https://cryoprotect-es-http.${config.namespaces.logging}.svc:9200`;
}

/** ElastAlert and other in-cluster clients post alerts here. */
export function alertmanagerUrl(config: StackConfig): string {
  return `http://${charts.kubePrometheusStack.release}-alertmanager.${config.namespaces.monitoring}.svc:9093`;
}

/** Backup jobs push their metrics here. */
export function pushgatewayUrl(config: StackConfig): string {
  return `http://${charts.pushgateway.release}.${config.namespaces.monitoring}.svc:9091`;
}
