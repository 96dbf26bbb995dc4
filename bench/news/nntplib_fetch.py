#!/usr/bin/python3
"""nntplib (Python 3.11's standard library) doing what `pigeon news fetch`
does: GROUP, OVER of the whole group, then ARTICLE for each article, one
after another, each stored with mailbox.Maildir. Reads --sample N articles
(0: all) and extrapolates the time to the whole group; one JSON line.

  nntplib_fetch.py --maildir DIR [--sample N] [--port 10119] [--group lab.bench]
"""

import argparse
import json
import mailbox
import resource
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--port", type=int, default=10119)
    ap.add_argument("--group", default="lab.bench")
    a = ap.parse_args()
    t0 = time.perf_counter()
    c0 = time.process_time()
    s = nntplib.NNTP("127.0.0.1", a.port, readermode=True)
    _, count, first, last, _ = s.group(a.group)
    _, overviews = s.over((first, last))
    numbers = [n for n, _ in overviews]
    wanted = numbers if a.sample <= 0 else numbers[: a.sample]
    md = mailbox.Maildir(a.maildir, create=True)
    t1 = time.perf_counter()
    stored = nbytes = 0
    for n in wanted:
        _, info = s.article(n)
        data = b"\r\n".join(info.lines) + b"\r\n"
        md.add(data)
        stored += 1
        nbytes += len(data)
    t2 = time.perf_counter()
    s.quit()
    per = (t2 - t1) / max(1, stored)
    wall = (t1 - t0) + per * len(numbers)
    print(json.dumps({"impl": "nntplib", "wall": round(wall, 3), "measured": round(t2 - t0, 3), "cpu": round(time.process_time() - c0, 3),
                      "count": len(numbers), "stored": stored, "bytes": nbytes,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "extrapolated": stored < len(numbers)}))


if __name__ == "__main__":
    main()
