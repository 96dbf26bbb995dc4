#!/usr/bin/env bash
# pigeon's local server lab: private Dovecot, Postfix, INN and vsftpd instances on
# 127.0.0.1, run as root without systemd, all state under lab/run/ (or
# $PIGEON_LAB_DIR). See lab/README.md.
#
#   lab.sh start    start whatever is not running, wait until every port answers
#   lab.sh stop     stop everything, wait until every port is closed
#   lab.sh status   show what runs (exit 0 all up, 3 all down, 1 partly up)
#   lab.sh env      print shell assignments (ports, users, paths)
#   lab.sh clean    stop, then remove the runtime directory
#   lab.sh seed     fill the bench/huge mailboxes and news groups (lab/seed.py)
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=${PIGEON_LAB_DIR:-$LAB_SRC/run}
case $RUN in /*) ;; *) RUN=$PWD/$RUN ;; esac
RUN=${RUN%/}
# Dovecot's and INN's unix sockets live under it (108-byte path limit), and
# the rendered configurations do not quote paths.
case $RUN in *[[:space:]]*) echo "lab.sh: PIGEON_LAB_DIR must not contain spaces: $RUN" >&2; exit 1 ;; esac
[ ${#RUN} -le 64 ] || { echo "lab.sh: PIGEON_LAB_DIR is too long (max 64 characters): $RUN" >&2; exit 1; }

HOST=127.0.0.1
DOMAIN=lab.test
SMTP_PORT=10025 SUBMISSION_PORT=10587 SUBMISSIONS_PORT=10465
SMTPS_WRONG_HOST_PORT=10466 SMTPS_EXPIRED_PORT=10467 SMTPS_SELF_SIGNED_PORT=10468
IMAP_PORT=10143 IMAPS_PORT=10993 POP3_PORT=10110 POP3S_PORT=10995
NNTP_PORT=10119 NNTPS_PORT=10563
# vsftpd: explicit FTPS (AUTH TLS required), implicit FTPS, one without TLS
# at all (no AUTH TLS: the refusal test), implicit FTPS with the wrong-host
# certificate.
FTP_PORT=10021 FTPS_PORT=10990 FTP_PLAIN_PORT=10022 FTPS_WRONG_HOST_PORT=10991
# MailDev (npm package, installed into lab/tools by scripts/setup.sh): SMTP
# capture with a REST API, as test suites run it in a container. Two
# variants, both without STARTTLS (MailDev 2 offers none): no AUTH, and AUTH
# required on the plain connection (a client must be told to send a password
# in clear). Not its implicit TLS: MailDev 2.2.1 exits when a client closes
# during the TLS handshake, which every port check does.
MAILDEV_PORT=10026 MAILDEV_WEB_PORT=10080
MAILDEV_AUTH_PORT=10027 MAILDEV_AUTH_WEB_PORT=10081
MAILDEV_USER=maildev MAILDEV_PASS=maildev-pass-9
MAILDEV_JS=$LAB_SRC/tools/node_modules/maildev/bin/maildev
# OAuth2 token introspection (RFC 7662, plain HTTP on 127.0.0.1) for Dovecot's
# oauth2 passdb: tests/support/oauth2_server.py, which also serves the tests'
# token endpoints; tokens are signed with $RUN/oauth2/secret.
OAUTH2_INTROSPECT_PORT=10480
# Dovecot's own clear-text listeners, reached through relay.py (see there).
IMAP_INTERNAL_PORT=11143 POP3_INTERNAL_PORT=11110 RELAY_SOURCE=127.0.0.2
# bench and huge hold the benchmark data seeded by lab/seed.py (lab.sh seed).
# fetch and fetch2 belong to the `pigeon fetch` tests (they delete mail there).
# demo is scripts/demo.sh's (the README's first command).
USERS=(alice bob carol bench huge fetch fetch2 demo)
declare -A PASS=([alice]='alice-pass-1' [bob]='bob-pass-2' [carol]='pässwörd-ĉ'
  [bench]='bench-pass-4' [huge]='huge-pass-5' [fetch]='fetch-pass-6' [fetch2]='fetch2-pass-7'
  [demo]='demo-pass-8')
NEWSGROUPS=(lab.test lab.misc)

SERVICES=(oauth2 dovecot relay postfix innd nnrpd ftp ftps ftp_plain ftps_wrong_host maildev maildev_auth)
declare -A PORTS=(
  [dovecot]="$IMAP_INTERNAL_PORT $IMAPS_PORT $POP3_INTERNAL_PORT $POP3S_PORT"
  [relay]="$IMAP_PORT $POP3_PORT"
  [postfix]="$SMTP_PORT $SUBMISSION_PORT $SUBMISSIONS_PORT $SMTPS_WRONG_HOST_PORT $SMTPS_EXPIRED_PORT $SMTPS_SELF_SIGNED_PORT"
  [innd]="$NNTP_PORT"
  [nnrpd]="$NNTPS_PORT"
  [ftp]="$FTP_PORT"
  [ftps]="$FTPS_PORT"
  [ftp_plain]="$FTP_PLAIN_PORT"
  [ftps_wrong_host]="$FTPS_WRONG_HOST_PORT"
  [maildev]="$MAILDEV_PORT $MAILDEV_WEB_PORT"
  [maildev_auth]="$MAILDEV_AUTH_PORT $MAILDEV_AUTH_WEB_PORT"
  [oauth2]="$OAUTH2_INTROSPECT_PORT"
)
# Process name (/proc/PID/comm) of each service's main process, so a recycled
# PID in a stale pid file is never mistaken for ours.
declare -A COMM=([dovecot]=dovecot [relay]=python3 [postfix]=master [innd]=innd [nnrpd]=nnrpd
  [ftp]=vsftpd [ftps]=vsftpd [ftp_plain]=vsftpd [ftps_wrong_host]=vsftpd
  [maildev]=node [maildev_auth]=node [oauth2]=python3)

CERTS=$RUN/certs LOGS=$RUN/log PIDS=$RUN/pids
DOVE=$RUN/dovecot PFX=$RUN/postfix INN=$RUN/inn MAIL=$RUN/mail FTP=$RUN/ftp OAUTH2=$RUN/oauth2
DOVE_CONF=$DOVE/dovecot.conf
LMTP_SOCKET=$DOVE/lmtp AUTH_SOCKET=$DOVE/auth-postfix
PF_ETC=$PFX/etc PF_QUEUE=$PFX/queue
INNCONF_FILE=$INN/etc/inn.conf
NEWSBIN=/usr/lib/news/bin
PF_DAEMONS=/usr/lib/postfix/sbin

die() { echo "lab.sh: $*" >&2; exit 1; }
now_ms() { local t=${EPOCHREALTIME//[^0-9]/}; echo $((t / 1000)); }

# ---------------------------------------------------------------- processes

pidfile_of() {
  case $1 in
    dovecot) echo "$DOVE/base/master.pid" ;;
    relay) echo "$PIDS/relay.pid" ;;
    oauth2) echo "$PIDS/oauth2.pid" ;;
    postfix) echo "$PF_QUEUE/pid/master.pid" ;;
    innd) echo "$INN/run/innd.pid" ;;
    nnrpd) echo "$INN/run/nnrpd-$NNTPS_PORT.pid" ;;
    ftp* | maildev*) echo "$PIDS/$1.pid" ;;
  esac
}

# state PID: one-letter process state, empty if there is no such process.
proc_state() {
  local s
  read -r s 2>/dev/null <"/proc/$1/stat" || return 0
  s=${s##*) }
  echo "${s%% *}"
}

# live PID: the process exists and is not a zombie (a zombie counts as stopped).
live() {
  local st
  st=$(proc_state "$1")
  [ -n "$st" ] && [ "$st" != Z ]
}

# svc_pid SERVICE: PID of the service's main process if it is running.
svc_pid() {
  local f pid comm
  f=$(pidfile_of "$1")
  [ -r "$f" ] || return 1
  read -r pid _ <"$f" 2>/dev/null || true
  pid=${pid//[^0-9]/}
  [ -n "$pid" ] || return 1
  live "$pid" || return 1
  read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
  [ "$comm" = "${COMM[$1]}" ] || return 1
  echo "$pid"
}

# Process group of a live PID (field 5 of /proc/PID/stat).
pgid_of() {
  local s
  read -r s 2>/dev/null <"/proc/$1/stat" || return 1
  s=${s##*) }
  set -- $s
  echo "$3"
}

# Record the process group of a freshly started service, so that stop also
# reaches children left behind by a dead master (e.g. nnrpd reader sessions).
record_group() {
  local pid pgid
  pid=$(svc_pid "$1") || return 0
  pgid=$(pgid_of "$pid") || return 0
  [ "$pgid" -gt 1 ] || return 0
  echo "$pgid" >"$PIDS/$1.pgid"
}

# Non-zombie members of the process groups given as arguments.
group_members() {
  [ $# -gt 0 ] || return 0
  ps -e -o pid=,pgid=,stat= | awk -v groups="$*" '
    BEGIN { n = split(groups, g, " "); for (i = 1; i <= n; i++) want[g[i]] = 1 }
    ($2 in want) && $3 !~ /^Z/ { print $1 }'
}

port_open() { { true <>"/dev/tcp/$HOST/$1"; } 2>/dev/null; }

# Ports among the arguments on which anything listens (any address).
listening() {
  local p
  [ $# -gt 0 ] || return 0
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn 2>/dev/null | awk -v ports="$*" '
      BEGIN { n = split(ports, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
      { p = $4; sub(/.*:/, "", p); if ((p in want) && !(p in seen)) { seen[p] = 1; print p } }'
  else
    for p in "$@"; do port_open "$p" && echo "$p"; done
  fi
  return 0
}

# run_detached LOG CMD...: run CMD in its own session with stdin from
# /dev/null, output appended to LOG and no other inherited descriptor (fd 9
# holds the lab lock; a caller's pipes, e.g. ctest's or make's, must not stay
# open in a daemon). Prints nothing; $! is the child.
run_detached() {
  local log=$1
  shift
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done 2>/dev/null
    exec setsid "$@" </dev/null >>"$log" 2>&1
  ) &
}

# launch LOG CMD...: start a daemon that forks into the background itself,
# and wait for its foreground part (exit status = start-up status).
launch() {
  run_detached "$@"
  wait $! || return $?
}

# ---------------------------------------------------------------- files

CHANGED=0
# put FILE MODE [OWNER]: write stdin to FILE if its content differs. Rendered
# files are back-dated: Postfix stalls while main.cf looks newer than "now".
put() {
  local f=$1 mode=$2 owner=${3:-} new old="" tmp=$1.new
  IFS= read -r -d '' new || true
  [ -f "$f" ] && { IFS= read -r -d '' old <"$f" || true; }
  [ "$new" = "$old" ] && return 0
  printf '%s' "$new" >"$tmp"
  chmod "$mode" "$tmp"
  [ -z "$owner" ] || chown "$owner" "$tmp"
  touch -d '-1 min' "$tmp"
  mv -f "$tmp" "$f"
  CHANGED=1
}

mkd() { # mkd MODE OWNER DIR...: create missing directories
  local mode=$1 owner=$2 d todo=()
  shift 2
  for d in "$@"; do [ -d "$d" ] || todo+=("$d"); done
  [ ${#todo[@]} -gt 0 ] || return 0
  mkdir -p "${todo[@]}"
  chmod "$mode" "${todo[@]}"
  chown "$owner" "${todo[@]}"
}

# touchf OWNER FILE...: create missing (log) files
touchf() {
  local owner=$1 f
  shift
  for f in "$@"; do
    [ -e "$f" ] && continue
    : >"$f"
    chown "$owner" "$f"
  done
}

# ---------------------------------------------------------------- certificates

CERTS_NEW=0
gen_certs() {
  [ -f "$CERTS/.complete" ] && return 0
  local d=$CERTS start end
  rm -rf "$d"
  mkdir -p "$d/ca-db"
  : >"$d/ca-db/index.txt"
  echo 1000 >"$d/ca-db/serial"
  cat >"$d/openssl.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = $d/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $d/ca.pem
private_key = $d/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = yes
[ any ]
commonName = supplied
organizationName = optional
emailAddress = optional
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ wrong_host_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example
[ self_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ client_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:alice@$DOMAIN
EOF
  local cnf=$d/openssl.cnf
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$1.key" 2>/dev/null; }
  # sign NAME SUBJECT EXT START END
  sign() {
    openssl req -new -config "$cnf" -key "$d/$1.key" -subj "$2" -out "$d/$1.csr"
    openssl ca -batch -notext -config "$cnf" -extensions "$3" -startdate "$4" -enddate "$5" \
      -in "$d/$1.csr" -out "$d/$1.pem" 2>/dev/null
    rm -f "$d/$1.csr"
  }
  start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
  end=$(date -u -d '+3650 days' +%Y%m%d%H%M%SZ)
  key ca
  openssl req -new -x509 -config "$cnf" -key "$d/ca.key" -subj "/O=pigeon lab/CN=pigeon lab CA" \
    -days 3660 -set_serial 1 -extensions ca_ext -out "$d/ca.pem"
  key server
  sign server "/O=pigeon lab/CN=localhost" server_ext "$start" "$end"
  key wrong-host
  sign wrong-host "/O=pigeon lab/CN=wrong.example" wrong_host_ext "$start" "$end"
  key expired
  sign expired "/O=pigeon lab/CN=localhost" server_ext 20200101000000Z 20210101000000Z
  key client
  sign client "/O=pigeon lab/CN=alice@$DOMAIN" client_ext "$start" "$end"
  key self-signed
  openssl req -new -x509 -config "$cnf" -key "$d/self-signed.key" -subj "/O=not the lab/CN=localhost" \
    -days 3650 -extensions self_ext -out "$d/self-signed.pem"
  # A lab key is no secret; dovecot-lda (user mail) reads the config with it.
  chmod 0644 "$d"/*.key "$d"/*.pem
  openssl x509 -noout -fingerprint -sha256 -in "$d/server.pem" | sed 's/^.*=//' >"$d/server.sha256"
  touch "$d/.complete"
  CERTS_NEW=1
}

# ---------------------------------------------------------------- dovecot

setup_dovecot() {
  local u
  mkd 0755 root:root "$DOVE" "$DOVE/state"
  mkd 0755 mail:mail "$MAIL"
  for u in "${USERS[@]}"; do
    [ -d "$MAIL/$u/Maildir/cur" ] && continue
    mkd 0700 mail:mail "$MAIL/$u" "$MAIL/$u/Maildir" "$MAIL/$u/Maildir/cur" "$MAIL/$u/Maildir/new" "$MAIL/$u/Maildir/tmp"
  done
  touchf root:root "$LOGS/dovecot.log"
  touchf mail:mail "$LOGS/dovecot-lda.log"
  local users=""
  for u in "${USERS[@]}"; do users+="$u@$DOMAIN:{PLAIN}${PASS[$u]}::::::"$'\n'; done
  put "$DOVE/users" 0640 root:dovecot <<<"${users%$'\n'}"
  put "$DOVE/oauth2.conf.ext" 0644 <<EOF
introspection_mode = post
introspection_url = http://$HOST:$OAUTH2_INTROSPECT_PORT/introspect
username_attribute = username
active_attribute = active
active_value = true
EOF
  put "$DOVE_CONF" 0644 <<EOF
# Rendered by lab/lab.sh; edits are overwritten.
instance_name = pigeon-lab
base_dir = $DOVE/base
state_dir = $DOVE/state
listen = $HOST
protocols = imap pop3 lmtp
hostname = mail.$DOMAIN
postmaster_address = postmaster@$DOMAIN
log_path = $LOGS/dovecot.log
info_log_path = $LOGS/dovecot.log
auth_verbose = yes

ssl = yes
ssl_cert = <$CERTS/server.pem
ssl_key = <$CERTS/server.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2

disable_plaintext_auth = yes
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 oauthbearer xoauth2
auth_failure_delay = 0
auth_cache_size = 0
auth_username_format = %Lu
recipient_delimiter = +
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
  args = scheme=PLAIN username_format=%u $DOVE/users
}
# Bearer tokens (XOAUTH2, OAUTHBEARER; Postfix submission too, through the
# auth socket) checked by the lab's introspection endpoint.
passdb {
  driver = oauth2
  mechanisms = oauthbearer xoauth2
  args = $DOVE/oauth2.conf.ext
}
userdb {
  driver = passwd-file
  args = username_format=%u $DOVE/users
  default_fields = uid=mail gid=mail home=$MAIL/%n
}
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:~/Maildir
mail_fsync = never
mailbox_list_index = yes
mail_max_userip_connections = 1000
mail_plugins = \$mail_plugins zlib quota
mail_attribute_dict = file:%h/dovecot-attributes
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
plugin {
  quota = count:User quota
  quota_rule = *:storage=10G
  quota_vsizes = yes
}
protocol imap {
  mail_plugins = \$mail_plugins imap_zlib imap_quota
  imap_metadata = yes
}
protocol lda {
  log_path = $LOGS/dovecot-lda.log
  info_log_path = $LOGS/dovecot-lda.log
}

default_process_limit = 200
default_client_limit = 2000
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_INTERNAL_PORT
  }
  inet_listener imaps {
    address = $HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = $HOST
    port = $POP3_INTERNAL_PORT
  }
  inet_listener pop3s {
    address = $HOST
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener $LMTP_SOCKET {
    mode = 0666
  }
}
service auth {
  unix_listener $AUTH_SOCKET {
    mode = 0660
    user = postfix
    group = postfix
  }
  unix_listener auth-userdb {
    mode = 0666
  }
}
# No auth penalty: after failed logins Dovecot would delay every login from
# 127.0.0.1 (good ones too) by up to 15 s. Mode 0: the socket is not created,
# the auth process finds no anvil-auth-penalty and disables the penalty.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
}

start_dovecot() {
  # With mode 0 the penalty socket is not created; a stale one would make the
  # auth process retry it for 5 s (ECONNREFUSED) before its first login.
  rm -f "$DOVE/base/master.pid" "$DOVE/base/anvil-auth-penalty"
  launch "$LOGS/dovecot.log" /usr/sbin/dovecot -c "$DOVE_CONF"
}

# ---------------------------------------------------------------- oauth2

setup_oauth2() {
  mkd 0755 root:root "$OAUTH2"
  if [ ! -s "$OAUTH2/secret" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$OAUTH2/secret")
    CHANGED=1
  fi
}

start_oauth2() {
  rm -f "$PIDS/oauth2.pid"
  run_detached "$LOGS/oauth2.log" /usr/bin/python3 "$LAB_SRC/../tests/support/oauth2_server.py" introspect \
    --port "$OAUTH2_INTROSPECT_PORT" --secret-file "$OAUTH2/secret" --pidfile "$PIDS/oauth2.pid"
}

start_relay() {
  rm -f "$PIDS/relay.pid"
  run_detached "$LOGS/relay.log" /usr/bin/python3 "$LAB_SRC/relay.py" --source "$RELAY_SOURCE" \
    --pidfile "$PIDS/relay.pid" "$IMAP_PORT=$IMAP_INTERNAL_PORT" "$POP3_PORT=$POP3_INTERNAL_PORT"
}

# ---------------------------------------------------------------- postfix

setup_postfix() {
  local u
  mkd 0755 root:root "$PFX" "$PF_ETC" "$PF_QUEUE"
  mkd 0700 postfix:postfix "$PFX/data"
  touchf root:root "$LOGS/postfix.log" "$LOGS/postfix-start.log"
  local vmailbox=""
  for u in "${USERS[@]}"; do vmailbox+="$u@$DOMAIN OK"$'\n'; done
  put "$PF_ETC/vmailbox" 0644 <<<"${vmailbox%$'\n'}"
  # Dovecot 2.3's LMTP does not offer SMTPUTF8, and Postfix bounces (5.6.7) a
  # message that needs it when relaying over LMTP: such messages (non-ASCII
  # header or sender) go through dovecot-lda instead. The C locale is in force.
  put "$PF_ETC/utf8_checks" 0644 <<<'/[^[:print:][:space:]]/ FILTER lda:'
  put "$PF_ETC/main.cf" 0644 <<EOF
# Rendered by lab/lab.sh; edits are overwritten.
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PFX/data
command_directory = /usr/sbin
daemon_directory = $PF_DAEMONS
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-lab
maillog_file = $LOGS/postfix.log
maillog_file_prefixes = $RUN
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP pigeon lab
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
recipient_delimiter = +

# Domain lab.test: known users only (others get 550 at RCPT), delivered to
# Dovecot over LMTP. Everything else relayed from localhost is discarded.
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$PF_ETC/vmailbox
virtual_transport = lmtp:unix:$LMTP_SOCKET
default_transport = discard:relayed mail is discarded by the lab
relay_transport = \$default_transport
lmtp_tls_security_level = none
header_checks = regexp:$PF_ETC/utf8_checks
smtpd_sender_restrictions = check_sender_access regexp:$PF_ETC/utf8_checks
lda_destination_recipient_limit = 1

smtputf8_enable = yes
message_size_limit = 104857600
mailbox_size_limit = 0
virtual_mailbox_limit = 0
in_flow_delay = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
smtpd_client_connection_count_limit = 0
delay_warning_time = 0
queue_run_delay = 10s
minimal_backoff_time = 10s
enable_long_queue_ids = yes

smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_chain_files = $CERTS/server.key, $CERTS/server.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
tls_random_source = dev:/dev/urandom
smtpd_sasl_type = dovecot
smtpd_sasl_path = $AUTH_SOCKET
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
EOF
  local auth_opts="-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
  local tls_port="-o smtpd_tls_wrappermode=yes $auth_opts"
  put "$PF_ETC/master.cf" 0644 <<EOF
# Rendered by lab/lab.sh; edits are overwritten. No service is chrooted.
# service type  private unpriv  chroot  wakeup  maxproc command + args
$HOST:$SMTP_PORT inet n - n - - smtpd
$HOST:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix-lab/submission -o smtpd_tls_security_level=encrypt
  $auth_opts
$HOST:$SUBMISSIONS_PORT inet n - n - - smtpd
  -o syslog_name=postfix-lab/submissions $tls_port
$HOST:$SMTPS_WRONG_HOST_PORT inet n - n - - smtpd
  -o syslog_name=postfix-lab/wrong-host $tls_port
  -o smtpd_tls_chain_files=$CERTS/wrong-host.key,$CERTS/wrong-host.pem
$HOST:$SMTPS_EXPIRED_PORT inet n - n - - smtpd
  -o syslog_name=postfix-lab/expired $tls_port
  -o smtpd_tls_chain_files=$CERTS/expired.key,$CERTS/expired.pem
$HOST:$SMTPS_SELF_SIGNED_PORT inet n - n - - smtpd
  -o syslog_name=postfix-lab/self-signed $tls_port
  -o smtpd_tls_chain_files=$CERTS/self-signed.key,$CERTS/self-signed.pem
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
lda       unix  -       n       n       -       -       pipe
  flags=Ru user=mail:mail argv=/usr/lib/dovecot/dovecot-lda -c $DOVE_CONF -f \${sender} -a \${recipient} -d \${user}@\${domain}
EOF
}

start_postfix() {
  # After one full start, skip Postfix's slow integrity check.
  [ -f "$PFX/.checked" ] && touch "$PF_QUEUE/quick-start"
  launch "$LOGS/postfix-start.log" /usr/sbin/postfix -c "$PF_ETC" start || return $?
  touch "$PFX/.checked"
}

# ---------------------------------------------------------------- INN

setup_inn() {
  local u g d f
  mkd 0755 news:news "$INN" "$INN/etc" "$INN/db" "$INN/run" "$INN/log" "$INN/tmp" \
    "$INN/http" "$INN/filter" "$INN/spool" "$INN/spool/articles" "$INN/spool/overview" \
    "$INN/spool/incoming" "$INN/spool/outgoing" "$INN/spool/archive"
  touchf news:news "$LOGS/innd.log" "$LOGS/nnrpd.log"
  # nnrpd refuses a key readable by anyone but news.
  if [ ! -f "$INN/etc/key.pem" ] || [ "$CERTS/server.key" -nt "$INN/etc/key.pem" ]; then
    install -m 0600 -o news -g news "$CERTS/server.key" "$INN/etc/key.pem"
    install -m 0644 -o news -g news "$CERTS/server.pem" "$INN/etc/cert.pem"
    CHANGED=1
  fi
  put "$INNCONF_FILE" 0644 news:news <<EOF
# Rendered by lab/lab.sh; edits are overwritten.
domain:                 $DOMAIN
pathhost:               news.$DOMAIN
fromhost:               $DOMAIN
server:                 $HOST
organization:           "pigeon lab"
mta:                    "/bin/true %s"
mailcmd:                /bin/true
port:                   $NNTP_PORT
bindaddress:            $HOST
artcutoff:              0
ovmethod:               tradindexed
hismethod:              hisv6
enableoverview:         true
storeonxref:            true
wireformat:             true
pgpverify:              false
doinnwatch:             false
docnfsstat:             false
status:                 0
timer:                  0
maxartsize:             134217728
localmaxartsize:        134217728
nnrpdloadlimit:         0
nnrpdcheckart:          true
readertrack:            false
nicekids:               0
nicennrpd:              0
maxconnections:         200
logipaddr:              true
tlscafile:              $CERTS/ca.pem
tlscertfile:            $INN/etc/cert.pem
tlskeyfile:             $INN/etc/key.pem
pathnews:               /usr/lib/news
pathbin:                $NEWSBIN
pathcontrol:            $NEWSBIN/control
pathfilter:             $INN/filter
pathetc:                $INN/etc
pathdb:                 $INN/db
pathrun:                $INN/run
pathlog:                $INN/log
pathhttp:               $INN/http
pathtmp:                $INN/tmp
pathspool:              $INN/spool
patharticles:           $INN/spool/articles
pathoverview:           $INN/spool/overview
pathincoming:           $INN/spool/incoming
pathoutgoing:           $INN/spool/outgoing
patharchive:            $INN/spool/archive
EOF
  # No peers: a listed peer would turn local clients into feeders.
  put "$INN/etc/incoming.conf" 0644 news:news <<<'# No peers: every client is a reader (handed to nnrpd).'
  put "$INN/etc/newsfeeds" 0644 news:news <<<'ME:*::'
  put "$INN/etc/storage.conf" 0644 news:news <<'EOF'
method tradspool {
    newsgroups: *
    class: 0
}
EOF
  put "$INN/etc/expire.ctl" 0644 news:news <<<'*:A:1:90:never'
  put "$INN/etc/inn-secrets.conf" 0644 news:news <<'EOF'
cancels {
    canlockuser:  [ ]
    canlockadmin: [ ]
}
EOF
  for f in moderators distrib.pats subscriptions passwd.nntp; do
    [ -f "$INN/etc/$f" ] || install -m 0644 -o news -g news /dev/null "$INN/etc/$f"
  done
  # ckpasswd's file holds crypt(3) hashes; lab.pw remembers what they hash.
  local plain="" hashed="" saved=$CHANGED
  for u in "${USERS[@]}"; do plain+="$u@$DOMAIN:${PASS[$u]}"$'\n'; done
  CHANGED=0
  put "$INN/etc/lab.pw" 0600 root:root <<<"${plain%$'\n'}"
  if [ "$CHANGED" = 1 ] || [ ! -f "$INN/etc/passwd" ]; then
    for u in "${USERS[@]}"; do
      hashed+="$u@$DOMAIN:$(openssl passwd -5 "${PASS[$u]}")"$'\n'
    done
    put "$INN/etc/passwd" 0640 root:news <<<"${hashed%$'\n'}"
    rm -f "$INN/sasl/sasldb2"      # rebuilt below
  fi
  CHANGED=$((CHANGED | saved))
  # AUTHINFO SASL: Cyrus SASL reads $SASL_CONF_PATH/INN.conf, users in a sasldb.
  mkd 0755 news:news "$INN/sasl"
  put "$INN/sasl/INN.conf" 0644 news:news <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $INN/sasl/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256
EOF
  if [ ! -f "$INN/sasl/sasldb2" ]; then
    rm -f "$INN/sasl/sasldb2.new"
    for u in "${USERS[@]}"; do
      printf '%s' "${PASS[$u]}" | saslpasswd2 -f "$INN/sasl/sasldb2.new" -p -c -u "$DOMAIN" "$u"
    done
    chown news:news "$INN/sasl/sasldb2.new"
    chmod 0600 "$INN/sasl/sasldb2.new"
    mv "$INN/sasl/sasldb2.new" "$INN/sasl/sasldb2"
  fi
  put "$INN/etc/readers.conf" 0644 news:news <<EOF
# Rendered by lab/lab.sh. Anyone may read; users who authenticate
# (AUTHINFO USER/PASS, checked by ckpasswd) may also post.
auth "lab" {
    hosts: "*"
    auth: "ckpasswd -f $INN/etc/passwd"
    default: "<anonymous>"
}
access "users" {
    users: "*"
    newsgroups: "*"
    access: RPA
}
access "anonymous" {
    users: "<anonymous>"
    newsgroups: "*"
    access: R
}
EOF
  # The news database: created once, then owned by innd.
  if [ ! -f "$INN/db/active" ]; then
    d=$INN/db
    {
      for g in "${NEWSGROUPS[@]}"; do echo "$g 0000000000 0000000001 y"; done
      printf '%s\n' 'control 0000000000 0000000001 n' 'control.cancel 0000000000 0000000001 n' 'junk 0000000000 0000000001 n'
    } >"$d/active.new"
    {
      for g in "${NEWSGROUPS[@]}" control control.cancel junk; do echo "$g $(date +%s) lab@$DOMAIN"; done
    } >"$d/active.times"
    {
      printf 'lab.test\tpigeon lab: tests.\n'
      printf 'lab.misc\tpigeon lab: miscellaneous.\n'
      printf 'control\tVarious control messages (no posting).\n'
      printf 'control.cancel\tCancel messages (no posting).\n'
      printf 'junk\tUnfiled articles (no posting).\n'
    } >"$d/newsgroups"
    : >"$d/history"
    chown news:news "$d"/*
    (cd "$d" && setpriv --reuid=news --regid=news --init-groups env INNCONF="$INNCONF_FILE" \
      "$NEWSBIN/makedbz" -i -o) >>"$LOGS/innd.log" 2>&1 9>&-
    mv "$d/active.new" "$d/active"
  fi
}

as_news() {
  launch "$1" setpriv --reuid=news --regid=news --init-groups env -i PATH=/usr/bin:/bin \
    HOME="$INN" INNCONF="$INNCONF_FILE" SASL_CONF_PATH="$INN/sasl" "${@:2}"
}

inn_ctl() {
  setpriv --reuid=news --regid=news --init-groups env -i PATH=/usr/bin:/bin \
    INNCONF="$INNCONF_FILE" "$NEWSBIN/ctlinnd" -t 5 "$@" 9>&-
}

start_innd() {
  rm -f "$INN/run/innd.pid"
  as_news "$LOGS/innd.log" "$NEWSBIN/innd" -N
}

start_nnrpd() {
  rm -f "$(pidfile_of nnrpd)"
  as_news "$LOGS/nnrpd.log" "$NEWSBIN/nnrpd" -D -S -n -b "$HOST" -p "$NNTPS_PORT"
}

# ---------------------------------------------------------------- vsftpd

# One vsftpd per port (standalone vsftpd listens on one address and port).
# Logins are virtual users checked by pam_userdb against $FTP/users.db (the
# lab users and passwords), all mapped to the system user ftp, each
# chrooted into its own writable home $FTP/home/USER. vsftpd reads its PAM
# service from /etc/pam.d/vsftpd only: each instance runs in a private mount
# namespace where the lab's own service file is bound over that path, so
# nothing outside $RUN is changed. (pam_exec deadlocks vsftpd's privileged
# parent here, which waits for any child; pam_userdb runs in-process.)
setup_ftp() {
  local u users="" svc port extra
  command -v db_load >/dev/null || die "db_load missing (Debian package db-util; run scripts/setup.sh)"
  mkd 0755 root:root "$FTP" "$FTP/etc" "$FTP/empty" "$FTP/home"
  for u in "${USERS[@]}"; do
    mkd 0755 ftp:ftp "$FTP/home/$u@$DOMAIN"
    [ -e "$FTP/home/$u@$DOMAIN/welcome.txt" ] ||
      { echo "Welcome to the pigeon lab, $u." >"$FTP/home/$u@$DOMAIN/welcome.txt"; chown ftp:ftp "$FTP/home/$u@$DOMAIN/welcome.txt"; }
    users+="$u@$DOMAIN"$'\n'"${PASS[$u]}"$'\n'
  done
  touchf root:root "$LOGS/vsftpd.log"
  put "$FTP/etc/users.txt" 0600 <<<"${users%$'\n'}"
  if [ "$CHANGED" = 1 ] || [ ! -f "$FTP/etc/users.db" ]; then
    rm -f "$FTP/etc/users.db"
    db_load -T -t hash "$FTP/etc/users.db" <"$FTP/etc/users.txt"
    chmod 0600 "$FTP/etc/users.db"
  fi
  put "$FTP/etc/pam" 0644 <<EOF
# Rendered by lab/lab.sh; bound over /etc/pam.d/vsftpd in vsftpd's namespace.
auth required pam_userdb.so db=$FTP/etc/users crypt=none
account required pam_userdb.so db=$FTP/etc/users crypt=none
EOF
  for svc in ftp ftps ftp_plain ftps_wrong_host; do
    case $svc in
      ftp) extra="ssl_enable=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
rsa_cert_file=$CERTS/server.pem
rsa_private_key_file=$CERTS/server.key" ;;
      ftps) extra="ssl_enable=YES
implicit_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
rsa_cert_file=$CERTS/server.pem
rsa_private_key_file=$CERTS/server.key" ;;
      ftp_plain) extra="ssl_enable=NO" ;;
      ftps_wrong_host) extra="ssl_enable=YES
implicit_ssl=YES
rsa_cert_file=$CERTS/wrong-host.pem
rsa_private_key_file=$CERTS/wrong-host.key" ;;
    esac
    port=${PORTS[$svc]}
    put "$FTP/etc/$svc.conf" 0600 <<EOF
# Rendered by lab/lab.sh; edits are overwritten.
listen=YES
listen_ipv6=NO
listen_address=$HOST
listen_port=$port
background=NO
ftpd_banner=pigeon lab FTP ($svc)
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
file_open_mode=0644
guest_enable=YES
guest_username=ftp
virtual_use_local_privs=YES
user_sub_token=\$USER
local_root=$FTP/home/\$USER
chroot_local_user=YES
allow_writeable_chroot=YES
secure_chroot_dir=$FTP/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
delay_failed_login=0
max_login_fails=10
pasv_enable=YES
pasv_address=$HOST
port_enable=YES
idle_session_timeout=120
data_connection_timeout=120
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$LOGS/vsftpd.log
ssl_ciphers=HIGH
require_ssl_reuse=YES
$extra
EOF
  done
}

start_ftp_service() {
  rm -f "$PIDS/$1.pid"
  run_detached "$LOGS/vsftpd-start.log" unshare --mount --propagation private -- /bin/sh -c \
    'mount --bind "$1" /etc/pam.d/vsftpd && exec /usr/sbin/vsftpd "$2"' sh "$FTP/etc/pam" "$FTP/etc/$1.conf"
  echo $! >"$PIDS/$1.pid"
}
start_ftp() { start_ftp_service ftp; }
start_ftps() { start_ftp_service ftps; }
start_ftp_plain() { start_ftp_service ftp_plain; }
start_ftps_wrong_host() { start_ftp_service ftps_wrong_host; }

# ---------------------------------------------------------------- maildev

# start_maildev_service NAME SMTP_PORT WEB_PORT [MAILDEV OPTION...]
start_maildev_service() {
  local name=$1 smtp=$2 web=$3
  shift 3
  rm -f "$PIDS/$name.pid"
  if [ ! -f "$MAILDEV_JS" ]; then
    echo "lab.sh: MailDev is not installed in $LAB_SRC/tools: run scripts/setup.sh" >&2
    return 1
  fi
  touchf root:root "$LOGS/$name.log"
  run_detached "$LOGS/$name.log" node "$MAILDEV_JS" --smtp "$smtp" --web "$web" --ip "$HOST" --web-ip "$HOST" "$@"
  echo $! >"$PIDS/$name.pid"
}
start_maildev() { start_maildev_service maildev "$MAILDEV_PORT" "$MAILDEV_WEB_PORT"; }
start_maildev_auth() {
  start_maildev_service maildev_auth "$MAILDEV_AUTH_PORT" "$MAILDEV_AUTH_WEB_PORT" \
    --incoming-user "$MAILDEV_USER" --incoming-pass "$MAILDEV_PASS"
}

# ---------------------------------------------------------------- commands

# Logs worth showing when a service fails.
logs_of() {
  case $1 in
    dovecot) echo "$LOGS/dovecot.log $LOGS/dovecot-lda.log" ;;
    relay) echo "$LOGS/relay.log" ;;
    oauth2) echo "$LOGS/oauth2.log" ;;
    postfix) echo "$LOGS/postfix-start.log $LOGS/postfix.log" ;;
    innd) echo "$LOGS/innd.log $INN/log/errlog $INN/log/news.err" ;;
    nnrpd) echo "$LOGS/nnrpd.log" ;;
    ftp*) echo "$LOGS/vsftpd-start.log $LOGS/vsftpd.log" ;;
    maildev*) echo "$LOGS/$1.log" ;;
  esac
}

# INN reports errors only to syslog, and no syslog daemon runs here: run the
# failed daemon again in the foreground with a private /dev/log.
inn_diagnose() {
  local cmd
  case $1 in
    innd) cmd=("$NEWSBIN/innd" -N -d) ;;
    nnrpd) cmd=("$NEWSBIN/nnrpd" -D -f -S -n -b "$HOST" -p "$NNTPS_PORT") ;;
    *) return 0 ;;
  esac
  echo "--- what $1 logs to syslog when run again in the foreground:"
  /usr/bin/python3 "$LAB_SRC/capture-syslog.py" --workdir "$INN/diag" --seconds 2 -- \
    setpriv --reuid=news --regid=news --init-groups env -i PATH=/usr/bin:/bin HOME="$INN" \
    INNCONF="$INNCONF_FILE" SASL_CONF_PATH="$INN/sasl" "${cmd[@]}" 9>&- || true
}

# Keep logs from growing without bound: a service's logs over 20 MB are moved
# to *.old when it starts.
rotate_logs() {
  local f
  for f in $(logs_of "$1"); do
    [ -f "$f" ] && [ -n "$(find "$f" -maxdepth 0 -size +20M)" ] || continue
    mv -f "$f" "$f.old"
    touchf "$(stat -c %U:%G "$f.old")" "$f"     # dovecot-lda (user mail) cannot create it
  done
  return 0
}

show_logs() {
  local f
  for f in $(logs_of "$1"); do
    [ -s "$f" ] || continue
    echo "--- last lines of $f" >&2
    tail -n 25 "$f" >&2
  done
}

prepare() {
  [ "$(id -u)" = 0 ] || die "must run as root (it starts daemons under their own users)"
  mkd 0755 root:root "$RUN" "$LOGS" "$PIDS"
  exec 9>"$RUN/.lock"
  flock -w 120 9 || die "another lab.sh holds $RUN/.lock"
}

cmd_start() {
  local t0 svc pid p busy failed=() blocked=() started=()
  t0=$(now_ms)
  prepare
  # The daemons run as mail, news, postfix, dovecot: they must reach $RUN.
  setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$RUN" ||
    die "$RUN is not reachable by other users (check its parent directories' modes)"
  gen_certs
  declare -A dirty=()
  CHANGED=0; setup_oauth2; dirty[oauth2]=$CHANGED
  CHANGED=0; setup_dovecot; dirty[dovecot]=$CHANGED
  dirty[relay]=0
  CHANGED=0; setup_postfix; dirty[postfix]=$CHANGED
  CHANGED=0; setup_inn; dirty[innd]=$CHANGED; dirty[nnrpd]=$CHANGED
  CHANGED=0; setup_ftp
  for svc in ftp ftps ftp_plain ftps_wrong_host; do dirty[$svc]=$CHANGED; done
  for svc in maildev maildev_auth; do dirty[$svc]=0; done
  if [ "$CERTS_NEW" = 1 ]; then      # new certificates: restart whatever runs
    for svc in "${SERVICES[@]}"; do dirty[$svc]=1; done
  fi

  local todo=() all_ports="" in_use
  for svc in "${SERVICES[@]}"; do
    if pid=$(svc_pid "$svc"); then
      [ "${dirty[$svc]}" = 1 ] || continue
      stop_services "$svc" >/dev/null || true     # configuration changed: restart
    elif [ -f "$PIDS/$svc.pgid" ]; then
      stop_services "$svc" || true    # its master died: clear what it left behind
    fi
    todo+=("$svc")
    all_ports+=" ${PORTS[$svc]}"
  done
  # shellcheck disable=SC2086  # port lists are split on purpose
  in_use=" $(listening $all_ports | tr '\n' ' ') "
  for svc in "${todo[@]}"; do
    # Anything else on our ports (another lab, the distribution's daemons)?
    busy=""
    for p in ${PORTS[$svc]}; do [[ $in_use == *" $p "* ]] && busy+=" $p"; done
    if [ -n "$busy" ]; then
      echo "lab.sh: $svc: port(s) $(echo $busy) already in use by another process:" >&2
      ss -Hltnp 2>/dev/null | grep -E ":($(echo $busy | tr ' ' '|'))\b" >&2 || true
      blocked+=("$svc")
      continue
    fi
    rotate_logs "$svc"
    if "start_$svc"; then started+=("$svc"); else failed+=("$svc"); fi
  done

  # Readiness: every port accepts a connection, the LMTP and auth sockets exist.
  # A service whose main process is gone after 2 s has failed.
  local t_ready deadline pending
  t_ready=$(now_ms)
  deadline=$((t_ready + 20000))
  while :; do
    pending=()
    for svc in "${SERVICES[@]}"; do
      [[ " ${failed[*]} ${blocked[*]} " == *" $svc "* ]] && continue
      for p in ${PORTS[$svc]}; do port_open "$p" || pending+=("$svc:$p"); done
      if [[ " ${pending[*]}" == *" $svc:"* ]] && [ $(( $(now_ms) - t_ready )) -gt 2000 ] &&
        ! svc_pid "$svc" >/dev/null; then
        echo "lab.sh: $svc exited during start-up" >&2
        failed+=("$svc")
      fi
    done
    if [[ " ${failed[*]} ${blocked[*]} " != *" dovecot "* ]]; then
      [ -S "$LMTP_SOCKET" ] || pending+=("dovecot:lmtp-socket")
      [ -S "$AUTH_SOCKET" ] || pending+=("dovecot:auth-socket")
    fi
    [ ${#pending[@]} -eq 0 ] && break
    if [ "$(now_ms)" -gt "$deadline" ]; then
      for p in "${pending[@]}"; do
        [[ " ${failed[*]} " == *" ${p%%:*} "* ]] || failed+=("${p%%:*}")
      done
      echo "lab.sh: not answering: ${pending[*]}" >&2
      break
    fi
    sleep 0.05
  done
  for svc in "${started[@]}"; do record_group "$svc"; done

  if [ ${#failed[@]} -gt 0 ] || [ ${#blocked[@]} -gt 0 ]; then
    [ ${#blocked[@]} -eq 0 ] || echo "lab.sh: not started (ports taken): ${blocked[*]}" >&2
    for svc in "${failed[@]}"; do
      echo "lab.sh: $svc failed to start" >&2
      show_logs "$svc"
      inn_diagnose "$svc" >&2
    done
    return 1
  fi
  local ms=$(( $(now_ms) - t0 ))
  printf 'pigeon lab up (%s) in %d.%02ds: smtp %s/%s/%s imap %s/%s pop3 %s/%s nntp %s/%s ftp %s/%s/%s, dir %s\n' \
    "$([ ${#started[@]} -gt 0 ] && echo "started ${started[*]}" || echo "already running")" \
    $((ms / 1000)) $((ms % 1000 / 10)) "$SMTP_PORT" "$SUBMISSION_PORT" "$SUBMISSIONS_PORT" \
    "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$NNTP_PORT" "$NNTPS_PORT" \
    "$FTP_PORT" "$FTPS_PORT" "$FTP_PLAIN_PORT" "$RUN"
}

# stop_services SVC...: ask each service's main process to stop (innd through
# ctlinnd: it ignores SIGTERM while idle), then wait until every process of
# its process group is gone (zombies count as gone) and its ports are closed.
# Stragglers get SIGTERM again after 1 s and SIGKILL after 3 s.
stop_services() {
  local svc pid g groups="" term_groups="" ports="" left="" open=""
  for svc in "$@"; do
    if pid=$(svc_pid "$svc"); then
      ports+=" ${PORTS[$svc]}"
      if g=$(pgid_of "$pid") && [ "$g" -gt 1 ]; then
        groups+=" $g"
        [ "$svc" = postfix ] || term_groups+=" $g"
      fi
      if [ "$svc" = innd ]; then
        inn_ctl shutdown "lab.sh stop" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
      else
        kill -TERM "$pid" 2>/dev/null || true
      fi
    fi
    if [ -f "$PIDS/$svc.pgid" ]; then
      read -r g <"$PIDS/$svc.pgid" || true
      if [ -n "$g" ] && [ "$g" -gt 1 ] && [ -n "$(group_members "$g")" ]; then
        groups+=" $g"      # what a dead master left behind
        term_groups+=" $g"
        ports+=" ${PORTS[$svc]}"
      fi
    fi
  done
  # Only what was ours is waited for: a port held by a foreign process is not.
  # Children get SIGTERM too: Dovecot's master otherwise waits for login
  # processes that are still starting, innd leaves its reader sessions.
  # Not Postfix's: its master, still logging, would block on a dead postlogd.
  left=$(group_members $term_groups)
  [ -z "$left" ] || kill -TERM $left 2>/dev/null || true
  local t0 now termed=0 killed=0
  t0=$(now_ms)
  while :; do
    left=$(group_members $groups)
    open=$(listening $ports)
    [ -z "$left" ] && [ -z "$open" ] && break
    now=$(( $(now_ms) - t0 ))
    if [ "$now" -gt 1000 ] && [ "$termed" = 0 ] && [ -n "$left" ]; then
      pid=$(group_members $term_groups)
      [ -z "$pid" ] || kill -TERM $pid 2>/dev/null || true
      termed=1
    elif [ "$now" -gt 3000 ] && [ "$killed" = 0 ] && [ -n "$left" ]; then
      kill -KILL $left 2>/dev/null || true
      killed=1
    elif [ "$now" -gt 8000 ]; then
      break
    fi
    sleep 0.05
  done
  for svc in "$@"; do rm -f "$PIDS/$svc.pgid"; done
  [ -z "$left" ] || echo "lab.sh: processes still running after stop: $(echo $left)" >&2
  [ -z "$open" ] || echo "lab.sh: port(s) still open after stop: $(echo $open)" >&2
  [ -z "$left$open" ]
}

cmd_stop() {
  [ -d "$RUN" ] || return 0
  prepare
  stop_services "${SERVICES[@]}"
}

cmd_status() {
  local svc pid up=0 down=0 p state
  for svc in "${SERVICES[@]}"; do
    if pid=$(svc_pid "$svc"); then
      state="running (pid $pid)"
      for p in ${PORTS[$svc]}; do port_open "$p" || state+=", port $p not answering"; done
      up=$((up + 1))
    else
      state="stopped"
      down=$((down + 1))
    fi
    printf '%-8s %-28s ports %s\n' "$svc" "$state" "${PORTS[$svc]}"
  done
  [ "$down" = 0 ] && return 0
  [ "$up" = 0 ] && return 3
  return 1
}

q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

cmd_env() {
  local u U fp=""
  [ -r "$CERTS/server.sha256" ] && fp=$(cat "$CERTS/server.sha256")
  {
    echo "PIGEON_LAB_DIR=$(q "$RUN")"
    echo "PIGEON_LAB_HOST=$HOST"
    echo "PIGEON_LAB_DOMAIN=$DOMAIN"
    echo "PIGEON_LAB_SMTP_PORT=$SMTP_PORT"
    echo "PIGEON_LAB_SUBMISSION_PORT=$SUBMISSION_PORT"
    echo "PIGEON_LAB_SUBMISSIONS_PORT=$SUBMISSIONS_PORT"
    echo "PIGEON_LAB_SMTPS_WRONG_HOST_PORT=$SMTPS_WRONG_HOST_PORT"
    echo "PIGEON_LAB_SMTPS_EXPIRED_PORT=$SMTPS_EXPIRED_PORT"
    echo "PIGEON_LAB_SMTPS_SELF_SIGNED_PORT=$SMTPS_SELF_SIGNED_PORT"
    echo "PIGEON_LAB_IMAP_PORT=$IMAP_PORT"
    echo "PIGEON_LAB_IMAPS_PORT=$IMAPS_PORT"
    echo "PIGEON_LAB_POP3_PORT=$POP3_PORT"
    echo "PIGEON_LAB_POP3S_PORT=$POP3S_PORT"
    echo "PIGEON_LAB_NNTP_PORT=$NNTP_PORT"
    echo "PIGEON_LAB_NNTPS_PORT=$NNTPS_PORT"
    echo "PIGEON_LAB_FTP_PORT=$FTP_PORT"
    echo "PIGEON_LAB_FTPS_PORT=$FTPS_PORT"
    echo "PIGEON_LAB_FTP_PLAIN_PORT=$FTP_PLAIN_PORT"
    echo "PIGEON_LAB_FTPS_WRONG_HOST_PORT=$FTPS_WRONG_HOST_PORT"
    echo "PIGEON_LAB_FTP_HOME=$(q "$FTP/home")"
    echo "PIGEON_LAB_MAILDEV_PORT=$MAILDEV_PORT"
    echo "PIGEON_LAB_MAILDEV_WEB_PORT=$MAILDEV_WEB_PORT"
    echo "PIGEON_LAB_MAILDEV_AUTH_PORT=$MAILDEV_AUTH_PORT"
    echo "PIGEON_LAB_MAILDEV_AUTH_WEB_PORT=$MAILDEV_AUTH_WEB_PORT"
    echo "PIGEON_LAB_MAILDEV_USER=$(q "$MAILDEV_USER")"
    echo "PIGEON_LAB_MAILDEV_PASS=$(q "$MAILDEV_PASS")"
    echo "PIGEON_LAB_NEWSGROUPS=$(q "${NEWSGROUPS[*]}")"
    echo "PIGEON_LAB_UNKNOWN_ADDRESS=nobody@$DOMAIN"
    for u in "${USERS[@]}"; do
      U=${u^^}
      echo "PIGEON_LAB_${U}_USER=$(q "$u@$DOMAIN")"
      echo "PIGEON_LAB_${U}_PASS=$(q "${PASS[$u]}")"
      echo "PIGEON_LAB_${U}_MAILDIR=$(q "$MAIL/$u/Maildir")"
    done
    echo "PIGEON_LAB_OAUTH2_INTROSPECT_PORT=$OAUTH2_INTROSPECT_PORT"
    echo "PIGEON_LAB_OAUTH2_SECRET_FILE=$(q "$OAUTH2/secret")"
    echo "PIGEON_LAB_CA_FILE=$(q "$CERTS/ca.pem")"
    echo "PIGEON_LAB_SERVER_CERT=$(q "$CERTS/server.pem")"
    echo "PIGEON_LAB_SERVER_KEY=$(q "$CERTS/server.key")"
    echo "PIGEON_LAB_SERVER_CERT_SHA256=$(q "$fp")"
    echo "PIGEON_LAB_CLIENT_CERT=$(q "$CERTS/client.pem")"
    echo "PIGEON_LAB_CLIENT_KEY=$(q "$CERTS/client.key")"
    echo "PIGEON_LAB_WRONG_HOST_CERT=$(q "$CERTS/wrong-host.pem")"
    echo "PIGEON_LAB_EXPIRED_CERT=$(q "$CERTS/expired.pem")"
    echo "PIGEON_LAB_SELF_SIGNED_CERT=$(q "$CERTS/self-signed.pem")"
    echo "PIGEON_LAB_LMTP_SOCKET=$(q "$LMTP_SOCKET")"
    echo "PIGEON_LAB_INNCONF=$(q "$INNCONF_FILE")"
    echo "PIGEON_LAB_LOG_DIR=$(q "$LOGS")"
    echo "PIGEON_LAB_SEED_DIR=$(q "$RUN/seed")"
    echo "PIGEON_LAB_SMTP_SINK=$(q "$(command -v smtp-sink || echo /usr/sbin/smtp-sink)")"
    echo "PIGEON_LAB_SMTP_SOURCE=$(q "$(command -v smtp-source || echo /usr/sbin/smtp-source)")"
  }
}

cmd_clean() {
  cmd_stop
  exec 9>&-
  rm -rf "$RUN"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  clean) cmd_clean ;;
  seed) shift; PIGEON_LAB_DIR=$RUN exec /usr/bin/python3 "$LAB_SRC/seed.py" "$@" ;;
  *) echo "usage: lab.sh start|stop|status|env|clean|seed [options]" >&2; exit 2 ;;
esac
