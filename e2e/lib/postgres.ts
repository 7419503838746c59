/**
 * A throwaway PostgreSQL 15 cluster (Debian's binaries) in the run's temp dir,
 * listening on 127.0.0.1 only, with a small CryoProtect-like database and the
 * read-only backup role the backup jobs use.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { HOST } from "./ports";
import { RunningProcess, Supervisor } from "./processes";
import { waitFor } from "./wait";

export const PG_BIN = "/usr/lib/postgresql/15/bin";
export const DATABASE = "cryoprotect";
export const BACKUP_USER = "backup_reader";
export const BACKUP_PASSWORD = "e2e-backup-reader-password";

export interface Postgres {
  port: number;
  socketDir: string;
  dataDir: string;
  process: RunningProcess;
  /** Runs SQL as the superuser over the socket; returns psql's unaligned output. */
  sql(statement: string, database?: string): string;
}

/** The user PostgreSQL runs as: `postgres` when we are root (it refuses root), else ourselves. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

function run(bin: string, args: string[], user: { uid?: number; gid?: number }, env: Record<string, string> = {}) {
  const result = spawnSync(path.join(PG_BIN, bin), args, {
    ...user,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60000,
  });
  if (result.status !== 0) {
    throw new Error(`${bin} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}

const SCHEMA = `
CREATE TABLE molecules (id serial PRIMARY KEY, name text NOT NULL, smiles text NOT NULL);
CREATE TABLE mixtures (id serial PRIMARY KEY, name text NOT NULL, molecule_ids int[] NOT NULL);
CREATE TABLE predictions (id serial PRIMARY KEY, mixture_id int REFERENCES mixtures(id), score numeric NOT NULL);
CREATE TABLE experiments (id serial PRIMARY KEY, mixture_id int REFERENCES mixtures(id), result text);
INSERT INTO molecules (name, smiles) SELECT 'molecule-' || i, 'C' || repeat('C', i % 20) || 'O' FROM generate_series(1, 2000) i;
INSERT INTO mixtures (name, molecule_ids) SELECT 'mixture-' || i, ARRAY[i, i + 1] FROM generate_series(1, 300) i;
INSERT INTO predictions (mixture_id, score) SELECT 1 + i % 300, (i % 97) / 97.0 FROM generate_series(1, 5000) i;
INSERT INTO experiments (mixture_id, result) SELECT 1 + i % 300, 'vitrified' FROM generate_series(1, 100) i;
`;

export async function startPostgres(supervisor: Supervisor, baseDir: string, port: number): Promise<Postgres> {
  const user = runAs();
  const dataDir = path.join(baseDir, "pgdata");
  const socketDir = path.join(baseDir, "pgsocket");
  for (const dir of [dataDir, socketDir]) {
    fs.mkdirSync(dir, { mode: 0o700 });
    if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid!);
  }
  run(
    "initdb",
    ["-D", dataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"],
    user,
  );
  const proc = supervisor.start({
    name: "postgres",
    command: path.join(PG_BIN, "postgres"),
    args: ["-D", dataDir, "-p", String(port), "-k", socketDir, "-c", `listen_addresses=${HOST}`, "-c", "fsync=off"],
    ...user,
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
    stopSignal: "SIGINT",
  });
  const sql = (statement: string, database = "postgres") =>
    run(
      "psql",
      [
        "-h",
        socketDir,
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-qAtc",
        statement,
      ],
      user,
    );
  await waitFor(
    "PostgreSQL to accept connections",
    () => {
      if (!supervisor.isRunning(proc)) throw new Error(`postgres exited: ${supervisor.tail(proc)}`);
      return sql("SELECT 1").trim() === "1" ? true : undefined;
    },
    30000,
    200,
  );
  sql(`CREATE DATABASE ${DATABASE}`);
  sql(SCHEMA, DATABASE);
  sql(`CREATE ROLE ${BACKUP_USER} LOGIN PASSWORD '${BACKUP_PASSWORD}' IN ROLE pg_read_all_data`);
  return { port, socketDir, dataDir, process: proc, sql };
}
