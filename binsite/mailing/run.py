"""``binsite send``: perform a send plan, recording each accepted message before the next.

Order of events, chosen so that the ledger never lies: validate the whole
site (any error: nothing is sent), read the ledger, plan, then per message
compose -> post over LMTP -> append to the ledger (fsync). If Mailman stops
answering, the run ends with ``MailmanUnavailable`` and the ledger holds
exactly the messages Mailman accepted; the next run sends the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from binsite.checks import checked_with_cache
from binsite.content import Bulletin
from binsite.errors import BinsiteError, InvalidSite, Problem
from binsite.mailing.ledger import LedgerEntry, append_entry, read_ledger
from binsite.mailing.plan import SendPlan, plan_sends
from binsite.mailman.settings import MailmanSettings
from binsite.site import Site
from binsite.state import members_log, sent_ledger, shown

if TYPE_CHECKING:
    from email.message import EmailMessage

    from binsite.mailman.client import ListCounts, MailmanClient
    from binsite.markup import RenderedBody

# The Mailman client (requests, mailmanclient), the composer and Jinja are
# imported where a real send needs them: a dry run plans without them.

log = logging.getLogger(__name__)

# post(settings, list_address, message, envelope_from=...): how a message reaches Mailman.
Post = Callable[..., None]


@dataclass(frozen=True)
class SendResult:
    plan: SendPlan
    sent: tuple[LedgerEntry, ...]
    warnings: tuple[Problem, ...]
    # Members per list where Mailman could be asked (dry run: recipients to expect).
    counts: "tuple[ListCounts, ...]" = ()
    dry_run: bool = False


def load_for_sending(root: Path, ledger_path: Path, now: datetime, *, include_older: bool = False,
                     resend_changed: bool = False
                     ) -> tuple[Site, SendPlan, list[Problem], Callable[[Bulletin], RenderedBody]]:
    """Valid site, readable ledger, plan: the part of a send that touches no network.
    Also how to get a bulletin's rendered body (from the build cache).

    The site must pass everything ``binsite check`` checks (the privacy guard
    included): one error anywhere and nothing is sent."""
    result = checked_with_cache(root, now)
    rel = shown(ledger_path, root)
    ledger, problems = read_ledger(ledger_path, rel)
    if any(p.is_error for p in problems):
        raise InvalidSite(problems)
    plan = plan_sends(result.site, ledger, now, include_older=include_older, resend_changed=resend_changed)

    def body_of(bulletin: Bulletin) -> RenderedBody:
        return result.bodies.get(result.analyses[bulletin.id].body_key)

    return result.site, plan, list(result.problems) + problems, body_of


def send(root: Path, *, now: datetime, settings: MailmanSettings | None, ledger_path: Path | None = None,
         include_older: bool = False, resend_changed: bool = False, dry_run: bool = False,
         post: Post | None = None, progress: Callable[[LedgerEntry], None] | None = None,
         attempts: int = 3, backoff: float = 0.5) -> SendResult:
    """Send what is due and not yet sent. ``settings`` may be None only for a dry run."""
    ledger_path = ledger_path or sent_ledger(root)
    site, plan, warnings, body_of = load_for_sending(root, ledger_path, now, include_older=include_older,
                                                     resend_changed=resend_changed)
    if dry_run:
        if settings is None:
            return SendResult(plan, (), tuple(warnings), (), dry_run=True)
        from binsite.mailman.client import MailmanClient

        # One quick try: a preview shows "unknown" rather than waiting for retries.
        preview_client = MailmanClient(settings, timeout=5.0, attempts=1)
        return SendResult(plan, (), tuple(warnings), _dry_run_counts(preview_client, plan), dry_run=True)
    if settings is None:
        raise ValueError("settings are required unless dry_run")
    from binsite.mailing.compose import compose, message_id
    from binsite.mailman.client import MailmanClient, post_lmtp
    from binsite.mailman.counts import try_record_counts
    from binsite.render.environment import make_environment

    post = post or post_lmtp
    client = MailmanClient(settings, attempts=attempts, backoff=backoff)

    lang = site.config.language
    env = make_environment(site.root, lang)
    bodies = {}
    sent: list[LedgerEntry] = []
    for planned in plan.messages:
        bulletin = planned.bulletin
        if bulletin.id not in bodies:
            bodies[bulletin.id] = body_of(bulletin)
        message: EmailMessage = compose(planned, site, environment=env, body=bodies[bulletin.id])
        post(settings, planned.target.list, message, envelope_from=site.config.mail.sender,
             attempts=attempts, backoff=backoff)
        entry = LedgerEntry(
            bulletin=bulletin.id, list=planned.target.list, message_id=message_id(planned, site.config.mail.domain),
            content_hash=bulletin.content_hash, sent_at=datetime.now(site.config.tz).isoformat(timespec="seconds"),
            correction_of=planned.corrects[0] if planned.corrects else None)
        # Durable before the next message: a crash from here on never repeats this one.
        append_entry(ledger_path, entry)
        sent.append(entry)
        log.info("sent %s to %s as %s", bulletin.id, planned.target.list, entry.message_id)
        if progress is not None:
            progress(entry)
    counts = try_record_counts(client, _site_lists(site), members_log(root), now=datetime.now(site.config.tz))
    return SendResult(plan, tuple(sent), tuple(warnings), tuple(counts))


def _dry_run_counts(client: "MailmanClient", plan: SendPlan) -> "tuple[ListCounts, ...]":
    """Member counts of the planned lists, where Mailman answers: a dry run
    must work without Mailman too (without settings it does not ask at all)."""
    counts = []
    for address in plan.lists:
        try:
            counts.append(client.counts(address))
        except BinsiteError as exc:  # a preview degrades to "unknown", it never fails
            log.info("no member count for %s: %s", address, exc)
    return tuple(counts)


def _site_lists(site: Site) -> list[str]:
    domain = site.config.mail.domain
    return [address for area in site.areas for address in (area.members_list(domain), area.partners_list(domain))]
