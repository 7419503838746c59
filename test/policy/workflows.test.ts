/**
 * Every `pulumi preview` and `pulumi up` of the GitHub workflows runs both policy packs, from
 * directories that hold a pack, and the PR preview comments its result.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

function pulumiSteps(file: string): Step[] {
  const doc = yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as {
    jobs: Record<string, { steps: Step[] }>;
  };
  return Object.values(doc.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")));
}

describe("workflows", () => {
  const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

  it.each(files.filter((f) => pulumiSteps(f).length > 0))(
    "%s runs both policy packs with every preview and up",
    (file) => {
      for (const step of pulumiSteps(file)) {
        const packs = String(step.with?.policyPacks ?? "")
          .split("\n")
          .filter(Boolean);
        expect(packs).toEqual(["policy", "policy/awsguard"]);
        for (const pack of packs) expect(fs.existsSync(path.join(ROOT, pack, "PulumiPolicy.yaml"))).toBe(true);
      }
    },
  );

  it("covers preview in pull requests (commented) and up in both deploys", () => {
    const commands = files.flatMap((f) => pulumiSteps(f).map((s) => `${f}:${String(s.with?.command)}`));
    expect(commands.sort()).toEqual(["deploy-dev.yml:up", "pull-request.yml:preview", "release-prod.yml:up"]);
    expect(pulumiSteps("pull-request.yml")[0].with?.["comment-on-pr"]).toBe(true);
  });
});
