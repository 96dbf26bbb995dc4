#!/usr/bin/env python3
"""Run a command with a private /dev/log and print what it sends to syslog.

INN's innd and nnrpd report errors only through syslog(3), and these machines
run no syslog daemon, so a failed start says nothing. lab.sh uses this to
re-run a failing INN daemon in the foreground: the command runs in a private
mount namespace (unshare -m) whose /dev is a small tmpfs with null, zero,
full, random, urandom and a /dev/log that leads to our socket. The host's
/dev is untouched. The command is killed after --seconds.

usage: capture-syslog.py --workdir DIR [--seconds N] -- CMD [ARG...]
(root only; prints one line per message, returns the command's status or 124)
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import time

SETUP = r'''
set -e
w=$1; shift
mount --rbind /dev "$w/olddev"
mount -t tmpfs -o mode=755 lab-dev /dev
for n in null zero full random urandom; do
  : > "/dev/$n"
  mount --bind "$w/olddev/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
ln -s "$w/log.sock" /dev/log
exec "$@"
'''


def strip_header(msg):
    """'<PRI>Mmm dd hh:mm:ss tag: text' -> 'tag: text'"""
    if msg.startswith("<") and ">" in msg:
        msg = msg[msg.index(">") + 1:]
        if len(msg) > 16 and msg[3] == " " and msg[15] == " ":
            msg = msg[16:]
    return msg.rstrip("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command")
    w = os.path.abspath(args.workdir)
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(os.path.join(w, "olddev"))
    os.chmod(w, 0o755)
    path = os.path.join(w, "log.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    sock.settimeout(0.1)
    proc = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "bash", "-c", SETUP, "setup", w] + cmd,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + args.seconds
    status = None
    while time.monotonic() < deadline:
        try:
            msg = sock.recv(65536).decode("utf-8", "replace")
        except socket.timeout:
            if proc.poll() is not None:
                status = proc.returncode
                break
            continue
        print(strip_header(msg), flush=True)
    if status is None:
        proc.kill()
        proc.wait()
        status = 124
    sock.setblocking(False)
    while True:  # what arrived just before the end
        try:
            msg = sock.recv(65536).decode("utf-8", "replace")
        except BlockingIOError:
            break
        print(strip_header(msg), flush=True)
    out = proc.stdout.read().decode("utf-8", "replace").strip()
    if out:
        print(out)
    shutil.rmtree(w, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
