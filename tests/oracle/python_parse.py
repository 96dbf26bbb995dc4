#!/usr/bin/python3
"""Oracle: the facts Python's email package (policy=default) finds in messages.

Usage: python_parse.py [--root DIR] PATH...

Each PATH is a message file or a directory (searched recursively for files;
files named *.jsonl are skipped). Prints one JSON object per message, sorted
by file, in the format of the corpus generator's manifest
(tests/corpus/gen/gen_corpus.py), so tests/oracle/compare.py can compare it
with the ground truth or with any other parser's facts:

  {"file": ..., "subject": str or null, "parts": <leaf count>,
   "leaves": [{"type", "filename", "size", "sha256"}]}

"file" is the path relative to the directory it was found in (or to --root
when given); a file named on the command line is printed as given.
Leaves are the parts for which is_multipart() is false (message/rfc822
containers are multipart to Python), in walk() order; size and sha256 are of
get_payload(decode=True), i.e. after transfer decoding, before charset
conversion.
"""
import argparse
import email
import email.policy
import hashlib
import json
import os
import sys


def list_messages(paths, root):
    out = []
    for p in paths:
        if os.path.isdir(p):
            base = root or p
            for d, dirs, files in os.walk(p):
                dirs.sort()
                for f in files:
                    if f.endswith(".jsonl"):
                        continue
                    full = os.path.join(d, f)
                    out.append((os.path.relpath(full, base), full))
        else:
            out.append((os.path.relpath(p, root) if root else p, p))
    out.sort()
    return out


def facts(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    subj = msg["subject"]
    leaves = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = b""
        leaves.append({"type": part.get_content_type(), "filename": part.get_filename(),
                       "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()})
    return {"subject": None if subj is None else str(subj), "parts": len(leaves), "leaves": leaves}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", help="print file names relative to this directory")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    out = sys.stdout
    for rel, full in list_messages(a.paths, a.root):
        with open(full, "rb") as f:
            data = f.read()
        try:
            rec = facts(data)
        except Exception as e:  # the oracle reports, it does not stop
            rec = {"subject": None, "parts": -1, "leaves": [], "error": "%s: %s" % (type(e).__name__, e)}
        rec["file"] = rel
        out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
