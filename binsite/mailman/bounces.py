"""Addresses that no longer work: what Mailman's bounce processing knows, for the desk.

``lists sync`` turns bounce processing on deliberately (``sync.list_settings``:
threshold, warnings, notices to the BINCO; the Dutch texts in
``templates.py``). Mailman's bounces runner scores each member a DSN names;
at the threshold it stops delivery (``delivery_status: by_bounces``). Here:
the members of a list with a score or stopped delivery (one roster read),
and the BINCO's two answers: remove the member, or try again (delivery back
on; the next bounce counts from there).

And ``state/bounces.jsonl`` (``record_bounces``, after every ``send`` and
``lists sync``), what ``binsite stats`` counts bounces per month from: Mailman
keeps its bounce events in its database only (no REST resource), so each run
reads every member's score and last bounce (one cheap roster read per list),
and a line is added for each member whose last bounce is new since the line
before: the month of that bounce and how many bounces it adds. Mailman counts
at most one bounce per member per day and starts again at 1 when the last one
is older than a week (``bounce_info_stale_after``), so a score that rose by 3
is 3 bounces, a score that did not rise while the last bounce moved to another
day is a fresh count, and one that moved within the day is no new bounce. A line names the list and a hash of Mailman's member id, never an
address, so the file can be committed and an erasure leaves nothing to find.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from binsite.errors import BinsiteError, MailmanUnavailable
from binsite.mailman.client import MailmanClient, list_id
from binsite.mailman.counts import append_json_lines

log = logging.getLogger(__name__)


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


# --- state/bounces.jsonl: what ``binsite stats`` counts per month ----------------

@dataclass(frozen=True)
class Observed:
    """One member's bounce state as Mailman reports it now (no address)."""

    list: str
    member: str           # hash of the list and Mailman's member id
    score: int
    last_bounce: str      # ISO, UTC


def member_key(fqdn: str, member_id: str) -> str:
    return hashlib.sha256(f"{fqdn.lower()}|{member_id}".encode()).hexdigest()[:16]


def observe(client: MailmanClient, fqdn: str) -> list[Observed]:
    """The members of ``fqdn`` that Mailman ever counted a bounce of: only the fields needed."""
    def read() -> list[Observed]:
        found: list[Observed] = []
        page = 1
        while True:
            query = urlencode([("list_id", list_id(fqdn)), ("role", "member"), ("count", 1000), ("page", page),
                               ("fields", "member_id"), ("fields", "bounce_score"),
                               ("fields", "last_bounce_received")])
            content = client._rest(f"members/find?{query}") or {}
            entries: list[dict[str, Any]] = content.get("entries", [])
            for entry in entries:
                last = _utc_iso(str(entry.get("last_bounce_received") or ""))
                if last:
                    found.append(Observed(fqdn.lower(), member_key(fqdn, str(entry["member_id"])),
                                          int(float(entry.get("bounce_score") or 0)), last))
            if len(entries) < 1000:
                return found
            page += 1
    return client._call(f"bounce scores of {fqdn}", read)


def _utc_iso(text: str) -> str:
    """Mailman's naive UTC time as ISO with its zone; "" when not a time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return ""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def read_last_seen(path: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """Per (list, member hash) the score and last bounce of its latest line; unreadable lines are skipped."""
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    if not path.is_file():
        return seen
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            seen[(str(record["list"]), str(record["member"]))] = (int(record["score"]), str(record["at"]))
        except (ValueError, KeyError, TypeError):
            continue
    return seen


def new_bounces(observed: list[Observed], seen: dict[tuple[str, str], tuple[int, str]]) -> list[dict[str, Any]]:
    """The lines to add: one per member whose last bounce moved since its latest line (pure)."""
    lines: list[dict[str, Any]] = []
    for o in observed:
        before = seen.get((o.list, o.member))
        if before is not None and before[1] == o.last_bounce:
            continue
        if before is not None and o.score > before[0]:
            added = o.score - before[0]
        elif before is not None and before[1][:10] == o.last_bounce[:10]:
            continue  # another bounce the same (UTC) day: Mailman moved the time, not the score
        else:  # first seen, or Mailman started counting again (stale, probe, retry)
            added = max(o.score, 1)
        lines.append({"at": o.last_bounce, "list": o.list, "bounces": added, "member": o.member, "score": o.score})
    return lines


def record_bounces(client: MailmanClient, lists: list[str], path: Path) -> int:
    """Append the new bounces of ``lists`` to ``path``; how many bounces were added.

    Like the member counts a by-product: failures are logged, not raised, so a
    finished send never turns into an error. A list Mailman does not know is skipped."""
    observed: list[Observed] = []
    for address in lists:
        try:
            observed += observe(client, address)
        except MailmanUnavailable as exc:
            log.warning("could not record bounces in %s: %s", path, exc)
            return 0
        except BinsiteError as exc:
            log.info("no bounce scores for %s: %s", address, exc)
    lines = new_bounces(observed, read_last_seen(path))
    if lines:
        append_json_lines(path, lines)
    return sum(line["bounces"] for line in lines)
