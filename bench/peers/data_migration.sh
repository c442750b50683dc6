#!/usr/bin/env bash
# A data migration written as SQL, many small statements in one script, on
# PostgreSQL: dbshift next to psql running the same SQL (the floor: one round
# trip per statement) and dbmate (which sends a whole file as one query).
#
#   bench/peers/data_migration.sh              # 7 rounds of 5,000 INSERTs
#   ROUNDS=11 ROWS=20000 bench/peers/data_migration.sh
#   DBSHIFT=/path/to/dbshift bench/peers/data_migration.sh
#
# Like run.sh it runs ../shared/peers/setup.sh (as root, idempotent) and uses
# the peers' PostgreSQL on 127.0.0.1:$PEERS_PG_PORT; unless DBSHIFT= is given
# it builds dbshift (Release, build-bench/). Each round runs every contender
# once on a fresh database, in an order rotated every round, and the report
# gives each contender's median time and the median of its per-round ratio
# to the floor. Everything it creates is removed at the end.
set -euo pipefail

ROUNDS="${ROUNDS:-7}"
ROWS="${ROWS:-5000}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$REPO/../shared/peers}"

setup_log="$(mktemp)"
bash "$PEERS_DIR/setup.sh" >"$setup_log" 2>&1 || { cat "$setup_log" >&2; exit 1; }
rm -f "$setup_log"
# shellcheck source=/dev/null
. "$PEERS_DIR/env.sh"
# shellcheck source=SCRIPTDIR/../release_build.sh
source "$REPO/bench/release_build.sh"
release_dbshift
PSQL=/usr/lib/postgresql/15/bin/psql
DBMATE="${DBMATE:-$(command -v dbmate)}"
SERVER="postgres://postgres@127.0.0.1:$PEERS_PG_PORT"
DB="dbshift_bench_$$_data"

work="$(mktemp -d)"
cleanup() {
  "$PSQL" -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The workload: a table, then ROWS single-row INSERTs in one migration.
mkdir -p "$work/dbshift" "$work/dbmate"
create="CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);"
seq 1 "$ROWS" | awk '{printf "INSERT INTO items (id, name) VALUES (%d, '"'"'item %d'"'"');\n", $1, $1}' \
  >"$work/inserts.sql"
echo "$create" >"$work/dbshift/V1__items.sql"
cp "$work/inserts.sql" "$work/dbshift/V2__fill_items.sql"
{ echo "-- migrate:up"; echo "$create"; echo "-- migrate:down"; } >"$work/dbmate/001_items.sql"
{ echo "-- migrate:up"; cat "$work/inserts.sql"; echo "-- migrate:down"; } \
  >"$work/dbmate/002_fill_items.sql"
{ echo "BEGIN;"; echo "$create"; echo "COMMIT;"; echo "BEGIN;"; cat "$work/inserts.sql"
  echo "COMMIT;"; } >"$work/floor.sql"

fresh() {
  "$PSQL" -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
    >/dev/null 2>&1
}
run() {
  case "$1" in
    floor) "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$SERVER/$DB" -f "$work/floor.sql" ;;
    dbshift) "$DBSHIFT" --dir "$work/dbshift" --url "$SERVER/$DB" --log-dir "$work/log" up -q ;;
    dbmate) "$DBMATE" --no-dump-schema --migrations-dir "$work/dbmate" \
      --url "$SERVER/$DB?sslmode=disable" up ;;
  esac >/dev/null
}
check() {
  local rows
  rows="$("$PSQL" -X -q -At -d "$SERVER/$DB" -c "SELECT count(*) FROM items")"
  [[ "$rows" == "$ROWS" ]] || { echo "$1 left $rows rows, not $ROWS" >&2; exit 1; }
}

contenders=(floor dbshift)
[[ -n "$DBMATE" ]] && contenders+=(dbmate)
echo "round ${contenders[*]}" >"$work/times"
for ((round = 0; round < ROUNDS; round++)); do
  declare -A took=()
  for ((k = 0; k < ${#contenders[@]}; k++)); do
    who="${contenders[$(((k + round) % ${#contenders[@]}))]}"
    fresh
    start=$EPOCHREALTIME
    run "$who"
    took[$who]=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    check "$who"
  done
  line="$round"
  for who in "${contenders[@]}"; do line+=" ${took[$who]}"; done
  echo "$line" >>"$work/times"
done

echo "## Data migration: $ROWS single-row INSERTs in one script, PostgreSQL, $ROUNDS rounds"
echo
echo "| contender | median s | median ratio to floor |"
echo "|---|---|---|"
awk 'NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; n = NF; next }
     { for (i = 2; i <= n; i++) { t[i, NR] = $i; r[i, NR] = $i / $2 } rows = NR }
     function median(a, i,   v, k, j, c, tmp) {
       c = 0; for (k = 2; k <= rows; k++) v[++c] = a[i, k]
       for (k = 1; k <= c; k++) for (j = k + 1; j <= c; j++) if (v[j] < v[k]) { tmp = v[k]; v[k] = v[j]; v[j] = tmp }
       return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
     END { for (i = 2; i <= n; i++) printf "| %s | %.3f | %.3f |\n", name[i], median(t, i), median(r, i) }' \
  "$work/times"
echo
echo "Per round (seconds):"
sed 's/^/    /' "$work/times"
