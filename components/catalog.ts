/**
 * The catalog of every alert, rule group and dashboard of the platform, from
 * each concern's own definitions. Generators (rule files, PrometheusRules,
 * runbooks, dashboard ConfigMaps) read only this.
 */
import { StackConfig } from "../configs/types";
import { backupDashboards, backupRuleGroups } from "./backup/catalog";
import { logAlerts, loggingDashboards, loggingRuleGroups } from "./logging/catalog";
import { monitoringDashboards, monitoringRuleGroups } from "./monitoring/catalog";
import { AlertDefinition, RuleGroup } from "./shared/alert";
import { GrafanaDashboard } from "./shared/dashboard";

export function ruleGroups(config: StackConfig): RuleGroup[] {
  return [...monitoringRuleGroups(config), ...loggingRuleGroups(config), ...backupRuleGroups(config)];
}

/** Every alert of the stack, metric and log, with the component it belongs to. */
export function allAlerts(config: StackConfig): { component: string; alert: AlertDefinition }[] {
  return [
    ...ruleGroups(config).flatMap((g) => g.alerts.map((alert) => ({ component: g.component, alert }))),
    ...logAlerts(config).map((alert) => ({ component: "logging", alert })),
  ];
}

export function grafanaDashboards(): GrafanaDashboard[] {
  return [...monitoringDashboards(), ...loggingDashboards(), ...backupDashboards()];
}
