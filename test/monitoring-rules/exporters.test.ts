/**
 * The exporter allowlists are real: the Debian node exporter and
 * postgres-exporter (the same projects the cluster runs) serve every listed
 * metric. The postgres-exporter scrapes a throwaway PostgreSQL 15 cluster.
 * Everything listens on 127.0.0.1 (ports 29310-29312), every wait has a
 * deadline, and every process and directory is removed on every path.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { exporterMetrics } from "./exporter-metrics";

const HOST = "127.0.0.1";
const NODE_EXPORTER_PORT = 29310;
const POSTGRES_PORT = 29311;
const POSTGRES_EXPORTER_PORT = 29312;
const PG_BIN = "/usr/lib/postgresql/15/bin";

function requireBinary(binary: string, pkg: string): void {
  if (spawnSync("sh", ["-c", `command -v ${binary}`]).status !== 0)
    throw new Error(`${binary} is not installed: run scripts/install-tools.sh (Debian package ${pkg})`);
}

/** One GET without keep-alive, so no socket outlives the test. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Metric names of a scrape, retried until `ready` accepts them or the deadline passes. */
async function scrape(url: string, deadlineMs: number, ready: (names: Set<string>) => boolean): Promise<Set<string>> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown = "nothing scraped";
  while (Date.now() < deadline) {
    try {
      const names = new Set(
        (await get(url))
          .split("\n")
          .filter((l) => l && !l.startsWith("#"))
          .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
      );
      if (ready(names)) return names;
      last = "not ready";
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no usable metrics from ${url} within ${deadlineMs} ms: ${String(last)}`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

describe("node-exporter metrics the rules and dashboards read", () => {
  let exporter: ChildProcess | undefined;

  beforeAll(() => {
    requireBinary("prometheus-node-exporter", "prometheus-node-exporter");
    exporter = spawn("prometheus-node-exporter", [`--web.listen-address=${HOST}:${NODE_EXPORTER_PORT}`], {
      stdio: "ignore",
    });
  });

  afterAll(() => stop(exporter));

  it("are all served by node-exporter", async () => {
    const served = await scrape(`http://${HOST}:${NODE_EXPORTER_PORT}/metrics`, 15_000, (n) => n.size > 0);
    expect(exporterMetrics.nodeExporter.filter((m) => !served.has(m))).toEqual([]);
  });
});

describe("postgres-exporter metrics the database dashboard reads", () => {
  let dir: string;
  let postgres: ChildProcess | undefined;
  let exporter: ChildProcess | undefined;
  // PostgreSQL refuses to run as root: run its binaries as the postgres user then.
  const asPostgres: SpawnSyncOptions = {};

  beforeAll(() => {
    requireBinary("prometheus-postgres-exporter", "prometheus-postgres-exporter");
    if (!fs.existsSync(path.join(PG_BIN, "postgres")))
      throw new Error("PostgreSQL 15 is not installed: run scripts/install-tools.sh (Debian package postgresql)");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-exporter-"));
    if (process.getuid?.() === 0) {
      asPostgres.uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout);
      asPostgres.gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout);
      fs.chownSync(dir, asPostgres.uid, asPostgres.gid);
    }
    const data = path.join(dir, "data");
    const init = spawnSync(path.join(PG_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust"], {
      ...asPostgres,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    postgres = spawn(path.join(PG_BIN, "postgres"), ["-D", data, "-h", HOST, "-p", String(POSTGRES_PORT), "-k", dir], {
      ...asPostgres,
      stdio: "ignore",
    } as object);
    exporter = spawn("prometheus-postgres-exporter", [`--web.listen-address=${HOST}:${POSTGRES_EXPORTER_PORT}`], {
      stdio: "ignore",
      env: {
        ...process.env,
        DATA_SOURCE_NAME: `postgresql://postgres@${HOST}:${POSTGRES_PORT}/postgres?sslmode=disable`,
      },
    });
  }, 90_000);

  afterAll(async () => {
    await stop(exporter);
    await stop(postgres);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("are all served by postgres-exporter", async () => {
    // pg_up turns 1 once the server accepts connections; the per-database series come with it.
    const served = await scrape(`http://${HOST}:${POSTGRES_EXPORTER_PORT}/metrics`, 60_000, (n) =>
      n.has("pg_stat_database_xact_commit"),
    );
    expect(exporterMetrics.postgresExporter.filter((m) => !served.has(m))).toEqual([]);
  }, 90_000);
});
