#!/usr/bin/env bash
# Configures and builds pigeon in ./build (or $PIGEON_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DPIGEON_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PIGEON_BUILD_DIR:-build}
gen=()
command -v ninja >/dev/null && [ ! -f "$build/Makefile" ] && gen=(-G Ninja)
# ccache, when installed, lets several work trees share compiled objects.
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)}
  gen+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" "${gen[@]}" -DPIGEON_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
