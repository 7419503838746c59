/**
 * One PrometheusRule per rule group of the catalog (every module's), in the
 * monitoring namespace, with the label the Prometheus ruleSelector matches.
 * The groups are the same objects the committed rule files (tested by
 * promtool) are made of.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { ruleGroups } from "../catalog";
import { RULES_LABEL } from "./engine-names";
import { promRuleGroup } from "./rule-files";

export interface RuleParent {
  crds: pulumi.Resource;
  namespace: pulumi.Resource;
}

export function prometheusRules(
  name: string,
  config: StackConfig,
  parent: pulumi.ComponentResource & RuleParent,
): k8s.apiextensions.CustomResource[] {
  return ruleGroups(config).map(
    (group) =>
      new k8s.apiextensions.CustomResource(
        `${name}-rules-${group.name}`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: {
            name: group.name,
            namespace: config.namespaces.monitoring,
            labels: {
              // The Prometheus ruleSelector (chart values) matches this label.
              ...RULES_LABEL,
              "app.kubernetes.io/part-of": "cryoprotect-observability",
              "cryoprotect.dev/component": group.component,
            },
          },
          spec: { groups: [promRuleGroup(config, group)] },
        },
        { parent, dependsOn: [parent.crds, parent.namespace] },
      ),
  );
}
