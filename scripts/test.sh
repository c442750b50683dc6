#!/usr/bin/env bash
# Installs everything, builds, starts the test servers on 127.0.0.1, runs every
# test with ctest, and stops the servers:
#  1. a release build: every test, on SQLite, PostgreSQL and MariaDB;
#  2. an address+undefined sanitizer build: every test on SQLite and
#     PostgreSQL, and the MySQL driver's own tests (the MariaDB runs of the
#     other tests already ran in step 1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc)"

scripts/install-deps.sh --test

# The benchmark programs are built (not run) here too, with the same
# warnings as errors, so that a change to the libraries cannot leave them
# broken until the next benchmark run.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBSHIFT_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$JOBS"

ASAN_TARGETS=(dbshift common_test source_test sql_test plan_test config_test log_test lint_test
              exec_test backup_test schema_test schema_engines_test driver_sqlite_test
              driver_postgres_test driver_mysql_test cli_test)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDBSHIFT_SANITIZE=ON -DDBSHIFT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$JOBS" --target "${ASAN_TARGETS[@]}"

trap 'scripts/test-servers.sh stop' EXIT
eval "$(scripts/test-servers.sh start)"
export DBSHIFT_TEST_POSTGRES_URL DBSHIFT_TEST_MYSQL_URL
export DBSHIFT_REQUIRE_ALL_ENGINES=1

status=0
ctest --test-dir build --output-on-failure -j "$JOBS" || status=1
# -E: the MariaDB instances of the parameterised tests ran above.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
ctest --test-dir build-asan --output-on-failure -j "$JOBS" -L 'unit|sqlite|postgres|cli' \
  -E 'GetParam\(\) = "mysql"' || status=1
ctest --test-dir build-asan --output-on-failure -j "$JOBS" -L mysql || status=1
exit $status
