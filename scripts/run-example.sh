#!/usr/bin/env bash
# Installs the build dependencies, builds dbshift, and migrates the example
# project in examples/ on the embedded SQLite default: status, up, status.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBSHIFT_BUILD_TESTS=OFF -DDBSHIFT_BUILD_BENCH=OFF >/dev/null
cmake --build build -j "$(nproc)" --target dbshift
DBSHIFT="$ROOT/build/src/dbshift/cli/dbshift"

cd examples
rm -f shop.db shop.db.dbshift-lock
echo "== dbshift --env dev status"
"$DBSHIFT" --env dev status
echo
echo "== dbshift --env dev up"
"$DBSHIFT" --env dev up
echo
echo "== dbshift --env dev status"
"$DBSHIFT" --env dev status
