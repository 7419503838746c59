/**
 * The ECK operator (eck-operator chart). Its CRDs are not the chart's: they
 * come from the CRD bundle (components/shared/crds.ts) so that the Elastic
 * custom resources can depend on them during preview.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { crdBundles } from "../shared/crds";
import { namespace } from "../shared/namespace";
import { eckOperatorNamespace } from "./names";

export const eckOperatorChart = {
  chart: "eck-operator",
  version: crdBundles.eck.version,
  repo: "https://helm.elastic.co",
} as const;

/** Chart values; every key exists in the chart's values.yaml. */
export function eckOperatorValues(config: StackConfig): Record<string, unknown> {
  return {
    installCRDs: false,
    // The operator only watches the logging namespace: it needs no access to other namespaces' secrets.
    managedNamespaces: [config.namespaces.logging],
  };
}

export function installEckOperator(
  name: string,
  config: StackConfig,
  /** The ECK CRD bundle, and the logging namespace the operator is to watch. */
  dependsOn: pulumi.Resource[],
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  const ns = namespace(`${name}-ns`, eckOperatorNamespace, config.environment, opts);
  return new k8s.helm.v3.Release(
    name,
    {
      name: "elastic-operator",
      chart: eckOperatorChart.chart,
      version: eckOperatorChart.version,
      repositoryOpts: { repo: eckOperatorChart.repo },
      namespace: ns.metadata.name,
      skipCrds: true,
      values: eckOperatorValues(config),
    },
    { ...opts, dependsOn: [ns, ...dependsOn] },
  );
}
