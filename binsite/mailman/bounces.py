"""Addresses that no longer work: what Mailman's bounce processing knows, for the desk.

``lists sync`` turns bounce processing on deliberately (``sync.list_settings``:
threshold, warnings, notices to the BINCO; the Dutch texts in
``templates.py``). Mailman's bounces runner scores each member a DSN names;
at the threshold it stops delivery (``delivery_status: by_bounces``). Here:
the members of a list with a score or stopped delivery (one roster read),
and the BINCO's two answers: remove the member, or try again (delivery back
on; the next bounce counts from there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from binsite.mailman.client import MailmanClient, list_id


@dataclass(frozen=True)
class Bouncing:
    list: str
    member_id: str
    address: str
    score: float
    last_bounce: str      # when Mailman last counted a bounce (ISO, UTC), "" when never
    stopped: bool         # delivery stopped by bounces


def bouncing(client: MailmanClient, fqdn: str) -> list[Bouncing]:
    """Members of ``fqdn`` whose mail bounced (score above 0) or whose delivery Mailman stopped."""
    def read() -> list[Bouncing]:
        found: list[Bouncing] = []
        page = 1
        while True:
            content = client._rest(f"lists/{list_id(fqdn)}/roster/member?count=500&page={page}") or {}
            entries: list[dict[str, Any]] = content.get("entries", [])
            for entry in entries:
                score = float(entry.get("bounce_score") or 0)
                if score <= 0 and not entry.get("last_bounce_received"):
                    continue
                member_id = str(entry["member_id"])
                preferences = client._rest(f"members/{member_id}/preferences") or {}
                found.append(Bouncing(fqdn, member_id, str(entry["email"]).lower(), score,
                                      str(entry.get("last_bounce_received") or ""),
                                      preferences.get("delivery_status") == "by_bounces"))
            if len(entries) < 500:
                return found
            page += 1
    return client._call(f"bouncing members of {fqdn}", read)


def retry(client: MailmanClient, member_id: str) -> None:
    """Turn delivery back on for this member (after the resident fixed their mailbox)."""
    client._call(f"retry delivery to member {member_id}", lambda: client._rest(
        f"members/{member_id}/preferences", {"delivery_status": "enabled"}, "PATCH"))
