/**
 * Table data in key order (issue 15): a keyed table's rows are written in its key's order, so
 * that rows the database moves physically (updates, VACUUM FULL, CLUSTER) leave the dump
 * unchanged and appended rows land at the end of the table's data; tables without a key keep
 * pg_dump's physical order and are named at backup time.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PG_BIN, PgCluster, requireTools, restic, runScript, ScriptResult, snapshots } from "./harness";

jest.setTimeout(180_000);

let tmp: string;
let source: PgCluster;
let repository: string;
let passwordFile: string;

const ROWS = 200_000;
const FIXTURE = String.raw`
CREATE TABLE measurements (
  id bigint PRIMARY KEY,
  sample text NOT NULL,
  value double precision,
  attrs jsonb,
  note text
);
INSERT INTO measurements
SELECT g, 'sample ' || (g % 977), g * 0.37, jsonb_build_object('k', g % 13, 'tag', md5(g::text)), md5((g * 7)::text)
FROM generate_series(1, ${ROWS}) g;
CREATE TABLE keyless (n int, t text);
INSERT INTO keyless SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
`;

function env(): Record<string, string> {
  return {
    ...source.env("ordered"),
    ENVIRONMENT: "test",
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    TMPDIR: path.join(tmp, "scratch"),
    RESTIC_CACHE_DIR: path.join(tmp, "restic-cache"),
  };
}

function expectSuccess(result: ScriptResult): ScriptResult {
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr}`);
  return result;
}

function bytesAdded(result: ScriptResult): number {
  return Number(/bytes of dump, (\d+) bytes added/.exec(result.stderr)![1]);
}

/** The COPY block of a table in the newest snapshot's dump: its rows, in the order the dump holds them. */
function tableData(table: string): string {
  const latest = snapshots(repository, passwordFile)
    .sort((a, b) => a.time.localeCompare(b.time))
    .pop()!;
  const dump = spawnSync("restic", ["dump", latest.id, "/ordered.sql"], {
    encoding: "utf8",
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  }).stdout;
  const start = dump.search(new RegExp(`^COPY public\\.${table} \\(.*\\) FROM stdin;$`, "m"));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = dump.indexOf("\n\\.\n", start);
  return dump.slice(dump.indexOf("\n", start) + 1, end);
}

beforeAll(async () => {
  requireTools(["restic", "psql", "pg_dump", "pg_restore", "jq", "setpriv", `${PG_BIN}/initdb`]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-backup-ordered-"));
  fs.chmodSync(tmp, 0o755);
  fs.mkdirSync(path.join(tmp, "scratch"));
  source = new PgCluster(path.join(tmp, "source"), "secret");
  source.init();
  await source.start();
  source.psql("postgres", "CREATE DATABASE ordered;");
  source.psql("ordered", FIXTURE);
  repository = path.join(tmp, "repo");
  passwordFile = path.join(tmp, "password");
  fs.writeFileSync(passwordFile, "ordered\n");
  restic(repository, passwordFile, ["init"]);
}, 120_000);

afterAll(() => {
  source?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("a keyed table", () => {
  let first: ScriptResult;
  let firstData: string;
  beforeAll(async () => {
    first = expectSuccess(await runScript(["backup"], env()));
    firstData = tableData("measurements");
  });

  test("is written in key order", () => {
    const ids = firstData.split("\n").map((line) => Number(line.split("\t")[0]));
    expect(ids).toHaveLength(ROWS);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
  });

  test("rows the database moved (updates without change, VACUUM FULL) leave its data byte for byte the same", async () => {
    source.psql("ordered", "UPDATE measurements SET note = note WHERE id % 50 = 0; VACUUM FULL measurements;");
    // The physical order did change: a plain scan now meets the updated rows last.
    const physical = source.psql("ordered", "SELECT id FROM measurements LIMIT 1 OFFSET 199999");
    expect(Number(physical) % 50).toBe(0);
    const result = expectSuccess(await runScript(["backup"], env()));
    expect(tableData("measurements")).toBe(firstData);
    // Only the chunks around the trailer are new. Their size depends on where restic's chunker (random
    // per repository, chunks of 0.5 to 8 MiB) cuts, so the bound is loose; the data assertion above is exact.
    expect(bytesAdded(result)).toBeLessThan(0.25 * bytesAdded(first));
  });

  test("appended rows land at the end of its data: everything before them is unchanged", async () => {
    source.psql(
      "ordered",
      `INSERT INTO measurements SELECT g, 'new ' || g, g, '{}', md5(g::text) FROM generate_series(${ROWS + 1}, ${ROWS + ROWS / 100}) g;`,
    );
    const result = expectSuccess(await runScript(["backup"], env()));
    const data = tableData("measurements");
    expect(data.startsWith(firstData + "\n")).toBe(true);
    expect(data.split("\n")).toHaveLength(ROWS + ROWS / 100);
    expect(bytesAdded(result)).toBeLessThan(0.25 * bytesAdded(first)); // chunker-dependent, as above
  });
});

test("a table without a key keeps the physical order and is named at backup time and in the header", async () => {
  const result = expectSuccess(await runScript(["backup"], env()));
  expect(result.stderr).toMatch(/in physical order \(no primary key or unique NOT NULL index\): "public"\."keyless"/);
  expect(tableData("keyless").split("\n")).toHaveLength(1000);
});

test("the ordered dump restores into a new database with every row", async () => {
  expectSuccess(await runScript(["restore"], { ...env(), PGDATABASE: "restored" }));
  const count = (db: string) =>
    source.psql(db, "SELECT count(*), sum(id), md5(string_agg(note, ',' ORDER BY id)) FROM measurements");
  expect(count("restored")).toBe(count("ordered"));
  expect(source.psql("restored", "SELECT count(*) FROM keyless")).toBe("1000");
});
