import * as pulumi from "@pulumi/pulumi";
import { grafanaDashboards } from "../catalog";
import { EngineDeps, kubePrometheusStack } from "./chart";
import { alertmanagerUrl, pushgatewayUrl } from "./engine-names";
import { apiServiceMonitor, exporters } from "./exporters";
import { dashboardConfigMaps } from "./grafana";

/**
 * The monitoring engine: kube-prometheus-stack, the exporters, the API's
 * ServiceMonitor and the dashboard ConfigMaps. Returns the in-cluster URLs
 * other stacks use.
 */
export function monitoringEngine(name: string, deps: EngineDeps, opts: pulumi.CustomResourceOptions) {
  const { config } = deps;
  const inNamespace = { ...opts, dependsOn: [deps.namespace] };
  const withCrds = { ...opts, dependsOn: [deps.namespace, deps.crds] };
  const kps = kubePrometheusStack(`${name}-kube-prometheus-stack`, deps, opts);
  const exporterReleases = exporters(name, { ...deps, dependsOn: [deps.namespace, deps.crds] }, opts);
  const serviceMonitor = apiServiceMonitor(`${name}-api-servicemonitor`, config, withCrds);
  const dashboards = dashboardConfigMaps(`${name}-dashboard`, config, grafanaDashboards(), inNamespace);
  return {
    ...kps,
    ...exporterReleases,
    serviceMonitor,
    dashboards,
    alertmanagerUrl: pulumi.output(alertmanagerUrl(config)),
    pushgatewayUrl: pulumi.output(pushgatewayUrl(config)),
  };
}
