import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { POSTGRES_EXPORTER_DSN_KEY, POSTGRES_EXPORTER_DSN_SECRET } from "./names";
import { charts } from "../shared/platform";
import { elasticsearchExporterValues, postgresDsn, postgresExporterValues, pushgatewayValues } from "./exporter-values";
import { helmRelease } from "../shared/helm";
import { apiServiceMonitorSpec } from "./api-service-monitor";
import { blackboxExporterValues, probes } from "./probes";

export interface ExporterDeps {
  config: StackConfig;
  secret: (key: string) => pulumi.Output<string>;
  /** The monitoring namespace and the CRD bundle (the charts create ServiceMonitors). */
  dependsOn: pulumi.Resource[];
}

/** The API's ServiceMonitor (spec in api-service-monitor.ts). */
export function apiServiceMonitor(
  name: string,
  config: StackConfig,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(name, apiServiceMonitorSpec(config), opts);
}

/** postgres-exporter, Pushgateway and elasticsearch-exporter, each with its ServiceMonitor; the blackbox exporter and its Probes. */
export function exporters(name: string, deps: ExporterDeps, opts: pulumi.CustomResourceOptions) {
  const { config } = deps;
  const ns = config.namespaces.monitoring;
  const password = deps.secret(config.backup.database.passwordSecret);
  const dsnSecret = new k8s.core.v1.Secret(
    `${name}-postgres-dsn`,
    {
      metadata: { name: POSTGRES_EXPORTER_DSN_SECRET, namespace: ns, labels: managedByLabels },
      type: "Opaque",
      stringData: { [POSTGRES_EXPORTER_DSN_KEY]: pulumi.secret(password.apply((p) => postgresDsn(config, p))) },
    },
    { ...opts, dependsOn: deps.dependsOn },
  );
  const releaseOpts = (extra: pulumi.Resource[] = []) => ({ ...opts, dependsOn: [...deps.dependsOn, ...extra] });
  return {
    postgresExporter: helmRelease(
      `${name}-postgres-exporter`,
      charts.postgresExporter,
      ns,
      postgresExporterValues(config),
      releaseOpts([dsnSecret]),
    ),
    pushgateway: helmRelease(`${name}-pushgateway`, charts.pushgateway, ns, pushgatewayValues(config), releaseOpts()),
    blackboxExporter: helmRelease(
      `${name}-blackbox-exporter`,
      charts.blackboxExporter,
      ns,
      blackboxExporterValues(config),
      releaseOpts(),
    ),
    probes: probes(config).map(
      (p) => new k8s.apiextensions.CustomResource(`${name}-probe-${p.metadata.name}`, p, releaseOpts()),
    ),
    // Not awaited: its pod starts only once the logging stack has provided the credentials Secret.
    elasticsearchExporter: helmRelease(
      `${name}-elasticsearch-exporter`,
      charts.elasticsearchExporter,
      ns,
      elasticsearchExporterValues(config),
      releaseOpts(),
      false,
    ),
  };
}
