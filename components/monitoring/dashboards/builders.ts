/**
 * Shared pieces of the monitoring dashboards: the datasource / namespace /
 * instance variables and panel builders that always set a unit, so no panel
 * can leave Grafana guessing what its numbers mean.
 */
import { Builder } from "@grafana/grafana-foundation-sdk/cog";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
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
import { GrafanaDashboard } from "../../shared/dashboard";

export const DASHBOARD_FOLDER = "CryoProtect";

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
  /** Grafana unit id, e.g. "reqps", "s", "percentunit", "bytes". */
  unit: string;
  targets: Target[];
  description?: string;
  /** Grid width (of 24). */
  width?: number;
}

/** Single-value panels show the latest value (Grafana's reducer id). */
const lastValue = () => new ReduceDataOptionsBuilder().calcs(["lastNotNull"]);

function query(target: Target, refId: string) {
  return new DataqueryBuilder().expr(target.expr).legendFormat(target.legend).refId(refId);
}

function refId(index: number): string {
  return String.fromCharCode(65 + index);
}

export function graph(spec: PanelSpec) {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .datasource(datasource)
    .unit(spec.unit)
    .min(0)
    .height(8)
    .span(spec.width ?? 12)
    .targets(spec.targets.map((t, i) => query(t, refId(i))));
  return spec.description ? panel.description(spec.description) : panel;
}

/** A single number, colored by thresholds given as [value, color] steps. */
export function singleStat(spec: PanelSpec & { steps: [number | null, string][] }) {
  const panel = new stat.PanelBuilder()
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
  return spec.description ? panel.description(spec.description) : panel;
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
  /** Series whose labels fill the namespace variable... */
  namespaceSource: string;
  /** ...and the instance variable (filtered by the chosen namespaces when it has the label). */
  instanceSource: string;
  rows: { title: string; panels: Builder<Panel>[] }[];
}

export function buildDashboard(spec: DashboardSpec): GrafanaDashboard {
  let builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["cryoprotect", "generated"])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .withVariable(new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withVariable(labelVariable("namespace", "Namespace", `label_values(${spec.namespaceSource}, namespace)`))
    .withVariable(labelVariable("instance", "Instance", `label_values(${spec.instanceSource}, instance)`));
  for (const row of spec.rows) {
    builder = builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder = builder.withPanel(panel);
  }
  return { uid: spec.uid, title: spec.title, folder: DASHBOARD_FOLDER, model: builder.build() };
}
