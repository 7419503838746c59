/**
 * The Grafana "Logging" dashboard: health of the Elasticsearch cluster and whether logs keep
 * arriving, from elasticsearch-exporter metrics. The logging alerts link here; the disk and heap
 * panels turn red at those alerts' own thresholds.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { MappingType } from "@grafana/grafana-foundation-sdk/dashboard";
import { GrafanaDashboard } from "../../shared/dashboard";
import { buildDashboard, graph, singleStat } from "../../shared/dashboard-toolkit";
import { DISK_WATERMARKS, HEAP_PERCENT } from "../alerts/logging";
import { esExpr } from "../es-metrics";

export const LOGGING_DASHBOARD_UID = "cryoprotect-logging";

/** 0 green, 1 yellow, 2 red, shown as the colours' names. */
const healthNames = [
  {
    type: MappingType.ValueToText as const,
    options: {
      "0": { text: "green", color: "green" },
      "1": { text: "yellow", color: "yellow" },
      "2": { text: "red", color: "red" },
    },
  },
];

export function loggingDashboard(): GrafanaDashboard {
  return buildDashboard({
    uid: LOGGING_DASHBOARD_UID,
    title: "CryoProtect / Logging",
    description: "Elasticsearch health and log ingestion of the logging stack (elasticsearch-exporter metrics).",
    tags: ["logging", "elasticsearch"],
    rows: [
      {
        title: "Cluster",
        panels: [
          singleStat({
            title: "Cluster health",
            description:
              "green: all shards allocated; yellow: replicas missing; red: primaries missing, data unavailable.",
            unit: units.NoUnit,
            targets: [{ expr: esExpr.healthLevel, legend: "{{cluster}}" }],
            steps: [
              [null, "green"],
              [1, "yellow"],
              [2, "red"],
            ],
            mappings: healthNames,
          }),
          singleStat({
            title: "Log lines indexed (5m rate)",
            unit: units.OpsPerSecond,
            targets: [{ expr: esExpr.indexingRateByDataStream("5m"), legend: "{{data_stream}}" }],
            steps: [
              [null, "red"],
              [0.001, "green"],
            ],
            width: 18,
          }),
          graph({
            title: "Data disk used per node",
            unit: units.Percent,
            targets: [{ expr: esExpr.diskUsedPercent, legend: "{{name}} {{mount}}" }],
            description:
              `Elasticsearch stops allocating shards to a node at ${DISK_WATERMARKS.low}% (low watermark) and ` +
              `moves them away at ${DISK_WATERMARKS.high}% (high).`,
          }),
          graph({
            title: "JVM heap used per node",
            unit: units.Percent,
            targets: [{ expr: esExpr.heapUsedPercent, legend: "{{name}}" }],
            description: `Sustained heap above ${HEAP_PERCENT}% means long GC pauses and rejected requests.`,
          }),
        ],
      },
      {
        title: "Log data streams",
        panels: [
          graph({
            title: "Lines indexed per data stream",
            unit: units.OpsPerSecond,
            targets: [{ expr: esExpr.indexingRateByDataStream("5m"), legend: "{{data_stream}}" }],
            description: "Documents written per second into each log data stream (all backing indices).",
          }),
          graph({
            title: "Primary store size per data stream",
            unit: units.BytesIEC,
            targets: [{ expr: esExpr.storeBytesByDataStream, legend: "{{data_stream}}" }],
            description: "Grows with ingestion, drops when ILM deletes an old backing index.",
          }),
        ],
      },
    ],
  });
}
