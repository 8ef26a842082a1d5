"""When mail may go: quiet hours, and which week's overview is due. Pure.

Both are about the wall clock of the site's time zone (``binsite.yaml``
``timezone``), not about UTC: "22:00" is 22:00 in Amsterdam in winter and in
summer, and a week runs from Monday 00:00 to Monday 00:00 local time, also
across a change to or from summer time (such a week is 167 or 169 hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from binsite.source.config import SiteConfig


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """``clock`` on ``day`` in ``tz``. A time that does not exist that day (in
    the hour skipped in spring) is taken as the moment after the gap."""
    moment = datetime.combine(day, clock, tzinfo=tz)
    # Round trip through UTC: a wall time inside the gap comes back shifted.
    return moment.astimezone(ZoneInfo("UTC")).astimezone(tz)


def quiet_until(config: SiteConfig, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` is in (site time), or None when it is in none."""
    if config.quiet_hours is None:
        return None
    start, end = config.quiet_hours
    tz = config.tz
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 01:00-06:00, within one day
        return _at(local.date(), end, tz) if start <= clock < end else None
    if clock >= start:  # e.g. 22:00-07:00: the evening part, until tomorrow morning
        return _at(local.date() + timedelta(days=1), end, tz)
    if clock < end:  # the morning part
        return _at(local.date(), end, tz)
    return None


@dataclass(frozen=True)
class Week:
    """One ISO week in the site's time zone: ``start`` (Monday 00:00) up to ``end``."""

    year: int
    number: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """``2026-W48``."""
        return f"{self.year}-W{self.number:02d}"

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def week_of(day: date, tz: ZoneInfo) -> Week:
    monday = day - timedelta(days=day.weekday())
    year, number, _ = monday.isocalendar()
    return Week(year, number, _at(monday, time(0, 0), tz), _at(monday + timedelta(days=7), time(0, 0), tz))


def overview_due(config: SiteConfig, week: Week) -> datetime:
    """When the overview of ``week`` goes: the configured weekday and time of the week after it."""
    return _at(week.end.date() + timedelta(days=config.weekly_day), config.weekly_time, config.tz)


def last_complete_week(config: SiteConfig, now: datetime) -> Week:
    """The latest week whose overview is due at ``now``."""
    tz = config.tz
    local = now.astimezone(tz)
    week = week_of(local.date() - timedelta(days=7), tz)
    while overview_due(config, week) > local:
        week = week_of(week.start.date() - timedelta(days=7), tz)
    return week
