import { Severity, StackConfig } from "../../configs/types";

/**
 * The one definition of an alert. Rule files, PrometheusRule objects,
 * ElastAlert rules, runbook pages and notification links are all generated
 * from it, so an alert cannot exist without its runbook and dashboard.
 */
export interface RunbookText {
  /** What the alert says is happening, in plain words. */
  meaning: string;
  /** Who or what suffers while it fires. */
  impact: string;
  /** Steps to find the cause; the generator adds the query, dashboard and kubectl commands. */
  diagnosis: string[];
  /** Concrete steps, the safe ones first. */
  mitigation: string[];
  /** Whom to call and when. */
  escalation: string;
}

interface AlertBase {
  /** PascalCase; also the runbook file name. */
  name: string;
  severity: Severity;
  /** One line for the notification title (Prometheus templates allowed). */
  summary: string;
  description: string;
  /** uid of the Grafana dashboard that shows the signal. */
  dashboardUid: string;
  runbook: RunbookText;
  /** kubectl commands for Diagnosis, with this platform's namespaces and names. */
  commands: string[];
}

export interface PrometheusAlert extends AlertBase {
  source: "prometheus";
  expr: string;
  for: string;
  labels?: Record<string, string>;
}

export interface LogAlert extends AlertBase {
  source: "elastalert";
  /** Kibana (KQL) query an operator pastes into Discover. */
  kibanaQuery: string;
}

export type AlertDefinition = PrometheusAlert | LogAlert;

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

/** One concern's rules, like a kube-prometheus mixin group. */
export interface RuleGroup {
  /** Rule group and file name, e.g. "cryoprotect-api". */
  name: string;
  /** Component the runbook index groups it under, e.g. "api", "logging", "backup". */
  component: string;
  interval?: string;
  recordingRules: RecordingRule[];
  alerts: PrometheusAlert[];
}

export function runbookUrl(config: StackConfig, alertName: string): string {
  return `${config.runbookBaseUrl}/${alertName}.md`;
}

export function dashboardUrl(config: StackConfig, uid: string): string {
  return `${config.monitoring.grafana.url}/d/${uid}`;
}

/** Labels and annotations every alert carries, in the Prometheus rule-file shape. */
export function alertRule(config: StackConfig, alert: PrometheusAlert) {
  return {
    alert: alert.name,
    expr: alert.expr,
    for: alert.for,
    labels: { severity: alert.severity, ...alert.labels },
    annotations: {
      summary: alert.summary,
      description: alert.description,
      runbook_url: runbookUrl(config, alert.name),
      dashboard_url: dashboardUrl(config, alert.dashboardUid),
    },
  };
}
