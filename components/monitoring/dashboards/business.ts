/** Business: what CryoProtect stores (molecules, mixtures, predictions, experiments) and how it grows. */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { GrafanaDashboard } from "../../shared/dashboard";
import { MetricDefinition, metrics } from "../../shared/app-metrics";
import { buildDashboard, graph, NS, singleStat } from "../../shared/dashboard-toolkit";
import { dashboardUids } from "./uids";

const entities: [string, MetricDefinition][] = [
  ["Molecules", metrics.moleculesTotal],
  ["Mixtures", metrics.mixturesTotal],
  ["Predictions", metrics.predictionsTotal],
  ["Experiments", metrics.experimentsTotal],
];

export function businessDashboard(): GrafanaDashboard {
  return buildDashboard({
    uid: dashboardUids.business,
    title: "CryoProtect / Business",
    description: "Molecules, mixtures, predictions and experiments stored by CryoProtect.",
    variables: {
      namespaceSource: metrics.moleculesTotal.name,
      instanceSource: `${metrics.moleculesTotal.name}{${NS}}`,
    },
    rows: [
      {
        title: "Totals",
        // Every API pod reports the same database totals: max, not sum.
        panels: entities.map(([title, m]) =>
          singleStat({
            title,
            unit: units.Short,
            targets: [{ expr: `max(${m.name}{${NS}})`, legend: title.toLowerCase() }],
            steps: [[null, "blue"]],
          }),
        ),
      },
      {
        title: "Growth",
        panels: [
          graph({
            title: "Totals over time",
            unit: units.Short,
            targets: entities.map(([title, m]) => ({ expr: `max(${m.name}{${NS}})`, legend: title })),
          }),
          graph({
            title: "Added per day",
            unit: units.Short,
            targets: entities.map(([title, m]) => ({ expr: `max(delta(${m.name}{${NS}}[1d]))`, legend: title })),
          }),
        ],
      },
    ],
  });
}
