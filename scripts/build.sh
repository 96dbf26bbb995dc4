#!/usr/bin/env bash
# Configures and builds pigeon in ./build (or $PIGEON_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DPIGEON_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PIGEON_BUILD_DIR:-build}
gen=()
command -v ninja >/dev/null && [ ! -f "$build/Makefile" ] && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}" -DPIGEON_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
