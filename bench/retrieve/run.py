#!/usr/bin/python3
"""Retrieval benchmarks against the lab: IMAPS, POP3S, NNTP(S) peers and,
with --pigeon, pigeon's own benchmark executable. See README.md.

  /usr/bin/python3 bench/retrieve/run.py                     # peers, 5 runs each
  /usr/bin/python3 bench/retrieve/run.py --pigeon build-bench/bench/retrieve/retrieve_bench
  /usr/bin/python3 bench/retrieve/run.py --jobs nntp_over,nntp_article --runs 11 --markdown

Seeds the lab first if needed (lab/seed.py; as root), starts the lab if no
lab runs (never stops it), runs every job K times per implementation
(interleaved) after one untimed warm-up run, prints medians and the ratio of
each implementation to the ceiling client.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "lab"))
sys.path.insert(0, HERE)
import peers  # noqa: E402
import seed as labseed  # noqa: E402

DEFAULT_JOBS = ["imaps_fetch_all", "imaps_list", "pop3s_retr_all", "nntp_over", "nntp_article",
                "nntps_article"]
HUGE_JOBS = ["imaps_fetch_huge", "pop3s_retr_huge", "nntp_article_huge"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def find_or_start_lab(arg):
    if arg:
        return os.path.abspath(arg)
    running = labseed.running_lab_dirs()
    if os.environ.get("PIGEON_LAB_DIR"):
        return os.path.abspath(os.environ["PIGEON_LAB_DIR"])
    if len(running) == 1:
        return running[0]
    if len(running) > 1:
        sys.exit(f"run.py: several labs run ({', '.join(running)}): pass --lab-dir")
    log("run.py: no lab runs; starting this checkout's (lab/lab.sh start; it is left running)")
    subprocess.run([os.path.join(ROOT, "lab", "lab.sh"), "start"], check=True)
    return os.path.join(ROOT, "lab", "run")


def seed(lab, huge, extra):
    cmd = [sys.executable, os.path.join(ROOT, "lab", "seed.py"), "--lab-dir", lab] + extra
    if huge:
        cmd.append("--huge")
    if os.geteuid() != 0:
        log("run.py: not root: not seeding (lab/seed.py needs root); using the manifests as they are")
        return
    r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    sys.stderr.write(r.stdout)
    if r.returncode != 0:
        sys.exit("run.py: seeding failed")


def bench_env(lab, job):
    """The environment handed to the pigeon benchmark (README.md)."""
    exp = peers.expected(lab, job)
    proto, which, _ = peers.JOBS[job]
    env = dict(os.environ)
    env.update({
        "PIGEON_BENCH_JOB": job,
        "PIGEON_BENCH_HOST": peers.HOST,
        "PIGEON_BENCH_IMAPS_PORT": str(peers.PORTS["imaps"]),
        "PIGEON_BENCH_POP3S_PORT": str(peers.PORTS["pop3s"]),
        "PIGEON_BENCH_NNTP_PORT": str(peers.PORTS["nntp"]),
        "PIGEON_BENCH_NNTPS_PORT": str(peers.PORTS["nntps"]),
        "PIGEON_BENCH_CA_FILE": os.path.join(lab, "certs", "ca.pem"),
        "PIGEON_BENCH_FETCH_BATCH": str(peers.FETCH_BATCH),
        "PIGEON_BENCH_EXPECT_COUNT": str(exp["count"]),
        "PIGEON_BENCH_EXPECT_BYTES": str(exp["bytes"]),
        "PIGEON_LAB_DIR": lab,
    })
    if proto in ("imap", "pop3"):
        env.update({"PIGEON_BENCH_USER": exp["user"], "PIGEON_BENCH_PASS": exp["password"],
                    "PIGEON_BENCH_MAILBOX": exp["mailbox"],
                    "PIGEON_BENCH_MANIFEST": os.path.join(lab, "seed", f"mail-{which}.json")})
    else:
        env.update({"PIGEON_BENCH_GROUP": exp["group"],
                    "PIGEON_BENCH_MANIFEST": os.path.join(lab, "seed", f"news-{exp['group']}.json")})
    return env


def run_one(cmd, job, env, timeout):
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    for line in reversed(r.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("job") == job:
                if r.returncode != 0 and "skipped" not in d:
                    d["error"] = f"exit status {r.returncode}"
                return d
    tail = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"error": f"exit status {r.returncode}, no JSON line for {job} "
                     f"({time.monotonic() - t0:.1f} s): {tail}"}


def median(rows, key):
    vals = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per job and implementation (median)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed ceiling runs per job first")
    ap.add_argument("--jobs", help=f"comma-separated (default {','.join(DEFAULT_JOBS)}; "
                    f"with --huge also {','.join(HUGE_JOBS)})")
    ap.add_argument("--impls", default="ceiling,lib,pigeon",
                    help="comma-separated among ceiling, lib (imaplib/poplib/nntplib), pigeon")
    ap.add_argument("--pigeon", metavar="CMD",
                    help="pigeon's benchmark executable (+ arguments); run as CMD --job JOB")
    ap.add_argument("--nntplib-sample", type=int, default=100, metavar="N",
                    help="nntplib ARTICLE jobs read N articles and extrapolate (0: all; ~45 ms each)")
    ap.add_argument("--huge", action="store_true", help="seed and run the ~95 MiB message jobs too")
    ap.add_argument("--no-seed", action="store_true", help="do not run lab/seed.py first")
    ap.add_argument("--seed-args", default="", help="extra arguments for lab/seed.py, e.g. '--count 2000'")
    ap.add_argument("--lab-dir")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per run")
    ap.add_argument("--json", metavar="FILE", help="write every run's JSON line to FILE")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    a = ap.parse_args()

    lab = find_or_start_lab(a.lab_dir)
    if not a.no_seed:
        seed(lab, a.huge, shlex.split(a.seed_args))
    jobs = a.jobs.split(",") if a.jobs else DEFAULT_JOBS + (HUGE_JOBS if a.huge else [])
    for j in jobs:
        if j not in peers.JOBS:
            sys.exit(f"run.py: unknown job {j} (known: {', '.join(peers.JOBS)})")
    impls = [i for i in a.impls.split(",") if i != "pigeon" or a.pigeon]
    peer_cmd = [sys.executable, os.path.join(HERE, "peers.py"), "--lab-dir", lab]

    def command(job, impl):
        if impl == "pigeon":
            return shlex.split(a.pigeon) + ["--job", job]
        name = "ceiling" if impl == "ceiling" else peers.JOBS[job][2]
        cmd = peer_cmd + ["--job", job, "--impl", name]
        if name == "nntplib" and "article" in job and a.nntplib_sample:
            cmd += ["--sample", str(a.nntplib_sample)]
        return cmd

    results = {}            # (job, impl) -> list of JSON dicts
    all_rows = []
    for job in jobs:
        env = bench_env(lab, job)
        for _ in range(a.warmup):
            run_one(command(job, "ceiling"), job, env, a.timeout)
        for k in range(a.runs):
            order = impls[k % len(impls):] + impls[:k % len(impls)]     # interleaved, rotated
            for impl in order:
                d = run_one(command(job, impl), job, env, a.timeout)
                d.setdefault("job", job)
                d["run"] = k
                d["impl_key"] = impl
                results.setdefault((job, impl), []).append(d)
                all_rows.append(d)
                exp = peers.expected(lab, job)
                if "error" in d:
                    log(f"run.py: {job} {impl}: {d['error']}")
                elif "skipped" not in d and not d.get("extrapolated") and \
                        (d.get("count"), d.get("bytes")) != (exp["count"], exp["bytes"]):
                    log(f"run.py: {job} {impl}: count/bytes differ from the manifest's "
                        f"{exp['count']}/{exp['bytes']}: {json.dumps(d)}")
        log(f"run.py: {job} done")
    if a.json:
        with open(a.json, "w") as f:
            for d in all_rows:
                f.write(json.dumps(d) + "\n")

    # The table: medians; ratio = wall (cpu) / the ceiling's wall (cpu).
    head = ["job", "impl", "wall s", "cpu s", "x ceiling (wall)", "x ceiling (cpu)", "MiB", "count",
            "peak RSS MB", "check"]
    table = []
    for job in jobs:
        base = results.get((job, "ceiling"), [])
        bw, bc = median(base, "wall"), median(base, "cpu")
        for impl in impls:
            rows = [r for r in results.get((job, impl), []) if "error" not in r and "skipped" not in r]
            allr = results.get((job, impl), [])
            name = allr[0].get("impl", impl) if allr else impl
            if not rows:
                why = next((r.get("skipped") or r.get("error") for r in allr), "not run")
                table.append([job, name, "n/a", "", "", "", "", "", "", str(why)[:60]])
                continue
            w, c = median(rows, "wall"), median(rows, "cpu")
            rss = median(rows, "peak_rss_kb")
            exp = peers.expected(lab, job)
            if any(r.get("extrapolated") for r in rows):
                check = f"sampled {rows[0].get('sampled')}, extrapolated"
            elif all(r.get("count") == exp["count"] and r.get("bytes") == exp["bytes"] for r in rows):
                check = "ok"
            else:
                check = "MISMATCH"
            table.append([job, name, f"{w:.3f}", f"{c:.3f}",
                          f"{w / bw:.2f}" if bw else "", f"{c / bc:.2f}" if bc and c is not None else "",
                          f"{median(rows, 'bytes') / 1048576:.1f}", f"{int(median(rows, 'count'))}",
                          f"{rss / 1024:.1f}" if rss else "", check])
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
        for row in [head] + table:
            print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())
    print(f"\n{a.runs} runs each (median), lab {lab}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
