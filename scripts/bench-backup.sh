#!/usr/bin/env bash
# npm run bench:backup: cryo-backup.sh against plain PostgreSQL tools on a pgbench database.
# Prints four figures: backup time against `pg_dump > /dev/null`; bytes an incremental run
# uploads after 1% of the rows changed, against the first run; restore time against a plain
# `psql` restore of the same dump; peak memory (max RSS) of the backup.
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
repo_bytes() { du -sb "$RESTIC_REPOSITORY" | cut -f1; }
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
first_bytes=$(repo_bytes)
first_raw=$(added_before_compression)
dump_bytes=$(restic stats --mode restore-size --json latest | jq .total_size)

# 1% of the rows, spread over the whole table (each day's random updates) ...
psql -X -q -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 42"
incremental_seconds=$(seconds "$SCRIPT" backup)
scattered_bytes=$(($(repo_bytes) - first_bytes))
scattered_raw=$(added_before_compression)
# ... and 1% of the rows in one region (recent rows of an append-mostly table).
psql -X -q -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid > $((rows - rows / 100))"
before=$(repo_bytes)
"$SCRIPT" backup 2>>"$WORK/commands.log"
contiguous_bytes=$(($(repo_bytes) - before))
contiguous_raw=$(added_before_compression)

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
2. incremental upload after changing 1% of the rows, against the first run's $(mb "$first_bytes") ($(mb "$first_raw") before compression):
                      1% spread over the table: $(mb "$scattered_bytes") = $(percent "$scattered_bytes" "$first_bytes") ($(mb "$scattered_raw") = $(percent "$scattered_raw" "$first_raw") before compression)
                      1% in one region:         $(mb "$contiguous_bytes") = $(percent "$contiguous_bytes" "$first_bytes") ($(mb "$contiguous_raw") = $(percent "$contiguous_raw" "$first_raw") before compression)
3. restore time:      cryo-backup.sh restore ${restore_seconds} s   vs  psql --single-transaction of the same dump ${psql_seconds} s
4. peak memory:       $(awk "BEGIN { printf \"%.0f MB\", $peak_kb / 1000 }") max RSS of the backup (largest process: script, pg_dump or restic)
stages, each alone:   restic start (one invocation) ${stage_restic_open} s; fingerprint of the big table ${stage_fingerprint} s;
                      pg_dump -Fc | pg_restore -1 -f - ${stage_dump_via_restore} s; pg_dump | restic backup --stdin ${stage_restic_backup} s;
                      restic dump of the snapshot ${stage_restic_dump} s
REPORT
