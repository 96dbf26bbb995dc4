#!/usr/bin/python3
"""Peer clients for the retrieval benchmarks (see README.md): one job, one
implementation per process, one JSON line on stdout.

  peers.py --job JOB --impl ceiling|imaplib|poplib|nntplib [--sample N]

"ceiling": raw pipelined clients (sockets + ssl, many commands per write,
replies read through a 1 MiB buffer, bodies counted and discarded) - about
as fast as Python can drive the server. The others use the standard library
the way its documentation shows (one command after another).

Stdlib only; Python 3.11 (nntplib is deprecated there and removed in 3.13).
"""

import argparse
import json
import os
import re
import resource
import socket
import ssl
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lab"))

HOST = "127.0.0.1"
PORTS = {"imaps": 10993, "pop3s": 10995, "nntp": 10119, "nntps": 10563}
FETCH_BATCH = 500        # UIDs per UID FETCH ... BODY.PEEK[] command
WINDOW = 64              # POP3 RETR / NNTP ARTICLE commands in flight

# job -> (protocol, which data, implementation of the library flavour)
JOBS = {
    "imaps_fetch_all": ("imap", "bench", "imaplib"),
    "imaps_list": ("imap", "bench", "imaplib"),
    "pop3s_retr_all": ("pop3", "bench", "poplib"),
    "nntp_over": ("nntp", "bench", "nntplib"),
    "nntp_article": ("nntp", "bench", "nntplib"),
    "nntps_article": ("nntp", "bench", "nntplib"),
    "imaps_fetch_huge": ("imap", "huge", "imaplib"),
    "pop3s_retr_huge": ("pop3", "huge", "poplib"),
    "nntp_article_huge": ("nntp", "huge", "nntplib"),
}


# ---------------------------------------------------------------- lab data

def lab_dir(arg):
    if arg:
        return os.path.abspath(arg)
    if os.environ.get("PIGEON_LAB_DIR"):
        return os.path.abspath(os.environ["PIGEON_LAB_DIR"])
    import seed as labseed     # lab/seed.py: finds the running lab
    running = labseed.running_lab_dirs()
    return running[0] if len(running) == 1 else os.path.join(HERE, "..", "..", "lab", "run")


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"peers.py: {path}: {e.strerror} (seed first: lab/lab.sh seed [--huge])")


def expected(lab, job):
    """What the job must transfer: dict with the connection data and the
    expected count and bytes (from the seed manifests)."""
    proto, which, _ = JOBS[job]
    seed_dir = os.path.join(lab, "seed")
    if proto in ("imap", "pop3"):
        man = load_json(os.path.join(seed_dir, f"mail-{which}.json"))
        inbox = man["folders"]["INBOX"]
        return {"user": man["user"], "password": man["password"], "mailbox": "INBOX",
                "count": inbox["count"], "bytes": inbox["bytes"]}
    group = "lab.bench" if which == "bench" else "lab.bench.huge"
    man = load_json(os.path.join(seed_dir, f"news-{group}.json"))
    if job == "nntp_over":
        return {"group": group, "count": man["overview_lines"], "bytes": man["overview_bytes"]}
    return {"group": group, "count": len(man["articles"]), "bytes": man["bytes"]}


def expected_from_env(job):
    """The same data from the environment run.py sets (README: the contract),
    so that the peer does not load a manifest (megabytes of JSON) and its
    peak RSS is the job's own."""
    e = os.environ
    if e.get("PIGEON_BENCH_JOB") != job:
        return None
    exp = {"count": int(e["PIGEON_BENCH_EXPECT_COUNT"]), "bytes": int(e["PIGEON_BENCH_EXPECT_BYTES"])}
    if JOBS[job][0] == "nntp":
        exp["group"] = e["PIGEON_BENCH_GROUP"]
    else:
        exp.update(user=e["PIGEON_BENCH_USER"], password=e["PIGEON_BENCH_PASS"],
                   mailbox=e["PIGEON_BENCH_MAILBOX"])
    return exp


def tls_context(lab):
    ctx = ssl.create_default_context(cafile=os.path.join(lab, "certs", "ca.pem"))
    return ctx


# ---------------------------------------------------------------- raw client

class Raw:
    """A socket with a 1 MiB receive buffer; lines, literals and dot-terminated
    blocks are found with bytes methods (C speed), bodies are counted and
    dropped."""

    def __init__(self, port, ctx=None):
        s = socket.create_connection((HOST, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock = ctx.wrap_socket(s, server_hostname=HOST) if ctx else s
        self.buf = bytearray(1 << 20)
        self.mv = memoryview(self.buf)
        self.start = self.end = 0

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        if self.start == self.end:
            self.start = self.end = 0
        elif self.end == len(self.buf):
            if self.start > 0:           # move the unread tail to the front
                n = self.end - self.start
                self.buf[:n] = self.buf[self.start:self.end]
                self.start, self.end = 0, n
            else:                        # a line longer than the buffer
                self.buf.extend(bytes(len(self.buf)))
                self.mv = memoryview(self.buf)
        n = self.sock.recv_into(self.mv[self.end:])
        if n == 0:
            raise ConnectionError("connection closed by the server")
        self.end += n

    def line(self):
        """The next line, CRLF included."""
        while True:
            i = self.buf.find(b"\n", self.start, self.end)
            if i >= 0:
                s = bytes(self.mv[self.start:i + 1])
                self.start = i + 1
                return s
            self._fill()

    def skip(self, n):
        """Drop the next n bytes (an IMAP literal)."""
        avail = self.end - self.start
        if avail >= n:
            self.start += n
            return
        n -= avail
        self.start = self.end = 0
        while True:
            k = self.sock.recv_into(self.mv)
            if k == 0:
                raise ConnectionError("connection closed in a literal")
            if k >= n:
                self.start, self.end = n, k
                return
            n -= k

    def block(self):
        """After a status line: drop a dot-terminated block, return its size
        once unstuffed (CRLF line ends, terminator excluded)."""
        while self.end - self.start < 3:
            self._fill()
        if self.buf.startswith(b".\r\n", self.start):
            self.start += 3
            return 0
        stuffed = 1 if self.buf.startswith(b"..", self.start) else 0
        total = 0
        pos = self.start
        while True:
            t = self.buf.find(b"\r\n.\r\n", pos, self.end)
            if t >= 0:
                stuffed += self.buf.count(b"\r\n..", pos, t + 2)
                total += t + 2 - self.start
                self.start = t + 5
                return total - stuffed
            # Consume all but the last 4 bytes (a terminator may span the
            # edge); count the stuffed lines that start before that point.
            c = max(pos, self.end - 4)
            stuffed += self.buf.count(b"\r\n..", pos, min(c + 3, self.end))
            total += c - self.start
            self.start = c
            self._fill()
            pos = self.start

    def block_data(self):
        """After a status line: a dot-terminated block as bytes (not
        unstuffed; for OVER and LISTGROUP, whose lines never start with ".")."""
        out = []
        if self.end - self.start >= 3 and self.buf.startswith(b".\r\n", self.start):
            self.start += 3
            return b""
        pos = self.start
        while True:
            t = self.buf.find(b"\r\n.\r\n", pos, self.end)
            if t >= 0:
                out.append(bytes(self.mv[self.start:t + 2]))
                self.start = t + 5
                return b"".join(out)
            c = max(self.start, self.end - 4)
            out.append(bytes(self.mv[self.start:c]))
            self.start = c
            self._fill()
            pos = self.start

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def imap_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_until(r, tag, lines=None):
    """Read responses up to the tagged one (no literals expected)."""
    while True:
        line = r.line()
        if lines is not None:
            lines.append(line)
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise RuntimeError(f"IMAP: {line!r}")
            return line


def imap_login(r, exp):
    greeting = r.line()
    if not greeting.startswith(b"* OK"):
        raise RuntimeError(f"IMAP greeting: {greeting!r}")
    r.send(f"a LOGIN {imap_quote(exp['user'])} {imap_quote(exp['password'])}\r\n"
           f"b SELECT {exp['mailbox']}\r\n".encode())
    imap_until(r, b"a")
    imap_until(r, b"b")


def imap_logout(r):
    r.send(b"z LOGOUT\r\n")
    imap_until(r, b"z")
    r.close()


def ceiling_imap_fetch(ctx, exp):
    r = Raw(PORTS["imaps"], ctx)
    imap_login(r, exp)
    r.send(b"s UID SEARCH ALL\r\n")
    lines = []
    imap_until(r, b"s", lines)
    uids = [int(x) for ln in lines if ln.startswith(b"* SEARCH") for x in ln.split()[2:]]
    cmds, tags = [], []
    for k in range(0, len(uids), FETCH_BATCH):
        tag = f"f{k // FETCH_BATCH}".encode()
        tags.append(tag)
        cmds.append(b"%s UID FETCH %d:%d BODY.PEEK[]\r\n" % (tag, uids[k], uids[min(k + FETCH_BATCH, len(uids)) - 1]))
    r.send(b"".join(cmds))          # every batch in one write
    count = nbytes = 0
    pending = set(tags)
    while pending:
        line = r.line()
        if line.startswith(b"* "):
            while line.endswith(b"}\r\n"):
                n = int(line[line.rindex(b"{") + 1:-3])
                r.skip(n)
                count += 1
                nbytes += n
                line = r.line()
        else:
            tag = line.split(b" ", 1)[0]
            if tag in pending:
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(f"IMAP: {line!r}")
                pending.discard(tag)
    imap_logout(r)
    return count, nbytes


SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


def ceiling_imap_list(ctx, exp):
    r = Raw(PORTS["imaps"], ctx)
    imap_login(r, exp)
    r.send(b"l UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)\r\n")
    count = nbytes = 0
    while True:
        line = r.line()
        if line.startswith(b"* "):
            if b" FETCH (" in line:
                count += 1
            size = SIZE_RE.search(line)
            while line.endswith(b"}\r\n"):             # a literal in the envelope
                r.skip(int(line[line.rindex(b"{") + 1:-3]))
                line = r.line()
                size = size or SIZE_RE.search(line)
            if size:
                nbytes += int(size.group(1))
        elif line.startswith(b"l "):
            if not line.startswith(b"l OK"):
                raise RuntimeError(f"IMAP: {line!r}")
            break
    imap_logout(r)
    return count, nbytes


def pop3_ok(r):
    line = r.line()
    if not line.startswith(b"+OK"):
        raise RuntimeError(f"POP3: {line!r}")
    return line


def ceiling_pop3(ctx, exp):
    r = Raw(PORTS["pop3s"], ctx)
    pop3_ok(r)
    r.send(f"USER {exp['user']}\r\nPASS {exp['password']}\r\nSTAT\r\n".encode())
    pop3_ok(r)
    pop3_ok(r)
    total = int(pop3_ok(r).split()[1])
    count = nbytes = sent = 0
    while count < total:
        if sent - count <= (WINDOW - 1) // 2 and sent < total:     # top up the window
            k = min(total, count + WINDOW)
            r.send(b"".join(b"RETR %d\r\n" % i for i in range(sent + 1, k + 1)))
            sent = k
        pop3_ok(r)
        nbytes += r.block()
        count += 1
    r.send(b"QUIT\r\n")
    pop3_ok(r)
    r.close()
    return count, nbytes


def nntp_open(port, ctx, group):
    r = Raw(port, ctx)
    greeting = r.line()
    if not greeting.startswith(b"20"):
        raise RuntimeError(f"NNTP greeting: {greeting!r}")
    r.send(f"GROUP {group}\r\n".encode())
    line = r.line()
    if not line.startswith(b"211"):
        raise RuntimeError(f"NNTP GROUP: {line!r}")
    _, n, low, high = line.split()[:4]
    return r, int(low), int(high)


def nntp_close(r):
    r.send(b"QUIT\r\n")
    r.line()
    r.close()


def ceiling_nntp_over(port, ctx, exp):
    r, low, high = nntp_open(port, ctx, exp["group"])
    r.send(b"OVER %d-%d\r\n" % (low, high))
    line = r.line()
    if not line.startswith(b"224"):
        raise RuntimeError(f"NNTP OVER: {line!r}")
    lines = r.block_data().split(b"\r\n")[:-1]
    nbytes = sum(int(x.split(b"\t", 7)[6]) for x in lines)
    nntp_close(r)
    return len(lines), nbytes


def ceiling_nntp_article(port, ctx, exp):
    r, low, high = nntp_open(port, ctx, exp["group"])
    r.send(b"LISTGROUP\r\n")
    line = r.line()
    if not line.startswith(b"211"):
        raise RuntimeError(f"NNTP LISTGROUP: {line!r}")
    numbers = r.block_data().split()
    total = len(numbers)
    count = nbytes = sent = done = 0
    while done < total:
        if sent - done <= (WINDOW - 1) // 2 and sent < total:
            k = min(total, done + WINDOW)
            r.send(b"".join(b"ARTICLE %s\r\n" % numbers[i] for i in range(sent, k)))
            sent = k
        line = r.line()
        done += 1
        if line.startswith(b"220"):
            nbytes += r.block()
            count += 1
        elif not line.startswith(b"423"):
            raise RuntimeError(f"NNTP ARTICLE: {line!r}")
    nntp_close(r)
    return count, nbytes


# ---------------------------------------------------------------- standard library

def lib_imap_fetch(ctx, exp):
    import imaplib
    c = imaplib.IMAP4_SSL(HOST, PORTS["imaps"], ssl_context=ctx)
    c.login(exp["user"], exp["password"])
    c.select(exp["mailbox"])
    typ, data = c.uid("SEARCH", None, "ALL")
    uids = [int(x) for x in data[0].split()]
    count = nbytes = 0
    for k in range(0, len(uids), FETCH_BATCH):
        rng = f"{uids[k]}:{uids[min(k + FETCH_BATCH, len(uids)) - 1]}"
        typ, data = c.uid("FETCH", rng, "(BODY.PEEK[])")
        if typ != "OK":
            raise RuntimeError(f"imaplib FETCH: {typ} {data}")
        for item in data:
            if isinstance(item, tuple):
                count += 1
                nbytes += len(item[1])
    c.logout()
    return count, nbytes


def lib_imap_list(ctx, exp):
    import imaplib
    c = imaplib.IMAP4_SSL(HOST, PORTS["imaps"], ssl_context=ctx)
    c.login(exp["user"], exp["password"])
    c.select(exp["mailbox"])
    typ, data = c.uid("FETCH", "1:*", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
    if typ != "OK":
        raise RuntimeError(f"imaplib FETCH: {typ}")
    count = nbytes = 0
    start = re.compile(rb"^\d+ \(")
    for item in data:
        head = item[0] if isinstance(item, tuple) else item
        if start.match(head):
            count += 1
            m = SIZE_RE.search(head)
            if m:
                nbytes += int(m.group(1))
    c.logout()
    return count, nbytes


def lib_pop3(ctx, exp):
    import poplib
    p = poplib.POP3_SSL(HOST, PORTS["pop3s"], context=ctx)
    p.user(exp["user"])
    p.pass_(exp["password"])
    total, _ = p.stat()
    count = nbytes = 0
    for i in range(1, total + 1):
        _, lines, _ = p.retr(i)
        nbytes += sum(map(len, lines)) + 2 * len(lines)
        count += 1
    p.quit()
    return count, nbytes


def nntplib_open(port, ctx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib
    if port == PORTS["nntps"]:
        return nntplib.NNTP_SSL(HOST, port, ssl_context=ctx)
    return nntplib.NNTP(HOST, port)


def lib_nntp_over(port, ctx, exp):
    s = nntplib_open(port, ctx)
    _, _, first, last, _ = s.group(exp["group"])
    _, overviews = s.over((first, last))
    nbytes = sum(int(ov[":bytes"]) for _, ov in overviews)
    s.quit()
    return len(overviews), nbytes


def lib_nntp_article(port, ctx, exp, sample=0, timing=None):
    """nntplib has no LISTGROUP method: the numbers come from OVER. With
    sample > 0, only that many articles (evenly spread) are read; timing
    gets the set-up and loop times for the extrapolation."""
    t0, c0 = time.perf_counter(), time.process_time()
    s = nntplib_open(port, ctx)
    _, _, first, last, _ = s.group(exp["group"])
    _, overviews = s.over((first, last))
    numbers = [n for n, _ in overviews]
    todo = numbers
    if sample and sample < len(numbers):
        step = len(numbers) / sample
        todo = [numbers[int(i * step)] for i in range(sample)]
    t1, c1 = time.perf_counter(), time.process_time()
    count = nbytes = 0
    for n in todo:
        _, info = s.article(n)
        nbytes += sum(map(len, info.lines)) + 2 * len(info.lines)
        count += 1
    t2, c2 = time.perf_counter(), time.process_time()
    s.quit()
    if timing is not None:
        timing.update(setup_wall=t1 - t0 + time.perf_counter() - t2, setup_cpu=c1 - c0 + time.process_time() - c2,
                      loop_wall=t2 - t1, loop_cpu=c2 - c1, total=len(numbers), done=len(todo))
    return count, nbytes


# ---------------------------------------------------------------- driver

def peak_rss_kb():
    """This process's own peak RSS: VmHWM of /proc/self/status. (ru_maxrss
    would include the RSS of the process that forked us: the kernel carries
    the old address space's high-water mark across exec.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(job, impl, lab, sample):
    exp = expected_from_env(job) or expected(lab, job)
    proto = JOBS[job][0]
    ctx = tls_context(lab)
    nntp_port = PORTS["nntps"] if job.startswith("nntps") else PORTS["nntp"]
    nntp_ctx = ctx if job.startswith("nntps") else None
    if impl == "ceiling":
        fn = {"imaps_fetch_all": lambda: ceiling_imap_fetch(ctx, exp),
              "imaps_fetch_huge": lambda: ceiling_imap_fetch(ctx, exp),
              "imaps_list": lambda: ceiling_imap_list(ctx, exp),
              "pop3s_retr_all": lambda: ceiling_pop3(ctx, exp),
              "pop3s_retr_huge": lambda: ceiling_pop3(ctx, exp),
              "nntp_over": lambda: ceiling_nntp_over(nntp_port, nntp_ctx, exp),
              "nntp_article": lambda: ceiling_nntp_article(nntp_port, nntp_ctx, exp),
              "nntps_article": lambda: ceiling_nntp_article(nntp_port, nntp_ctx, exp),
              "nntp_article_huge": lambda: ceiling_nntp_article(nntp_port, nntp_ctx, exp)}[job]
    elif impl == JOBS[job][2]:
        fn = {"imap": lambda: (lib_imap_list if job == "imaps_list" else lib_imap_fetch)(ctx, exp),
              "pop3": lambda: lib_pop3(ctx, exp),
              "nntp": lambda: (lib_nntp_over(nntp_port, nntp_ctx, exp) if job == "nntp_over"
                               else lib_nntp_article(nntp_port, nntp_ctx, exp, sample, timing))}[proto]
    else:
        sys.exit(f"peers.py: {job} has no implementation {impl!r} (ceiling, {JOBS[job][2]})")
    timing = {}
    t0, c0 = time.perf_counter(), time.process_time()
    count, nbytes = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"job": job, "impl": impl, "wall": round(wall, 4), "cpu": round(cpu, 4), "bytes": nbytes,
           "count": count, "peak_rss_kb": peak_rss_kb()}
    if timing and timing["done"] < timing["total"]:
        f = timing["total"] / timing["done"]
        out["measured"] = {"wall": out["wall"], "cpu": out["cpu"], "count": count, "bytes": nbytes}
        out.update(wall=round(timing["setup_wall"] + timing["loop_wall"] * f, 4),
                   cpu=round(timing["setup_cpu"] + timing["loop_cpu"] * f, 4),
                   count=timing["total"], bytes=round(nbytes * f), sampled=timing["done"],
                   extrapolated=True)
        out["ok"] = None          # cannot be checked against the manifest
    else:
        out["ok"] = count == exp["count"] and nbytes == exp["bytes"]
        if not out["ok"]:
            out["expected"] = {"count": exp["count"], "bytes": exp["bytes"]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--job", required=True, choices=sorted(JOBS))
    ap.add_argument("--impl", required=True, help="ceiling, or imaplib / poplib / nntplib")
    ap.add_argument("--sample", type=int, default=0,
                    help="nntplib ARTICLE jobs: read only N articles and extrapolate")
    ap.add_argument("--window", type=int, default=WINDOW,
                    help=f"ceiling: POP3 RETR / NNTP ARTICLE commands in flight (default {WINDOW}; "
                    "1 = no pipelining)")
    ap.add_argument("--lab-dir")
    a = ap.parse_args()
    globals()["WINDOW"] = max(1, a.window)
    print(json.dumps(run(a.job, a.impl, lab_dir(a.lab_dir), a.sample)), flush=True)


if __name__ == "__main__":
    main()
