/**
 * What the monitoring concern contributes to the shared catalog: its Prometheus rule
 * groups (one per concern, mixin-style) and its Grafana dashboards.
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { RuleGroup } from "../shared/alert";
import { apiRuleGroup } from "./rules/api";
import { metaRuleGroup } from "./rules/meta";
import { sloRuleGroup } from "./rules/slo";
import { systemRuleGroup } from "./rules/system";
import { apiDashboard } from "./dashboards/api";
import { businessDashboard } from "./dashboards/business";
import { databaseDashboard } from "./dashboards/database";
import { sloDashboard } from "./dashboards/slo";
import { systemDashboard } from "./dashboards/system";

export function monitoringRuleGroups(config: StackConfig): RuleGroup[] {
  return [apiRuleGroup(config), systemRuleGroup(config), sloRuleGroup(config), metaRuleGroup(config)];
}

export function monitoringDashboards(): GrafanaDashboard[] {
  return [apiDashboard(), databaseDashboard(), systemDashboard(), sloDashboard(), businessDashboard()];
}
