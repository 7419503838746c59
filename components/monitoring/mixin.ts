/**
 * The monitoring concern's mixin: the API, system, SLO and meta rule groups and the API,
 * database, system, SLO and business dashboards.
 */
import { StackConfig } from "../../configs/types";
import { Mixin } from "../shared/mixin";
import { apiDashboard } from "./dashboards/api";
import { businessDashboard } from "./dashboards/business";
import { databaseDashboard } from "./dashboards/database";
import { sloDashboard } from "./dashboards/slo";
import { systemDashboard } from "./dashboards/system";
import { monitoringRuleTests } from "./rule-tests";
import { apiRuleGroup } from "./alerts/api";
import { metaRuleGroup } from "./alerts/meta";
import { sloRuleGroup } from "./alerts/slo";
import { systemRuleGroup } from "./alerts/system";

export function monitoringMixin(config: StackConfig): Mixin {
  return {
    ruleGroups: [apiRuleGroup(config), systemRuleGroup(config), sloRuleGroup(config), metaRuleGroup(config)],
    ruleTests: monitoringRuleTests(config),
    dashboards: [apiDashboard(config), databaseDashboard(), systemDashboard(), sloDashboard(), businessDashboard()],
    logAlerts: [],
  };
}
