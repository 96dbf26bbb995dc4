#!/usr/bin/python3
"""The Python standard-library peers of bench/fetch: imaplib or poplib
downloading bench@lab.test's INBOX into a Maildir, one command after another
as their documentation shows, each message stored as it arrives.

  stdlib_fetch.py --proto imap|pop3 --into DIR [--writer plain|mailbox] [--lab-dir DIR]

Writers: "plain" (default) writes tmp/NAME and renames it into new/NAME, no
fsync; "mailbox" is mailbox.Maildir.add, which fsyncs every file before
linking it into new/ (Python 3.11: mailbox._sync_close).

Prints one JSON line: {"impl", "count", "bytes"}. The connection and TLS
set-up (lab CA, host name 127.0.0.1) are bench/retrieve/peers.py's.
"""

import argparse
import imaplib
import json
import mailbox
import os
import poplib
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "retrieve"))
import peers  # noqa: E402  bench/retrieve/peers.py: HOST, PORTS, FETCH_BATCH, tls_context, lab_dir


class PlainMaildir:
    """tmp/ -> rename into new/, no fsync; names time.PpidQn.host as in
    the Maildir specification."""

    def __init__(self, path):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(path, sub), mode=0o700, exist_ok=True)
        self.tmp, self.new = os.path.join(path, "tmp"), os.path.join(path, "new")
        self.tail = f"P{os.getpid()}Q"
        self.host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
        self.n = 0

    def add(self, data):
        self.n += 1
        name = f"{int(time.time())}.{self.tail}{self.n}.{self.host}"
        tmp = os.path.join(self.tmp, name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.new, name))


def imap_into(ctx, user, password, box):
    c = imaplib.IMAP4_SSL(peers.HOST, peers.PORTS["imaps"], ssl_context=ctx)
    c.login(user, password)
    c.select("INBOX", readonly=True)
    typ, data = c.uid("SEARCH", None, "ALL")
    uids = [int(x) for x in data[0].split()]
    count = nbytes = 0
    for k in range(0, len(uids), peers.FETCH_BATCH):
        rng = f"{uids[k]}:{uids[min(k + peers.FETCH_BATCH, len(uids)) - 1]}"
        typ, data = c.uid("FETCH", rng, "(BODY.PEEK[])")
        if typ != "OK":
            raise RuntimeError(f"imaplib FETCH: {typ} {data}")
        for item in data:
            if isinstance(item, tuple):
                box.add(item[1])
                count += 1
                nbytes += len(item[1])
    c.logout()
    return count, nbytes


def pop3_into(ctx, user, password, box):
    p = poplib.POP3_SSL(peers.HOST, peers.PORTS["pop3s"], context=ctx)
    p.user(user)
    p.pass_(password)
    total, _ = p.stat()
    count = nbytes = 0
    for i in range(1, total + 1):
        _, lines, _ = p.retr(i)
        msg = b"\r\n".join(lines) + b"\r\n"
        box.add(msg)
        count += 1
        nbytes += len(msg)
    p.quit()
    return count, nbytes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proto", required=True, choices=["imap", "pop3"])
    ap.add_argument("--into", required=True, help="the Maildir (created if missing)")
    ap.add_argument("--writer", choices=["plain", "mailbox"], default="plain")
    ap.add_argument("--user", default="bench@lab.test")
    ap.add_argument("--password", default=os.environ.get("PIGEON_BENCH_PASS", "bench-pass-4"))
    ap.add_argument("--lab-dir")
    a = ap.parse_args()
    ctx = peers.tls_context(peers.lab_dir(a.lab_dir))
    box = PlainMaildir(a.into) if a.writer == "plain" else mailbox.Maildir(a.into, factory=None, create=True)
    fn = imap_into if a.proto == "imap" else pop3_into
    count, nbytes = fn(ctx, a.user, a.password, box)
    print(json.dumps({"impl": "imaplib" if a.proto == "imap" else "poplib", "count": count, "bytes": nbytes}),
          flush=True)


if __name__ == "__main__":
    main()
