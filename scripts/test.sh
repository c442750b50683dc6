#!/usr/bin/env bash
# Installs everything, builds, starts the test servers on 127.0.0.1, runs every
# test with ctest (a release build for all engines, then an address+undefined
# sanitizer build for the unit, SQLite and CLI tests), and stops the servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc)"

scripts/install-deps.sh --test

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDBSHIFT_SANITIZE=ON -DDBSHIFT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$JOBS"

trap 'scripts/test-servers.sh stop' EXIT
eval "$(scripts/test-servers.sh start)"
export DBSHIFT_TEST_POSTGRES_URL
export DBSHIFT_REQUIRE_ALL_ENGINES=1

status=0
ctest --test-dir build --output-on-failure -j "$JOBS" || status=1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$JOBS" -L 'unit|sqlite|cli' || status=1
exit $status
