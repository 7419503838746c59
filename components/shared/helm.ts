import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmChartRef } from "./platform";

/**
 * The one way the platform installs a chart: a pinned helm.v3.Release (not Chart v4, because
 * charts such as kube-prometheus-stack rely on Helm hooks, the admission webhook's certificate
 * jobs, that Chart v4 renders as plain resources). CRDs come from components/shared/crds.ts, so
 * the charts' own CRDs are skipped.
 */
export function helmRelease(
  name: string,
  ref: HelmChartRef,
  namespace: pulumi.Input<string>,
  values: pulumi.Input<object>,
  opts: pulumi.CustomResourceOptions,
  /** false for a release whose pods may wait for a Secret another concern creates later. */
  waitUntilReady = true,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: ref.release,
      chart: ref.chart,
      version: ref.version,
      repositoryOpts: { repo: ref.repo },
      namespace,
      values,
      skipCrds: true,
      // Roll back a failed upgrade instead of leaving a half-applied release (atomic implies waiting).
      atomic: waitUntilReady,
      skipAwait: !waitUntilReady,
      timeout: 900,
    },
    opts,
  );
}
