/** The app-like database the backup script tests back up, and the changes made between backups. */

/** A role the dump grants to; it exists in the source cluster only, not on the drill server. */
export const FIXTURE_ROLES = "CREATE ROLE app_reader NOLOGIN;";

export const FIXTURE_SQL = String.raw`
CREATE SCHEMA app;
CREATE TABLE app.users (
  id serial PRIMARY KEY,
  email text UNIQUE NOT NULL,
  created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00',
  profile jsonb
);
INSERT INTO app.users (email, profile)
SELECT 'user' || g || '@example.org', jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 7))
FROM generate_series(1, 2000) g;

CREATE TABLE app.samples (
  id bigint PRIMARY KEY,
  user_id int REFERENCES app.users (id),
  name text NOT NULL,
  notes text,
  data bytea,
  temperature numeric(6, 2),
  tags text[],
  taken_on date
);
INSERT INTO app.samples
SELECT g, 1 + g % 2000, 'sample ' || g,
       CASE WHEN g % 5 = 0 THEN NULL ELSE E'line1\nline2\ttab \\ backslash \u00fc \u2744' END,
       decode(md5(g::text), 'hex'), (g % 400) - 196.5, ARRAY['x', g::text], DATE '2026-01-01' + g % 300
FROM generate_series(1, 5000) g;

CREATE TABLE public.events (
  id bigserial PRIMARY KEY,
  sample_id bigint NOT NULL,
  kind text NOT NULL,
  payload text,
  at timestamptz NOT NULL
);
INSERT INTO public.events (sample_id, kind, payload, at)
SELECT g % 5000 + 1, (ARRAY['freeze', 'thaw', 'move'])[g % 3 + 1], md5(g::text) || md5((g * 7)::text),
       TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '1 second'
FROM generate_series(1, 400000) g;
CREATE INDEX events_at ON public.events (at);

CREATE TABLE public.empty_table (id int);
CREATE VIEW app.sample_counts AS SELECT user_id, count(*) AS n FROM app.samples GROUP BY user_id;
CREATE MATERIALIZED VIEW app.kinds AS SELECT kind, count(*) AS n FROM public.events GROUP BY kind;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.created_at := now(); RETURN NEW; END$$;
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW WHEN (false) EXECUTE FUNCTION app.touch();
GRANT USAGE ON SCHEMA app TO app_reader;
GRANT SELECT ON app.samples, app.users TO app_reader;
ALTER TABLE app.samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY reader_all ON app.samples FOR SELECT TO app_reader USING (true);
ANALYZE;
`;

/**
 * A day's work: new events appended, a few rows edited, a few deleted. New and edited
 * rows are larger than the free space PostgreSQL left in each page, so they are appended
 * at the end of the table; rows that fit into free space all over the table would change
 * the dump (physical order) all over, and restic would upload most of it again.
 */
export const DAILY_CHANGES_SQL = String.raw`
UPDATE public.events SET kind = 'audit', payload = repeat(payload, 3) WHERE id BETWEEN 200001 AND 200040;
INSERT INTO public.events (sample_id, kind, payload, at)
SELECT 1, 'freeze', repeat(md5(g::text), 6), TIMESTAMPTZ '2026-02-01 00:00:00+00' + g * interval '1 second'
FROM generate_series(1, 2000) g;
UPDATE app.users SET profile = profile || '{"v": 2}' WHERE id <= 20;
DELETE FROM app.samples WHERE id > 4990;
`;

export const TINY_SQL = `CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 50) g;`;
