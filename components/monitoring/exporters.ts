import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { POSTGRES_EXPORTER_DSN_KEY, POSTGRES_EXPORTER_DSN_SECRET } from "./names";
import { charts } from "../shared/platform";
import { elasticsearchExporterValues, postgresDsn, postgresExporterValues, pushgatewayValues } from "./exporter-values";
import { helmRelease } from "../shared/helm";

export interface ExporterDeps {
  config: StackConfig;
  secret: (key: string) => pulumi.Output<string>;
  /** The monitoring namespace and the CRD bundle (the charts create ServiceMonitors). */
  dependsOn: pulumi.Resource[];
}

/** The API's ServiceMonitor. Rules select the API by job="<app.name>", so the job label is set explicitly. */
export function apiServiceMonitor(
  name: string,
  config: StackConfig,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  const { app } = config;
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: app.name, namespace: config.namespaces.monitoring, labels: managedByLabels },
      spec: {
        namespaceSelector: { matchNames: [app.namespace] },
        selector: { matchLabels: app.serviceSelector },
        endpoints: [
          {
            port: app.portName,
            path: app.metricsPath,
            interval: config.monitoring.prometheus.scrapeInterval,
            relabelings: [
              { action: "replace", targetLabel: "job", replacement: app.name },
              // The operator's target label `endpoint` (the port name) would rename the app's own
              // `endpoint` label (the URL route) to exported_endpoint; per-endpoint rules need the app's.
              { action: "labeldrop", regex: "endpoint" },
            ],
          },
        ],
      },
    },
    opts,
  );
}

/** postgres-exporter, Pushgateway and elasticsearch-exporter, each with its ServiceMonitor. */
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
