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
lines then carry the new binding. Pure: the caller asks Mailman.
"""

from __future__ import annotations

from collections.abc import Mapping

from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailing.ledger import Ledger, LedgerEntry
from binsite.mailman.settings import public_url
from binsite.site import Site


class LedgerMismatch(BinsiteError):
    """The ledger belongs to another site or another Mailman; nothing was sent."""


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def check_site(ledger: Ledger, site: Site, *, ledger_name: str) -> None:
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


def check_mailman(ledger: Ledger, *, url: str, created: Mapping[str, str | None], ledger_name: str) -> None:
    """Compare what Mailman says now of the lists about to be used (``created``:
    list -> ``created_at``, None for a list Mailman does not have) with what the
    ledger recorded when it last sent to each. Raise on the first difference."""
    recorded = latest_made(ledger)
    mismatched = [(address, recorded[address], made) for address, made in sorted(created.items())
                  if made is not None and address in recorded and recorded[address].list_made != made]
    if not mismatched:
        return
    address, entry, made = mismatched[0]
    raise LedgerMismatch(t(
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
