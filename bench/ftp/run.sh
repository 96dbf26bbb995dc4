#!/usr/bin/env bash
# bench/ftp: get and put of a 1 GiB file on loopback against the lab's
# vsftpd, pigeon (`pigeon ftp`) side by side with the curl command and
# Python's ftplib. Prints the median wall time of RUNS runs, the ratios, the
# peak RSS (GNU time's %M) and the median CPU time (user + system) of each
# tool, and checks every file's SHA-256.
#
#   PIGEON_LAB_DIR=/work/labrun bench/ftp/run.sh [build/cli/pigeon]
#   RUNS=5 SIZE_MB=1024 MODES="ftps plain"   (defaults)
#
# Modes: ftps = explicit FTPS on 10021 (AUTH TLS, PROT P; TLS 1.3);
# plain = clear FTP on 10022 (`--tls none`, as a baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
PIGEON=${1:-build/cli/pigeon}
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-1024}
MODES=${MODES:-ftps plain}
set -a; eval "$(lab/lab.sh env)"; set +a
USER_NAME=$PIGEON_LAB_BENCH_USER
export PIGEON_PASSWORD=$PIGEON_LAB_BENCH_PASS
export XDG_CONFIG_HOME=/nonexistent PIGEON_CONFIG=
CA=$PIGEON_LAB_CA_FILE
HOME_DIR=$PIGEON_LAB_FTP_HOME/$USER_NAME
WORK=${TMPDIR:-/tmp}/pigeon-ftp-bench
mkdir -p "$WORK"
SRC=$WORK/src.bin
if [ ! -f "$SRC" ] || [ "$(stat -c %s "$SRC")" != $((SIZE_MB * 1048576)) ]; then
  head -c $((SIZE_MB * 1048576)) /dev/urandom >"$SRC"
fi
WANT=$(sha256sum "$SRC" | cut -d' ' -f1)
ENC_USER=${USER_NAME//@/%40}
cp -f "$SRC" "$HOME_DIR/source.bin"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# run_one TOOL VERB MODE: prints "seconds peak_kb"
run_one() {
  local tool=$1 verb=$2 mode=$3 port url scheme_opts=() out=$WORK/out.bin remote=bench-$1-$2.bin
  if [ "$mode" = ftps ]; then port=$PIGEON_LAB_FTP_PORT; else port=$PIGEON_LAB_FTP_PLAIN_PORT; fi
  url="ftp://$ENC_USER@localhost:$port"
  rm -f "$out"
  local cmd=()
  case $tool in
    pigeon)
      local tls=(--tls-ca "$CA"); [ "$mode" = plain ] && tls=(--tls none)
      if [ "$verb" = get ]; then cmd=("$PIGEON" ftp get "$url/source.bin" "$out" -q "${tls[@]}")
      else cmd=("$PIGEON" ftp put "$url/$remote" "$SRC" -q "${tls[@]}"); fi ;;
    curl)
      local tls=(--ssl-reqd --cacert "$CA"); [ "$mode" = plain ] && tls=()
      if [ "$verb" = get ]; then cmd=(curl -sS "${tls[@]}" -u "$USER_NAME:$PIGEON_PASSWORD" -o "$out" "$url/source.bin")
      else cmd=(curl -sS "${tls[@]}" -u "$USER_NAME:$PIGEON_PASSWORD" -T "$SRC" "$url/$remote"); fi ;;
    ftplib)
      local tls=(--tls-ca "$CA"); [ "$mode" = plain ] && tls=(--plain)
      if [ "$verb" = get ]; then cmd=(/usr/bin/python3 bench/ftp/ftplib_peer.py get localhost "$port" "$USER_NAME" "$out" source.bin "${tls[@]}")
      else cmd=(/usr/bin/python3 bench/ftp/ftplib_peer.py put localhost "$port" "$USER_NAME" "$SRC" "$remote" "${tls[@]}"); fi ;;
  esac
  if ! /usr/bin/time -o "$WORK/time" -f '%e %M %U %S' "${cmd[@]}" >/dev/null 2>"$WORK/err"; then
    echo "bench/ftp: $tool $verb ($mode) failed:" >&2; cat "$WORK/err" >&2; exit 1
  fi
  if [ "$verb" = get ]; then
    [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$WANT" ] || { echo "bench/ftp: $tool get: SHA-256 differs" >&2; cat "$WORK/err" >&2; exit 1; }
  else
    [ "$(sha256sum "$HOME_DIR/$remote" | cut -d' ' -f1)" = "$WANT" ] || { echo "bench/ftp: $tool put: SHA-256 differs" >&2; cat "$WORK/err" >&2; exit 1; }
    rm -f "$HOME_DIR/$remote"
  fi
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/time"
}

printf '%-6s %-4s %-7s %9s %9s %10s %8s\n' mode verb tool "time s" "vs pigeon" "peak RSS" "CPU s"
for mode in $MODES; do
  for verb in get put; do
    declare -A T=() M=() ALL=() CPU=() C=()
    # Round-robin: one run of each tool in turn, so a change in the
    # machine's load hits every tool alike (medians of RUNS runs).
    for _ in $(seq "$RUNS"); do
      for tool in pigeon curl ftplib; do
        read -r s kb cpu < <(run_one "$tool" "$verb" "$mode")
        ALL[$tool]+="$s "
        CPU[$tool]+="$cpu "
        [ "$kb" -gt "${M[$tool]:-0}" ] && M[$tool]=$kb
      done
    done
    for tool in pigeon curl ftplib; do
      T[$tool]=$(printf '%s\n' ${ALL[$tool]} | median)
      C[$tool]=$(printf '%s\n' ${CPU[$tool]} | median)
    done
    for tool in pigeon curl ftplib; do
      printf '%-6s %-4s %-7s %9.2f %8.2fx %7.1f MB %8.2f\n' "$mode" "$verb" "$tool" "${T[$tool]}" \
        "$(echo "${T[$tool]} / ${T[pigeon]}" | bc -l)" "$(echo "${M[$tool]} / 1024" | bc -l)" "${C[$tool]}"
    done
    printf '%-6s %-4s pigeon/curl %.2f  ftplib/pigeon %.2f\n' "$mode" "$verb" \
      "$(echo "${T[pigeon]} / ${T[curl]}" | bc -l)" "$(echo "${T[ftplib]} / ${T[pigeon]}" | bc -l)"
    unset T M ALL CPU C
  done
done
rm -f "$HOME_DIR/source.bin" "$WORK/out.bin"
