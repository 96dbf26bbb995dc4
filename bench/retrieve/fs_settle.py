"""Keeping a benchmark's mass deletions from slowing down its next runs.

On an ext4 file system without a journal (the disk of the machines here),
the inode allocator skips every inode freed in the last 5 minutes (the
kernel's recently_deleted(): 5 s, or 305 s while the inode table block is
dirty, which it is as soon as new files are created next to the old). A run
that follows the deletion of the previous run's thousands of files then
spends most of its system time in that scan: `pigeon fetch` of 10,000
messages took 3.4 s of system time right after a deletion against 1.6-1.9 s
without one, `pigeon news fetch` of 5,000 articles 45 % of its samples in
it. A mail fetcher's real runs do not follow a mass deletion, so the
benchmarks delete their runs' directories at the end (remove_dirs), and a
run starts only when the last deletion is SETTLE_SECONDS old (settle).
The time of the last deletion is kept in STAMP, shared by the benchmarks.
"""
import os
import shutil
import sys
import time

SETTLE_SECONDS = 310
STAMP = "/var/tmp/pigeon-bench.deleted-at"


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def journal_less_ext4(path):
    """True when `path` is on an ext4 file system without a journal."""
    dev = os.stat(path).st_dev
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                parts = line.split()
                if parts[2] != f"{os.major(dev)}:{os.minor(dev)}":
                    continue
                fstype, source = parts[parts.index("-") + 1], parts[parts.index("-") + 2]
                if fstype != "ext4":
                    return False
                name = os.path.basename(os.path.realpath(source))
                with open(f"/sys/fs/ext4/{name}/journal_task") as j:
                    return j.read().strip() == "<none>"
    except (OSError, ValueError, IndexError):
        pass
    return False


def remove_dirs(dirs):
    """Deletes dirs and notes the time in STAMP."""
    dirs = [d for d in dirs if os.path.exists(d)]
    if not dirs:
        return
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    os.sync()
    with open(STAMP, "w") as f:
        f.write(f"{time.time():.0f}\n")


def settle(path, enabled=True):
    """Waits until the last deletion noted in STAMP is SETTLE_SECONDS old,
    when `path` is on a journal-less ext4."""
    if not enabled or not journal_less_ext4(path):
        return
    try:
        with open(STAMP) as f:
            left = float(f.read()) + SETTLE_SECONDS - time.time()
    except (OSError, ValueError):
        return
    if left > 0:
        print(f"waiting {left:.0f} s: files were deleted less than {SETTLE_SECONDS} s ago, and this journal-less "
              f"ext4 skips recently freed inodes (bench/retrieve/fs_settle.py; --no-settle to go on at once)",
              file=sys.stderr, flush=True)
        time.sleep(left)
