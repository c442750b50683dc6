#!/usr/bin/env bash
# dbshift rehearse on a PostgreSQL database side by side with the same
# rehearsal done by hand with the server's own tools, in one run.
#
#   PGURL=postgres://postgres@127.0.0.1:55433/postgres bench/backup/rehearse_postgres.sh
#   DBSHIFT=/path/to/dbshift ROWS=2000000 ROUNDS=3 JOBS=2 bench/backup/rehearse_postgres.sh
#
# PGURL is an admin URL on 127.0.0.1 (it creates and drops databases); by
# default DBSHIFT_TEST_POSTGRES_URL, which scripts/test-servers.sh start sets.
#
# 1. postgres_fixture.sh makes the source at version 1 (ROWS events,
#    ROWS/10 users, ROWS/4 orders); V2 (a column on events, an index on
#    orders) and its undo U2 are pending.
# 2. ROUNDS rounds; in each, in alternating order:
#      by hand, template: CREATE DATABASE copy TEMPLATE source; psql -1 V2,
#        U2, V2 on the copy; DROP DATABASE copy
#      dbshift rehearse --copy template
#      by hand, dump: pg_dump -Fd -j JOBS; CREATE DATABASE; pg_restore -j
#        JOBS; psql -1 V2, U2, V2; DROP DATABASE
#      dbshift rehearse --copy backup (JOBS connections: cores, at most 4)
#    Each dbshift run must pass, and the source must stay at version 1.
# 3. Prints the median time of each and the median over rounds of
#    dbshift / by hand in the same round, with the range; then dbshift's
#    template copy against its backup copy.
set -euo pipefail

ROWS="${ROWS:-2000000}"
ROUNDS="${ROUNDS:-3}"
JOBS="${JOBS:-2}"
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH_DATABASES="dbshift_bench_copy"
source "$HERE/postgres_fixture.sh"
cat >"$TMP/migrations/V2__note.sql" <<'SQL'
-- dbshift:allow require-concurrent-index-creation
ALTER TABLE events ADD COLUMN note text;
CREATE INDEX orders_placed ON orders (placed_at);
SQL
cat >"$TMP/migrations/U2__note.sql" <<'SQL'
DROP INDEX orders_placed;
ALTER TABLE events DROP COLUMN note;
SQL
COPY_DB=dbshift_bench_copy

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
by_hand_migrations() {
  for script in V2__note.sql U2__note.sql V2__note.sql; do
    psql -X -q -1 -v ON_ERROR_STOP=1 -d "$(url_of $COPY_DB)" -f "$TMP/migrations/$script" >/dev/null
  done
  admin "DROP DATABASE $COPY_DB"
}
rehearse() {
  "$DBSHIFT" --url "$(url_of $SRC)" --dir "$TMP/migrations" --log-dir "$TMP/log" -q \
    --format json rehearse --copy "$1" >"$TMP/rehearse.json"
  grep -Eq '"ok": ?true' "$TMP/rehearse.json" || die "rehearse --copy $1 did not pass"
}
declare -a HAND_TEMPLATE DBSHIFT_TEMPLATE HAND_DUMP DBSHIFT_BACKUP
for ((round = 1; round <= ROUNDS; round++)); do
  order="hand_template dbshift_template hand_dump dbshift_backup"
  ((round % 2)) || order="dbshift_backup hand_dump dbshift_template hand_template"
  for who in $order; do
    t0=$(now)
    case $who in
      hand_template)
        admin "CREATE DATABASE $COPY_DB TEMPLATE $SRC"
        by_hand_migrations;;
      dbshift_template) rehearse template;;
      hand_dump)
        rm -rf "$TMP/dump"
        pg_dump -Fd -j "$JOBS" -f "$TMP/dump" "$(url_of $SRC)"
        admin "CREATE DATABASE $COPY_DB"
        pg_restore -j "$JOBS" -d "$(url_of $COPY_DB)" "$TMP/dump"
        rm -rf "$TMP/dump"
        by_hand_migrations;;
      dbshift_backup) rehearse backup;;
    esac
    t1=$(now)
    case $who in
      hand_template) HAND_TEMPLATE+=($((t1 - t0)));;
      dbshift_template) DBSHIFT_TEMPLATE+=($((t1 - t0)));;
      hand_dump) HAND_DUMP+=($((t1 - t0)));;
      dbshift_backup) DBSHIFT_BACKUP+=($((t1 - t0)));;
    esac
  done
  [[ $(psql -X -At "$(url_of $SRC)" -c "SELECT max(version) FROM dbshift_history") == 1 ]] ||
    die "the source was migrated"
  echo "round $round: template by hand ${HAND_TEMPLATE[-1]} us, dbshift ${DBSHIFT_TEMPLATE[-1]} us;" \
    "dump by hand ${HAND_DUMP[-1]} us, dbshift backup ${DBSHIFT_BACKUP[-1]} us" >&2
done

source "$HERE/paired_report.sh"
echo
echo "PostgreSQL $(psql -X -At "$PGURL" -c 'SHOW server_version'), database $((DB_BYTES / 1000000)) MB" \
  "($ROWS events); $JOBS jobs; $ROUNDS rounds"
echo
echo "| copy | by hand | dbshift rehearse | dbshift / by hand (range) |"
echo "|---|---|---|---|"
summary "template" "${DBSHIFT_TEMPLATE[*]}" "${HAND_TEMPLATE[*]}"
summary "backup (pg_dump -Fd / pg_restore by hand)" "${DBSHIFT_BACKUP[*]}" "${HAND_DUMP[*]}"
echo
echo "| | dbshift --copy backup | dbshift --copy template | template / backup (range) |"
echo "|---|---|---|---|"
summary "rehearse" "${DBSHIFT_TEMPLATE[*]}" "${DBSHIFT_BACKUP[*]}"
