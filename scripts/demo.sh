#!/usr/bin/env bash
# The main job against the local lab: starts Dovecot, Postfix and INN on
# 127.0.0.1, probes every service with `pigeon probe` (STARTTLS and implicit
# TLS, certificates verified against the lab CA), and stops the lab again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
pigeon=${PIGEON_BUILD_DIR:-build}/cli/pigeon
trap 'lab/lab.sh stop >/dev/null 2>&1 || true' EXIT
lab/lab.sh start
eval "$(lab/lab.sh env)"
ca=$PIGEON_LAB_CA_FILE
rc=0
for url in smtp://localhost:10587 smtps://localhost:10465 \
           imap://localhost:10143 imaps://localhost:10993 \
           pop3://localhost:10110 pop3s://localhost:10995 \
           nntp://localhost:10119 nntps://localhost:10563; do
  echo "== pigeon probe $url"
  "$pigeon" probe --tls-ca "$ca" "$url" || rc=$?
  echo
done
exit $rc
