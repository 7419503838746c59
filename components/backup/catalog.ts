/**
 * What the backup concern contributes to the shared catalog: its Prometheus rule
 * groups and its Grafana dashboards (filled in by the backup issue).
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { RuleGroup } from "../shared/alert";

export function backupRuleGroups(config: StackConfig): RuleGroup[] {
  void config;
  return [];
}

export function backupDashboards(): GrafanaDashboard[] {
  return [];
}
