/**
 * The torture database: what a real CryoProtect (or any Supabase) database can hold and a
 * dump-and-restore path must carry. Written from the list in the restore-correctness issue,
 * independently of how cryo-backup.sh works, so that it tests the script rather than echo it.
 */

/** Cluster-wide roles of the source: an owner whose default privileges name a reader. */
export const TORTURE_ROLES = String.raw`
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE app_reader NOLOGIN;
CREATE ROLE "Report Writer" NOLOGIN;
`;

/** Schemas of the torture database, as BACKUP_SCHEMAS would name them. */
export const TORTURE_SCHEMAS = ["public", "app", "Lab Data", "Ünïcode", "extensions"];

/** The number of rows of the big table: enough that faults land mid-dump and mid-restore. */
export const BIG_TABLE_ROWS = 300_000;

export const TORTURE_SQL = String.raw`
CREATE SCHEMA extensions;
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO PUBLIC;
CREATE SCHEMA app;
CREATE SCHEMA "Lab Data";
CREATE SCHEMA "Ünïcode";
COMMENT ON SCHEMA app IS 'application schema, with a ''quote''';
GRANT USAGE ON SCHEMA app, "Lab Data" TO app_reader;

CREATE TYPE app.mood AS ENUM ('frozen', 'thawed', 'vitrified', 'ünïcode value');
CREATE DOMAIN app.kelvin AS numeric(8, 3) CHECK (VALUE >= 0);
CREATE TYPE app.reading AS (at timestamptz, value double precision, unit text);

-- Every awkward value a row can hold.
CREATE TABLE app."Values" (
  id integer GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 7 CACHE 5) PRIMARY KEY,
  label text,
  "Mixed Case Column" text,
  raw bytea,
  doc json,
  docb jsonb,
  tags text[],
  matrix integer[][],
  amount numeric,
  ratio double precision,
  ratio4 real,
  at timestamptz,
  local_at timestamp,
  day date,
  span interval,
  uid uuid,
  addr inet,
  net cidr,
  mood app.mood,
  temp app.kelvin,
  reading app.reading,
  label_length integer GENERATED ALWAYS AS (length(label)) STORED,
  CHECK (amount IS NULL OR amount <> 13)
);
INSERT INTO app."Values" (label, "Mixed Case Column", raw, doc, docb, tags, matrix, amount, ratio, ratio4, at,
                          local_at, day, span, uid, addr, net, mood, temp, reading) VALUES
  ('', '', '\x'::bytea, '{}', '{}', '{}', '{}', 0, 0, 0, '2026-01-01 00:00:00+00', '2026-01-01', '2026-01-01',
   '0', '00000000-0000-0000-0000-000000000000', '127.0.0.1', '10.0.0.0/8', 'frozen', 0, ROW(NULL, NULL, NULL)),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (E'tab\there\nnewline\r\nCRLF \\ backslash \u0001\u001f control', E'\\.', (SELECT string_agg(set_byte('\x00'::bytea, 0, b), ''::bytea) FROM generate_series(0, 255) b),
   '{"a": [1, 2.50, "x"], "dup": 1, "dup": 2}', '{"ünï": "cödé", "nested": {"k": [null, true]}}', ARRAY['a,b', 'c"d', 'e\f', NULL, ''],
   '{{1,2},{3,4}}', 'NaN', 'Infinity', '-Infinity', 'infinity', '-infinity', 'infinity', '1 year 2 mons 3 days 04:05:06.789',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '::1', '2001:db8::/32', 'ünïcode value', 273.15, ROW('2026-01-01 00:00:00+00', -0.0, 'K')),
  (repeat('long value ', 20000), '-- cryo-backup end of dump', '\xdeadbeef', '"a string"', '[1, "two", null]', ARRAY['COPY x FROM stdin;', 'BEGIN;', 'COMMIT;'],
   '{{0}}', -0.0, -0.0, 1.17549435e-38, '-infinity', '-infinity', '-infinity', '-178000000 years', gen_random_uuid(),
   '192.168.0.1/24', '192.168.0.0/24', 'vitrified', 77.1, ROW('-infinity', 'NaN', E'line\nbreak')),
  (E'BEGIN;\nCOMMIT;\n\\.\nDROP TABLE app."Values";', E'\u2744 \U0001F9CA emoji', '\x00', 'null', 'null', ARRAY[E'\n'], NULL, 123456789012345678901234567890.123456789,
   1e308, 3.4e38, '2000-02-29 23:59:59.999999+14', '1999-12-31 23:59:59.999999', '0001-01-01 BC', '-1 day +1 second', NULL,
   '0.0.0.0/0', '0.0.0.0/0', 'thawed', 0.001, ROW('2026-06-30 12:00:00+02', 1.5, ''));

-- Serial, advanced sequences, and one that counts down.
CREATE TABLE "Lab Data"."Freezer Runs" (
  run_id bigserial PRIMARY KEY,
  "Freezer" text NOT NULL,
  started timestamptz NOT NULL,
  parent_run bigint REFERENCES "Lab Data"."Freezer Runs" (run_id) DEFERRABLE INITIALLY DEFERRED,
  UNIQUE ("Freezer", started)
);
INSERT INTO "Lab Data"."Freezer Runs" ("Freezer", started, parent_run)
SELECT 'F' || (g % 7), TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '1 hour', NULLIF(g - 1, 0)
FROM generate_series(1, 500) g;
SELECT setval(pg_get_serial_sequence('"Lab Data"."Freezer Runs"', 'run_id'), 5000);
CREATE SEQUENCE "Ünïcode"."countdown" INCREMENT BY -3 MINVALUE -1000 MAXVALUE 1000 START WITH 1000 CYCLE;
SELECT nextval('"Ünïcode"."countdown"'), nextval('"Ünïcode"."countdown"');
CREATE SEQUENCE app.unused_seq;

-- Self-referencing and deferrable foreign keys, partial and expression indexes.
CREATE TABLE app.samples (
  id bigint PRIMARY KEY,
  run_id bigint REFERENCES "Lab Data"."Freezer Runs" (run_id),
  name text NOT NULL,
  kind text NOT NULL,
  notes text,
  data bytea,
  replaced_by bigint REFERENCES app.samples (id) DEFERRABLE
);
INSERT INTO app.samples
SELECT g, 1 + g % 500, 'sample ' || g, (ARRAY['cell', 'tissue', 'organ'])[1 + g % 3],
       CASE WHEN g % 11 = 0 THEN NULL WHEN g % 13 = 0 THEN '' ELSE md5(g::text) END,
       decode(md5(g::text), 'hex'), CASE WHEN g > 10 AND g % 10 = 0 THEN g - 10 END
FROM generate_series(1, ${BIG_TABLE_ROWS}) g;
CREATE INDEX samples_lower_name ON app.samples (lower(name));
CREATE INDEX samples_organs ON app.samples (id) WHERE kind = 'organ';
CREATE UNIQUE INDEX samples_name_kind ON app.samples (name, kind);

-- A partitioned table, an empty table, a table without any key.
CREATE TABLE app.measurements (id bigint, taken date NOT NULL, value numeric, PRIMARY KEY (id, taken))
  PARTITION BY RANGE (taken);
CREATE TABLE app.measurements_2025 PARTITION OF app.measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.measurements_2026 PARTITION OF app.measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO app.measurements SELECT g, DATE '2025-06-01' + g % 400, g / 7.0 FROM generate_series(1, 2000) g;
CREATE TABLE app.empty_table (id int, note text);
CREATE TABLE public.keyless (note text, n int);
INSERT INTO public.keyless SELECT 'dup', 1 FROM generate_series(1, 3);
INSERT INTO public.keyless VALUES (NULL, NULL), ('', 0);
CREATE TABLE "Ünïcode"."Tâble wïth spaces" ("çolumn ✓" text PRIMARY KEY);
INSERT INTO "Ünïcode"."Tâble wïth spaces" VALUES ('ä'), ('❄'), ('');

-- Views, a populated materialized view, functions, triggers, a procedure.
CREATE VIEW app.sample_kinds AS SELECT kind, count(*) AS n FROM app.samples GROUP BY kind;
CREATE MATERIALIZED VIEW app.run_sizes AS SELECT run_id, count(*) AS n FROM app.samples GROUP BY run_id;
CREATE UNIQUE INDEX run_sizes_run ON app.run_sizes (run_id);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.notes := coalesce(NEW.notes, '') || ' touched';
  RETURN NEW;
END
$$;
CREATE TRIGGER samples_touch BEFORE UPDATE ON app.samples FOR EACH ROW WHEN (OLD.name = 'never') EXECUTE FUNCTION app.touch();
CREATE FUNCTION "Lab Data".hash_label(label text) RETURNS text LANGUAGE sql IMMUTABLE
  RETURN encode(extensions.digest(label, 'sha256'), 'hex');
CREATE PROCEDURE app.noop() LANGUAGE sql AS $$ SELECT 1 $$;

-- Comments on everything commentable here.
COMMENT ON TABLE app."Values" IS E'every awkward value\nover two lines';
COMMENT ON COLUMN app."Values"."Mixed Case Column" IS 'mixed case';
COMMENT ON FUNCTION app.touch() IS 'trigger function';
COMMENT ON TYPE app.mood IS 'moods';

-- Row-level security with policies.
ALTER TABLE app.samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.samples FORCE ROW LEVEL SECURITY;
CREATE POLICY reader_sees_cells ON app.samples FOR SELECT TO app_reader USING (kind = 'cell');
CREATE POLICY "Writer Policy" ON app.samples FOR ALL TO "Report Writer" USING (true) WITH CHECK (kind <> 'organ');

-- Grants and default privileges for two roles.
GRANT SELECT ON ALL TABLES IN SCHEMA app TO app_reader;
GRANT SELECT, INSERT ON app.samples TO "Report Writer";
GRANT USAGE ON SEQUENCE "Lab Data"."Freezer Runs_run_id_seq" TO "Report Writer";
GRANT EXECUTE ON FUNCTION "Lab Data".hash_label(text) TO app_reader;
REVOKE ALL ON FUNCTION app.touch() FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA "Lab Data" GRANT SELECT, UPDATE ON TABLES TO "Report Writer";
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON FUNCTIONS TO app_reader;
GRANT USAGE ON SCHEMA public TO app_reader;

-- Large objects, with an ACL and a comment.
SELECT lo_from_bytea(424242, convert_to(repeat('large object ✓ ', 1000), 'UTF8'));
SELECT lo_from_bytea(424243, (SELECT string_agg(set_byte('\x00'::bytea, 0, b % 256), ''::bytea) FROM generate_series(0, 70000) b));
SELECT lo_from_bytea(424244, '');
GRANT SELECT ON LARGE OBJECT 424242 TO app_reader;
COMMENT ON LARGE OBJECT 424243 IS 'all byte values';
CREATE TABLE app.documents (id int PRIMARY KEY, content oid);
INSERT INTO app.documents VALUES (1, 424242), (2, 424243), (3, 424244);

-- A publication.
CREATE PUBLICATION cryo_changes FOR TABLE app.samples, "Lab Data"."Freezer Runs";

ANALYZE;
`;
