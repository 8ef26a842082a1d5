"""Reading what ``binsite stats`` counts from: the send ledger, the
member-count history, the bounces (where ``binsite.paths`` says they are), tolerantly, and
``load_stats``, which gathers the site and both files for the CLI. The only
I/O of the statistics; the figures (``figures``) and their output
(``report``) are pure. Nothing asks Mailman and nothing counts visitors.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from binsite.source.content import parse_datetime
from binsite.errors import BinsiteError, Problem, warning
from binsite.i18n import Text, t
from binsite.paths import bounces_log, members_log, sent_ledger, shown
from binsite.stats.figures import (BOUNCES_LOG, MEMBERS_HISTORY, SENT_LEDGER, BounceRecord, MemberCount, SentRecord,
                                   Stats, steering_stats)

T = TypeVar("T")


def _moment(value: object, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return parse_datetime(value, tz)
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _json_lines(path: Path) -> Iterable[tuple[int, dict | None]]:
    """``(line number, record or None when unreadable)`` for each non-blank line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            yield number, None
            continue
        yield number, record if isinstance(record, dict) else None


def read_sent_ledger(root: Path, tz: ZoneInfo, *, rel: str = SENT_LEDGER) -> tuple[tuple[SentRecord, ...], list[Problem]]:
    """The send ledger, read with the sender's own parser (``binsite.mailing.ledger``).

    Tolerant where sending is strict: a missing file is an empty ledger, and a
    line that cannot be read (a merge conflict, a torn last line) is skipped
    with a warning that names it, because figures must not stop on it."""
    from binsite.mailing.ledger import read_ledger

    ledger, found = read_ledger(root / rel, rel)
    problems = [warning(p.path, p.line, _skipped(p.message)) for p in found]
    records: list[SentRecord] = []
    uncertain = ledger.uncertain
    if uncertain:
        from binsite.mailing.run import uncertain_refs

        problems.append(warning(rel, None, t(
            "{n} bericht(en) met onzekere afloop (niet meegeteld): {x}. Kijk of ze aankwamen en leg het vast met "
            "'binsite send resolve REF --sent' of '--resend'",
            "{n} message(s) with an uncertain outcome (not counted): {x}. Check whether they arrived and record it "
            "with 'binsite send resolve REF --sent' or '--resend'", n=len(uncertain),
            x=", ".join(f"{ref} ({e.bulletin} -> {e.list})" for ref, e in uncertain_refs(ledger))), code="uncertain"))
    for entry in ledger.entries:
        if entry.status is not None:
            continue
        try:
            sent_at = _moment(entry.sent_at, tz)
        except ValueError:
            problems.append(warning(rel, None, t(
                "verzending van {b} naar {l} heeft een onleesbare sent_at {v!r}; overgeslagen in de statistieken",
                "send of {b} to {l} has an unreadable sent_at {v!r}; skipped in the statistics",
                b=entry.bulletin, l=entry.list, v=entry.sent_at)))
            continue
        records.append(SentRecord(bulletin_id=entry.bulletin, list=entry.list.lower(), sent_at=sent_at,
                                  message_id=entry.message_id, content_hash=entry.content_hash))
    return tuple(records), problems


def _skipped(message: Text) -> Text:
    return Text(f"{message.nl} (overgeslagen in de statistieken)", f"{message.en} (skipped in the statistics)")


def _read_lines(root: Path, rel: str, build: Callable[[dict], T], unreadable: Text) -> tuple[tuple[T, ...], list[Problem]]:
    """Each line of ``rel`` through ``build`` (a ValueError: the line is skipped with a warning at
    its number); a missing file is empty."""
    path = root / rel
    if not path.is_file():
        return (), []
    records: list[T] = []
    problems: list[Problem] = []
    for number, record in _json_lines(path):
        try:
            if record is None or not isinstance(record.get("list"), str):
                raise ValueError(record)
            records.append(build(record))
        except ValueError:
            problems.append(warning(rel, number, unreadable))
    return tuple(records), problems


def _int(value: object, *, minimum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or (minimum is not None and value < minimum):
        raise ValueError(value)
    return value


def read_member_history(root: Path, tz: ZoneInfo, *, rel: str = MEMBERS_HISTORY) -> tuple[tuple[MemberCount, ...], list[Problem]]:
    """``state/members.jsonl`` (one line per list per ``send`` or ``lists sync``), tolerantly."""
    def build(record: dict) -> MemberCount:
        return MemberCount(list=record["list"].lower(), at=_moment(record.get("at"), tz),
                           members=_int(record.get("members")), pending=_int(record.get("pending", 0)))
    return _read_lines(root, rel, build, t(
        "regel niet leesbaar als ledentelling (at, list, members, pending); overgeslagen",
        "line not readable as a member count (at, list, members, pending); skipped"))


def read_bounce_log(root: Path, tz: ZoneInfo, *, rel: str = BOUNCES_LOG) -> tuple[tuple[BounceRecord, ...], list[Problem]]:
    """``state/bounces.jsonl`` (a line per member whose last bounce was new at a send or
    ``lists sync``: at, list, bounces), tolerantly."""
    def build(record: dict) -> BounceRecord:
        return BounceRecord(list=record["list"].lower(), at=_moment(record.get("at"), tz),
                            bounces=_int(record.get("bounces"), minimum=0))
    return _read_lines(root, rel, build, t(
        "regel niet leesbaar als bouncetelling (at, list, bounces); overgeslagen",
        "line not readable as a bounce count (at, list, bounces); skipped"))


def parse_day(value: str | None, tz: ZoneInfo, *, option: str) -> date | None:
    """``--since``/``--until`` as a date; BinsiteError when not understood."""
    if value is None:
        return None
    try:
        return parse_datetime(value, tz).date()
    except ValueError:
        raise BinsiteError(t("{o} {v!r} niet begrepen; schrijf een datum als 2026-10-01",
                             "{o} {v!r} not understood; write a date such as 2026-10-01", o=option, v=value)) from None


def load_stats(root: Path, *, now: datetime, since: str | None = None, until: str | None = None,
               area_ids: Sequence[str] = ()) -> tuple[Stats, list[Problem]]:
    """Read the site and the state files and compute the steering group's figures.

    Raises ``InvalidSite`` when the site has errors and ``BinsiteError`` for a bad
    option; returns the state files' warnings. Never contacts Mailman."""
    from binsite.load import load_site, site_cache  # the guard comes with it; only the CLI needs it

    with site_cache(root) as cache:
        site = load_site(root, now, cache=cache).raise_for_errors().site
    tz = site.config.tz
    unknown = [a for a in area_ids if a not in site.area_ids]
    if unknown:
        raise BinsiteError(t("onbekend gebied {a}; bekende gebieden: {known}", "unknown area {a}; known areas: {known}",
                             a=", ".join(unknown), known=", ".join(sorted(site.area_ids))))
    start, end = parse_day(since, tz, option="--since"), parse_day(until, tz, option="--until")
    if start and end and start > end:
        raise BinsiteError(t("--since ligt na --until", "--since is after --until"))
    # Where ``send`` and ``lists sync`` keep them (``BINSITE_STATE_DIR``, e.g. the demo's).
    sent_from, members_from = shown(sent_ledger(root), root), shown(members_log(root), root)
    bounces_from = shown(bounces_log(root), root)
    sent, problems = read_sent_ledger(root, tz, rel=sent_from)
    members, more = read_member_history(root, tz, rel=members_from)
    bounces, most = read_bounce_log(root, tz, rel=bounces_from)
    stats = steering_stats(site, now, sent=sent, member_counts=members, bounces=bounces, since=start, until=end,
                           area_ids=list(area_ids) or None)
    return (dataclasses.replace(stats, sent_from=sent_from, members_from=members_from, bounces_from=bounces_from),
            problems + more + most)
