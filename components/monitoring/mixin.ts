/**
 * The monitoring concern's mixin: the API, system, SLO, meta and probe rule groups and the API,
 * database, system, SLO, business and probe dashboards.
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
import { probeRuleGroup } from "./alerts/probes";
import { probesDashboard } from "./dashboards/probes";

export function monitoringMixin(config: StackConfig): Mixin {
  return {
    ruleGroups: [
      apiRuleGroup(config),
      systemRuleGroup(config),
      sloRuleGroup(config),
      metaRuleGroup(config),
      probeRuleGroup(config),
    ],
    ruleTests: monitoringRuleTests(config),
    dashboards: [
      apiDashboard(config),
      databaseDashboard(),
      systemDashboard(),
      sloDashboard(),
      businessDashboard(),
      probesDashboard(config),
    ],
    logAlerts: [],
  };
}
