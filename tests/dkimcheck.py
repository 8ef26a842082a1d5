"""Verify the DKIM signature of every message in a Maildir with dkimpy, DNS answered from a zone file.

Runs with Mailman's virtual environment's Python (dkimpy is one of Mailman's
pinned requirements), standard library otherwise::

    python dkimcheck.py MAILDIR dns.txt   ->   one JSON line per message

The DNS look-up of ``<selector>._domainkey.<domain>`` is answered from the
TXT records of ``dns.txt`` (what ``binsite mail-config`` wrote and the docs
tell an operator to publish); any other name has no record.
"""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import re
import sys

import dkim


def zone(path: str) -> dict[bytes, bytes]:
    records: dict[bytes, bytes] = {}
    for line in open(path, encoding="utf-8"):
        match = re.match(r'^(\S+)\.\s+IN\s+TXT\s+"(.*)"\s*$', line.strip())
        if match:
            records[match.group(1).lower().encode() + b"."] = match.group(2).encode()
    return records


def main(maildir: str, dns_file: str) -> None:
    records = zone(dns_file)

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        key = name.lower() if name.endswith(b".") else name.lower() + b"."
        return records.get(key)

    box = mailbox.Maildir(maildir, factory=None, create=False)
    for key in sorted(box.keys()):
        raw = box.get_bytes(key)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        signature = str(message.get("DKIM-Signature", ""))
        tags = dict(re.findall(r"(\w+)=([^;]*)", " ".join(signature.split())))
        print(json.dumps({
            "key": key,
            "verified": bool(signature) and dkim.verify(raw, dnsfunc=dnsfunc),
            "d": tags.get("d", "").strip(),
            "h": [h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()],
            "from": str(message.get("From", "")),
            "envelope_from": str(message.get("X-Binsite-Envelope-From", "")),
            "envelope_to": str(message.get("X-Binsite-Envelope-To", "")),
            "message_id": " ".join(str(message.get("Message-ID", "")).split()),
            "list_unsubscribe": " ".join(str(message.get("List-Unsubscribe", "")).split()),
        }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
