/**
 * What the logging concern contributes to the shared catalog: its Prometheus rule
 * groups and its Grafana dashboards (filled in by the logging issue).
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { LogAlert, RuleGroup } from "../shared/alert";

export function loggingRuleGroups(config: StackConfig): RuleGroup[] {
  void config;
  return [];
}

export function loggingDashboards(): GrafanaDashboard[] {
  return [];
}

/** Error-log alerts evaluated by ElastAlert2 and posted to Alertmanager. */
export function logAlerts(config: StackConfig): LogAlert[] {
  void config;
  return [];
}
