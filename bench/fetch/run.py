#!/usr/bin/python3
"""The `pigeon fetch` benchmark (issue 8): download bench@lab.test's INBOX
(10,000 messages, ~470 MiB) from the lab into a fresh Maildir with pigeon and
with the usual fetchers, side by side; time each, verify each Maildir.
See README.md.

  /usr/bin/python3 bench/fetch/run.py                          # every peer; pigeon rows say "not built"
  /usr/bin/python3 bench/fetch/run.py --pigeon build/cli/pigeon
  /usr/bin/python3 bench/fetch/run.py --only ceiling-imaps,mbsync-nocompress-nofsync --runs 5
  /usr/bin/python3 bench/fetch/run.py --list

Every row runs as a child process under /usr/bin/time (for the peak RSS),
in a fresh directory under --work-dir (HOME points there too, so no peer
reads or writes state elsewhere), after a sync(2) so that the previous
row's dirty pages are not written back on this row's time. Wall time is
from the spawn to the exit; CPU time is user + system of the whole process
tree (os.wait4 on the time(1) process, which includes every child that was
waited for). Afterwards each Maildir is checked: 10,000 files in new/ and
cur/, and the multiset of SHA-256 of the files with line ends normalized
equal to the server's (the seed manifest's hashes).
"""

import argparse
import collections
import hashlib
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
RETRIEVE = os.path.join(ROOT, "bench", "retrieve")
sys.path.insert(0, RETRIEVE)
sys.path.insert(0, os.path.join(ROOT, "lab"))
import peers  # noqa: E402  bench/retrieve/peers.py
from fs_settle import free_bytes, remove_dirs, settle  # noqa: E402


def _load_retrieve_run():
    """bench/retrieve/run.py under another name (this file is run.py too):
    its lab finding and seeding are reused."""
    spec = importlib.util.spec_from_file_location("retrieve_run", os.path.join(RETRIEVE, "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


retrieve_run = _load_retrieve_run()
log = retrieve_run.log

USER = "bench@lab.test"
TIME = "/usr/bin/time"
HOST_NAME = "localhost"      # for peers that do not match IP addresses in certificates


# ---------------------------------------------------------------- the rows

class Row:
    """One row of the table. prepare(ctx, d) writes the row's configuration
    into its fresh directory d and returns the command, the extra
    environment and the Maildirs to verify."""

    def __init__(self, name, proto, what, prepare, slow=False, needs=None, accounts=1, pigeon=False,
                 adds=()):
        self.name, self.proto, self.what, self.prepare = name, proto, what, prepare
        self.slow, self.needs, self.accounts, self.pigeon = slow, needs, accounts, pigeon
        self.adds = tuple(h.lower().encode() for h in adds)   # header fields the peer inserts
        self.adds_names = ", ".join(adds)


def write(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def make_maildir(path):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), mode=0o700, exist_ok=True)
    return path


def ceiling(job):
    def prepare(ctx, d):
        exp = peers.expected(ctx.lab, job)
        env = {"PIGEON_BENCH_JOB": job, "PIGEON_BENCH_EXPECT_COUNT": str(exp["count"]),
               "PIGEON_BENCH_EXPECT_BYTES": str(exp["bytes"]), "PIGEON_BENCH_USER": exp["user"],
               "PIGEON_BENCH_PASS": exp["password"], "PIGEON_BENCH_MAILBOX": exp["mailbox"]}
        cmd = [sys.executable, os.path.join(RETRIEVE, "peers.py"), "--job", job, "--impl", "ceiling",
               "--lab-dir", ctx.lab]
        return cmd, env, []
    return prepare


def stdlib(proto, writer="plain"):
    def prepare(ctx, d):
        md = os.path.join(d, "Maildir")
        cmd = [sys.executable, os.path.join(HERE, "stdlib_fetch.py"), "--proto", proto, "--into", md,
               "--writer", writer, "--lab-dir", ctx.lab]
        return cmd, {}, [md]
    return prepare


def mbsync(compress, fsync):
    def prepare(ctx, d):
        md = os.path.join(d, "Maildir")
        state = os.path.join(d, "state")
        os.makedirs(state)
        rc = write(os.path.join(d, "mbsyncrc"), f"""\
FSync {"yes" if fsync else "no"}

IMAPAccount lab
Host {HOST_NAME}
Port {peers.PORTS["imaps"]}
User {USER}
Pass {ctx.password}
SSLType IMAPS
CertificateFile {ctx.ca}
SystemCertificates no
{"" if compress else "DisableExtensions COMPRESS=DEFLATE"}

IMAPStore remote
Account lab

MaildirStore local
Inbox {md}

Channel bench
Far :remote:INBOX
Near :local:INBOX
Sync Pull
Create Near
SyncState {state}/
""")
        return ["mbsync", "-q", "-c", rc, "bench"], {}, [md]
    return prepare


def offlineimap(ctx, d):
    md = os.path.join(d, "Maildir")
    rc = write(os.path.join(d, "offlineimaprc"), f"""\
[general]
accounts = bench
metadata = {d}/offlineimap-meta
ui = quiet

[Account bench]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {md}

[Repository remote]
type = IMAP
remotehost = {HOST_NAME}
remoteport = {peers.PORTS["imaps"]}
ssl = yes
sslcacertfile = {ctx.ca}
remoteuser = {USER}
remotepass = {ctx.password}
folderfilter = lambda f: f == 'INBOX'
readonly = True
""")
    return ["offlineimap", "-c", rc, "-u", "quiet"], {}, [md]


def mpop(ctx, d):
    md = make_maildir(os.path.join(d, "Maildir"))
    rc = write(os.path.join(d, "mpoprc"), f"""\
account bench
host {peers.HOST}
port {peers.PORTS["pop3s"]}
tls on
tls_starttls off
tls_trust_file {ctx.ca}
user {USER}
password {ctx.password}
keep on
only_new on
received_header off
uidls_file {d}/mpop_uidls
delivery maildir {md}
""")
    return ["mpop", "-q", "-C", rc, "bench"], {}, [md]


def getmail(proto):
    def prepare(ctx, d):
        md = make_maildir(os.path.join(d, "Maildir"))
        as_user = None
        if os.geteuid() == 0:       # getmail refuses to deliver as root: the delivery child runs as nobody
            as_user = "nobody"
            os.chmod(ctx.work, 0o755)   # getmail reads the parent directory of the Maildir
            os.chmod(d, 0o755)
            for p in [md] + [os.path.join(md, s) for s in ("cur", "new", "tmp")]:
                os.chown(p, pwd.getpwnam(as_user).pw_uid, pwd.getpwnam(as_user).pw_gid)
        gdir = os.path.join(d, "getmail")
        os.makedirs(gdir, mode=0o700)
        if proto == "pop3":
            retr = f"""\
type = SimplePOP3SSLRetriever
server = {peers.HOST}
port = {peers.PORTS["pop3s"]}
"""
        else:
            retr = f"""\
type = SimpleIMAPSSLRetriever
server = {peers.HOST}
port = {peers.PORTS["imaps"]}
mailboxes = ("INBOX",)
record_mailbox = false
"""
        rc = write(os.path.join(gdir, "getmailrc"), f"""\
[retriever]
{retr}username = {USER}
password = {ctx.password}
ca_certs = {ctx.ca}

[destination]
type = Maildir
path = {md}/
{f"user = {as_user}" if as_user else ""}

[options]
verbose = 0
read_all = true
delete = false
delivered_to = false
received = false
""")
        getmail = ["/usr/bin/python3", os.path.join(HERE, "getmail_waitpid.py")] if ctx.getmail_fix else ["getmail"]
        return getmail + ["--getmaildir", gdir, "--rcfile", rc, "--quiet"], {}, [md]
    return prepare


def fetchmail(proto):
    def prepare(ctx, d):
        md = make_maildir(os.path.join(d, "Maildir"))
        home = os.path.join(d, "fetchmail")
        os.makedirs(home, mode=0o700)
        port = peers.PORTS["pop3s" if proto == "pop3" else "imaps"]
        rc = write(os.path.join(home, "fetchmailrc"), f"""\
set no syslog
set no bouncemail
set invisible
poll {HOST_NAME} with protocol {"pop3" if proto == "pop3" else "imap"} port {port}
  user "{USER}" there with password "{ctx.password}" is "root" here
  options ssl sslcertck sslcertfile "{ctx.ca}" keep fetchall no rewrite
  mda "/bin/sh {os.path.join(HERE, 'maildir_mda.sh')} {md}"
""")
        return (["fetchmail", "-f", rc, "--nosyslog", "--silent", "--pidfile", os.path.join(home, "pid")],
                {"FETCHMAILHOME": home}, [md])
    return prepare


def pigeon_url(proto):
    def prepare(ctx, d):
        md = os.path.join(d, "Maildir")
        port = peers.PORTS["imaps" if proto == "imap" else "pop3s"]
        url = (f"imaps://bench%40lab.test@{peers.HOST}:{port}/INBOX" if proto == "imap"
               else f"pop3s://bench%40lab.test@{peers.HOST}:{port}")
        cmd = [ctx.pigeon, "fetch", url, "--into", f"maildir:{md}", "--state-dir", os.path.join(d, "state"),
               "--tls-ca", ctx.ca]
        return cmd, {"PIGEON_PASSWORD": ctx.password}, [md]
    return prepare


def pigeon_jobs(jobs, accounts=4):
    def prepare(ctx, d):
        mds, parts = [], []
        for i in range(1, accounts + 1):
            md = os.path.join(d, f"b{i}")
            mds.append(md)
            parts.append(f"""\
[accounts.b{i}]
user = "{USER}"
password_command = "echo {ctx.password}"
tls_ca = "{ctx.ca}"

[accounts.b{i}.fetch]
source = "imaps://{peers.HOST}:{peers.PORTS['imaps']}/INBOX"
destination = "maildir:{md}"
""")
        cfg = write(os.path.join(d, "pigeon.toml"), "\n".join(parts))
        cmd = [ctx.pigeon, "fetch", "--config", cfg, "--state-dir", os.path.join(d, "state"), "--jobs", str(jobs)]
        return cmd, {}, mds
    return prepare


ROWS = [
    Row("ceiling-imaps", "imap", "raw pipelined IMAPS client (bench/retrieve/peers.py), bodies dropped: no disk",
        ceiling("imaps_fetch_all")),
    Row("ceiling-pop3s", "pop3", "raw pipelined POP3S client (window 64), bodies dropped: no disk",
        ceiling("pop3s_retr_all")),
    Row("imaplib", "imap", "imaplib, UID FETCH 500 at a time -> Maildir tmp/ + rename (no fsync)", stdlib("imap")),
    Row("poplib", "pop3", "poplib, RETR one by one -> Maildir tmp/ + rename (no fsync)", stdlib("pop3")),
    Row("imaplib-fsync", "imap", "imaplib -> mailbox.Maildir.add (fsync of every file, link)",
        stdlib("imap", "mailbox"), slow=True),
    Row("mbsync", "imap", "mbsync (isync 1.4) defaults: COMPRESS=DEFLATE, FSync yes; Sync Pull",
        mbsync(compress=True, fsync=True), slow=True, needs="mbsync", adds=["X-TUID"]),
    Row("mbsync-nocompress-nofsync", "imap", "mbsync, DisableExtensions COMPRESS=DEFLATE, FSync no",
        mbsync(compress=False, fsync=False), needs="mbsync", adds=["X-TUID"]),
    Row("mbsync-nofsync", "imap", "mbsync, compression on (default), FSync no",
        mbsync(compress=True, fsync=False), needs="mbsync", adds=["X-TUID"]),
    Row("mbsync-nocompress", "imap", "mbsync, DisableExtensions COMPRESS=DEFLATE, FSync yes (default)",
        mbsync(compress=False, fsync=True), slow=True, needs="mbsync", adds=["X-TUID"]),
    Row("offlineimap3", "imap", "offlineimap3 defaults (fsync on), remote readonly",
        offlineimap, slow=True, needs="offlineimap"),
    Row("mpop", "pop3", "mpop, pipelined, its own maildir delivery (fsync, link), keep on",
        mpop, slow=True, needs="mpop"),
    Row("getmail6-pop3", "pop3", "getmail6 (through getmail_waitpid.py), SimplePOP3SSLRetriever -> Maildir "
        "(fsync, a fork per message)",
        getmail("pop3"), slow=True, needs="getmail"),
    Row("getmail6-imap", "imap", "getmail6, SimpleIMAPSSLRetriever -> Maildir",
        getmail("imap"), slow=True, needs="getmail"),
    Row("fetchmail-pop3", "pop3", "fetchmail POP3S, keep fetchall, MDA maildir_mda.sh (sh + cat + mv per message)",
        fetchmail("pop3"), slow=True, needs="fetchmail"),
    Row("fetchmail-imap", "imap", "fetchmail IMAPS, same MDA", fetchmail("imap"), slow=True, needs="fetchmail"),
    Row("pigeon-imaps", "imap", "pigeon fetch imaps://.../INBOX --into maildir: (durable)",
        pigeon_url("imap"), pigeon=True),
    Row("pigeon-pop3s", "pop3", "pigeon fetch pop3s://... --into maildir: (durable)", pigeon_url("pop3"), pigeon=True),
    Row("pigeon-jobs1", "imap", "pigeon fetch --config (4 accounts, same INBOX) --jobs 1",
        pigeon_jobs(1), accounts=4, pigeon=True),
    Row("pigeon-jobs4", "imap", "pigeon fetch --config (4 accounts) --jobs 4", pigeon_jobs(4), accounts=4, pigeon=True),
]
CEILING = {"imap": "ceiling-imaps", "pop3": "ceiling-pop3s"}


# ---------------------------------------------------------------- running and checking

class Ctx:
    pass


def pigeon_state(binary):
    """None when the pigeon rows can run, else why not."""
    if not binary:
        return "pigeon: not built (no --pigeon)"
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return f"pigeon: not built ({binary} missing)"
    try:
        r = subprocess.run([binary, "fetch", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"pigeon: not built ({e})"
    if r.returncode != 0:
        return f"pigeon: not built (`{os.path.basename(binary)} fetch --help` exits {r.returncode})"
    return None


def normalized_sha256(data):
    """Line ends normalized: every LF, bare or not, becomes CRLF. The server's
    messages have CRLF line ends only (lab/seed.py), so this equals comparing
    LF-normalized bytes, and the manifest's hashes can be used as they are."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")).hexdigest()


def maildir_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        if os.path.basename(dirpath) in ("new", "cur"):
            for f in filenames:
                yield os.path.join(dirpath, f)


def drop_fields(data, names):
    """The message without the header fields named (lower-case bytes), with
    their continuation lines; the body is left alone."""
    ends = [i + 1 for i in (data.find(b"\n\n"),) if i >= 0] + \
        [i + 2 for i in (data.find(b"\r\n\r\n"),) if i >= 0]
    cut = min(ends, default=len(data))      # just after the last header line's line end
    out, skipping = [], False
    for line in data[:cut].splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                out.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower() in names
        if not skipping:
            out.append(line)
    return b"".join(out) + data[cut:]


def verify(maildirs, expected, adds=()):
    """'ok' or what is wrong, for each Maildir against the expected Counter.
    adds: header fields the peer inserts (none of the server's messages has
    them), removed before hashing."""
    problems = []
    for md in maildirs:
        got = collections.Counter()
        for path in maildir_files(md):
            with open(path, "rb") as f:
                data = f.read()
                # Out of the page cache once hashed (the file stays): a
                # round of rows writes ~5 GB, and three rounds filled this
                # machine's memory, so that later rows paid for page reclaim
                # in their own system time (a --jobs 4 run took 16 s of CPU
                # instead of 5). Deleting would cost more (fs_settle.py).
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            got[normalized_sha256(drop_fields(data, adds) if adds else data)] += 1
        n = sum(got.values())
        if got == expected:
            continue
        missing = sum((expected - got).values())
        extra = sum((got - expected).values())
        if n == sum(expected.values()) and missing == extra:
            problems.append(f"{os.path.basename(md)}: {n} files, {extra} of them altered")
        else:
            problems.append(f"{os.path.basename(md)}: {n} files, {missing} missing, {extra} not on the server")
    if problems:
        return "; ".join(problems)
    return "ok"


def dovecot_pid(lab):
    """The lab's Dovecot master PID (lab/lab.sh): the lab is shared, and a
    restart during a run spoils that run."""
    try:
        with open(os.path.join(lab, "dovecot", "base", "master.pid")) as f:
            return f.read().strip()
    except OSError:
        return None


def wait_for_lab(lab, seconds):
    """True once IMAPS and POP3S accept connections (someone may be
    restarting the shared lab), False after `seconds`."""
    import socket
    deadline = time.monotonic() + seconds
    while True:
        try:
            for port in (peers.PORTS["imaps"], peers.PORTS["pop3s"]):
                socket.create_connection((peers.HOST, port), timeout=2).close()
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(1)


def run_row(row, ctx, k):
    d = os.path.join(ctx.work, f"{row.name}.{k}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d, mode=0o700)
    cmd, extra_env, maildirs = row.prepare(ctx, d)
    env = dict(os.environ)
    env.update({"HOME": d, "LC_ALL": "C.UTF-8", "TMPDIR": d})
    env.update(extra_env)
    rss_file = os.path.join(d, "time.out")
    out = open(os.path.join(d, "stdout"), "wb")
    err = open(os.path.join(d, "stderr"), "wb")
    os.sync()
    load = os.getloadavg()[0]
    server = dovecot_pid(ctx.lab)
    t0 = time.perf_counter()
    p = subprocess.Popen([TIME, "-f", "%M", "-o", rss_file] + cmd, stdout=out, stderr=err, env=env, cwd=d,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    timed_out = False
    deadline = t0 + ctx.timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline and not timed_out:
            timed_out = True
            os.killpg(p.pid, 9)      # time(1) and the row's processes
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    err.close()
    res = {"row": row.name, "run": k, "wall": round(wall, 3), "cpu": round(ru.ru_utime + ru.ru_stime, 3),
           "user": round(ru.ru_utime, 3), "sys": round(ru.ru_stime, 3), "exit": p.returncode,
           "load": round(load, 1)}
    try:
        with open(rss_file) as f:
            res["peak_rss_kb"] = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    if dovecot_pid(ctx.lab) != server:
        res["error"] = "the lab's Dovecot restarted during the run"
    elif timed_out:
        res["error"] = f"timed out after {ctx.timeout:.0f} s"
    elif p.returncode != 0:
        tail = open(os.path.join(d, "stderr"), "rb").read().decode(errors="replace").strip().splitlines()
        res["error"] = f"exit status {p.returncode}: {(tail or ['(no output)'])[-1][:200]}"
    if "error" not in res:
        if maildirs:
            res["check"] = verify(maildirs, ctx.expected, row.adds)
            if row.adds and res["check"] == "ok":
                res["check"] = f"ok ({row.adds_names} dropped)"
        else:       # the ceiling: its own JSON line says whether count and bytes matched the manifest
            line = open(os.path.join(d, "stdout")).read().strip().splitlines()[-1:]
            try:
                j = json.loads(line[0])
                res["check"] = "ok (no disk)" if j.get("ok") else f"MISMATCH {line[0][:200]}"
                res["inner_wall"] = j.get("wall")
            except (ValueError, IndexError):
                res["check"] = "no JSON line"
    if ctx.keep or "error" in res or res.get("check", "").split(" ")[0] != "ok":
        res["dir"] = d         # kept for a look
    elif free_bytes(ctx.work) < LOW_SPACE:
        remove_dirs([d])       # the next run pays for this (settle()), but the disk must not fill
        res["deleted_now"] = True
    else:
        ctx.trash.append(d)    # deleted at the end: see bench/retrieve/fs_settle.py
    return res


LOW_SPACE = 4 << 30


def fmt_table(head, table, markdown):
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in table]
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
        lines = ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip() for r in [head] + table]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pigeon", metavar="BIN", help="the pigeon executable (e.g. build/cli/pigeon)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each fast row, best of them shown (default 3)")
    ap.add_argument("--slow-runs", type=int, default=1,
                    help="runs of each slow row (mbsync defaults, offlineimap3, mpop, getmail6, fetchmail; default 1)")
    ap.add_argument("--only", help="comma-separated row names (see --list); the ceilings are added for the ratios")
    ap.add_argument("--skip", help="comma-separated row names not to run")
    ap.add_argument("--list", action="store_true", help="print the rows and exit")
    ap.add_argument("--work-dir", default="/var/tmp/pigeon-bench-fetch",
                    help="where the Maildirs go (the same disk as the checkout by default)")
    ap.add_argument("--keep", action="store_true", help="keep every run's directory (default: only failed ones)")
    ap.add_argument("--no-settle", action="store_true",
                    help="do not wait for earlier deletions to age (bench/retrieve/fs_settle.py)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed IMAPS ceiling runs first (default 1)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run (default 1800)")
    ap.add_argument("--getmail-as-is", action="store_true",
                    help="run /usr/bin/getmail itself, not getmail_waitpid.py (it may abort: README.md)")
    ap.add_argument("--retries", type=int, default=2,
                    help="run a failed run again up to N times (the shared lab restarts now and then; default 2)")
    ap.add_argument("--no-seed", action="store_true", help="do not run lab/seed.py first")
    ap.add_argument("--lab-dir")
    ap.add_argument("--json", metavar="FILE", help="append every run as a JSON line to FILE")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    a = ap.parse_args()

    if a.list:
        for r in ROWS:
            print(f"{r.name:28} {r.proto:5} {'slow ' if r.slow else 'fast '} {r.what}")
        return
    names = [r.name for r in ROWS]
    want = a.only.split(",") if a.only else names
    skip = set(a.skip.split(",")) if a.skip else set()
    for n in want + list(skip):
        if n not in names:
            sys.exit(f"run.py: unknown row {n} (see --list)")
    rows = [r for r in ROWS if r.name in want and r.name not in skip]
    for r in list(rows):           # the ratios need the ceiling of each protocol
        c = CEILING[r.proto]
        if c not in [x.name for x in rows] and c not in skip:
            rows.insert(0, next(x for x in ROWS if x.name == c))
    rows.sort(key=lambda r: names.index(r.name))

    lab = retrieve_run.find_or_start_lab(a.lab_dir)
    if not a.no_seed:
        retrieve_run.seed(lab, False, [])
    man = peers.load_json(os.path.join(lab, "seed", "mail-bench.json"))
    ctx = Ctx()
    ctx.lab, ctx.ca = lab, os.path.join(lab, "certs", "ca.pem")
    ctx.password = man["password"]
    ctx.expected = collections.Counter(m["sha256"] for m in man["folders"]["INBOX"]["messages"])
    ctx.work = os.path.abspath(a.work_dir)
    ctx.keep, ctx.timeout = a.keep, a.timeout
    ctx.getmail_fix = not a.getmail_as_is
    ctx.pigeon = os.path.abspath(a.pigeon) if a.pigeon else None
    ctx.settle, ctx.trash = not a.no_settle, []
    os.makedirs(ctx.work, mode=0o700, exist_ok=True)
    # Run directories an interrupted earlier run left behind.
    remove_dirs([os.path.join(ctx.work, n) for n in os.listdir(ctx.work)
                      if os.path.isdir(os.path.join(ctx.work, n)) and not n.startswith(".")])
    if not os.access(TIME, os.X_OK):
        sys.exit(f"run.py: {TIME} is missing (apt-get install time)")

    skipped = {}
    why_pigeon = pigeon_state(ctx.pigeon)
    for r in rows:
        if r.pigeon and why_pigeon:
            skipped[r.name] = why_pigeon
        elif r.needs and not shutil.which(r.needs):
            skipped[r.name] = f"{r.needs}: not installed (scripts/setup.sh)"
    todo = [r for r in rows if r.name not in skipped]

    if not wait_for_lab(lab, 10):
        sys.exit(f"run.py: the lab ({lab}) is down: IMAPS/POP3S refuse connections (lab/lab.sh start)")
    for _ in range(a.warmup):
        run_row(next(x for x in ROWS if x.name == "ceiling-imaps"), ctx, "warmup")
    settle(ctx.work, ctx.settle)
    results = collections.defaultdict(list)
    jf = open(a.json, "a") if a.json else None
    rounds = max(a.runs, a.slow_runs)
    for k in range(rounds):
        batch = [r for r in todo if k < (a.slow_runs if r.slow else a.runs)]
        shift = k % len(batch) if batch else 0
        for r in batch[shift:] + batch[:shift]:          # interleaved, rotated
            for attempt in range(1 + a.retries):
                if not wait_for_lab(lab, 120):
                    sys.exit(f"run.py: the lab ({lab}) is down: IMAPS/POP3S refuse connections (lab/lab.sh start)")
                if not r.name.startswith("ceiling"):
                    settle(ctx.work, ctx.settle)   # a no-op unless a run was deleted early (low space)
                res = run_row(r, ctx, k if attempt == 0 else f"{k}.retry{attempt}")
                if jf:
                    jf.write(json.dumps(res) + "\n")
                    jf.flush()
                log(f"run.py: {r.name} #{res['run']}: wall {res['wall']:.2f} s, cpu {res['cpu']:.2f} s, "
                    f"rss {res.get('peak_rss_kb', 0) / 1024:.1f} MB, load {res['load']}: "
                    f"{res.get('error') or res.get('check')}" + (f" (kept {res['dir']})" if "dir" in res else ""))
                if "error" not in res:
                    break
                if attempt < a.retries:
                    time.sleep(5)          # e.g. the lab restarting
            results[r.name].append(res)

    def best(name, key):
        vals = [x[key] for x in results.get(name, []) if "error" not in x]     # timed even if the check failed
        return min(vals) if vals else None

    head = ["row", "runs", "wall s", "cpu s", "x ceiling (wall)", "x ceiling (cpu)", "peak RSS MB", "check"]
    table = []
    for r in rows:
        if r.name in skipped:
            table.append([r.name, "0", "n/a", "", "", "", "", skipped[r.name]])
            continue
        rs = results.get(r.name, [])
        w, c = best(r.name, "wall"), best(r.name, "cpu")
        rss = max((x.get("peak_rss_kb", 0) for x in rs), default=0)
        checks = sorted({x.get("error") or x.get("check") for x in rs})
        if w is None:
            table.append([r.name, str(len(rs)), "n/a", "", "", "", "", "; ".join(checks)[:90]])
            continue
        cw, cc = best(CEILING[r.proto], "wall"), best(CEILING[r.proto], "cpu")
        n = r.accounts
        table.append([r.name, str(len(rs)), f"{w:.2f}", f"{c:.2f}",
                      f"{w / (cw * n):.2f}" if cw else "", f"{c / (cc * n):.2f}" if cc else "",
                      f"{rss / 1024:.1f}", "; ".join(checks)[:90]])
    remove_dirs(ctx.trash)
    print(fmt_table(head, table, a.markdown))
    j1, j4 = best("pigeon-jobs1", "wall"), best("pigeon-jobs4", "wall")
    if j1 and j4:
        print(f"\npigeon --jobs 4 over 4 accounts: {j1 / j4:.2f}x faster than --jobs 1")
    print(f"\nbest of {a.runs} (fast rows) / {a.slow_runs} (slow rows); ratios: the row / the ceiling of its "
          f"protocol (x the number of accounts); lab {lab}; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; work dir {ctx.work}")


if __name__ == "__main__":
    main()
