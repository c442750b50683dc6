#!/usr/bin/env bash
# Installs what dbshift needs from Debian 12 packages (nothing else is fetched).
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   also the servers and tools the tests use
set -euo pipefail

BUILD_PKGS=(
  cmake g++ make pkg-config
  libpq-dev libsqlite3-dev libpg-query-dev libprotobuf-c-dev libmariadb-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  libssl-dev libzstd-dev zlib1g-dev
)
TEST_PKGS=(
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15 mariadb-server mariadb-client sqlite3
  clang-format clang-tidy
)

pkgs=("${BUILD_PKGS[@]}")
[[ "${1:-}" == "--test" ]] && pkgs+=("${TEST_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}" >&2
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=1800 update -q >&2
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=1800 install -y -q --no-install-recommends "${missing[@]}" >&2
