#!/usr/bin/python3
"""Generates a small corpus and checks parsers against its ground truth.

Usage: check_corpus.py [--scale F] [--parse-bench PATH] [--parser NAME]... [--keep DIR]

1. tests/corpus/gen/gen_corpus.py --kind all --scale F (default 0.01:
   200 mixed messages, one 1 MB message, 1,000 header-heavy ones) into a
   temporary directory (or --keep DIR);
2. tests/oracle/python_parse.py on each kind, compared with the manifest
   (the generator and Python's email package must agree: this checks the
   generator);
3. with --parse-bench, `parse_bench --emit-facts --parser NAME` (default
   pigeon) on each kind, compared with the manifest and with Python.

Exits 1 if any comparison finds a disagreement. Meant for CI and for a quick
check after changing the parser or the generator.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "corpus", "gen", "gen_corpus.py")
ORACLE = os.path.join(HERE, "python_parse.py")
COMPARE = os.path.join(HERE, "compare.py")
KINDS = ("mixed", "big", "headers")


def run(cmd, out=None):
    print("+ " + " ".join(cmd), file=sys.stderr)
    if out is None:
        return subprocess.run(cmd).returncode
    with open(out, "w") as f:
        return subprocess.run(cmd, stdout=f).returncode


def check(work, args):
    py = sys.executable
    if run([py, GEN, "--out", work, "--kind", "all", "--scale", str(args.scale), "--quiet"]) != 0:
        return 1
    failed = 0
    for kind in KINDS:
        corpus = os.path.join(work, kind)
        truth = os.path.join(work, kind + ".manifest.jsonl")
        python = os.path.join(work, kind + ".python.jsonl")
        if run([py, ORACLE, corpus], python) != 0:
            failed += 1
            continue
        failed += run([py, COMPARE, "--root", corpus, "--labels", "truth", "python", truth, python]) != 0
        for parser in args.parser or (["pigeon"] if args.parse_bench else []):
            facts = os.path.join(work, "%s.%s.jsonl" % (kind, parser))
            if run([args.parse_bench, "--emit-facts", "--parser", parser, corpus], facts) != 0:
                failed += 1
                continue
            failed += run([py, COMPARE, "--root", corpus, "--labels", "truth", parser, truth, facts]) != 0
            failed += run([py, COMPARE, "--root", corpus, "--labels", "python", parser, python, facts]) != 0
    print("check_corpus: %s" % ("FAILED (%d)" % failed if failed else "ok"), file=sys.stderr)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--parse-bench", help="path to the parse_bench executable")
    ap.add_argument("--parser", action="append", help="parser for --emit-facts (repeatable; default pigeon)")
    ap.add_argument("--keep", help="write the corpus and facts here instead of a temporary directory")
    a = ap.parse_args()
    if a.parser and not a.parse_bench:
        ap.error("--parser needs --parse-bench")
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        return check(a.keep, a)
    with tempfile.TemporaryDirectory(prefix="pigeon-corpus-") as work:
        return check(work, a)


if __name__ == "__main__":
    sys.exit(main())
