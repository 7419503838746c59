/**
 * Database performance: the API's queries and connection pool (from the
 * metrics contract) next to the server's view from postgres-exporter.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { GrafanaDashboard } from "../../shared/dashboard";
import { DATABASE_ERROR_TYPE, metrics } from "../../shared/app-metrics";
import { apiRecords } from "../alerts/api";
import { systemRecords } from "../alerts/system";
import {
  buildDashboard,
  graph,
  latencyPanel,
  NS,
  NS_INSTANCE,
  singleStat,
  QUERIES_PER_SECOND,
} from "../../shared/dashboard-toolkit";
import { dashboardUids } from "./uids";

const byQuery = "operation, table";
const queryLegend = "{{operation}} {{table}}";

const byQueryPanel = (title: string, record: string) => latencyPanel(title, record, byQuery, queryLegend);

export function databaseDashboard(): GrafanaDashboard {
  return buildDashboard({
    uid: dashboardUids.database,
    title: "CryoProtect / Database performance",
    description: "Queries and connection pool of the CryoProtect API, and PostgreSQL itself (postgres-exporter).",
    variables: {
      namespaceSource: metrics.dbQueriesTotal.name,
      instanceSource: `${metrics.dbQueriesTotal.name}{${NS}}`,
    },
    rows: [
      {
        title: "Queries",
        panels: [
          graph({
            title: "Query rate by operation and table",
            unit: QUERIES_PER_SECOND,
            targets: [{ expr: `sum by (${byQuery}) (${apiRecords.dbQueriesRate5m}{${NS}})`, legend: queryLegend }],
          }),
          graph({
            title: "Database errors reported by the API",
            unit: units.OpsPerSecond,
            targets: [
              {
                expr: `sum by (endpoint) (${apiRecords.errorsRate5m}{${NS}, type="${DATABASE_ERROR_TYPE}"})`,
                legend: "{{endpoint}}",
              },
            ],
          }),
          byQueryPanel("p50 query latency", apiRecords.dbLatencyP50),
          byQueryPanel("p95 query latency", apiRecords.dbLatencyP95),
          byQueryPanel("p99 query latency", apiRecords.dbLatencyP99),
        ],
      },
      {
        title: "Connection pool",
        panels: [
          graph({
            title: "Pool connections by state",
            unit: units.Short,
            targets: [
              {
                expr: `sum by (instance, state) (${metrics.dbConnectionPoolSize.name}{${NS_INSTANCE}})`,
                legend: "{{instance}} {{state}}",
              },
            ],
          }),
          graph({
            title: "Pool usage (active / max)",
            unit: units.PercentUnit,
            targets: [{ expr: `${systemRecords.poolUsage}{${NS_INSTANCE}}`, legend: "{{instance}}" }],
          }),
        ],
      },
      {
        title: "PostgreSQL (postgres-exporter)",
        panels: [
          graph({
            title: "Connections by database and state",
            unit: units.Short,
            targets: [{ expr: "sum by (datname, state) (pg_stat_activity_count)", legend: "{{datname}} {{state}}" }],
          }),
          graph({
            title: "Transactions",
            unit: units.OpsPerSecond,
            targets: [
              {
                expr: "sum by (datname) (rate(pg_stat_database_xact_commit[5m]))",
                legend: "{{datname}} commits",
              },
              {
                expr: "sum by (datname) (rate(pg_stat_database_xact_rollback[5m]))",
                legend: "{{datname}} rollbacks",
              },
            ],
          }),
          graph({
            title: "Cache hit ratio",
            unit: units.PercentUnit,
            targets: [
              {
                expr:
                  "sum by (datname) (rate(pg_stat_database_blks_hit[5m]))\n/\n" +
                  "(sum by (datname) (rate(pg_stat_database_blks_hit[5m])) + sum by (datname) (rate(pg_stat_database_blks_read[5m])))",
                legend: "{{datname}}",
              },
            ],
          }),
          graph({
            title: "Deadlocks",
            unit: units.Short,
            targets: [{ expr: "sum by (datname) (increase(pg_stat_database_deadlocks[5m]))", legend: "{{datname}}" }],
          }),
          singleStat({
            title: "Database size",
            unit: units.BytesIEC,
            width: 12,
            targets: [{ expr: "max by (datname) (pg_database_size_bytes)", legend: "{{datname}}" }],
            steps: [[null, "blue"]],
          }),
          singleStat({
            title: "PostgreSQL up",
            unit: units.BoolYesNo,
            width: 12,
            targets: [{ expr: "min(pg_up)", legend: "up" }],
            steps: [
              [null, "red"],
              [1, "green"],
            ],
          }),
        ],
      },
    ],
  });
}
