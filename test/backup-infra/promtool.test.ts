/**
 * Runs `promtool test rules` on the backup alerts' unit tests (fire and not
 * fire, per alert) against the generated rule files of each stack. Needs
 * promtool (Debian package prometheus) and `npm run generate`; fails without.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { STACKS } from "../harness/stack";

describe.each(STACKS)("backup alert rules of the %s stack under promtool", (stack) => {
  const ruleFile = path.join(PROJECT_ROOT, "configs/generated", stack, "prometheus/rules/cryoprotect-backup.yaml");
  const testFile = path.join(__dirname, "promtool", stack, "backup.test.yaml");

  it("has a generated rule file", () => {
    expect(fs.existsSync(ruleFile)).toBe(true);
  });

  it("passes the fire / not-fire cases of every backup alert", () => {
    const result = spawnSync("promtool", ["test", "rules", testFile], { encoding: "utf8", timeout: 110_000 });
    if (result.error)
      throw new Error(`promtool could not run (install the Debian package prometheus): ${result.error.message}`);
    expect(`${result.stdout}${result.stderr}`).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("tests every alert of the group", () => {
    const rules = fs.readFileSync(ruleFile, "utf8");
    const tests = fs.readFileSync(testFile, "utf8");
    const alerts = [...rules.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    for (const alert of alerts) {
      // At least one case where it fires and one where it does not.
      const cases = tests.split(/\n\s+- eval_time: /).filter((c) => c.includes(`alertname: ${alert}\n`));
      expect(cases.some((c) => /exp_alerts: \[\]/.test(c))).toBe(true);
      expect(cases.some((c) => /exp_labels:/.test(c))).toBe(true);
    }
  });
});
