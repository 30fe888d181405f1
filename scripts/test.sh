#!/usr/bin/env bash
# Quick start, command 2 (and what CI runs): install what is needed, build the whole tree with
# AddressSanitizer + UndefinedBehaviorSanitizer and warnings as errors, then run every suite:
#   1. unit tests (ctest),
#   2. integration + SDK compatibility tests (node:test, the real binary against the mock provider),
#   3. the libFuzzer targets, briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "installing packages"
scripts/install-deps.sh

# Clones in other directories still hit the compiler cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1

step "format check (clang-format, .clang-format)"
unformatted=$(git ls-files 'src/*.cc' 'src/*.h' 'test/*.cc' 'test/*.h' | xargs clang-format --dry-run 2>&1 | grep -c 'warning:' || true)
if [ "$unformatted" != "0" ]; then
  git ls-files 'src/*.cc' 'src/*.h' 'test/*.cc' 'test/*.h' | xargs clang-format --dry-run 2>&1 | grep 'warning:' | cut -d: -f1 | sort -u
  echo "clang-format: the files above need formatting (clang-format -i)"; exit 1
fi

step "building (preset ci: Debug, ASan+UBSan, -Werror)"
cmake --preset ci >/dev/null
cmake --build --preset ci

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One real PostgreSQL and one real Redis for every suite (the ledger and rate-limit tests, and the
# multi-instance integration tests), on free loopback ports, stopped on exit whatever happens.
step "starting PostgreSQL and Redis (loopback, throwaway)"
SERVICES_DIR=$(mktemp -d /tmp/gw-services.XXXXXX)
chmod 755 "$SERVICES_DIR"  # PostgreSQL runs as the postgres user and must reach its data dir
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
stop_services() {
  scripts/pg.sh stop "$SERVICES_DIR/pg" >/dev/null 2>&1 || true
  scripts/redis.sh stop "$SERVICES_DIR/redis" >/dev/null 2>&1 || true
  rm -rf "$SERVICES_DIR"
}
trap stop_services EXIT
GW_TEST_PG_URL=$(scripts/pg.sh start "$SERVICES_DIR/pg" "$(free_port)")
GW_TEST_REDIS_URL=$(scripts/redis.sh start "$SERVICES_DIR/redis" "$(free_port)")
export GW_TEST_PG_URL GW_TEST_REDIS_URL
echo "postgres: $GW_TEST_PG_URL  redis: $GW_TEST_REDIS_URL"

step "unit tests"
ctest --test-dir build/ci --output-on-failure -j2 --timeout 300

step "integration and SDK compatibility tests"
if [ ! -d node_modules/openai ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
GW_BIN="$ROOT/build/ci/execution-platform" npm test

step "fuzzing (${FUZZ_SECONDS:-15}s per target)"
scripts/fuzz.sh

step "all tests passed"
