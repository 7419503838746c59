/**
 * The composition root's view of every concern's mixin: the generation layer (runbooks, synth
 * and committed files) reads every alert, rule group and dashboard of the platform from here.
 * Components never read it: each deploys its own mixin.
 */
import { StackConfig } from "../configs/types";
import { backupMixin } from "./backup/mixin";
import { loggingMixin } from "./logging/mixin";
import { monitoringMixin } from "./monitoring/mixin";
import { tlsMixin } from "./tls/mixin";
import { AlertDefinition, RuleGroup } from "./shared/alert";
import { GrafanaDashboard } from "./shared/dashboard";
import { Mixin } from "./shared/mixin";
import { PodSecurityException } from "./shared/pod-security";
import { ChartWorkload } from "./shared/chart-workloads";
import { charts } from "./shared/platform";
import { certManagerWorkloads } from "./tls/cert-manager-values";
import { blackboxWorkload } from "./monitoring/probes";
import { loggingChartWorkloads, loggingPodSecurityExceptions } from "./logging/pod-security";
import {
  exporterWorkloads,
  kubePrometheusStackWorkloads,
  monitoringPodSecurityExceptions,
} from "./monitoring/pod-security";

/** Every concern's mixin, by the concern (and component) that deploys it. */
export function mixins(config: StackConfig): Record<"monitoring" | "logging" | "backup" | "tls", Mixin> {
  return {
    monitoring: monitoringMixin(config),
    logging: loggingMixin(config),
    backup: backupMixin(config),
    tls: tlsMixin(config),
  };
}

export function ruleGroups(config: StackConfig): RuleGroup[] {
  return Object.values(mixins(config)).flatMap((m) => m.ruleGroups);
}

/** Every alert of the stack, metric and log, with the component it belongs to. */
export function allAlerts(config: StackConfig): { component: string; alert: AlertDefinition }[] {
  const all = Object.values(mixins(config));
  return [
    ...all.flatMap((m) => m.ruleGroups.flatMap((g) => g.alerts.map((alert) => ({ component: g.component, alert })))),
    ...all.flatMap((m) => m.logAlerts.map((alert) => ({ component: "logging", alert }))),
  ];
}

export function grafanaDashboards(config: StackConfig): GrafanaDashboard[] {
  return Object.values(mixins(config)).flatMap((m) => m.dashboards);
}

/** The one list of pods allowed outside the "restricted" Pod Security Standard, each with its reason. */
export function podSecurityExceptions(config: StackConfig): PodSecurityException[] {
  return [...monitoringPodSecurityExceptions(config), ...loggingPodSecurityExceptions(config)];
}

/** The pods each pinned chart renders, by chart name, as the value paths that configure them. */
export function chartWorkloadsByChart(): Record<string, ChartWorkload[]> {
  return {
    [charts.kubePrometheusStack.chart]: kubePrometheusStackWorkloads,
    [charts.postgresExporter.chart]: [exporterWorkloads.postgresExporter],
    [charts.pushgateway.chart]: [exporterWorkloads.pushgateway],
    [charts.elasticsearchExporter.chart]: [exporterWorkloads.elasticsearchExporter],
    [charts.eckOperator.chart]: [loggingChartWorkloads.eckOperator],
    [charts.elastalert.chart]: [loggingChartWorkloads.elastalert],
    [charts.certManager.chart]: certManagerWorkloads,
    [charts.blackboxExporter.chart]: [blackboxWorkload],
  };
}

/** Stack outputs the program exports as Pulumi secrets; every other output is plain text. */
export const SECRET_STACK_OUTPUTS = ["resticPassword"] as const;
