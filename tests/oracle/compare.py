#!/usr/bin/python3
"""Compares two JSON-lines files of message facts and prints disagreements.

Usage: compare.py [options] A.jsonl B.jsonl

Both files hold one object per message as written by the corpus generator
(manifest), tests/oracle/python_parse.py or `parse_bench --emit-facts`:
  {"file", "subject", "parts", "leaves": [{"type", "filename", "size", "sha256"}]}

Messages are matched by "file" (exactly, else by the trailing path components
when one side was given longer paths). For each message the fields are
compared; leaves are compared position by position when both sides agree on
the leaf count. Prints a count per kind of disagreement with examples and
exits 1 if there is any (2 on bad input), 0 otherwise.

With --root DIR (the directory the file names are relative to) the examples
shown are the smallest messages showing each disagreement.
"""
import argparse
import collections
import json
import os
import sys

LEAF_FIELDS = ("type", "filename", "size", "sha256")


def load(path):
    recs = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            if "file" not in r:
                sys.exit("%s:%d: no \"file\"" % (path, n))
            recs[r["file"]] = r
    return recs


def norm(p):
    return p.replace(os.sep, "/").lstrip("./")


def match_keys(a, b):
    """Pairs of (key in a, key in b); plus keys only in a and only in b."""
    pairs, only_a = [], []
    bset = set(b)
    used = set()
    tails = collections.defaultdict(list)
    for k in b:
        parts = norm(k).split("/")
        for i in range(len(parts)):
            tails["/".join(parts[i:])].append(k)
    for k in a:
        if k in bset:
            pairs.append((k, k))
            used.add(k)
            continue
        parts = norm(k).split("/")
        found = None
        for i in range(len(parts)):
            cands = [c for c in tails.get("/".join(parts[i:]), []) if c not in used]
            if len(cands) == 1:
                found = cands[0]
                break
        if found is None:
            # maybe b has the shorter path
            nk = norm(k)
            cands = [c for c in b if c not in used and (nk.endswith("/" + norm(c)) or nk == norm(c))]
            if len(cands) == 1:
                found = cands[0]
        if found is None:
            only_a.append(k)
        else:
            pairs.append((k, found))
            used.add(found)
    only_b = [k for k in b if k not in used]
    return pairs, only_a, only_b


def short(v, n=100):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n - 3] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--labels", nargs=2, metavar=("A", "B"), help="names of the two sides in the report")
    ap.add_argument("--examples", type=int, default=3, help="examples per kind of disagreement (default 3)")
    ap.add_argument("--ignore", action="append", default=[],
                    choices=["subject", "parts", "type", "filename", "size", "sha256", "missing"],
                    help="do not compare this field (repeatable)")
    ap.add_argument("--root", help="directory the file names are relative to: show the smallest examples")
    a = ap.parse_args()
    la, lb = a.labels or (os.path.basename(a.a), os.path.basename(a.b))

    A, B = load(a.a), load(a.b)
    pairs, only_a, only_b = match_keys(A, B)
    issues = collections.defaultdict(list)  # kind -> [(file, detail)]

    if "missing" not in a.ignore:
        for k in only_a:
            issues["only in " + la].append((k, ""))
        for k in only_b:
            issues["only in " + lb].append((k, ""))

    bad_files = set()
    for ka, kb in pairs:
        ra, rb = A[ka], B[kb]
        before = sum(len(v) for v in issues.values())
        for side, r in ((la, ra), (lb, rb)):
            if r.get("error"):
                issues["error in " + side].append((ka, r["error"]))
        if "subject" not in a.ignore and ra.get("subject") != rb.get("subject"):
            issues["subject"].append((ka, "%s=%s %s=%s" % (la, short(ra.get("subject")), lb, short(rb.get("subject")))))
        la_leaves, lb_leaves = ra.get("leaves", []), rb.get("leaves", [])
        if ra.get("parts") != rb.get("parts") or len(la_leaves) != len(lb_leaves):
            if "parts" not in a.ignore:
                issues["parts"].append((ka, "%s=%s %s=%s; types %s=%s %s=%s" % (
                    la, ra.get("parts"), lb, rb.get("parts"),
                    la, short([x.get("type") for x in la_leaves], 200),
                    lb, short([x.get("type") for x in lb_leaves], 200))))
        else:
            for i, (x, y) in enumerate(zip(la_leaves, lb_leaves)):
                for f in LEAF_FIELDS:
                    if f in a.ignore:
                        continue
                    if x.get(f) != y.get(f):
                        if f == "sha256" and x.get("size") != y.get("size") and "size" not in a.ignore:
                            continue  # already counted as a size disagreement
                        detail = "leaf %d (%s): %s=%s %s=%s" % (i, x.get("type"), la, short(x.get(f)), lb, short(y.get(f)))
                        issues["leaf " + f].append((ka, detail))
        if sum(len(v) for v in issues.values()) != before:
            bad_files.add(ka)

    def size_of(k):
        if not a.root:
            return 0
        try:
            return os.path.getsize(os.path.join(a.root, k))
        except OSError:
            return 1 << 62

    print("compared %d messages (%s: %d, %s: %d): %d disagree" % (
        len(pairs), la, len(A), lb, len(B), len(bad_files) + len(only_a) + len(only_b)))
    for kind in sorted(issues):
        items = issues[kind]
        files = {f for f, _ in items}
        print("  %-22s %d occurrences in %d messages" % (kind, len(items), len(files)))
        shown = sorted(items, key=lambda it: (size_of(it[0]), it[0])) if a.root else items
        for f, detail in shown[:a.examples]:
            sz = (" (%d bytes)" % size_of(f)) if a.root else ""
            print("      %s%s %s" % (f, sz, detail))
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
