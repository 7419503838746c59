/**
 * The committed rule files of both stacks (every concern's groups) pass
 * `promtool check rules`, and the generated promtool test files next to them
 * (every concern's rule-tests/) pass `promtool test rules`.
 */
import * as path from "path";
import { ruleGroups } from "../../components/catalog";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { filesIn, promtool, requirePromtool, STACK_DIRS } from "./promtool-tools";

beforeAll(requirePromtool);

describe.each(STACKS)("%s stack", (stack) => {
  const dir = STACK_DIRS(stack);
  const ruleFiles = filesIn(path.join(dir, "rules"), ".yaml");

  it("has rule files for the monitoring groups", () => {
    const names = ruleFiles.map((f) => path.basename(f));
    for (const group of ["cryoprotect-api", "cryoprotect-system", "cryoprotect-slo", "cryoprotect-meta"])
      expect(names).toContain(`${group}.yaml`);
  });

  it("passes promtool check rules on every rule file", async () => {
    const result = await promtool(["check", "rules", ...ruleFiles], dir);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.status).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  const testFiles = filesIn(path.join(dir, "tests"), ".test.yaml").map((f) => path.relative(dir, f));

  it("has a generated test file for every group of every concern", () => {
    for (const group of ruleGroups(stackConfig(stack)).map((g) => g.name))
      expect(testFiles).toContain(`tests/${group}.test.yaml`);
  });

  // The SLO cases replay up to 9.5 hours of samples: ~16 s of CPU per stack, more on a busy machine.
  it.each(testFiles)(
    "passes promtool test rules %s",
    async (rel) => {
      const result = await promtool(["test", "rules", rel], dir, 280_000);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    },
    300_000,
  );
});
