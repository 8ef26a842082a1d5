"""``binsite send``: perform a send plan, recording each accepted message before the next.

Order of events, chosen so that the ledger never lies: take the ledger
folder's lock (``lock.py``: one send or sync at a time), validate the whole
site (any error: nothing is sent), read the ledger, plan, check that the
ledger belongs to this site and this Mailman (``binding.py``), then per
message compose -> post over LMTP -> append to the ledger (fsync). If
Mailman stops answering, the run ends with ``MailmanUnavailable`` and the
ledger holds exactly the messages Mailman accepted; the next run sends the
rest. A message whose answer was lost after DATA is recorded as
*uncertain*: never sent again on its own, reported by every send and by
``stats``, settled with ``resolve_uncertain`` (``binsite send resolve``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from binsite.source.areas import list_addresses
from binsite.source.content import Bulletin
from binsite.desk.refs import digest as ref_digest
from binsite.desk.refs import normalize as normalize_ref
from binsite.desk.refs import shorten
from binsite.errors import BinsiteError, InvalidSite, MailmanUnavailable, Problem
from binsite.i18n import Text, t
from binsite.load import load_site, site_cache
from binsite.mailing.binding import LedgerMismatch, check_ledger_is_for_site, mailman_binding_problem
from binsite.mailing.ledger import (RESEND, SENT, UNCERTAIN, Ledger, LedgerEntry, append_entry, read_ledger,
                                    rewrite_entries)
from binsite.mailing.lock import DEFAULT_WAIT, ledger_lock
from binsite.mailing.plan import SendPlan, plan_sends
from binsite.mailman.settings import MailmanSettings
from binsite.model.site import Site
from binsite.paths import bounces_log, members_log, sent_ledger, shown

if TYPE_CHECKING:
    from email.message import EmailMessage

    from binsite.mailman.client import ListCounts, ListState, MailmanClient
    from binsite.render.markup import RenderedBody

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
    # Every message whose outcome is not known, not yet resolved (this run's and earlier ones), with its reference.
    uncertain: tuple[tuple[str, LedgerEntry], ...] = ()
    # Dry run only: why a real send would stop now (ledger and Mailman do not
    # belong together), None when it would go ahead or Mailman was not asked.
    refusal: LedgerMismatch | None = None


class SendUncertain(MailmanUnavailable):
    """The run is over, and at least one message's outcome is unknown (recorded as such)."""

    def __init__(self, text, result: SendResult):
        super().__init__(text)
        self.result = result


def uncertain_refs(ledger: Ledger, more: list[LedgerEntry] | tuple[LedgerEntry, ...] = ()
                   ) -> tuple[tuple[str, LedgerEntry], ...]:
    """``(reference, entry)`` of every unresolved uncertain message (``more``:
    recorded since ``ledger`` was read): the reference is short and stable
    (from the list and the Message-ID)."""
    entries = ledger.uncertain + tuple(more)
    full = {entry: ref_digest("sent", entry.list, entry.message_id) for entry in entries}
    short = shorten(full.values())
    return tuple((short[full[entry]], entry) for entry in entries)


def describe_uncertain(found: tuple[tuple[str, LedgerEntry], ...]) -> Text:
    lines = "\n".join(f"  {ref}  {entry.bulletin} -> {entry.list}  {entry.message_id}" for ref, entry in found)
    return t(
        "{n} bericht(en) met onzekere afloop (Mailman kreeg het hele bericht, maar zijn antwoord kwam niet aan):\n{x}\n"
        "Deze worden niet vanzelf opnieuw verstuurd. Kijk bij de lijst of het bericht aankwam (bijvoorbeeld bij een "
        "lid of in Mailmans logboek), en leg de afloop vast met 'binsite send resolve REF --sent' (het kwam aan) of "
        "'binsite send resolve REF --resend' (de volgende send verstuurt het opnieuw).",
        "{n} message(s) with an uncertain outcome (Mailman got the whole message, but its answer was lost):\n{x}\n"
        "They are not sent again on their own. Check on the list whether the message arrived (with a member, or in "
        "Mailman's log), and record the outcome with 'binsite send resolve REF --sent' (it arrived) or "
        "'binsite send resolve REF --resend' (the next send sends it again).", n=len(found), x=lines)


def _load_valid(root: Path, now: datetime) -> "LoadedSite":
    """The valid site, through the build cache; the cache itself (its output
    records, a good part of its memory at 10,000 bulletins) is let go on
    return, before the ledger is read."""
    with site_cache(root) as cache:
        return load_site(root, now, cache=cache).raise_for_errors()


def load_for_sending(root: Path, ledger_path: Path, now: datetime, *, include_older: bool = False,
                     resend_changed: bool = False
                     ) -> tuple[Site, SendPlan, list[Problem], Callable[[Bulletin], RenderedBody], Ledger]:
    """Valid site, readable ledger (bound to this site), plan: the part of a send
    that touches no network. Also how to get a bulletin's rendered body (from
    the build cache), and the ledger.

    The site must pass everything ``binsite check`` checks (the privacy guard
    included): one error anywhere and nothing is sent."""
    result = _load_valid(root, now)
    rel = shown(ledger_path, root)
    ledger, problems = read_ledger(ledger_path, rel)
    if any(p.is_error for p in problems):
        raise InvalidSite(problems)
    plan = plan_sends(result.site, ledger, now, include_older=include_older, resend_changed=resend_changed)

    return result.site, plan, list(result.problems) + problems, result.body, ledger


def send(root: Path, *, now: datetime, settings: MailmanSettings | None, ledger_path: Path | None = None,
         include_older: bool = False, resend_changed: bool = False, dry_run: bool = False,
         post: Post | None = None, progress: Callable[[LedgerEntry], None] | None = None,
         attempts: int = 3, backoff: float = 0.5, wait: float = DEFAULT_WAIT, rebind: bool = False,
         adopt: bool = False) -> SendResult:
    """Send what is due and not yet sent. ``settings`` may be None only for a dry run.

    Holds the ledger folder's lock for the whole run (waiting up to ``wait``
    seconds for another run). ``rebind``: accept this site and this Mailman
    as the ledger's own, where the ledger's binding says otherwise. ``adopt``:
    send also to lists whose posts at Mailman the ledger knows nothing of (a
    new ledger for a network that already has posts; ``binding.history_mismatch``).
    A dry run asks Mailman the same questions and returns a real send's
    refusal in ``SendResult.refusal`` instead of raising it."""
    ledger_path = ledger_path or sent_ledger(root)
    if dry_run:
        site, plan, warnings, _body_of, ledger = load_for_sending(
            root, ledger_path, now, include_older=include_older, resend_changed=resend_changed)
        if not rebind:
            check_ledger_is_for_site(ledger, site, ledger_name=shown(ledger_path, root))
        uncertain = uncertain_refs(ledger)
        if settings is None:
            return SendResult(plan, (), tuple(warnings), (), dry_run=True, uncertain=uncertain)
        from binsite.mailman.client import MailmanClient

        # One quick try: a preview shows "unknown" rather than waiting for retries.
        preview_client = MailmanClient(settings, timeout=5.0, attempts=1)
        plan = _with_readers(preview_client, plan, preview=True)
        refusal = _dry_run_refusal(preview_client, plan, ledger, settings=settings, rebind=rebind, adopt=adopt,
                                   ledger_name=shown(ledger_path, root))
        return SendResult(plan, (), tuple(warnings), _dry_run_counts(preview_client, plan), dry_run=True,
                          uncertain=uncertain, refusal=refusal)
    if settings is None:
        raise ValueError("settings are required unless dry_run")
    with ledger_lock(ledger_path.parent, what="send", wait=wait):
        return _send_locked(root, ledger_path, now=now, settings=settings, include_older=include_older,
                            resend_changed=resend_changed, post=post, progress=progress, attempts=attempts,
                            backoff=backoff, rebind=rebind, adopt=adopt)


def _send_locked(root: Path, ledger_path: Path, *, now: datetime, settings: MailmanSettings, include_older: bool,
                 resend_changed: bool, post: Post | None, progress: Callable[[LedgerEntry], None] | None,
                 attempts: int, backoff: float, rebind: bool, adopt: bool) -> SendResult:
    from binsite.mailing.compose import compose, message_id
    from binsite.mailing.weekly import compose_overview, overview_message_id
    from binsite.mailman.client import MailmanClient, UncertainDelivery, post_lmtp
    from binsite.source.media import mail_files
    from binsite.mailman.counts import try_record_counts
    from binsite.mailman.bounces import record_bounces
    from binsite.render.environment import make_environment

    site, plan, warnings, body_of, ledger = load_for_sending(root, ledger_path, now, include_older=include_older,
                                                             resend_changed=resend_changed)
    rel = shown(ledger_path, root)
    if not rebind:
        check_ledger_is_for_site(ledger, site, ledger_name=rel)
    post = post or post_lmtp
    client = MailmanClient(settings, attempts=attempts, backoff=backoff)
    plan = _with_readers(client, plan)
    created: dict[str, str | None] = {}
    if plan.count:
        # Before the first message: is this the Mailman the ledger was written for,
        # and does the ledger know every list that already has posts?
        try:
            states = {address: client.list_state(address) for address in plan.lists}
        except MailmanUnavailable as exc:
            raise MailmanUnavailable(Text(
                exc.message("nl") + f" binsite send vraagt dit aan Mailmans REST-API voordat het over LMTP "
                f"({settings.lmtp_host}:{settings.lmtp_port}, BINSITE_LMTP) verstuurt. Er is niets verstuurd.",
                exc.message("en") + f" binsite send asks Mailman's REST API before it posts over LMTP "
                f"({settings.lmtp_host}:{settings.lmtp_port}, BINSITE_LMTP). Nothing was sent.")) from None
        problem = mailman_binding_problem(ledger, url=settings.url, states=states, ledger_name=rel, rebind=rebind,
                                          adopt=adopt)
        if problem is not None:
            raise problem
        created = {address: state.created if state is not None else None for address, state in states.items()}

    lang = site.config.language
    env = make_environment(site.root, lang)
    bodies = {}
    sent: list[LedgerEntry] = []
    now_uncertain: list[LedgerEntry] = []

    def deliver(list_address: str, message: "EmailMessage", entry: LedgerEntry, what: str) -> None:
        """Post, then record (fsync) before the next message: a crash from here on never repeats it."""
        try:
            post(settings, list_address, message, envelope_from=site.config.mail.sender,
                 attempts=attempts, backoff=backoff)
        except UncertainDelivery as exc:
            # Neither sent nor unsent: recorded as uncertain, so that no later
            # run sends it again on its own. The other messages still go.
            entry = entry._replace(sent_at=datetime.now(site.config.tz).isoformat(timespec="seconds"), status=UNCERTAIN)
            append_entry(ledger_path, entry)
            now_uncertain.append(entry)
            log.warning("uncertain: %s to %s as %s: %s", what, list_address, entry.message_id, exc)
            return
        entry = entry._replace(sent_at=datetime.now(site.config.tz).isoformat(timespec="seconds"))
        append_entry(ledger_path, entry)
        sent.append(entry)
        log.info("sent %s to %s as %s", what, list_address, entry.message_id)
        if progress is not None:
            progress(entry)

    def body(bulletin: Bulletin) -> "RenderedBody":
        if bulletin.id not in bodies:
            bodies[bulletin.id] = body_of(bulletin)
        return bodies[bulletin.id]

    for planned in plan.messages:
        bulletin = planned.bulletin
        message: EmailMessage = compose(planned, site, environment=env, body=body(bulletin),
                                        media=mail_files(site.root, bulletin, body(bulletin), site.config.mail.domain),
                                        sent_at=datetime.now(site.config.tz))
        deliver(planned.target.list, message, LedgerEntry(
            bulletin=bulletin.id, list=planned.target.list, message_id=message_id(planned, site.config.mail.domain),
            content_hash=bulletin.content_hash, sent_at="",
            correction_of=planned.corrects[0] if planned.corrects else None,
            list_made=created.get(planned.target.list)), bulletin.id)
    for overview in plan.overviews:
        deliver(overview.target.list, compose_overview(overview, site, bodies=body, environment=env,
                                                         sent_at=datetime.now(site.config.tz)), LedgerEntry(
            bulletin=overview.key, list=overview.target.list,
            message_id=overview_message_id(overview, site.config.mail.domain), content_hash=overview.content_hash,
            sent_at="", list_made=created.get(overview.target.list)), overview.key)
    counts = try_record_counts(client, _site_lists(site), members_log(root), now=datetime.now(site.config.tz))
    record_bounces(client, _site_lists(site), bounces_log(root))
    uncertain = uncertain_refs(ledger, now_uncertain)
    result = SendResult(plan, tuple(sent), tuple(warnings), tuple(counts), uncertain=uncertain)
    if now_uncertain:
        raise SendUncertain(describe_uncertain(tuple((r, e) for r, e in uncertain if e in now_uncertain)), result)
    return result


def _with_readers(client: "MailmanClient", plan: SendPlan, *, preview: bool = False) -> SendPlan:
    """The plan without overviews to weekly lists nobody is on (most areas, at
    first): no post, no ledger line. Someone who chooses the overview later
    that week gets that week's overview from the next run. A ``preview``
    keeps what Mailman could not be asked about."""
    if not plan.overviews:
        return plan
    kept = []
    for overview in plan.overviews:
        try:
            readers = client.counts(overview.target.list).members
        except MailmanUnavailable:
            if preview:
                kept.append(overview)
                continue
            raise
        except BinsiteError as exc:  # no such list: 'lists sync' has not run since the upgrade
            log.warning("no weekly overview to %s: %s", overview.target.list, exc)
            continue
        if readers:
            kept.append(overview)
    return dataclasses.replace(plan, overviews=tuple(kept))


def _dry_run_refusal(client: "MailmanClient", plan: SendPlan, ledger: Ledger, *, settings: MailmanSettings,
                     rebind: bool, adopt: bool, ledger_name: str) -> LedgerMismatch | None:
    """The error a real send would stop with before its first message, where
    Mailman answers (a preview never fails on a Mailman that does not)."""
    if not plan.count:
        return None
    try:
        states: dict[str, ListState | None] = {address: client.list_state(address) for address in plan.lists}
    except BinsiteError as exc:
        log.info("no list state for the dry run's binding check: %s", exc)
        return None
    return mailman_binding_problem(ledger, url=settings.url, states=states, ledger_name=ledger_name, rebind=rebind,
                                   adopt=adopt)


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
    return list_addresses(site.areas, site.config.mail.domain)


def resolve_uncertain(root: Path, ref: str, outcome: str, *, ledger_path: Path | None = None,
                      wait: float = DEFAULT_WAIT) -> LedgerEntry:
    """Settle an uncertain message: ``sent`` (it arrived; never send it again) or
    ``resend`` (the next send posts it again). ``ref`` is the reference ``send``
    shows, or the Message-ID."""
    if outcome not in (SENT, RESEND):
        raise ValueError(outcome)
    ledger_path = ledger_path or sent_ledger(root)
    rel = shown(ledger_path, root)
    with ledger_lock(ledger_path.parent, what="send resolve", wait=wait):
        ledger, problems = read_ledger(ledger_path, rel)
        if any(p.is_error for p in problems):
            raise InvalidSite(problems)
        found = uncertain_refs(ledger)
        wanted = ref.strip()
        if wanted.startswith("<") or "@" in wanted:
            mid = wanted if wanted.startswith("<") else f"<{wanted}>"
            matches = [entry for _, entry in found if entry.message_id == mid]
        else:
            try:
                prefix = normalize_ref(wanted)
            except BinsiteError:
                prefix = "\0"
            matches = [entry for short, entry in found
                       if ref_digest("sent", entry.list, entry.message_id).startswith(prefix) or short == prefix]
        if not matches:
            listed = ", ".join(short for short, _ in found) or t("geen", "none").get("nl")
            raise BinsiteError(t(
                "geen bericht met onzekere afloop met referentie {r} in {f} (wel: {k}); er is niets veranderd",
                "no message with an uncertain outcome has reference {r} in {f} (there are: {k}); nothing was changed",
                r=wanted, f=rel, k=listed))
        if len({(e.list, e.message_id) for e in matches}) > 1:
            raise BinsiteError(t("referentie {r} past bij meer dan één bericht; geef meer tekens",
                                 "reference {r} fits more than one message; give more characters", r=wanted))
        entry = matches[0]
        settled: list[LedgerEntry] = []
        for e in ledger.entries:
            if (e.list, e.message_id, e.status) != (entry.list, entry.message_id, UNCERTAIN):
                settled.append(e)
            elif outcome == SENT:
                settled.append(e._replace(status=None))
            # RESEND: the line goes, and the next send posts the message again.
        rewrite_entries(ledger_path, settled)
        log.info("resolved %s to %s as %s", entry.message_id, entry.list, outcome)
        return entry
