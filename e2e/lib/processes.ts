/**
 * Starts the e2e's servers as child processes, each in its own process group,
 * and guarantees they are stopped: in order by `stopAll`, and by a synchronous
 * SIGKILL of every group when the Node process exits for any reason.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sleep } from "./wait";

export interface ProcessSpec {
  /** Short name for logs, e.g. "prometheus-errors". */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user (the harness runs as root in CI; PostgreSQL refuses root). */
  uid?: number;
  gid?: number;
  /** Signal for a graceful stop; SIGKILL follows after the grace period. */
  stopSignal?: NodeJS.Signals;
}

export interface RunningProcess {
  spec: ProcessSpec;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

const live = new Set<RunningProcess>();

function killGroup(proc: RunningProcess, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

process.on("exit", () => {
  for (const proc of live) killGroup(proc, "SIGKILL");
});

export class Supervisor {
  private readonly started: RunningProcess[] = [];

  constructor(private readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  start(spec: ProcessSpec): RunningProcess {
    const logFile = path.join(this.logDir, `${spec.name}.log`);
    const log = fs.openSync(logFile, "a");
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    const exited = new Promise<number | null>((resolve) => {
      child.on("exit", (code) => resolve(code));
      child.on("error", () => resolve(-1));
    });
    const proc: RunningProcess = { spec, child, logFile, exited };
    live.add(proc);
    this.started.push(proc);
    void exited.then(() => live.delete(proc));
    return proc;
  }

  /** The last lines of a process's log, for failure messages. */
  tail(proc: RunningProcess, lines = 20): string {
    try {
      return fs.readFileSync(proc.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  async stop(proc: RunningProcess, graceMs = 5000): Promise<void> {
    if (!live.has(proc)) return;
    killGroup(proc, proc.spec.stopSignal ?? "SIGTERM");
    const stopped = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) {
      killGroup(proc, "SIGKILL");
      await Promise.race([proc.exited, sleep(2000)]);
    }
    // Stray children of the group (if any) go too.
    killGroup(proc, "SIGKILL");
    live.delete(proc);
  }

  /** Stops everything this supervisor started, the last started first. */
  async stopAll(): Promise<void> {
    for (const proc of [...this.started].reverse()) await this.stop(proc);
    this.started.length = 0;
  }

  /** Whether the process is still running. */
  isRunning(proc: RunningProcess): boolean {
    return live.has(proc);
  }
}
