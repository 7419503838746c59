import * as pulumi from "@pulumi/pulumi";
import { EngineDeps, kubePrometheusStack } from "./chart";
import { alertmanagerUrl, pushgatewayUrl } from "../shared/platform";
import { apiServiceMonitor, exporters } from "./exporters";

/**
 * The monitoring engine: kube-prometheus-stack, the exporters and the API's
 * ServiceMonitor. Returns the in-cluster URLs other concerns use.
 */
export function monitoringEngine(name: string, deps: EngineDeps, opts: pulumi.CustomResourceOptions) {
  const { config } = deps;
  const withCrds = { ...opts, dependsOn: [deps.namespace, deps.crds] };
  const kps = kubePrometheusStack(`${name}-kube-prometheus-stack`, deps, opts);
  const exporterReleases = exporters(name, { ...deps, dependsOn: [deps.namespace, deps.crds] }, opts);
  const serviceMonitor = apiServiceMonitor(`${name}-api-servicemonitor`, config, withCrds);
  return {
    ...kps,
    ...exporterReleases,
    serviceMonitor,
    alertmanagerUrl: pulumi.output(alertmanagerUrl(config)),
    pushgatewayUrl: pulumi.output(pushgatewayUrl(config)),
  };
}
