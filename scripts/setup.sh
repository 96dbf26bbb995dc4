#!/usr/bin/env bash
# Installs every Debian 12 package pigeon needs to build, test, fuzz, benchmark
# and run its local server lab. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev libcli11-dev doctest-dev libcurl4-openssl-dev
  libtomlplusplus-dev nlohmann-json3-dev zlib1g-dev libidn-dev libspdlog-dev
  clang libclang-rt-14-dev
)
lab_pkgs=(
  openssl ca-certificates
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
  postfix inn2 sasl2-bin libsasl2-modules
  python3 vsftpd db-util
)
peer_pkgs=(
  libgmime-3.0-dev libmimetic-dev libvmime-dev
  msmtp curl swaks git-email time
  microsocks tinyproxy
  isync mpop fetchmail getmail6 offlineimap3 tin slrnpull
)

# INN's postinst needs a host name with a domain part; give it one in its
# config before (re)configuring, as LAB-NOTES.md explains.
prepare_inn_conf() {
  # inn2's postinst runs newaliases, which needs a main.cf.
  if [ -d /etc/postfix ] && [ ! -f /etc/postfix/main.cf ] && [ -f /usr/share/postfix/main.cf.debian ]; then
    $SUDO cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
  fi
  if [ -f /etc/news/inn.conf ] && ! grep -qE '^domain:[[:space:]]*[^[:space:]]' /etc/news/inn.conf; then
    $SUDO sed -i '/^#\?domain:/d' /etc/news/inn.conf
    echo 'domain: lab.test' | $SUDO tee -a /etc/news/inn.conf >/dev/null
  fi
}

# MailDev (lab/lab.sh) runs on Node from Debian; a Node that is already
# there (with its own npm) is used as it is.
command -v node >/dev/null 2>&1 || lab_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || lab_pkgs+=(npm)

missing=()
for p in "${build_pkgs[@]}" "${lab_pkgs[@]}" "${peer_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -q
  # Postfix asks questions on install; answer them up front.
  echo "postfix postfix/main_mailer_type select Local only" | $SUDO debconf-set-selections
  echo "postfix postfix/mailname string lab.test" | $SUDO debconf-set-selections
  if ! $SUDO apt-get install -y -q -o Dpkg::Options::=--force-confold "${missing[@]}"; then
    prepare_inn_conf
    $SUDO dpkg --configure -a
    $SUDO apt-get install -y -q -o Dpkg::Options::=--force-confold "${missing[@]}"
  fi
fi
prepare_inn_conf
# A half-configured inn2 from an earlier failed run:
if dpkg-query -W -f='${Status}' inn2 2>/dev/null | grep -vq 'install ok installed'; then
  $SUDO dpkg --configure -a
fi
# The distribution's daemons are not used (the lab runs private instances);
# make sure none of them holds a port we want.
for svc in dovecot postfix inn2 tinyproxy; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
# MailDev from npm into the project (lab/tools, not tracked); 2.2.1 runs on
# Debian 12's Node 18.
tools=$(cd "$(dirname "$0")/.." && pwd)/lab/tools
if [ ! -f "$tools/node_modules/maildev/bin/maildev" ]; then
  npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error maildev@2.2.1
fi
echo "pigeon setup: all packages present"
