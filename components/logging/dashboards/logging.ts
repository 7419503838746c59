/**
 * The Grafana "Logging" dashboard: health of the Elasticsearch cluster and
 * whether logs keep arriving, from elasticsearch-exporter metrics. Every panel
 * sets its unit. The logging alerts link here.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  MappingType,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { BigValueColorMode } from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { GrafanaDashboard } from "../../shared/dashboard";
import { esExpr } from "../es-metrics";

export const LOGGING_DASHBOARD_UID = "cryoprotect-logging";

const datasource = { type: "prometheus", uid: "prometheus" };

function query(expr: string, legend: string) {
  return new DataqueryBuilder().expr(expr).legendFormat(legend);
}

function steps(values: [number | null, string][]) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(values.map(([value, color]) => ({ value, color })));
}

function graph(title: string, unit: string, expr: string, legend: string, description: string) {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .unit(unit)
    .min(0)
    .withTarget(query(expr, legend))
    .height(8)
    .span(12);
}

export function loggingDashboard(): GrafanaDashboard {
  const health = new stat.PanelBuilder()
    .title("Cluster health")
    .description("green: all shards allocated; yellow: replicas missing; red: primaries missing, data unavailable.")
    .datasource(datasource)
    .unit("none")
    .colorMode(BigValueColorMode.Background)
    .mappings([
      {
        type: MappingType.ValueToText as const,
        options: {
          "0": { text: "green", color: "green" },
          "1": { text: "yellow", color: "yellow" },
          "2": { text: "red", color: "red" },
        },
      },
    ])
    .thresholds(
      steps([
        [null, "green"],
        [1, "yellow"],
        [2, "red"],
      ]),
    )
    .withTarget(query(esExpr.healthLevel, "{{cluster}}").instant())
    .height(5)
    .span(6);
  const ingest = new stat.PanelBuilder()
    .title("Log lines indexed (5m rate)")
    .datasource(datasource)
    .unit("ops")
    .colorMode(BigValueColorMode.Background)
    .thresholds(
      steps([
        [null, "red"],
        [0.001, "green"],
      ]),
    )
    .withTarget(query(esExpr.indexingRateByDataStream("5m"), "{{data_stream}}").instant())
    .height(5)
    .span(18);

  const builder = new DashboardBuilder("CryoProtect / Logging")
    .uid(LOGGING_DASHBOARD_UID)
    .tags(["cryoprotect", "logging", "elasticsearch"])
    .description("Elasticsearch health and log ingestion of the logging stack (elasticsearch-exporter metrics).")
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .withRow(new RowBuilder("Cluster"))
    .withPanel(health)
    .withPanel(ingest)
    .withPanel(
      graph(
        "Data disk used per node",
        "percent",
        esExpr.diskUsedPercent,
        "{{name}} {{mount}}",
        "Elasticsearch stops allocating shards to a node at 85% (low watermark) and moves them away at 90% (high).",
      ),
    )
    .withPanel(
      graph(
        "JVM heap used per node",
        "percent",
        esExpr.heapUsedPercent,
        "{{name}}",
        "Sustained heap above 85% means long GC pauses and rejected requests.",
      ),
    )
    .withRow(new RowBuilder("Log data streams"))
    .withPanel(
      graph(
        "Lines indexed per data stream",
        "ops",
        esExpr.indexingRateByDataStream("5m"),
        "{{data_stream}}",
        "Documents written per second into each log data stream (all backing indices).",
      ),
    )
    .withPanel(
      graph(
        "Primary store size per data stream",
        "bytes",
        esExpr.storeBytesByDataStream,
        "{{data_stream}}",
        "Grows with ingestion, drops when ILM deletes an old backing index.",
      ),
    );
  return { uid: LOGGING_DASHBOARD_UID, title: "CryoProtect / Logging", folder: "CryoProtect", model: builder.build() };
}
