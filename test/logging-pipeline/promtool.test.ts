/**
 * promtool unit tests of the logging alerts, per stack: every alert has a
 * case where it fires and one where it stays quiet, and promtool passes them
 * against the committed rule file, which must equal what the catalog generates.
 */
import { ruleGroups } from "../../components/catalog";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { loggingRuleGroup } from "../../components/logging/es-alerts";
import { ruleFiles } from "../../components/shared/rule-files";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

interface AlertTest {
  alertname: string;
  exp_alerts: unknown[];
}
interface PromtoolFile {
  rule_files: string[];
  tests: { alert_rule_test: AlertTest[] }[];
}

function promtool(): string {
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
  if (found.status !== 0)
    throw new Error("promtool is not installed: run scripts/install-tools.sh (Debian package prometheus)");
  return found.stdout.trim();
}

describe.each(STACKS)("%s logging alerts", (stack) => {
  const config = stackConfig(stack);
  const group = loggingRuleGroup(config);
  const dir = path.join(__dirname, "promtool", stack);
  const testFile = path.join(dir, "logging.test.yaml");
  const doc = yaml.load(fs.readFileSync(testFile, "utf8")) as PromtoolFile;

  test("the tested rule file is the committed, current one", () => {
    const ruleFile = path.resolve(dir, doc.rule_files[0]);
    expect(path.relative(PROJECT_ROOT, ruleFile)).toBe(
      `configs/generated/${stack}/prometheus/rules/${group.name}.yaml`,
    );
    expect(fs.readFileSync(ruleFile, "utf8")).toBe(
      ruleFiles(config, ruleGroups(config))[`prometheus/rules/${group.name}.yaml`],
    );
  });

  test("every alert has a firing and a quiet case", () => {
    const cases = doc.tests.flatMap((t) => t.alert_rule_test);
    for (const alert of new Set(group.alerts.map((a) => a.name))) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect([alert, mine.some((c) => c.exp_alerts.length > 0)]).toEqual([alert, true]);
      expect([alert, mine.some((c) => c.exp_alerts.length === 0)]).toEqual([alert, true]);
    }
    // And every severity variant fires somewhere (the disk watermark has two).
    const fired = cases.flatMap((c) =>
      (c.exp_alerts as { exp_labels: { severity: string } }[]).map((a) => `${c.alertname}/${a.exp_labels.severity}`),
    );
    for (const a of group.alerts) expect(fired).toContain(`${a.name}/${a.severity}`);
  });

  test("promtool test rules passes", () => {
    const r = spawnSync(promtool(), ["test", "rules", "logging.test.yaml"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
