#!/bin/sh
# with-dev-log.sh SOCKET COMMAND [ARG...]
# Runs COMMAND in a private mount namespace whose /dev/log is SOCKET (a Unix
# datagram socket the caller listens on), so a test can read what a program
# sends to syslog(3) without a syslog daemon and without touching the
# machine's /dev. /dev in the namespace is a tmpfs holding the usual
# character devices (bind-mounted from the real /dev) and the log socket.
# Needs root (unshare --mount); fails, never skips, without it.
set -eu
[ $# -ge 2 ] || { echo "usage: with-dev-log.sh SOCKET COMMAND [ARG...]" >&2; exit 2; }
exec unshare --mount --propagation private sh -euc '
sock=$1; shift
old=$(mktemp -d)
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty; do
  [ -e "$old/$n" ] || continue
  touch "/dev/$n"
  mount --bind "$old/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
touch /dev/log
mount --bind "$sock" /dev/log
exec "$@"
' with-dev-log "$@"
