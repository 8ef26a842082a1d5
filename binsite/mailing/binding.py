"""What a ledger belongs to: one site and one Mailman.

A ledger says what went out *to this Mailman, for this site*. Used with
another Mailman (a fresh test instance, a restored server with new lists) or
another site (a ledger copied between repositories, a wrong
``BINSITE_STATE_DIR``), it would either send everything again or hold back
what never went out. So the ledger records its binding, and ``send`` stops
when it does not match.

- The site: its ``base_url`` and mail domain (the title is only shown).
- The Mailman: for every list the ledger sent to, the moment Mailman made
  that list (``created_at``, kept in Mailman's database). A restarted Mailman
  on another port is the same Mailman; a new database, or a list deleted and
  made again, is not. The REST address is recorded too, for the messages.

Pure: the caller reads what Mailman says and appends the binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailman.settings import public_url
from binsite.site import Site


class LedgerMismatch(BinsiteError):
    """The ledger belongs to another site or another Mailman; nothing was sent."""


def site_identity(site: Site) -> dict[str, str]:
    config = site.config
    return {"base_url": config.base_url.rstrip("/"), "domain": config.mail.domain, "title": config.title}


def _site_text(identity: Mapping) -> str:
    return f"{identity.get('title', '?')} ({identity.get('base_url', '?')}, {identity.get('domain', '?')})"


def check_site(binding: Mapping | None, site: Site, *, ledger: str) -> None:
    """Raise when the ledger was written for another site."""
    if not binding or not isinstance(binding.get("site"), Mapping):
        return
    bound, here = binding["site"], site_identity(site)
    if (str(bound.get("base_url", "")).rstrip("/"), bound.get("domain")) != (here["base_url"], here["domain"]):
        raise LedgerMismatch(t(
            "het verzendlogboek {f} hoort bij een andere site: {b}, niet bij deze: {h}. Er is niets verstuurd. "
            "Klopt BINSITE_STATE_DIR (of --ledger)? Is de site echt verhuisd, bevestig dat dan eenmalig met "
            "'binsite send --rebind'.",
            "the ledger {f} belongs to another site: {b}, not to this one: {h}. Nothing was sent. "
            "Is BINSITE_STATE_DIR (or --ledger) right? If the site really moved, confirm it once with "
            "'binsite send --rebind'.", f=ledger, b=_site_text(bound), h=_site_text(here)))


@dataclass(frozen=True)
class Checked:
    """The binding to record from now on, and whether it differs from the ledger's."""

    binding: dict
    changed: bool


def check_mailman(binding: Mapping | None, site: Site, *, url: str, created: Mapping[str, str | None],
                  ledger: str, rebind: bool = False) -> Checked:
    """Compare what Mailman says of the lists about to be used (``created``:
    list -> ``created_at``, None for a list Mailman does not have) with the
    ledger's binding. Lists new to the ledger are added; a list the ledger
    knows with another ``created_at`` means another Mailman: raise, unless
    ``rebind``. A ledger from before bindings existed is adopted."""
    old = dict(binding or {})
    bound_lists: dict[str, str] = dict((old.get("mailman") or {}).get("lists") or {})
    bound_url = str((old.get("mailman") or {}).get("url") or "?")
    here = public_url(url)
    mismatched = []
    for address, made in sorted(created.items()):
        if made is None:
            continue  # Mailman has no such list: posting says so clearly
        was = bound_lists.get(address)
        if was is not None and was != made and not rebind:
            mismatched.append((address, was, made))
    if mismatched:
        address, was, made = mismatched[0]
        raise LedgerMismatch(t(
            "het verzendlogboek {f} hoort bij een andere Mailman: het is geschreven voor {bu}, waar lijst {l} gemaakt "
            "is op {w}; deze Mailman ({hu}) maakte {l} op {m}{more}. Er is niets verstuurd. Klopt BINSITE_STATE_DIR "
            "(of --ledger) bij deze Mailman? Is het echt dezelfde BIN op een nieuwe Mailman, kijk dan met "
            "'binsite send --dry-run' wat er zou gaan en bevestig eenmalig met 'binsite send --rebind'.",
            "the ledger {f} belongs to another Mailman: it was written for {bu}, where list {l} was made at {w}; this "
            "Mailman ({hu}) made {l} at {m}{more}. Nothing was sent. Does BINSITE_STATE_DIR (or --ledger) belong to "
            "this Mailman? If it really is the same BIN on a new Mailman, check with 'binsite send --dry-run' what "
            "would go and confirm once with 'binsite send --rebind'.",
            f=ledger, bu=bound_url, l=address, w=was, hu=here, m=made,
            more=f" (+{len(mismatched) - 1})" if len(mismatched) > 1 else ""))
    lists = dict(bound_lists)
    for address, made in created.items():
        if made is not None and (address not in lists or rebind):
            lists[address] = made
    new = {"site": site_identity(site), "mailman": {"url": here, "lists": dict(sorted(lists.items()))}}
    changed = (new["mailman"]["lists"] != bound_lists or old.get("site") != new["site"]
               or (rebind and bound_url != here) or not old)
    if not changed and bound_url != here:
        # Same lists, another address (a restarted local Mailman): the same Mailman; keep the old record.
        new["mailman"]["url"] = bound_url
    return Checked(new, changed)
