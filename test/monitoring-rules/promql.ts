/** PromQL of rules and dashboards, and the metric names it reads, via the lezer PromQL parser. */
import { parser } from "@prometheus-io/lezer-promql";
import { grafanaDashboards, ruleGroups } from "../../components/catalog";
import { StackConfig } from "../../configs/types";

export interface Query {
  where: string;
  expr: string;
}

export function ruleQueries(config: StackConfig): Query[] {
  return ruleGroups(config).flatMap((g) => [
    ...g.recordingRules.map((r) => ({ where: `${config.environment} ${g.name} record ${r.record}`, expr: r.expr })),
    ...g.alerts.map((a) => ({ where: `${config.environment} ${g.name} alert ${a.name}/${a.severity}`, expr: a.expr })),
  ]);
}

function collect(node: unknown, where: string, out: Query[]): void {
  if (Array.isArray(node)) node.forEach((n, i) => collect(n, `${where}[${i}]`, out));
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o.expr === "string") out.push({ where: `${where} "${o.title ?? o.refId ?? ""}"`, expr: o.expr });
    for (const [k, v] of Object.entries(o)) if (k !== "expr") collect(v, `${where}.${k}`, out);
  }
}

/** Every panel target's expr of a dashboard model. */
export function dashboardTargets(model: object, uid: string): Query[] {
  const out: Query[] = [];
  collect((model as { panels?: unknown }).panels ?? [], uid, out);
  return out;
}

/** The series selector inside a `label_values(<series>, <label>)` variable query. */
export function variableSelectors(model: object, uid: string): Query[] {
  const list = (model as { templating?: { list?: { name: string; query?: unknown }[] } }).templating?.list ?? [];
  return list.flatMap((v) => {
    const m = typeof v.query === "string" ? /^label_values\((.+),\s*[a-zA-Z_]+\)$/.exec(v.query) : null;
    return m ? [{ where: `${uid} variable ${v.name}`, expr: m[1] }] : [];
  });
}

export function dashboardQueries(config: StackConfig): Query[] {
  return grafanaDashboards(config).flatMap((d) => [
    ...dashboardTargets(d.model, d.uid),
    ...variableSelectors(d.model, d.uid),
  ]);
}

export interface Parsed {
  errors: string[];
  metricNames: string[];
}

export function parsePromQL(expr: string): Parsed {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metricNames: string[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError)
        errors.push(`syntax error at ${n.from}: "${expr.slice(Math.max(0, n.from - 20), n.to + 20)}"`);
      if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector")
        metricNames.push(expr.slice(n.from, n.to));
    },
  });
  return { errors, metricNames };
}
