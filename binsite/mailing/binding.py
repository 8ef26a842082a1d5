"""Does this ledger belong to this site and to this Mailman?

A ledger says what went out *to this Mailman, for this site*. Used with
another Mailman (a fresh test instance, a restored server with new lists) or
another site (a ledger copied between repositories, a wrong
``BINSITE_STATE_DIR``), it would either send everything again or hold back
what never went out. Every line of the ledger already says where it went:

- The site: the list addresses carry the site's mail domain. A ledger with
  messages, none of them to a list of this site's domain, is another site's.
- The Mailman: each line records when Mailman made that list
  (``list_made``, Mailman's ``created_at``, kept in its database). A
  restarted Mailman on another port is the same Mailman; another database,
  or a list deleted and made again, answers with another moment.

``send`` stops with both named; ``--rebind`` sends anyway once, and the new
lines then carry the new binding.

The other way round, a Mailman that belongs to another ledger: an empty
ledger (a fresh checkout, a wrong ``BINSITE_STATE_DIR``, a lost
``state/``) pointed at the production Mailman would mail every due bulletin
again. Mailman counts the posts each list accepted (``post_id``, 1 on a new
list, and ``last_post_at``). A list the ledger holds no line for at all, but
that has accepted posts, is refused (``history_mismatch``) until the operator
confirms with ``--adopt``; the lines that run writes then make the list
known, so the next run is normal.

Only that case is refused, not a ledger that knows *fewer* posts than
Mailman counts: residents' posts a BINCO approved, held messages accepted
from the desk, and posts from before binsite all raise ``post_id`` too,
while a binsite message Mailman held (too large) is in the ledger but not
yet counted, and a Mailman restored from an older backup counts fewer.
Counts legitimately differ both ways; a check on them would cry wolf until
operators passed the flag by habit, which is worse than no check. "Knows
nothing of this list, yet the list has posts" is unambiguous. Pure: the
caller asks Mailman.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailing.ledger import Ledger, LedgerEntry
from binsite.mailman.settings import public_url
from binsite.model.site import Site

if TYPE_CHECKING:
    from binsite.mailman.client import ListState


class LedgerMismatch(BinsiteError):
    """The ledger belongs to another site or another Mailman; nothing was sent."""


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def check_ledger_is_for_site(ledger: Ledger, site: Site, *, ledger_name: str) -> None:
    """Raise when the ledger holds messages, none of them to this site's lists."""
    domain = site.config.mail.domain.lower()
    if not ledger.entries or any(_domain(e.list) == domain for e in ledger.entries):
        return
    theirs = sorted({_domain(e.list) for e in ledger.entries})
    raise LedgerMismatch(t(
        "het verzendlogboek {f} hoort bij een andere site: het noemt alleen lijsten van {d}, deze site "
        "({s}) verstuurt naar {m}. Er is niets verstuurd. Klopt BINSITE_STATE_DIR (of --ledger)? Is het maildomein "
        "echt veranderd, kijk dan met 'binsite send --dry-run' wat er zou gaan en bevestig eenmalig met "
        "'binsite send --rebind'.",
        "the ledger {f} belongs to another site: it names only lists of {d}, this site ({s}) sends to {m}. "
        "Nothing was sent. Is BINSITE_STATE_DIR (or --ledger) right? If the mail domain really changed, check with "
        "'binsite send --dry-run' what would go and confirm once with 'binsite send --rebind'.",
        f=ledger_name, d=", ".join(theirs[:3]), s=site.config.title, m=domain))


def latest_made(ledger: Ledger) -> dict[str, LedgerEntry]:
    """Per list, the last line that recorded when Mailman made it."""
    found: dict[str, LedgerEntry] = {}
    for entry in ledger.entries:
        if entry.list_made:
            found[entry.list] = entry
    return found


def mailman_mismatch(ledger: Ledger, *, url: str, states: "Mapping[str, ListState | None]", ledger_name: str
                     ) -> LedgerMismatch | None:
    """The ledger sent to lists of these names that this Mailman made at another moment: the error, else None."""
    recorded = latest_made(ledger)
    mismatched = [(address, recorded[address], state.created) for address, state in sorted(states.items())
                  if state is not None and address in recorded and recorded[address].list_made != state.created]
    if not mismatched:
        return None
    address, entry, made = mismatched[0]
    return LedgerMismatch(t(
        "het verzendlogboek {f} hoort bij een andere Mailman: het verstuurde naar {l} toen die lijst gemaakt was op "
        "{w} (laatst {b} op {a}); deze Mailman ({u}) maakte {l} op {m}{more}. Er is niets verstuurd. Klopt "
        "BINSITE_STATE_DIR (of --ledger) bij deze Mailman? Is het echt dezelfde BIN op een nieuwe Mailman, kijk dan "
        "met 'binsite send --dry-run' wat er zou gaan en bevestig eenmalig met 'binsite send --rebind'.",
        "the ledger {f} belongs to another Mailman: it sent to {l} when that list was made at {w} (last {b} at {a}); "
        "this Mailman ({u}) made {l} at {m}{more}. Nothing was sent. Does BINSITE_STATE_DIR (or --ledger) belong to "
        "this Mailman? If it really is the same BIN on a new Mailman, check with 'binsite send --dry-run' what would "
        "go and confirm once with 'binsite send --rebind'.",
        f=ledger_name, l=address, w=entry.list_made, b=entry.bulletin, a=entry.sent_at, u=public_url(url), m=made,
        more=f" (+{len(mismatched) - 1})" if len(mismatched) > 1 else ""))


class ForeignHistory(LedgerMismatch):
    """Mailman's lists have posts this ledger knows nothing of; nothing was sent."""


def unknown_history(ledger: Ledger, states: "Mapping[str, ListState | None]") -> list[tuple[str, "ListState"]]:
    """The lists about to be used that the ledger holds no line for (of any
    status), while Mailman says they have accepted posts."""
    known = ledger.lists
    return [(address, state) for address, state in sorted(states.items())
            if state is not None and address not in known and state.has_posts]


def history_mismatch(ledger: Ledger, *, url: str, states: "Mapping[str, ListState | None]", ledger_name: str
                     ) -> ForeignHistory | None:
    """Lists about to be used with posts the ledger knows nothing of: the error, else None."""
    found = unknown_history(ledger, states)
    if not found:
        return None
    lists_nl = "; ".join(f"{address} ({state.posts} bericht(en), laatste {state.last_post_at or '?'})"
                         for address, state in found[:5])
    lists_en = "; ".join(f"{address} ({state.posts} post(s), last {state.last_post_at or '?'})"
                         for address, state in found[:5])
    more = f" (+{len(found) - 5})" if len(found) > 5 else ""
    empty = not ledger.entries
    return ForeignHistory(t(
        "het verzendlogboek {f} {e}, maar deze Mailman ({u}) heeft al berichten aangenomen op {n} lijst(en) "
        "waarvan het logboek niets weet: {x}{more}. Versturen zou alles wat nu klaarstaat nog eens naar elke bewoner "
        "van die lijst(en) mailen. Er is niets verstuurd. Hoort er een ander logboek bij deze Mailman (een verse "
        "checkout, een verloren state/)? Zet dan het logboek terug (bijvoorbeeld uit git) of laat BINSITE_STATE_DIR "
        "(of --ledger) ernaar wijzen. Weet u zeker dat deze berichten nog niet verstuurd zijn (eerdere berichten "
        "kwamen van bewoners, of van vóór binsite), kijk dan met 'binsite send --dry-run' wat er zou gaan en "
        "bevestig eenmalig met 'binsite send --adopt'.",
        "the ledger {f} {e_en}, but this Mailman ({u}) has already accepted posts on {n} list(s) the ledger "
        "knows nothing of: {x_en}{more}. Sending would mail everything now due again to every resident of those "
        "list(s). Nothing was sent. Does another ledger belong to this Mailman (a fresh checkout, a lost state/)? "
        "Then restore the ledger (from git, say) or point BINSITE_STATE_DIR (or --ledger) at it. If you are sure "
        "these messages were not sent yet (the earlier posts came from residents, or from before binsite), check "
        "with 'binsite send --dry-run' what would go and confirm once with 'binsite send --adopt'.",
        f=ledger_name, e="is leeg" if empty else "heeft geen enkele regel voor die lijst(en)",
        e_en="is empty" if empty else "holds no line for those list(s)",
        u=public_url(url), n=len(found), x=lists_nl, x_en=lists_en, more=more))


def mailman_binding_problem(ledger: Ledger, *, url: str, states: "Mapping[str, ListState | None]", ledger_name: str,
                            rebind: bool = False, adopt: bool = False) -> LedgerMismatch | None:
    """Why ``send`` must not post to the lists about to be used (``states``:
    list -> what Mailman says of it now, None for a list it does not have), or
    None: the ledger's lists were made elsewhere (unless ``rebind``), or lists
    have posts the ledger knows nothing of (unless ``adopt``)."""
    problem = None if rebind else mailman_mismatch(ledger, url=url, states=states, ledger_name=ledger_name)
    if problem is None and not adopt:
        problem = history_mismatch(ledger, url=url, states=states, ledger_name=ledger_name)
    return problem
