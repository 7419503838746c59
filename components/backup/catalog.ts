/**
 * What the backup concern contributes to the shared catalog: its Prometheus
 * rule group and its Grafana dashboard.
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { RuleGroup } from "../shared/alert";
import { backupRuleGroup } from "./alerts";
import { backupDashboard } from "./dashboard";

export function backupRuleGroups(config: StackConfig): RuleGroup[] {
  return [backupRuleGroup(config)];
}

export function backupDashboards(): GrafanaDashboard[] {
  return [backupDashboard()];
}
