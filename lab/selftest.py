#!/usr/bin/env python3
"""Smoke test of a running lab (lab/lab.sh start first): every port, TLS with
the lab CA and the three bad certificates, the capabilities the tests rely on,
SASL (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1/-256) for all users, SMTP -> IMAP and
POP3 round trips (LMTP, and dovecot-lda for SMTPUTF8), NNTP posting.

usage: python3 lab/selftest.py [-v]       exit status 0 when everything passes
"""
import base64
import hashlib
import hmac
import imaplib
import os
import poplib
import smtplib
import socket
import ssl
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.environ.get("PIGEON_LAB_DIR") or os.path.join(HERE, "run")
HOST = "127.0.0.1"
CA = os.path.join(RUN, "certs", "ca.pem")
USERS = {
    "alice@lab.test": "alice-pass-1",
    "bob@lab.test": "bob-pass-2",
    "carol@lab.test": "pässwörd-ĉ",
}
VERBOSE = "-v" in sys.argv
failures = []


def check(name, cond, detail=""):
    if cond:
        if VERBOSE:
            print(f"ok    {name}")
    else:
        failures.append(name)
        print(f"FAIL  {name} {detail}")


def ctx():
    c = ssl.create_default_context(cafile=CA)
    c.check_hostname = True
    return c


def maildir(user):
    return os.path.join(RUN, "mail", user.split("@")[0], "Maildir")


# ------------------------------------------------------------------ SASL

class Scram:
    """Client side of SCRAM (RFC 5802) without channel binding."""

    def __init__(self, hname, user, password):
        self.h = hname
        self.user = user.replace("=", "=3D").replace(",", "=2C")
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.step = 0
        self.server_sig = None

    def __call__(self, challenge):
        if self.step == 0:
            self.step = 1
            self.first_bare = f"n={self.user},r={self.nonce}"
            return ("n,," + self.first_bare).encode()
        if self.step == 1:
            self.step = 2
            server_first = challenge.decode()
            attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
            assert attrs["r"].startswith(self.nonce)
            salt = base64.b64decode(attrs["s"])
            salted = hashlib.pbkdf2_hmac(self.h, self.password, salt, int(attrs["i"]))
            client_key = hmac.new(salted, b"Client Key", self.h).digest()
            stored = hashlib.new(self.h, client_key).digest()
            final_wo_proof = f"c=biws,r={attrs['r']}"
            auth_msg = f"{self.first_bare},{server_first},{final_wo_proof}".encode()
            sig = hmac.new(stored, auth_msg, self.h).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, sig))
            server_key = hmac.new(salted, b"Server Key", self.h).digest()
            self.server_sig = base64.b64encode(hmac.new(server_key, auth_msg, self.h).digest()).decode()
            return (final_wo_proof + ",p=" + base64.b64encode(proof).decode()).encode()
        assert challenge.decode() == "v=" + self.server_sig, "bad server signature"
        return b""


def cram(user, password):
    return lambda ch: f"{user} {hmac.new(password.encode(), ch, 'md5').hexdigest()}".encode()


def plain(user, password):
    return lambda ch: f"\0{user}\0{password}".encode()


def mechanism(mech, user, password):
    if mech == "PLAIN":
        return plain(user, password)
    if mech == "CRAM-MD5":
        return cram(user, password)
    if mech == "SCRAM-SHA-1":
        return Scram("sha1", user, password)
    if mech == "SCRAM-SHA-256":
        return Scram("sha256", user, password)
    raise ValueError(mech)


# ------------------------------------------------------------------ TLS

def tls_ports():
    good = {10993: None, 10995: None, 10465: None, 10563: None}
    for port in good:
        try:
            with socket.create_connection((HOST, port), timeout=5) as s:
                with ctx().wrap_socket(s, server_hostname="localhost") as t:
                    check(f"TLS {port} verifies (localhost)", t.version() in ("TLSv1.2", "TLSv1.3"))
            c = ctx()
            with socket.create_connection((HOST, port), timeout=5) as s:
                with c.wrap_socket(s, server_hostname=HOST) as t:
                    check(f"TLS {port} verifies (127.0.0.1)", True)
        except Exception as e:  # noqa: BLE001
            check(f"TLS {port}", False, repr(e))
    bad = {10466: "Hostname mismatch", 10467: "certificate has expired", 10468: "self-signed certificate"}
    for port, reason in bad.items():
        try:
            with socket.create_connection((HOST, port), timeout=5) as s:
                with ctx().wrap_socket(s, server_hostname="localhost"):
                    check(f"TLS {port} must fail ({reason})", False, "handshake succeeded")
        except ssl.SSLCertVerificationError as e:
            check(f"TLS {port} fails: {reason}", reason in str(e), str(e))


# ------------------------------------------------------------------ SMTP

def ehlo_keywords(s):
    s.ehlo("client.lab.test")
    return {k.upper(): v for k, v in s.esmtp_features.items()}


def smtp_checks():
    with smtplib.SMTP(HOST, 10025, timeout=10) as s:
        kw = ehlo_keywords(s)
        for k in ("PIPELINING", "SIZE", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING", "STARTTLS"):
            check(f"SMTP 10025 offers {k}", k in kw)
        check("SMTP 10025 SIZE 104857600", kw.get("SIZE") == "104857600", kw.get("SIZE"))
        check("SMTP 10025 offers no AUTH", "AUTH" not in kw)
        s.starttls(context=ctx())
        kw = ehlo_keywords(s)
        check("SMTP 10025 offers no AUTH after TLS", "AUTH" not in kw)
        refused = {}
        try:
            refused = s.sendmail("bob@lab.test", ["alice@lab.test", "nobody@lab.test", "bob@lab.test"],
                                 b"Subject: three recipients\r\n\r\nhello\r\n")
        except smtplib.SMTPRecipientsRefused as e:
            refused = e.recipients
        check("SMTP 10025 refuses nobody@lab.test with 550 at RCPT",
              list(refused) == ["nobody@lab.test"] and refused["nobody@lab.test"][0] == 550, str(refused))

    with smtplib.SMTP(HOST, 10587, timeout=10) as s:
        kw = ehlo_keywords(s)
        check("SMTP 10587 offers STARTTLS", "STARTTLS" in kw)
        check("SMTP 10587 offers no AUTH before TLS", "AUTH" not in kw)
        code, _ = s.mail("alice@lab.test")
        check("SMTP 10587 refuses MAIL before TLS", code == 530, str(code))
    with smtplib.SMTP(HOST, 10587, timeout=10) as s:
        s.starttls(context=ctx())
        kw = ehlo_keywords(s)
        mechs = set(kw.get("AUTH", "").split())
        check("SMTP 10587 AUTH mechanisms after TLS",
              {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"} <= mechs, str(mechs))
        s.mail("alice@lab.test")
        code, _ = s.rcpt("bob@lab.test")
        check("SMTP 10587 refuses unauthenticated RCPT", code >= 500, str(code))
    for user, password in USERS.items():
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"):
            with smtplib.SMTP_SSL(HOST, 10465, timeout=10, context=ctx()) as s:
                s.ehlo()
                code = smtp_auth(s, mech, user, password)
                check(f"SMTP 10465 AUTH {mech} {user}", code == 235, str(code))


def smtp_auth(s, mech, user, password):
    """AUTH without smtplib's ASCII-only encoding; returns the final code."""
    if mech == "LOGIN":
        steps = [user.encode(), password.encode()]
        responder = lambda ch: steps.pop(0)  # noqa: E731
    else:
        responder = mechanism(mech, user, password)
    code, text = s.docmd("AUTH", mech)
    while code == 334:
        challenge = base64.b64decode(text) if text and text != b"=" else b""
        code, text = s.docmd(base64.b64encode(responder(challenge)).decode())
    return code


def wait_for(path_glob_dir, needle, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sub in ("new", "cur"):
            d = os.path.join(path_glob_dir, sub)
            for name in os.listdir(d):
                try:
                    with open(os.path.join(d, name), "rb") as f:
                        if needle in f.read(65536):
                            return True
                except FileNotFoundError:
                    pass
        time.sleep(0.01)
    return False


def round_trips():
    tag = uuid.uuid4().hex
    msg = (f"From: alice@lab.test\r\nTo: bob@lab.test\r\nSubject: trip {tag}\r\n"
           f"Message-ID: <{tag}@lab.test>\r\n\r\nround trip\r\n").encode()
    t0 = time.monotonic()
    with smtplib.SMTP(HOST, 10587, timeout=10) as s:
        s.starttls(context=ctx())
        s.login("alice@lab.test", USERS["alice@lab.test"])
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg)
    ok = wait_for(maildir("bob@lab.test"), tag.encode())
    check(f"SMTP 10587 -> LMTP -> bob's maildir ({(time.monotonic() - t0) * 1000:.0f} ms)", ok)
    # read it back over IMAP (STARTTLS) and POP3 (STLS)
    m = imaplib.IMAP4(HOST, 10143)
    m.starttls(ssl_context=ctx())
    m.login("bob@lab.test", USERS["bob@lab.test"])
    m.select("INBOX")
    typ, data = m.search(None, "HEADER", "Message-ID", f"<{tag}@lab.test>")
    check("IMAP finds the message by Message-ID", typ == "OK" and data[0].split(), str(data))
    m.logout()
    p = poplib.POP3(HOST, 10110)
    p.stls(context=ctx())
    p.user("bob@lab.test")
    p.pass_(USERS["bob@lab.test"])
    n, _ = p.stat()
    found = any(tag.encode() in b"\n".join(p.top(i, 0)[1]) for i in range(max(1, n - 5), n + 1))
    check("POP3 sees the message", found)
    p.quit()

    # SMTPUTF8 with a UTF-8 header (goes through dovecot-lda, see lab.sh)
    tag = uuid.uuid4().hex
    msg = f"From: Jörg <bob@lab.test>\r\nTo: carol@lab.test\r\nSubject: Grüße {tag}\r\n\r\nÜnïcödé\r\n".encode()
    with smtplib.SMTP(HOST, 10025, timeout=10) as s:
        s.ehlo()
        s.sendmail("bob@lab.test", ["carol@lab.test"], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    check("SMTPUTF8 message with UTF-8 header reaches carol", wait_for(maildir("carol@lab.test"), tag.encode()))


# ------------------------------------------------------------------ IMAP / POP3

def imap_checks():
    m = imaplib.IMAP4(HOST, 10143)
    caps = m.capabilities
    check("IMAP 10143 LOGINDISABLED before STARTTLS", "LOGINDISABLED" in caps, str(caps))
    check("IMAP 10143 no AUTH=PLAIN before STARTTLS", "AUTH=PLAIN" not in caps, str(caps))
    m.starttls(ssl_context=ctx())
    caps = m.capabilities
    check("IMAP 10143 AUTH=PLAIN after STARTTLS", "AUTH=PLAIN" in caps and "LOGINDISABLED" not in caps, str(caps))
    m.shutdown()
    for user, password in USERS.items():
        for mech in ("LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"):
            m = imaplib.IMAP4_SSL(HOST, 10993, ssl_context=ctx())
            try:
                if mech == "LOGIN":
                    if not password.isascii():
                        m._encoding = "utf-8"  # the password goes as a literal
                        m.literal = password.encode()
                        typ, _ = m._simple_command("LOGIN", user, "")
                        m.state = "AUTH"
                    else:
                        typ, _ = m.login(user, password)
                else:
                    typ, _ = m.authenticate(mech, mechanism(mech, user, password))
            except Exception as e:  # noqa: BLE001
                typ = repr(e)
            check(f"IMAP 10993 {mech} {user}", typ == "OK", str(typ))
            if typ == "OK" and mech == "LOGIN":
                typ, data = m.capability()
                caps = data[0].decode().split()
                for cap in ("IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "SPECIAL-USE", "COMPRESS=DEFLATE",
                            "METADATA", "QUOTA", "NOTIFY", "LITERAL+", "NAMESPACE", "ID", "BINARY", "ESEARCH"):
                    check(f"IMAP capability {cap}", cap in caps)
            try:
                m.logout()
            except Exception:  # noqa: BLE001
                pass
    m = imaplib.IMAP4_SSL(HOST, 10993, ssl_context=ctx())
    try:
        m.login("alice@lab.test", "wrong")
        check("IMAP wrong password refused", False)
    except imaplib.IMAP4.error:
        check("IMAP wrong password refused", True)
    m.logout()


def pop3_checks():
    p = poplib.POP3(HOST, 10110)
    caps = p.capa()
    check("POP3 10110 STLS offered", "STLS" in caps)
    check("POP3 10110 no USER/PLAIN before STLS",
          "USER" not in caps and "PLAIN" not in caps.get("SASL", []), str(caps))
    p.stls(context=ctx())
    caps = p.capa()
    check("POP3 10110 USER and PLAIN after STLS", "USER" in caps and "PLAIN" in caps.get("SASL", []), str(caps))
    p.quit()
    for user, password in USERS.items():
        p = poplib.POP3_SSL(HOST, 10995, context=ctx())
        if password.isascii():
            p.user(user)
            r = p.pass_(password)
        else:
            r = p._shortcmd("AUTH PLAIN " + base64.b64encode(plain(user, password)(b"")).decode())
        check(f"POP3 10995 login {user}", r.startswith(b"+OK"), str(r))
        p.quit()


# ------------------------------------------------------------------ NNTP

class Nntp:
    def __init__(self, port, implicit_tls=False):
        self.sock = socket.create_connection((HOST, port), timeout=10)
        if implicit_tls:
            self.sock = ctx().wrap_socket(self.sock, server_hostname="localhost")
        self.f = self.sock.makefile("rwb")
        self.greeting = self.line()

    def line(self):
        return self.f.readline().decode("utf-8", "replace").rstrip("\r\n")

    def cmd(self, c):
        self.f.write(c.encode() + b"\r\n")
        self.f.flush()
        return self.line()

    def block(self):
        out = []
        while (line := self.line()) != ".":
            out.append(line[1:] if line.startswith("..") else line)
        return out

    def starttls(self):
        r = self.cmd("STARTTLS")
        self.sock = ctx().wrap_socket(self.sock, server_hostname="localhost")
        self.f = self.sock.makefile("rwb")
        return r

    def caps(self):
        r = self.cmd("CAPABILITIES")
        return self.block() if r.startswith("101") else []

    def post(self, text):
        r = self.cmd("POST")
        if not r.startswith("340"):
            return r
        body = text.replace("\r\n.", "\r\n..")
        self.f.write(body.encode() + b"\r\n.\r\n")
        self.f.flush()
        return self.line()


def nntp_checks():
    n = Nntp(10119)
    check("NNTP 10119 greeting", n.greeting.startswith("200") or n.greeting.startswith("201"), n.greeting)
    check("NNTP 10119 STARTTLS offered", "STARTTLS" in n.caps())
    r = n.starttls()
    check("NNTP 10119 STARTTLS", r.startswith("382"), r)
    r = n.cmd("GROUP lab.test")
    check("NNTP anonymous GROUP lab.test", r.startswith("211"), r)
    tag = uuid.uuid4().hex
    art = (f"From: Alice <alice@lab.test>\r\nNewsgroups: lab.test\r\nSubject: selftest {tag}\r\n"
           f"Message-ID: <{tag}@lab.test>\r\n\r\nhello\r\n.leading dot\r\n")
    r = n.post(art)
    check("NNTP anonymous POST refused", r.startswith("480") or r.startswith("440"), r)
    check("NNTP AUTHINFO USER", n.cmd("AUTHINFO USER alice@lab.test").startswith("381"))
    r = n.cmd("AUTHINFO PASS alice-pass-1")
    check("NNTP AUTHINFO PASS", r.startswith("281"), r)
    r = n.post(art)
    check("NNTP POST lab.test", r.startswith("240"), r)
    n.cmd("QUIT")

    n = Nntp(10563, implicit_tls=True)
    r = n.cmd(f"ARTICLE <{tag}@lab.test>")
    body = n.block() if r.startswith("220") else []
    check("NNTPS 10563 reads the posted article", ".leading dot" in body, r)
    r = n.cmd("AUTHINFO SASL PLAIN " + base64.b64encode(b"\0bob@lab.test\0bob-pass-2").decode())
    check("NNTPS AUTHINFO SASL PLAIN bob", r.startswith("281"), r)
    n.cmd("QUIT")
    n = Nntp(10563, implicit_tls=True)
    r = n.cmd("AUTHINFO USER carol@lab.test")
    r = n.cmd("AUTHINFO PASS " + USERS["carol@lab.test"])
    check("NNTPS AUTHINFO USER/PASS carol (UTF-8 password)", r.startswith("281"), r)
    n.cmd("QUIT")


def main():
    if not os.path.exists(CA):
        print(f"no lab at {RUN}: run lab/lab.sh start", file=sys.stderr)
        return 2
    for step in (tls_ports, smtp_checks, imap_checks, pop3_checks, round_trips, nntp_checks):
        try:
            step()
        except Exception as e:  # noqa: BLE001
            check(step.__name__, False, repr(e))
    print(f"selftest: {'FAILED: ' + str(len(failures)) if failures else 'all checks passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
