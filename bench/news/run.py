#!/usr/bin/python3
"""`pigeon news` against the lab's INN (group lab.bench: 5,000 articles,
~25 MiB, seeded by lab/seed.py), side by side with nntplib (Python 3.11) and
tin in batch mode, slrnpull, and the raw pipelined ceiling of
bench/retrieve/peers.py:

  overview  the overview of the whole group: `pigeon news list --json`,
            nntplib OVER, the ceiling's OVER
  fetch     every article into a durable Maildir: `pigeon news fetch`
            (fsync per message and directory, exactly-once journal), also
            into an mbox; nntplib ARTICLE one by one into mailbox.Maildir
            (sampled, extrapolated); the ceiling's pipelined ARTICLE (bytes
            counted and discarded: no store at all)

Plain NNTP on 10119 (as the peers). Medians of --runs, wall and CPU of the
child process, its peak RSS. Prints a Markdown table with ratios to the
ceiling.

  /usr/bin/python3 bench/news/run.py --pigeon build/cli/pigeon --runs 5
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "..", "retrieve", "peers.py")
sys.path.insert(0, os.path.join(HERE, "..", "retrieve"))
from fs_settle import remove_dirs, settle  # noqa: E402
URL = "nntp://127.0.0.1:10119/lab.bench"


def run(cmd, capture=False):
    """(wall seconds, child CPU seconds, peak RSS KiB, stdout). The peak RSS
    comes from /usr/bin/time (%M): wait4's ru_maxrss would count the Python
    process the child was forked from."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    out = b""
    if capture:
        out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed: {err.decode(errors='replace')}")
    rss = int(err.decode().strip().splitlines()[-1])
    return wall, ru.ru_utime + ru.ru_stime, rss, out


def peer(job, impl):
    _, _, _, out = run(["/usr/bin/python3", PEERS, "--job", job, "--impl", impl], capture=True)
    j = json.loads(out)
    assert j["ok"] and j["count"] == 5000, j
    return j["wall"], j["cpu"], j["peak_rss_kb"], ""


def count_files(root):
    return sum(len(os.listdir(os.path.join(root, d))) for d in ("new", "cur") if os.path.isdir(os.path.join(root, d)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pigeon", default="build/cli/pigeon")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nntplib-sample", type=int, default=50)
    ap.add_argument("--no-settle", action="store_true",
                    help="do not wait for earlier deletions to age (bench/retrieve/fs_settle.py)")
    a = ap.parse_args()
    pigeon = os.path.abspath(a.pigeon)
    tmp = tempfile.mkdtemp(prefix="pigeon-news-bench-")

    def pigeon_list():
        w, c, m, out = run([pigeon, "news", "list", URL, "--tls", "none", "--json", "--state-dir", tmp + "/s"], capture=True)
        assert len(json.loads(out)) == 5000
        return w, c, m, ""

    def pigeon_fetch(kind):
        def f():
            # A fresh directory each run, all deleted at the end: a run
            # right after deleting the last one's 5,000 files is slowed by
            # the file system (bench/retrieve/fs_settle.py).
            run_no = len(results.get(("fetch", "pigeon news fetch -> " + ("Maildir" if kind == "maildir" else kind)), []))
            dest = os.path.join(tmp, f"dest-{kind}-{run_no}")
            state = os.path.join(tmp, f"state-{kind}-{run_no}")
            if kind == "mbox":
                os.makedirs(dest)
            settle(tmp, not a.no_settle)
            spec = ("maildir:" + dest) if kind == "maildir" else ("mbox:" + dest + "/news.mbox")
            w, c, m, _ = run([pigeon, "news", "fetch", URL, "--tls", "none", "--into", spec, "-q", "--state-dir", state])
            if kind == "maildir":
                assert count_files(dest) == 5000, count_files(dest)
            return w, c, m, ""
        return f

    def nntplib_fetch():
        dest = os.path.join(tmp, "nntplib")
        shutil.rmtree(dest, ignore_errors=True)
        _, _, m, out = run(["/usr/bin/python3", os.path.join(HERE, "nntplib_fetch.py"), "--maildir", dest,
                            "--sample", str(a.nntplib_sample)], capture=True)
        j = json.loads(out)
        return j["wall"], j["cpu"] * j["count"] / max(1, j["stored"]), j["peak_rss_kb"], \
            "sampled %d, extrapolated" % j["stored"] if j["extrapolated"] else ""

    def tin_overview():
        """tin in batch mode updating its overview index of lab.bench (-u:
        LIST OVERVIEW.FMT, LIST COUNTS, LISTGROUP, OVER of the whole group),
        a fresh HOME each run so nothing is cached."""
        home = os.path.join(tmp, "tin")
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(os.path.join(home, ".tin"))
        with open(os.path.join(home, ".tin", "tinrc"), "w") as f:
            f.write("cache_overview_files=ON\n")
        with open(os.path.join(home, "newsrc"), "w") as f:
            f.write("lab.bench: \n")
        w, c, m, _ = run(["/usr/bin/env", "HOME=" + home, "/usr/bin/tin", "-r", "-g", "127.0.0.1", "-p", "10119", "-Q",
                          "-u", "-f", os.path.join(home, "newsrc"), "-I", os.path.join(home, "index")], capture=True)
        return w, c, m, "batch -u (index update)"

    def slrnpull_fetch():
        """slrnpull (Debian's offline puller) into its spool: one file per
        article, no fsync, one ARTICLE at a time; checked to hold 5,000."""
        root = os.path.join(tmp, "slrnpull")
        shutil.rmtree(root, ignore_errors=True)
        for d in ("data", "news", "out.going/rejects"):
            os.makedirs(os.path.join(root, d))
        with open(os.path.join(root, "slrnpull.conf"), "w") as f:
            f.write("lab.bench 0 0\n")
        w, c, m, _ = run(["/usr/bin/slrnpull", "-d", root, "-h", "127.0.0.1:10119", "--no-post"])
        spool = os.path.join(root, "news", "lab", "bench")
        n = sum(1 for x in os.listdir(spool) if x.isdigit())
        assert n == 5000, n
        return w, c, m, "spool, no fsync"

    jobs = [
        ("overview", "ceiling", lambda: peer("nntp_over", "ceiling")),
        ("overview", "tin", tin_overview),
        ("overview", "nntplib", lambda: peer("nntp_over", "nntplib")),
        ("overview", "pigeon news list --json", pigeon_list),
        ("fetch", "ceiling (ARTICLE, no store)", lambda: peer("nntp_article", "ceiling")),
        ("fetch", "nntplib -> Maildir", nntplib_fetch),
        ("fetch", "slrnpull -> spool", slrnpull_fetch),
        ("fetch", "pigeon news fetch -> Maildir", pigeon_fetch("maildir")),
        ("fetch", "pigeon news fetch -> mbox", pigeon_fetch("mbox")),
    ]
    results = {}
    settle(tmp, not a.no_settle)
    for r in range(a.runs):
        for job, impl, fn in jobs:
            if (impl.startswith("nntplib ->") or impl.startswith("slrnpull")) and r > 0:
                continue   # minutes per run: once is enough
            results.setdefault((job, impl), []).append(fn())
    remove_dirs([tmp])

    print("| job | implementation | wall s | CPU s | wall / ceiling | peak RSS MiB | note |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    ceiling = {}
    for job, impl, _ in jobs:
        rs = results[(job, impl)]
        wall = statistics.median(x[0] for x in rs)
        cpu = statistics.median(x[1] for x in rs)
        rss = max(x[2] for x in rs) / 1024
        if impl.startswith("ceiling"):
            ceiling[job] = wall
        print(f"| {job} | {impl} | {wall:.3f} | {cpu:.3f} | {wall / ceiling[job]:.2f} | {rss:.1f} | {rs[0][3]} |")
    print(f"\n{a.runs} runs (median; nntplib and slrnpull fetch once), load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
