/**
 * Real servers for the backup script tests: PostgreSQL 15 clusters (initdb + pg_ctl,
 * run as the `postgres` user when the tests run as root), a Prometheus Pushgateway,
 * restic repositories in a temp dir, and the script itself run as a child process.
 * Every wait has a deadline; every server started here is stopped by `stop()`.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export const SCRIPT = path.resolve(__dirname, "../../components/backup/image/cryo-backup.sh");
export const PG_BIN = "/usr/lib/postgresql/15/bin";
const IS_ROOT = process.getuid?.() === 0;

/** Fails (never skips) when a tool the tests need is missing. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter((tool) =>
    tool.startsWith("/") ? !fs.existsSync(tool) : spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(`missing tools: ${missing.join(", ")} (run scripts/install-tools.sh)`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(
  what: string,
  deadlineMs: number,
  check: () => boolean | Promise<boolean>,
  intervalMs = 50,
) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function checked(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) {
    throw new Error(`${what} failed (${result.status ?? result.signal}): ${result.stderr}${result.error ?? ""}`);
  }
  return result.stdout;
}

/** Runs a PostgreSQL server binary as the postgres user when we are root (initdb refuses root). */
function asPostgres(command: string, args: string[]): SpawnSyncReturns<string> {
  const [file, argv] = IS_ROOT ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  return spawnSync(file, argv, { encoding: "utf8", timeout: 60_000 });
}

/** Our port ranges: PostgreSQL servers and a port nothing listens on, and Pushgateways. */
export const PG_PORTS = { from: 19100, to: 19149 };
export const PUSHGATEWAY_PORTS = { from: 19150, to: 19159 };

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A free port of the range, tried from a random place in it: two runs of the suite at the
 * same time (a developer's and a full `npm test`) must not take each other's servers.
 */
export async function freePort(range: { from: number; to: number }, except: number[] = []): Promise<number> {
  const size = range.to - range.from + 1;
  const offset = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.from + ((offset + i) % size);
    if (!except.includes(port) && (await portFree(port))) return port;
  }
  throw new Error(`no free port in ${range.from}-${range.to}`);
}

export const PG_SUPERUSER = "cryo";

export class PgCluster {
  readonly dataDir: string;
  port = 0;
  constructor(
    readonly dir: string,
    readonly password: string,
  ) {
    this.dataDir = path.join(dir, "data");
  }

  init(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const passwordFile = path.join(this.dir, "pwfile");
    fs.writeFileSync(passwordFile, this.password + "\n");
    if (IS_ROOT) checked(spawnSync("chown", ["-R", "postgres:", this.dir], { encoding: "utf8" }), "chown");
    checked(
      asPostgres(`${PG_BIN}/initdb`, [
        "-D",
        this.dataDir,
        "-U",
        PG_SUPERUSER,
        `--pwfile=${passwordFile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
      ]),
      "initdb",
    );
  }

  /** Starts the server on a free port of PG_PORTS (another one if that port was taken meanwhile). */
  async start(except: number[] = []): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort(PG_PORTS, except);
      const options = [
        `-p ${this.port}`,
        "-c listen_addresses=127.0.0.1",
        `-c unix_socket_directories=${this.dir}`,
        // A disposable test server: durability off for speed.
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        "-c wal_level=minimal -c max_wal_senders=0 -c shared_buffers=128MB",
      ].join(" ");
      const log = path.join(this.dir, "log");
      const result = asPostgres(`${PG_BIN}/pg_ctl`, [
        "-D",
        this.dataDir,
        "-o",
        options,
        "-l",
        log,
        "-w",
        "-t",
        "60",
        "start",
      ]);
      if (result.status === 0) return;
      const taken = fs.existsSync(log) && /could not bind|already in use/.test(fs.readFileSync(log, "utf8"));
      if (!taken || attempt >= 5) checked(result, "pg_ctl start");
    }
  }

  stop(): void {
    if (fs.existsSync(path.join(this.dataDir, "postmaster.pid"))) {
      asPostgres(`${PG_BIN}/pg_ctl`, ["-D", this.dataDir, "-m", "immediate", "-w", "-t", "30", "stop"]);
    }
  }

  env(database: string): Record<string, string> {
    return {
      PGHOST: "127.0.0.1",
      PGPORT: String(this.port),
      PGUSER: PG_SUPERUSER,
      PGPASSWORD: this.password,
      PGDATABASE: database,
    };
  }

  /** Runs SQL; returns unaligned, tuples-only output. */
  psql(database: string, sql: string): string {
    const result = spawnSync("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
      input: sql,
      encoding: "utf8",
      env: { ...process.env, ...this.env(database) },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return checked(result, `psql ${database}`).trimEnd();
  }
}

/** What a database holds: relations, per-table row count and checksum, sequences, grants. */
export interface DatabaseState {
  relations: string[];
  /** Per table: row count and an order-independent checksum (sum of 60-bit row hashes). */
  tables: Record<string, { rows: number; checksum: string }>;
  sequences: Record<string, string>;
  grants: string[];
}

const USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'";

export function databaseState(cluster: PgCluster, database: string): DatabaseState {
  const relations = cluster
    .psql(
      database,
      `SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} ORDER BY 1`,
    )
    .split("\n")
    .filter(Boolean);
  const tables: DatabaseState["tables"] = {};
  for (const relation of relations.filter((r) => r.startsWith("r "))) {
    const name = relation.slice(2);
    const [rows, checksum] = cluster
      .psql(
        database,
        `SELECT count(*) || ' ' || coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0) FROM ${name} t`,
      )
      .split(" ");
    tables[name] = { rows: Number(rows), checksum };
  }
  const sequences: Record<string, string> = {};
  for (const relation of relations.filter((r) => r.startsWith("S "))) {
    const name = relation.slice(2);
    sequences[name] = cluster.psql(database, `SELECT last_value || '/' || is_called FROM ${name}`);
  }
  const grants = cluster
    .psql(
      database,
      `SELECT grantee || ' ' || privilege_type || ' ' || table_schema || '.' || table_name
       FROM information_schema.role_table_grants WHERE grantee = 'app_reader' ORDER BY 1`,
    )
    .split("\n")
    .filter(Boolean);
  return { relations, tables, sequences, grants };
}

export class Pushgateway {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/-/ready`)).ok;
    } catch {
      return false;
    }
  }

  /** Starts it on a free port of PUSHGATEWAY_PORTS, in memory only (Debian's default persists to /var/lib). */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort(PUSHGATEWAY_PORTS);
      const child = spawn(
        "prometheus-pushgateway",
        [`--web.listen-address=127.0.0.1:${this.port}`, "--persistence.file="],
        { stdio: "ignore" },
      );
      this.child = child;
      let exited = false;
      await waitFor("the Pushgateway", 15_000, async () => (exited = child.exitCode !== null) || this.ready());
      if (!exited) return;
      if (attempt >= 5) throw new Error(`the Pushgateway exited with status ${child.exitCode}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  /** Samples of the backup metrics, with their labels. */
  async samples(): Promise<Sample[]> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    return text
      .split("\n")
      .filter((line) => line.startsWith("cryoprotect_backup_"))
      .map((line) => {
        const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
        if (!match) throw new Error(`unexpected sample line: ${line}`);
        const labels: Record<string, string> = {};
        for (const [, key, value] of match[2].matchAll(/(\w+)="([^"]*)"/g)) labels[key] = value;
        return { name: match[1], labels, value: Number(match[3]) };
      });
  }

  /** The value of one metric in one push group, undefined when absent. */
  async value(name: string, mode: string, target?: string): Promise<number | undefined> {
    const found = (await this.samples()).find(
      (s) => s.name === name && s.labels.mode === mode && (target === undefined || s.labels.target === target),
    );
    return found?.value;
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ScriptResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningScript {
  child: ChildProcess;
  done: Promise<ScriptResult>;
}

/** Starts the script with exactly the given environment (plus PATH, HOME, TZ). */
export function startScript(args: string[], env: Record<string, string>, timeoutMs = 90_000): RunningScript {
  const child = spawn(SCRIPT, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", TZ: "UTC", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<ScriptResult>((resolve) =>
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

export function runScript(args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return startScript(args, env).done;
}

/** restic against a repository, synchronously; throws on failure. */
export function restic(repository: string, passwordFile: string, args: string[], input?: string | Buffer): string {
  const result = spawnSync("restic", args, {
    input,
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC", RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return checked(result, `restic ${args[0]}`);
}

/** restic in the background (several may run at once); rejects on failure. */
export function resticAsync(repo: string, password: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("restic", args, {
      env: { ...process.env, TZ: "UTC", RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: password },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("close", (status) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(new Error(`restic ${args.join(" ")}: ${stderr}`));
    });
    child.stdin.end(input);
  });
}

export interface SnapshotInfo {
  id: string;
  time: string;
  hostname: string;
  paths: string[];
  tags?: string[];
  original?: string;
}

export function snapshots(repository: string, passwordFile: string): SnapshotInfo[] {
  return JSON.parse(restic(repository, passwordFile, ["snapshots", "--json"])) as SnapshotInfo[];
}

/** Processes below `pid` (from /proc), with their command names. */
export function descendants(pid: number): { pid: number; comm: string }[] {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), { ppid, comm });
    } catch {
      // the process ended while we looked
    }
  }
  const found: { pid: number; comm: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, info] of parents) {
      if (info.ppid === parent) {
        found.push({ pid: child, comm: info.comm });
        queue.push(child);
      }
    }
  }
  return found;
}

/** Bytes a process has written so far (/proc/<pid>/io wchar), 0 when it is gone. */
export function bytesWritten(pid: number): number {
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, "utf8");
    return Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** True while the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/**
 * Compares what the Pushgateway holds in the given groups (the `mode` label) with
 * components/backup/metrics.ts: declared metrics not pushed, and pushed metrics not declared.
 */
export function pushedVersusDeclared(
  samples: Sample[],
  metrics: readonly { name: string; labels: readonly string[]; groups: readonly string[] }[],
  groups: string[],
): { missing: string[]; undeclared: string[] } {
  const pushed = samples.filter((s) => s.labels.job === "cryoprotect_backup" && groups.includes(s.labels.mode));
  const missing = metrics.flatMap((m) =>
    m.groups
      .filter((g) => groups.includes(g))
      .filter(
        (g) =>
          !pushed.some(
            (s) =>
              s.name === m.name &&
              s.labels.mode === g &&
              s.labels.environment === "test" &&
              m.labels.every((label) => s.labels[label]),
          ),
      )
      .map((g) => `${m.name}{mode="${g}"}`),
  );
  const undeclared = pushed
    .filter((s) => !metrics.some((m) => m.name === s.name && m.groups.includes(s.labels.mode)))
    .map((s) => `${s.name}{mode="${s.labels.mode}"}`);
  return { missing, undeclared };
}
