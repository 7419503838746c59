/**
 * cryo-backup.sh against the torture database (torture.ts): every restore target the docs
 * promise, each compared with the source by means the script does not use (normalized
 * `pg_dump --schema-only`, sorted-row data digests, sequences, large objects with ACLs and
 * comments), and the faults a real database and cluster produce.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  PgCluster,
  PG_BIN,
  PG_SUPERUSER,
  requireTools,
  restic,
  runScript,
  ScriptResult,
  snapshots,
  startScript,
  waitFor,
} from "./harness";
import { TORTURE_ROLES, TORTURE_SCHEMAS, TORTURE_SQL } from "./torture";

jest.setTimeout(180_000);

const OWNER = "db_owner";
const OWNER_PASSWORD = "owner-secret";
/** A managed provider's database owner: no superuser, but CREATEROLE and BYPASSRLS (as Supabase's postgres). */
const OWNER_ROLE = `CREATE ROLE ${OWNER} LOGIN PASSWORD '${OWNER_PASSWORD}' CREATEROLE BYPASSRLS;`;

/** What a provider creates in every new database, before its owner restores anything. */
const PROVIDER_EXTENSIONS =
  "CREATE SCHEMA extensions; CREATE EXTENSION pgcrypto WITH SCHEMA extensions; GRANT USAGE ON SCHEMA extensions TO PUBLIC;";

let tmp: string;
let source: PgCluster;
/** A fresh server: none of the app's roles. */
let fresh: PgCluster;
/** A provider-like server: public and the extensions exist, the restorer is a non-superuser owner. */
let provider: PgCluster;
let repository: string;
let passwordFile: string;

function asOwner(cluster: PgCluster, database: string): Record<string, string> {
  return { ...cluster.env(database), PGUSER: OWNER, PGPASSWORD: OWNER_PASSWORD };
}

function scriptEnv(target: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...target,
    ENVIRONMENT: "test",
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    TMPDIR: path.join(tmp, "scratch"),
    RESTIC_CACHE_DIR: path.join(tmp, "restic-cache"),
    ...overrides,
  };
}

function sourceEnv(overrides: Record<string, string> = {}) {
  return scriptEnv(asOwner(source, "torture"), overrides);
}

/** SQL as the database owner, as the application would change its database. */
function ownerPsql(cluster: PgCluster, database: string, sql: string): void {
  const result = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
    input: sql,
    encoding: "utf8",
    env: { ...process.env, ...asOwner(cluster, database) },
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(result.stderr);
}

function expectSuccess(result: ScriptResult): void {
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr}`);
}

function latestSnapshot(): string {
  const all = snapshots(repository, passwordFile).sort((a, b) => a.time.localeCompare(b.time));
  return all[all.length - 1].id;
}

function dumpHeader(id: string): string {
  // Read whole: restic dump killed by a closed pipe would leave its lock behind.
  const result = spawnSync("restic", ["dump", id, "/torture.sql"], {
    encoding: "utf8",
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  return result.stdout.split("\n-- cryo-backup header end")[0];
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** pg_dump --schema-only of the schemas (all when none), without comments and psql meta-commands. */
function normalizedSchema(cluster: PgCluster, database: string, schemas?: string[]): string {
  const args = ["--schema-only", "--no-owner", ...(schemas ?? []).map((s) => `--schema=${quoted(s)}`)];
  const result = spawnSync("pg_dump", [...args, database], {
    encoding: "utf8",
    env: { ...process.env, ...cluster.env(database) },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("--") && !/^\\(un)?restrict /.test(line))
    .join("\n");
}

/** What the source holds, compared by means independent of the script's fingerprints. */
function contents(cluster: PgCluster, database: string, schemas?: string[]) {
  const inSchemas = schemas
    ? `n.nspname IN (${schemas.map((s) => `'${s.replace(/'/g, "''")}'`).join(",")})`
    : "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'";
  const settings = "SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET row_security = off;";
  const tables = cluster
    .psql(
      database,
      `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n
       ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND ${inSchemas} ORDER BY 1`,
    )
    .split("\n")
    .filter(Boolean);
  const data = Object.fromEntries(
    tables.map((t) => [
      t,
      cluster.psql(
        database,
        `${settings} SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))
         FROM ONLY ${t} t`,
      ),
    ]),
  );
  const sequences = cluster.psql(
    database,
    `SELECT string_agg(format('%I.%I', n.nspname, c.relname) || ' ' ||
       (xpath('/row/v/text()', query_to_xml(format('SELECT last_value || ''/'' || is_called AS v FROM %I.%I',
         n.nspname, c.relname), false, true, '')))[1]::text, E'\\n' ORDER BY n.nspname, c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND ${inSchemas}`,
  );
  const largeObjects = cluster.psql(
    database,
    `SELECT m.oid || ' ' || md5(lo_get(m.oid)) || ' ' || coalesce(obj_description(m.oid, 'pg_largeobject'), '-') || ' ' ||
       coalesce((SELECT string_agg(a.grantee::regrole || ':' || a.privilege_type, ',' ORDER BY 1)
                 FROM aclexplode(m.lomacl) a WHERE a.grantee <> m.lomowner), '-')
     FROM pg_largeobject_metadata m ORDER BY m.oid`,
  );
  return { schema: normalizedSchema(cluster, database, schemas), data, sequences, largeObjects };
}

let sourceContents: ReturnType<typeof contents>;

beforeAll(async () => {
  requireTools(["restic", "psql", "pg_dump", "pg_restore", "jq", "setpriv", `${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-backup-torture-"));
  fs.chmodSync(tmp, 0o755);
  fs.mkdirSync(path.join(tmp, "scratch"));
  source = new PgCluster(path.join(tmp, "source"), "source-secret");
  fresh = new PgCluster(path.join(tmp, "fresh"), "fresh-secret");
  provider = new PgCluster(path.join(tmp, "provider"), "provider-secret");
  for (const cluster of [source, fresh, provider]) cluster.init();
  await source.start();
  await fresh.start([source.port]);
  await provider.start([source.port, fresh.port]);
  // The source as a provider has it: the objects belong to the non-superuser owner.
  source.psql(
    "postgres",
    `${TORTURE_ROLES} ${OWNER_ROLE} GRANT app_owner TO ${OWNER}; CREATE DATABASE torture OWNER ${OWNER};`,
  );
  const load = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
    input: TORTURE_SQL,
    encoding: "utf8",
    env: { ...process.env, ...asOwner(source, "torture") },
    timeout: 120_000,
  });
  if (load.status !== 0) throw new Error(load.stderr);
  provider.psql("postgres", `${OWNER_ROLE} CREATE DATABASE provider OWNER ${OWNER};`);
  provider.psql("provider", PROVIDER_EXTENSIONS);
  repository = path.join(tmp, "repo");
  passwordFile = path.join(tmp, "repo-password");
  fs.writeFileSync(passwordFile, "torture\n");
  restic(repository, passwordFile, ["init"]);
  sourceContents = contents(source, "torture");
}, 180_000);

afterEach(() => {
  // Every restic the script started ended cleanly: none left its lock behind.
  expect(restic(repository, passwordFile, ["list", "locks", "--no-lock"])).toBe("");
});

afterAll(() => {
  for (const cluster of [source, fresh, provider]) cluster?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("a whole-database snapshot of the torture database", () => {
  let id: string;
  beforeAll(async () => {
    expectSuccess(await runScript(["backup"], sourceEnv()));
    id = latestSnapshot();
  });

  test("restores into a new database on the same server, identical to the source", async () => {
    expectSuccess(await runScript(["restore"], scriptEnv(source.env("same_server"))));
    expect(contents(source, "same_server")).toEqual(sourceContents);
  });

  test("a fresh server without the roles: refused and dropped again; with --create-roles identical", async () => {
    const refused = await runScript(["restore"], scriptEnv(fresh.env("torture")));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /nothing was committed; database torture, created for this restore, was dropped again/,
    );
    expect(refused.stderr).toMatch(/role "[^"]+" does not exist/);
    expect(fresh.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'torture'")).toBe("0");
    expectSuccess(await runScript(["restore", "--create-roles"], scriptEnv(fresh.env("torture"))));
    expect(contents(fresh, "torture")).toEqual(sourceContents);
  });

  test("a provider-like target (public and extensions exist, non-superuser owner) with --create-roles", async () => {
    expectSuccess(await runScript(["restore", "--create-roles"], scriptEnv(asOwner(provider, "provider"))));
    expect(contents(provider, "provider")).toEqual(sourceContents);
    // The memberships it needed for default privileges were for the transaction only.
    expect(provider.psql("provider", `SELECT pg_has_role('${OWNER}', 'app_owner', 'MEMBER')`)).toBe("f");
  });

  test("--overwrite over a changed copy of the source, large objects included", async () => {
    source.psql("postgres", `CREATE DATABASE copy TEMPLATE torture OWNER ${OWNER};`);
    ownerPsql(
      source,
      "copy",
      `DELETE FROM app.samples WHERE id IN (7, 8, 9); UPDATE app.samples SET notes = 'changed' WHERE id % 100 = 1;
       DROP TABLE app.documents; CREATE TABLE public.extra (x int);
       SELECT lo_from_bytea(0, 'new'); SELECT lo_put(424242, 0, 'changed');`,
    );
    expectSuccess(await runScript(["restore", "--overwrite"], scriptEnv(asOwner(source, "copy"))));
    expect(contents(source, "copy")).toEqual(sourceContents);
  });

  test("the drill passes, comparing checksums, large objects and sequences, and drops its database", async () => {
    const result = await runScript(["drill"], scriptEnv({}, drillEnv()));
    expectSuccess(result);
    expect(result.stderr).toMatch(/9 tables \(rows and checksums\), 3 large objects and 4 sequences match/);
    expect(fresh.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'cryo_drill'")).toBe("0");
  });

  test("the drill names a table whose data differs though its row count matches, and drops its database", async () => {
    // A snapshot whose dump has one byte of one value changed: same rows, different data.
    const tampered = spawnSync(
      "sh",
      [
        "-c",
        `restic dump "$0" /torture.sql | sed 's/^2\\tF2\\t/2\\tF9\\t/' |
         restic backup --stdin --stdin-filename torture.sql --host cryoprotect-test --tag cryoprotect --quiet`,
        id,
      ],
      { env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile }, timeout: 60_000 },
    );
    expect(tampered.status).toBe(0);
    const result = await runScript(["drill"], scriptEnv({}, drillEnv()));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/table "Lab Data"\."Freezer Runs": data differs/);
    expect(fresh.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'cryo_drill'")).toBe("0");
    restic(repository, passwordFile, ["forget", latestSnapshot()]);
  });
});

describe("the drill compares the schemas with the header", () => {
  test("a restored schema the snapshot's header does not list fails the drill, named", async () => {
    expectSuccess(await runScript(["backup"], sourceEnv()));
    const tampered = spawnSync(
      "sh",
      [
        "-c",
        `restic dump latest /torture.sql | sed '/^-- cryo-backup schema\tapp$/d' |
         restic backup --stdin --stdin-filename torture.sql --host cryoprotect-test --tag cryoprotect --quiet`,
      ],
      { env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile }, timeout: 60_000 },
    );
    expect(tampered.status).toBe(0);
    const result = await runScript(["drill"], scriptEnv({}, drillEnv()));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/schema app: restored, not recorded/);
    restic(repository, passwordFile, ["forget", latestSnapshot()]);
  });
});

function drillEnv(): Record<string, string> {
  return {
    DRILL_PGHOST: "127.0.0.1",
    DRILL_PGPORT: String(fresh.port),
    DRILL_PGUSER: PG_SUPERUSER,
    DRILL_PGPASSWORD: fresh.password,
    DRILL_WAIT_SECONDS: "10",
  };
}

describe("backup.schemas (BACKUP_SCHEMAS)", () => {
  test("names are exact: a name in the wrong case fails the backup before any snapshot", async () => {
    const before = snapshots(repository, passwordFile).length;
    const result = await runScript(["backup"], sourceEnv({ BACKUP_SCHEMAS: '["public", "lab data"]' }));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/BACKUP_SCHEMAS names schemas that database torture does not have: "lab data"/);
    expect(snapshots(repository, passwordFile).length).toBe(before);
  });

  test("every schema listed: restores into a new database identical to the source", async () => {
    expectSuccess(await runScript(["backup"], sourceEnv({ BACKUP_SCHEMAS: JSON.stringify(TORTURE_SCHEMAS) })));
    expectSuccess(await runScript(["restore"], scriptEnv(source.env("all_schemas"))));
    expect(contents(source, "all_schemas", TORTURE_SCHEMAS)).toEqual(contents(source, "torture", TORTURE_SCHEMAS));
  });

  const appSchemas = ["public", "app", "Lab Data", "Ünïcode"];
  test("the Supabase setting (public and the app's schemas): lists what it leaves out; restores into the provider", async () => {
    const result = await runScript(["backup"], sourceEnv({ BACKUP_SCHEMAS: JSON.stringify(appSchemas) }));
    expectSuccess(result);
    expect(result.stderr).toMatch(/not in this snapshot \(outside BACKUP_SCHEMAS\): .*extension pgcrypto/);
    const header = dumpHeader(latestSnapshot());
    for (const left of [
      "not-carried\tdefault privileges for role app_owner in every schema",
      "not-carried\textension pgcrypto (in schema extensions)",
      "not-carried\tpublication cryo_changes",
      "not-carried\tschema extensions",
    ])
      expect(header).toContain(`-- cryo-backup ${left}`);
    provider.psql("postgres", `CREATE DATABASE supabase_like OWNER ${OWNER};`);
    provider.psql("supabase_like", PROVIDER_EXTENSIONS);
    expectSuccess(await runScript(["restore", "--create-roles"], scriptEnv(asOwner(provider, "supabase_like"))));
    const restored = contents(provider, "supabase_like", appSchemas);
    const expected = contents(source, "torture", appSchemas);
    expect(restored).toEqual(expected);
  });

  test("the drill of that snapshot passes: the extensions it expects are created on the drill server", async () => {
    const result = await runScript(["drill"], scriptEnv({}, drillEnv()));
    expectSuccess(result);
  });

  test("--overwrite of the Supabase setting over a copy replaces only those schemas", async () => {
    source.psql("postgres", `CREATE DATABASE copy2 TEMPLATE torture OWNER ${OWNER};`);
    ownerPsql(source, "copy2", `DELETE FROM "Ünïcode"."Tâble wïth spaces"; CREATE TABLE app.extra (x int);`);
    expectSuccess(await runScript(["restore", "--overwrite"], scriptEnv(asOwner(source, "copy2"))));
    expect(contents(source, "copy2")).toEqual(sourceContents);
  });

  test("one schema with spaces and unicode in its name", async () => {
    expectSuccess(await runScript(["backup"], sourceEnv({ BACKUP_SCHEMAS: '["Ünïcode"]' })));
    expectSuccess(await runScript(["restore"], scriptEnv(source.env("one_schema"))));
    expect(contents(source, "one_schema", ["Ünïcode"])).toEqual(contents(source, "torture", ["Ünïcode"]));
  });
});

describe("faults", () => {
  test("a restore that fails after the large objects commits nothing: the target is as it was", async () => {
    expectSuccess(await runScript(["backup"], sourceEnv()));
    // Not a relation, so the target counts as empty; the snapshot's publication comes after the large objects.
    source.psql("postgres", `CREATE DATABASE clash OWNER ${OWNER};`);
    source.psql("clash", "CREATE PUBLICATION cryo_changes;");
    const result = await runScript(["restore"], scriptEnv(source.env("clash")));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/failed, nothing was committed: the target database is as it was: .*cryo_changes/);
    expect(source.psql("clash", "SELECT count(*) FROM pg_largeobject_metadata")).toBe("0");
    expect(source.psql("clash", "SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'Lab Data')")).toBe("0");
  });

  test("the target's backend terminated mid-restore: nothing committed, and the message says so", async () => {
    source.psql("postgres", "CREATE DATABASE terminated;");
    const job = startScript(["restore"], scriptEnv(source.env("terminated")));
    await waitFor(
      "the restore to copy the big table",
      60_000,
      () =>
        source.psql(
          "postgres",
          "SELECT count(*) FROM pg_stat_activity WHERE datname = 'terminated' AND query LIKE 'COPY app.samples%'",
        ) === "1",
      20,
    );
    source.psql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'terminated'");
    const result = await job.done;
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing was committed: the target database is as it was/);
    expect(source.psql("terminated", "SELECT count(*) FROM pg_class WHERE relnamespace > 16384")).toBe("0");
    expect(restic(repository, passwordFile, ["list", "locks", "--no-lock"])).toBe("");
  });

  test("two backups at once: each succeeds or fails cleanly, and every snapshot restores verified", async () => {
    const before = new Set(snapshots(repository, passwordFile).map((s) => s.id));
    const results = await Promise.all([runScript(["backup"], sourceEnv()), runScript(["backup"], sourceEnv())]);
    const made = snapshots(repository, passwordFile).filter((s) => !before.has(s.id));
    expect(made.length).toBe(results.filter((r) => r.status === 0).length);
    for (const [i, snapshot] of made.entries()) {
      expectSuccess(await runScript(["restore", "--snapshot", snapshot.id], scriptEnv(source.env(`concurrent_${i}`))));
      expect(contents(source, `concurrent_${i}`)).toEqual(sourceContents);
    }
  });

  test("the database stopped mid-dump: the backup fails and makes no snapshot", async () => {
    const before = snapshots(repository, passwordFile).length;
    const job = startScript(["backup"], sourceEnv());
    await waitFor(
      "the backup to copy the big table",
      60_000,
      () =>
        source.psql(
          "postgres",
          // In key order: COPY (SELECT ... FROM ONLY app.samples ORDER BY id) TO STDOUT.
          "SELECT count(*) FROM pg_stat_activity WHERE datname = 'torture' AND query LIKE 'COPY (SELECT % FROM ONLY app.samples ORDER BY%'",
        ) === "1",
      20,
    );
    source.stop();
    const result = await job.done;
    await source.start();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no snapshot was made/);
    expect(snapshots(repository, passwordFile).length).toBe(before);
    expect(restic(repository, passwordFile, ["check"])).toMatch(/no errors were found/);
  });
});
