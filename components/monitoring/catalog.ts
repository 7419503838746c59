/**
 * What the monitoring concern contributes to the shared catalog: its Prometheus rule
 * groups and its Grafana dashboards (filled in by the monitoring issue).
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { RuleGroup } from "../shared/alert";

export function monitoringRuleGroups(config: StackConfig): RuleGroup[] {
  void config;
  return [];
}

export function monitoringDashboards(): GrafanaDashboard[] {
  return [];
}
