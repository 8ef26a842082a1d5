"""What ``binsite send`` would send now: pure, printable with ``--dry-run``.

A bulletin is sent when it is due (dated now or earlier), not a draft, not
expired and not older than the send window, once per target list: the members
lists of its areas for ``members``, the partners lists for ``partners``, both
for ``all``; a notice goes to every area it names. What the ledger holds for
a bulletin and list is never sent again. A bulletin edited after it was sent
is reported, and resent (as a correction) only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from binsite.source.areas import MEMBERS, PARTNERS
from binsite.source.content import Bulletin
from binsite.mailing.ledger import Ledger
from binsite.model.site import Site, is_due, is_expired



@dataclass(frozen=True)
class Target:
    """One list a bulletin goes to."""

    list: str
    area: str
    kind: str  # members | partners


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
    reason: str  # "changed" (edited after sending) | "too-old" (before the send window)


@dataclass(frozen=True)
class SendPlan:
    now: datetime
    messages: tuple[PlannedMessage, ...]
    held_back: tuple[Held, ...]
    window_days: int = 7

    @property
    def changed(self) -> tuple[Held, ...]:
        return tuple(h for h in self.held_back if h.reason == "changed")

    @property
    def too_old(self) -> tuple[Held, ...]:
        return tuple(h for h in self.held_back if h.reason == "too-old")

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.target.list for m in self.messages))


def targets(bulletin: Bulletin, site: Site) -> list[Target]:
    """The lists a bulletin goes to, by area and audience."""
    domain = site.config.mail.domain
    found: list[Target] = []
    for area_id in bulletin.areas:
        area = site.area(area_id)
        if bulletin.audience in (MEMBERS, "all"):
            found.append(Target(area.members_list(domain), area.id, MEMBERS))
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
    messages: list[PlannedMessage] = []
    held_back: list[Held] = []
    # Bulletins share a few combinations of areas and audience: their lists are worked out once.
    lists: dict[tuple[tuple[str, ...], str], list[Target]] = {}
    for bulletin in reversed(site.bulletins):  # the site keeps them newest first, by (date, id)
        if not is_sendable(bulletin, site, now):
            continue
        combination = (bulletin.areas, bulletin.audience)
        found = lists.get(combination)
        if found is None:
            found = lists[combination] = targets(bulletin, site)
        for target in found:
            earlier = ledger.sent(bulletin.id, target.list)
            if earlier:
                if earlier[-1].content_hash == bulletin.content_hash:
                    continue
                if resend_changed:
                    messages.append(PlannedMessage(bulletin, target, tuple(e.message_id for e in earlier)))
                else:
                    held_back.append(Held(bulletin, target, "changed"))
            elif bulletin.date < window_start and not include_older:
                # A lost ledger or a newly connected repository must never
                # flood members with the whole archive.
                held_back.append(Held(bulletin, target, "too-old"))
            else:
                messages.append(PlannedMessage(bulletin, target))
    return SendPlan(now, tuple(messages), tuple(held_back), site.config.send_window_days)
