#!/usr/bin/python3
"""The mail terminal commands against the lab's seeded INBOX (bench@lab.test,
10,000 messages): `pigeon list` of the newest 50 and of all, and `pigeon
search`, each a fresh process with a fresh connection (as himalaya runs a
command), side by side with the same work done by Python's imaplib (a fresh
connection each, the command count of himalaya's approach) and with the raw
ceiling (a bare TLS socket writing the protocol by hand, bench/retrieve/peers.py).

Every row must find the same number of messages. Wall times are the best of
--runs, the ceiling, imaplib and pigeon taking turns run by run; the pigeon rows include the process start (spawn to exit), the Python
rows do not include the interpreter's start (connect to logout, in process).
pigeon's output goes to a file, read after the timing.
Peak RSS of the pigeon process from wait4(2).

  export PIGEON_LAB_DIR=/work/labrun
  /usr/bin/python3 bench/mail/run.py --pigeon build/cli/pigeon [--runs 5] [--markdown]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "retrieve"))
import peers  # noqa: E402  (Raw, imap_login, imap_until, imap_logout, tls_context, lab_dir)

USER, PASSWORD, MAILBOX = "bench@lab.test", "bench-pass-4", "INBOX"
SEARCH_QUERY = ["larger", "100K"]          # pigeon's words
SEARCH_IMAP = "LARGER 102400"              # the same criteria
LISTING = "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)"


def exp():
    return {"user": USER, "password": PASSWORD, "mailbox": MAILBOX}


def raw_uids(r, tag, criteria):
    r.send(b"%s UID SEARCH %s\r\n" % (tag, criteria.encode()))
    lines = []
    peers.imap_until(r, tag, lines)
    return [int(x) for ln in lines if ln.startswith(b"* SEARCH") for x in ln.split()[2:]]


def raw_fetch_listing(r, uidset):
    r.send(b"l UID FETCH %s %s\r\n" % (uidset.encode(), LISTING.encode()))
    count = 0
    while True:
        line = r.line()
        if line.startswith(b"* "):
            if b" FETCH (" in line:
                count += 1
            while line.endswith(b"}\r\n"):
                r.skip(int(line[line.rindex(b"{") + 1:-3]))
                line = r.line()
        elif line.startswith(b"l "):
            if not line.startswith(b"l OK"):
                raise RuntimeError(f"IMAP: {line!r}")
            return count


def ceiling_newest(ctx, n):
    """TLS connect + LOGIN + SELECT + one UID FETCH of the newest n + LOGOUT."""
    r = peers.Raw(peers.PORTS["imaps"], ctx)
    peers.imap_login(r, exp())
    count = raw_fetch_listing(r, f"{10000 - n + 1}:*") if n else raw_fetch_listing(r, "1:*")
    peers.imap_logout(r)
    return count


def ceiling_search(ctx):
    r = peers.Raw(peers.PORTS["imaps"], ctx)
    peers.imap_login(r, exp())
    uids = raw_uids(r, b"s", SEARCH_IMAP)
    count = raw_fetch_listing(r, ",".join(map(str, uids))) if uids else 0
    peers.imap_logout(r)
    return count


def imaplib_rows(ctx, criteria, newest):
    """imaplib: connect, login, select, UID SEARCH, UID FETCH of the page, logout."""
    import imaplib
    c = imaplib.IMAP4_SSL(peers.HOST, peers.PORTS["imaps"], ssl_context=ctx)
    c.login(USER, PASSWORD)
    c.select(MAILBOX, readonly=True)
    typ, data = c.uid("SEARCH", None, criteria)
    uids = [int(x) for x in data[0].split()]
    uids.sort(reverse=True)
    if newest:
        uids = uids[:newest]
    count = 0
    if uids:
        typ, data = c.uid("FETCH", ",".join(map(str, uids)), LISTING)
        start = re.compile(rb"^\d+ \(")
        for item in data:
            head = item[0] if isinstance(item, tuple) else item
            if start.match(head):
                count += 1
    c.logout()
    return count


def pigeon_cmd(binary, args, lab, auth):
    url = f"imaps://bench%40lab.test@127.0.0.1:{peers.PORTS['imaps']}/{MAILBOX}"
    return ([binary] + args[:1] + [url] + args[1:] +
            ["--json", "--tls-ca", os.path.join(lab, "certs", "ca.pem"), "--auth-mech", auth])


def pigeon_env():
    """The environment of a fresh Debian: no SSL_CERT_FILE / SSL_CERT_DIR
    (the machines here export them, which makes OpenSSL parse the whole CA
    bundle at every start instead of looking CAs up in the hashed directory)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    env["PIGEON_PASSWORD"] = PASSWORD
    return env


def run_pigeon(binary, args, lab, auth):
    """(messages printed, wall s) of one pigeon run, spawn to exit. The
    output goes to a file, as with `pigeon list --json > out.json`, and is
    read after the timing: a pipe would time this driver's reading of it
    too (4 MB for the 10k, on the same two cores as pigeon and the server),
    which the ceiling and imaplib, printing nothing, do not pay."""
    env = pigeon_env()
    cmd = pigeon_cmd(binary, args, lab, auth)
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        out.seek(0)
        return len(json.load(out)), wall


def peak_rss_mb(binary, args, lab, auth):
    """Peak RSS of one pigeon run (MB), by GNU time's %M: the process's own
    ru_maxrss, not inflated by this driver's memory."""
    env = pigeon_env()
    cmd = ["/usr/bin/time", "-f", "%M"] + pigeon_cmd(binary, args, lab, auth)
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")
    return int(p.stderr.strip().splitlines()[-1]) / 1024.0


def timed(fn, runs, count=None):
    """(count, best wall) of runs calls of fn; count must not change
    between calls (nor from the count given)."""
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        c = fn()
        dt = time.perf_counter() - t0
        if isinstance(c, tuple):      # (count, wall measured inside)
            c, dt = c
        if count is not None and c != count:
            raise RuntimeError(f"count changed between runs: {count} then {c}")
        count = c
        best = dt if best is None else min(best, dt)
    return count, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pigeon", default=os.path.join(ROOT, "build", "cli", "pigeon"))
    ap.add_argument("--lab-dir", default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--auth-mech", default="PLAIN",
                    help="pigeon's SASL mechanism (PLAIN: what the ceiling and imaplib send; SCRAM-SHA-256: pigeon's default)")
    a = ap.parse_args()
    lab = peers.lab_dir(a.lab_dir)
    ctx = peers.tls_context(lab)

    jobs = [
        ("newest 50", ["list", "--page-size", "50"], lambda: ceiling_newest(ctx, 50),
         lambda: imaplib_rows(ctx, "ALL", 50)),
        ("all 10k", ["list", "--all"], lambda: ceiling_newest(ctx, 0), lambda: imaplib_rows(ctx, "ALL", 0)),
        ("search " + " ".join(SEARCH_QUERY), ["search"] + SEARCH_QUERY + ["--all"], lambda: ceiling_search(ctx),
         lambda: imaplib_rows(ctx, SEARCH_IMAP, 0)),
    ]
    # One untimed round first: the server's caches.
    for _, args, ceil, lib in jobs:
        ceil(), lib(), run_pigeon(a.pigeon, args, lab, a.auth_mech)

    rows = []
    for name, args, ceil, lib in jobs:
        # Round-robin, not one block of runs after another: the three see
        # the same spells of a busy machine (a shared two-core VM has
        # spells of seconds), and the best of each is taken.
        c_count = l_count = p_count = None
        c_wall = l_wall = p_wall = None
        for _ in range(a.runs):
            c_count, w = timed(ceil, 1, c_count)
            c_wall = w if c_wall is None else min(c_wall, w)
            l_count, w = timed(lib, 1, l_count)
            l_wall = w if l_wall is None else min(l_wall, w)
            p_count, w = timed(lambda: run_pigeon(a.pigeon, args, lab, a.auth_mech), 1, p_count)
            p_wall = w if p_wall is None else min(p_wall, w)
        rss = peak_rss_mb(a.pigeon, args, lab, a.auth_mech)
        ok = c_count == l_count == p_count
        rows.append((name, c_count, c_wall, l_wall, p_wall, rss, ok))

    if a.markdown:
        print("| job | messages | ceiling s | imaplib s | pigeon s | pigeon / ceiling | pigeon / imaplib | pigeon peak RSS MB | counts |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for name, n, c, l, p, rss, ok in rows:
            print(f"| {name} | {n} | {c:.3f} | {l:.3f} | {p:.3f} | {p / c:.2f}x | {p / l:.2f}x | {rss:.1f} | "
                  f"{'same' if ok else 'DIFFER'} |")
    else:
        for name, n, c, l, p, rss, ok in rows:
            print(f"{name:24} n={n:<6} ceiling {c:.3f}s imaplib {l:.3f}s pigeon {p:.3f}s "
                  f"({p / c:.2f}x ceiling, {p / l:.2f}x imaplib) rss {rss:.1f} MB {'ok' if ok else 'COUNTS DIFFER'}")
    sys.exit(0 if all(r[-1] for r in rows) else 1)


if __name__ == "__main__":
    main()
