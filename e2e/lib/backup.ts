/**
 * Runs the real backup script (components/backup/image/cryo-backup.sh) as a
 * backup job would, against the local PostgreSQL, into a local restic
 * repository, pushing its metrics to a cell's Pushgateway.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
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
  mode?: "backup" | "full" | "drill";
  /** Overrides the database password (the wrong-password scenario). */
  databasePassword?: string;
  timeoutMs: number;
}

/** Creates the local restic repository, as the platform's repository-init step does for S3. */
export async function initRepository(repository: string, timeoutMs: number): Promise<void> {
  if (fs.existsSync(path.join(repository, "config"))) return;
  const run = await runCommand(
    "restic",
    ["init", "--repo", repository],
    { RESTIC_PASSWORD: REPOSITORY_PASSWORD },
    timeoutMs,
  );
  if (run.exitCode !== 0) throw new Error(`restic init failed: ${run.output}`);
}

export function runBackup(options: BackupOptions): Promise<BackupRun> {
  if (!fs.existsSync(BACKUP_SCRIPT)) throw new Error(`The backup script ${BACKUP_SCRIPT} does not exist`);
  fs.mkdirSync(options.scratchDir, { recursive: true });
  const { config, postgres } = options;
  const retention = config.backup.retention;
  return runCommand(
    BACKUP_SCRIPT,
    [options.mode ?? "backup"],
    {
      ENVIRONMENT: config.environment,
      PGHOST: HOST,
      PGPORT: String(postgres.port),
      PGDATABASE: DATABASE,
      PGUSER: BACKUP_USER,
      PGSSLMODE: "disable",
      PGPASSWORD: options.databasePassword ?? BACKUP_PASSWORD,
      RESTIC_REPOSITORY: options.repository,
      RESTIC_PASSWORD: REPOSITORY_PASSWORD,
      RESTIC_INIT_IF_MISSING: "false",
      RETENTION_DAILY: String(retention.daily),
      RETENTION_WEEKLY: String(retention.weekly),
      RETENTION_MONTHLY: String(retention.monthly),
      RETENTION_YEARLY: String(retention.yearly),
      CHECK_READ_DATA_SUBSET: config.backup.checkReadDataSubset,
      PUSHGATEWAY_URL: options.pushgatewayUrl,
      TMPDIR: options.scratchDir,
      HOME: options.scratchDir,
      RESTIC_CACHE_DIR: path.join(options.scratchDir, "restic-cache"),
      // The drill restores into a scratch database of the same local server (a sidecar in the cluster).
      DRILL_PGHOST: postgres.socketDir,
      DRILL_PGPORT: String(postgres.port),
      DRILL_PGUSER: "postgres",
      DRILL_PGDATABASE: "cryo_drill",
      DRILL_PGSSLMODE: "disable",
    },
    options.timeoutMs,
  );
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
