#!/usr/bin/python3
"""Python's smtplib as a peer in the SMTP benchmark (bench/smtp/run.py).

Sends one message file --count times over one connection, the way an
application using smtplib would: the message is read once into memory (as
bytes, so smtplib does no re-encoding), then SMTP.sendmail() per message.
STARTTLS and AUTH (smtplib's own choice of mechanism) when asked.
"""
import argparse
import smtplib
import ssl
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--ca")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--from", dest="sender", default="bench@example.org")
    ap.add_argument("--to", default="sink@example.org")
    a = ap.parse_args()

    with open(a.file, "rb") as f:
        msg = f.read()

    s = smtplib.SMTP(a.host, a.port)
    if a.starttls:
        ctx = ssl.create_default_context(cafile=a.ca)
        s.starttls(context=ctx)
    if a.user:
        s.login(a.user, a.password)
    for i in range(a.count):
        refused = s.sendmail(a.sender, [a.to], msg)
        if refused:
            print(f"smtplib_client: message {i} refused: {refused}", file=sys.stderr)
            return 1
    s.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
