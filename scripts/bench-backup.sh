#!/usr/bin/env bash
# npm run bench:backup: cryo-backup.sh against plain PostgreSQL tools on a pgbench database.
# Prints: backup time against `pg_dump > /dev/null`; the bytes the next backup adds after 1% of the
# rows were appended, updated in one key range, updated scattered, and after a VACUUM FULL, on the
# pgbench database and on one of realistic rows; restore time against a plain `psql` restore of
# the same dump; peak memory (max RSS) of the backup; and the time of each stage alone.
#
# BENCH_SCALE   pgbench scale (default 20: 2 million accounts, a ~260 MB dump)
# BENCH_PORT    port of the throwaway PostgreSQL server on 127.0.0.1 (default 19120)
# Needs PostgreSQL 15 server binaries, restic, jq, setpriv and GNU time (scripts/install-tools.sh).
set -euo pipefail

SCALE=${BENCH_SCALE:-20}
PORT=${BENCH_PORT:-19120}
PG_BIN=/usr/lib/postgresql/15/bin
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPT="$ROOT/components/backup/image/cryo-backup.sh"

for tool in "$PG_BIN/initdb" "$PG_BIN/pgbench" /usr/bin/time restic psql pg_dump jq setpriv; do
  command -v "$tool" >/dev/null || { echo "bench:backup: $tool is missing (run scripts/install-tools.sh)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-backup.XXXXXX")
chmod 755 "$WORK"
as_postgres() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [[ ! -f $WORK/pg/data/postmaster.pid ]] || as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 60 stop >/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/pg" "$WORK/scratch"
((EUID != 0)) || chown postgres: "$WORK/pg"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 60 \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg" start >/dev/null

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=bench PGDATABASE=bench
export ENVIRONMENT=bench RESTIC_REPOSITORY="$WORK/repo" RESTIC_PASSWORD_FILE="$WORK/password"
export TMPDIR="$WORK/scratch" RESTIC_CACHE_DIR="$WORK/cache"
unset PUSHGATEWAY_URL
printf 'bench password\n' >"$WORK/password"
restic init >/dev/null
psql -X -q -d postgres -c 'CREATE DATABASE bench'
echo "bench:backup: pgbench -i -s $SCALE ..." >&2
"$PG_BIN/pgbench" -i -q -s "$SCALE" bench 2>/dev/null

seconds() { # command...: runs it, prints its wall-clock seconds
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>>"$WORK/commands.log"
  awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }"
}
# restic 0.14's data_added of the last backup (before compression), from the script's log line.
added_before_compression() { sed -n 's/.*bytes of dump, \([0-9]*\) bytes added.*/\1/p' "$WORK/commands.log" | tail -n 1; }
mb() { awk "BEGIN { printf \"%.1f MB\", $1 / 1000000 }"; }
percent() { awk "BEGIN { printf \"%.1f%%\", 100 * $1 / $2 }"; }
rows=$((SCALE * 100000))

echo "bench:backup: backups ..." >&2
dump_seconds=$(seconds sh -c 'pg_dump -w > /dev/null')
start=$EPOCHREALTIME
/usr/bin/time -v -o "$WORK/time.txt" "$SCRIPT" backup 2>>"$WORK/commands.log"
backup_seconds=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }")
peak_kb=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
dump_bytes=$(restic stats --mode restore-size --json latest | jq .total_size)
incremental_seconds=$(seconds "$SCRIPT" backup) # unchanged database

# The next backup after each kind of change, on one database in a repository of its own: bytes restic
# adds (before compression: restic 0.14's data_added) as a multiple of the bytes that changed (the
# changed rows' text) and as a share of the first backup.
scenarios() { # database table key set-clause rows
  local db=$1 table=$2 key=$3 set=$4 n=$5 first added max
  local -a lines=()
  export PGDATABASE=$db RESTIC_REPOSITORY="$WORK/repo-$db"
  restic init >/dev/null
  "$SCRIPT" backup 2>>"$WORK/commands.log"
  first=$(added_before_compression)
  row_bytes() { psql -X -At -c "SELECT coalesce(sum(octet_length(t::text)), 0) FROM $table t WHERE $1"; }
  report() { # label changed-bytes
    "$SCRIPT" backup 2>>"$WORK/commands.log"
    added=$(added_before_compression)
    if (($2 > 0)); then
      lines+=("$(printf '  %-38s %9s changed -> %9s added = %6.1fx the change, %5.1f%% of the first backup' "$1" \
        "$(mb "$2")" "$(mb "$added")" "$(awk "BEGIN { print $added / $2 }")" "$(awk "BEGIN { print 100 * $added / $first }")")")
    else
      lines+=("$(printf '  %-38s %9s changed -> %9s added = %5.1f%% of the first backup' "$1" "none" "$(mb "$added")" \
        "$(awk "BEGIN { print 100 * $added / $first }")")")
    fi
  }
  max=$(psql -X -At -c "SELECT max($key) FROM $table")
  psql -X -q -c "INSERT INTO $table SELECT $key + $max, $(psql -X -At -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = '$table'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> '$key'
    AND attidentity = '' AND attgenerated = ''") FROM $table WHERE $key <= $((n / 100))"
  report "(a) 1% rows appended" "$(row_bytes "$key > $max")"
  psql -X -q -c "UPDATE $table SET $set WHERE $key > $max - $((n / 100)) AND $key <= $max"
  report "(b) 1% rows updated in one key range" "$(row_bytes "$key > $max - $((n / 100)) AND $key <= $max")"
  psql -X -q -c "UPDATE $table SET $set WHERE $key % 100 = 42"
  report "(c) 1% rows updated, scattered" "$(row_bytes "$key % 100 = 42")"
  psql -X -q -c "VACUUM FULL $table"
  report "(d) VACUUM FULL, no logical change" 0
  printf '%s: first backup %s before compression\n' "$db" "$(mb "$first")"
  printf '%s\n' "${lines[@]}"
}

echo "bench:backup: incremental scenarios ..." >&2
scenario_bench=$(scenarios bench pgbench_accounts aid "abalance = abalance + 1" "$rows")
# Realistic rows: text, numbers, JSON, timestamps and a secondary index (pgbench's rows are mostly blanks).
psql -X -q -d postgres -c 'CREATE DATABASE bench_real'
real_rows=$((SCALE * 20000))
psql -X -q -d bench_real <<SQL
CREATE TABLE predictions (
  id bigint PRIMARY KEY, molecule text NOT NULL, model text NOT NULL, score numeric(8, 5),
  properties jsonb, created_at timestamptz NOT NULL, notes text);
INSERT INTO predictions
SELECT g, 'C' || (g % 5000) || 'H' || (g % 97) || 'O' || (g % 13), 'model-' || (g % 7), (g % 100000) / 100000.0,
       jsonb_build_object('tm', -40 - g % 60, 'toxicity', (g % 1000) / 1000.0, 'smiles', md5(g::text)),
       TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '7 seconds', repeat(md5((g * 3)::text), 1 + g % 3)
FROM generate_series(1, $real_rows) g;
CREATE INDEX predictions_molecule ON predictions (molecule);
ANALYZE;
SQL
real_dump_seconds=$(PGDATABASE=bench_real seconds sh -c 'pg_dump -w > /dev/null')
RESTIC_REPOSITORY="$WORK/repo-real-timing" restic init >/dev/null
real_backup_seconds=$(PGDATABASE=bench_real RESTIC_REPOSITORY="$WORK/repo-real-timing" seconds "$SCRIPT" backup)
real_next_seconds=$(PGDATABASE=bench_real RESTIC_REPOSITORY="$WORK/repo-real-timing" seconds "$SCRIPT" backup)
scenario_real=$(scenarios bench_real predictions id "score = score + 0.00001" "$real_rows")
export PGDATABASE=bench RESTIC_REPOSITORY="$WORK/repo"

echo "bench:backup: restores ..." >&2
restic dump latest /bench.sql >"$WORK/bench.sql"
psql -X -q -d postgres -c 'CREATE DATABASE plain_restore'
psql_seconds=$(seconds psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d plain_restore -f "$WORK/bench.sql")
rm "$WORK/bench.sql"
restore_seconds=$(seconds env PGDATABASE=script_restore "$SCRIPT" restore)
[[ $(psql -X -At -d script_restore -c 'SELECT count(*) FROM pgbench_accounts') == "$rows" ]] ||
  { echo "bench:backup: the restored database is incomplete" >&2; exit 1; }

# Where the backup's time goes: each stage alone, on the same database.
echo "bench:backup: stages ..." >&2
stage_restic_open=$(seconds restic snapshots --json)
stage_fingerprint=$(seconds psql -X -q -c "SET extra_float_digits = 1; SELECT count(*), sum(hashtextextended(t::text, 0))
  FROM pgbench_accounts t")
stage_dump_via_restore=$(seconds sh -c 'pg_dump -w -Fc -Z0 --section=data | pg_restore --single-transaction -f - > /dev/null')
export RESTIC_REPOSITORY="$WORK/stage-repo"
restic init >/dev/null
stage_restic_backup=$(seconds sh -c 'pg_dump -w | restic backup --stdin --stdin-filename bench.sql')
restore_file="$WORK/stage.sql"
restic dump latest /bench.sql >"$restore_file"
stage_restic_dump=$(seconds sh -c "restic dump latest /bench.sql > /dev/null")
rm -f "$restore_file"

cat <<REPORT
bench:backup, pgbench scale $SCALE ($rows accounts, dump $(mb "$dump_bytes")), $(pg_dump --version | cut -d' ' -f3), $(restic version | cut -d' ' -f1-2)
1. backup time:       cryo-backup.sh backup ${backup_seconds} s (first run), ${incremental_seconds} s (next run)   vs  pg_dump > /dev/null ${dump_seconds} s
2. the next backup after each kind of change (before compression):
$scenario_bench
$scenario_real
   realistic database ($real_rows rows): cryo-backup.sh backup ${real_backup_seconds} s (first run), ${real_next_seconds} s (next run)   vs  pg_dump > /dev/null ${real_dump_seconds} s
3. restore time:      cryo-backup.sh restore ${restore_seconds} s   vs  psql --single-transaction of the same dump ${psql_seconds} s
4. peak memory:       $(awk "BEGIN { printf \"%.0f MB\", $peak_kb / 1000 }") max RSS of the backup (largest process: script, pg_dump or restic)
stages, each alone:   restic start (one invocation) ${stage_restic_open} s; fingerprint of the big table ${stage_fingerprint} s;
                      pg_dump -Fc | pg_restore -1 -f - ${stage_dump_via_restore} s; pg_dump | restic backup --stdin ${stage_restic_backup} s;
                      restic dump of the snapshot ${stage_restic_dump} s
REPORT
