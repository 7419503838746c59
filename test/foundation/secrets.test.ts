/**
 * Puts a known value into every secret config key and shows it never appears
 * in clear in a resource input, a stack output or a synth file, and that each
 * one does reach a Kubernetes Secret (as a Pulumi secret).
 */
import { stackArtifacts } from "../../components/artifacts";
import { StackConfig } from "../../configs/types";
import { referencedSecretKeys } from "../../configs/validate";
import { readStackFile, runStack, SECRET_MARK, StackRun } from "../../scripts/lib/mock-runtime";
import { renderSynth } from "../../scripts/lib/render";
import { STACKS } from "../harness/stack";
import { SECRET_STACK_OUTPUTS } from "../../components/catalog";
import { secretMaterialViolations } from "../../policy/rules/kubernetes";
import { engineResources } from "../policy/engine";

const sentinel = (key: string) => `S3NTINEL-${key}-7f1c9e`;

describe.each(STACKS)("secrets of the %s stack", (stack) => {
  const keys = referencedSecretKeys(readStackFile(stack).plain as unknown as StackConfig).map((s) => s.key);
  let run: StackRun;
  let synthText: string;

  beforeAll(async () => {
    run = await runStack({ stack, secrets: Object.fromEntries(keys.map((k) => [k, sentinel(k)])) });
    const files = { ...renderSynth(run), ...stackArtifacts(run.config as unknown as StackConfig) };
    synthText = Object.values(files).join("\n");
  });

  it("puts no secret material in a ConfigMap or a plain output (the policy pack's rule, on known values)", () => {
    expect(secretMaterialViolations(engineResources(run), SECRET_STACK_OUTPUTS)).toEqual([]);
  });

  it("has secret keys to test", () => {
    expect(keys.length).toBeGreaterThanOrEqual(3);
  });

  it.each(keysOf(stack))("%s never appears in clear", (key) => {
    const value = sentinel(key);
    expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toContain(value);
    expect(JSON.stringify(run.outputs)).not.toContain(value);
    expect(synthText).not.toContain(value);
  });

  it.each(keysOf(stack))("%s reaches a Kubernetes Secret, and only Secrets, as a Pulumi secret", (key) => {
    const value = sentinel(key);
    const holders = run.resources.filter((r) => JSON.stringify(r.rawInputs).includes(value));
    expect(holders.length).toBeGreaterThan(0);
    for (const h of holders) {
      expect(h.type).toBe("kubernetes:core/v1:Secret");
      expect(JSON.stringify(h.inputs)).toContain(SECRET_MARK);
    }
  });
});

function keysOf(stack: string): string[] {
  return referencedSecretKeys(readStackFile(stack).plain as unknown as StackConfig).map((s) => s.key);
}
