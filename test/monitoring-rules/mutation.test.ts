/**
 * The promtool cases pin every threshold of the api, system, logging and backup alerts: moving
 * one comparison of one alert by 10% up or down (in a copy of the committed
 * rule file, nothing else changed) must make that alert's cases fail.
 *
 * The SLO group is left out: its cases run over hours of samples (a few
 * seconds per promtool run, ~70 mutations per stack), and with steady traffic
 * its 3x/1d ticket line is implied by the 1x/3d one, so no case can pin it.
 * rules.test.ts checks the SLO lines against the burn-rate formula instead.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { STACKS } from "../harness/stack";
import { promtool, readTestFile, requirePromtool, STACK_DIRS } from "./promtool-tools";

const GROUPS = ["cryoprotect-api", "cryoprotect-system", "cryoprotect-logging", "cryoprotect-backup"];
const SHIFT = 0.1;
const THRESHOLD = /([<>]=?|==|!=)\s*(\d+(?:\.\d+)?(?:e-?\d+)?)/g;

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string> }[] }[];
}

interface Mutation {
  label: string;
  group: string;
  alert: string;
  ruleIndex: number;
  expr: string;
}

function mutations(stack: string): Mutation[] {
  return GROUPS.flatMap((group) => {
    const file = yaml.load(fs.readFileSync(path.join(STACK_DIRS(stack), "rules", `${group}.yaml`), "utf8")) as RuleFile;
    return file.groups[0].rules.flatMap((rule, ruleIndex) => {
      if (!rule.alert) return [];
      const found = [...rule.expr.matchAll(THRESHOLD)].filter((m) => Number(m[2]) !== 0);
      return found.flatMap((m, n) =>
        [1 + SHIFT, 1 - SHIFT].map((factor) => {
          const moved = +(Number(m[2]) * factor).toPrecision(6);
          const expr = rule.expr.slice(0, m.index) + `${m[1]} ${moved}` + rule.expr.slice(m.index! + m[0].length);
          return {
            group,
            alert: rule.alert!,
            ruleIndex,
            expr,
            label: `${rule.alert}/${rule.labels?.severity}#${n} ${m[2]} -> ${moved}`,
          };
        }),
      );
    });
  });
}

beforeAll(requirePromtool);

describe.each(STACKS)("%s stack", (stack) => {
  const all = mutations(stack);

  it("finds a threshold in every alert but those that compare with 0 (down, failed)", () => {
    const mutated = new Set(all.map((m) => m.alert));
    const alerts = GROUPS.flatMap((group) => {
      const file = yaml.load(
        fs.readFileSync(path.join(STACK_DIRS(stack), "rules", `${group}.yaml`), "utf8"),
      ) as RuleFile;
      return file.groups[0].rules.flatMap((r) => (r.alert ? [r.alert] : []));
    });
    expect(alerts.filter((a) => !mutated.has(a)).sort()).toEqual([
      "ApiServiceDown",
      "BackupJobFailed",
      "LogstashNotShipping",
      "NodeDown",
      "RepositoryCheckFailed",
    ]);
  });

  /** promtool's verdict on one mutation, run on that alert's cases only. */
  async function verdict(m: Mutation): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-mutation-"));
    try {
      const ruleText = fs.readFileSync(path.join(STACK_DIRS(stack), "rules", `${m.group}.yaml`), "utf8");
      const rules = yaml.load(ruleText) as RuleFile;
      rules.groups[0].rules[m.ruleIndex].expr = m.expr;
      fs.mkdirSync(path.join(dir, "rules"));
      fs.mkdirSync(path.join(dir, "tests"));
      fs.writeFileSync(path.join(dir, "rules", `${m.group}.yaml`), yaml.dump(rules));
      const tests = readTestFile(path.join(STACK_DIRS(stack), "tests", `${m.group}.test.yaml`));
      tests.tests = tests.tests.filter((t) => t.alert_rule_test?.some((a) => a.alertname === m.alert));
      fs.writeFileSync(path.join(dir, "tests", "mutated.test.yaml"), yaml.dump(tests));
      const result = await promtool(["test", "rules", "tests/mutated.test.yaml"], dir);
      const caught = result.status === 1 && result.output.includes("FAILED");
      return `${m.label}: ${caught ? "caught" : `NOT CAUGHT (promtool exit ${result.status})`}`;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const byAlert = [...new Set(all.map((m) => m.alert))];
  it.each(byAlert)("%s: every 10%% threshold shift fails its cases", async (alert) => {
    const verdicts = await Promise.all(all.filter((m) => m.alert === alert).map(verdict));
    expect(verdicts.filter((v) => !v.endsWith(": caught"))).toEqual([]);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
  });
});
