/**
 * The promtool test generator: the expected annotations it writes, the Go
 * number formats it models, and the inputs it refuses.
 */
import * as yaml from "js-yaml";
import { apiRuleTests } from "../../components/monitoring/rule-tests/api";
import { stackArtifacts } from "../../components/artifacts";
import { mixins } from "../../components/catalog";
import { promtoolTestFile, renderTemplate } from "../../components/shared/rule-tests/promtool";
import {
  g4,
  histogram,
  humanize,
  humanizeDuration,
  humanizePercentage,
  leLabel,
} from "../../components/shared/rule-tests/series";
import { StackConfig } from "../../configs/types";
import { stackConfig } from "../../scripts/lib/stack-config";

const config = stackConfig("dev");

describe("promtool test files", () => {
  const testFiles = Object.fromEntries(
    Object.entries(stackArtifacts(config)).filter(([p]) => p.startsWith("prometheus/tests/")),
  );
  it("are written next to the rule files, one per group of every concern", () => {
    expect(Object.keys(testFiles).sort()).toEqual([
      "prometheus/tests/cryoprotect-api.test.yaml",
      "prometheus/tests/cryoprotect-backup.test.yaml",
      "prometheus/tests/cryoprotect-logging.test.yaml",
      "prometheus/tests/cryoprotect-meta.test.yaml",
      "prometheus/tests/cryoprotect-probes.test.yaml",
      "prometheus/tests/cryoprotect-slo.test.yaml",
      "prometheus/tests/cryoprotect-system.test.yaml",
    ]);
  });

  it("expect the rendered summary and description, the runbook and the dashboard link", () => {
    const file = yaml.load(testFiles["prometheus/tests/cryoprotect-api.test.yaml"]) as {
      rule_files: string[];
      tests: { alert_rule_test: { alertname: string; exp_alerts: { exp_annotations: Record<string, string> }[] }[] }[];
    };
    expect(file.rule_files).toEqual(["../rules/cryoprotect-api.yaml"]);
    const endpointDown = file.tests.find((t) => t.alert_rule_test[0].alertname === "EndpointDown")!;
    expect(endpointDown.alert_rule_test[0].exp_alerts[0].exp_annotations).toEqual({
      summary: "API endpoint /api/molecules fails most requests",
      description:
        "84% of the requests to /api/molecules in cryoprotect returned a 5xx status over the last 5 minutes " +
        "(threshold 80%).",
      runbook_url: `${config.runbookBaseUrl}/EndpointDown.md`,
      dashboard_url: `${config.monitoring.grafana.url}/d/cryoprotect-api`,
    });
  });

  it.each(["dev", "prod"])("cover both sides of every alert of every concern (%s)", (stack) => {
    for (const suite of Object.values(mixins(stackConfig(stack))).flatMap((m) => m.ruleTests)) {
      for (const a of suite.group.alerts) {
        const cases = suite.cases.filter((c) => c.alert === a.name);
        expect(cases.some((c) => c.firing.some((f) => f.severity === a.severity))).toBe(true);
        if (a.name !== "Watchdog")
          expect(cases.some((c) => !c.firing.some((f) => f.severity === a.severity))).toBe(true);
      }
    }
  });

  it("refuse a case for an alert the group lacks, or a severity it lacks", () => {
    const suite = apiRuleTests(config);
    const bogus = { ...suite.cases[0], alert: "NoSuchAlert" };
    expect(() => promtoolTestFile(config, { ...suite, cases: [bogus] })).toThrow(/NoSuchAlert, which cryoprotect-api/);
    const wrongSeverity = { ...suite.cases[0], firing: [{ severity: "info" as const, labels: {} }] };
    expect(() => promtoolTestFile(config, { ...suite, cases: [wrongSeverity] })).toThrow(/no info alert HighErrorRate/);
  });

  it("refuse latency thresholds without buckets on both sides", () => {
    const edge: StackConfig = {
      ...config,
      monitoring: { ...config.monitoring, thresholds: { ...config.monitoring.thresholds, latencyP95Seconds: 10 } },
    };
    expect(() => apiRuleTests(edge)).toThrow(/needs buckets on both sides/);
  });
});

describe("template rendering", () => {
  it("fills labels and the value", () => {
    expect(renderTemplate("{{ $labels.job }} at {{ $value | humanize }}", { job: "api" }, "3k")).toBe("api at 3k");
  });

  it("refuses a label the alert does not carry, or a value the case does not give", () => {
    expect(() => renderTemplate("{{ $labels.endpoint }}", { job: "api" })).toThrow(/\$labels.endpoint/);
    expect(() => renderTemplate("{{ $value }}", {})).toThrow(/shows \$value/);
  });
});

describe("Go number formats", () => {
  it("model %.4g, humanize, humanizePercentage and humanizeDuration", () => {
    expect(g4(541.6666)).toBe("541.7");
    expect(g4(6)).toBe("6");
    expect(humanize(0)).toBe("0");
    expect(humanize(60)).toBe("60");
    expect(humanize(1500)).toBe("1.5k");
    expect(humanize(0.12)).toBe("120m");
    expect(humanizePercentage(0.0525)).toBe("5.25%");
    expect(humanizeDuration(1.25)).toBe("1.25s");
    expect(humanizeDuration(0.5416666)).toBe("541.7ms");
  });

  it("refuse formats they do not model", () => {
    expect(() => g4(12345)).toThrow(/exponent/);
    expect(() => g4(0.00001)).toThrow(/exponent/);
    expect(() => humanizeDuration(90)).toThrow(/minutes/);
  });

  it("write bucket bounds as Go and Python clients do", () => {
    expect(leLabel(1, "go")).toBe("1");
    expect(leLabel(1, "python")).toBe("1.0");
    expect(leLabel(0.5, "python")).toBe("0.5");
    expect(leLabel(Infinity, "go")).toBe("+Inf");
    const series = histogram(
      "h",
      [0.1, 1],
      { job: "x" },
      [
        [0.05, 3],
        [0.5, 2],
      ],
      10,
      "python",
    );
    expect(series.map((s) => `${s.series} ${s.values}`)).toEqual([
      'h_bucket{job="x", le="0.1"} 0+3x10',
      'h_bucket{job="x", le="1.0"} 0+5x10',
      'h_bucket{job="x", le="+Inf"} 0+5x10',
      'h_count{job="x"} 0+5x10',
    ]);
  });
});
