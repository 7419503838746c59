import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";

const run = promisify(execFile);
const tsNode = path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node");

async function synth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsNode, ["--transpile-only", "scripts/synth.ts", ...args], {
      cwd: PROJECT_ROOT,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe("npm run synth", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(["dev", "prod"])("writes the %s stack's manifests, helm values and resources.json", async (stack) => {
    const out = path.join(tmp, stack);
    const result = await synth(["--stack", stack, "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Stack ${stack}: \\d+ resources`));
    const files = listFiles(out);
    expect(files).toContain("resources.json");
    expect(files.some((f) => f.startsWith("manifests/Namespace__cluster_"))).toBe(true);
    const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
    expect(resources.length).toBeGreaterThan(5);
    for (const r of resources) expect(Object.keys(r).sort()).toEqual(["inputs", "name", "parent", "type"]);
  });

  it("exits non-zero with every config error on a bad stack, writing nothing", async () => {
    const bad = fs
      .readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")
      .replace("daily: 7", "daily: 0")
      .replace("scrapeInterval: 30s", "scrapeInterval: 30sec");
    const file = path.join(tmp, "Pulumi.bad.yaml");
    fs.writeFileSync(file, bad);
    const out = path.join(tmp, "bad-out");
    const result = await synth(["--stack", "dev", "--stack-file", file, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("has 2 configuration error(s)");
    expect(result.stderr).toContain("backup.retention.daily: must be >= 1");
    expect(result.stderr).toContain("monitoring.prometheus.scrapeInterval: must match pattern");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("explains its usage without a stack", async () => {
    const result = await synth([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: npm run synth -- --stack <name>");
  });
});
