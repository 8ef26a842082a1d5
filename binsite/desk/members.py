"""``binsite members``: how many residents each area has, their subscription
requests, and adding or removing a resident by hand.

Addresses are personal data: the counts need none, and listings mask them
unless the BINCO asks. Partners are not managed here: they follow
``lists/<area>.yaml`` through ``binsite lists sync``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from binsite.source.config import is_address
from binsite.source.areas import MEMBERS, PARTNERS, RESIDENT_KINDS, WEEKLY
from binsite.desk.desk import Desk
from binsite.desk.message import safe_line
from binsite.desk.refs import find, normalize, request_digest, shorten
from binsite.errors import BinsiteError
from binsite.i18n import t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AreaMembers:
    area: str
    list: str
    members: int          # on the members list and the weekly list together
    pending: int
    held: int
    # (address, display name) of every member, only when asked for.
    addresses: tuple[tuple[str, str], ...] | None = None
    weekly: int = 0       # of ``members``: those who chose the weekly overview


def member_counts(desk: Desk, area_ids: Iterable[str] = (), *, with_addresses: bool = False) -> list[AreaMembers]:
    """Members, pending subscription requests and held messages of each area's
    residents' lists (the members list, and the weekly list of residents who
    chose the weekly overview), one entry per area."""
    found: list[AreaMembers] = []
    areas = desk.select(area_ids)
    lists = desk.lists_of(areas, RESIDENT_KINDS)
    for area in areas:
        members = pending = held = weekly = 0
        addresses: list[tuple[str, str]] | None = [] if with_addresses else None
        for _area, kind, address in (entry for entry in lists if entry[0] is area):
            counts = desk.client.counts(address)
            members, pending, held = members + counts.members, pending + counts.pending, held + counts.held
            if kind == WEEKLY:
                weekly = counts.members
            if addresses is not None:
                addresses += [(safe_line(m.address), safe_line(m.display_name))
                              for m in desk.client.roster(address, "member")]
        found.append(AreaMembers(area.id, desk.list_address(area, MEMBERS), members, pending, held,
                                 tuple(sorted(addresses)) if addresses is not None else None, weekly))
    return found


@dataclass(frozen=True)
class PendingRequest:
    ref: str
    digest: str
    area: str
    kind: str
    list: str
    token: str
    address: str
    display_name: str
    requested: datetime | None
    # "moderator": waits for the BINCO; "subscriber": waits for the resident to confirm their address.
    token_owner: str = "moderator"

    @property
    def awaits_confirmation(self) -> bool:
        return self.token_owner == "subscriber"


def pending_requests(desk: Desk, area_ids: Iterable[str] = ()) -> list[PendingRequest]:
    """Subscription requests waiting for the BINCO, oldest first (first come, first served)."""
    found: list[PendingRequest] = []
    for area, kind, address in desk.lists_of(desk.select(area_ids)):
        for request in desk.client.requests(address):
            digest = request_digest(address, request.token)
            # A name and an address are typed by whoever asks: shown without control characters.
            found.append(PendingRequest(digest[:6], digest, area.id, kind, address, request.token,
                                        safe_line(request.address), safe_line(request.display_name),
                                        desk.local_time(request.request_date), request.token_owner))
    short = shorten(r.digest for r in found)
    found = [dataclasses.replace(r, ref=short[r.digest]) for r in found]
    epoch = datetime.min.replace(tzinfo=desk.config.tz)
    return sorted(found, key=lambda r: (r.requested or epoch, r.address))


def find_request(desk: Desk, ref: str) -> PendingRequest:
    normalize(ref)  # a typo is reported before Mailman is asked anything
    return find(ref, {r.digest: r for r in pending_requests(desk)}, what=t("openstaande aanvraag", "pending request"),
                still=t("openstaat", "is pending"), command="binsite members pending")


@dataclass(frozen=True)
class Approved:
    """What ``approve`` did: the resident is a member now, or (``waiting``) the
    resident must still confirm their address before Mailman lets them in."""

    request: PendingRequest
    member: bool
    waiting: bool = False


def approve(desk: Desk, ref: str) -> Approved:
    """Let the resident in, and make sure they are in.

    A request that waits for the BINCO is accepted, and membership checked.
    A request that still waits for the resident's own confirmation (Mailman
    mailed them a link: their address is not proven yet) is left alone:
    accepting it would confirm the address on their behalf and only bring
    the request back under a new reference. The caller says so plainly."""
    request = find_request(desk, ref)
    if request.kind == PARTNERS:
        raise BinsiteError(t(
            "{a} vraagt om lid te worden van de partnerlijst {l}; partners staan in lists/{g}.yaml en komen erbij met "
            "'binsite lists sync'. Wijs de aanvraag af met 'binsite members reject {r}'. Er is niets veranderd.",
            "{a} asks to join the partners list {l}; partners are listed in lists/{g}.yaml and join through "
            "'binsite lists sync'. Reject the request with 'binsite members reject {r}'. Nothing was changed.",
            a=request.address, l=request.list, g=request.area, r=request.ref))
    if request.awaits_confirmation:
        log.info("request of %s on %s still waits for the resident's confirmation", request.address, request.list)
        return Approved(request, member=False, waiting=True)
    desk.client.answer_request(request.list, request.token, "accept")
    log.info("approved %s on %s", request.address, request.list)
    desk.log("approve", area=request.area, list=request.list)
    member = desk.client.member(request.list, request.address) is not None
    if not member:
        # Mailman made a new request of it (another step of its workflow): that
        # one is ours to approve too, since the BINCO already said yes.
        for again in desk.client.requests(request.list):
            if again.address == request.address and again.token_owner == "moderator" and again.token != request.token:
                desk.client.answer_request(request.list, again.token, "accept")
        member = desk.client.member(request.list, request.address) is not None
    return Approved(request, member=member, waiting=not member)


def reject(desk: Desk, ref: str, *, reason: str | None = None) -> PendingRequest:
    """Refuse the request; Mailman tells the requester, with ``reason`` when given."""
    request = find_request(desk, ref)
    desk.client.answer_request(request.list, request.token, "reject", reason=(reason or "").strip() or None)
    log.info("rejected %s on %s", request.address, request.list)
    desk.log("reject_request", area=request.area, list=request.list)
    return request


def _address(address: str) -> str:
    address = address.strip().lower()
    if not is_address(address):
        raise BinsiteError(t("{a!r} is geen e-mailadres", "{a!r} is not an e-mail address", a=address))
    return address


def add_member(desk: Desk, area_id: str, address: str, *, name: str = "", welcome: bool = False) -> str:
    """Subscribe a resident who signed up on paper: approved, no confirmation mail; a welcome
    mail only when asked. Returns the list's address."""
    list_address = desk.list_address(desk.area(area_id), MEMBERS)
    address = _address(address)
    for _area, _kind, resident_list in desk.lists_of([desk.area(area_id)], RESIDENT_KINDS):
        if desk.client.member(resident_list, address) is not None:
            raise BinsiteError(t("{a} is al lid van {l}; er is niets veranderd",
                                 "{a} is already a member of {l}; nothing was changed", a=address, l=resident_list))
    desk.client.subscribe(list_address, address, " ".join(name.split()), pre_approved=True, send_welcome_message=welcome)
    log.info("added %s to %s", address, list_address)
    desk.log("member_add", area=area_id, list=list_address)
    return list_address


def remove_member(desk: Desk, area_id: str, address: str) -> str:
    """Unsubscribe a resident from the area's residents' lists (the members list,
    or the weekly list when they chose the weekly overview). Returns the list's address."""
    list_address = desk.list_address(desk.area(area_id), MEMBERS)
    address = _address(address)
    on = [resident_list for _area, _kind, resident_list in desk.lists_of([desk.area(area_id)], RESIDENT_KINDS)
          if desk.client.member(resident_list, address) is not None]
    if not on:
        raise BinsiteError(t("{a} is geen lid van {l}; er is niets veranderd", "{a} is not a member of {l}; nothing was changed",
                             a=address, l=list_address))
    for resident_list in on:
        desk.client.unsubscribe(resident_list, address)
        log.info("removed %s from %s", address, resident_list)
        desk.log("member_remove", area=area_id, list=resident_list)
    return on[0]
