import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { monitoringMixin } from "./mixin";
import { apiAlertNamesOf } from "./alertmanager-config";
import { alertmanagerConfigSecret } from "./alertmanager-resources";
import { kubePrometheusStackValues } from "./chart-values";
import { charts } from "../shared/platform";
import { grafanaAdminSecret } from "./grafana";
import { helmRelease } from "../shared/helm";

/** Alerts of the chart's default rules that our catalog defines itself (with our runbook). */
const CHART_ALERTS_WE_DEFINE = ["Watchdog"];

export interface EngineDeps {
  config: StackConfig;
  secret: (key: string) => pulumi.Output<string>;
  namespace: k8s.core.v1.Namespace;
  /** Where the chart's node-exporter runs (namespaceOverride). */
  nodeExporterNamespace: k8s.core.v1.Namespace;
  crds: pulumi.Resource;
}

/**
 * kube-prometheus-stack with its Alertmanager config Secret and Grafana admin
 * Secret. The release waits for the namespace, the CRDs and both Secrets,
 * so the first `pulumi up` on an empty cluster needs no second run.
 */
export function kubePrometheusStack(name: string, deps: EngineDeps, opts: pulumi.CustomResourceOptions) {
  const { config } = deps;
  const groups = monitoringMixin(config).ruleGroups;
  const ours = new Set(groups.flatMap((g) => g.alerts.map((a) => a.name)));
  const alertmanagerSecret = alertmanagerConfigSecret(
    `${name}-alertmanager-config`,
    config,
    deps.secret,
    apiAlertNamesOf(groups),
    { ...opts, dependsOn: [deps.namespace] },
  );
  const grafanaAdmin = grafanaAdminSecret(`${name}-grafana-admin`, config, { ...opts, dependsOn: [deps.namespace] });
  const release = helmRelease(
    name,
    charts.kubePrometheusStack,
    config.namespaces.monitoring,
    kubePrometheusStackValues(
      config,
      CHART_ALERTS_WE_DEFINE.filter((a) => ours.has(a)),
    ),
    { ...opts, dependsOn: [deps.namespace, deps.nodeExporterNamespace, deps.crds, alertmanagerSecret, grafanaAdmin] },
  );
  return { release, alertmanagerSecret, grafanaAdmin };
}
