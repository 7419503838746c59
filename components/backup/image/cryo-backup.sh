#!/usr/bin/env bash
# cryo-backup.sh: restic backups of the CryoProtect PostgreSQL database.
# Run by the backup CronJobs and by operators. Works with restic 0.14 and newer
# (uses no flag newer than 0.14) and PostgreSQL client 15+.
#
# Usage:
#   cryo-backup.sh backup     pg_dump streamed into restic (daily, incremental by deduplication)
#   cryo-backup.sh full       backup, restic check (rotating share) and a read-back of the new snapshot,
#                             forget --prune (GFS retention; only if both and the last drill passed),
#                             copy to secondaries
#   cryo-backup.sh restore [--snapshot ID|latest] [--before TIME] [--overwrite] [--create-roles]
#                             restore a snapshot, in one verified transaction, into the database given
#                             by PG* (created if missing, dropped again if the restore fails)
#   cryo-backup.sh drill      restore the latest snapshot into the throwaway server DRILL_PG* and
#                             compare every table's rows and checksum, the large objects and the
#                             sequences with those recorded at backup time; the result is recorded
#                             in the repository for the next full run
#   cryo-backup.sh snapshots  print the repository's backups as one JSON document on stdout, newest
#                             first: id, time, restored size in bytes, table count (read-only; no metrics)
#
# Environment:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE   the app database (restore: the target).
#                             Use a session-capable connection (not a transaction-mode pooler).
#   PGCONNECT_TIMEOUT         seconds (default 10)
#   PGOPTIONS                 passed on; pg_dump also gets -c synchronize_seqscans=off (stable row order)
#   PGMAINTENANCE_DATABASE    where restore connects to create a missing target database (default postgres)
#   BACKUP_SCHEMAS            optional: back up only these schemas, a JSON array of exact names
#                             (["public", "Lab Data"]) or whitespace-separated names (e.g. "public" on
#                             Supabase); default: the whole database. What they leave out is listed.
#   RESTIC_REPOSITORY         primary repository (any restic URL; S3 credentials from the usual AWS_* / IRSA)
#   RESTIC_PASSWORD or RESTIC_PASSWORD_FILE   its password
#   RESTIC_INIT_IF_MISSING    "true": backup/full create missing repositories (default false: fail loudly,
#                             so that a mistyped repository URL never starts a new, empty repository)
#   ENVIRONMENT               required: the stack's environment (metrics label, default host name)
#   BACKUP_HOST               restic --host of every snapshot (default cryoprotect-$ENVIRONMENT); keep it
#                             stable: retention and `latest` group snapshots by host and path
#   RETENTION_DAILY RETENTION_WEEKLY RETENTION_MONTHLY RETENTION_YEARLY   GFS retention (7 4 6 2)
#   CHECK_ROTATION_WEEKS      N of `restic check --read-data-subset=n/N` in `full`, n rotating with the
#                             week: every pack is read at least once every N weeks (default 4)
#   COPY_REPOSITORIES         optional, whitespace-separated name=repository pairs copied to by `full`
#                             (name: [a-z0-9_-]+, the `target` label of the copy metric)
#   COPY_CREDENTIALS_DIR      per target <dir>/<name>/password (default: the primary password) and
#                             <dir>/<name>/env (KEY=VALUE lines exported for that target's restic only)
#                             (default /etc/cryo-backup/copy)
#   DRILL_PGHOST DRILL_PGPORT DRILL_PGUSER DRILL_PGPASSWORD DRILL_PGDATABASE DRILL_PGSSLMODE
#                             the throwaway server of `drill` (defaults: -, 5432, postgres, -, cryo_drill, prefer)
#   DRILL_WAIT_SECONDS        how long `drill` waits for that server to accept connections (default 120)
#   PUSHGATEWAY_URL           optional: metrics are POSTed to
#                             $PUSHGATEWAY_URL/metrics/job/$PUSHGATEWAY_JOB/mode/<mode>
#   PUSHGATEWAY_JOB           default cryoprotect_backup
#   TMPDIR                    scratch directory (FIFOs, the schema section; never table data) (default /tmp)
#
# Exit status: 0 success, 1 failure (message on stderr), 2 usage or configuration error,
# 3 restore refused because the target database is not empty.
#
# Dump format: plain SQL, uncompressed. restic's content-defined chunks then line up with
# unchanged table data from one day to the next, so only changed regions are uploaded
# (restic compresses them itself). --no-owner lets the dump be restored by whichever role
# restores it (managed providers, the drill sidecar); grants are kept.
#
# What a snapshot holds: one file /<database>.sql (format 2) = a header (mode, schemas,
# roles, default-privilege roles, what it does not carry), CREATE SCHEMA IF NOT EXISTS of
# its schemas, the SQL pg_restore --single-transaction writes from pg_dump's pre-data,
# data and post-data sections (so no BEGIN/COMMIT inside it), with the rows of every table
# that has a primary key (or a unique NOT NULL index) written in that key's order by a COPY in
# the same snapshot instead of pg_dump's physical order (stable chunks for restic), and a trailer with the
# fingerprint taken in the same exported snapshot as pg_dump (per table rows and checksum,
# per large object md5, per sequence its position before and after the dump) and an end
# marker. Restore commits only when the end marker arrived and the verification passed.
#
# No partial snapshots: restic reads the dump from a FIFO whose write end this script also
# holds. restic only sees end-of-file (and only then commits a snapshot) after this script
# has seen pg_dump succeed, written the trailer and closed its end. If pg_dump fails or the
# script is stopped, restic is interrupted first (SIGINT: no snapshot, lock removed); if the
# script is killed, restic gets SIGINT through the parent-death signal. Only the schema
# (pre-data section) is spooled to TMPDIR; table data is streamed.
set -Eeuo pipefail -m

readonly SNAPSHOT_TAG=cryoprotect
readonly TABLES_TAG_PREFIX=tables=
readonly DRILL_RECORD_TAG=cryoprotect-drill
readonly HEADER_END='-- cryo-backup header end'
readonly END_MARKER='-- cryo-backup end of dump'
readonly HEADER_PREFIX='-- cryo-backup '
readonly FORMAT_LINE='-- cryo-backup format 2'
readonly ROLE_PREFIX='-- cryo-backup role	'
readonly COUNT_PREFIX='-- cryo-backup count	'
readonly LARGE_OBJECT_PREFIX='-- cryo-backup large-object	'
readonly SEQUENCE_PREFIX='-- cryo-backup sequence	'
readonly SENTINEL=__cryo_backup_done__
readonly TRAILER_MAX_BYTES=16777216
readonly COMMITTING=__cryo_backup_committing__
readonly COMMITTED=__cryo_backup_committed__

MODE=""
WORK=""
METRIC_ENVIRONMENT=unknown
START_TIME=$EPOCHREALTIME
CHECK_SUCCESS=0
DRILL_SUCCESS=0
SUCCESS_METRICS=()
BACKGROUND_PIDS=()
RESTIC_PID=""
DUMP_PID=""
FEED_FD=""
DRILL_RECORD=false
DRILL_DATABASE=""
CREATED_DATABASE=false
RESTORE_ID=""

log() { printf '%s cryo-backup %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${MODE:-?}" "$*" >&2; }
die() {
  local code=$1
  shift
  log "ERROR: $*"
  exit "$code"
}
usage() {
  sed -n '2,/^set -/p' "$0" | sed -e '/^set -/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}
redact() { sed -E 's#(://)[^/@]*@#\1***@#' <<<"$1"; }
first_lines() { head -c 2000 "$1" | tr '\n' ' '; }

# ---------------------------------------------------------------- metrics

gauge() { # name value [labels]
  printf '# TYPE %s gauge\n%s{environment="%s"%s} %s\n' "$1" "$1" "$METRIC_ENVIRONMENT" "${3:+,$3}" "$2"
}

push_metrics() { # file grouping-path
  [[ -n ${PUSHGATEWAY_URL:-} ]] || return 0
  local url="${PUSHGATEWAY_URL%/}/metrics/job/${PUSHGATEWAY_JOB:-cryoprotect_backup}/$2" err
  if ! err=$(curl --silent --show-error --fail --max-time 15 --retry 2 --data-binary "@$1" "$url" 2>&1); then
    log "warning: could not push metrics to $url: $err"
  fi
}

push_run_metrics() { # exit-status
  local now file="$WORK/run.prom"
  now=$(date +%s)
  {
    gauge cryoprotect_backup_last_run_timestamp_seconds "$now"
    gauge cryoprotect_backup_success "$(($1 == 0))"
    gauge cryoprotect_backup_duration_seconds "$(awk "BEGIN { printf \"%.3f\", $EPOCHREALTIME - $START_TIME }")"
    [[ $MODE != full ]] || gauge cryoprotect_backup_check_success "$CHECK_SUCCESS"
    [[ $MODE != drill ]] || gauge cryoprotect_backup_drill_success "$DRILL_SUCCESS"
    if (($1 == 0)); then
      gauge cryoprotect_backup_last_success_timestamp_seconds "$now"
      ((${#SUCCESS_METRICS[@]} == 0)) || printf '%s\n' "${SUCCESS_METRICS[@]}"
    fi
  } >"$file"
  push_metrics "$file" "mode/$MODE"
}

record_repository_metrics() {
  local stats size count
  stats=$(restic stats --mode raw-data --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" --json)
  size=$(jq -r .total_size <<<"$stats")
  count=$(jq -r .snapshots_count <<<"$stats")
  SUCCESS_METRICS+=("$(gauge cryoprotect_backup_repository_size_bytes "$size")")
  SUCCESS_METRICS+=("$(gauge cryoprotect_backup_snapshot_count "$count")")
  log "repository: $count snapshots of $BACKUP_HOST, $size bytes"
}

# ---------------------------------------------------------------- processes

# Stops what is still running: restic first (SIGINT: it removes its lock and, waiting for
# end-of-file, never commits), then pg_dump and any other job (each its own process group).
stop_children() {
  local pid deadline=$((SECONDS + 30))
  [[ -z $RESTIC_PID ]] || kill -INT "$RESTIC_PID" 2>/dev/null || true
  for pid in $DUMP_PID "${BACKGROUND_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in $RESTIC_PID $DUMP_PID "${BACKGROUND_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}

on_exit() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  stop_children
  drop_drill_database
  [[ $MODE != drill || $DRILL_RECORD != true ]] || record_drill_result "$status"
  [[ -z $MODE || -z $WORK || $MODE == snapshots ]] || push_run_metrics "$status"
  [[ -z $WORK ]] || rm -rf "$WORK"
  ((status == 0)) || log "failed (exit status $status)"
  exit "$status"
}

# Runs a long command as a job, so that SIGTERM is handled at once (not after the command).
run_job() {
  "$@" &
  BACKGROUND_PIDS+=($!)
  wait $!
}

# ---------------------------------------------------------------- configuration

require() {
  local name
  for name in "$@"; do [[ -n ${!name:-} ]] || die 2 "$name is not set"; done
}

load_common_config() {
  require ENVIRONMENT
  [[ $ENVIRONMENT =~ ^[A-Za-z0-9_.-]+$ ]] || die 2 "ENVIRONMENT must match [A-Za-z0-9_.-]+"
  METRIC_ENVIRONMENT=$ENVIRONMENT
  require RESTIC_REPOSITORY
  [[ -n ${RESTIC_PASSWORD:-}${RESTIC_PASSWORD_FILE:-} ]] || die 2 "RESTIC_PASSWORD or RESTIC_PASSWORD_FILE is not set"
  [[ -z ${RESTIC_PASSWORD_FILE:-} || -r $RESTIC_PASSWORD_FILE ]] ||
    die 2 "RESTIC_PASSWORD_FILE $RESTIC_PASSWORD_FILE is not readable"
  BACKUP_HOST=${BACKUP_HOST:-cryoprotect-$ENVIRONMENT}
  export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}
  local tool
  for tool in restic psql pg_dump jq curl setpriv; do
    command -v "$tool" >/dev/null || die 2 "$tool is not installed"
  done
}

# Verifies the repository can be opened with the password (listing this host's snapshots
# into $WORK/snapshots.json); creates it only when allowed.
open_repository() {
  local err="$WORK/open.err" where
  where=$(redact "$RESTIC_REPOSITORY")
  restic snapshots --json --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" >"$WORK/snapshots.json" 2>"$err" && return 0
  if grep -q 'wrong password' "$err"; then
    die 1 "wrong password for the restic repository $where (or no key matches it)"
  fi
  if grep -qE 'Is there a repository|repository does not exist' "$err"; then
    if [[ ${RESTIC_INIT_IF_MISSING:-false} == true && ($MODE == backup || $MODE == full) ]]; then
      log "no repository at $where yet: creating it"
      restic init >/dev/null
      printf '[]\n' >"$WORK/snapshots.json"
      return 0
    fi
    die 1 "there is no restic repository at $where (create it with 'restic init' or RESTIC_INIT_IF_MISSING=true)"
  fi
  die 1 "cannot open the restic repository $where: $(first_lines "$err")"
}

# The schemas of BACKUP_SCHEMAS: a JSON array of exact names (["public", "Lab Data"]), or
# whitespace-separated names. Names are exact and case-sensitive (never folded).
parse_schemas() {
  SCHEMAS=()
  local raw=${BACKUP_SCHEMAS:-}
  [[ -n ${raw//[[:space:]]/} ]] || return 0
  if [[ $raw =~ ^[[:space:]]*\[ ]]; then
    jq -e 'type == "array" and length > 0 and all(.[]; type == "string" and length > 0 and (test("\n") | not))' \
      <<<"$raw" >/dev/null 2>&1 ||
      die 2 "BACKUP_SCHEMAS must be a JSON array of non-empty schema names, not '$raw'"
    mapfile -t SCHEMAS < <(jq -r '.[]' <<<"$raw")
  else
    read -r -a SCHEMAS <<<"$raw"
  fi
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

schema_values() { # ('a'),('b') of SCHEMAS
  local schema list=""
  for schema in "${SCHEMAS[@]}"; do list+="${list:+,}($(sql_literal "$schema"))"; done
  printf '%s' "$list"
}

# A pg_dump pattern that matches exactly this name (double quotes: no case folding, no wildcards).
exact_pattern() { printf '"%s"' "${1//\"/\"\"}"; }

# The WHERE clause choosing the schemas whose tables are dumped, counted and overwritten.
schema_condition() {
  if ((${#SCHEMAS[@]})); then
    local schema list=""
    for schema in "${SCHEMAS[@]}"; do list+="${list:+,}$(sql_literal "$schema")"; done
    printf "n.nspname IN (%s)" "$list"
  else
    printf "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'"
  fi
}

readonly NOT_EXTENSION_MEMBER="NOT EXISTS (SELECT 1 FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"

# Output settings under which a row's text (and so its checksum) is the same on every server.
readonly FINGERPRINT_SETTINGS="SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';
SET extra_float_digits = 1; SET bytea_output = 'hex'; SET row_security = off;"

# Per table of the dump: name TAB rows TAB checksum (the sum of the 64-bit hashes of every row's
# text, independent of row order; hashtextextended is PostgreSQL's own text hash, stable across
# versions because hash partitions depend on it, and 4 times faster than md5), the fingerprint
# the trailer records and the drill compares.
table_fingerprints_sql() {
  cat <<SQL
SELECT format('%I.%I', n.nspname, c.relname) || E'\t' || (xpath('/row/n/text()', x))[1]::text
       || E'\t' || (xpath('/row/s/text()', x))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
LATERAL query_to_xml(format('SELECT count(*) AS n, coalesce(sum(hashtextextended(t::text, 0)), 0) AS s
                             FROM ONLY %I.%I t', n.nspname, c.relname), false, true, '') x
WHERE c.relkind = 'r' AND $(schema_condition) AND $NOT_EXTENSION_MEMBER
ORDER BY 1;
SQL
}

# Per large object: oid TAB md5 of its data.
large_object_fingerprints_sql() {
  printf '%s\n' "SELECT oid::text || E'\t' || md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid;"
}

# Per sequence of the dump: name TAB the value its next nextval() would return.
sequence_positions_sql() {
  cat <<SQL
SELECT format('%I.%I', n.nspname, c.relname) || E'\t' || (xpath('/row/p/text()', x))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid,
LATERAL query_to_xml(format('SELECT CASE WHEN is_called THEN last_value + %s ELSE last_value END AS p FROM %I.%I',
                            s.seqincrement, n.nspname, c.relname), false, true, '') x
WHERE $(schema_condition) AND $NOT_EXTENSION_MEMBER
ORDER BY 1;
SQL
}

# The tables (and partitioned tables) pg_dump must dump: oid per line.
selected_tables_sql() {
  printf '%s\n' "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND $(schema_condition) AND $NOT_EXTENSION_MEMBER ORDER BY 1;"
}

# What a schema-filtered dump cannot carry, one line each, for the header and the log.
not_carried_sql() {
  cat <<SQL
SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n
  WHERE NOT ($(schema_condition)) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_)' AND NOT EXISTS (SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
UNION ALL SELECT 'extension ' || quote_ident(e.extname) || ' (in schema ' || quote_ident(n.nspname) || ')'
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  WHERE e.extname <> 'plpgsql' AND NOT ($(schema_condition))
UNION ALL SELECT 'publication ' || quote_ident(pubname) FROM pg_publication
UNION ALL SELECT 'default privileges for role ' || quote_ident(pg_get_userbyid(defaclrole)) || ' in every schema'
  FROM pg_default_acl WHERE defaclnamespace = 0
UNION ALL SELECT 'event trigger ' || quote_ident(evtname) FROM pg_event_trigger
ORDER BY 1;
SQL
}

psql_cmd() { psql -X -w -q -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------- backup

# A repeatable-read session whose exported snapshot pg_dump uses; it fingerprints the tables in
# that same snapshot, so the recorded counts and checksums are exactly what the dump holds.
start_snapshot_session() {
  coproc SNAPSHOT_SESSION { exec psql -X -w -q -v ON_ERROR_STOP=1 -A -t 2>"$WORK/session.err"; }
  BACKGROUND_PIDS+=("$SNAPSHOT_SESSION_PID")
  SESSION_IN=${SNAPSHOT_SESSION[1]}
  SESSION_OUT=${SNAPSHOT_SESSION[0]}
}

session_query() { # sql; prints the result lines
  printf '%s\n\\echo %s\n' "$1" "$SENTINEL" >&"$SESSION_IN"
  local line
  while IFS= read -r line <&"$SESSION_OUT"; do
    [[ $line != "$SENTINEL" ]] || return 0
    printf '%s\n' "$line"
  done
  die 1 "cannot query database ${PGDATABASE:-} on ${PGHOST:-localhost}:${PGPORT:-5432}: $(first_lines "$WORK/session.err")"
}

feed() { cat 1>&"$FEED_FD"; }

# pg_dump 15.14+ opens its output with a random psql \restrict key, which alone would change
# the first chunk of every dump. A key derived from the repository password and the database
# is as unguessable for the database's contents and keeps that chunk stable.
restrict_key_args() {
  pg_restore --help | grep -q -- --restrict-key || return 0
  local key
  key=$({ cat "${RESTIC_PASSWORD_FILE:-/dev/null}" 2>/dev/null || true; printf '%s\n%s' "${RESTIC_PASSWORD:-}" "$PGDATABASE"; } |
    sha256sum | cut -c1-40)
  script_args+=("--restrict-key=$key")
}

# pg_restore --single-transaction writes no transaction statements inside the script (plain
# pg_dump wraps large-object data in its own BEGIN/COMMIT), only one BEGIN after its header
# and one COMMIT before its footer. Both are removed, so that the restore's own transaction
# holds the whole file; a missing one means the output is not what this script expects.
strip_outer_transaction() {
  awk '
    NR <= 20 && !began && $0 == "BEGIN;" { began = 1; next }
    { if (n >= 10) print held[n % 10]; held[n % 10] = $0; n++ }
    END {
      first = n > 10 ? n - 10 : 0; last = -1
      for (i = first; i < n; i++) if (held[i % 10] == "COMMIT;") last = i
      if (!began || last < 0) { print "cryo-backup: unexpected pg_restore output" > "/dev/stderr"; exit 3 }
      for (i = first; i < n; i++) if (i != last) print held[i % 10]
    }'
}

# The pre-data section (schemas, types, tables, functions, grants; small) is spooled so that
# its table of contents can be edited with pg_restore -L: schemas are created by the header's
# CREATE SCHEMA IF NOT EXISTS instead (a target may already have public, extensions, ...), and
# comments on extensions, which only an extension's owner may set, are left out.
dump_pre_data() {
  pg_dump -w -Fc -Z0 --section=pre-data "${dump_args[@]}" -f "$WORK/pre-data.dump" 2>"$WORK/pg_dump.err" ||
    die 1 "pg_dump failed: $(first_lines "$WORK/pg_dump.err")"
  pg_restore -l "$WORK/pre-data.dump" >"$WORK/toc" 2>"$WORK/pg_restore.err" ||
    die 1 "pg_restore -l failed: $(first_lines "$WORK/pg_restore.err")"
  awk '$4 == "SCHEMA" && $5 == "-" || $4 == "COMMENT" && $5 == "-" && $6 == "EXTENSION" { $0 = ";" $0 } { print }' \
    "$WORK/toc" >"$WORK/toc.restore"
  awk '$4 == "SCHEMA" && $5 == "-" { print $3 }' "$WORK/toc" >"$WORK/schema-oids"
  awk '$4 == "TABLE" && $2 == "1259" { print $3 }' "$WORK/toc" | sort -n >"$WORK/dumped-tables"
}

pre_data_script() {
  pg_restore --single-transaction --no-owner "${script_args[@]}" -L "$WORK/toc.restore" -f - "$WORK/pre-data.dump" |
    strip_outer_transaction
}

# The tables written in key order: every table of the dump with a primary key, or else a unique
# index on NOT NULL columns (no predicate, no expression); one line each: the exact pg_dump
# pattern, then the three statements that write its data (the COPY header pg_dump would write,
# the rows in key order through the key's index, the end-of-data line).
keyed_tables_sql() {
  cat <<SQL
WITH tables AS (
  SELECT c.oid, n.nspname, c.relname,
    (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
    (SELECT i.indexrelid FROM pg_index i
     WHERE i.indrelid = c.oid AND i.indisvalid AND (i.indisprimary OR (i.indisunique AND i.indpred IS NULL
       AND i.indexprs IS NULL AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE k.ord <= i.indnkeyatts AND NOT a.attnotnull)))
     ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1) AS key_index
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND $(schema_condition) AND $NOT_EXTENSION_MEMBER)
SELECT format('"%s"."%s"', replace(t.nspname, '"', '""'), replace(t.relname, '"', '""')) || E'\t' ||
       format('SELECT %L; COPY (SELECT %s FROM ONLY %I.%I ORDER BY %s) TO STDOUT; SELECT %L; SELECT %L;',
              format('COPY %I.%I (%s) FROM stdin;', t.nspname, t.relname, t.columns),
              t.columns, t.nspname, t.relname,
              (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
               FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
               WHERE i.indexrelid = t.key_index AND k.ord <= i.indnkeyatts),
              E'\\\\.', '')
FROM tables t WHERE t.key_index IS NOT NULL AND t.columns IS NOT NULL
ORDER BY t.nspname, t.relname;
SQL
}

# The data of the keyed tables, in key order, in the exported snapshot, with pg_dump's own session
# settings (so the text of every value is what pg_dump writes): psql streams each COPY as it reads
# it, and the planner must use the key's index (no seq scan, no sort), so nothing is buffered.
ordered_table_data() {
  {
    printf "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSET TRANSACTION SNAPSHOT '%s';\n" "$snapshot"
    printf '%s\n' "SET row_security = off; SET DateStyle = ISO; SET IntervalStyle = postgres;" \
      "SET extra_float_digits = 3; SET bytea_output = hex; SET synchronize_seqscans = off;" \
      "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;" \
      "SELECT set_config('client_encoding', pg_encoding_to_char(encoding), false) FROM pg_database WHERE datname = current_database() \\g /dev/null"
    cut -f2- "$WORK/keyed-tables"
    printf 'COMMIT;\n'
  } | setpriv --pdeathsig TERM psql -X -w -q -A -t -v ON_ERROR_STOP=1 -f -
}

# The rest of the data section (tables without a key, in physical order; large objects with their
# ACLs and comments; sequence positions), then indexes, constraints, triggers, policies,
# publications and default privileges: pg_dump's, streamed.
data_and_post_data_script() {
  local excluded=() pattern
  while IFS=$'\t' read -r pattern _; do excluded+=("--exclude-table-data=$pattern"); done <"$WORK/keyed-tables"
  setpriv --pdeathsig TERM pg_dump -w -Fc -Z0 --section=data --section=post-data "${dump_args[@]}" "${excluded[@]}" |
    pg_restore --single-transaction --no-owner "${script_args[@]}" -f - | strip_outer_transaction
}

# Key-ordered data first, then the rest of pg_dump's: one stream into the dump file.
table_data_and_post_data() {
  ordered_table_data && data_and_post_data_script
}

# Interrupts restic before it can see end-of-file, and makes sure no snapshot was left.
abort_backup() { # message
  [[ -z $RESTIC_PID ]] || kill -INT "$RESTIC_PID" 2>/dev/null || true
  [[ -z $DUMP_PID ]] || kill -TERM -- "-$DUMP_PID" 2>/dev/null || true
  wait "$RESTIC_PID" 2>/dev/null || true
  RESTIC_PID=""
  local partial
  partial=$(jq -r 'select(.message_type == "summary") | .snapshot_id // empty' "$WORK/backup.json" 2>/dev/null || true)
  if [[ -n $partial ]]; then
    log "removing snapshot $partial of the failed run"
    restic forget "$partial" >/dev/null || log "warning: could not forget snapshot $partial"
  fi
  die 1 "$1; no snapshot was made"
}

# Header lines: the format, the schemas (and the statements creating them), the roles the
# dump may refer to, the roles of its default privileges, and what the dump does not carry.
write_header() {
  local schemas
  schemas=$(paste -sd, "$WORK/schema-oids")
  {
    printf '%s\n' "$FORMAT_LINE"
    printf '%smode\t%s\n' "$HEADER_PREFIX" "$( ((${#SCHEMAS[@]})) && echo schemas || echo database)"
    sed "s/^/${HEADER_PREFIX}schema\t/" "$WORK/selected-schemas"
    sed "s/^/$ROLE_PREFIX/" "$WORK/roles"
    sed "s/^/${HEADER_PREFIX}default-privileges-role\t/" "$WORK/default-acl-roles"
    sed "s/^/${HEADER_PREFIX}not-carried\t/" "$WORK/not-carried"
    sed "s/^/${HEADER_PREFIX}expected-extension\t/" "$WORK/expected-extensions"
    sed "s/^/${HEADER_PREFIX}physical-order\t/" "$WORK/physical-order"
    printf '%s\n' "$HEADER_END"
    [[ -z $schemas ]] ||
      session_query "SELECT format('CREATE SCHEMA IF NOT EXISTS %I;', nspname) FROM pg_namespace
                     WHERE oid IN ($schemas) ORDER BY nspname;"
  }
}

run_backup() {
  require PGDATABASE
  parse_schemas
  open_repository
  start_snapshot_session
  local snapshot dump_status=0 restic_status=0 summary schema missing
  session_query "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; $FINGERPRINT_SETTINGS
                 SELECT pg_export_snapshot();" >"$WORK/snapshot"
  snapshot=$(<"$WORK/snapshot")
  [[ -n $snapshot ]] || die 1 "could not export a snapshot from the database"
  if ((${#SCHEMAS[@]})); then
    missing=$(session_query "SELECT string_agg(quote_ident(n.nspname), ', ') FROM (VALUES $(schema_values)) n(nspname)
                             WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = n.nspname);")
    [[ -z $missing ]] || die 2 "BACKUP_SCHEMAS names schemas that database $PGDATABASE does not have: $missing" \
      "(names are exact and case-sensitive)"
  fi
  session_query "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1;" >"$WORK/roles"
  session_query "SELECT DISTINCT pg_get_userbyid(defaclrole) FROM pg_default_acl a LEFT JOIN pg_namespace n
                 ON n.oid = a.defaclnamespace WHERE $( ((${#SCHEMAS[@]})) && printf 'n.oid IS NOT NULL AND %s' \
                 "$(schema_condition)" || printf true) ORDER BY 1;" >"$WORK/default-acl-roles"
  : >"$WORK/not-carried"
  : >"$WORK/expected-extensions"
  if ((${#SCHEMAS[@]})); then
    session_query "$(not_carried_sql)" >"$WORK/not-carried"
    # Extensions outside the schemas: the restore creates them where the target server has them.
    session_query "SELECT e.extname || E'\t' || n.nspname FROM pg_extension e JOIN pg_namespace n
                   ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' AND NOT ($(schema_condition)) ORDER BY 1;" \
      >"$WORK/expected-extensions"
  fi
  session_query "$(selected_tables_sql)" >"$WORK/selected-tables"

  local filename="$PGDATABASE.sql" dump_args=(--no-owner "--snapshot=$snapshot") script_args=()
  restrict_key_args
  if ((${#SCHEMAS[@]})); then
    # --blobs: a schema filter would leave the large objects out; --extension: those in the schemas.
    dump_args+=(--blobs)
    for schema in "${SCHEMAS[@]}"; do dump_args+=("--schema=$(exact_pattern "$schema")"); done
    while IFS= read -r schema; do
      [[ -z $schema ]] || dump_args+=("--extension=$(exact_pattern "$schema")")
    done < <(session_query "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname <> 'plpgsql' AND $(schema_condition) ORDER BY 1;")
  fi
  dump_pre_data
  # pg_dump selects with patterns, the fingerprints with SQL: both must mean the same tables.
  if ! diff -q "$WORK/dumped-tables" <(sort -n "$WORK/selected-tables") >/dev/null; then
    die 1 "pg_dump would dump other tables than those counted (oids: $(diff "$WORK/dumped-tables" \
      <(sort -n "$WORK/selected-tables") | grep '^[<>]' | tr '\n' ' ')); no snapshot was made"
  fi
  local schemas
  schemas=$(paste -sd, "$WORK/schema-oids")
  : >"$WORK/selected-schemas"
  [[ -z $schemas ]] || session_query "SELECT nspname FROM pg_namespace WHERE oid IN ($schemas) ORDER BY 1;" \
    >"$WORK/selected-schemas"
  session_query "$(keyed_tables_sql)" >"$WORK/keyed-tables"
  # Tables without a key keep pg_dump's physical order: rewriting them moves all their rows.
  session_query "SELECT format('\"%s\".\"%s\"', replace(n.nspname, '\"', '\"\"'), replace(c.relname, '\"', '\"\"'))
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND $(schema_condition) AND $NOT_EXTENSION_MEMBER;" >"$WORK/data-tables"
  LC_ALL=C comm -13 <(cut -f1 "$WORK/keyed-tables" | LC_ALL=C sort) <(LC_ALL=C sort "$WORK/data-tables") \
    >"$WORK/physical-order"
  if [[ -s $WORK/physical-order ]]; then
    log "in physical order (no primary key or unique NOT NULL index): $(paste -sd ' ' "$WORK/physical-order")"
  fi
  if [[ -s $WORK/not-carried ]]; then
    log "not in this snapshot (outside BACKUP_SCHEMAS): $(paste -sd ';' "$WORK/not-carried" | sed 's/;/; /g')"
  fi

  mkfifo "$WORK/dump.fifo"
  # The table count rides along as a tag, so that listing snapshots needs no read of their data.
  setpriv --pdeathsig INT restic backup --stdin --stdin-filename "$filename" --host "$BACKUP_HOST" \
    --tag "$SNAPSHOT_TAG" --tag "$TABLES_TAG_PREFIX$(wc -l <"$WORK/dumped-tables")" \
    --json <"$WORK/dump.fifo" >"$WORK/backup.json" 2>"$WORK/restic.err" &
  RESTIC_PID=$!
  exec {FEED_FD}>"$WORK/dump.fifo"
  write_header >"$WORK/header"
  feed <"$WORK/header" || abort_backup "restic stopped: $(first_lines "$WORK/restic.err")"
  pre_data_script 2>"$WORK/pg_restore.err" | feed ||
    abort_backup "writing the schema failed: $(first_lines "$WORK/pg_restore.err") $(first_lines "$WORK/restic.err")"

  log "dumping $PGDATABASE from ${PGHOST:-localhost}:${PGPORT:-5432} into snapshot host $BACKUP_HOST"
  session_query "$(sequence_positions_sql)" >"$WORK/sequences.before"
  # Synchronized scans would let pg_dump start a table mid-way when another session scans it
  # (the fingerprints here, the app): rows in a different order every day, and less deduplication.
  PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c synchronize_seqscans=off" \
    table_data_and_post_data 1>&"$FEED_FD" 2>"$WORK/pg_dump.err" &
  DUMP_PID=$!
  session_query "$(table_fingerprints_sql)" >"$WORK/counts"
  session_query "$(large_object_fingerprints_sql)" >"$WORK/large-objects"
  wait "$DUMP_PID" || dump_status=$?
  DUMP_PID=""
  ((dump_status == 0)) || abort_backup "the dump failed (exit status $dump_status): $(first_lines "$WORK/pg_dump.err")"
  session_query "$(sequence_positions_sql)" >"$WORK/sequences.after"
  printf 'COMMIT;\n' >&"$SESSION_IN"
  exec {SESSION_IN}>&-

  {
    printf '\n-- cryo-backup trailer: database %s, snapshot %s, %s tables\n' \
      "$PGDATABASE" "$snapshot" "$(wc -l <"$WORK/counts")"
    sed "s/^/$COUNT_PREFIX/" "$WORK/counts"
    sed "s/^/$LARGE_OBJECT_PREFIX/" "$WORK/large-objects"
    LC_ALL=C join -t $'\t' <(LC_ALL=C sort "$WORK/sequences.before") <(LC_ALL=C sort "$WORK/sequences.after") | sed "s/^/$SEQUENCE_PREFIX/"
    printf '%s\n' "$END_MARKER"
  } | feed || abort_backup "restic stopped: $(first_lines "$WORK/restic.err")"
  exec {FEED_FD}>&-
  wait "$RESTIC_PID" || restic_status=$?
  RESTIC_PID=""
  ((restic_status == 0)) || die 1 "restic backup failed (exit status $restic_status): $(first_lines "$WORK/restic.err")"

  summary=$(jq -c 'select(.message_type == "summary")' "$WORK/backup.json")
  [[ -n $summary ]] || die 1 "restic backup printed no summary"
  BACKUP_SNAPSHOT_ID=$(jq -r .snapshot_id <<<"$summary")
  BACKUP_PATH="/$filename"
  local added
  # restic >= 0.17 reports the compressed size uploaded; 0.14 only the uncompressed size of new blobs.
  added=$(jq -r '.data_added_packed // .data_added' <<<"$summary")
  BACKUP_BYTES=$(jq -r .total_bytes_processed <<<"$summary")
  log "snapshot $BACKUP_SNAPSHOT_ID: $BACKUP_BYTES bytes of dump, $added bytes added to the repository," \
    "$(wc -l <"$WORK/counts") tables and $(wc -l <"$WORK/large-objects") large objects fingerprinted"
  SUCCESS_METRICS+=("$(gauge cryoprotect_backup_bytes_added "$added")")
}

# ---------------------------------------------------------------- full

retention_args() {
  local period variable value
  RETENTION_ARGS=()
  for period in daily:7 weekly:4 monthly:6 yearly:2; do
    variable=RETENTION_${period%%:*}
    variable=${variable^^}
    value=${!variable:-${period#*:}}
    [[ $value =~ ^[0-9]+$ ]] || die 2 "$variable must be a whole number, not '$value'"
    RETENTION_ARGS+=("--keep-${period%%:*}" "$value")
  done
}

forget_with_retention() {
  run_job restic forget --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" --group-by host,paths \
    "${RETENTION_ARGS[@]}" --prune
}

# Runs restic with a copy target as the repository and the primary as the source.
target_restic() { env -u RESTIC_PASSWORD "${TARGET_ENV[@]}" restic "$@"; }

copy_target() { # name repository
  local name=$1 dir="${COPY_CREDENTIALS_DIR:-/etc/cryo-backup/copy}/$1" line password_file=$PRIMARY_PASSWORD_FILE
  [[ ! -r $dir/password ]] || password_file=$dir/password
  TARGET_ENV=("RESTIC_FROM_REPOSITORY=$RESTIC_REPOSITORY" "RESTIC_FROM_PASSWORD_FILE=$PRIMARY_PASSWORD_FILE"
    "RESTIC_REPOSITORY=$2" "RESTIC_PASSWORD_FILE=$password_file")
  if [[ -r $dir/env ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      [[ ! $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || TARGET_ENV+=("$line")
    done <"$dir/env"
  fi
  if ! target_restic cat config >/dev/null 2>"$WORK/copy-$name.err"; then
    if grep -qE 'Is there a repository|repository does not exist' "$WORK/copy-$name.err" &&
      [[ ${RESTIC_INIT_IF_MISSING:-false} == true ]]; then
      log "copy target $name: creating its repository with the primary's chunker parameters"
      target_restic init --copy-chunker-params >/dev/null 2>"$WORK/copy-$name.err" ||
        { cat "$WORK/copy-$name.err" >"$WORK/copy-$name.log" && return 1; }
    else
      cat "$WORK/copy-$name.err" >"$WORK/copy-$name.log"
      return 1
    fi
  fi
  {
    target_restic copy --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" &&
      target_restic forget --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" --group-by host,paths \
        "${RETENTION_ARGS[@]}" --prune
  } >"$WORK/copy-$name.log" 2>&1 &
  BACKGROUND_PIDS+=($!)
  wait $!
}

copy_to_secondaries() { # prints nothing; returns non-zero if any target failed
  local entry name failed=0 file
  [[ -n ${COPY_REPOSITORIES:-} ]] || return 0
  PRIMARY_PASSWORD_FILE=${RESTIC_PASSWORD_FILE:-$WORK/primary-password}
  if [[ -z ${RESTIC_PASSWORD_FILE:-} ]]; then
    (umask 077 && printf '%s' "$RESTIC_PASSWORD" >"$PRIMARY_PASSWORD_FILE")
  fi
  for entry in $COPY_REPOSITORIES; do
    name=${entry%%=*}
    [[ $entry == *=* && $name =~ ^[a-z0-9_-]+$ ]] ||
      die 2 "COPY_REPOSITORIES entries are name=repository with name in [a-z0-9_-]+, not '$entry'"
    log "copying snapshots to $name ($(redact "${entry#*=}"))"
    if copy_target "$name" "${entry#*=}"; then
      file="$WORK/copy-$name.prom"
      gauge cryoprotect_backup_copy_last_success_timestamp_seconds "$(date +%s)" "target=\"$name\"" >"$file"
      push_metrics "$file" "mode/copy/target/$name"
    else
      log "copy to $name failed: $(tail -n 5 "$WORK/copy-$name.log" | tr '\n' ' ')"
      failed=1
    fi
  done
  return "$failed"
}

# restic check reads a different share of the pack data each week: share n of N, n rotating
# with the week number, so that every pack is read at least once every N weeks.
check_args() {
  local rotation=${CHECK_ROTATION_WEEKS:-4} week
  [[ $rotation =~ ^[1-9][0-9]*$ ]] || die 2 "CHECK_ROTATION_WEEKS must be a whole number of weeks >= 1, not '$rotation'"
  week=$(($(date -u +%s) / 604800))
  CHECK_SHARE="$((week % rotation + 1))/$rotation"
  CHECK_ARGS=("--read-data-subset=$CHECK_SHARE")
  ((rotation > 1)) || CHECK_ARGS=(--read-data)
}

# Reads a snapshot's whole file back (restic verifies every blob it loads): prints its size.
read_back() { # id path
  local size
  size=$(restic dump "$1" "$2" 2>"$WORK/read-back.err" | wc -c) && [[ ${PIPESTATUS[0]:-0} == 0 ]] || return 1
  printf '%s\n' "$size"
}

# The newest snapshot of this host that reads back whole, or nothing.
last_good_snapshot() {
  local id path
  restic snapshots --json --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" >"$WORK/all-snapshots.json" 2>/dev/null || return 0
  while IFS=$'\t' read -r id path; do
    if restic dump "$id" "$path" 2>/dev/null | cat >/dev/null && ((PIPESTATUS[0] == 0)); then
      printf '%s\n' "$id"
      return 0
    fi
  done < <(jq -r 'sort_by(.time) | reverse | .[] | [.short_id, .paths[0]] | @tsv' "$WORK/all-snapshots.json")
}

# The drill's result, kept in the repository itself (a tiny snapshot of its own tag, never
# restored, copied or counted), so that the next full run knows it: retention never runs after
# a failed drill.
record_drill_result() { # exit-status
  local result=passed
  (($1 == 0)) || result=failed
  printf '%s %s %s\n' "$result" "$RESTORE_ID" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" |
    restic backup --stdin --stdin-filename drill-result --host "$BACKUP_HOST" --tag "$DRILL_RECORD_TAG" \
      >/dev/null 2>"$WORK/drill-record.err" || log "warning: could not record the drill result: $(first_lines "$WORK/drill-record.err")"
}

# The last recorded drill result ("passed <snapshot> <time>"), or nothing before the first drill.
last_drill_result() {
  restic snapshots --json --host "$BACKUP_HOST" --tag "$DRILL_RECORD_TAG" >"$WORK/drills.json" 2>/dev/null || return 0
  local id
  id=$(jq -r 'sort_by(.time) | last | .id // empty' "$WORK/drills.json")
  [[ -z $id ]] || restic dump "$id" /drill-result 2>/dev/null
}

run_full() {
  retention_args
  check_args
  run_backup
  local failures=() size good
  restic unlock >/dev/null 2>&1 || true # removes stale locks only
  log "checking the repository (structure, and pack data share $CHECK_SHARE)"
  if run_job restic check "${CHECK_ARGS[@]}" >"$WORK/check.log" 2>&1; then
    CHECK_SUCCESS=1
  else
    failures+=("restic check failed: $(grep -iE 'error|fail' "$WORK/check.log" | head -n 5 | tr '\n' ' ')")
  fi
  # The share above is a sample; what the newest snapshot needs is read whole, every week.
  log "reading back snapshot $BACKUP_SNAPSHOT_ID"
  if ! size=$(read_back "$BACKUP_SNAPSHOT_ID" "$BACKUP_PATH"); then
    CHECK_SUCCESS=0
    failures+=("snapshot $BACKUP_SNAPSHOT_ID does not read back: $(first_lines "$WORK/read-back.err")")
  elif [[ $size != "$BACKUP_BYTES" ]]; then
    CHECK_SUCCESS=0
    failures+=("snapshot $BACKUP_SNAPSHOT_ID reads back $size bytes, $BACKUP_BYTES were written")
  fi
  local drill
  drill=$(last_drill_result)
  if [[ $drill == failed* ]]; then
    failures+=("the last restore drill failed (${drill% *}, ${drill##* }): retention not applied until a drill passes")
  elif ((CHECK_SUCCESS)); then
    log "applying retention: ${RETENTION_ARGS[*]}"
    forget_with_retention >"$WORK/forget.log" 2>&1 ||
      failures+=("forget/prune failed: $(tail -n 5 "$WORK/forget.log" | tr '\n' ' ')")
    restic forget --host "$BACKUP_HOST" --tag "$DRILL_RECORD_TAG" --keep-last 10 >/dev/null 2>&1 || true
  fi
  if ((CHECK_SUCCESS == 0)); then
    good=$(last_good_snapshot)
    failures+=("retention not applied; the repository is damaged, the newest snapshot that reads back whole is ${good:-none}: see the RepositoryCheckFailed runbook before the next backup")
  fi
  copy_to_secondaries || failures+=("copy to a secondary repository failed")
  record_repository_metrics
  ((${#failures[@]} == 0)) || die 1 "$(printf '%s; ' "${failures[@]}")"
}

# ---------------------------------------------------------------- restore and drill

# Prints "id path" of the chosen snapshot: an id, latest, or the last one before a time.
select_snapshot() { # id-or-latest before-time
  local id=$1 before=$2 limit line time path
  # An id may name any host's snapshot; latest and --before choose among this host's.
  if [[ $id != latest ]]; then
    restic snapshots --json "$id" >"$WORK/snapshots.json" 2>"$WORK/snapshots.err" ||
      die 1 "no snapshot $id: $(first_lines "$WORK/snapshots.err")"
  fi
  if [[ -n $before ]]; then
    limit=$(date -d "$before" +%s.%N 2>/dev/null) || die 2 "--before: cannot read the time '$before'"
  fi
  local best="" best_time=""
  while IFS=$'\t' read -r id time path; do
    time=$(date -d "$time" +%s.%N)
    if [[ -n $before ]] && ! awk "BEGIN { exit !($time < $limit) }"; then continue; fi
    if [[ -z $best ]] || awk "BEGIN { exit !($time > $best_time) }"; then
      best="$id $path"
      best_time=$time
    fi
  done < <(jq -r '.[] | [.id, .time, .paths[0]] | @tsv' "$WORK/snapshots.json")
  [[ -n $best ]] || die 1 "no snapshot ${1/latest/of host $BACKUP_HOST}${before:+ before $before} in $(redact "$RESTIC_REPOSITORY")"
  printf '%s\n' "$best"
}

# Connects to the target, creating the database through the maintenance database if missing
# (CREATED_DATABASE=true: a failed restore drops it again).
ensure_target_database() {
  CREATED_DATABASE=false
  psql_cmd -c 'SELECT 1' >/dev/null 2>"$WORK/target.err" && return 0
  grep -q "database \".*\" does not exist" "$WORK/target.err" ||
    die 1 "cannot connect to the target database: $(first_lines "$WORK/target.err")"
  log "creating database $PGDATABASE"
  psql_cmd -d "${PGMAINTENANCE_DATABASE:-postgres}" -v "db=$PGDATABASE" <<<'CREATE DATABASE :"db";' ||
    die 1 "cannot create database $PGDATABASE"
  CREATED_DATABASE=true
}

drop_created_database() {
  [[ $CREATED_DATABASE == true ]] || return 0
  if psql_cmd -d "${PGMAINTENANCE_DATABASE:-postgres}" -v "db=$PGDATABASE" <<<'DROP DATABASE IF EXISTS :"db";' \
    >/dev/null 2>&1; then
    printf 'database %s, created for this restore, was dropped again' "$PGDATABASE"
  else
    printf 'database %s was created for this restore and is left empty' "$PGDATABASE"
  fi
}

target_relations_sql() {
  printf '%s\n' "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND $(schema_condition) AND $NOT_EXTENSION_MEMBER
    ORDER BY 1;"
}

# The values of one kind of header line ("-- cryo-backup <key>\t<value>") of $WORK/header.
header_values() { awk -F '\t' -v key="$HEADER_PREFIX$1" '$1 == key { print $2 }' "$WORK/header"; }

# Reads the snapshot's header into $WORK/header (restic is stopped with SIGINT once it is read:
# killed by a closed pipe, it would leave its lock behind), and the settings it records.
read_header() { # id path
  local line header_pid header_fd
  mkfifo "$WORK/header.fifo"
  restic dump "$1" "$2" >"$WORK/header.fifo" 2>/dev/null &
  header_pid=$!
  BACKGROUND_PIDS+=("$header_pid")
  exec {header_fd}<"$WORK/header.fifo"
  : >"$WORK/header"
  while IFS= read -r line <&"$header_fd" && [[ $line == "-- cryo-backup "* && $line != "$HEADER_END" ]]; do
    printf '%s\n' "$line" >>"$WORK/header"
  done
  kill -INT "$header_pid" 2>/dev/null || true
  cat <&"$header_fd" >/dev/null
  exec {header_fd}<&-
  wait "$header_pid" || true
  SNAPSHOT_FORMAT=1
  grep -qxF -e "$FORMAT_LINE" "$WORK/header" && SNAPSHOT_FORMAT=2
  SCHEMAS=()
  if [[ $(header_values mode) == schemas ]]; then mapfile -t SCHEMAS < <(header_values schema); fi
  header_values default-privileges-role >"$WORK/default-acl-roles"
  sed -n "s/^$ROLE_PREFIX//p" "$WORK/header" >"$WORK/roles"
  sed -n "s/^${HEADER_PREFIX}expected-extension\t//p" "$WORK/header" >"$WORK/expected-extensions"
}

# Statements run first in the restore's transaction: the roles it needs, and (--overwrite)
# what it replaces.
write_prelude() { # overwrite create-roles
  local roles memberships
  if [[ $2 == true && -s $WORK/roles ]]; then
    roles=$(<"$WORK/roles")
    psql_cmd -A -t -v "roles=$roles" <<'SQL'
SELECT format('CREATE ROLE %I NOLOGIN;', r) FROM regexp_split_to_table(:'roles', E'\n') AS r
WHERE r <> '' AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
SQL
  fi
  # ALTER DEFAULT PRIVILEGES FOR ROLE r needs membership in r: granted for the transaction only.
  if [[ -s $WORK/default-acl-roles ]]; then
    memberships=$(<"$WORK/default-acl-roles")
    psql_cmd -A -t -v "roles=$memberships" <<'SQL' | tee "$WORK/temporary-memberships"
SELECT format('GRANT %I TO %I;', r, current_user) FROM regexp_split_to_table(:'roles', E'\n') AS r
WHERE r <> '' AND CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
                       THEN NOT pg_has_role(current_user, r, 'MEMBER') ELSE true END;
SQL
  fi
  local extension schema
  while IFS=$'\t' read -r extension schema; do
    printf 'CREATE SCHEMA IF NOT EXISTS %s;\nCREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s;\n' \
      "$(exact_pattern "$schema")" "$(exact_pattern "$extension")" "$(exact_pattern "$schema")"
  done <"$WORK/expected-extensions"
  : >"$WORK/epilogue"
  [[ $1 == true ]] || return 0
  # A schema-filtered snapshot carries no publications: the target's memberships of the tables
  # it replaces are added back to the restored tables of the same name.
  if ((${#SCHEMAS[@]})); then
    psql_cmd -A -t >"$WORK/epilogue" <<SQL
SELECT format('ALTER PUBLICATION %I ADD TABLE ONLY %I.%I;', p.pubname, p.schemaname, p.tablename)
FROM pg_publication_tables p JOIN pg_namespace n ON n.nspname = p.schemaname WHERE $(schema_condition) ORDER BY 1;
SQL
  fi
  # Schemas without extension members are dropped whole; from public and from schemas that hold
  # an extension's objects (which only its owner may drop) every other object is dropped.
  psql_cmd -A -t <<SQL
WITH target AS (
  SELECT n.oid, n.nspname, n.nspname = 'public' OR EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class c
           ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND c.relnamespace = n.oid AND d.deptype = 'e')
         OR EXISTS (SELECT 1 FROM pg_extension e WHERE e.extnamespace = n.oid) AS keep
  FROM pg_namespace n WHERE $(schema_condition) AND NOT EXISTS (SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'))
SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM target WHERE NOT keep
UNION ALL
SELECT format('DROP %s IF EXISTS %I.%I CASCADE;',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, t.nspname, c.relname)
FROM target t JOIN pg_class c ON c.relnamespace = t.oid
WHERE t.keep AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relispartition = false AND $NOT_EXTENSION_MEMBER
UNION ALL
SELECT format('DROP ROUTINE IF EXISTS %s CASCADE;', p.oid::regprocedure)
FROM target t JOIN pg_proc p ON p.pronamespace = t.oid
WHERE t.keep AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                          AND d.deptype = 'e')
UNION ALL
SELECT format('DROP %s IF EXISTS %I.%I CASCADE;', CASE ty.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
              t.nspname, ty.typname)
FROM target t JOIN pg_type ty ON ty.typnamespace = t.oid
WHERE t.keep AND ty.typtype IN ('c', 'd', 'e', 'r') AND (ty.typrelid = 0 OR
      (SELECT relkind FROM pg_class WHERE oid = ty.typrelid) = 'c')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = ty.oid
                                              AND d.deptype = 'e')
UNION ALL
SELECT 'SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata;'
UNION ALL
SELECT format('DROP PUBLICATION %I;', pubname) FROM pg_publication WHERE '$( ((${#SCHEMAS[@]})) && echo schemas)' = '';
SQL
}

# Statements run last in the restore's transaction, before COMMIT: every recorded table, row
# count and large object must be there, else the transaction fails and nothing is changed.
write_verification() {
  local values="" lo_values="" name rows _
  while IFS=$'\t' read -r name rows _; do
    values+="${values:+,}($(sql_literal "$name"),$rows)"
  done < <(recorded_lines "$COUNT_PREFIX")
  while IFS=$'\t' read -r name _; do lo_values+="${lo_values:+,}$name"; done < <(recorded_lines "$LARGE_OBJECT_PREFIX")
  [[ -n $values ]] || values="(NULL::text, NULL::bigint)"
  cat "$WORK/epilogue"
  cat <<SQL
SET row_security = off;
DO \$cryo\$DECLARE r record; got bigint; bad text := ''; BEGIN
  FOR r IN SELECT * FROM (VALUES $values) v(name, n) WHERE name IS NOT NULL ORDER BY 1 LOOP
    IF to_regclass(r.name) IS NULL THEN bad := bad || r.name || ': missing; ';
    ELSE
      EXECUTE 'SELECT count(*) FROM ONLY ' || r.name INTO got;
      IF got <> r.n THEN bad := bad || format('%s: recorded %s rows, restored %s; ', r.name, r.n, got); END IF;
    END IF;
  END LOOP;
  SELECT count(*) INTO got FROM unnest('{$lo_values}'::oid[]) o
    WHERE NOT EXISTS (SELECT 1 FROM pg_largeobject_metadata m WHERE m.oid = o);
  IF got > 0 THEN bad := bad || got || ' large objects missing; '; END IF;
  IF bad <> '' THEN RAISE EXCEPTION 'cryo-backup: the restored database differs from the snapshot: %', bad; END IF;
END\$cryo\$;
SQL
  sed -E 's/^GRANT (.*) TO (.*);$/REVOKE \1 FROM \2;/' "$WORK/temporary-memberships" 2>/dev/null || true
}

# The trailer's lines of one kind (prefix removed), from the last trailer heading on.
recorded_lines() { # prefix
  awk -v heading='-- cryo-backup trailer: ' -v prefix="$1" '
    index($0, heading) == 1 { seen = 1; n = 0; next }
    seen && index($0, prefix) == 1 { lines[++n] = substr($0, length(prefix) + 1) }
    END { for (i = 1; i <= n; i++) print lines[i] }' "$WORK/trailer"
}

# BEGIN; prelude; restic dump of the snapshot; verification; COMMIT: one transaction that
# commits only if the whole file arrived (its last line is the end marker), every statement
# succeeded and the verification found every recorded table, row and large object. The last
# bytes are kept in $WORK/trailer for the verification and the drill.
# restic writes into a FIFO this script also holds open for reading: if psql stops at an
# error, restic blocks instead of dying of a broken pipe, and is stopped with SIGINT so
# that it removes its lock.
stream_restore() { # id path prelude-file
  local id=$1 path=$2 prelude=$3 dump_pid hold_fd restore_status=0 dump_status=0
  mkfifo "$WORK/dump.fifo" "$WORK/trailer.fifo"
  restic dump "$id" "$path" >"$WORK/dump.fifo" 2>"$WORK/dump.err" &
  dump_pid=$!
  BACKGROUND_PIDS+=("$dump_pid")
  exec {hold_fd}<"$WORK/dump.fifo"
  {
    tail -c "$TRAILER_MAX_BYTES" <"$WORK/trailer.fifo" >"$WORK/trailer" &
    printf 'BEGIN;\n'
    cat "$prelude" 2>/dev/null || true # psql may already have stopped
    local stream="whole"
    tee "$WORK/trailer.fifo" <"$WORK/dump.fifo" 2>/dev/null || stream="cut" # psql stopped reading
    wait $!
    if [[ $stream == whole && $(tail -n 1 "$WORK/trailer") == "$END_MARKER" ]]; then
      write_verification
      # psql echoes this only once every statement before it succeeded: from here on, COMMIT is sent.
      printf '\\echo %s\nCOMMIT;\n\\echo %s\n' "$COMMITTING" "$COMMITTED"
    else
      [[ $stream == cut ]] || : >"$WORK/incomplete"
      printf "\\.\nDO \$\$BEGIN RAISE EXCEPTION 'cryo-backup: snapshot %s is incomplete'; END\$\$;\n" "$id"
    fi
  } | psql_cmd -o /dev/null -f - >"$WORK/psql.out" 2>"$WORK/psql.err" &
  BACKGROUND_PIDS+=($!)
  wait $! || restore_status=$?
  grep -qxF "$COMMITTED" "$WORK/psql.out" || restore_status=${restore_status/#0/1}
  ((restore_status == 0)) || kill -INT "$dump_pid" 2>/dev/null || true
  wait "$dump_pid" || dump_status=$?
  exec {hold_fd}<&-
  ((restore_status != 0)) || return 0
  local error unchanged="nothing was committed: the target database is as it was" created
  error=$(grep -v '^psql:.*WARNING:\|^WARNING:\|^NOTICE:\|^HINT:\|^DETAIL:' "$WORK/psql.err" | head -c 2000 | tr '\n' ' ')
  if grep -qxF "$COMMITTING" "$WORK/psql.out"; then
    die 1 "restore of snapshot $id: the connection ended after COMMIT was sent, so whether it was committed is" \
      "unknown; inspect database $PGDATABASE before using it ($error)"
  fi
  created=$(drop_created_database)
  [[ -z $created ]] || unchanged="nothing was committed; $created"
  if [[ -e $WORK/incomplete ]]; then
    local cause="no end-of-dump marker: the dump in it was cut short"
    ((dump_status == 0 || dump_status == 130)) || cause="restic dump failed: $(first_lines "$WORK/dump.err")"
    die 1 "snapshot $id is incomplete ($cause); $unchanged ($error)"
  fi
  die 1 "restore of snapshot $id failed, $unchanged: $error"
}

run_restore() {
  local snapshot=latest before="" overwrite=false create_roles=false
  while (($#)); do
    case $1 in
      --snapshot) snapshot=${2:?--snapshot needs an id or latest} && shift ;;
      --before) before=${2:?--before needs a time} && shift ;;
      --overwrite) overwrite=true ;;
      --create-roles) create_roles=true ;;
      *) usage ;;
    esac
    shift
  done
  require PGDATABASE
  open_repository
  local chosen
  chosen=$(select_snapshot "$snapshot" "$before")
  read -r RESTORE_ID RESTORE_PATH <<<"$chosen"
  read_header "$RESTORE_ID" "$RESTORE_PATH"
  ((SNAPSHOT_FORMAT == 2)) || log "warning: snapshot $RESTORE_ID predates format 2: if it holds large" \
    "objects, its own BEGIN/COMMIT around them commit part of the restore early"
  ensure_target_database
  psql_cmd -A -t -c "$(target_relations_sql)" >"$WORK/existing" 2>"$WORK/target.err" ||
    die 1 "cannot inspect the target database: $(first_lines "$WORK/target.err")"
  if [[ -s $WORK/existing && $overwrite != true ]]; then
    die 3 "target database $PGDATABASE is not empty ($(wc -l <"$WORK/existing") relations, e.g." \
      "$(head -n 3 "$WORK/existing" | tr '\n' ' ')); refusing to restore. Pass --overwrite to replace its schemas."
  fi
  [[ ! -s $WORK/existing ]] || log "--overwrite: the schemas of $PGDATABASE are replaced in the restore's transaction"
  write_prelude "$overwrite" "$create_roles" >"$WORK/prelude" 2>"$WORK/prelude.err" ||
    die 1 "cannot prepare the restore: $(first_lines "$WORK/prelude.err")"
  log "restoring snapshot $RESTORE_ID ($RESTORE_PATH) into $PGDATABASE on ${PGHOST:-localhost}:${PGPORT:-5432}" \
    "in one transaction"
  stream_restore "$RESTORE_ID" "$RESTORE_PATH" "$WORK/prelude"
  log "restored snapshot $RESTORE_ID into $PGDATABASE: $(recorded_lines "$COUNT_PREFIX" | wc -l) tables and" \
    "$(recorded_lines "$LARGE_OBJECT_PREFIX" | wc -l) large objects verified"
}

# Differences between what the snapshot recorded and what the restored database holds.
drill_differences() {
  recorded_lines "$COUNT_PREFIX" | LC_ALL=C sort >"$WORK/recorded"
  psql_cmd -A -t -c "$FINGERPRINT_SETTINGS" -c "$(table_fingerprints_sql)" | LC_ALL=C sort >"$WORK/restored"
  LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,1.3,2.2,2.3 "$WORK/recorded" "$WORK/restored" |
    awk -F '\t' '$2 != $4 { printf "table %s: recorded %s rows, restored %s; ", $1, $2, $4; next }
                 $3 != "missing" && $3 != $5 { printf "table %s: data differs (checksum recorded %s, restored %s); ", $1, $3, $5 }'
  recorded_lines "$LARGE_OBJECT_PREFIX" | LC_ALL=C sort >"$WORK/recorded-lo"
  psql_cmd -A -t -c "$(large_object_fingerprints_sql)" | LC_ALL=C sort >"$WORK/restored-lo"
  LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,2.2 "$WORK/recorded-lo" "$WORK/restored-lo" |
    awk -F '\t' '$2 != $3 { printf "large object %s: recorded %s, restored %s; ", $1, $2, $3 }'
  : >"$WORK/recorded-seq"
  ((SNAPSHOT_FORMAT == 2)) || return 0 # format 1 recorded no schemas and no sequences
  # The schemas: those the header lists (plus public, which every database has, and the schemas of the
  # extensions it expects), no more and no fewer; what the snapshot does not carry stays out.
  { sed -n "s/^${HEADER_PREFIX}schema\t//p" "$WORK/header"; echo public; cut -f2 "$WORK/expected-extensions"; } |
    LC_ALL=C sort -u >"$WORK/recorded-schemas"
  psql_cmd -A -t -c "SELECT nspname FROM pg_namespace n WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname !~ '^pg_(toast|temp_)' AND NOT EXISTS (SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
    UNION SELECT 'public';" | LC_ALL=C sort -u >"$WORK/restored-schemas"
  LC_ALL=C comm -3 "$WORK/recorded-schemas" "$WORK/restored-schemas" |
    awk -F '\t' '$1 != "" { printf "schema %s: recorded, not restored; ", $1 } $2 != "" { printf "schema %s: restored, not recorded; ", $2 }'
  recorded_lines "$SEQUENCE_PREFIX" | LC_ALL=C sort >"$WORK/recorded-seq"
  psql_cmd -A -t -c "$(sequence_positions_sql)" | LC_ALL=C sort >"$WORK/restored-seq"
  # pg_dump reads a sequence outside the snapshot, at some moment between the two recorded reads.
  LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,1.3,2.2 "$WORK/recorded-seq" "$WORK/restored-seq" |
    awk -F '\t' '{ lo = $2 + 0; hi = $3 + 0; if (lo > hi) { t = lo; lo = hi; hi = t } }
                 $4 == "missing" || $2 == "missing" || $4 + 0 < lo || $4 + 0 > hi {
                   printf "sequence %s: recorded %s..%s, restored %s; ", $1, $2, $3, $4 }'
}

drop_drill_database() {
  [[ -n $DRILL_DATABASE ]] || return 0
  psql_cmd -d postgres -v "db=$DRILL_DATABASE" <<<'DROP DATABASE IF EXISTS :"db";' >/dev/null 2>&1 ||
    log "warning: could not drop the drill database $DRILL_DATABASE"
  DRILL_DATABASE=""
}

run_drill() {
  require DRILL_PGHOST
  open_repository
  local chosen deadline
  chosen=$(select_snapshot latest "")
  read -r RESTORE_ID RESTORE_PATH <<<"$chosen"
  DRILL_RECORD=true # from here on, passed or failed, the result is recorded in the repository
  # From here on every connection goes to the throwaway server, never to the app database.
  export PGHOST=$DRILL_PGHOST PGPORT=${DRILL_PGPORT:-5432} PGUSER=${DRILL_PGUSER:-postgres}
  export PGDATABASE=${DRILL_PGDATABASE:-cryo_drill} PGSSLMODE=${DRILL_PGSSLMODE:-prefer}
  unset PGPASSWORD
  [[ -z ${DRILL_PGPASSWORD:-} ]] || export PGPASSWORD=$DRILL_PGPASSWORD
  deadline=$((SECONDS + ${DRILL_WAIT_SECONDS:-120}))
  until pg_isready -q -d postgres; do
    ((SECONDS < deadline)) || die 1 "drill server $PGHOST:$PGPORT not ready after ${DRILL_WAIT_SECONDS:-120}s"
    sleep 1
  done
  read_header "$RESTORE_ID" "$RESTORE_PATH"
  psql_cmd -d postgres -v "db=$PGDATABASE" <<<'DROP DATABASE IF EXISTS :"db"; CREATE DATABASE :"db";' \
    >/dev/null 2>"$WORK/drill.err" || die 1 "cannot create the drill database: $(first_lines "$WORK/drill.err")"
  DRILL_DATABASE=$PGDATABASE # dropped on exit, passed or failed
  write_prelude false true >"$WORK/prelude" 2>"$WORK/prelude.err" ||
    die 1 "cannot prepare the drill: $(first_lines "$WORK/prelude.err")"
  log "drill: restoring snapshot $RESTORE_ID into $PGDATABASE on $PGHOST:$PGPORT"
  stream_restore "$RESTORE_ID" "$RESTORE_PATH" "$WORK/prelude"
  local differences
  differences=$(drill_differences)
  [[ -n $(recorded_lines "$COUNT_PREFIX") ]] || differences="the snapshot records no table fingerprints; "
  drop_drill_database
  [[ -z $differences ]] || die 1 "drill of snapshot $RESTORE_ID FAILED: ${differences%; }"
  DRILL_SUCCESS=1
  log "drill passed: snapshot $RESTORE_ID restored; $(wc -l <"$WORK/recorded") tables (rows and checksums)," \
    "$(wc -l <"$WORK/recorded-lo") large objects and $(wc -l <"$WORK/recorded-seq") sequences match the snapshot"
}

# ---------------------------------------------------------------- snapshots

# The backups of this host, newest first, as JSON: what `cryo-ops backup snapshots` shows.
run_snapshots() {
  restic snapshots --json --host "$BACKUP_HOST" --tag "$SNAPSHOT_TAG" >"$WORK/list.json" 2>"$WORK/restic.err" ||
    die 1 "cannot list snapshots: $(first_lines "$WORK/restic.err")"
  local id
  : >"$WORK/sizes"
  for id in $(jq -r '.[].id' "$WORK/list.json"); do
    restic stats --mode restore-size --json "$id" 2>"$WORK/restic.err" | jq -c --arg id "$id" '{id: $id, size: .total_size}' \
      >>"$WORK/sizes" || die 1 "cannot read the size of snapshot $id: $(first_lines "$WORK/restic.err")"
  done
  jq -n --slurpfile list "$WORK/list.json" --slurpfile sizes "$WORK/sizes" --arg prefix "$TABLES_TAG_PREFIX" --arg host "$BACKUP_HOST" '
    ($sizes | map({(.id): .size}) | add // {}) as $size
    | {host: $host, snapshots: ($list[0] | sort_by(.time) | reverse | map({
        id, short_id, time,
        size_bytes: $size[.id],
        tables: ([(.tags // [])[] | select(startswith($prefix)) | ltrimstr($prefix) | tonumber] | first)
      }))}'
}

main() {
  (($#)) || usage
  case $1 in
    backup | full | restore | drill | snapshots) MODE=$1 ;;
    -h | --help | help) usage ;;
    *) log "unknown mode '$1'" && usage ;;
  esac
  shift
  [[ $MODE == restore || $# -eq 0 ]] || usage
  trap on_exit EXIT
  trap '[[ $BASHPID != "$$" ]] || log "ERROR: \"$BASH_COMMAND\" failed (line $LINENO)"' ERR
  trap 'log "stopped by SIGTERM"; exit 143' TERM
  trap 'log "stopped by SIGINT"; exit 130' INT
  # A write to a pipe whose reader died (restic, psql) must fail the command, not kill the script.
  trap '' PIPE
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cryo-backup.XXXXXX")
  load_common_config
  case $MODE in
    backup)
      run_backup
      record_repository_metrics
      ;;
    full) run_full ;;
    restore) run_restore "$@" ;;
    drill) run_drill ;;
    snapshots) run_snapshots ;;
  esac
  log "done in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $START_TIME }")s"
}

main "$@"
