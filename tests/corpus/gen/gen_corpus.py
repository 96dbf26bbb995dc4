#!/usr/bin/python3
"""Deterministic MIME corpus generator for pigeon's parser tests and benchmarks.

Kinds (each written to OUT/<kind>/ with ground truth in OUT/<kind>.manifest.jsonl):

  mixed    ~20,000 realistic messages, ~200 MB: plain, alternative text+HTML,
           attachments of 10 KB to 2 MB, related with inline images,
           quoted-printable bodies, RFC 2047 subjects (UTF-8 and ISO-8859-1,
           B and Q), RFC 2231 file names (continuations, charsets), long folded
           headers, Received chains, nested message/rfc822, the odd digest.
  big      one ~100 MB message with a single base64 attachment.
  headers  100,000 small header-heavy messages (Received/DKIM/ARC chains,
           long address lists, References).

--scale F multiplies message counts and the big message's size (0.01 gives a
small corpus in a second or two). Every message is generated from its own
seed (seed, kind, index), so message N is the same whatever the scale.

Ground truth, one JSON object per message, sorted by file:
  {"file": "<path relative to OUT/<kind>>", "subject": str or null,
   "parts": <number of leaf parts>,
   "leaves": [{"type": "text/plain", "filename": str or null,
               "size": <decoded bytes>, "sha256": "<hex of decoded bytes>"}]}
"Decoded" means transfer-decoded (base64 / quoted-printable), not charset
converted. Leaves are the parts that are neither multipart nor message/*
containers, in document order (the order of Python's Message.walk()).

Standard library only; run with /usr/bin/python3.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import sys
import time

MB = 1000 * 1000

# --------------------------------------------------------------------------
# Vocabulary

ASCII_WORDS = (
    "the of and to in is it that for on with as was at by this be are from or "
    "have an they which one you were all we can her has there been if more "
    "when will would who so no meeting report quarter budget project release "
    "review draft schedule invoice contract update status team office travel "
    "please find attached below thanks regards call tomorrow monday friday "
    "deadline customer server network storage backup migration ticket issue "
    "agenda minutes summary proposal estimate delivery shipment order payment "
    "account password reset security notice newsletter offer discount event "
    "conference workshop slides presentation photo holiday family weekend "
    "dinner lunch coffee question answer feedback approval signature version"
).split()

UTF8_WORDS = (
    "café naïve résumé Müller Zürich Straße façade déjà-vu crème brûlée "
    "São Paulo København Łódź Ελλάδα привет мир Москва 日本語 東京 中文 "
    "한국어 שלום مرحبا Ærø Åland smörgåsbord jalapeño piñata Ünïcödé "
    "€100 ½ ☕ ✓ 🎉 🚀 😀 — “quoted” ‘single’ …"
).split()

LATIN1_WORDS = (
    "café naïve résumé Müller Zürich Straße façade déjà crème brûlée "
    "São Paulo København Ærø Åland smörgåsbord jalapeño piñata £20 ½ ¿qué? "
    "año niño Übersicht Größe Änderung français garçon"
).split()

FIRST_NAMES = ("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory "
               "Niaj Olivia Peggy Rupert Sybil Trent Victor Walter Zoë").split()
LAST_NAMES = ("Smith Jones Müller García Rossi Dubois Novák Kowalski Tanaka "
              "Ivanova Øvergaard Nguyen O'Brien Schäfer Lefèvre").split()
DOMAINS = ("example.org example.net example.com mail.example.org "
           "lists.example.net corp.example.com").split()
HOSTS = ("mx1.example.org mx2.example.org smtp.example.net relay.example.com "
         "mail-ed1-f54.google.com mail-wr1-f41.google.com "
         "EUR05-AM6-obe.outbound.protection.outlook.com "
         "out-12.smtp.example.com mta.lists.example.net").split()
MAILERS = ("Mozilla Thunderbird 115.6.0", "Microsoft Outlook 16.0",
           "Apple Mail (2.3774.300.61.1.2)", "Roundcube Webmail/1.6.5",
           "Mutt/2.2.9 (2022-11-12)", "Evolution 3.46.4", "K-9 Mail for Android")
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

ATTACH_TYPES = [
    # (content type, extension, magic bytes, weight)
    ("application/pdf", "pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 30),
    ("image/jpeg", "jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", 20),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 12),
    ("application/zip", "zip", b"PK\x03\x04\x14\x00\x00\x00", 8),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "docx", b"PK\x03\x04\x14\x00\x06\x00", 10),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "xlsx", b"PK\x03\x04\x14\x00\x06\x00", 6),
    ("application/octet-stream", "bin", b"\x7fELF\x02\x01\x01\x00", 4),
    ("text/csv", "csv", b"", 5),
    ("text/calendar", "ics", b"", 3),
    ("audio/mpeg", "mp3", b"ID3\x04\x00\x00", 2),
]

FILE_STEMS = ["report", "invoice", "Q3 results", "minutes", "photo", "scan",
              "contract draft", "presentation", "budget 2024", "notes",
              "IMG_4031", "Screenshot 2024-01-12 at 10.15.33", "data export",
              "résumé", "Übersicht Größe", "façade plan", "日本語の資料",
              "отчёт за квартал", "Änderungen März", "café menu"]


class Gen:
    """One message's random source and line-end convention."""

    def __init__(self, seed, eol):
        self.r = random.Random(seed)
        self.eol = eol

    # ---- small pieces --------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def weighted(self, items):
        total = sum(w for *_, w in items)
        x = self.r.uniform(0, total)
        for it in items:
            x -= it[-1]
            if x <= 0:
                return it
        return items[-1]

    def token(self, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
        return "".join(self.pick(alphabet) for _ in range(n))

    def hexs(self, n):
        return self.token(n, "0123456789abcdef")

    def date(self):
        return "%s, %d %s %d %02d:%02d:%02d %s" % (
            self.pick(DAYS), self.r.randint(1, 28), self.pick(MONTHS),
            self.r.randint(2019, 2024), self.r.randint(0, 23),
            self.r.randint(0, 59), self.r.randint(0, 59),
            self.pick(["+0000", "-0500", "+0100", "+0200", "-0800", "+0900"]))

    def mailbox(self, encode_name=True):
        first, last = self.pick(FIRST_NAMES), self.pick(LAST_NAMES)
        addr = "%s.%s@%s" % (first.lower().encode("ascii", "ignore").decode() or "x",
                             last.lower().encode("ascii", "ignore").decode() or "y",
                             self.pick(DOMAINS))
        name = "%s %s" % (first, last)
        if not self.chance(0.85):
            return addr
        if all(ord(c) < 128 for c in name):
            if "'" in name or self.chance(0.3):
                return '"%s" <%s>' % (name, addr)
            return "%s <%s>" % (name, addr)
        if encode_name:
            return "%s <%s>" % (self.encoded_words(name, "utf-8", self.pick("BQ"))[0], addr)
        return '"%s" <%s>' % (name.encode("ascii", "replace").decode(), addr)

    def address_list(self, n):
        items = [self.mailbox() for _ in range(n)]
        return ",\n ".join(items) if n > 2 else ", ".join(items)

    def msgid(self):
        return "<%s.%s@%s>" % (self.hexs(16), self.token(8), self.pick(DOMAINS))

    def boundary(self):
        style = self.r.randrange(6)
        if style == 0:
            return "----=_Part_%d_%d.%d" % (self.r.randint(1, 99999),
                                           self.r.randint(1, 2 ** 31), self.r.randint(10 ** 12, 10 ** 13))
        if style == 1:
            return "===============%019d==" % self.r.randint(0, 10 ** 19 - 1)
        if style == 2:
            return "000000000000" + self.hexs(16)
        if style == 3:
            return "Apple-Mail=_%s-%s-%s" % (self.hexs(8).upper(), self.hexs(4).upper(), self.hexs(12).upper())
        if style == 4:
            return "_%03d_%s_" % (self.r.randint(0, 999), self.token(30, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        return "b1_" + self.token(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    # ---- text ------------------------------------------------------------
    def words(self, n, charset="us-ascii"):
        out = []
        for _ in range(n):
            if charset != "us-ascii" and self.chance(0.12):
                out.append(self.pick(UTF8_WORDS if charset == "utf-8" else LATIN1_WORDS))
            else:
                out.append(self.pick(ASCII_WORDS))
        return out

    def sentence(self, charset="us-ascii", lo=4, hi=16):
        w = self.words(self.r.randint(lo, hi), charset)
        w[0] = w[0][:1].upper() + w[0][1:]
        return " ".join(w) + self.pick([".", ".", ".", "?", "!"])

    def wrap(self, text, width):
        lines, cur = [], ""
        for w in text.split(" "):
            if cur and len(cur) + 1 + len(w) > width:
                lines.append(cur)
                cur = w
            else:
                cur = (cur + " " + w) if cur else w
        if cur:
            lines.append(cur)
        return lines

    def text_lines(self, charset, paragraphs, width=72):
        lines = [self.pick(["Hi,", "Hello all,", "Dear colleagues,", "Hey,"]), ""]
        for _ in range(paragraphs):
            para = " ".join(self.sentence(charset) for _ in range(self.r.randint(1, 6)))
            lines += self.wrap(para, width)
            lines.append("")
        if self.chance(0.3):  # quoted reply
            lines.append("On %s, %s wrote:" % (self.date(), self.pick(FIRST_NAMES)))
            for _ in range(self.r.randint(2, 12)):
                lines.append("> " + self.sentence(charset))
            lines.append("")
        lines += ["-- ", "%s %s" % (self.pick(FIRST_NAMES), self.pick(LAST_NAMES))]
        return lines

    def html_from(self, lines):
        esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body = []
        para = []
        for ln in lines:
            if ln == "":
                if para:
                    body.append('<p style="margin:0 0 12px 0;font-family:Arial,sans-serif">%s</p>' % esc(" ".join(para)))
                    para = []
            else:
                para.append(ln)
        if para:
            body.append("<p>%s</p>" % esc(" ".join(para)))
        head = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                "<style>body{font-size:11pt} p{margin:0}</style></head>")
        return [head, "<body>"] + body + ["</body></html>"]

    # ---- encodings -------------------------------------------------------
    def qp_encode(self, data: bytes) -> bytes:
        """Quoted-printable of data whose line ends are self.eol."""
        eol = self.eol.encode()
        out_lines = []
        for line in data.split(eol):
            enc = []
            for i, b in enumerate(line):
                if (33 <= b <= 126 and b != 61) or (b in (32, 9) and i != len(line) - 1):
                    enc.append(chr(b))
                else:
                    enc.append("=%02X" % b)
            # soft breaks: at most 76 characters per encoded line
            cur, col, pieces = [], 0, []
            for tok in enc:
                if col + len(tok) > 75:
                    pieces.append("".join(cur) + "=")
                    cur, col = [], 0
                cur.append(tok)
                col += len(tok)
            pieces.append("".join(cur))
            out_lines.append(self.eol.join(pieces))
        return self.eol.join(out_lines).encode("ascii")

    def b64_encode(self, data: bytes, width=76) -> bytes:
        s = base64.b64encode(data)
        eol = self.eol.encode()
        return eol.join(s[i:i + width] for i in range(0, len(s), width)) + eol

    def encoded_words(self, text, charset, kind):
        """RFC 2047 words (each <= 75 chars) whose decodings concatenate to text."""
        cs_label = self.pick([charset, charset.upper()]) if charset != "utf-8" else self.pick(["utf-8", "UTF-8", "utf-8"])
        k = self.pick([kind, kind.lower()])
        prefix = "=?%s?%s?" % (cs_label, k)
        room = 75 - len(prefix) - 2
        words, cur, cur_enc = [], "", ""
        for ch in text:
            raw = ch.encode(charset)
            if kind == "B":
                trial = base64.b64encode((cur + ch).encode(charset)).decode()
                if len(trial) > room and cur:
                    words.append(prefix + base64.b64encode(cur.encode(charset)).decode() + "?=")
                    cur = ch
                else:
                    cur += ch
            else:
                enc = ""
                for b in raw:
                    c = chr(b)
                    if c == " ":
                        enc += "_"
                    elif c.isalnum() and b < 128 or c in "!*+-/":
                        enc += c
                    else:
                        enc += "=%02X" % b
                if len(cur_enc) + len(enc) > room and cur_enc:
                    words.append(prefix + cur_enc + "?=")
                    cur_enc = enc
                else:
                    cur_enc += enc
        if kind == "B" and cur:
            words.append(prefix + base64.b64encode(cur.encode(charset)).decode() + "?=")
        if kind == "Q" and cur_enc:
            words.append(prefix + cur_enc + "?=")
        return words

    def fold_plain(self, name, text):
        """Folds an unstructured ASCII value at spaces (a fold is '\\n' + the space)."""
        out, col = [], len(name) + 2
        for i, w in enumerate(text.split(" ")):
            if i and col + 1 + len(w) > 78:
                out.append("\n " + w)
                col = 1 + len(w)
            else:
                out.append((" " if i else "") + w)
                col += (1 if i else 0) + len(w)
        return "".join(out)

    # ---- subjects ----------------------------------------------------------
    def subject(self):
        """Returns (header value or None, decoded subject or None)."""
        roll = self.r.random()
        prefix = self.pick(["", "", "", "Re: ", "Fwd: ", "RE: ", "AW: ", "Fw: "])
        if roll < 0.01:
            return None, None
        if roll < 0.45:
            n = self.r.randint(2, 9) if self.chance(0.85) else self.r.randint(14, 40)
            text = prefix + " ".join(self.words(n))
            return self.fold_plain("Subject", text), text
        charset, kind = self.weighted([("utf-8", "B", 36), ("utf-8", "Q", 27),
                                       ("iso-8859-1", "Q", 20), ("iso-8859-1", "B", 13)])[:2]
        n = self.r.randint(2, 8) if self.chance(0.8) else self.r.randint(10, 30)
        ws = self.words(n, charset)
        if not any(any(ord(c) > 127 for c in w) for w in ws):
            ws[self.r.randrange(len(ws))] = self.pick(UTF8_WORDS if charset == "utf-8" else LATIN1_WORDS)
        body = " ".join(ws)
        tail = ""
        if self.chance(0.15):
            tail = self.pick([" (fwd)", " [External]", " - urgent", " #%d" % self.r.randint(1, 9999)])
        words = self.encoded_words(body, charset, kind)
        value = prefix + words[0] + "".join(self.pick(["\n ", "\n\t", " "]) + w for w in words[1:]) + tail
        return value, prefix + body + tail

    # ---- filenames -----------------------------------------------------------
    def filename_params(self, fname):
        """Returns (content-type params, content-disposition params or None) for fname."""
        ascii_only = all(ord(c) < 128 for c in fname)
        r = self.r.random()

        def quoted(s):
            return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')

        def pct_tokens(s, cs):
            out = []
            for c in s:
                if (c.isalnum() and ord(c) < 128) or c in "-_.!~":
                    out.append(c)
                else:
                    out += ["%%%02X" % b for b in c.encode(cs)]
            return out

        def pct(s, cs):
            return "".join(pct_tokens(s, cs))

        if ascii_only:
            if r < 0.15 and len(fname) > 12:  # RFC 2231 continuations, no charset
                cut = self.r.randint(4, len(fname) - 4)
                cd = ';\n filename*0=%s;\n filename*1=%s' % (quoted(fname[:cut]), quoted(fname[cut:]))
                return "; name=%s" % quoted(fname), cd
            if " " not in fname and all(c.isalnum() or c in "-_." for c in fname) and r < 0.5:
                return "; name=%s" % fname, "; filename=%s" % fname
            if r < 0.9:
                return ";\n name=%s" % quoted(fname), ";\n filename=%s" % quoted(fname)
            return "; name=%s" % quoted(fname), None
        charset = "utf-8"
        try:
            fname.encode("iso-8859-1")
            if self.chance(0.3):
                charset = "iso-8859-1"
        except UnicodeEncodeError:
            pass
        if r < 0.30:  # RFC 2231, single parameter
            lang = self.pick(["", "", "en", "de"])
            v = "%s'%s'%s" % (charset, lang, pct(fname, charset))
            ct_name = self.encoded_words(fname, "utf-8", "B")
            return ';\n name="%s"' % " ".join(ct_name), ";\n filename*=%s" % v
        if r < 0.55:  # RFC 2231 with continuations (some segments unencoded)
            toks = pct_tokens(fname, charset)
            segs = []
            while toks:
                n = self.r.randint(4, 12)
                segs.append("".join(toks[:n]))
                toks = toks[n:]
            parts = []
            for n, s in enumerate(segs):
                if n == 0:
                    parts.append("filename*0*=%s''%s" % (charset, s))
                elif "%" not in s and self.chance(0.5) and '"' not in s:
                    parts.append('filename*%d="%s"' % (n, s))
                else:
                    parts.append("filename*%d*=%s" % (n, s))
            ct = ';\n name="%s"' % "\n ".join(self.encoded_words(fname, "utf-8", "Q"))
            return ct, ";\n " + ";\n ".join(parts)
        if r < 0.85:  # RFC 2047 words inside quoted strings (Outlook, Gmail)
            words = self.encoded_words(fname, "utf-8", self.pick("BQ"))
            v = '"%s"' % ("\n ".join(words) if self.chance(0.5) else " ".join(words))
            return ";\n name=%s" % v, ";\n filename=%s" % v
        # name* only on Content-Type, no disposition
        return ";\n name*=%s''%s" % (charset, pct(fname, charset)), None


# --------------------------------------------------------------------------
# Entities

class Entity:
    __slots__ = ("headers", "body", "leaves")

    def __init__(self, headers, body, leaves):
        self.headers = headers  # list of (name, value); value folds are "\n" + WSP
        self.body = body        # bytes, already transfer-encoded
        self.leaves = leaves    # ground-truth facts of the leaves, in order


def serialize(g, e):
    eol = g.eol
    out = []
    for name, value in e.headers:
        out.append(("%s: %s" % (name, value)).replace("\n", eol))
    head = (eol.join(out) + eol + eol) if out else eol
    return head.encode("utf-8") + e.body


def leaf_fact(ctype, filename, decoded):
    return {"type": ctype, "filename": filename, "size": len(decoded),
            "sha256": hashlib.sha256(decoded).hexdigest()}


def text_leaf(g, subtype, lines, charset, cte=None, extra=()):
    eol = g.eol
    raw = eol.join(lines) + eol
    try:
        data = raw.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
        data = raw.encode(charset)
    is_ascii = all(b < 128 for b in data)
    long_lines = any(len(ln) > 900 for ln in lines)
    if cte is None:
        if is_ascii and not long_lines:
            cte = g.pick(["7bit", "7bit", "quoted-printable"])
        else:
            cte = g.pick(["quoted-printable", "quoted-printable", "8bit", "base64"])
    if cte in ("7bit", "8bit") and long_lines:
        cte = "quoted-printable"
    if cte == "7bit" and not is_ascii:
        cte = "8bit"
    if cte == "quoted-printable":
        body = g.qp_encode(data)
    elif cte == "base64":
        body = g.b64_encode(data)
    else:
        body = data
    cs_label = charset if g.chance(0.6) else charset.upper()
    ct = "text/%s; charset=%s" % (subtype, g.pick([cs_label, '"%s"' % cs_label]))
    if g.chance(0.2) and subtype == "plain":
        ct += "; format=flowed"
    headers = [("Content-Type", ct)]
    if cte != "7bit" or g.chance(0.5):
        headers.append(("Content-Transfer-Encoding", g.pick([cte, cte, cte.upper() if cte != "quoted-printable" else "Quoted-Printable"])))
    headers += list(extra)
    return Entity(headers, body, [leaf_fact("text/" + subtype, None, data)])


def binary_leaf(g, ctype, data, fname, disposition="attachment", cid=None, cte="base64"):
    ct_params, cd_params = g.filename_params(fname) if fname else ("", None)
    headers = [("Content-Type", ctype + ct_params)]
    if cte == "base64":
        body = g.b64_encode(data, g.pick([76, 76, 76, 72, 64]))
        if g.chance(0.3):
            body = body[:-len(g.eol)]
    elif cte == "quoted-printable":
        body = g.qp_encode(data)
    else:
        body = data
    headers.append(("Content-Transfer-Encoding", cte))
    if cid:
        headers.append(("Content-ID", "<%s>" % cid))
    if cd_params is not None or g.chance(0.5):
        headers.append(("Content-Disposition", disposition + (cd_params or "")))
    return Entity(headers, body, [leaf_fact(ctype, fname, data)])


def attachment(g, size):
    ctype, ext, magic, _ = g.weighted(ATTACH_TYPES)
    if ctype.startswith("text/"):
        lines = []
        total = 0
        while total < size:
            if ctype == "text/csv":
                ln = ",".join(str(g.r.randint(0, 99999)) if g.chance(0.6) else g.pick(ASCII_WORDS) for _ in range(8))
            else:
                ln = g.pick(["DTSTART:20240112T100000Z", "SUMMARY:" + g.sentence(), "DESCRIPTION:" + g.sentence(),
                             "LOCATION:Room %d" % g.r.randint(1, 400), "UID:" + g.hexs(32)])
            lines.append(ln)
            total += len(ln) + 2
        data = ("\r\n".join(lines) + "\r\n").encode()
        cte = g.pick(["base64", "quoted-printable", "base64"])
        if cte == "quoted-printable":
            data = data.replace(b"\r\n", g.eol.encode())
        ctype_full = ctype + "; charset=utf-8"
    else:
        data = magic + g.r.randbytes(max(0, size - len(magic)))
        cte = "base64"
        ctype_full = ctype
    stem = g.pick(FILE_STEMS)
    if g.chance(0.1):
        stem = stem + " " + " ".join(g.words(g.r.randint(3, 8))) + " (final version)"
    fname = "%s.%s" % (stem, ext)
    e = binary_leaf(g, ctype_full, data, fname, cte=cte)
    e.leaves[0]["type"] = ctype
    return e


def multipart(g, subtype, children, params=""):
    b = g.boundary()
    quoted_b = '"%s"' % b if (g.chance(0.7) or not all(c.isalnum() or c in "-_." for c in b)) else b
    eol = g.eol.encode()
    chunks = []
    if g.chance(0.4):
        chunks.append(g.pick([b"This is a multi-part message in MIME format.",
                              b"This is a multipart message in MIME format.",
                              b"--> This message is in MIME format <--"]) + eol)
    bb = b.encode()
    for c in children:
        chunks.append(b"--" + bb + eol + serialize(g, c) + eol)
    chunks.append(b"--" + bb + b"--" + eol)
    if g.chance(0.15):
        chunks.append(b"(epilogue) " + g.sentence().encode() + eol)
    sep = g.pick(["; ", ";\n\t", ";\n "])
    headers = [("Content-Type", "multipart/%s%s%sboundary=%s" % (subtype, params, sep, quoted_b))]
    leaves = [f for c in children for f in c.leaves]
    return Entity(headers, b"".join(chunks), leaves)


def rfc822_part(g, inner_headers, inner):
    inner_bytes = serialize(g, Entity(inner_headers + inner.headers, inner.body, []))
    headers = [("Content-Type", "message/rfc822")]
    if g.chance(0.5):
        headers.append(("Content-Disposition", "inline"))
    return Entity(headers, inner_bytes, list(inner.leaves))


# --------------------------------------------------------------------------
# Message shapes

def body_charset(g):
    return g.weighted([("utf-8", 60), ("us-ascii", 20), ("iso-8859-1", 15), ("windows-1252", 5)])[0]


def plain_body(g, small=False):
    cs = body_charset(g)
    lines = g.text_lines(cs if cs != "windows-1252" else "iso-8859-1", g.r.randint(1, 2) if small else g.r.randint(1, 10))
    return text_leaf(g, "plain", lines, cs)


def alternative_body(g):
    cs = g.pick(["utf-8", "utf-8", "iso-8859-1"])
    lines = g.text_lines(cs, g.r.randint(1, 10))
    html = g.html_from(lines)
    if g.chance(0.3):  # one long HTML line, as many mailers send
        html = ["".join(html)]
    cte_html = g.pick(["quoted-printable", "quoted-printable", "base64", "8bit", "7bit"])
    t = text_leaf(g, "plain", lines, cs)
    h = text_leaf(g, "html", html, cs, cte=cte_html)
    return multipart(g, "alternative", [t, h])


def related_body(g):
    cs = "utf-8"
    lines = g.text_lines(cs, g.r.randint(1, 6))
    n = g.weighted([(1, 50), (2, 30), (3, 15), (4, 5)])[0]
    cids = ["image%03d.%s@%s" % (i + 1, g.pick(["png", "jpg"]), g.hexs(12)) for i in range(n)]
    html = g.html_from(lines)
    html[-1:-1] = ['<img src="cid:%s" width="%d" height="%d" alt="">' % (c, g.r.randint(20, 600), g.r.randint(20, 400)) for c in cids]
    h = text_leaf(g, "html", html, cs, cte=g.pick(["quoted-printable", "base64"]))
    imgs = []
    for i, c in enumerate(cids):
        ext = c.split(".")[1].split("@")[0]
        ctype = "image/png" if ext == "png" else "image/jpeg"
        magic = b"\x89PNG\r\n\x1a\n" if ext == "png" else b"\xff\xd8\xff\xe0"
        size = int(10000 * (8 ** g.r.random()))  # 10 KB .. 80 KB
        data = magic + g.r.randbytes(size - len(magic))
        imgs.append(binary_leaf(g, ctype, data, "image%03d.%s" % (i + 1, ext), disposition="inline", cid=c))
    rel = multipart(g, "related", [h] + imgs, params=g.pick(['; type="text/html"', ""]))
    if g.chance(0.6):
        t = text_leaf(g, "plain", lines, cs)
        return multipart(g, "alternative", [t, rel])
    return rel


def attachment_size(g):
    # 10 KB .. 2 MB, skewed towards small files (median ~ 12 KB, mean ~ 100 KB).
    return int(10000 * (200 ** (g.r.random() ** 5)))


def mixed_with_attachments(g):
    first = alternative_body(g) if g.chance(0.5) else plain_body(g)
    n = g.weighted([(1, 78), (2, 15), (3, 5), (5, 2)])[0]
    atts = [attachment(g, attachment_size(g)) for _ in range(n)]
    return multipart(g, "mixed", [first] + atts)


def signed_body(g):
    inner = plain_body(g) if g.chance(0.6) else alternative_body(g)
    sig = ("-----BEGIN PGP SIGNATURE-----\r\n\r\n" +
           "\r\n".join(base64.b64encode(g.r.randbytes(48)).decode() for _ in range(6)) +
           "\r\n=" + g.token(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "\r\n-----END PGP SIGNATURE-----\r\n"
           ).replace("\r\n", g.eol).encode()
    s = Entity([("Content-Type", 'application/pgp-signature; name="signature.asc"'),
                ("Content-Description", "OpenPGP digital signature"),
                ("Content-Disposition", 'attachment; filename="signature.asc"')],
               sig, [leaf_fact("application/pgp-signature", "signature.asc", sig)])
    return multipart(g, "signed", [inner, s], params='; micalg=pgp-sha256;\n protocol="application/pgp-signature"')


def envelope_headers(g, received=None, extra_long=False):
    h = []
    for _ in range(g.r.randint(1, 6) if received is None else received):
        h.append(("Received", "from %s (%s [%d.%d.%d.%d])\n\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s@%s>; %s" % (
            g.pick(HOSTS), g.pick(HOSTS), g.r.randint(1, 223), g.r.randint(0, 255), g.r.randint(0, 255),
            g.r.randint(1, 254), g.pick(HOSTS), g.token(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            g.pick(FIRST_NAMES).lower().replace("ë", "e"), g.pick(DOMAINS), g.date())))
    if extra_long or g.chance(0.3):
        h.append(("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d=%s; s=%s; t=%d;\n"
                  "        h=from:to:subject:date:message-id:mime-version:content-type;\n        bh=%s;\n        b=%s" % (
                      g.pick(DOMAINS), g.pick(["20230601", "selector1", "google", "s1"]), g.r.randint(1600000000, 1700000000),
                      base64.b64encode(g.r.randbytes(32)).decode(),
                      "\n         ".join(base64.b64encode(g.r.randbytes(256)).decode()[i:i + 64] for i in range(0, 344, 64)))))
    return h


def message_headers(g, subject_value, with_envelope=True):
    h = envelope_headers(g) if with_envelope else []
    h.append(("From", g.mailbox()))
    h.append(("To", g.address_list(g.weighted([(1, 70), (2, 15), (4, 10), (12, 5)])[0])))
    if g.chance(0.2):
        h.append(("Cc", g.address_list(g.r.randint(1, 8))))
    if subject_value is not None:
        h.append(("Subject", subject_value))
    h.append(("Date", g.date()))
    h.append(("Message-ID", g.msgid()))
    if g.chance(0.3):
        refs = [g.msgid() for _ in range(g.r.randint(1, 15))]
        h.append(("In-Reply-To", refs[-1]))
        h.append(("References", "\n ".join(refs)))
    h.append(("MIME-Version", "1.0"))
    if g.chance(0.6):
        h.append(("User-Agent" if g.chance(0.5) else "X-Mailer", g.pick(MAILERS)))
    return h


def forwarded(g, depth):
    sv, _ = g.subject()
    inner_headers = message_headers(g, sv, with_envelope=g.chance(0.5))
    inner = random_body(g, depth + 1)
    fwd = rfc822_part(g, inner_headers, inner)
    return multipart(g, "mixed", [plain_body(g, small=True), fwd])


def digest(g, depth):
    kids = []
    for _ in range(g.r.randint(2, 5)):
        sv, _ = g.subject()
        inner_headers = [(n, v) for n, v in message_headers(g, sv, with_envelope=False) if n != "MIME-Version"]
        inner = plain_body(g, small=True)
        inner_bytes = serialize(g, Entity(inner_headers + inner.headers, inner.body, []))
        # digest children default to message/rfc822: no Content-Type at all
        kids.append(Entity([], inner_bytes, list(inner.leaves)))
    # an Entity with no headers serialises as just the blank line + body
    return multipart(g, "digest", kids)


def random_body(g, depth=0):
    shapes = [(plain_body, 38), (alternative_body, 38), (mixed_with_attachments, 1.8),
              (related_body, 2), (signed_body, 3), (forwarded, 4 if depth < 2 else 0),
              (digest, 1 if depth < 2 else 0)]
    fn = g.weighted([(f, w) for f, w in shapes])[0]
    if fn in (forwarded, digest):
        return fn(g, depth)
    return fn(g)


def mixed_message(seed):
    g = Gen(seed, "\r\n" if random.Random(seed ^ 0x5EED).random() < 0.8 else "\n")
    sv, subj = g.subject()
    headers = message_headers(g, sv)
    body = random_body(g)
    data = serialize(g, Entity(headers + body.headers, body.body, []))
    return data, subj, body.leaves


def header_heavy_message(seed):
    g = Gen(seed, "\r\n" if random.Random(seed ^ 0x5EED).random() < 0.8 else "\n")
    sv, subj = g.subject()
    h = envelope_headers(g, received=g.r.randint(3, 8), extra_long=True)
    if g.chance(0.4):
        for i in range(1, g.r.randint(2, 3)):
            h.insert(0, ("ARC-Seal", "i=%d; a=rsa-sha256; t=%d; cv=pass;\n        d=%s; s=arc-20160816;\n        b=%s" % (
                i, g.r.randint(1600000000, 1700000000), g.pick(DOMAINS),
                "\n         ".join(base64.b64encode(g.r.randbytes(256)).decode()[j:j + 64] for j in range(0, 344, 64)))))
            h.insert(1, ("ARC-Authentication-Results", "i=%d; mx.example.org;\n       dkim=pass header.i=@%s header.s=s1 header.b=%s;\n       spf=pass (example.org: domain of %s designates %d.%d.%d.%d as permitted sender) smtp.mailfrom=%s;\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=%s" % (
                i, g.pick(DOMAINS), g.token(8), g.pick(DOMAINS), g.r.randint(1, 223), g.r.randint(0, 255),
                g.r.randint(0, 255), g.r.randint(1, 254), g.pick(DOMAINS), g.pick(DOMAINS))))
    h.append(("Authentication-Results", "mx.example.org;\n\tdkim=pass (2048-bit key; unprotected) header.d=%s header.i=@%s header.b=%s;\n\tdkim-atps=neutral" % (
        g.pick(DOMAINS), g.pick(DOMAINS), g.token(8))))
    h.append(("Return-Path", "<bounce-%s@%s>" % (g.hexs(20), g.pick(DOMAINS))))
    h.append(("From", g.mailbox()))
    h.append(("To", g.address_list(g.weighted([(1, 50), (3, 25), (10, 20), (30, 5)])[0])))
    if g.chance(0.4):
        h.append(("Cc", g.address_list(g.r.randint(2, 10))))
    if sv is not None:
        h.append(("Subject", sv))
    h.append(("Date", g.date()))
    h.append(("Message-ID", g.msgid()))
    refs = [g.msgid() for _ in range(g.r.randint(0, 20))]
    if refs:
        h.append(("In-Reply-To", refs[-1]))
        h.append(("References", "\n ".join(refs)))
    if g.chance(0.6):
        lst = g.pick(DOMAINS)
        h += [("List-Id", '"%s" <%s.%s>' % (" ".join(g.words(3)).title(), g.token(8), lst)),
              ("List-Unsubscribe", "<mailto:unsubscribe-%s@%s>,\n <https://%s/unsubscribe?u=%s&id=%s>" % (
                  g.hexs(16), lst, lst, g.hexs(24), g.hexs(10))),
              ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
              ("List-Archive", "<https://%s/archive/%s>" % (lst, g.token(10))),
              ("Precedence", "list")]
    for _ in range(g.r.randint(2, 6)):
        h.append(("X-%s" % g.pick(["Spam-Status", "MS-Exchange-Organization-SCL", "Originating-IP", "Virus-Scanned",
                                   "Google-Smtp-Source", "MS-Has-Attach", "Campaign-ID", "Priority", "Mailer-Hash"]),
                  g.pick(["No, score=-2.1 required=5.0 tests=BAYES_00,DKIM_SIGNED,\n\tDKIM_VALID,DKIM_VALID_AU,SPF_PASS autolearn=ham\n\tautolearn_force=no version=3.4.6",
                          "-1", "[%d.%d.%d.%d]" % (g.r.randint(1, 223), g.r.randint(0, 255), g.r.randint(0, 255), g.r.randint(1, 254)),
                          "amavisd-new at example.org", base64.b64encode(g.r.randbytes(g.r.randint(30, 90))).decode(), "3 (Normal)"])))
    h.append(("MIME-Version", "1.0"))
    if g.chance(0.75):
        body = plain_body(g, small=True)
    else:
        cs = "utf-8"
        lines = g.text_lines(cs, 1)[:6]
        body = multipart(g, "alternative", [text_leaf(g, "plain", lines, cs), text_leaf(g, "html", g.html_from(lines), cs)])
    data = serialize(g, Entity(h + body.headers, body.body, []))
    return data, subj, body.leaves


def big_message(seed, size):
    g = Gen(seed, "\r\n")
    sv, subj = g.subject()
    headers = message_headers(g, sv)
    text = text_leaf(g, "plain", g.text_lines("utf-8", 2), "utf-8")
    # Base64 at 76 columns + CRLF: 78 bytes of file per 57 decoded bytes.
    n = max(1000, int((size - 4000) * 57 / 78))
    data = b"%PDF-1.7\n" + g.r.randbytes(n - 9)
    att = binary_leaf(g, "application/pdf", data, "scan archive 2023.pdf")
    body = multipart(g, "mixed", [text, att])
    out = serialize(g, Entity(headers + body.headers, body.body, []))
    return out, subj, body.leaves


# --------------------------------------------------------------------------

def write_kind(out, kind, count, make, per_dir, seed, progress):
    d = os.path.join(out, kind)
    os.makedirs(d, exist_ok=True)
    manifest = os.path.join(out, kind + ".manifest.jsonl")
    total = 0
    t0 = time.time()
    width = len(str(max(count - 1, 1)))
    with open(manifest + ".tmp", "w", encoding="utf-8") as mf:
        for i in range(count):
            data, subj, leaves = make(seed, i)
            if per_dir:
                rel = os.path.join("%03d" % (i // per_dir), ("%0" + str(width) + "d.eml") % i)
                os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            else:
                rel = ("%0" + str(width) + "d.eml") % i
            with open(os.path.join(d, rel), "wb") as f:
                f.write(data)
            total += len(data)
            mf.write(json.dumps({"file": rel, "subject": subj, "parts": len(leaves), "leaves": leaves},
                                ensure_ascii=False, sort_keys=True) + "\n")
            if progress and (i + 1) % 2000 == 0:
                print("  %s: %d/%d messages, %.1f MB, %.0f s" % (kind, i + 1, count, total / MB, time.time() - t0),
                      file=sys.stderr)
    os.replace(manifest + ".tmp", manifest)
    print("%s: %d messages, %.1f MB in %s (manifest %s), %.1f s" % (
        kind, count, total / MB, d, manifest, time.time() - t0), file=sys.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "..", "bench", "data"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=default_out, help="output directory (default: bench/data)")
    ap.add_argument("--kind", choices=["mixed", "big", "headers", "all"], default="all")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies counts and the big message size")
    ap.add_argument("--seed", type=int, default=4, help="base seed (default 4)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    if a.scale <= 0:
        ap.error("--scale must be positive")
    kinds = ["mixed", "big", "headers"] if a.kind == "all" else [a.kind]
    for k in kinds:
        if k == "mixed":
            n = max(1, round(20000 * a.scale))
            write_kind(a.out, k, n, lambda s, i: mixed_message(s * 1000003 + i), None, a.seed, not a.quiet)
        elif k == "headers":
            n = max(1, round(100000 * a.scale))
            write_kind(a.out, k, n, lambda s, i: header_heavy_message(s * 7000003 + i), 1000, a.seed, not a.quiet)
        else:
            size = int(100 * MB * a.scale)
            write_kind(a.out, k, 1, lambda s, i: big_message(s * 9000011 + i, size), None, a.seed, not a.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
