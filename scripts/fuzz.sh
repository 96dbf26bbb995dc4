#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in ./build-fuzz and
# runs each for SECONDS (default 30) on its seeds, one core each in turn.
# Findings are written to build-fuzz/findings/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
build=${PIGEON_FUZZ_BUILD_DIR:-build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DPIGEON_BUILD_FUZZ=ON -DPIGEON_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=(fuzz_message fuzz_address fuzz_encoded_word fuzz_dot_block fuzz_imap_response fuzz_smtp_reply)
cmake --build "$build" --target "${targets[@]}"
rc=0
for t in "${targets[@]}"; do
  seed=fuzz/seeds/${t#fuzz_}
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  echo "== $t: ${secs}s"
  if ! "$build/fuzz/$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$work" "$seed" 2>"$build/$t.log"; then
    echo "FAILED: $t (see $build/$t.log and $findings)"; tail -30 "$build/$t.log"; rc=1
  fi
  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$build/$t.log" | tail -2 || true
done
exit $rc
