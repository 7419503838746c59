/**
 * Starts the e2e's servers as child processes, each in its own process group,
 * and guarantees they are stopped: in order by `stopAll`, and by a synchronous
 * SIGKILL of every group when the Node process exits for any reason.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { settlesWithin } from "./wait";

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

/**
 * A detached helper that outlives us: it learns every process group and temp
 * dir we create over a pipe and, when the pipe closes because we exited for any
 * reason (a failed test, Ctrl-C, even SIGKILL), kills those groups and removes
 * those dirs. Exit hooks cannot do this under jest, whose `process` is a copy.
 */
const REAPER_SOURCE = `
const fs = require("fs");
const groups = new Set();
const dirs = new Set();
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => {});
function reap() {
  for (const g of groups) { try { process.kill(-g, "SIGKILL"); } catch {} }
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
  process.exit(0);
}
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf("\\n")) >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    const value = line.slice(1);
    if (line[0] === "+") groups.add(Number(value));
    if (line[0] === "-") groups.delete(Number(value));
    if (line[0] === "d") dirs.add(value);
    if (line[0] === "x") dirs.delete(value);
  }
});
process.stdin.on("end", reap);
process.stdin.on("error", reap);
`;

let reaper: ChildProcess | undefined;

function tellReaper(line: string): void {
  if (!reaper) {
    reaper = spawn(process.execPath, ["-e", REAPER_SOURCE], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  }
  reaper.stdin?.write(`${line}\n`);
}

/** Ends the reaper once everything is stopped and removed; it then exits at once (nothing left to reap). */
export function releaseReaper(): void {
  reaper?.stdin?.end();
  reaper = undefined;
}

/** Kill this process group if we die before it ends. */
export function killOnExit(pid: number): () => void {
  tellReaper(`+${pid}`);
  return () => tellReaper(`-${pid}`);
}

/** Remove this directory if we die before removing it ourselves. */
export function removeOnExit(dir: string): () => void {
  tellReaper(`d${dir}`);
  return () => tellReaper(`x${dir}`);
}

function killGroup(proc: RunningProcess, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

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
    const forget = child.pid === undefined ? () => undefined : killOnExit(child.pid);
    void exited.then(() => {
      live.delete(proc);
      forget();
    });
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
    const stopped = await settlesWithin(proc.exited, graceMs);
    if (!stopped) {
      killGroup(proc, "SIGKILL");
      await settlesWithin(proc.exited, 2000);
    }
    // Stray children of the group (if any) go too.
    killGroup(proc, "SIGKILL");
    live.delete(proc);
  }

  /** Kills the process at once with SIGKILL, as a crash would: no chance to say goodbye to its peers. */
  async kill(proc: RunningProcess): Promise<void> {
    if (!live.has(proc)) return;
    killGroup(proc, "SIGKILL");
    await settlesWithin(proc.exited, 2000);
    live.delete(proc);
  }

  /** Stops everything this supervisor started, all at once, so teardown takes one grace period at most. */
  async stopAll(): Promise<void> {
    await Promise.all(this.started.map((proc) => this.stop(proc)));
    this.started.length = 0;
  }

  /** Whether the process is still running. */
  isRunning(proc: RunningProcess): boolean {
    return live.has(proc);
  }
}
