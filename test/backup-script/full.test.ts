/**
 * cryo-backup.sh full for real: restic check, GFS retention over snapshots made with
 * synthetic times (restic backup --time), and copies to secondary repositories. Its own
 * PostgreSQL cluster and Pushgateway (free ports of 19100-19159), so it runs beside script.test.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_METRICS } from "../../components/backup/metrics";
import { TINY_SQL } from "./fixture";
import {
  freePort,
  PG_BIN,
  PG_PORTS,
  PG_SUPERUSER,
  ScriptResult,
  PgCluster,
  Pushgateway,
  pushedVersusDeclared,
  requireTools,
  restic,
  resticAsync,
  runScript,
  snapshots,
} from "./harness";

jest.setTimeout(120_000);

const HOST = "cryoprotect-test";
const SYNTHETIC_TIMES = [
  "2023-06-15 12:00:00",
  "2023-12-20 12:00:00",
  "2024-03-10 12:00:00",
  "2024-11-05 12:00:00",
  "2024-11-20 12:00:00",
  "2025-05-01 12:00:00",
  "2025-09-14 12:00:00",
  "2025-09-28 12:00:00",
  "2025-10-03 12:00:00",
  "2026-01-10 12:00:00",
  "2026-01-11 12:00:00",
  "2026-02-01 12:00:00",
  "2026-02-02 12:00:00",
  "2026-10-20 09:00:00",
  "2026-10-20 15:00:00",
  "2026-10-21 12:00:00",
  "2026-10-22 12:00:00",
];
const RETENTION = { daily: 3, weekly: 2, monthly: 3, yearly: 2 };

let tmp: string;
let source: PgCluster;
let gateway: Pushgateway;
let passwordFile: string;
let repository: string;
let offsite: string;
let offsitePassword: string;

/** restic's GFS policy, written from its documentation: newest first, one per period, N periods. */
function expectedKept(times: Date[], keep: Record<"daily" | "weekly" | "monthly" | "yearly", number>): string[] {
  const isoWeek = (d: Date): string => {
    const thursday = new Date(
      Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7)),
    );
    const firstThursday = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
    const firstWeekThursday = new Date(+firstThursday + (3 - ((firstThursday.getUTCDay() + 6) % 7)) * 86_400_000);
    return `${thursday.getUTCFullYear()}-W${1 + Math.round((+thursday - +firstWeekThursday) / (7 * 86_400_000))}`;
  };
  const periods = [
    { left: keep.daily, of: (d: Date) => d.toISOString().slice(0, 10) },
    { left: keep.weekly, of: isoWeek },
    { left: keep.monthly, of: (d: Date) => d.toISOString().slice(0, 7) },
    { left: keep.yearly, of: (d: Date) => String(d.getUTCFullYear()) },
  ].map((p) => ({ ...p, last: "" }));
  const kept = new Set<string>();
  for (const time of [...times].sort((a, b) => +b - +a)) {
    for (const p of periods) {
      if (p.left > 0 && p.of(time) !== p.last) {
        kept.add(time.toISOString());
        p.last = p.of(time);
        p.left--;
      }
    }
  }
  return [...kept].sort();
}

/** Times of this host's snapshots, ISO, sorted. */
function times(repo: string, password: string): string[] {
  return snapshots(repo, password)
    .filter((s) => s.hostname === HOST && s.tags?.includes("cryoprotect"))
    .map((s) => new Date(s.time).toISOString())
    .sort();
}

function expectSuccess(result: ScriptResult): void {
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr}`);
}

function fullEnv(copyRepositories: string): Record<string, string> {
  return {
    ...source.env("tiny"),
    ENVIRONMENT: "test",
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    RESTIC_INIT_IF_MISSING: "true",
    PUSHGATEWAY_URL: gateway.url,
    TMPDIR: path.join(tmp, "scratch"),
    RESTIC_CACHE_DIR: path.join(tmp, "restic-cache"),
    RETENTION_DAILY: String(RETENTION.daily),
    RETENTION_WEEKLY: String(RETENTION.weekly),
    RETENTION_MONTHLY: String(RETENTION.monthly),
    RETENTION_YEARLY: String(RETENTION.yearly),
    CHECK_ROTATION_WEEKS: "1",
    COPY_REPOSITORIES: copyRepositories,
    COPY_CREDENTIALS_DIR: path.join(tmp, "copy"),
  };
}

beforeAll(async () => {
  requireTools(["restic", "psql", "pg_dump", "jq", "curl", "setpriv", "prometheus-pushgateway", `${PG_BIN}/initdb`]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-backup-full-test-"));
  fs.chmodSync(tmp, 0o755);
  fs.mkdirSync(path.join(tmp, "scratch"));
  source = new PgCluster(path.join(tmp, "source"), "source-secret");
  gateway = new Pushgateway();
  source.init();
  await source.start();
  await gateway.start();
  source.psql("postgres", "CREATE DATABASE tiny;");
  source.psql("tiny", TINY_SQL);

  passwordFile = path.join(tmp, "repo-password");
  fs.writeFileSync(passwordFile, "correct horse battery staple\n");
  repository = path.join(tmp, "repo");
  offsite = path.join(tmp, "offsite-repo");
  offsitePassword = path.join(tmp, "copy", "offsite", "password");
  fs.mkdirSync(path.dirname(offsitePassword), { recursive: true });
  fs.writeFileSync(offsitePassword, "the offsite password\n");
  fs.writeFileSync(path.join(tmp, "not-a-repository"), "a file where a repository should be\n");
  restic(repository, passwordFile, ["init"]);
  // Backups on past dates, four restic processes at a time.
  for (let i = 0; i < SYNTHETIC_TIMES.length; i += 4) {
    await Promise.all(
      SYNTHETIC_TIMES.slice(i, i + 4).map((time) =>
        resticAsync(
          repository,
          passwordFile,
          ["backup", "--stdin", "--stdin-filename", "tiny.sql", "--host", HOST, "--tag", "cryoprotect", "--time", time],
          `-- dump of ${time}\n`,
        ),
      ),
    );
  }
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  source?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the expected GFS set is computed right (ISO weeks, one per period)", () => {
  const kept = expectedKept(
    ["2026-01-04T12:00:00Z", "2026-01-05T12:00:00Z", "2026-01-05T18:00:00Z", "2024-12-30T12:00:00Z"].map(
      (t) => new Date(t),
    ),
    { daily: 0, weekly: 3, monthly: 0, yearly: 0 },
  );
  // 2026-01-04 is a Sunday of ISO week 2026-W01; 2026-01-05 opens W02; 2024-12-30 is in 2025-W01.
  expect(kept).toEqual(["2024-12-30T12:00:00.000Z", "2026-01-04T12:00:00.000Z", "2026-01-05T18:00:00.000Z"]);
});

test("full checks, keeps exactly the GFS set, copies it off-site; a failing target fails the run", async () => {
  const result = await runScript(["full"], fullEnv(`offsite=${offsite} broken=${path.join(tmp, "not-a-repository")}`));
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/copy to broken failed/);
  expect(result.stderr).toMatch(/copy to a secondary repository failed/);

  const synthetic = SYNTHETIC_TIMES.map((t) => new Date(t.replace(" ", "T") + "Z").toISOString());
  const madeByTheRun = times(repository, passwordFile).filter((t) => !synthetic.includes(t));
  expect(madeByTheRun).toHaveLength(1);
  const expected = expectedKept(
    [...synthetic, ...madeByTheRun].map((t) => new Date(t)),
    RETENTION,
  );
  expect(expected.length).toBeGreaterThan(3);
  expect(expected.length).toBeLessThan(SYNTHETIC_TIMES.length);
  expect(times(repository, passwordFile)).toEqual(expected);
  expect(times(offsite, offsitePassword)).toEqual(expected);
  expect(restic(repository, passwordFile, ["check"])).toMatch(/no errors were found/);

  expect(await gateway.value("cryoprotect_backup_check_success", "full")).toBe(1);
  expect(await gateway.value("cryoprotect_backup_success", "full")).toBe(0);
  expect(await gateway.value("cryoprotect_backup_last_success_timestamp_seconds", "full")).toBeUndefined();
  const copied = await gateway.value("cryoprotect_backup_copy_last_success_timestamp_seconds", "copy", "offsite");
  expect(copied).toBeGreaterThan(Date.now() / 1000 - 300);
  expect(
    await gateway.value("cryoprotect_backup_copy_last_success_timestamp_seconds", "copy", "broken"),
  ).toBeUndefined();
});

test("full succeeds with its targets healthy and pushes the repository figures", async () => {
  const previous = times(repository, passwordFile);
  const result = await runScript(["full"], fullEnv(`offsite=${offsite}`));
  if (result.status !== 0) throw new Error(result.stderr);
  const now = times(repository, passwordFile);
  expect(now).toEqual(
    expectedKept(
      [...new Set([...previous, ...now])].map((t) => new Date(t)),
      RETENTION,
    ),
  );
  expect(times(offsite, offsitePassword)).toEqual(now);
  expect(await gateway.value("cryoprotect_backup_success", "full")).toBe(1);
  expect(await gateway.value("cryoprotect_backup_check_success", "full")).toBe(1);
  expect(await gateway.value("cryoprotect_backup_snapshot_count", "full")).toBe(now.length);
  expect(await gateway.value("cryoprotect_backup_repository_size_bytes", "full")).toBeGreaterThan(0);
});

test("a failed restore drill stops retention until a drill passes; the results live in the repository", async () => {
  const drill = (port: number) => ({
    ...fullEnv(""),
    DRILL_PGHOST: "127.0.0.1",
    DRILL_PGPORT: String(port),
    DRILL_PGUSER: PG_SUPERUSER,
    DRILL_PGPASSWORD: source.password,
    DRILL_WAIT_SECONDS: "1",
  });
  const down = await freePort(PG_PORTS, [source.port]);
  expect((await runScript(["drill"], drill(down))).status).toBe(1);
  const before = times(repository, passwordFile);
  const refused = await runScript(["full"], fullEnv(""));
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/the last restore drill failed \(failed \w+, [0-9T:-]+Z\): retention not applied/);
  const afterRefused = times(repository, passwordFile);
  expect(afterRefused.length).toBe(before.length + 1);
  expect(afterRefused).toEqual(expect.arrayContaining(before));

  expectSuccess(await runScript(["drill"], drill(source.port)));
  expectSuccess(await runScript(["full"], fullEnv("")));
  const now = times(repository, passwordFile);
  expect(now).toEqual(
    expectedKept(
      [...new Set([...afterRefused, ...now])].map((t) => new Date(t)),
      RETENTION,
    ),
  );
  // The drill records are snapshots of their own tag, never restored, retained or copied as backups.
  const records = snapshots(repository, passwordFile).filter((s) => s.tags?.includes("cryoprotect-drill"));
  expect(records.map((r) => r.paths)).toEqual([["/drill-result"], ["/drill-result"]]);
});

test("a damaged pack fails the read-back of the newest snapshot, retention is not applied, the last good one is named", async () => {
  // A dump of several chunks, of which the next backup reuses all but the last (the trailer).
  source.psql("tiny", "CREATE TABLE bulk AS SELECT g, md5(g::text) AS h FROM generate_series(1, 300000) g;");
  expectSuccess(await runScript(["backup"], fullEnv("")));
  const before = times(repository, passwordFile);
  // The pack holding the first chunk of the newest snapshot's file (data blobs only, so the
  // backup itself still works): the next backup deduplicates onto it.
  const newest = snapshots(repository, passwordFile)
    .filter((s) => s.hostname === HOST && s.tags?.includes("cryoprotect"))
    .sort((a, b) => a.time.localeCompare(b.time))
    .pop()!;
  const tree = JSON.parse(restic(repository, passwordFile, ["cat", "snapshot", newest.id])).tree as string;
  const content = JSON.parse(restic(repository, passwordFile, ["cat", "blob", tree])).nodes[0].content as string[];
  const dataPack = restic(repository, passwordFile, ["list", "index"])
    .split("\n")
    .filter(Boolean)
    .flatMap((index) => JSON.parse(restic(repository, passwordFile, ["cat", "index", index])).packs)
    .find(
      (p: { blobs: { id: string; type: string }[] }) =>
        p.blobs.every((b) => b.type === "data") && p.blobs.some((b) => b.id === content[0]),
    ).id as string;
  const pack = path.join(repository, "data", dataPack.slice(0, 2), dataPack);
  const bytes = fs.readFileSync(pack);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  fs.writeFileSync(pack, bytes);
  // One share in 52 is read this week: the check may miss the damaged pack; the read-back of the
  // newest snapshot, which deduplicates onto the same data, cannot.
  const result = await runScript(["full"], { ...fullEnv(""), CHECK_ROTATION_WEEKS: "52" });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/snapshot \w+ does not read back/);
  expect(result.stderr).toMatch(
    /retention not applied; the repository is damaged, the newest snapshot that reads back whole is \w+/,
  );
  expect(await gateway.value("cryoprotect_backup_check_success", "full")).toBe(0);
  const after = times(repository, passwordFile);
  expect(after.length).toBe(before.length + 1);
  expect(after).toEqual(expect.arrayContaining(before));
});

test("full and copy push exactly their metrics of components/backup/metrics.ts", async () => {
  expect(pushedVersusDeclared(await gateway.samples(), BACKUP_METRICS, ["full", "copy"])).toEqual({
    missing: [],
    undeclared: [],
  });
});
