"""What a resident receives from an area: every bulletin at once, or the weekly overview.

An area has two residents' lists (``binsite.source.areas``): the members
list (``noord@``, every bulletin at once) and the weekly list
(``noord-overzicht@``, the weekly overview and urgent bulletins at once). A
resident is on exactly one of them; which one *is* their choice, so the
residents' web service keeps no record of its own.

Moving a resident is two steps at Mailman, and either may be the last one
before a crash or a lost connection. The order makes every state safe:

1. mark the old membership as being left (a preference on that membership
   alone, set to Mailman's own default, so nothing about delivery changes);
2. subscribe to the new list (pre-verified, pre-confirmed, pre-approved, no
   welcome mail);
3. remove the old membership (Mailman's mass removal: no goodbye mail, no
   owner notice);
4. check the new membership is still there (a second, concurrent move the
   other way may have removed it) and subscribe again if not.

Stopped after 1: one list, the old one, which ``delivery_mode`` reports.
Stopped after 2: both lists, and the mark says which one is newer; the
resident gets an urgent bulletin twice at worst, never nothing. Stopped
after 3: done. The next ``set_delivery_mode`` (any mode) finishes the job.
Only someone who is already a member of the area can be moved: this never
lets a stranger in past the BINCO.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.source.areas import Area

if TYPE_CHECKING:
    from binsite.mailman.client import MailmanClient

log = logging.getLogger(__name__)

DIRECT = "direct"
WEEKLY = "weekly"
MODES = (DIRECT, WEEKLY)
Mode = Literal["direct", "weekly"]

# The mark of a membership being left. ``acknowledge_posts`` is off by
# Mailman's default: set explicitly to that default on the membership itself
# it changes nothing, but Mailman reports it among the membership's own
# preferences, where a fresh membership has none.
LEAVING_FLAG = "acknowledge_posts"


class NotAMember(BinsiteError):
    """The address is on neither residents' list of the area: nothing was changed."""


def _lists(area: Area, domain: str) -> dict[str, str]:
    return {DIRECT: area.members_list(domain), WEEKLY: area.weekly_list(domain)}


def _address(address: str) -> str:
    return address.strip().lower()


def _state(client: "MailmanClient", lists: dict[str, str], address: str) -> dict[str, bool]:
    """Per mode the resident is on: True when that membership is marked as being left."""
    found: dict[str, bool] = {}
    for mode, fqdn in lists.items():
        if client.member(fqdn, address) is not None:
            # Set at all (to the default, False) is the mark; a fresh membership has it unset.
            found[mode] = client.member_flag(fqdn, address, LEAVING_FLAG) is not None
    return found


def _choose(found: dict[str, bool]) -> str | None:
    if not found:
        return None
    if len(found) == 1:
        return next(iter(found))
    current = [mode for mode, leaving in found.items() if not leaving]
    # Both marked or neither (two moves at once): every bulletin at once is the
    # choice that loses nothing.
    return current[0] if len(current) == 1 else DIRECT


def delivery_mode(client: "MailmanClient", area: Area, domain: str, address: str) -> Mode | None:
    """``"direct"`` (the members list), ``"weekly"`` (the weekly list) or None
    (a member of neither). On both lists (a move that was interrupted), the
    list moved to."""
    return _choose(_state(client, _lists(area, domain), _address(address)))  # type: ignore[return-value]


def set_delivery_mode(client: "MailmanClient", area: Area, domain: str, address: str, mode: Mode, *,
                      moved: Callable[[tuple[str, str], tuple[str, str]], None] | None = None) -> bool:
    """Move a member of ``area`` to the list of ``mode``; True when anything
    changed. Raises ``NotAMember`` for an address on neither list (nothing
    changes), ``ValueError`` for an unknown mode. Safe to repeat, and to
    repeat after a crash at any step (see the module's docstring). ``moved``
    is told ``(list id, old member id), (list id, new member id)`` after a move
    (``binsite.mailman.moves``: links in older mail follow it)."""
    if mode not in MODES:
        raise ValueError(mode)
    address = _address(address)
    lists = _lists(area, domain)
    target, other = lists[mode], lists[WEEKLY if mode == DIRECT else DIRECT]
    found = _state(client, lists, address)
    if not found:
        raise NotAMember(t(
            "{a} is geen lid van gebied {g}; er is niets veranderd",
            "{a} is not a member of area {g}; nothing was changed", a=address, g=area.name))
    other_mode = WEEKLY if mode == DIRECT else DIRECT
    if other_mode not in found:
        if found.get(mode):  # a mark left by an interrupted move back: this is the current list
            client.set_member_flag(target, address, LEAVING_FLAG, None)
            return True
        return False
    old = _membership_id(client, other, address)
    # Step 1: the old membership is the one being left.
    if not found[other_mode]:
        client.set_member_flag(other, address, LEAVING_FLAG, False)
    # Step 2: on the new list (or, already there, no longer marked).
    if mode not in found:
        _subscribe(client, target, address)
    elif found[mode]:
        client.set_member_flag(target, address, LEAVING_FLAG, None)
    # Step 3: off the old one, quietly.
    client.unsubscribe_quietly(other, address)
    # Step 4: a move the other way at the same moment may have removed the new one.
    if client.member(target, address) is None:
        log.warning("membership on %s gone after a move (a concurrent move?); subscribing again", target)
        _subscribe(client, target, address)
    log.info("moved a member of %s to %s", area.id, target)
    new = _membership_id(client, target, address)
    if moved is not None and old is not None and new is not None:
        moved(old, new)
    return True


def _membership_id(client: "MailmanClient", fqdn: str, address: str) -> tuple[str, str] | None:
    """``(list id, member id)`` of ``address`` on ``fqdn``, or None."""
    from binsite.mailman.client import list_id

    wanted = list_id(fqdn)
    return next(((m.list_id, m.member_id) for m in client.memberships(address) if m.list_id == wanted), None)


def leave(client: "MailmanClient", area: Area, domain: str, address: str) -> bool:
    """Take ``address`` off both residents' lists of ``area`` (whichever it is
    on; both after an interrupted move), without a goodbye mail or an owner
    notice. True when it was on either. The one-click unsubscribe and "leave
    every area" must use this, not the members list alone: a resident who
    chose the weekly overview is on the weekly list."""
    address = _address(address)
    removed = False
    for fqdn in _lists(area, domain).values():
        if client.member(fqdn, address) is not None:
            removed = client.unsubscribe_quietly(fqdn, address) or removed
    if removed:
        log.info("a member left %s", area.id)
    return removed


def _subscribe(client: "MailmanClient", fqdn: str, address: str) -> None:
    try:
        client.subscribe(fqdn, address, pre_approved=True, send_welcome_message=False)
    except BinsiteError:
        # Mailman answers 409 when the address is a member already (another
        # move got there first): that is the state wanted.
        if client.member(fqdn, address) is None:
            raise
