/**
 * Pulumi wiring of a mixin: one PrometheusRule per rule group and one ConfigMap per dashboard,
 * in the concern's own namespace, as children of the concern's component. Prometheus selects
 * the rules by label in every namespace, Grafana's sidecar the dashboards.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { Mixin } from "./mixin";
import { managedByLabels } from "./namespace";
import { DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL, RULES_LABEL } from "./platform";
import { promRuleGroup } from "./rule-files";

export interface MixinResourcesArgs {
  /** Namespace of the concern, where its rules and dashboards live. */
  readonly namespace: k8s.core.v1.Namespace;
  /** The prometheus-operator CRD bundle: PrometheusRule objects depend on it. */
  readonly prometheusOperatorCrds: pulumi.Resource;
}

/** Kubernetes names allow lower-case alphanumerics and '-'. */
function dashboardConfigMapName(uid: string): string {
  return `grafana-dashboard-${uid.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}

export function mixinResources(
  name: string,
  config: StackConfig,
  mixin: Mixin,
  args: MixinResourcesArgs,
  parent: pulumi.Resource,
) {
  const namespace = args.namespace.metadata.name;
  const prometheusRules = mixin.ruleGroups.map(
    (group) =>
      new k8s.apiextensions.CustomResource(
        `${name}-rules-${group.name}`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: {
            name: group.name,
            namespace,
            labels: {
              ...RULES_LABEL,
              "app.kubernetes.io/part-of": "cryoprotect-observability",
              "cryoprotect.dev/component": group.component,
            },
          },
          spec: { groups: [promRuleGroup(config, group)] },
        },
        { parent, dependsOn: [args.prometheusOperatorCrds, args.namespace] },
      ),
  );
  const dashboards = mixin.dashboards.map(
    (d) =>
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${d.uid}`,
        {
          metadata: {
            name: dashboardConfigMapName(d.uid),
            namespace,
            labels: { ...managedByLabels, [DASHBOARD_LABEL]: "1" },
            annotations: { [DASHBOARD_FOLDER_ANNOTATION]: d.folder },
          },
          data: { [`${d.uid}.json`]: JSON.stringify(d.model) },
        },
        { parent, dependsOn: [args.namespace] },
      ),
  );
  return { prometheusRules, dashboards };
}
