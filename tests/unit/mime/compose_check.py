#!/usr/bin/python3
"""Cross-check for the composer's tests: parse a composed message with
Python's email package (policy=default) and print what a reader sees as JSON:
subject, addresses, text and HTML bodies, and every attachment's name, type,
size and SHA-256. Usage: compose_check.py MESSAGE_FILE"""
import email
import email.policy
import hashlib
import json
import sys


def main() -> int:
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "from": str(msg["from"]) if msg["from"] is not None else None,
        "to": [a.addr_spec for a in msg["to"].addresses] if msg["to"] is not None else [],
        "to_names": [a.display_name for a in msg["to"].addresses] if msg["to"] is not None else [],
        "bcc_present": msg["bcc"] is not None,
        "defects": len(msg.defects),
        "content_type": msg.get_content_type(),
        "text": None,
        "html": None,
        "attachments": [],
        "inline": [],
    }
    body = msg.get_body(preferencelist=("plain",))
    if body is not None:
        out["text"] = body.get_content()
    html = msg.get_body(preferencelist=("html",))
    if html is not None:
        out["html"] = html.get_content()
    for part in msg.walk():
        if part.is_multipart():
            continue
        disp = part.get_content_disposition()
        if disp not in ("attachment", "inline"):
            continue
        data = part.get_payload(decode=True) or b""
        item = {
            "filename": part.get_filename(),
            "type": part.get_content_type(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "content_id": part["content-id"],
        }
        out["attachments" if disp == "attachment" else "inline"].append(item)
    json.dump(out, sys.stdout, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
