/**
 * cryo-backup.sh for real: PostgreSQL 15 clusters, restic repositories in a temp dir and
 * a Prometheus Pushgateway, all on 127.0.0.1 (free ports of 19100-19159). The tests run in order
 * and share the repository: each builds on the snapshots the previous ones made.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_METRICS } from "../../components/backup/metrics";
import { DAILY_CHANGES_SQL, FIXTURE_ROLES, FIXTURE_SQL } from "./fixture";
import {
  bytesWritten,
  databaseState,
  DatabaseState,
  descendants,
  freePort,
  PG_BIN,
  PG_PORTS,
  PgCluster,
  processAlive,
  Pushgateway,
  pushedVersusDeclared,
  requireTools,
  restic,
  RunningScript,
  runScript,
  ScriptResult,
  snapshots,
  startScript,
  waitFor,
} from "./harness";

jest.setTimeout(120_000);

const HOST = "cryoprotect-test";

let tmp: string;
let source: PgCluster;
let drillServer: PgCluster;
let gateway: Pushgateway;
/** A port in our range that no server listens on: a database server that is down. */
let downPort: number;
let repository: string;
let passwordFile: string;

/** Source state and snapshot of each good backup, in order. */
const backups: { id: string; state: DatabaseState; bytesAdded: number }[] = [];

function scriptEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...source.env("cryo"),
    ENVIRONMENT: "test",
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    PUSHGATEWAY_URL: gateway.url,
    TMPDIR: path.join(tmp, "scratch"),
    RESTIC_CACHE_DIR: path.join(tmp, "restic-cache"),
    ...overrides,
  };
}

function snapshotIds(repo = repository, password = passwordFile): string[] {
  return snapshots(repo, password)
    .map((s) => s.id)
    .sort();
}

/** The last bytes of a snapshot's dump file: the trailer with the recorded row counts. */
function dumpTail(id: string, file = "/cryo.sql"): string {
  const result = spawnSync("sh", ["-c", 'restic dump "$0" "$1" | tail -c 65536', id, file], {
    encoding: "utf8",
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
    timeout: 60_000,
  });
  expect(result.status).toBe(0);
  return result.stdout;
}

function recordedCounts(trailer: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, table, rows] of trailer.matchAll(/^-- cryo-backup count\t(\S+)\t(\d+)\t-?\d+$/gm))
    counts[table] = Number(rows);
  return counts;
}

function expectSuccess(result: ScriptResult): void {
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr}`);
}

/** What a restore must reproduce: every relation, every row, sequences and grants. */
function expectSameDatabase(actual: DatabaseState, expected: DatabaseState): void {
  expect(actual.relations).toEqual(expected.relations);
  expect(actual.tables).toEqual(expected.tables);
  expect(actual.sequences).toEqual(expected.sequences);
  expect(actual.grants).toEqual(expected.grants);
}

beforeAll(async () => {
  requireTools([
    "restic",
    "psql",
    "pg_dump",
    "pg_isready",
    "jq",
    "curl",
    "setpriv",
    "prometheus-pushgateway",
    `${PG_BIN}/initdb`,
    `${PG_BIN}/pg_ctl`,
  ]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-backup-test-"));
  fs.chmodSync(tmp, 0o755);
  fs.mkdirSync(path.join(tmp, "scratch"));
  source = new PgCluster(path.join(tmp, "source"), "source-secret");
  drillServer = new PgCluster(path.join(tmp, "drill"), "drill-secret");
  gateway = new Pushgateway();
  source.init();
  drillServer.init();
  await source.start();
  await drillServer.start([source.port]);
  await gateway.start();
  downPort = await freePort(PG_PORTS, [source.port, drillServer.port]);
  source.psql("postgres", `${FIXTURE_ROLES} CREATE DATABASE cryo;`);
  source.psql("cryo", FIXTURE_SQL);
  repository = path.join(tmp, "repo");
  passwordFile = path.join(tmp, "repo-password");
  fs.writeFileSync(passwordFile, "correct horse battery staple\n");
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  source?.stop();
  drillServer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("cryo-backup.sh backup", () => {
  test("refuses to start a new repository unless RESTIC_INIT_IF_MISSING=true", async () => {
    const result = await runScript(["backup"], scriptEnv());
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/there is no restic repository at .*repo/);
    expect(fs.existsSync(repository)).toBe(false);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(0);
    expect(await gateway.value("cryoprotect_backup_last_success_timestamp_seconds", "backup")).toBeUndefined();
  });

  test("streams the dump into a snapshot of the stable host, with row counts of the same database snapshot", async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await runScript(["backup"], scriptEnv({ RESTIC_INIT_IF_MISSING: "true" }));
    expectSuccess(result);
    const [snapshot] = snapshots(repository, passwordFile);
    const state = databaseState(source, "cryo");
    // The table count rides along as a tag (for `snapshots`, without reading the data).
    const tables = Object.keys(state.tables).length;
    expect(snapshot).toMatchObject({ hostname: HOST, paths: ["/cryo.sql"], tags: ["cryoprotect", `tables=${tables}`] });

    const trailer = dumpTail(snapshot.id);
    expect(trailer.trimEnd().endsWith("-- cryo-backup end of dump")).toBe(true);
    const sourceCounts = Object.fromEntries(Object.entries(state.tables).map(([t, { rows }]) => [t, rows]));
    expect(recordedCounts(trailer)).toEqual(sourceCounts);

    const bytesAdded = (await gateway.value("cryoprotect_backup_bytes_added", "backup"))!;
    expect(bytesAdded).toBeGreaterThan(10_000_000);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(1);
    expect(await gateway.value("cryoprotect_backup_snapshot_count", "backup")).toBe(1);
    expect(await gateway.value("cryoprotect_backup_repository_size_bytes", "backup")).toBeGreaterThan(1_000_000);
    expect(await gateway.value("cryoprotect_backup_last_success_timestamp_seconds", "backup")).toBeGreaterThanOrEqual(
      before,
    );
    backups.push({ id: snapshot.id, state, bytesAdded });
  });

  test("an incremental backup after a day's changes adds only a small fraction of the first", async () => {
    source.psql("cryo", DAILY_CHANGES_SQL);
    const state = databaseState(source, "cryo");
    expect(state).not.toEqual(backups[0].state);
    const sizeBefore = JSON.parse(restic(repository, passwordFile, ["stats", "--mode", "raw-data", "--json"]));
    expectSuccess(await runScript(["backup"], scriptEnv()));
    const sizeAfter = JSON.parse(restic(repository, passwordFile, ["stats", "--mode", "raw-data", "--json"]));

    // The changes touch about five places of a 43 MB dump; each costs the restic chunks around it
    // (1 MiB on average, chunk boundaries differ per repository): typically 6-14% here.
    const bytesAdded = (await gateway.value("cryoprotect_backup_bytes_added", "backup"))!;
    expect(bytesAdded).toBeGreaterThan(0);
    expect(bytesAdded / backups[0].bytesAdded).toBeLessThan(0.25);
    expect((sizeAfter.total_size - sizeBefore.total_size) / sizeBefore.total_size).toBeLessThan(0.25);
    const id = snapshotIds().find((s) => s !== backups[0].id)!;
    expect(await gateway.value("cryoprotect_backup_snapshot_count", "backup")).toBe(2);
    backups.push({ id, state, bytesAdded });
  });
});

describe("cryo-backup.sh snapshots", () => {
  test("lists the backups newest first as JSON: id, time, restored size, table count; pushes no metrics", async () => {
    const drillRecordsBefore = await gateway.value("cryoprotect_backup_success", "snapshots");
    const result = await runScript(["snapshots"], scriptEnv());
    expectSuccess(result);
    const listed = JSON.parse(result.stdout) as {
      host: string;
      snapshots: { id: string; short_id: string; time: string; size_bytes: number; tables: number }[];
    };
    expect(listed.host).toBe(HOST);
    const byRestic = snapshots(repository, passwordFile).sort((a, b) => b.time.localeCompare(a.time));
    expect(listed.snapshots.map((s) => s.id)).toEqual(byRestic.map((s) => s.id));
    expect(listed.snapshots.map((s) => s.id)).toEqual([backups[1].id, backups[0].id]);
    for (const [i, snapshot] of listed.snapshots.entries()) {
      const stats = JSON.parse(
        restic(repository, passwordFile, ["stats", "--mode", "restore-size", "--json", snapshot.id]),
      );
      expect(snapshot.size_bytes).toBe(stats.total_size);
      expect(snapshot.size_bytes).toBeGreaterThan(10_000_000);
      expect(snapshot.tables).toBe(Object.keys(backups[1 - i].state.tables).length);
    }
    expect(await gateway.value("cryoprotect_backup_success", "snapshots")).toBe(drillRecordsBefore);
  });
});

describe("cryo-backup.sh restore", () => {
  test("restores the latest snapshot into a new database: every table, row, sequence and grant", async () => {
    expectSuccess(await runScript(["restore"], scriptEnv({ PGDATABASE: "restored" })));
    expectSameDatabase(databaseState(source, "restored"), backups[1].state);
    expect(await gateway.value("cryoprotect_backup_success", "restore")).toBe(1);
  });

  test("--before picks the last snapshot taken before that time", async () => {
    const [first, second] = snapshots(repository, passwordFile).sort((a, b) => a.time.localeCompare(b.time));
    const between = new Date((Date.parse(first.time) + Date.parse(second.time)) / 2).toISOString();
    expectSuccess(await runScript(["restore", "--before", between], scriptEnv({ PGDATABASE: "restored_before" })));
    expectSameDatabase(databaseState(source, "restored_before"), backups[0].state);
  });

  test("refuses a non-empty target, and --overwrite replaces its schemas", async () => {
    source.psql("restored", "CREATE TABLE public.keep_me (id int); INSERT INTO public.keep_me VALUES (1);");
    const refused = await runScript(["restore"], scriptEnv({ PGDATABASE: "restored" }));
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/target database restored is not empty .*refusing to restore/);
    expect(source.psql("restored", "SELECT count(*) FROM public.keep_me")).toBe("1");
    expect(await gateway.value("cryoprotect_backup_success", "restore")).toBe(0);

    const result = await runScript(
      ["restore", "--snapshot", backups[0].id, "--overwrite"],
      scriptEnv({ PGDATABASE: "restored" }),
    );
    expectSuccess(result);
    expectSameDatabase(databaseState(source, "restored"), backups[0].state);
  });

  test("stops at the first SQL error, commits nothing and drops the database it created; --create-roles supplies missing roles", async () => {
    const target = { ...drillServer.env("restored_elsewhere") };
    const failed = await runScript(["restore"], scriptEnv(target));
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /restore of snapshot \w+ failed, nothing was committed; database restored_elsewhere, created for this restore, was dropped again: .*role "app_reader" does not exist/,
    );
    expect(drillServer.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'restored_elsewhere'")).toBe(
      "0",
    );
    // restic dump was stopped cleanly, not by a broken pipe: no lock left behind.
    expect(restic(repository, passwordFile, ["list", "locks", "--no-lock"])).toBe("");

    expectSuccess(await runScript(["restore", "--create-roles"], scriptEnv(target)));
    expectSameDatabase(databaseState(drillServer, "restored_elsewhere"), backups[1].state);
  });

  test("refuses a snapshot whose dump is incomplete (as restic 0.14 makes when its input dies)", async () => {
    // (Read whole: restic dump killed by a closed pipe would leave its lock behind.)
    const dump = path.join(tmp, "whole.sql");
    spawnSync("sh", ["-c", 'restic dump "$0" /cryo.sql > "$1"', backups[1].id, dump], {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
      timeout: 60_000,
    });
    const full = fs.readFileSync(dump).subarray(0, 3_000_000);
    restic(
      repository,
      passwordFile,
      ["backup", "--stdin", "--stdin-filename", "cryo.sql", "--host", "someone-else", "--tag", "cryoprotect"],
      full,
    );
    const truncated = snapshots(repository, passwordFile).find((s) => s.hostname === "someone-else")!;
    const result = await runScript(["restore", "--snapshot", truncated.id], scriptEnv({ PGDATABASE: "from_partial" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /snapshot \w+ is incomplete \(no end-of-dump marker: the dump in it was cut short\); nothing was committed/,
    );
    expect(source.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'from_partial'")).toBe("0");
    restic(repository, passwordFile, ["forget", truncated.id]);
  });
});

describe("cryo-backup.sh failures", () => {
  test("a wrong repository password fails clearly, makes no snapshot and keeps the last success", async () => {
    const lastSuccess = await gateway.value("cryoprotect_backup_last_success_timestamp_seconds", "backup");
    const before = snapshotIds();
    const wrongPassword = path.join(tmp, "wrong-password");
    fs.writeFileSync(wrongPassword, "not the password\n");
    const result = await runScript(["backup"], scriptEnv({ RESTIC_PASSWORD_FILE: wrongPassword }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ERROR: wrong password for the restic repository/);
    expect(snapshotIds()).toEqual(before);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(0);
    expect(await gateway.value("cryoprotect_backup_last_success_timestamp_seconds", "backup")).toBe(lastSuccess);
  });

  test.each([
    [
      "a database server that is down",
      () => ({ PGPORT: String(downPort) }),
      /cannot query database cryo .*Connection refused/,
    ],
    ["a wrong database password", () => ({ PGPASSWORD: "wrong" }), /password authentication failed/],
    ["a missing database", () => ({ PGDATABASE: "no_such_db" }), /database "no_such_db" does not exist/],
  ])("%s fails clearly and makes no snapshot", async (_case, env, message) => {
    const before = snapshotIds();
    const result = await runScript(["backup"], scriptEnv(env()));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(snapshotIds()).toEqual(before);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(0);
  });

  test("configuration errors exit with status 2", async () => {
    const noEnvironment = await runScript(["backup"], { ...scriptEnv(), ENVIRONMENT: "" });
    expect(noEnvironment.status).toBe(2);
    expect(noEnvironment.stderr).toMatch(/ENVIRONMENT is not set/);
    const badRetention = await runScript(["full"], scriptEnv({ RETENTION_DAILY: "seven" }));
    expect(badRetention.status).toBe(2);
    expect(badRetention.stderr).toMatch(/RETENTION_DAILY must be a whole number/);
    const unknownMode = await runScript(["backpu"], scriptEnv());
    expect(unknownMode.status).toBe(2);
    expect(unknownMode.stderr).toMatch(/unknown mode 'backpu'/);
  });
});

describe("an interrupted backup", () => {
  /**
   * Starts a backup, interrupts it while the dump streams into restic (the key-ordered COPY of the
   * big tables is psql's, the rest pg_dump's), waits for every process of the job.
   */
  async function interruptMidStream(interrupt: (job: RunningScript, dumpPid: number) => void): Promise<ScriptResult> {
    const before = snapshotIds();
    const job = startScript(["backup"], scriptEnv());
    let dumpPid = 0;
    // Polled often: the 43 MB dump streams for well under a second on an idle machine.
    await waitFor(
      "the dump to stream into restic",
      30_000,
      () => {
        const dumps = descendants(job.child.pid!).filter((p) => p.comm === "pg_dump" || p.comm === "psql");
        dumpPid = dumps.find((p) => bytesWritten(p.pid) > 2_000_000)?.pid ?? 0;
        return dumpPid > 0;
      },
      10,
    );
    const processes = [{ pid: job.child.pid! }, ...descendants(job.child.pid!)];
    expect(processes.map((p) => ("comm" in p ? p.comm : "script"))).toEqual(
      expect.arrayContaining(["script", "restic", "psql"]),
    );
    interrupt(job, dumpPid);
    const result = await job.done;
    await waitFor("every process of the job to end", 30_000, () => processes.every((p) => !processAlive(p.pid)));
    expect(snapshotIds()).toEqual(before);
    expect(restic(repository, passwordFile, ["check"])).toMatch(/no errors were found/);
    return result;
  }

  test("the dump killed: the script fails, forgets nothing it made, and the repository stays sound", async () => {
    const result = await interruptMidStream((_job, dumpPid) => process.kill(dumpPid, "SIGKILL"));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the dump failed \(exit status \d+\).*no snapshot was made/);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(0);
  });

  test("the job stopped with SIGTERM (pod deletion, deadline) makes no snapshot", async () => {
    const result = await interruptMidStream((job) => job.child.kill("SIGTERM"));
    expect(result.status).toBe(143);
    expect(result.stderr).toMatch(/stopped by SIGTERM/);
    expect(await gateway.value("cryoprotect_backup_success", "backup")).toBe(0);
  });

  test("the script killed outright (SIGKILL) makes no snapshot: restic gets its parent-death signal", async () => {
    const result = await interruptMidStream((job) => job.child.kill("SIGKILL"));
    expect(result.signal).toBe("SIGKILL");
  });

  test("earlier snapshots stay restorable", async () => {
    expectSuccess(await runScript(["restore"], scriptEnv({ PGDATABASE: "after_interruptions" })));
    expectSameDatabase(databaseState(source, "after_interruptions"), backups[1].state);
  });
});

describe("cryo-backup.sh drill", () => {
  const drillEnv = () =>
    scriptEnv({
      DRILL_PGHOST: "127.0.0.1",
      DRILL_PGPORT: String(drillServer.port),
      DRILL_PGUSER: "cryo",
      DRILL_PGPASSWORD: drillServer.password,
      DRILL_WAIT_SECONDS: "10",
    });

  test("passes on a good snapshot, on a server without the app's roles, and drops its database", async () => {
    const result = await runScript(["drill"], drillEnv());
    expectSuccess(result);
    expect(result.stderr).toMatch(
      /drill passed: snapshot \w+ restored; 4 tables \(rows and checksums\), 0 large objects and 2 sequences match/,
    );
    expect(await gateway.value("cryoprotect_backup_drill_success", "drill")).toBe(1);
    expect(await gateway.value("cryoprotect_backup_success", "drill")).toBe(1);
    expect(drillServer.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'cryo_drill'")).toBe("0");
  });

  test("fails, naming the table, when a restored table's rows differ from the recorded count", async () => {
    const trailerCount = recordedCounts(dumpTail(backups[1].id))["app.samples"];
    const tampered = spawnSync(
      "sh",
      [
        "-c",
        `restic dump "$0" /cryo.sql | sed 's/^\\(-- cryo-backup count\tapp\\.samples\t\\)[0-9]*\t/\\1${trailerCount + 1}\t/' |
         restic backup --stdin --stdin-filename cryo.sql --host ${HOST} --tag cryoprotect --quiet`,
        backups[1].id,
      ],
      {
        env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(tampered.status).toBe(0);
    const result = await runScript(["drill"], drillEnv());
    expect(result.status).toBe(1);
    // The restore's own verification finds it, inside the transaction, before the drill's comparison.
    expect(result.stderr).toContain(`app.samples: recorded ${trailerCount + 1} rows, restored ${trailerCount}`);
    expect(await gateway.value("cryoprotect_backup_drill_success", "drill")).toBe(0);
    const latest = snapshotIds().filter((id) => !backups.some((b) => b.id === id));
    restic(repository, passwordFile, ["forget", ...latest]);
  });

  test("fails when the drill server never comes up", async () => {
    const result = await runScript(["drill"], {
      ...drillEnv(),
      DRILL_PGPORT: String(downPort),
      DRILL_WAIT_SECONDS: "2",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`drill server 127.0.0.1:${downPort} not ready after 2s`);
  });
});

describe("metrics", () => {
  test("backup, restore and drill push exactly their metrics of components/backup/metrics.ts", async () => {
    const groups = ["backup", "restore", "drill"];
    expect(pushedVersusDeclared(await gateway.samples(), BACKUP_METRICS, groups)).toEqual({
      missing: [],
      undeclared: [],
    });
  });
});
