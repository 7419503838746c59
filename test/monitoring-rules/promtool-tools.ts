/** promtool for the rule tests: it fails (never skips) when missing. */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";

export const STACK_DIRS = (stack: string) => path.join(PROJECT_ROOT, "configs/generated", stack, "prometheus");

export function requirePromtool(): void {
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
  if (found.status !== 0)
    throw new Error("promtool is not installed: run scripts/install-tools.sh (Debian package prometheus)");
}

export interface ToolResult {
  status: number;
  output: string;
}

/** Runs promtool asynchronously (so jest can run several at once), with a deadline. */
export function promtool(args: string[], cwd: string, timeoutMs = 100_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", args, { cwd });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`promtool ${args.join(" ")} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, output });
    });
  });
}

export function filesIn(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every promtool test file of a stack in the repo: generated ones and other modules' hand-written ones. */
export function promtoolTestFiles(stack: string): string[] {
  const generated = filesIn(path.join(STACK_DIRS(stack), "tests"), ".test.yaml");
  const testRoot = path.join(PROJECT_ROOT, "test");
  const handWritten = fs
    .readdirSync(testRoot)
    .flatMap((area) => filesIn(path.join(testRoot, area, "promtool", stack), ".test.yaml"));
  return [...generated, ...handWritten];
}

export interface PromtoolTestFile {
  rule_files: string[];
  tests: {
    alert_rule_test?: {
      eval_time: string;
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
    }[];
  }[];
}

export function readTestFile(file: string): PromtoolTestFile {
  return yaml.load(fs.readFileSync(file, "utf8")) as PromtoolTestFile;
}
