#!/usr/bin/env bash
# Runs each TARGET until it has had CPU_SECONDS of CPU time in all (user +
# sys, summed over runs), in chunks of PIGEON_FUZZ_CHUNK wall seconds
# (default 600) through scripts/fuzz.sh, so that a busy machine (where wall
# time and CPU time differ) still gives each target its full budget.
#
#   scripts/fuzz-campaign.sh CPU_SECONDS TARGET...   e.g. 3600 fuzz_scram fuzz_nntp_reply
#
# The CPU each target has had is kept in $build/<target>.cpu-total (one line:
# seconds), so a campaign that is stopped resumes where it was; each chunk is
# appended to $build/<target>.cpu-log. Stops at the first finding (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:?usage: fuzz-campaign.sh CPU_SECONDS TARGET...}
shift
[ $# -gt 0 ] || { echo "usage: fuzz-campaign.sh CPU_SECONDS TARGET..." >&2; exit 2; }
build=${PIGEON_FUZZ_BUILD_DIR:-build-fuzz}
# Linux's autogroup scheduling shares the CPU between sessions first and
# applies nice only inside a session: a campaign started with setsid (as it
# should be, to outlive the shell) would take half the machine from the
# compiles at "nice 19". Its session's own autogroup is niced too, when this
# script leads the session (never the caller's terminal session).
if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo "${PIGEON_FUZZ_NICE:-19}" > /proc/self/autogroup 2>/dev/null || true
fi
chunk=${PIGEON_FUZZ_CHUNK:-600}
# Build once here; the chunks below do not rebuild (a second campaign may be
# running on the same tree).
if [ "${PIGEON_FUZZ_NO_BUILD:-0}" != 1 ]; then PIGEON_FUZZ_BUILD_ONLY=1 scripts/fuzz.sh 0 "$@"; fi
export PIGEON_FUZZ_NO_BUILD=1
for t in "$@"; do
  total_file="$build/$t.cpu-total"
  while :; do
    have=$(cat "$total_file" 2>/dev/null || echo 0)
    if awk -v h="$have" -v b="$budget" 'BEGIN { exit !(h >= b) }'; then
      echo "== $t: ${have} CPU-seconds, budget ${budget} reached"; break
    fi
    scripts/fuzz.sh "$chunk" "$t" || { echo "== $t: finding, campaign stopped"; exit 1; }
    # fuzz.sh leaves "cpu: user U s, sys S s, wall W s" in $build/$t.time
    read -r user sys wall < <(sed -nE 's/^cpu: user ([0-9.]+) s, sys ([0-9.]+) s, wall ([0-9.]+) s$/\1 \2 \3/p' "$build/$t.time")
    have=$(awk -v h="$have" -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", h + u + s }')
    echo "$have" > "$total_file"
    echo "$(date -u +%FT%TZ) user=$user sys=$sys wall=$wall total=$have" >> "$build/$t.cpu-log"
    echo "== $t: ${have}/${budget} CPU-seconds"
  done
done
