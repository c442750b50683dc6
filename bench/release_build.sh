# shellcheck shell=bash
# Sourced by the bench scripts (which define REPO and die, and may define
# log): the Release build they measure, in BUILD_DIR (default
# <repo>/build-bench).
#
# release_build TARGET...: configures BUILD_DIR as a Release build when it has
# no cache yet, refuses a build of another type (its times would mean
# nothing), and builds the targets with JOBS jobs (default 2: the machine is
# shared); a no-op when they are up to date.
release_build() {
  declare -F log >/dev/null || log() { printf '%s\n' "$*" >&2; }
  BUILD_DIR="${BUILD_DIR:-$REPO/build-bench}"
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    log "configuring a Release build in $BUILD_DIR"
    cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD_DIR/CMakeCache.txt" ||
    die "$BUILD_DIR is not a Release build (set BUILD_DIR, or DBSHIFT for another binary)"
  log "building $* (no-op when up to date; -j${JOBS:-2})"
  cmake --build "$BUILD_DIR" -j"${JOBS:-2}" --target "$@" >/dev/null
}

# release_dbshift: unless DBSHIFT already names a binary, builds dbshift in
# the Release build and sets DBSHIFT to it.
release_dbshift() {
  [[ -n "${DBSHIFT:-}" ]] && return 0
  release_build dbshift
  DBSHIFT="$BUILD_DIR/src/dbshift/cli/dbshift"
}
