/** Runs the real cryo-ops command in a child process, as an operator or a script would. */
import { spawn } from "child_process";
import * as path from "path";

export const CRYO_OPS = path.join(__dirname, "../../bin/cryo-ops");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cryoOps(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CRYO_OPS, ...args], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        USER: "test-operator",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
