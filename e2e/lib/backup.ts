/**
 * Runs the real backup script (components/backup/image/cryo-backup.sh) as the
 * stack's CronJobs run it, against the local PostgreSQL, into a local restic
 * repository (created by the script, as the jobs let it), pushing its metrics
 * to a cell's Pushgateway.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { backupEnv } from "../../components/backup/jobs";
import { ScheduledMode } from "../../components/backup/names";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { HOST } from "./ports";
import { killOnExit } from "./processes";
import { BACKUP_PASSWORD, BACKUP_USER, DATABASE, Postgres } from "./postgres";

export const BACKUP_SCRIPT = path.join(PROJECT_ROOT, "components", "backup", "image", "cryo-backup.sh");
export const REPOSITORY_PASSWORD = "e2e-restic-repository-password";

export interface BackupRun {
  exitCode: number | null;
  output: string;
  startedAt: number;
  endedAt: number;
}

export interface BackupOptions {
  config: StackConfig;
  postgres: Postgres;
  repository: string;
  pushgatewayUrl: string;
  scratchDir: string;
  mode?: ScheduledMode;
  /** Overrides the database password (the wrong-password scenario). */
  databasePassword?: string;
  timeoutMs: number;
}

/**
 * The environment the stack's CronJob gives the script for this mode, with
 * what points at the cluster (database, bucket, Secrets, Pushgateway, scratch
 * volume, drill sidecar) pointed at the local equivalents instead.
 */
export function localBackupEnv(options: BackupOptions): Record<string, string> {
  const { postgres } = options;
  const mode = options.mode ?? "backup";
  const local: Record<string, string> = {
    PGHOST: HOST,
    PGPORT: String(postgres.port),
    PGDATABASE: DATABASE,
    PGUSER: BACKUP_USER,
    PGSSLMODE: "disable",
    PGPASSWORD: options.databasePassword ?? BACKUP_PASSWORD,
    RESTIC_REPOSITORY: options.repository,
    RESTIC_PASSWORD: REPOSITORY_PASSWORD,
    PUSHGATEWAY_URL: options.pushgatewayUrl,
    TMPDIR: options.scratchDir,
    HOME: options.scratchDir,
    RESTIC_CACHE_DIR: path.join(options.scratchDir, "restic-cache"),
  };
  if (mode === "drill") {
    // A scratch database of the same local server stands in for the Job's PostgreSQL sidecar.
    Object.assign(local, {
      DRILL_PGHOST: postgres.socketDir,
      DRILL_PGPORT: String(postgres.port),
      DRILL_PGUSER: "postgres",
      DRILL_PGSSLMODE: "disable",
    });
  }
  const env: Record<string, string> = {};
  for (const variable of backupEnv(options.config, mode, options.pushgatewayUrl)) {
    if (variable.name in local) continue;
    if (typeof variable.value !== "string") {
      throw new Error(`The backup job's ${variable.name} comes from a Secret or Output the e2e has no local value for`);
    }
    env[variable.name] = variable.value;
  }
  return { ...env, ...local };
}

export function runBackup(options: BackupOptions): Promise<BackupRun> {
  if (!fs.existsSync(BACKUP_SCRIPT)) throw new Error(`The backup script ${BACKUP_SCRIPT} does not exist`);
  fs.mkdirSync(options.scratchDir, { recursive: true });
  return runCommand(BACKUP_SCRIPT, [options.mode ?? "backup"], localBackupEnv(options), options.timeoutMs);
}

function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<BackupRun> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forget = child.pid ? killOnExit(child.pid) : () => false;
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      output += `\n[e2e] killed after ${timeoutMs} ms`;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      forget();
      resolve({ exitCode: code, output, startedAt, endedAt: Date.now() });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      forget();
      resolve({ exitCode: -1, output: output + String(error), startedAt, endedAt: Date.now() });
    });
  });
}
