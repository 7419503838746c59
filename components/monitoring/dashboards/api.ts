/** API performance: traffic, errors, latency percentiles and saturation of the CryoProtect API. */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { GrafanaDashboard } from "../../shared/dashboard";
import { metrics } from "../../shared/app-metrics";
import { StackConfig } from "../../../configs/types";
import { apiRecords, apiRulesConfig } from "../alerts/api";
import { bars, buildDashboard, graph, latencyPanel, NS, NS_INSTANCE, singleStat } from "../../shared/dashboard-toolkit";
import { dashboardUids } from "./uids";

const rate = `${apiRecords.requestsRate5m}{${NS}}`;

const byEndpoint = (title: string, record: string) => latencyPanel(title, record, "endpoint", "{{endpoint}}");

export function apiDashboard(config: StackConfig): GrafanaDashboard {
  // The red lines are the alerts' own thresholds (HighErrorRate, HighLatency), orange half way there.
  const { errorRatio, latencyP95Seconds } = apiRulesConfig(config);
  return buildDashboard({
    uid: dashboardUids.api,
    title: "CryoProtect / API performance",
    description: "Request rate, errors, latency and saturation of the CryoProtect API (RED method).",
    variables: {
      namespaceSource: metrics.httpRequestsTotal.name,
      instanceSource: `${metrics.httpRequestsTotal.name}{${NS}}`,
    },
    rows: [
      {
        title: "Overview",
        panels: [
          singleStat({
            title: "Request rate",
            unit: units.RequestsPerSecond,
            targets: [{ expr: `sum(${rate})`, legend: "requests" }],
            steps: [[null, "blue"]],
          }),
          singleStat({
            title: "5xx error ratio",
            unit: units.PercentUnit,
            targets: [
              { expr: `sum(${apiRecords.requestsRate5m}{${NS}, status=~"5.."}) / sum(${rate})`, legend: "5xx" },
            ],
            steps: [
              [null, "green"],
              [errorRatio / 2, "orange"],
              [errorRatio, "red"],
            ],
          }),
          singleStat({
            title: "Slowest endpoint p95",
            unit: units.Seconds,
            targets: [{ expr: `max(${apiRecords.latencyP95}{${NS}})`, legend: "p95" }],
            steps: [
              [null, "green"],
              [latencyP95Seconds / 2, "orange"],
              [latencyP95Seconds, "red"],
            ],
          }),
          singleStat({
            title: "Requests in progress",
            unit: units.Short,
            targets: [{ expr: `sum(${apiRecords.inProgress}{${NS}})`, legend: "in progress" }],
            steps: [[null, "blue"]],
          }),
        ],
      },
      {
        title: "Traffic and errors",
        panels: [
          graph({
            title: "Request rate by endpoint",
            unit: units.RequestsPerSecond,
            targets: [{ expr: `sum by (endpoint) (${rate})`, legend: "{{endpoint}}" }],
          }),
          graph({
            title: "Request rate by status",
            unit: units.RequestsPerSecond,
            targets: [{ expr: `sum by (status) (${rate})`, legend: "{{status}}" }],
          }),
          graph({
            title: "5xx error ratio by endpoint",
            unit: units.PercentUnit,
            targets: [
              { expr: `max by (endpoint) (${apiRecords.endpointErrorRatio5m}{${NS}})`, legend: "{{endpoint}}" },
            ],
          }),
          graph({
            title: "Application errors by type",
            unit: units.OpsPerSecond,
            targets: [{ expr: `sum by (type) (${apiRecords.errorsRate5m}{${NS}})`, legend: "{{type}}" }],
          }),
        ],
      },
      {
        title: "Latency",
        panels: [
          byEndpoint("p50 latency by endpoint", apiRecords.latencyP50),
          byEndpoint("p95 latency by endpoint", apiRecords.latencyP95),
          byEndpoint("p99 latency by endpoint", apiRecords.latencyP99),
        ],
      },
      {
        title: "Saturation",
        panels: [
          graph({
            title: "Requests in progress by instance and endpoint",
            unit: units.Short,
            targets: [
              {
                expr: `sum by (instance, endpoint) (${metrics.httpRequestsInProgress.name}{${NS_INSTANCE}})`,
                legend: "{{instance}} {{endpoint}}",
              },
            ],
          }),
          bars({
            title: "Top 10 endpoints by request rate",
            unit: units.RequestsPerSecond,
            targets: [{ expr: `topk(10, sum by (endpoint) (${rate}))`, legend: "{{endpoint}}" }],
          }),
        ],
      },
    ],
  });
}
