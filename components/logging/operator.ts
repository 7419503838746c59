/**
 * The ECK operator (eck-operator chart). Its CRDs are not the chart's: they
 * come from the CRD bundle (components/shared/crds.ts) so that the Elastic
 * custom resources can depend on them during preview.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { helmRelease } from "../shared/helm";
import { namespace } from "../shared/namespace";
import { charts } from "../shared/platform";
import { eckOperatorNamespace } from "./names";
import { eckOperatorValues } from "./operator-values";

export function installEckOperator(
  name: string,
  config: StackConfig,
  /** The ECK CRD bundle, and the logging namespace the operator is to watch. */
  dependsOn: pulumi.Resource[],
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  const ns = namespace(`${name}-ns`, eckOperatorNamespace, config.environment, "restricted", opts);
  return helmRelease(name, charts.eckOperator, ns.metadata.name, eckOperatorValues(config), {
    ...opts,
    dependsOn: [ns, ...dependsOn],
  });
}
