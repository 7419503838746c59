/**
 * The monitoring rule groups as data: thresholds and selectors come from the
 * stack settings, every alert carries what its runbook and notification need,
 * and the generators refuse inconsistent input.
 */
import { ruleGroups } from "../../components/catalog";
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { monitoringMixin } from "../../components/monitoring/mixin";
import { ruleFiles, promRuleGroup } from "../../components/shared/rule-files";
import { apiRecords, apiRuleGroup } from "../../components/monitoring/alerts/api";
import { percent } from "../../components/monitoring/alerts/common";
import { latencyBucketMatcher, sloRecords, sloRuleGroup, SLO_WINDOWS } from "../../components/monitoring/alerts/slo";
import { systemRuleGroup } from "../../components/monitoring/alerts/system";
import { RuleGroup } from "../../components/shared/alert";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

/** level:metric:operations; constants (SLO objectives) have no operations. */
const RECORD_NAME = /^[a-z_]+:[a-z0-9_]+(:[a-z0-9_]+)?$/;

function withThresholds(config: StackConfig, t: Partial<StackConfig["monitoring"]["thresholds"]>): StackConfig {
  return { ...config, monitoring: { ...config.monitoring, thresholds: { ...config.monitoring.thresholds, ...t } } };
}

function withSlo(config: StackConfig, slo: Partial<StackConfig["monitoring"]["slo"]>): StackConfig {
  return { ...config, monitoring: { ...config.monitoring, slo: { ...config.monitoring.slo, ...slo } } };
}

function alert(group: RuleGroup, name: string, severity?: string) {
  const found = group.alerts.filter((a) => a.name === name && (!severity || a.severity === severity));
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(STACKS)("monitoring rule groups of the %s stack", (stack) => {
  const config = stackConfig(stack);
  const groups = monitoringMixin(config).ruleGroups;
  const alerts = groups.flatMap((g) => g.alerts);

  it("are the api, system, slo, meta and probes groups", () => {
    expect(groups.map((g) => g.name)).toEqual([
      "cryoprotect-api",
      "cryoprotect-system",
      "cryoprotect-slo",
      "cryoprotect-meta",
      "cryoprotect-probes",
    ]);
  });

  it("name recording rules level:metric:operations, each once", () => {
    const records = groups.flatMap((g) => g.recordingRules.map((r) => r.record));
    for (const r of records) expect(r).toMatch(RECORD_NAME);
    expect(new Set(records).size).toBe(records.length);
  });

  it("give every alert a severity, a runbook with all sections, and commands with this stack's namespaces", () => {
    for (const a of alerts) {
      expect(a.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(["critical", "warning", "info"]).toContain(a.severity);
      expect(a.summary.length).toBeGreaterThan(10);
      expect(a.description.length).toBeGreaterThan(20);
      expect(a.runbook.meaning.length).toBeGreaterThan(20);
      expect(a.runbook.impact.length).toBeGreaterThan(10);
      expect(a.runbook.diagnosis.length).toBeGreaterThan(0);
      expect(a.runbook.mitigation.length).toBeGreaterThan(0);
      expect(a.runbook.escalation.length).toBeGreaterThan(10);
      expect(a.commands.length).toBeGreaterThan(0);
      for (const cmd of a.commands) expect(cmd).toMatch(/^kubectl /);
      const namespaces = a.commands.flatMap((cmd) => [...cmd.matchAll(/ -n (\S+)/g)].map((m) => m[1]));
      for (const ns of namespaces) expect([config.app.namespace, config.namespaces.monitoring]).toContain(ns);
    }
  });

  it("share one runbook between the severities of one alert name", () => {
    for (const a of alerts) {
      const twins = alerts.filter((b) => b.name === a.name);
      for (const b of twins) expect(b.runbook).toEqual(a.runbook);
    }
  });

  it("select the API by its job and namespace", () => {
    const api = apiRuleGroup(config);
    const selector = `job="${config.app.name}", namespace="${config.app.namespace}"`;
    expect(api.recordingRules.find((r) => r.record === apiRecords.requestsRate5m)!.expr).toContain(selector);
    expect(alert(systemRuleGroup(config), "ApiServiceDown").expr).toContain(`absent(up{${selector}})`);
  });

  it("take every threshold from the stack settings", () => {
    const t = config.monitoring.thresholds;
    const api = apiRuleGroup(config);
    expect(alert(api, "HighErrorRate").expr).toContain(`> ${t.errorRatio}\n`);
    expect(alert(api, "HighErrorRate").expr).toContain(`> ${config.monitoring.slo.minRequestRate}`);
    expect(alert(api, "HighLatency").expr).toMatch(new RegExp(`> ${t.latencyP95Seconds}$`));
    expect(alert(api, "EndpointDown").expr).toMatch(new RegExp(`> ${t.endpointErrorRatio}$`));
    expect(alert(api, "HighRequestRate").expr).toMatch(new RegExp(`> ${t.requestRatePerSecond}$`));
    expect(alert(api, "HighDatabaseLatency").expr).toMatch(new RegExp(`> ${t.dbLatencyP95Seconds}$`));
    expect(alert(api, "DatabaseErrors").expr).toMatch(new RegExp(`> ${t.dbErrorsPerSecond}$`));
    expect(alert(api, "TooManyInProgressRequests").expr).toMatch(new RegExp(`> ${t.inProgressRequests}$`));
    const system = systemRuleGroup(config);
    expect(alert(system, "HighCpuUsage", "warning").expr).toMatch(new RegExp(`> ${t.cpuWarningPercent}$`));
    expect(alert(system, "HighCpuUsage", "critical").expr).toMatch(new RegExp(`> ${t.cpuCriticalPercent}$`));
    expect(alert(system, "HighMemoryUsage", "critical").expr).toMatch(new RegExp(`> ${t.memoryCriticalPercent}$`));
    expect(alert(system, "HighDiskUsage", "warning").expr).toMatch(new RegExp(`> ${t.diskWarningPercent}$`));
    expect(alert(system, "ConnectionPoolExhaustion").expr).toMatch(new RegExp(`> ${t.connectionPoolUsage}$`));

    const tuned = withThresholds(config, { errorRatio: 0.07, cpuCriticalPercent: 97, inProgressRequests: 3 });
    expect(alert(apiRuleGroup(tuned), "HighErrorRate").expr).toContain("> 0.07\n");
    expect(alert(apiRuleGroup(tuned), "HighErrorRate").summary).toContain(percent(0.07));
    expect(alert(apiRuleGroup(tuned), "TooManyInProgressRequests").expr).toMatch(/> 3$/);
    expect(alert(systemRuleGroup(tuned), "HighCpuUsage", "critical").expr).toMatch(/> 97$/);
  });

  it("derive the burn-rate lines from the SLO objective", () => {
    const budget = 1 - config.monitoring.slo.availability;
    const slo = sloRuleGroup(config);
    const page = alert(slo, "ApiAvailabilityBudgetBurn", "critical").expr;
    const ticket = alert(slo, "ApiAvailabilityBudgetBurn", "warning").expr;
    for (const [factor, long, short] of [
      [14.4, "1h", "5m"],
      [6, "6h", "30m"],
    ] as const) {
      const line = +(factor * budget).toPrecision(6);
      expect(page).toContain(`${sloRecords.errorRatio("availability", long)} > ${line}\n`);
      expect(page).toContain(`${sloRecords.errorRatio("availability", short)} > ${line})`);
    }
    expect(page).toContain(`${sloRecords.requestRate("1h")} > ${config.monitoring.slo.minRequestRate}`);
    expect(ticket).toContain(`${sloRecords.errorRatio("availability", "3d")} > ${+budget.toPrecision(6)}\n`);
    expect(ticket).not.toContain(sloRecords.requestRate("1h"));
    const records = slo.recordingRules.map((r) => r.record);
    for (const w of SLO_WINDOWS) {
      expect(records).toContain(sloRecords.errorRatio("availability", w));
      expect(records).toContain(sloRecords.errorRatio("latency", w));
    }
    const objective = slo.recordingRules.find((r) => r.record === sloRecords.objective("availability"))!;
    expect(objective.expr).toBe(`vector(${config.monitoring.slo.availability})`);

    const stricter = sloRuleGroup(withSlo(config, { availability: 0.9995 }));
    expect(alert(stricter, "ApiAvailabilityBudgetBurn", "critical").expr).toContain("> 0.0072\n");
  });

  it("routes Watchdog as info, always firing", () => {
    const watchdog = alerts.find((a) => a.name === "Watchdog")!;
    expect(watchdog).toMatchObject({ severity: "info", expr: "vector(1)" });
  });
});

describe("latency SLO bucket", () => {
  it("matches whole-second thresholds in Go and Python spelling", () => {
    expect(latencyBucketMatcher(1)).toBe('le=~"1(\\\\.0)?"');
    expect(latencyBucketMatcher(0.5)).toBe('le="0.5"');
  });

  it("refuses a threshold that is not a bucket bound", () => {
    expect(() => latencyBucketMatcher(0.3)).toThrow(/not a bucket/);
    const config = withSlo(stackConfig("dev"), { latency: { objective: 0.99, thresholdSeconds: 0.3 } });
    expect(() => sloRuleGroup(config)).toThrow(/thresholdSeconds 0.3/);
  });
});

describe("rule files", () => {
  const config = stackConfig("dev");

  it("are one Prometheus rule file per group with recording rules first", () => {
    const files = ruleFiles(config, ruleGroups(config));
    const api = yaml.load(files["prometheus/rules/cryoprotect-api.yaml"]) as {
      groups: { name: string; rules: { record?: string; alert?: string }[] }[];
    };
    expect(api.groups).toHaveLength(1);
    expect(api.groups[0].name).toBe("cryoprotect-api");
    const kinds = api.groups[0].rules.map((r) => (r.record ? "record" : "alert"));
    expect(kinds.indexOf("alert")).toBeGreaterThan(kinds.lastIndexOf("record"));
  });

  it("keep a group's interval and recording-rule labels", () => {
    const group: RuleGroup = {
      name: "x",
      component: "test",
      interval: "1m",
      recordingRules: [{ record: "a:b:c", expr: "vector(1)", labels: { team: "db" } }],
      alerts: [],
    };
    expect(promRuleGroup(config, group)).toEqual({
      name: "x",
      interval: "1m",
      rules: [{ record: "a:b:c", expr: "vector(1)", labels: { team: "db" } }],
    });
  });

  it("refuse two groups of one name", () => {
    const group = monitoringMixin(config).ruleGroups[0];
    expect(() => ruleFiles(config, [group, group])).toThrow(/two rule groups are named cryoprotect-api/);
  });
});
