/**
 * A concern's mixin, kube-prometheus style: everything it contributes to monitoring, listed by
 * the concern itself (its `mixin.ts`) and deployed by its own component.
 */
import { LogAlert, RuleGroup } from "./alert";
import { GrafanaDashboard } from "./dashboard";

export interface Mixin {
  /** Prometheus rule groups (alerts and recording rules, with their runbook text). */
  ruleGroups: RuleGroup[];
  dashboards: GrafanaDashboard[];
  /** Error-log alerts evaluated by ElastAlert2 (logging only). */
  logAlerts: LogAlert[];
}
