/**
 * Names and in-cluster addresses of the monitoring engine's workloads. Fixed
 * (not Pulumi auto-names) because Helm values, other stacks and the backup
 * jobs refer to them by name.
 */
import { StackConfig } from "../../configs/types";

export interface HelmChartRef {
  chart: string;
  version: string;
  repo: string;
  /** Helm release name; also the chart's fullnameOverride where the chart has one. */
  release: string;
}

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";

/** Pinned charts; the reference values files of exactly these versions define the keys we may set. */
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
} as const satisfies Record<string, HelmChartRef>;

/** Secret (monitoring namespace) with `alertmanager.yaml` and the notification templates. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-cryoprotect";
/** Secret (monitoring namespace) with Grafana's admin user and generated password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** Secret (monitoring namespace) with the postgres-exporter's connection string. */
export const POSTGRES_EXPORTER_DSN_SECRET = "postgres-exporter-dsn";
export const POSTGRES_EXPORTER_DSN_KEY = "DATA_SOURCE_NAME";

/**
 * Elasticsearch credentials for Grafana's logs datasource and the
 * elasticsearch-exporter: keys `username` and `password`, in the monitoring
 * namespace. Pods cannot read ECK's `cryoprotect-es-elastic-user` Secret
 * across namespaces, so the logging stack creates this one for its read-only
 * user (components/logging/monitoring-user.ts); referenced by name only here.
 */
export const ELASTICSEARCH_CREDENTIALS_SECRET = "cryoprotect-es-monitoring-credentials";

/** Label and annotation the Grafana dashboard sidecar looks for. */
export const DASHBOARD_LABEL = "grafana_dashboard";
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";

/** Label that makes Prometheus load a PrometheusRule (ours and the chart's default rules). */
export const RULES_LABEL = { "cryoprotect.dev/rules": "true" } as const;

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
