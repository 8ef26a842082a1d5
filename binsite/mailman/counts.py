"""``state/members.jsonl``: how many members and pending requests each list has.

One JSON line per list per run (after every ``send`` and ``lists sync``),
counts only and never an address, so the file can be committed. The
statistics page reads it to show growth over time.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from binsite.errors import BinsiteError, MailmanUnavailable
from binsite.mailman.client import ListCounts, MailmanClient

log = logging.getLogger(__name__)

def append_json_lines(path: Path, records: list[dict]) -> None:
    """Append one JSON line per record in one write, synced (the callers hold the ledger lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        out.flush()
        os.fsync(out.fileno())


def append_counts(path: Path, counts: list[ListCounts], *, now: datetime) -> None:
    append_json_lines(path, [{"at": now.isoformat(timespec="seconds"), **asdict(c)} for c in counts])


def try_record_counts(client: MailmanClient, lists: list[str], path: Path, *, now: datetime) -> list[ListCounts]:
    """Read the counts of ``lists`` from Mailman and append them to ``path``.

    Failures are logged, not raised: counts are a
    by-product and must not turn a finished send into an error. A list Mailman
    does not know is skipped; Mailman unreachable ends the attempt."""
    counts: list[ListCounts] = []
    for address in lists:
        try:
            counts.append(client.counts(address))
        except MailmanUnavailable as exc:
            log.warning("could not record member counts in %s: %s", path, exc)
            break
        except BinsiteError as exc:
            log.info("no member counts for %s: %s", address, exc)
    if counts:
        append_counts(path, counts, now=now)
    return counts
