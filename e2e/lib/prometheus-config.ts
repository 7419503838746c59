/**
 * Prometheus configuration of one e2e server: the stack's generated rule
 * files, unchanged, scrape jobs for the local targets labelled as the
 * cluster's ServiceMonitors label them, so rules and dashboards apply as is,
 * and the external labels and alerting section the Prometheus Operator renders.
 */
import { PROBE_JOB, PROBE_MODULES } from "../../components/monitoring/probes";
import { StackConfig } from "../../configs/types";
import { charts } from "../../components/shared/platform";
import { HOST } from "./ports";

/** Scrape and rule evaluation every second: detection is then bounded by the rules' own `for` and windows. */
export const SCRAPE_INTERVAL = "1s";
export const EVALUATION_INTERVAL = "1s";

/** Job labels of the cluster's scrape targets (ServiceMonitor job = Service name, or the chart's jobLabel). */
export function jobNames(config: StackConfig) {
  return {
    api: config.app.name,
    nodeExporter: "node-exporter",
    postgresExporter: charts.postgresExporter.release,
    pushgateway: charts.pushgateway.release,
  };
}

export interface ScrapeTargets {
  /** Cell name, part of the pod label so logs show which cell a series came from. */
  cell: string;
  apiPort: number;
  nodeExporterPort: number;
  postgresExporterPort: number;
  pushgatewayPort: number;
  /** Every Alertmanager of the cell; each Prometheus sends to all of them, as the operator configures it. */
  alertmanagerPorts: number[];
  blackboxExporterPort: number;
  /** Which replica of the Prometheus StatefulSet this server plays (its pod ordinal). */
  replica: number;
}

/** The Prometheus resource the chart creates, and the pod name the operator puts in the replica label. */
export function prometheusIdentity(config: StackConfig, replica: number) {
  const name = `${charts.kubePrometheusStack.release}-prometheus`;
  return { prometheus: `${config.namespaces.monitoring}/${name}`, pod: `prometheus-${name}-${replica}` };
}

/** The label the operator adds per replica and drops from alerts, so both replicas' alerts are one alert. */
export const REPLICA_LABEL = "prometheus_replica";

function target(port: number) {
  return `${HOST}:${port}`;
}

export function prometheusConfig(config: StackConfig, targets: ScrapeTargets, ruleFiles: string[]) {
  const jobs = jobNames(config);
  const monitoringNs = config.namespaces.monitoring;
  const identity = prometheusIdentity(config, targets.replica);
  const staticJob = (
    job: string,
    port: number,
    labels: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) => ({
    job_name: job,
    ...extra,
    static_configs: [{ targets: [target(port)], labels }],
  });
  return {
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      scrape_timeout: SCRAPE_INTERVAL,
      evaluation_interval: EVALUATION_INTERVAL,
      // The chart's externalLabels plus the two the Prometheus Operator adds to every Prometheus.
      external_labels: {
        environment: config.environment,
        cluster: config.cluster.name,
        prometheus: identity.prometheus,
        [REPLICA_LABEL]: identity.pod,
      },
    },
    rule_files: ruleFiles,
    alerting: {
      alert_relabel_configs: [{ action: "labeldrop", regex: REPLICA_LABEL }],
      alertmanagers: [
        { api_version: "v2", static_configs: [{ targets: targets.alertmanagerPorts.map((port) => target(port)) }] },
      ],
    },
    scrape_configs: [
      staticJob(
        jobs.api,
        targets.apiPort,
        {
          namespace: config.app.namespace,
          service: config.app.name,
          // No `endpoint` target label: the ServiceMonitor drops the operator's (the port name), so the
          // app's own `endpoint` label (the route) reaches the per-endpoint rules, as in the cluster.
          pod: `${config.app.name}-${targets.cell}`,
          container: config.app.name,
        },
        { metrics_path: config.app.metricsPath },
      ),
      staticJob(jobs.nodeExporter, targets.nodeExporterPort, {
        namespace: monitoringNs,
        service: `${charts.kubePrometheusStack.release}-prometheus-node-exporter`,
        endpoint: "http-metrics",
        pod: "node-exporter-e2e",
      }),
      staticJob(jobs.postgresExporter, targets.postgresExporterPort, {
        namespace: monitoringNs,
        service: jobs.postgresExporter,
        endpoint: "http",
        pod: `${jobs.postgresExporter}-e2e`,
      }),
      // Pushed series keep their own job (the backup job), as the chart's ServiceMonitor sets honorLabels.
      staticJob(
        jobs.pushgateway,
        targets.pushgatewayPort,
        { namespace: monitoringNs, service: jobs.pushgateway, endpoint: "http", pod: `${jobs.pushgateway}-e2e` },
        { honor_labels: true },
      ),
      // What the Prometheus Operator renders for the API's Probe: /probe on the blackbox exporter with the
      // target as a parameter, the target as `instance`, the Probe's jobName and static labels.
      {
        job_name: PROBE_JOB,
        metrics_path: "/probe",
        params: { module: [PROBE_MODULES.api] },
        static_configs: [{ targets: [`http://${target(targets.apiPort)}/health`], labels: { probe: "api" } }],
        relabel_configs: [
          { source_labels: ["__address__"], target_label: "__param_target" },
          { source_labels: ["__param_target"], target_label: "instance" },
          { target_label: "__address__", replacement: target(targets.blackboxExporterPort) },
        ],
      },
    ],
  };
}
