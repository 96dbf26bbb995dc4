#!/usr/bin/python3
"""Parses a delivered message with Python's email package (policy=default)
and prints what the pigeon send integration tests compare, as JSON:
subject, From/To display names, the text and HTML bodies, and every other
leaf part with its SHA-256. Used by tests/integration/send.cpp next to the
GMime checker (send_check_gmime.c)."""
import email
import hashlib
import json
import sys
from email import policy


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    out = {
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "from_name": msg["from"].addresses[0].display_name if msg["from"] else None,
        "from_addr": msg["from"].addresses[0].addr_spec if msg["from"] else None,
        "to_names": [a.display_name for a in msg["to"].addresses] if msg["to"] else [],
        "has_bcc": msg["bcc"] is not None,
        "text": None,
        "html": None,
        "parts": [],
        "defects": [],
    }
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    if text is not None:
        out["text"] = text.get_content()
    if html is not None:
        out["html"] = html.get_content()
    for part in msg.walk():
        out["defects"] += [type(d).__name__ for d in part.defects]
        if part.is_multipart() or part is text or part is html:
            continue
        data = part.get_payload(decode=True) or b""
        cid = part["content-id"]
        out["parts"].append({
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "disposition": part.get_content_disposition(),
            "content_id": str(cid).strip().strip("<>") if cid is not None else None,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
