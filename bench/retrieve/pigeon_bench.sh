#!/bin/sh
# run.py --pigeon target: picks pigeon's benchmark program for the job
# (imap_bench, pop3_bench or nntp_bench, built with -DPIGEON_BUILD_BENCH=ON or
# by hand next to this script's BIN directory).
#   /usr/bin/python3 bench/retrieve/run.py --pigeon 'sh bench/retrieve/pigeon_bench.sh BIN'
bin=$1; shift
case "$*" in
  *imap*) exec "$bin/imap_bench" "$@" ;;
  *pop3*) exec "$bin/pop3_bench" "$@" ;;
  *nntp*) exec "$bin/nntp_bench" "$@" ;;
esac
echo "pigeon_bench.sh: no program for: $*" >&2
exit 64
