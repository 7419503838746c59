/**
 * SLO overview: objectives, error budget left over 30 days and burn rates per
 * window. Objectives come from the constant recording rules, so the same JSON
 * serves every stack.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { GrafanaDashboard } from "../../shared/dashboard";
import { metrics } from "../../shared/app-metrics";
import { SLO_BUDGET_PERIOD, SLO_WINDOWS, SloKind, sloRecords } from "../alerts/slo";
import { buildDashboard, graph, NS, singleStat } from "../../shared/dashboard-toolkit";
import { dashboardUids } from "./uids";

const BUDGET_PERIOD = SLO_BUDGET_PERIOD;

function budget(kind: SloKind): string {
  return `(1 - scalar(max(${sloRecords.objective(kind)})))`;
}

/** Share of bad events over the budget period, from the 5m rates recorded every evaluation. */
function periodErrorRatio(kind: SloKind): string {
  return (
    `sum(sum_over_time(${sloRecords.errorRate5m(kind)}{${NS}}[${BUDGET_PERIOD}]))\n/\n` +
    `sum(sum_over_time(${sloRecords.requestRate("5m")}{${NS}}[${BUDGET_PERIOD}]))`
  );
}

function sloRow(kind: SloKind, title: string) {
  return {
    title,
    panels: [
      singleStat({
        title: "Objective",
        unit: units.PercentUnit,
        targets: [{ expr: `max(${sloRecords.objective(kind)})`, legend: "objective" }],
        steps: [[null, "blue"]],
      }),
      singleStat({
        title: `Good events over ${BUDGET_PERIOD}`,
        unit: units.PercentUnit,
        targets: [{ expr: `1 - (${periodErrorRatio(kind)})`, legend: "good" }],
        steps: [[null, "blue"]],
      }),
      singleStat({
        title: `Error budget left (${BUDGET_PERIOD})`,
        unit: units.PercentUnit,
        description: "1 - (share of bad events over the period) / (1 - objective). Below 0 the SLO is missed.",
        // The recording rule: the same number cryo-ops status and the e2e's accuracy check read.
        targets: [{ expr: `min(${sloRecords.budgetRemaining(kind)}{${NS}})`, legend: "budget left" }],
        steps: [
          [null, "red"],
          [0.25, "orange"],
          [0.5, "green"],
        ],
      }),
      graph({
        title: "Burn rate by window (1 = budget lasts exactly the period)",
        unit: units.Short,
        description:
          "Share of bad events in the window divided by the budget (1 - objective). Pages need 14.4 on 1h and 5m " +
          "or 6 on 6h and 30m; tickets need 3 on 1d and 2h or 1 on 3d and 6h.",
        width: 24,
        targets: SLO_WINDOWS.map((w) => ({
          expr: `max(${sloRecords.errorRatio(kind, w)}{${NS}}) / ${budget(kind)}`,
          legend: w,
        })),
      }),
    ],
  };
}

export function sloDashboard(): GrafanaDashboard {
  return buildDashboard({
    uid: dashboardUids.slo,
    title: "CryoProtect / SLO overview",
    description:
      "Availability and latency SLOs of the CryoProtect API: error budget left and multi-window burn rates. " +
      "Pages fire at 14.4x (1h and 5m) and 6x (6h and 30m), tickets at 3x (1d and 2h) and 1x (3d and 6h).",
    variables: {
      namespaceSource: metrics.httpRequestsTotal.name,
      instanceSource: `${metrics.httpRequestsTotal.name}{${NS}}`,
    },
    rows: [
      sloRow("availability", "Availability (share of requests without 5xx)"),
      sloRow("latency", "Latency (share of requests faster than the threshold)"),
      {
        title: "Traffic",
        panels: [
          graph({
            title: "Requests counted by the SLOs",
            unit: units.RequestsPerSecond,
            width: 24,
            targets: [{ expr: `sum(${sloRecords.requestRate("5m")}{${NS}})`, legend: "requests" }],
          }),
        ],
      },
    ],
  });
}
