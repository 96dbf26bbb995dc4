#!/usr/bin/python3
"""Seed the running lab with benchmark and test data (see lab/README.md).

Mail (written straight into the maildirs, then indexed by Dovecot):
  bench@lab.test  INBOX      --count messages (default 10,000, ~470 MiB)
                  Lists.dev  --list-count messages (default 300)
  huge@lab.test   INBOX      3 messages, the middle one ~95 MiB   (--huge)
News (posted over NNTP, cancelled with ctlinnd):
  lab.bench       --articles articles (default 5,000) plus --cancelled
                  cancelled ones (gaps in the numbering)
  lab.bench.huge  3 articles, the middle one ~95 MiB              (--huge)

The data depends on --seed only (and on the counts: a smaller --count gives a
prefix of the larger set). Seeding is idempotent: what already matches its
manifest is left alone. Manifests (JSON) go to <lab dir>/seed/.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
NNTP_PORT = 10119
DOMAIN = "lab.test"
FORMAT_VERSION = 3           # mail; bump when the generated data change
NEWS_FORMAT_VERSION = 4
USERS = {
    "bench": "bench-pass-4",
    "huge": "huge-pass-5",
}
LIST_FOLDER = "Lists.dev"          # IMAP name (Maildir++: separator ".")
NEWS_GROUP = "lab.bench"
HUGE_GROUP = "lab.bench.huge"
HUGE_ATTACHMENT = 70 * 1024 * 1024  # raw bytes: the message is ~94.6 MiB
MAIL_UID = MAIL_GID = 8             # Dovecot's userdb: uid=mail gid=mail


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def die(msg):
    log("seed.py: " + msg)
    sys.exit(1)


# ---------------------------------------------------------------- text material

WORDS = """the of and to in is that for it as was with be by on not he this are or
his from at which but have an they you were their one all we can her has there
been if more when will would who so no server client message mailbox folder
thread reply patch build release test cache index packet latency buffer stream
socket header body protocol parser window pipeline batch queue flag archive
draft review commit branch merge issue report benchmark memory kernel network
meeting agenda budget quarter customer invoice schedule project deadline update
holiday weekend coffee lunch office travel hotel flight train ticket garden
weather morning evening family birthday dinner concert museum library bicycle
question answer problem solution example detail version feature option default
config error warning notice limit size length total count number value result""".split()
UTF8_WORDS = """Grüße Straße Müller Zürich café naïve déjà façade señor niño Ångström
Øresund Łódź Dvořák smörgåsbord crème brûlée Ελλάδα Москва Київ 東京 日本語 漢字
中文 한국어 שלום مرحبا ☕ ✓ → €uro ½""".split()
FIRST = "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert Sybil Trent Victor Walter Yolanda".split()
LAST = "Smith Jones Brown Taylor Wilson Evans Thomas Roberts Walker Wright Green Hall Wood Clarke".split()
UTF8_NAMES = ["Jörg Müller", "Zoë Ångström", "François Lefèvre", "José Núñez", "Łukasz Wiśniewski",
              "Ἀριστοτέλης", "Иван Петров", "山田 太郎", "Søren Kierkegård", "Dvořák, Antonín"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.de", "lists.example.org",
           "corp.example", "univ.example.edu", "isp.example.fr"]
TOPICS = ["release planning", "build broken on arm64", "quarterly report", "lunch on Friday?",
          "patch: fix off-by-one in parser", "meeting notes", "invoice 2024-117", "holiday photos",
          "new office layout", "benchmark results", "RFC 3501 question", "travel plans",
          "CI is red again", "weekly digest", "password reset", "conference talk proposal",
          "Grüße aus Zürich", "café meeting – déjà vu", "日本語のテスト", "Привет из Москвы",
          "€ price update ½ off", "naïve question about façades", "☕ break?"]
ZONES = ["+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900", "-0300", "+1000", "-0700"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ATTACH_TYPES = [("application/pdf", "pdf"), ("image/jpeg", "jpg"), ("application/zip", "zip"),
                ("image/png", "png"), ("application/octet-stream", "bin"),
                ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")]
ATTACH_NAMES = ["report", "photo", "scan", "slides", "Übersicht", "données", "backup", "résumé",
                "写真", "invoice"]


def make_pool(seed, n=3000):
    """Paragraphs of wrapped text (LF line ends, lines <= 76 characters).
    Some lines start with "." or "From " (dot-stuffing, mbox quoting).
    Also selects the seed of the shared attachment block."""
    rng = random.Random(f"{seed}/pool")
    if _block_seed[0] != seed:
        _block_seed[0] = seed
        _block.clear()
    pool = []
    for _ in range(n):
        utf8 = rng.random() < 0.3
        words = []
        for _ in range(rng.randint(20, 160)):
            if utf8 and rng.random() < 0.15:
                words.append(rng.choice(UTF8_WORDS))
            else:
                words.append(rng.choice(WORDS))
        lines, cur = [], ""
        for w in words:
            if cur and len(cur) + 1 + len(w) > 72:
                lines.append(cur)
                cur = w
            else:
                cur = cur + " " + w if cur else w
        lines.append(cur)
        r = rng.random()
        if r < 0.04:
            lines.insert(rng.randrange(len(lines) + 1), ".")
        elif r < 0.08:
            lines.insert(rng.randrange(len(lines) + 1), "...and so on")
        elif r < 0.10:
            lines.insert(0, "From the desk of the editor:")
        elif r < 0.12:
            lines.insert(rng.randrange(len(lines) + 1), "From " + rng.choice(FIRST))
        pool.append(("\n".join(lines) + "\n", utf8))
    return pool


def body_text(rng, pool, size):
    """About size characters of paragraphs; returns (text, has_non_ascii)."""
    parts, n, utf8 = [], 0, False
    while n < size:
        p, u = pool[rng.randrange(len(pool))]
        parts.append(p)
        n += len(p) + 1
        utf8 |= u
    return "\n".join(parts), utf8


def log_uniform(rng, lo, hi):
    return int(lo * (hi / lo) ** rng.random())


def enc_words(text, rng, charset_hint=0.5):
    """RFC 2047 encoded words for a non-ASCII text (B or Q), folded."""
    if text.isascii():
        return text
    if rng.random() < charset_hint:
        # B encoding, UTF-8, chunks of whole characters (<= 45 octets each)
        chunks, cur = [], b""
        for ch in text:
            b = ch.encode()
            if len(cur) + len(b) > 45:
                chunks.append(cur)
                cur = b""
            cur += b
        chunks.append(cur)
        cs = rng.choice(["UTF-8", "utf-8"])
        return "\r\n ".join(f"=?{cs}?B?{base64.b64encode(c).decode()}?=" for c in chunks)
    try:
        raw, cs = text.encode("iso-8859-1"), "ISO-8859-1"
    except UnicodeEncodeError:
        raw, cs = text.encode(), "UTF-8"
    out, words, cur = [], [], ""
    for byte in raw:
        c = chr(byte)
        if c == " ":
            t = "_"
        elif c.isascii() and (c.isalnum() or c in "!*+-/"):
            t = c
        else:
            t = f"={byte:02X}"
        if len(cur) + len(t) > 40 and not (byte & 0xC0 == 0x80 and cs == "UTF-8"):
            words.append(cur)
            cur = ""
        cur += t
    words.append(cur)
    for w in words:
        out.append(f"=?{cs}?Q?{w}?=")
    return "\r\n ".join(out)


def rfc5322_date(t, zone):
    sign = 1 if zone[0] == "+" else -1
    off = sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
    g = time.gmtime(t + off)
    return f"{DAYS[g.tm_wday]}, {g.tm_mday:02d} {MONTHS[g.tm_mon - 1]} {g.tm_year} " \
           f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {zone}"


def person(rng):
    r = rng.random()
    first, last = rng.choice(FIRST), rng.choice(LAST)
    addr = f"{first.lower()}.{last.lower()}@{rng.choice(DOMAINS)}"
    if r < 0.15:
        name = rng.choice(UTF8_NAMES)
        return f"{enc_words(name, rng)} <{addr}>", addr
    if r < 0.25:
        return f"\"{last}, {first}\" <{addr}>", addr
    if r < 0.35:
        return addr, addr
    return f"{first} {last} <{addr}>", addr


def crlf(b):
    return b.replace(b"\n", b"\r\n")


def text_part(rng, text, utf8, subtype="plain"):
    """(headers, body bytes CRLF) for a text part."""
    if subtype == "html":
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        paras = esc.split("\n\n")
        text = "<html><head><meta charset=\"utf-8\"></head><body>\n" + "".join(
            f"<p style=\"margin:0 0 1em 0;font-family:Arial,sans-serif\">{p.replace(chr(10), ' ')}</p>\n"
            for p in paras) + "</body></html>\n"
    raw = text.encode()
    if not utf8 and subtype == "plain":
        return "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n", crlf(raw)
    r = rng.random()
    if subtype == "plain" and r < 0.3:
        return ("Content-Type: text/plain; charset=utf-8; format=flowed\r\n"
                "Content-Transfer-Encoding: 8bit\r\n", crlf(raw))
    if r < 0.85:
        return (f"Content-Type: text/{subtype}; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n",
                crlf(binascii.b2a_qp(raw, istext=True)))
    return (f"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
            crlf(base64.encodebytes(raw)))


def attachment_part(rng, size):
    ctype, ext = rng.choice(ATTACH_TYPES)
    name = f"{rng.choice(ATTACH_NAMES)}-{rng.randint(1, 999)}.{ext}"
    if name.isascii():
        disp = f"attachment; filename=\"{name}\""
    else:
        q = "".join(c if c.isascii() and c.isalnum() or c in ".-" else
                    "".join(f"%{b:02X}" for b in c.encode()) for c in name)
        disp = f"attachment;\r\n filename*=UTF-8''{q}"
    head = f"Content-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: {disp}\r\n" \
           "Content-Transfer-Encoding: base64\r\n"
    lines = -(-size // 57)
    if lines > _BLOCK_LINES // 2:                   # the huge one: its own bytes
        return head, crlf(base64.encodebytes(rng.randbytes(size)))
    # A run of whole base64 lines (57 octets each) from a shared random block:
    # encoding fresh random bytes for every attachment would triple the time.
    start = rng.randrange(_BLOCK_LINES - lines) * 78
    return head, attachment_block()[start:start + lines * 78]


_BLOCK_LINES = 16 * 1024 * 1024 // 57
_block = []


def attachment_block():
    """Base64 (76-character CRLF lines) of 16 MiB of seeded random bytes."""
    if not _block:
        raw = random.Random(f"{_block_seed[0]}/attachments").randbytes(_BLOCK_LINES * 57)
        _block.append(crlf(base64.encodebytes(raw)))
    return _block[0]


_block_seed = [1]


def multipart(subtype, boundary, parts, preamble=b""):
    out = [preamble]
    for head, body in parts:
        out += [b"--", boundary.encode(), b"\r\n", head.encode(), b"\r\n", body]
        if not body.endswith(b"\r\n"):
            out.append(b"\r\n")
    out += [b"--", boundary.encode(), b"--\r\n"]
    return f"Content-Type: multipart/{subtype};\r\n boundary=\"{boundary}\"\r\n", b"".join(out)


def make_body(rng, pool, kind, size_hint, attach_size=0):
    """(MIME headers, body) of a message of the given kind."""
    if kind == "plain":
        text, utf8 = body_text(rng, pool, size_hint)
        head, body = text_part(rng, text, utf8)
        return "MIME-Version: 1.0\r\n" + head, body
    bnd = f"=_b{rng.getrandbits(64):016x}"
    text, utf8 = body_text(rng, pool, size_hint)
    alt = multipart("alternative", bnd + "a", [text_part(rng, text, utf8),
                                                text_part(rng, text, True, "html")])
    if kind == "alternative":
        return "MIME-Version: 1.0\r\n" + alt[0], alt[1]
    parts = [alt if rng.random() < 0.5 else text_part(rng, text, utf8)]
    left = attach_size
    while left > 0:          # mostly one attachment, sometimes two or three
        n = left if rng.random() < 0.7 or left < 200_000 else rng.randint(left // 3, left // 2)
        parts.append(attachment_part(rng, n))
        left -= n
    mixed = multipart("mixed", bnd + "m", parts, b"This is a multi-part message in MIME format.\r\n\r\n")
    return "MIME-Version: 1.0\r\n" + mixed[0], mixed[1]


# ---------------------------------------------------------------- mail

def mail_kind(rng):
    """Size mix: mostly 2-60 KB text/HTML, about 2.5% with attachments of
    100 KB - 5 MB. Tuned so that 10,000 messages are ~470 MiB."""
    r = rng.random()
    if r < 0.58:
        return "plain", log_uniform(rng, 2_000, 60_000), 0
    if r < 0.975:
        return "alternative", log_uniform(rng, 1_500, 24_000), 0
    # 100 KB - 5 MB, skewed towards the small end (mean ~770 KB)
    return "mixed", log_uniform(rng, 1_000, 8_000), int(100_000 * 50 ** (rng.random() ** 2))


def make_mail(seed, folder, i, pool, start, span, n, kind=None):
    """Message i of a folder: (bytes CRLF, message-id, unix time, flags)."""
    rng = random.Random(f"{seed}/mail/{folder}/{i}")
    k, size, attach = mail_kind(rng) if kind is None else kind
    # one every ~6 hours (not spread over n: a smaller count is a prefix)
    t = start + i * span // 10_000 + rng.randint(-7200, 7200)
    zone = rng.choice(ZONES)
    frm, _ = person(rng)
    to = "Bench User <bench@lab.test>"
    mid = f"<{seed}.{folder.replace('.', '-').lower()}.{i}.{rng.getrandbits(32):08x}@seed.lab.test>"
    topic = rng.choice(TOPICS)
    reply = rng.random() < 0.35
    subject = ("Re: " if reply else "") + topic + (f" #{rng.randint(1, 500)}" if rng.random() < 0.5 else "")
    h = [f"Return-Path: <{frm.rsplit('<', 1)[-1].rstrip('>')}>",
         f"Received: from mx{rng.randint(1, 9)}.{rng.choice(DOMAINS)} (mx.example [192.0.2.{rng.randint(1, 254)}])\r\n"
         f"\tby mail.lab.test with ESMTPS id {rng.getrandbits(48):012X}\r\n"
         f"\tfor <bench@lab.test>; {rfc5322_date(t + 5, '+0000')}",
         f"Date: {rfc5322_date(t, zone)}",
         f"From: {frm}",
         f"To: {to}"]
    if rng.random() < 0.2:
        h.append(f"Cc: {person(rng)[0]}, {person(rng)[0]}")
    h.append(f"Subject: {enc_words(subject, rng)}")
    h.append(f"Message-ID: {mid}")
    if reply:
        ref = f"<{rng.getrandbits(40):010x}@{rng.choice(DOMAINS)}>"
        h.append(f"In-Reply-To: {ref}")
        h.append(f"References: <{rng.getrandbits(40):010x}@{rng.choice(DOMAINS)}>\r\n {ref}")
    if folder == LIST_FOLDER:
        h.append("List-Id: Developers <dev.lists.example.org>")
        h.append("List-Post: <mailto:dev@lists.example.org>")
    if rng.random() < 0.5:
        h.append(f"X-Mailer: {rng.choice(['Thunderbird 115.3', 'Mutt 2.2.9', 'Apple Mail (2.3696)', 'Outlook 16.0', 'pigeon-seed'])}")
    mh, body = make_body(rng, pool, k, size, attach)
    msg = ("\r\n".join(h) + "\r\n" + mh + "\r\n").encode() + body
    # INBOX: every message \Seen (POP3 RETR would otherwise rename files at
    # QUIT and change the folder between benchmark runs); other flags vary.
    flags = "S" if folder == "INBOX" else ("S" if rng.random() < 0.6 else "")
    if rng.random() < 0.05:
        flags = "F" + flags
    if reply and rng.random() < 0.3:
        flags = flags + "R" if "S" not in flags else flags.replace("S", "RS")
    return msg, mid, t, "".join(sorted(flags))


def maildir_name(i, t0, tag, size, flags):
    # Dovecot assigns UIDs to new files in file-name (time) order.
    return f"{t0 + i}.M{i:06d}P{tag}.seed.lab.test,S={size},W={size}:2,{flags}"


def write_folder(path, entries_iter, stats):
    """Write messages into path/cur via tmp (maildir protocol)."""
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    out = []
    for name, data, mtime, mid in entries_iter:
        tmp = os.path.join(path, "tmp", name.split(":")[0])
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchown(fd, MAIL_UID, MAIL_GID)
        finally:
            os.close(fd)
        os.utime(tmp, (mtime, mtime))
        os.rename(tmp, os.path.join(path, "cur", name))
        out.append({"file": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                    "message_id": mid})
        stats["bytes"] += len(data)
        stats["count"] += 1
    return out


def chown_tree(path):
    for root, dirs, files in os.walk(path):
        os.chown(root, MAIL_UID, MAIL_GID)
        os.chmod(root, 0o700)
        for f in files:
            os.lchown(os.path.join(root, f), MAIL_UID, MAIL_GID)


def folder_dir(maildir, folder):
    return maildir if folder == "INBOX" else os.path.join(maildir, "." + folder)


def canonical_digest(folders):
    """SHA-256 over what the seed determines (not UIDs): one line per message."""
    h = hashlib.sha256()
    for name in sorted(folders):
        for m in folders[name]["messages"]:
            h.update(f"{name}\t{m['file']}\t{m['size']}\t{m['sha256']}\t{m['message_id']}\n".encode())
    return h.hexdigest()


def folder_matches(maildir, folder, expected):
    """The folder's cur/ holds exactly the expected files, new/ is empty."""
    d = folder_dir(maildir, folder)
    try:
        cur = set(os.listdir(os.path.join(d, "cur")))
        new = os.listdir(os.path.join(d, "new"))
    except OSError:
        return False
    return not new and cur == {m["file"] for m in expected}


def doveadm(lab, *args):
    conf = os.path.join(lab, "dovecot", "dovecot.conf")
    r = subprocess.run(["doveadm", "-c", conf, *args], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"doveadm {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def read_uidlist(path):
    """base file name -> UID from Dovecot's dovecot-uidlist; and UIDVALIDITY."""
    uids, validity = {}, None
    with open(os.path.join(path, "dovecot-uidlist"), encoding="utf-8", errors="replace") as f:
        head = f.readline().split()
        for tok in head[1:]:
            if tok.startswith("V"):
                validity = int(tok[1:])
        for line in f:
            uid, _, rest = line.partition(" ")
            k = rest.find(":")
            if k >= 0:
                uids[rest[k + 1:].rstrip("\n")] = int(uid)
    return uids, validity


def seed_user(lab, user, plan, seed, force):
    """plan: {folder: [(kind or None), ...count]}; returns manifest dict."""
    home = os.path.join(lab, "mail", user)
    maildir = os.path.join(home, "Maildir")
    mpath = os.path.join(lab, "seed", f"mail-{user}.json")
    params = {"version": FORMAT_VERSION, "seed": seed, "user": f"{user}@{DOMAIN}",
              "folders": {f: len(v) for f, v in plan.items()}}
    old = None
    if os.path.exists(mpath) and not force:
        try:
            with open(mpath) as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = None
    if old and old.get("params") == params and all(
            folder_matches(maildir, f, old["folders"][f]["messages"]) for f in plan):
        return old, False

    try:
        with open(os.path.join(lab, "dovecot", "users"), encoding="utf-8") as f:
            known = any(line.startswith(f"{user}@{DOMAIN}:") for line in f)
    except OSError:
        known = False
    if not known:
        die(f"Dovecot of the lab in {lab} does not know {user}@{DOMAIN}: it was started by an "
            "older lab.sh; restart it with this checkout's (PIGEON_LAB_DIR=<that dir> lab/lab.sh start)")
    t_start = time.monotonic()
    pool = make_pool(seed)
    # A clean maildir: the user is the seeder's own (bench/huge).
    if os.path.isdir(maildir):
        shutil.rmtree(maildir)
    for sub in ("", "cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    for f in os.listdir(home):                       # other Dovecot state in the home
        if f.startswith("dovecot") and f != "Maildir":
            p = os.path.join(home, f)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
    chown_tree(home)
    folders = {}
    stats = {"bytes": 0, "count": 0}
    tag = f"{seed:x}"
    for fi, (folder, kinds) in enumerate(plan.items()):
        path = folder_dir(maildir, folder)
        os.makedirs(path, exist_ok=True)
        if folder != "INBOX":
            open(os.path.join(path, "maildirfolder"), "w").close()
        n = len(kinds)
        start, span = 1546300800 + fi * 86400, 7 * 365 * 86400     # 2019-01-01, 7 years
        t0 = 1600000000 + fi * 10_000_000

        def gen(folder=folder, kinds=kinds, n=n, start=start, span=span, t0=t0):
            for i, kind in enumerate(kinds):
                data, mid, t, flags = make_mail(seed, folder, i, pool, start, span, n, kind)
                yield maildir_name(i, t0, tag, len(data), flags), data, t, mid
        msgs = write_folder(path, gen(), stats)
        folders[folder] = {"path": path, "count": len(msgs), "bytes": sum(m["size"] for m in msgs),
                           "messages": msgs}
    chown_tree(maildir)
    t_write = time.monotonic() - t_start
    # Let Dovecot index them (and build the mailbox list), then take the UIDs.
    t1 = time.monotonic()
    login = f"{user}@{DOMAIN}"
    doveadm(lab, "force-resync", "-u", login, "*")
    for folder in plan:
        doveadm(lab, "mailbox", "status", "-u", login, "messages vsize uidvalidity", folder)
        doveadm(lab, "index", "-u", login, folder)
        uids, validity = read_uidlist(folder_dir(maildir, folder))
        ent = folders[folder]
        ent["uidvalidity"] = validity
        for m in ent["messages"]:
            m["uid"] = uids.get(m["file"].split(":")[0])
        missing = [m["file"] for m in ent["messages"] if m["uid"] is None]
        if missing:
            die(f"Dovecot did not index {len(missing)} files in {folder}, e.g. {missing[0]}")
    t_index = time.monotonic() - t1
    man = {"params": params, "user": login, "password": USERS[user], "maildir": maildir,
           "folders": folders, "digest": canonical_digest(folders),
           "seconds": {"write": round(t_write, 2), "index": round(t_index, 2)}}
    os.makedirs(os.path.dirname(mpath), exist_ok=True)
    tmp = mpath + ".new"
    with open(tmp, "w") as f:
        json.dump(man, f, indent=1)
    os.rename(tmp, mpath)
    return man, True


# ---------------------------------------------------------------- news

class Nntp:
    """Minimal NNTP client for seeding (plain, 127.0.0.1)."""

    def __init__(self, port=NNTP_PORT):
        self.sock = socket.create_connection((HOST, port), timeout=120)
        self.f = self.sock.makefile("rb", buffering=1 << 20)
        self.greeting = self.line()

    def line(self):
        s = self.f.readline()
        if not s.endswith(b"\r\n"):
            raise ConnectionError(f"NNTP: connection closed ({s!r})")
        return s[:-2].decode("utf-8", "replace")

    def cmd(self, c):
        self.sock.sendall(c.encode() + b"\r\n")
        return self.line()

    def block(self):
        """A multi-line data block, unstuffed, as bytes (CRLF line ends)."""
        out = []
        while True:
            s = self.f.readline()
            if not s.endswith(b"\r\n"):
                raise ConnectionError("NNTP: connection closed in a data block")
            if s == b".\r\n":
                return b"".join(out)
            out.append(s[1:] if s.startswith(b"..") else s)

    def close(self):
        try:
            self.cmd("QUIT")
        except OSError:
            pass
        self.sock.close()


def dot_stuff(b):
    b = b.replace(b"\r\n.", b"\r\n..")
    return (b"." + b) if b.startswith(b".") else b


def make_threads(rng, total):
    """parent index (or None) for each article: long threads, some short."""
    parents, active = [], []
    for i in range(total):
        if not active or rng.random() < 0.12:
            parents.append(None)
            # how often a reply answers the latest article (deep chains)
            active.append(([i], rng.choice([0.3, 0.5, 0.5, 0.97])))
            if len(active) > 40:
                active.pop(rng.randrange(len(active) // 2))
        else:
            # favour the older (longer) threads
            th, chain = active[min(int(rng.expovariate(0.15)), len(active) - 1)]
            parents.append(th[-1] if rng.random() < chain else rng.choice(th))
            th.append(i)
    return parents


def make_article(seed, gen, group, i, pool, parent_info, start, kind=None):
    """(bytes CRLF, message-id, subject) of article i."""
    rng = random.Random(f"{seed}/news/{group}/{i}")
    mid = f"<{seed}.{gen}.{group}.{i}.{rng.getrandbits(32):08x}@seed.lab.test>"
    frm, _ = person(rng)
    t = start + i * 600 + rng.randint(0, 500)
    if parent_info:
        pmid, prefs, psubj = parent_info
        refs = prefs + [pmid]
        # Trim as posting agents do (RFC 5537 3.4.4): keep the first and the
        # latest ones, the header under 998 octets. (Longer ones would also
        # break nntplib, whose OVER lines may not exceed 2,048 octets.)
        while len(refs) > 2 and len("References: ") + len(" ".join(refs)) > 998:
            del refs[1]
        subject = psubj if psubj.startswith("Re: ") else "Re: " + psubj
    else:
        refs = []
        subject = rng.choice(TOPICS) + (f" ({rng.randint(1, 99)})" if rng.random() < 0.4 else "")
    h = [f"From: {frm}", f"Newsgroups: {group}", f"Subject: {enc_words(subject, rng)}",
         f"Date: {rfc5322_date(t, rng.choice(ZONES))}", f"Message-ID: {mid}"]
    if refs:
        h.append("References: " + "\r\n ".join(refs))
    h.append(f"User-Agent: {rng.choice(['slrn/1.0.3', 'tin/2.6.2', 'Gnus/5.13', 'Thunderbird/115.3', 'pigeon-seed'])}")
    if rng.random() < 0.3:
        h.append(f"Organization: {rng.choice(['pigeon lab', 'Example University', 'Ünïcödé GmbH'])}")
    if kind is None:
        r = rng.random()
        kind = ("plain", log_uniform(rng, 400, 8_000), 0) if r < 0.75 else \
            ("alternative", log_uniform(rng, 300, 3_000), 0) if r < 0.97 else \
            ("mixed", log_uniform(rng, 300, 2_000), log_uniform(rng, 5_000, 60_000))
    mh, body = make_body(rng, pool, *kind)
    if refs and kind[0] == "plain" and rng.random() < 0.7:     # quote the parent a little
        q = "".join(f"> {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}\r\n"
                    for _ in range(rng.randint(1, 8)))
        body = f"{frm.split('<')[0].strip() or 'Someone'} wrote:\r\n".encode() + q.encode() + b"\r\n" + body
    art = ("\r\n".join(h) + "\r\n" + mh + "\r\n").encode() + body
    return art, mid, subject, refs


def inn_env(lab):
    return {"PATH": "/usr/bin:/bin", "INNCONF": os.path.join(lab, "inn", "etc", "inn.conf"),
            "HOME": os.path.join(lab, "inn")}


def ctlinnd(lab, *args, check=True):
    r = subprocess.run(["setpriv", "--reuid=news", "--regid=news", "--init-groups",
                        "/usr/lib/news/bin/ctlinnd", "-t", "30", *args],
                       env=inn_env(lab), capture_output=True, text=True)
    if check and r.returncode != 0:
        die(f"ctlinnd {' '.join(args)} failed: {(r.stdout + r.stderr).strip()}")
    return r.stdout.strip()


def group_state(n, group):
    r = n.cmd(f"GROUP {group}")
    if not r.startswith("211"):
        return None
    _, count, low, high, _ = r.split(None, 4)
    return int(count), int(low), int(high)


def login(n, user):
    r = n.cmd(f"AUTHINFO USER {user}@{DOMAIN}")
    if r.startswith("381"):
        r = n.cmd(f"AUTHINFO PASS {USERS[user]}")
    if not r.startswith("281"):
        die(f"NNTP AUTHINFO as {user}@{DOMAIN} failed: {r} (was the lab started by a lab.sh "
            "that knows this user? restart it with this checkout's lab/lab.sh)")


def post_one(n, art):
    r = n.cmd("POST")
    if not r.startswith("340"):
        return r
    n.sock.sendall(dot_stuff(art) + b".\r\n")
    return n.line()


def post_pipelined(n, arts, window=32):
    """POST every article, up to `window` in flight: (ok count, failures)."""
    sent = done = 0
    fails = []
    while done < len(arts):
        batch = []
        while sent < len(arts) and sent - done < window:
            batch.append(b"POST\r\n" + dot_stuff(arts[sent]) + b".\r\n")
            sent += 1
        if batch:
            n.sock.sendall(b"".join(batch))
        r = n.line()
        if not r.startswith("340"):
            die(f"POST refused: {r} (cannot go on: the article would be read as commands)")
        r = n.line()
        if not r.startswith("240"):
            fails.append((done, r))
        done += 1
    return fails


def fetch_articles(n, numbers, window=200):
    """ARTICLE for each number, pipelined: list of (number, bytes or None)."""
    out, sent, done = [], 0, 0
    while done < len(numbers):
        cmds = []
        while sent < len(numbers) and sent - done < window:
            cmds.append(f"ARTICLE {numbers[sent]}\r\n".encode())
            sent += 1
        if cmds:
            n.sock.sendall(b"".join(cmds))
        r = n.line()
        out.append((numbers[done], n.block() if r.startswith("220") else None))
        done += 1
    return out


def header_value(art, name):
    head = art.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    m = re.search(rf"^{name}:\s*(.*(?:\r\n[ \t].*)*)", head, re.M | re.I)
    return re.sub(r"\r\n[ \t]+", " ", m.group(1)).strip() if m else None


def seed_group(lab, group, seed, articles, cancelled, force, kinds=None):
    mpath = os.path.join(lab, "seed", f"news-{group}.json")
    params = {"version": NEWS_FORMAT_VERSION, "seed": seed, "group": group, "articles": articles,
              "cancelled": cancelled}
    n = Nntp()
    if not n.greeting.startswith("20"):
        die(f"NNTP greeting: {n.greeting}" + (" (see lab/run/inn/log/errlog; after fixing the cause: "
            "ctlinnd go '')" if "throttl" in n.greeting else ""))
    old = None
    if os.path.exists(mpath):
        try:
            with open(mpath) as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = None
    state = group_state(n, group)
    gen = old.get("generation", 0) if old else 0
    if old and not force and old.get("params") == params and \
            state == (old["count"], old["low"], old["high"]):
        first, last = old["articles"][0], old["articles"][-1]
        if (n.cmd(f"STAT {first['message_id']}").startswith("223")
                and n.cmd(f"STAT {last['message_id']}").startswith("223")):
            n.close()
            return old, False
    n.close()
    t_start = time.monotonic()
    # Start the group over: whatever is in it (an older seed, other posts) goes,
    # and so do stale article files (tradspool) that a new article number
    # would collide with (innd throttles itself when it cannot store one).
    # History keeps old Message-IDs: the generation number in ours is raised
    # below until it is new.
    if state is not None:
        ctlinnd(lab, "rmgroup", group)
    spool = os.path.join(lab, "inn", "spool", "articles", *group.split("."))
    for f in os.listdir(spool) if os.path.isdir(spool) else []:
        if f.isdigit():          # not subdirectories: lab/bench/huge/ is another group's
            os.unlink(os.path.join(spool, f))
    ctlinnd(lab, "newgroup", group, "y", f"bench@{DOMAIN}")
    t_reset = time.monotonic() - t_start
    ng = os.path.join(lab, "inn", "db", "newsgroups")      # for LIST NEWSGROUPS
    try:
        with open(ng, encoding="utf-8") as f:
            known = any(line.split("\t")[0] == group for line in f)
        if not known:
            with open(ng, "a", encoding="utf-8") as f:
                f.write(f"{group}\tpigeon lab: seeded articles (lab/seed.py).\n")
    except OSError:
        pass
    n = Nntp()
    login(n, "bench")

    total = articles + cancelled
    rng = random.Random(f"{seed}/news/{group}/plan")
    if kinds is None:
        parents = make_threads(rng, total)
        kinds = [None] * total
    else:
        parents = [None] * total
    # Cancelled: the first article (low water mark moves), a run of 5, the rest spread out.
    cancel = set()
    if cancelled > 0:
        cancel.add(0)
        run = min(5, cancelled - 1)
        at = total // 3
        cancel.update(range(at, at + run))
        while len(cancel) < cancelled:
            cancel.add(rng.randrange(1, total - 1))
    pool = make_pool(seed)
    start = 1577836800          # 2020-01-01
    t1 = time.monotonic()
    for _ in range(100):        # the first article alone: is this generation new?
        art, _, _, _ = make_article(seed, gen, group, 0, pool, None, start, kinds[0])
        r = post_one(n, art)
        if r.startswith("240"):
            break
        if "uplicate" not in r:
            die(f"POST to {group} refused: {r}")
        gen += 1
    else:
        die(f"POST to {group}: every Message-ID generation is already in the history")
    info, arts, mids = {}, [], []
    for i in range(total):
        p = parents[i]
        art, mid, subj, refs = make_article(seed, gen, group, i, pool, info.get(p), start, kinds[i])
        info[i] = (mid, refs, subj)
        arts.append(art)
        mids.append(mid)
    t_gen = time.monotonic() - t1
    fails = post_pipelined(n, arts[1:])
    if fails:
        die(f"{len(fails)} articles refused, e.g. #{fails[0][0] + 1}: {fails[0][1]}")
    t_post = time.monotonic() - t1
    t2 = time.monotonic()
    for i in sorted(cancel):
        ctlinnd(lab, "cancel", mids[i])
    n.close()
    t_cancel = time.monotonic() - t2
    # Read everything back: numbers and the articles as served.
    n = Nntp()
    state = group_state(n, group)
    r = n.cmd(f"LISTGROUP {group}")
    if not r.startswith("211"):
        die(f"LISTGROUP {group}: {r}")
    numbers = [int(x) for x in n.block().split()]
    got = fetch_articles(n, numbers)
    r = n.cmd(f"OVER {state[1]}-{state[2]}")
    if not r.startswith("224"):
        die(f"OVER {group}: {r}")
    over = n.block().split(b"\r\n")[:-1]
    n.close()
    over_bytes = sum(int(line.split(b"\t")[6]) for line in over)
    by_mid = {m: i for i, m in enumerate(mids)}
    arts_out, total_bytes = [], 0
    for num, data in got:
        if data is None:
            die(f"article {num} listed but not served")
        mid = header_value(data, "Message-ID")
        i = by_mid.get(mid)
        if i is None or i in cancel:
            die(f"article {num} in {group} is not one of ours: {mid}")
        if arts_out and num - i != arts_out[0]["number"] - by_mid[arts_out[0]["message_id"]]:
            die(f"article {num} in {group}: numbers out of posting order")
        body = data.split(b"\r\n\r\n", 1)[1]
        arts_out.append({"number": num, "message_id": mid, "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest(),
                         "body_sha256": hashlib.sha256(body).hexdigest()})
        total_bytes += len(data)
    if len(arts_out) != articles:
        die(f"{group}: expected {articles} articles, the server has {state[0]} ({len(arts_out)} listed)")
    num_of = {}
    # numbers of cancelled ones: posted in order, so article i got number base+i
    base = arts_out[0]["number"] - min(i for i in range(total) if i not in cancel)
    for i in sorted(cancel):
        num_of[i] = base + i
    digest = hashlib.sha256("".join(f"{a['number']}\t{a['message_id']}\t{a['body_sha256']}\n"
                                    for a in arts_out).encode()).hexdigest()
    man = {"params": params, "group": group, "generation": gen, "count": state[0], "low": state[1],
           "high": state[2], "bytes": total_bytes, "overview_lines": len(over),
           "overview_bytes": over_bytes, "articles": arts_out,
           "cancelled": [{"number": num_of[i], "message_id": mids[i]} for i in sorted(cancel)],
           "digest": digest,
           "seconds": {"reset": round(t_reset, 2), "generate": round(t_gen, 2),
                       "post": round(t_post - t_gen, 2), "cancel": round(t_cancel, 2),
                       "total": round(time.monotonic() - t_start, 2)}}
    os.makedirs(os.path.dirname(mpath), exist_ok=True)
    with open(mpath + ".new", "w") as f:
        json.dump(man, f, indent=1)
    os.rename(mpath + ".new", mpath)
    return man, True


# ---------------------------------------------------------------- verification

def verify_mail(lab, man):
    """Fetch every message over IMAPS; compare with the manifest by UID."""
    import imaplib
    import ssl
    ctx = ssl.create_default_context(cafile=os.path.join(lab, "certs", "ca.pem"))
    c = imaplib.IMAP4_SSL(HOST, 10993, ssl_context=ctx)
    c.login(man["user"], man["password"])
    bad = 0
    for folder, ent in man["folders"].items():
        typ, data = c.select(folder, readonly=True)
        if typ != "OK" or int(data[0]) != ent["count"]:
            log(f"verify: {man['user']} {folder}: {typ} {data} messages, manifest {ent['count']}")
            bad += 1
            continue
        by_uid = {m["uid"]: m for m in ent["messages"]}
        seen = 0
        uids = sorted(by_uid)
        for k in range(0, len(uids), 500):
            typ, data = c.uid("FETCH", f"{uids[k]}:{uids[min(k + 500, len(uids)) - 1]}", "(UID BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                m = by_uid.get(uid)
                seen += 1
                if m is None or hashlib.sha256(item[1]).hexdigest() != m["sha256"]:
                    bad += 1
                    log(f"verify: {man['user']} {folder} UID {uid} differs from the manifest")
        if seen != ent["count"]:
            bad += 1
            log(f"verify: {man['user']} {folder}: {seen} messages fetched, manifest {ent['count']}")
    c.logout()
    return bad


def verify_news(man):
    """Read every article over NNTP; compare with the manifest by number."""
    n = Nntp()
    st = group_state(n, man["group"])
    bad = 0 if st == (man["count"], man["low"], man["high"]) else 1
    if bad:
        log(f"verify: GROUP {man['group']}: {st}, manifest {(man['count'], man['low'], man['high'])}")
    got = fetch_articles(n, [a["number"] for a in man["articles"]] + [c["number"] for c in man["cancelled"]])
    n.close()
    want = {a["number"]: a["sha256"] for a in man["articles"]}
    for num, data in got:
        if (data is None) != (num not in want) or (data and hashlib.sha256(data).hexdigest() != want[num]):
            bad += 1
            log(f"verify: {man['group']} article {num} differs from the manifest")
    return bad


# ---------------------------------------------------------------- lab discovery

def running_lab_dirs():
    """Run directories of running pigeon labs (from Dovecot's command line)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "dovecot":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        for a, b in zip(argv, argv[1:]):
            if a == b"-c" and b.endswith(b"/dovecot/dovecot.conf"):
                d = os.path.dirname(os.path.dirname(b.decode()))
                if d not in found:
                    found.append(d)
    return found


def find_lab(arg):
    running = running_lab_dirs()
    if arg:
        lab = os.path.abspath(arg)
    elif os.environ.get("PIGEON_LAB_DIR"):
        lab = os.path.abspath(os.environ["PIGEON_LAB_DIR"])
    elif len(running) == 1:
        lab = running[0]
    else:
        lab = os.path.join(HERE, "run")
    if lab not in running:
        die(f"no lab is running from {lab}" + (f" (one runs from {', '.join(running)};"
            " pass --lab-dir or unset PIGEON_LAB_DIR)" if running else " (lab/lab.sh start)"))
    return lab


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab-dir", help="the running lab's directory (default: $PIGEON_LAB_DIR, "
                    "else the one running lab, found from Dovecot's command line)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=10_000, help="messages in bench's INBOX")
    ap.add_argument("--small", action="store_true", help="same as --count 2000")
    ap.add_argument("--list-count", type=int, default=300, help=f"messages in {LIST_FOLDER}")
    ap.add_argument("--articles", type=int, default=5_000, help=f"articles left in {NEWS_GROUP}")
    ap.add_argument("--cancelled", type=int, default=24, help="articles posted, then cancelled")
    ap.add_argument("--huge", action="store_true",
                    help=f"also huge@{DOMAIN}'s INBOX and {HUGE_GROUP} (one ~95 MiB message each)")
    ap.add_argument("--mail-only", action="store_true")
    ap.add_argument("--news-only", action="store_true")
    ap.add_argument("--force", action="store_true", help="seed again even if the data matches")
    ap.add_argument("--verify", action="store_true",
                    help="then read everything back (IMAPS, NNTP) and compare with the manifests")
    ap.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    a = ap.parse_args()
    if os.geteuid() != 0:
        die("must run as root (writes maildirs as mail, runs ctlinnd as news)")
    if a.small:
        a.count = 2000
    if a.count < 1 or a.list_count < 0 or a.articles < 1 or a.cancelled < 0:
        die("counts must be positive")
    lab = find_lab(a.lab_dir)
    summary = {"lab_dir": lab, "seed": a.seed, "seeded": {}}

    def report(key, man, did, path, parts):
        summary["seeded"][key] = {"manifest": path, "changed": did, "digest": man["digest"],
                                  "parts": parts, "seconds": man.get("seconds")}
        what = ", ".join(f"{name} {c} ({b / 1048576:.1f} MiB)" for name, c, b in parts)
        took = f" in {sum(man['seconds'].values()) if 'total' not in man['seconds'] else man['seconds']['total']:.1f} s" \
            if did else ""
        print(f"{'seeded' if did else 'up to date'}{took}: {key}: {what}\n"
              f"  digest {man['digest']}  manifest {path}", file=sys.stderr if a.json else sys.stdout)

    bad = 0

    def mail(user, plan):
        nonlocal bad
        man, did = seed_user(lab, user, plan, a.seed, a.force)
        if a.verify:
            bad += verify_mail(lab, man)
        report(f"{user}@{DOMAIN}", man, did, os.path.join(lab, "seed", f"mail-{user}.json"),
               [(f, e["count"], e["bytes"]) for f, e in man["folders"].items()])

    def news(group, articles, cancelled, kinds=None):
        nonlocal bad
        man, did = seed_group(lab, group, a.seed, articles, cancelled, a.force, kinds)
        if a.verify:
            bad += verify_news(man)
        report(group, man, did, os.path.join(lab, "seed", f"news-{group}.json"),
               [(f"articles {man['articles'][0]['number']}-{man['articles'][-1]['number']}, "
                 f"{len(man['cancelled'])} cancelled:", len(man["articles"]), man["bytes"])])

    if not a.news_only:
        mail("bench", {"INBOX": [None] * a.count, LIST_FOLDER: [None] * a.list_count})
        if a.huge:
            small = ("plain", 3_000, 0)
            mail("huge", {"INBOX": [small, ("mixed", 2_000, HUGE_ATTACHMENT), small]})
    if not a.mail_only:
        news(NEWS_GROUP, a.articles, a.cancelled)
        if a.huge:
            small = ("plain", 2_000, 0)
            news(HUGE_GROUP, 3, 0, [small, ("mixed", 1_000, HUGE_ATTACHMENT), small])
    if a.verify:
        summary["verified"] = bad == 0
        print(f"verify: {'every message and article matches its manifest' if bad == 0 else f'{bad} differences'}",
              file=sys.stderr if a.json else sys.stdout)
    if a.json:
        print(json.dumps(summary))
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
