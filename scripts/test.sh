#!/usr/bin/env bash
# Builds pigeon and runs the whole test suite: unit, fake (scripted servers)
# and integration tests (the real Dovecot, Postfix and INN lab, started and
# stopped by CTest fixtures). Extra arguments go to ctest, e.g. -L unit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PIGEON_BUILD_DIR:-build}
trap 'lab/lab.sh stop >/dev/null 2>&1 || true' EXIT
bash scripts/build.sh
cd "$build"
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
