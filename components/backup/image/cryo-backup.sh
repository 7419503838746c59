#!/usr/bin/env bash
# cryo-backup.sh: restic backups of the CryoProtect PostgreSQL database.
# Run by the backup CronJobs and by operators. Works with restic 0.14 and newer
# (uses no flag newer than 0.14) and PostgreSQL client 15+.
#
# Usage:
#   cryo-backup.sh backup     pg_dump streamed into restic (daily, incremental by deduplication)
#   cryo-backup.sh full       backup, restic check, forget --prune (GFS retention), copy to secondaries
#   cryo-backup.sh restore [--snapshot ID|latest] [--before TIME] [--overwrite] [--create-roles]
#                             restore a snapshot into the database given by PG* (created if missing)
#   cryo-backup.sh drill      restore the latest snapshot into the throwaway server DRILL_PG* and
#                             compare tables and row counts with those recorded at backup time
#
# Environment:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE   the app database (restore: the target).
#                             Use a session-capable connection (not a transaction-mode pooler).
#   PGCONNECT_TIMEOUT         seconds (default 10)
#   PGOPTIONS                 passed on; pg_dump also gets -c synchronize_seqscans=off (stable row order)
#   PGMAINTENANCE_DATABASE    where restore connects to create a missing target database (default postgres)
#   BACKUP_SCHEMAS            optional, space-separated: dump, count and overwrite only these schemas
#                             (e.g. "public" on Supabase); default: every non-system schema
#   RESTIC_REPOSITORY         primary repository (any restic URL; S3 credentials from the usual AWS_* / IRSA)
#   RESTIC_PASSWORD or RESTIC_PASSWORD_FILE   its password
#   RESTIC_INIT_IF_MISSING    "true": backup/full create missing repositories (default false: fail loudly,
#                             so that a mistyped repository URL never starts a new, empty repository)
#   ENVIRONMENT               required: the stack's environment (metrics label, default host name)
#   BACKUP_HOST               restic --host of every snapshot (default cryoprotect-$ENVIRONMENT); keep it
#                             stable: retention and `latest` group snapshots by host and path
#   RETENTION_DAILY RETENTION_WEEKLY RETENTION_MONTHLY RETENTION_YEARLY   GFS retention (7 4 6 2)
#   CHECK_READ_DATA_SUBSET    share of pack data `full` reads back: "10%" (default), "1/7", "all", or "0"
#                             (structure only)
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
#   TMPDIR                    scratch directory (FIFOs, small files; never the dump) (default /tmp)
#
# Exit status: 0 success, 1 failure (message on stderr), 2 usage or configuration error,
# 3 restore refused because the target database is not empty.
#
# Dump format: plain SQL, uncompressed. restic's content-defined chunks then line up with
# unchanged table data from one day to the next, so only changed regions are uploaded
# (restic compresses them itself); a custom-format or compressed dump changes almost every
# chunk. --no-owner lets the dump be restored by whichever role restores it (managed
# providers, the drill sidecar); grants are kept.
#
# What a snapshot holds: one file /<database>.sql = a header (the roles the dump may
# refer to), pg_dump's output, and a trailer with per-table row counts counted in the
# same exported snapshot as pg_dump (so they match the dump exactly) and an end marker.
# Restore commits only when the end marker arrived, so an incomplete file is never loaded.
#
# No partial snapshots: restic reads the dump from a FIFO whose write end this script also
# holds. restic only sees end-of-file (and only then commits a snapshot) after this script
# has seen pg_dump succeed, written the trailer and closed its end. If pg_dump fails or the
# script is stopped, restic is interrupted first (SIGINT: no snapshot, lock removed); if the
# script is killed, restic gets SIGINT through the parent-death signal. Nothing is spooled
# to disk.
set -Eeuo pipefail -m

readonly SNAPSHOT_TAG=cryoprotect
readonly HEADER_END='-- cryo-backup header end'
readonly END_MARKER='-- cryo-backup end of dump'
readonly ROLE_PREFIX='-- cryo-backup role	'
readonly COUNT_PREFIX='-- cryo-backup count	'
readonly SENTINEL=__cryo_backup_done__
readonly TRAILER_MAX_BYTES=4194304
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
  [[ -z $MODE || -z $WORK ]] || push_run_metrics "$status"
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

# The WHERE clause choosing the schemas whose tables are dumped, counted and overwritten.
schema_condition() {
  if [[ -n ${BACKUP_SCHEMAS:-} ]]; then
    local schema list=""
    for schema in $BACKUP_SCHEMAS; do list+="${list:+,}'${schema//\'/\'\'}'"; done
    printf "n.nspname IN (%s)" "$list"
  else
    printf "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'"
  fi
}

# One line per table (schema.table TAB rows), the tables pg_dump dumps data of.
table_counts_sql() {
  cat <<SQL
SELECT format('%I.%I', n.nspname, c.relname) || E'\t' ||
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM ONLY %I.%I', n.nspname, c.relname),
                                            false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND $(schema_condition)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1;
SQL
}

psql_cmd() { psql -X -w -q -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------- backup

# A repeatable-read session whose exported snapshot pg_dump uses; it counts rows in that
# same snapshot, so the recorded counts are exactly what the dump holds.
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
  pg_dump --help | grep -q -- --restrict-key || return 0
  local key
  key=$({ cat "${RESTIC_PASSWORD_FILE:-/dev/null}" 2>/dev/null || true; printf '%s\n%s' "${RESTIC_PASSWORD:-}" "$PGDATABASE"; } |
    sha256sum | cut -c1-40)
  dump_args+=("--restrict-key=$key")
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

run_backup() {
  require PGDATABASE
  open_repository
  start_snapshot_session
  local snapshot roles dump_status=0 restic_status=0 summary
  session_query "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET row_security = off;
                 SELECT pg_export_snapshot();" >"$WORK/snapshot"
  snapshot=$(<"$WORK/snapshot")
  [[ -n $snapshot ]] || die 1 "could not export a snapshot from the database"
  session_query "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1;" >"$WORK/roles"

  local filename="$PGDATABASE.sql" dump_args=(--format=plain --no-owner "--snapshot=$snapshot")
  restrict_key_args
  local schema
  for schema in ${BACKUP_SCHEMAS:-}; do dump_args+=("--schema=$schema"); done

  mkfifo "$WORK/dump.fifo"
  setpriv --pdeathsig INT restic backup --stdin --stdin-filename "$filename" --host "$BACKUP_HOST" \
    --tag "$SNAPSHOT_TAG" --json <"$WORK/dump.fifo" >"$WORK/backup.json" 2>"$WORK/restic.err" &
  RESTIC_PID=$!
  exec {FEED_FD}>"$WORK/dump.fifo"
  roles=$(sed "s/^/$ROLE_PREFIX/" "$WORK/roles")
  printf '%s\n%s\n' "$roles" "$HEADER_END" | feed || abort_backup "restic stopped: $(first_lines "$WORK/restic.err")"

  log "dumping $PGDATABASE from ${PGHOST:-localhost}:${PGPORT:-5432} into snapshot host $BACKUP_HOST"
  # Synchronized scans would let pg_dump start a table mid-way when another session scans it
  # (the row count here, the app): rows in a different order every day, and less deduplication.
  PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c synchronize_seqscans=off" \
    setpriv --pdeathsig TERM pg_dump -w "${dump_args[@]}" 1>&"$FEED_FD" 2>"$WORK/pg_dump.err" &
  DUMP_PID=$!
  session_query "$(table_counts_sql)" >"$WORK/counts"
  wait "$DUMP_PID" || dump_status=$?
  DUMP_PID=""
  ((dump_status == 0)) || abort_backup "pg_dump failed (exit status $dump_status): $(first_lines "$WORK/pg_dump.err")"
  printf 'COMMIT;\n' >&"$SESSION_IN"
  exec {SESSION_IN}>&-

  {
    printf '\n-- cryo-backup trailer: database %s, snapshot %s, %s tables\n' \
      "$PGDATABASE" "$snapshot" "$(wc -l <"$WORK/counts")"
    sed "s/^/$COUNT_PREFIX/" "$WORK/counts"
    printf '%s\n' "$END_MARKER"
  } | feed || abort_backup "restic stopped: $(first_lines "$WORK/restic.err")"
  exec {FEED_FD}>&-
  wait "$RESTIC_PID" || restic_status=$?
  RESTIC_PID=""
  ((restic_status == 0)) || die 1 "restic backup failed (exit status $restic_status): $(first_lines "$WORK/restic.err")"

  summary=$(jq -c 'select(.message_type == "summary")' "$WORK/backup.json")
  [[ -n $summary ]] || die 1 "restic backup printed no summary"
  BACKUP_SNAPSHOT_ID=$(jq -r .snapshot_id <<<"$summary")
  local added processed
  # restic >= 0.17 reports the compressed size uploaded; 0.14 only the uncompressed size of new blobs.
  added=$(jq -r '.data_added_packed // .data_added' <<<"$summary")
  processed=$(jq -r .total_bytes_processed <<<"$summary")
  log "snapshot $BACKUP_SNAPSHOT_ID: $processed bytes of dump, $added bytes added to the repository," \
    "$(wc -l <"$WORK/counts") tables counted"
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

check_args() {
  local share=${CHECK_READ_DATA_SUBSET:-10%}
  case $share in
    0 | 0%) CHECK_ARGS=() ;;
    all | 100%) CHECK_ARGS=(--read-data) ;;
    *) CHECK_ARGS=("--read-data-subset=$share") ;;
  esac
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

run_full() {
  retention_args
  check_args
  run_backup
  local failures=()
  restic unlock >/dev/null 2>&1 || true # removes stale locks only
  log "checking the repository (${CHECK_ARGS[*]:-structure only})"
  if run_job restic check "${CHECK_ARGS[@]}" >"$WORK/check.log" 2>&1; then
    CHECK_SUCCESS=1
    log "applying retention: ${RETENTION_ARGS[*]}"
    forget_with_retention >"$WORK/forget.log" 2>&1 ||
      failures+=("forget/prune failed: $(tail -n 5 "$WORK/forget.log" | tr '\n' ' ')")
  else
    failures+=("restic check failed, retention not applied: $(tail -n 5 "$WORK/check.log" | tr '\n' ' ')")
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

# Connects to the target, creating the database through the maintenance database if missing.
ensure_target_database() {
  psql_cmd -c 'SELECT 1' >/dev/null 2>"$WORK/target.err" && return 0
  grep -q "database \".*\" does not exist" "$WORK/target.err" ||
    die 1 "cannot connect to the target database: $(first_lines "$WORK/target.err")"
  log "creating database $PGDATABASE"
  psql_cmd -d "${PGMAINTENANCE_DATABASE:-postgres}" -v "db=$PGDATABASE" <<<'CREATE DATABASE :"db";' ||
    die 1 "cannot create database $PGDATABASE"
}

target_relations_sql() {
  cat <<SQL
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND $(schema_condition)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1;
SQL
}

# The statements, run in the restore's transaction, that empty the target schemas.
overwrite_sql() {
  psql_cmd -A -t <<SQL
SELECT format('DROP SCHEMA %I CASCADE;', n.nspname) FROM pg_namespace n
WHERE $(schema_condition) AND NOT EXISTS (SELECT 1 FROM pg_depend d
  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
UNION ALL SELECT 'CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC;'
WHERE EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = 'public' AND $(schema_condition));
SQL
}

# Creates (NOLOGIN) the roles the dump's grants refer to, read from the snapshot's header.
# restic is stopped with SIGINT once the header is read: killed by a closed pipe, it
# would leave its lock behind.
create_missing_roles() { # id path
  local line roles="" header_pid header_fd
  mkfifo "$WORK/header.fifo"
  restic dump "$1" "$2" >"$WORK/header.fifo" 2>/dev/null &
  header_pid=$!
  BACKGROUND_PIDS+=("$header_pid")
  exec {header_fd}<"$WORK/header.fifo"
  while IFS= read -r line <&"$header_fd" && [[ $line == "-- cryo-backup "* && $line != "$HEADER_END" ]]; do
    [[ $line != "$ROLE_PREFIX"* ]] || roles+="${line#"$ROLE_PREFIX"}"$'\n'
  done
  kill -INT "$header_pid" 2>/dev/null || true
  cat <&"$header_fd" >/dev/null
  exec {header_fd}<&-
  wait "$header_pid" || true
  [[ -n $roles ]] || return 0
  psql_cmd -v "roles=$roles" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I NOLOGIN', r) FROM regexp_split_to_table(:'roles', E'\n') AS r
WHERE r <> '' AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SQL
}

# restic dump | psql in one transaction, committed only if the whole file arrived (its last
# line is the end marker). The last bytes are kept in $WORK/trailer for the drill.
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
    cat "$prelude"
    local stream="whole"
    tee "$WORK/trailer.fifo" <"$WORK/dump.fifo" 2>/dev/null || stream="cut" # psql stopped reading
    wait $!
    if [[ $stream == whole && $(tail -n 1 "$WORK/trailer") == "$END_MARKER" ]]; then
      printf 'COMMIT;\n\\echo %s\n' "$COMMITTED"
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
  if [[ -e $WORK/incomplete ]]; then
    local cause="no end-of-dump marker: the dump in it was cut short"
    ((dump_status == 0 || dump_status == 130)) || cause="restic dump failed: $(first_lines "$WORK/dump.err")"
    die 1 "snapshot $id is incomplete ($cause); nothing was restored ($(first_lines "$WORK/psql.err"))"
  fi
  die 1 "restore of snapshot $id failed and was rolled back: $(first_lines "$WORK/psql.err")"
}

# The table counts the snapshot recorded: the lines after the last trailer heading.
recorded_counts() {
  awk -v heading='-- cryo-backup trailer: ' -v prefix="$COUNT_PREFIX" '
    index($0, heading) == 1 { seen = 1; n = 0; next }
    seen && index($0, prefix) == 1 { counts[++n] = substr($0, length(prefix) + 1) }
    END { for (i = 1; i <= n; i++) print counts[i] }' "$WORK/trailer"
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
  ensure_target_database
  psql_cmd -A -t -c "$(target_relations_sql)" >"$WORK/existing" 2>"$WORK/target.err" ||
    die 1 "cannot inspect the target database: $(first_lines "$WORK/target.err")"
  : >"$WORK/prelude"
  if [[ -s $WORK/existing ]]; then
    [[ $overwrite == true ]] ||
      die 3 "target database $PGDATABASE is not empty ($(wc -l <"$WORK/existing") relations, e.g." \
        "$(head -n 3 "$WORK/existing" | tr '\n' ' ')); refusing to restore. Pass --overwrite to replace its schemas."
    log "--overwrite: the schemas of $PGDATABASE are dropped in the restore's transaction"
    overwrite_sql >"$WORK/prelude"
  fi
  [[ $create_roles == false ]] || create_missing_roles "$RESTORE_ID" "$RESTORE_PATH"
  log "restoring snapshot $RESTORE_ID ($RESTORE_PATH) into $PGDATABASE on ${PGHOST:-localhost}:${PGPORT:-5432}"
  stream_restore "$RESTORE_ID" "$RESTORE_PATH" "$WORK/prelude"
  log "restored snapshot $RESTORE_ID into $PGDATABASE"
}

run_drill() {
  require DRILL_PGHOST
  open_repository
  local chosen deadline
  chosen=$(select_snapshot latest "")
  read -r RESTORE_ID RESTORE_PATH <<<"$chosen"
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
  psql_cmd -d postgres -v "db=$PGDATABASE" <<<'DROP DATABASE IF EXISTS :"db"; CREATE DATABASE :"db";' \
    >/dev/null 2>"$WORK/drill.err" || die 1 "cannot create the drill database: $(first_lines "$WORK/drill.err")"
  create_missing_roles "$RESTORE_ID" "$RESTORE_PATH"
  : >"$WORK/prelude"
  log "drill: restoring snapshot $RESTORE_ID into $PGDATABASE on $PGHOST:$PGPORT"
  stream_restore "$RESTORE_ID" "$RESTORE_PATH" "$WORK/prelude"

  recorded_counts | LC_ALL=C sort >"$WORK/recorded"
  psql_cmd -A -t -c "$(table_counts_sql)" | LC_ALL=C sort >"$WORK/restored"
  psql_cmd -d postgres -v "db=$PGDATABASE" <<<'DROP DATABASE IF EXISTS :"db";' >/dev/null 2>&1 ||
    log "warning: could not drop the drill database"
  local differences
  differences=$(LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,2.2 "$WORK/recorded" "$WORK/restored" |
    awk -F '\t' '$2 != $3 { printf "%s: recorded %s, restored %s; ", $1, $2, $3 }')
  [[ -s $WORK/recorded ]] || differences="the snapshot records no table counts; "
  [[ -z $differences ]] ||
    die 1 "drill of snapshot $RESTORE_ID FAILED: ${differences%; }"
  DRILL_SUCCESS=1
  log "drill passed: snapshot $RESTORE_ID restored, $(wc -l <"$WORK/recorded") tables match the recorded row counts"
}

main() {
  (($#)) || usage
  case $1 in
    backup | full | restore | drill) MODE=$1 ;;
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
  esac
  log "done in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $START_TIME }")s"
}

main "$@"
