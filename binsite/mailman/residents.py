"""What a resident's link may do at Mailman: join an area, leave a list, leave every area.

The web service's views call these; no Flask here. Every action starts from a
signed token (``binsite.tokens``) and acts on exactly what the token names:

- ``JOIN`` (list id, address[, name]): mailed to that address, so following it
  proves the address. ``confirm_join`` asks Mailman to subscribe it,
  pre-verified and pre-confirmed but **not** pre-approved: the request waits
  for the BINCO as every request does. A token is spent once used: Mailman
  records when it verified the address, and a token issued before that
  moment no longer confirms anything (a replay changes nothing).
- ``UNSUBSCRIBE`` and ``PREFERENCES`` (list id, member id): one membership
  of one list. ``leave`` removes exactly that membership, when it is still a
  membership of that list; ``leave_all`` removes the same address from every
  residents' list of this network, and nothing else.

A token for a list outside this network, of another purpose, forged or
expired raises ``BadToken`` before Mailman is asked anything.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from binsite import tokens
from binsite.mailman import moves
from binsite.mailman.client import MailmanClient, MemberRecord, list_id
from binsite.source.areas import MEMBERS, Area
from binsite.tokens import BadToken

log = logging.getLogger(__name__)

WEEKLY = "weekly"
MAX_ADDRESS = 254
MAX_NAME = 80


@dataclass(frozen=True)
class ResidentsList:
    """One list a resident can be on: an area's members list or its weekly overview."""

    area: Area
    kind: str          # MEMBERS or WEEKLY
    fqdn: str

    @property
    def list_id(self) -> str:
        return list_id(self.fqdn)


def residents_lists(areas: tuple[Area, ...], domain: str) -> dict[str, ResidentsList]:
    """Every residents' list of the network by Mailman list id (partners' lists are never among them)."""
    found: dict[str, ResidentsList] = {}
    for area in areas:
        candidates = [(MEMBERS, area.members_list(domain))]
        weekly = getattr(area, "weekly_list", None)  # the weekly overview's list, where there is one
        if weekly is not None:
            candidates.append((WEEKLY, weekly(domain)))
        for kind, fqdn in candidates:
            found[list_id(fqdn)] = ResidentsList(area, kind, fqdn)
    return found


def normalise_member_id(value: str) -> str:
    """Mailman's member id as REST 3.1 spells it (32 hex digits), from hex, dashed or integer form."""
    try:
        parsed = uuid.UUID(int=int(value)) if value.isdigit() and len(value) <= 40 else uuid.UUID(hex=value)
    except (ValueError, TypeError):
        raise BadToken("not a member id") from None
    return parsed.hex


# --- join -------------------------------------------------------------------------

def sign_join(secret: bytes | str, area: Area, domain: str, address: str, name: str = "", *,
              issued: int | None = None) -> str:
    """The token of a join confirmation link for ``address`` (mailed to that address only)."""
    return tokens.sign(secret, tokens.JOIN, (list_id(area.members_list(domain)), address.strip().lower(), name.strip()),
                       issued=issued)


@dataclass(frozen=True)
class JoinLink:
    target: ResidentsList
    address: str
    name: str
    issued: int


def read_join(secret: bytes | str, token: str, areas: tuple[Area, ...], domain: str, *,
              now: float | None = None) -> JoinLink:
    """What a join token says; ``BadToken`` when it is not a valid join link of this network's members lists."""
    issued, fields = tokens.verify(secret, token, tokens.JOIN, now=now)
    if len(fields) not in (2, 3):
        raise BadToken("malformed")
    target = residents_lists(areas, domain).get(fields[0])
    address = fields[1]
    if target is None or target.kind != MEMBERS or "@" not in address or len(address) > MAX_ADDRESS:
        raise BadToken("not a list of this network")
    return JoinLink(target, address, fields[2][:MAX_NAME] if len(fields) == 3 else "", issued)


def confirm_join(client: MailmanClient, link: JoinLink) -> str:
    """Ask Mailman to add ``link.address`` to the list, waiting for the BINCO's approval.

    ``"requested"`` (a request now waits), ``"pending"`` (one already waited),
    ``"member"`` (already a member) or ``"spent"`` (this link was used before:
    nothing changed)."""
    verified = client.address_verified_on(link.address)
    if verified is not None and _moment(verified) > link.issued:
        return "spent"
    return client.request_subscription(link.target.fqdn, link.address, link.name)


def _moment(text: str) -> float:
    """Mailman's timestamps are ISO without a zone, in UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return float("inf")  # unreadable: treat the link as used (it changes nothing)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


# --- leave ------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberLink:
    """A membership link (UNSUBSCRIBE or PREFERENCES): the list and, when it is still there, the membership."""

    target: ResidentsList
    member_id: str
    member: MemberRecord | None


def read_member_token(secret: bytes | str, token: str, purpose: str, areas: tuple[Area, ...], domain: str, *,
                      now: float | None = None) -> tuple[ResidentsList, str]:
    """The residents' list and Mailman member id a token names, without asking Mailman;
    ``BadToken`` unless it is a valid token of ``purpose`` for a residents' list of this network."""
    if purpose not in (tokens.UNSUBSCRIBE, tokens.PREFERENCES):
        raise ValueError(purpose)
    _, fields = tokens.verify(secret, token, purpose, now=now)
    if len(fields) != 2:
        raise BadToken("malformed")
    target = residents_lists(areas, domain).get(fields[0])
    if target is None:
        raise BadToken("not a list of this network")
    return target, normalise_member_id(fields[1])


def leave_member(client: MailmanClient, list_id_: str, member_id: str, *, areas: tuple[Area, ...] = (),
                 domain: str = "", moves_file: moves.Moves | None = None) -> bool:
    """Remove membership ``member_id`` when it is one of list ``list_id_``; False when it is gone or another list's.
    With ``moves_file`` (and the network's ``areas`` and ``domain``), a membership that moved to the area's
    other list is removed there (``follow_move``)."""
    member = client.member_by_id(member_id)
    if member is None or member.list_id != list_id_:
        target = residents_lists(areas, domain).get(list_id_) if moves_file is not None else None
        moved = follow_move(client, moves_file, target, member_id, areas, domain) if target is not None else None
        if moved is None:
            return False
        member_id = moved[1].member_id
    return client.unsubscribe_member(member_id)


def read_member_link(client: MailmanClient, secret: bytes | str, token: str, purpose: str,
                     areas: tuple[Area, ...], domain: str, *, now: float | None = None,
                     moves_file: moves.Moves | None = None) -> MemberLink:
    """The list and the membership a token names. ``BadToken`` for anything but a valid token of
    ``purpose`` for a residents' list of this network; ``member`` is None when that
    membership is gone (left already, or it was another list's: never acted on). With
    ``moves_file``, a membership that moved to the area's other list is followed there:
    the link in an older mail still works for that resident."""
    target, member_id = read_member_token(secret, token, purpose, areas, domain, now=now)
    member = client.member_by_id(member_id)
    if member is not None and member.list_id != target.list_id:
        member = None  # a member id of another list: this token cannot touch it
    if member is None and moves_file is not None:
        moved = follow_move(client, moves_file, target, member_id, areas, domain)
        if moved is not None:
            return MemberLink(moved[0], moved[1].member_id, moved[1])
    return MemberLink(target, member_id, member)


def follow_move(client: MailmanClient, moves_file: moves.Moves, target: ResidentsList, member_id: str,
                areas: tuple[Area, ...], domain: str) -> tuple[ResidentsList, MemberRecord] | None:
    """Where a membership that is gone went (``binsite.mailman.moves``): the same resident on
    the area's other list after choosing the weekly overview or back. Never another area's
    list, and only a membership Mailman still has on the list the record names."""
    lists = residents_lists(areas, domain)
    for list_id_, moved_id in reversed(moves.follow(moves_file, (target.list_id, member_id))):
        there = lists.get(list_id_)
        if there is None or there.area.id != target.area.id:
            return None  # a record that leaves the area: not followed
        member = client.member_by_id(moved_id)
        if member is not None and member.list_id == list_id_:
            return there, member
    return None


def leave(client: MailmanClient, link: MemberLink) -> bool:
    """Remove exactly the membership the link names; False when it was already gone."""
    if link.member is None:
        return False
    return client.unsubscribe_member(link.member_id)


def memberships_here(client: MailmanClient, address: str, areas: tuple[Area, ...], domain: str) -> list[tuple[ResidentsList, MemberRecord]]:
    """The residents' lists of this network ``address`` is on, in the areas' order."""
    lists = residents_lists(areas, domain)
    order = {lid: i for i, lid in enumerate(lists)}
    found = [(lists[m.list_id], m) for m in client.memberships(address) if m.list_id in lists]
    return sorted(found, key=lambda pair: order[pair[0].list_id])


def leave_all(client: MailmanClient, address: str, areas: tuple[Area, ...], domain: str) -> list[ResidentsList]:
    """Remove ``address`` from every residents' list of this network; the lists it left."""
    left = []
    for target, member in memberships_here(client, address, areas, domain):
        if client.unsubscribe_member(member.member_id):
            left.append(target)
    return left
