#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, every report fatal)
# in ./build-fuzz and runs each for SECONDS (default 30), one at a time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 fuzz_scram
#
# The corpus is kept between runs in $build/corpus/<target> (new inputs are
# added there; the seeds in fuzz/seeds/<name> are read, never written).
# Findings (crash-*, leak-*, timeout-*, oom-*) go to $build/findings/<target>/
# and the log to $build/<target>.log. Exit status 1 if any target found one.
# PIGEON_FUZZ_NICE (default 19) sets the niceness of the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
build=${PIGEON_FUZZ_BUILD_DIR:-build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
all=(fuzz_message fuzz_address fuzz_encoded_word fuzz_dot_block fuzz_imap_response fuzz_smtp_reply
     fuzz_pop3_reply fuzz_nntp_reply fuzz_scram fuzz_nntp_overview fuzz_imap_fetch fuzz_spool_entry fuzz_oauth2_response
     fuzz_config)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi
# PIGEON_FUZZ_NO_BUILD=1: the targets are built already (fuzz-campaign.sh
# builds once, then runs two campaigns side by side on one build tree).
if [ "${PIGEON_FUZZ_NO_BUILD:-0}" != 1 ]; then
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DPIGEON_BUILD_FUZZ=ON -DPIGEON_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
nice -n "${PIGEON_FUZZ_NICE:-19}" cmake --build "$build" --target "${targets[@]}"
fi
[ "${PIGEON_FUZZ_BUILD_ONLY:-0}" != 1 ] || exit 0
# Belt and braces: the build already makes every report fatal
# (-fno-sanitize-recover=all); these make sure a report stops the run and
# leaves an artifact even if someone builds without it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
rc=0
for t in "${targets[@]}"; do
  seed=fuzz/seeds/${t#fuzz_}
  kept=fuzz/corpus/$t   # the merged corpus of earlier campaigns (committed)
  mkdir -p "$kept"
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  echo "== $t: ${secs}s"
  # -max_total_time is wall time; the CPU time the run got is logged too.
  TIMEFORMAT="cpu: user %U s, sys %S s, wall %R s"
  if ! { time nice -n "${PIGEON_FUZZ_NICE:-19}" "$build/fuzz/$t" -max_total_time="$secs" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
        "$work" "$seed" "$kept" 2>"$build/$t.log"; } 2>"$build/$t.time"; then
    echo "FAILED: $t (see $build/$t.log and $findings)"; tail -30 "$build/$t.log"; rc=1
  fi
  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|Done [0-9]+ runs' \
    "$build/$t.log" | tail -4 || true
  cat "$build/$t.time"
  echo "corpus: $(find "$work" -type f | wc -l) files"
done
exit $rc
