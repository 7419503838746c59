/** The backup concern's mixin: its rule group (with runbook text) and its dashboard. */
import { StackConfig } from "../../configs/types";
import { Mixin } from "../shared/mixin";
import { backupRuleGroup } from "./alerts/backup";
import { backupDashboard } from "./dashboards/backup";
import { backupRuleTests } from "./rule-tests/backup";

export function backupMixin(config: StackConfig): Mixin {
  return {
    ruleGroups: [backupRuleGroup(config)],
    ruleTests: [backupRuleTests(config)],
    dashboards: [backupDashboard(config)],
    logAlerts: [],
  };
}
