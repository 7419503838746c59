/** The backup concern's mixin: its rule group (with runbook text) and its dashboard. */
import { StackConfig } from "../../configs/types";
import { Mixin } from "../shared/mixin";
import { backupRuleGroup } from "./alerts";
import { backupDashboard } from "./dashboard";

export function backupMixin(config: StackConfig): Mixin {
  return { ruleGroups: [backupRuleGroup(config)], dashboards: [backupDashboard()], logAlerts: [] };
}
