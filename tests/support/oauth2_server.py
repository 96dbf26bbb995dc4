#!/usr/bin/env python3
"""A local OAuth2 provider for pigeon's tests (issue 11): two modes.

  oauth2_server.py token --port P --cert C --key K --secret-file S --user U
      HTTPS token endpoint (RFC 6749), device authorization (RFC 8628) and
      authorization endpoint with PKCE (RFC 7636): issues, refreshes, expires
      and refuses tokens. Prints "ready PORT" when listening (port 0: any).
  oauth2_server.py introspect --port P --secret-file S
      HTTP introspection endpoint (RFC 7662) for Dovecot's oauth2 passdb
      (lab/lab.sh runs it): {"active": true, "username": U} for a token this
      secret signed that has not expired.

Tokens are stateless: "at." + base64url(user) + "." + expiry + "." + HMAC, so
the lab's introspection knows every token a test's token endpoint issued.
Refresh tokens are "rt." + base64url(user) [+ "." + nonce] + "." + HMAC;
anything else is refused with invalid_grant. --rotate issues a new refresh
token with every refresh (as Microsoft does). --lifetime sets how long access tokens really
live, --expires-in what the answer claims (to test a token that dies early).
--stats FILE gets {"refresh": n, "device_poll": n, "code": n, "refused": n}.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret):
        self.key = secret

    def mac(self, text):
        return b64u(hmac.new(self.key, text.encode(), hashlib.sha256).digest())

    def access(self, user, lifetime):
        body = "at.%s.%d" % (b64u(user.encode()), int(time.time()) + lifetime)
        return body + "." + self.mac(body)

    def refresh(self, user, nonce=""):
        body = "rt.%s" % b64u(user.encode()) + ("." + nonce if nonce else "")
        return body + "." + self.mac(body)

    def check(self, token, kind):
        """The user of a valid token of this kind, else None."""
        parts = token.split(".")
        want = (4,) if kind == "at" else (3, 4)
        if len(parts) not in want or parts[0] != kind:
            return None
        body = ".".join(parts[:-1])
        if not hmac.compare_digest(self.mac(body), parts[-1]):
            return None
        if kind == "at" and int(parts[2]) <= time.time():
            return None
        try:
            return unb64u(parts[1]).decode()
        except Exception:
            return None


def read_secret(path):
    with open(path, "rb") as f:
        return f.read().strip()


class Provider:
    def __init__(self, args):
        self.args = args
        self.signer = Signer(read_secret(args.secret_file))
        self.lock = threading.Lock()
        self.stats = {"refresh": 0, "device_poll": 0, "code": 0, "refused": 0, "device": 0}
        self.devices = {}   # device_code -> polls so far
        self.codes = {}     # code -> (challenge, redirect_uri)

    def count(self, key):
        with self.lock:
            self.stats[key] += 1
            if self.args.stats:
                tmp = self.args.stats + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(self.stats, f)
                os.replace(tmp, self.args.stats)

    def tokens(self, refresh=True):
        doc = {"access_token": self.signer.access(self.args.user, self.args.lifetime),
               "token_type": "Bearer", "expires_in": self.args.expires_in or self.args.lifetime,
               "scope": "mail"}
        if refresh:
            doc["refresh_token"] = self.signer.refresh(self.args.user)
        return doc


class TokenHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if self.server.provider.args.verbose:
            sys.stderr.write("oauth2_server: " + fmt % a + "\n")

    def answer(self, status, doc, headers=()):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, description):
        self.server.provider.count("refused") if code not in ("authorization_pending", "slow_down") else None
        self.answer(status, {"error": code, "error_description": description})

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 65536:
            return None
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True).items()}

    def client_ok(self, f):
        a = self.server.provider.args
        if f.get("client_id") != a.client_id:
            return False
        return not a.client_secret or f.get("client_secret") == a.client_secret

    def do_GET(self):
        p = self.server.provider
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/authorize":
            return self.answer(404, {"error": "not_found"})
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        redirect = q.get("redirect_uri", "")
        if (q.get("response_type") != "code" or q.get("client_id") != p.args.client_id
                or q.get("code_challenge_method") != "S256" or not q.get("code_challenge")
                or not redirect.startswith("http://127.0.0.1:")):
            return self.answer(400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        with p.lock:
            p.codes[code] = (q["code_challenge"], redirect)
        params = {"state": q.get("state", "")}
        if p.args.deny:
            params["error"] = "access_denied"
            params["error_description"] = "The user said no"
        else:
            params["code"] = code
        self.send_response(302)
        self.send_header("Location", redirect + "?" + urllib.parse.urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        p = self.server.provider
        f = self.form()
        if f is None:
            return self.answer(413, {"error": "invalid_request"})
        path = urllib.parse.urlsplit(self.path).path
        if path == "/device":
            if not self.client_ok(f):
                return self.error(401, "invalid_client", "Unknown client")
            p.count("device")
            code = secrets.token_urlsafe(16)
            with p.lock:
                p.devices[code] = 0
            port = self.server.server_address[1]
            return self.answer(200, {"device_code": code, "user_code": "WDJB-MJHT",
                                     "verification_uri": "https://localhost:%d/device" % port,
                                     "expires_in": 60, "interval": 1})
        if path != "/token":
            return self.answer(404, {"error": "not_found"})
        if not self.client_ok(f):
            return self.error(401, "invalid_client", "Unknown client or wrong secret")
        grant = f.get("grant_type")
        if grant == "refresh_token":
            p.count("refresh")
            if p.signer.check(f.get("refresh_token", ""), "rt") is None:
                return self.error(400, "invalid_grant", "Token has been expired or revoked.")
            doc = p.tokens(refresh=False)
            if p.args.rotate:   # a new refresh token with every refresh
                doc["refresh_token"] = p.signer.refresh(p.args.user, secrets.token_urlsafe(8))
            return self.answer(200, doc)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            p.count("device_poll")
            with p.lock:
                polls = p.devices.get(f.get("device_code", ""))
                if polls is not None:
                    p.devices[f["device_code"]] = polls + 1
            if polls is None:
                return self.error(400, "invalid_grant", "Unknown device code")
            if p.args.deny:
                return self.error(400, "access_denied", "The user said no")
            if polls == 0:   # the user approves after the first poll
                return self.error(400, "authorization_pending", "Waiting for the user")
            return self.answer(200, p.tokens())
        if grant == "authorization_code":
            p.count("code")
            with p.lock:
                entry = p.codes.pop(f.get("code", ""), None)
            if entry is None:
                return self.error(400, "invalid_grant", "Unknown or used code")
            challenge, redirect = entry
            verifier = f.get("code_verifier", "")
            if b64u(hashlib.sha256(verifier.encode()).digest()) != challenge:
                return self.error(400, "invalid_grant", "PKCE verification failed")
            if f.get("redirect_uri") != redirect:
                return self.error(400, "invalid_grant", "redirect_uri differs")
            return self.answer(200, p.tokens())
        return self.error(400, "unsupported_grant_type", "Unknown grant")


class IntrospectHandler(TokenHandler):
    def do_GET(self):
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        f = self.form() or {}
        user = self.server.signer.check(f.get("token", ""), "at")
        if user is None:
            return self.answer(200, {"active": False})
        self.answer(200, {"active": True, "username": user})

    def log_message(self, fmt, *a):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["token", "introspect"])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", default="alice@lab.test")
    ap.add_argument("--client-id", default="pigeon-test")
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--lifetime", type=int, default=3600)
    ap.add_argument("--expires-in", type=int, default=0)
    ap.add_argument("--deny", action="store_true")
    ap.add_argument("--rotate", action="store_true")
    ap.add_argument("--stats")
    ap.add_argument("--pidfile")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.mode == "token":
        srv = ThreadingHTTPServer(("127.0.0.1", args.port), TokenHandler)
        srv.provider = Provider(args)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    else:
        srv = ThreadingHTTPServer(("127.0.0.1", args.port), IntrospectHandler)
        srv.signer = Signer(read_secret(args.secret_file))
    srv.daemon_threads = True
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("ready %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
