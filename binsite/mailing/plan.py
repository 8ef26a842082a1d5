"""What ``binsite send`` would send now: pure, printable with ``--dry-run``.

A bulletin is sent when it is due (dated now or earlier), not a draft, not
expired and not older than the send window, once per target list: the members
lists of its areas for ``members``, the partners lists for ``partners``, both
for ``all``; a notice goes to every area it names. An urgent bulletin for
members goes to the weekly lists too (their readers get urgent ones at once).
What the ledger holds for a bulletin and list is never sent again. A bulletin
edited after it was sent is reported, and resent (as a correction) only when
asked.

In quiet hours (``binsite.yaml`` ``quiet_hours``) a non-urgent message is
held: it stays unsent, so the first run after the quiet hours sends it.

The weekly overview of an area goes to its weekly list once per ISO week,
at the first run from ``weekly`` (Monday 07:00 by default) after the week
ended, when the week had bulletins for the area's members. Its ledger key is
``overzicht/<area>/<year>-W<week>``, which no bulletin id can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from binsite.source.areas import MEMBERS, PARTNERS, WEEKLY
from binsite.source.content import Bulletin
from binsite.mailing.ledger import Ledger
from binsite.mailing.schedule import Week, last_complete_week, overview_due, quiet_until
from binsite.model.site import Site, is_due, is_expired



@dataclass(frozen=True)
class Target:
    """One list a bulletin goes to."""

    list: str
    area: str
    kind: str  # members | weekly | partners


@dataclass(frozen=True)
class PlannedMessage:
    bulletin: Bulletin
    target: Target
    # Message-IDs of earlier versions sent to this list, oldest first: a correction.
    corrects: tuple[str, ...] = ()

    @property
    def is_correction(self) -> bool:
        return bool(self.corrects)


@dataclass(frozen=True)
class Held:
    """A bulletin and list that are not sent now, and why."""

    bulletin: Bulletin
    target: Target
    # "changed" (edited after sending) | "too-old" (before the send window) | "quiet" (in quiet hours)
    reason: str
    until: datetime | None = None  # "quiet": the end of the quiet hours


OVERVIEW_PREFIX = "overzicht"


@dataclass(frozen=True)
class PlannedOverview:
    """The weekly overview of one area and week, to its weekly list."""

    area: str
    target: Target
    week: Week
    bulletins: tuple[Bulletin, ...]   # oldest first
    due: datetime

    @property
    def key(self) -> str:
        """The ledger's ``bulletin`` field: ``overzicht/noord/2026-W48``."""
        return f"{OVERVIEW_PREFIX}/{self.area}/{self.week.label}"

    @property
    def content_hash(self) -> str:
        import hashlib

        text = "\n".join(f"{b.id} {b.content_hash}" for b in self.bulletins)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SendPlan:
    now: datetime
    messages: tuple[PlannedMessage, ...]
    held_back: tuple[Held, ...]
    window_days: int = 7
    overviews: tuple[PlannedOverview, ...] = ()
    # Overviews due but held by the quiet hours (until ``quiet_until``).
    overviews_held: tuple[PlannedOverview, ...] = ()
    quiet_until: datetime | None = None

    @property
    def changed(self) -> tuple[Held, ...]:
        return tuple(h for h in self.held_back if h.reason == "changed")

    @property
    def too_old(self) -> tuple[Held, ...]:
        return tuple(h for h in self.held_back if h.reason == "too-old")

    @property
    def quiet(self) -> tuple[Held, ...]:
        return tuple(h for h in self.held_back if h.reason == "quiet")

    @property
    def lists(self) -> tuple[str, ...]:
        """Every list this plan posts to: bulletins, then overviews."""
        return tuple(dict.fromkeys([m.target.list for m in self.messages] + [o.target.list for o in self.overviews]))

    @property
    def count(self) -> int:
        """Messages planned, overviews included."""
        return len(self.messages) + len(self.overviews)


def targets(bulletin: Bulletin, site: Site) -> list[Target]:
    """The lists a bulletin goes to, by area and audience."""
    domain = site.config.mail.domain
    found: list[Target] = []
    for area_id in bulletin.areas:
        area = site.area(area_id)
        if bulletin.audience in (MEMBERS, "all"):
            found.append(Target(area.members_list(domain), area.id, MEMBERS))
            if bulletin.urgent:
                found.append(Target(area.weekly_list(domain), area.id, WEEKLY))
        if bulletin.audience in (PARTNERS, "all"):
            found.append(Target(area.partners_list(domain), area.id, PARTNERS))
    return found


def is_sendable(bulletin: Bulletin, site: Site, now: datetime) -> bool:
    """Due, not a draft, not expired: what may go out at all right now."""
    return not bulletin.draft and is_due(bulletin, now) and not is_expired(bulletin, site.config, now)


def plan_sends(site: Site, ledger: Ledger, now: datetime, *, include_older: bool = False,
               resend_changed: bool = False) -> SendPlan:
    """Every message to send now, oldest bulletin first, and what is held back."""
    window_start = now - timedelta(days=site.config.send_window_days)
    quiet = quiet_until(site.config, now)
    messages: list[PlannedMessage] = []
    held_back: list[Held] = []
    # Bulletins share a few combinations of areas, audience and urgency: their lists are worked out once.
    lists: dict[tuple[tuple[str, ...], str, bool], list[Target]] = {}
    for bulletin in reversed(site.bulletins):  # the site keeps them newest first, by (date, id)
        if not is_sendable(bulletin, site, now):
            continue
        combination = (bulletin.areas, bulletin.audience, bulletin.urgent)
        found = lists.get(combination)
        if found is None:
            found = lists[combination] = targets(bulletin, site)
        for target in found:
            earlier = ledger.sent(bulletin.id, target.list)
            if earlier:
                if earlier[-1].content_hash == bulletin.content_hash:
                    continue
                if not resend_changed:
                    held_back.append(Held(bulletin, target, "changed"))
                    continue
                planned = PlannedMessage(bulletin, target, tuple(e.message_id for e in earlier))
            elif bulletin.date < window_start and not include_older:
                # A lost ledger or a newly connected repository must never
                # flood members with the whole archive.
                held_back.append(Held(bulletin, target, "too-old"))
                continue
            else:
                planned = PlannedMessage(bulletin, target)
            if quiet is not None and not bulletin.urgent:
                # Not sent, so not in the ledger: the first run after the quiet hours sends it.
                held_back.append(Held(bulletin, target, "quiet", quiet))
            else:
                messages.append(planned)
    overviews = plan_overviews(site, ledger, now)
    return SendPlan(now, tuple(messages), tuple(held_back), site.config.send_window_days,
                    overviews=() if quiet else overviews, overviews_held=overviews if quiet else (),
                    quiet_until=quiet)


def in_overview(bulletin: Bulletin, area_id: str, week: Week, site: Site, now: datetime) -> bool:
    """A bulletin for the area's members dated in the week, and sendable now."""
    return (area_id in bulletin.areas and bulletin.audience in (MEMBERS, "all") and week.holds(bulletin.date)
            and is_sendable(bulletin, site, now))


def plan_overviews(site: Site, ledger: Ledger, now: datetime) -> tuple[PlannedOverview, ...]:
    """The weekly overview of the last complete week for every area that had
    bulletins for its members that week, unless the ledger has it, or it is
    older than the send window (a site that did not run for weeks sends no
    stale overviews)."""
    week = last_complete_week(site.config, now)
    due = overview_due(site.config, week)
    if now - due > timedelta(days=site.config.send_window_days):
        return ()
    domain = site.config.mail.domain
    of_week = [b for b in reversed(site.bulletins) if week.holds(b.date)]  # oldest first
    found: list[PlannedOverview] = []
    for area in site.areas:
        bulletins = tuple(b for b in of_week if in_overview(b, area.id, week, site, now))
        if not bulletins:
            continue
        overview = PlannedOverview(area.id, Target(area.weekly_list(domain), area.id, WEEKLY), week, bulletins, due)
        if not ledger.sent(overview.key, overview.target.list):
            found.append(overview)
    return tuple(found)
