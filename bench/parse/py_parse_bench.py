#!/usr/bin/python3
"""Python's email package (policy=default) as a parse_bench peer.

Usage: py_parse_bench.py [--load-max BYTES] PATH...

Walks the messages as parse_bench does (PATH: a file, a directory searched
recursively with *.jsonl and dot files skipped, or @LIST). Messages of at
most --load-max bytes are read in batches of at most --load-max bytes before
the clock starts and parsed with message_from_bytes, each batch timed as a
whole; a larger message is parsed with message_from_binary_file inside the
timed region. For each message: the subject decoded (str of the header),
every part walked, every leaf's get_payload(decode=True). Only the
parse-and-decode time is counted, not the interpreter's start-up.

Prints one JSON line: parser, messages, bytes, streamed, cpu (process CPU
seconds of the timed regions), seconds (their wall time), wall (the whole
run), leaves, decoded, subject_bytes, errors, vmhwm_kib, base_kib (VmRSS
before the first message).
"""
import argparse
import email
import email.policy
import json
import os
import sys
import time


def walk(paths):
    for p in paths:
        if p.startswith("@"):
            with open(p[1:], encoding="utf-8") as f:
                for line in f:
                    line = line.rstrip("\r\n")
                    if line:
                        yield line
        elif os.path.isdir(p):
            for d, dirs, files in os.walk(p):
                dirs[:] = [x for x in dirs if not x.startswith(".")]
                for name in files:
                    if name.startswith(".") or name.endswith(".jsonl"):
                        continue
                    yield os.path.join(d, name)
        else:
            yield p


def status_kib(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load-max", type=int, default=4 * 1024 * 1024)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    policy = email.policy.default
    base_kib = status_kib("VmRSS:")
    st = {"messages": 0, "bytes": 0, "streamed": 0, "leaves": 0, "decoded": 0, "subject_bytes": 0, "errors": 0}
    cpu = wall = 0.0

    def parse(path, size, data):
        if data is not None:
            msg = email.message_from_bytes(data, policy=policy)
        else:
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=policy)
        subj = msg["subject"]
        if subj is not None:
            st["subject_bytes"] += len(str(subj).encode("utf-8", "surrogateescape"))
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            st["leaves"] += 1
            if payload is not None:
                st["decoded"] += len(payload)
        st["messages"] += 1
        st["bytes"] += size

    def timed(items):
        nonlocal cpu, wall
        c0, w0 = time.process_time(), time.perf_counter()
        for path, size, data in items:
            try:
                parse(path, size, data)
            except Exception as e:  # count and go on, as the C++ children do
                st["errors"] += 1
                print("py_parse_bench: %s: %s" % (path, e), file=sys.stderr)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0

    batch, batch_bytes = [], 0
    wall0 = time.perf_counter()
    for path in walk(a.paths):
        try:
            size = os.path.getsize(path)
        except OSError:
            st["errors"] += 1
            continue
        if size > a.load_max:
            timed(batch)
            batch, batch_bytes = [], 0
            st["streamed"] += 1
            timed([(path, size, None)])
            continue
        if batch_bytes + size > a.load_max:
            timed(batch)
            batch, batch_bytes = [], 0
        with open(path, "rb") as f:
            data = f.read()
        batch.append((path, len(data), data))
        batch_bytes += len(data)
    timed(batch)
    st.update({"parser": "python", "cpu": cpu, "seconds": wall, "wall": time.perf_counter() - wall0,
               "vmhwm_kib": status_kib("VmHWM:"), "base_kib": base_kib})
    print(json.dumps(st))
    return 0


if __name__ == "__main__":
    sys.exit(main())
