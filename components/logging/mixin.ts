/**
 * The logging concern's mixin: its rule group (Elasticsearch health, log shipping), its
 * dashboard and its error-log alerts (ElastAlert2).
 */
import { StackConfig } from "../../configs/types";
import { Mixin } from "../shared/mixin";
import { loggingDashboard } from "./dashboards/logging";
import { loggingRuleGroup } from "./alerts/logging";
import { logAlertDefinitions } from "./log-alerts";
import { loggingRuleTests } from "./rule-tests/logging";

export function loggingMixin(config: StackConfig): Mixin {
  return {
    ruleGroups: [loggingRuleGroup(config)],
    ruleTests: [loggingRuleTests(config)],
    dashboards: [loggingDashboard()],
    logAlerts: logAlertDefinitions(config).map((d) => d.alert),
  };
}
