"""The moment a command acts at: now, or ``--now`` for demos, CI and tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from binsite.source.content import parse_datetime
from binsite.errors import BinsiteError
from binsite.i18n import t


def resolve_now(value: str | None, tz: ZoneInfo) -> datetime:
    if value is None:
        return datetime.now(tz)
    try:
        return parse_datetime(value, tz)
    except ValueError:
        raise BinsiteError(t(
            "--now {v!r} niet begrepen; schrijf bijvoorbeeld 2026-11-28 of 2026-11-28T14:00",
            "--now {v!r} not understood; write for example 2026-11-28 or 2026-11-28T14:00", v=value)) from None
