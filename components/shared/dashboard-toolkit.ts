/**
 * The one dashboard toolkit of every concern: the datasource variable (no panel names a
 * datasource uid), optional namespace / instance variables, the folder, and panel builders that
 * always set a unit, so no panel can leave Grafana guessing what its numbers mean. Units are
 * Grafana's unit ids ("s", "bytes", "percentunit", ...).
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { Builder } from "@grafana/grafana-foundation-sdk/cog";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  ValueMapping,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  Panel,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import { BigValueColorMode, ReduceDataOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { GrafanaDashboard } from "./dashboard";

export const DASHBOARD_FOLDER = "CryoProtect";

/** Grafana's unit id for queries per second, which the SDK's unit constants lack. */
export const QUERIES_PER_SECOND = "qps";

/** Panels query the datasource the `datasource` variable selects. */
export const datasource = { type: "prometheus", uid: "${datasource}" };

/** Matchers of the namespace and instance variables, for raw series. */
export const NS = `namespace=~"$namespace"`;
export const NS_INSTANCE = `namespace=~"$namespace", instance=~"$instance"`;

export interface Target {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  /** A unit constant of @grafana/grafana-foundation-sdk/units, e.g. units.Seconds. */
  unit: string;
  targets: Target[];
  description?: string;
  /** Grid width (of 24). */
  width?: number;
}

export interface GraphSpec extends PanelSpec {
  /** Points instead of lines, for gauges that change once per run (pushed metrics). */
  points?: boolean;
  max?: number;
}

export interface StatSpec extends PanelSpec {
  /** [value, color] steps; for an alert's quantity, the red step is the alert's own threshold. */
  steps: [number | null, string][];
  /** Values shown as words, e.g. 1 = "passed". */
  mappings?: ValueMapping[];
}

/** Single-value panels show the latest value (Grafana's reducer id). */
const lastValue = () => new ReduceDataOptionsBuilder().calcs(["lastNotNull"]);

function query(target: Target, refId: string) {
  return new DataqueryBuilder().expr(target.expr).legendFormat(target.legend).refId(refId);
}

function refId(index: number): string {
  return String.fromCharCode(65 + index);
}

export function graph(spec: GraphSpec) {
  let panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .datasource(datasource)
    .unit(spec.unit)
    .min(0)
    .height(8)
    .span(spec.width ?? 12)
    .targets(spec.targets.map((t, i) => query(t, refId(i))));
  if (spec.points) panel = panel.lineWidth(1).pointSize(5);
  if (spec.max !== undefined) panel = panel.max(spec.max);
  return spec.description ? panel.description(spec.description) : panel;
}

/** A latency quantile of a recording rule, the maximum per the given labels: a third of a row. */
export function latencyPanel(title: string, record: string, by: string, legend: string) {
  return graph({
    title,
    unit: units.Seconds,
    width: 8,
    targets: [{ expr: `max by (${by}) (${record}{${NS}})`, legend }],
  });
}

/** A single number, colored by thresholds given as [value, color] steps. */
export function singleStat(spec: StatSpec) {
  let panel = new stat.PanelBuilder()
    .title(spec.title)
    .datasource(datasource)
    .unit(spec.unit)
    .colorMode(BigValueColorMode.Background)
    .reduceOptions(lastValue())
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(spec.steps.map(([value, color]) => ({ value, color }))),
    )
    .height(5)
    .span(spec.width ?? 6)
    .targets(spec.targets.map((t, i) => query(t, refId(i)).instant()));
  if (spec.mappings) panel = panel.mappings(spec.mappings);
  return spec.description ? panel.description(spec.description) : panel;
}

/**
 * Days of validity left of the soonest-expiring certificate: orange at the warning alert's threshold,
 * red at the paging one's (the stack's certificateExpiry*Days).
 */
export function certificateDaysLeftStat(
  title: string,
  daysLeftExpr: string,
  thresholds: { certificateExpiryWarningDays: number; certificateExpiryCriticalDays: number },
) {
  return singleStat({
    title,
    unit: units.NoUnit,
    targets: [{ expr: `min(${daysLeftExpr})`, legend: "days" }],
    steps: [
      [null, "red"],
      [thresholds.certificateExpiryCriticalDays, "orange"],
      [thresholds.certificateExpiryWarningDays, "green"],
    ],
  });
}

/** Horizontal bars of an instant query, e.g. the top endpoints. */
export function bars(spec: PanelSpec) {
  return new bargauge.PanelBuilder()
    .title(spec.title)
    .reduceOptions(lastValue())
    .datasource(datasource)
    .unit(spec.unit)
    .min(0)
    .height(8)
    .span(12)
    .targets(spec.targets.map((t, i) => query(t, refId(i)).instant()));
}

function labelVariable(name: string, label: string, query: string) {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .includeAll(true)
    .allValue(".*")
    .multi(true);
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Extra tags besides "cryoprotect" and "generated". */
  tags?: string[];
  /** Series whose labels fill the namespace and instance variables (instance filtered by the chosen
   * namespaces when it has the label); absent: no such variables (series without those labels). */
  variables?: { namespaceSource: string; instanceSource: string };
  /** Default time range, e.g. "now-30d" (default "now-6h"), and refresh (default "1m"). */
  from?: string;
  refresh?: string;
  rows: { title: string; panels: Builder<Panel>[] }[];
}

export function buildDashboard(spec: DashboardSpec): GrafanaDashboard {
  let builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["cryoprotect", "generated", ...(spec.tags ?? [])])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh(spec.refresh ?? "1m")
    .time({ from: spec.from ?? "now-6h", to: "now" })
    .timezone("browser")
    .withVariable(new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"));
  if (spec.variables) {
    const { namespaceSource, instanceSource } = spec.variables;
    builder = builder
      .withVariable(labelVariable("namespace", "Namespace", `label_values(${namespaceSource}, namespace)`))
      .withVariable(labelVariable("instance", "Instance", `label_values(${instanceSource}, instance)`));
  }
  for (const row of spec.rows) {
    builder = builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder = builder.withPanel(panel);
  }
  return { uid: spec.uid, title: spec.title, folder: DASHBOARD_FOLDER, model: builder.build() };
}
