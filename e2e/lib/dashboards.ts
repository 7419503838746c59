/**
 * Every panel query of the committed dashboards (configs/generated/<stack>/grafana/dashboards/*.json), with
 * Grafana's template variables replaced so Prometheus can run it, and the
 * metric names it reads (parsed with the PromQL grammar, not guessed).
 */
import * as fs from "fs";
import * as path from "path";
import { parser } from "@prometheus-io/lezer-promql";

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** The query as stored in the dashboard. */
  raw: string;
  /** The query with template variables substituted. */
  expr: string;
}

interface Panel {
  title?: string;
  type?: string;
  panels?: Panel[];
  targets?: { expr?: string; refId?: string; datasource?: { type?: string } | string }[];
}

/** Grafana's interval variables, as Grafana would set them for a 1h view. */
const INTERVALS: Record<string, string> = {
  __rate_interval: "1m",
  __interval: "1m",
  __range: "1h",
  __range_s: "3600",
  __range_ms: "3600000",
  __interval_ms: "60000",
};

const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]/g;

/**
 * Replaces template variables: interval variables by their usual values, any
 * other variable (namespace, instance, ...) by "all values": an equality matcher
 * on it becomes a regex matcher on `.*`.
 */
export function substituteVariables(expr: string): string {
  const variable = String.raw`(?:\$\{\w+(?::\w+)?\}|\$\w+|\[\[\w+(?::\w+)?\]\])`;
  const equality = new RegExp(String.raw`(\w+)\s*(=~|=)\s*"${variable}"`, "g");
  return expr
    .replace(equality, (_m, label: string) => `${label}=~".*"`)
    .replace(VARIABLE, (_m, a?: string, b?: string, c?: string) => INTERVALS[a ?? b ?? c ?? ""] ?? ".*");
}

/** Metric names an expression selects, including recording rules and `{__name__="..."}` selectors. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  let error = false;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error = true;
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
        names.add(expr.slice(node.from, node.to));
      }
      if (node.name === "UnquotedLabelMatcher" || node.name === "QuotedLabelMatcher") {
        const text = expr.slice(node.from, node.to);
        const m = /^"?__name__"?\s*=\s*"([^"]+)"$/.exec(text);
        if (m) names.add(m[1]);
      }
    },
  });
  if (error) throw new Error(`Not valid PromQL: ${expr}`);
  return [...names].sort();
}

function flatten(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...flatten(p.panels ?? [])]);
}

function isPrometheus(datasource: { type?: string } | string | undefined): boolean {
  if (datasource === undefined) return true;
  if (typeof datasource === "string") return !/elastic|loki/i.test(datasource);
  return datasource.type === undefined || datasource.type === "prometheus";
}

export function panelQueries(dashboardDir: string): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const files = fs
    .readdirSync(dashboardDir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (const file of files) {
    const model = JSON.parse(fs.readFileSync(path.join(dashboardDir, file), "utf8")) as {
      title?: string;
      panels?: Panel[];
    };
    for (const panel of flatten(model.panels ?? [])) {
      for (const target of panel.targets ?? []) {
        if (!target.expr || !isPrometheus(target.datasource)) continue;
        queries.push({
          dashboard: model.title ?? file,
          panel: panel.title ?? "(untitled)",
          refId: target.refId ?? "",
          raw: target.expr,
          expr: substituteVariables(target.expr),
        });
      }
    }
  }
  return queries;
}
