/**
 * What the logging concern contributes to the shared catalog: its Prometheus
 * rule group (Elasticsearch health, log shipping), its Grafana dashboard and
 * its error-log alerts (ElastAlert2).
 */
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { LogAlert, RuleGroup } from "../shared/alert";
import { loggingDashboard } from "./dashboards/logging";
import { loggingRuleGroup } from "./es-alerts";
import { logAlertDefinitions } from "./log-alerts";

export function loggingRuleGroups(config: StackConfig): RuleGroup[] {
  return [loggingRuleGroup(config)];
}

export function loggingDashboards(): GrafanaDashboard[] {
  return [loggingDashboard()];
}

/** Error-log alerts evaluated by ElastAlert2 and posted to Alertmanager. */
export function logAlerts(config: StackConfig): LogAlert[] {
  return logAlertDefinitions(config).map((d) => d.alert);
}
