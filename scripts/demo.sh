#!/usr/bin/env bash
# The main job against the local lab, a round trip a newcomer can watch:
# starts Dovecot, Postfix and INN on 127.0.0.1; `pigeon send`s a message
# with an attachment through the submission port (STARTTLS + AUTH);
# `pigeon fetch`es it over IMAPS and over POP3S into two Maildirs (exactly
# once: a second fetch finds no new mail); `pigeon show`s it; stops the lab.
# Certificates are verified against the lab CA throughout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
pigeon=$(pwd)/${PIGEON_BUILD_DIR:-build}/cli/pigeon
work=$(mktemp -d /tmp/pigeon-demo-XXXXXX)
trap 'lab/lab.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
lab/lab.sh start
eval "$(lab/lab.sh env)"
ca=$PIGEON_LAB_CA_FILE
export PIGEON_PASSWORD=demo-pass-8   # the lab's demo@lab.test
imap="imaps://demo%40lab.test@localhost:10993/INBOX"
pop3="pop3s://demo%40lab.test@localhost:10995"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The demo mailbox starts empty (an earlier run may have left mail).
"$pigeon" fetch "$pop3" --into maildir:"$work/old" --state-dir "$work/old-state" --tls-ca "$ca" --delete -q

printf 'host,load\nmail1,0.42\nnews1,0.17\n' > "$work/load.csv"
subject="pigeon demo $(date -u +%FT%TZ)"
step "pigeon send: a message with an attachment, STARTTLS + AUTH on the submission port"
"$pigeon" send --server smtp://localhost:10587 --tls-ca "$ca" --user demo@lab.test \
  --from 'Demo <demo@lab.test>' --to demo@lab.test -s "$subject" \
  --body 'Hello from pigeon: the load figures are attached.' --attach "$work/load.csv" --json

step "pigeon fetch over IMAPS into a Maildir (waiting for the delivery)"
for _ in $(seq 50); do
  out=$("$pigeon" fetch "$imap" --into maildir:"$work/imap" --state-dir "$work/state" --tls-ca "$ca")
  case $out in *"no new mail"*) sleep 0.2 ;; *) break ;; esac
done
echo "$out"
echo "-- once more: nothing is fetched twice"
"$pigeon" fetch "$imap" --into maildir:"$work/imap" --state-dir "$work/state" --tls-ca "$ca"

step "pigeon fetch over POP3S into another Maildir, deleting from the server once stored"
"$pigeon" fetch "$pop3" --into maildir:"$work/pop3" --state-dir "$work/state" --tls-ca "$ca" --delete --json

step "The two Maildirs"
(cd "$work" && find imap pop3 -type f -path '*/new/*' | sort)
imap_file=$(find "$work/imap/new" -type f | head -1)
pop3_file=$(find "$work/pop3/new" -type f | head -1)
cmp -s "$imap_file" "$pop3_file" && echo "same message over IMAP and POP3 (byte for byte)"

step "pigeon show: the message as fetched"
"$pigeon" show "$imap_file"
step "lab stopped; done"
