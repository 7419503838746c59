/**
 * Every PromQL expression of every rule (all modules, both stacks) and every
 * dashboard target parses, and reads only metrics of the app's contract, of a
 * known exporter, or of our recording rules. Dashboard queries also pass
 * promtool 2.42 (the Prometheus we test against), as recording rules.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ruleGroups } from "../../components/catalog";
import { exporterMetricNames } from "./exporter-metrics";
import { contractSeriesNames } from "../../components/shared/app-metrics";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { promtool, requirePromtool } from "./promtool-tools";
import { dashboardQueries, parsePromQL, Query, ruleQueries } from "./promql";

const configs = STACKS.map((s) => stackConfig(s));
const recorded = new Set(configs.flatMap((c) => ruleGroups(c).flatMap((g) => g.recordingRules.map((r) => r.record))));
const known = new Set([...contractSeriesNames(), ...exporterMetricNames(), ...recorded]);
const queries: Query[] = [...configs.flatMap((c) => ruleQueries(c)), ...dashboardQueries(configs[0])];

describe("PromQL of rules and dashboards", () => {
  it("finds the queries of every module", () => {
    expect(queries.filter((q) => q.where.includes("cryoprotect-api ")).length).toBeGreaterThan(10);
    expect(dashboardQueries(configs[0]).length).toBeGreaterThan(50);
  });

  it.each(queries.map((q) => [q.where, q.expr]))("%s parses and reads known metrics", (_, expr) => {
    const parsed = parsePromQL(expr);
    expect(parsed.errors).toEqual([]);
    expect(parsed.metricNames.filter((n) => !known.has(n))).toEqual([]);
  });

  it("rejects what it must reject", () => {
    expect(parsePromQL("sum(rate(cryoprotect_http_requests_total[5m])").errors).not.toEqual([]);
    expect(parsePromQL('rate(cryoprotect_http_request_total{job="x"}[5m])').metricNames).toEqual([
      "cryoprotect_http_request_total",
    ]);
    expect(known.has("cryoprotect_http_request_total")).toBe(false);
  });

  it("uses every contract metric somewhere", () => {
    const used = new Set(queries.flatMap((q) => parsePromQL(q.expr).metricNames));
    const unused = contractSeriesNames().filter(
      (n) => !used.has(n) && !n.endsWith("_sum") && !(n.endsWith("_count") && n.includes("db_query")),
    );
    expect(unused).toEqual([]);
  });

  it("has dashboard queries promtool 2.42 accepts", async () => {
    requirePromtool();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-promql-"));
    try {
      const rules = dashboardQueries(configs[0]).map((q, i) => ({ record: `dashboard_query_${i}`, expr: q.expr }));
      fs.writeFileSync(path.join(dir, "dashboards.yaml"), yaml.dump({ groups: [{ name: "dashboards", rules }] }));
      const result = await promtool(["check", "rules", "dashboards.yaml"], dir);
      expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
