"""``binsite lists sync``: make Mailman match ``lists/`` and ``binsite.yaml``.

Three steps, as everywhere that touches the outside world: read what Mailman
has (``read_live_state``, I/O), compare it with what the YAML declares
(``plan_sync``, pure, printable with ``--dry-run``), then carry out the
changes in order (``apply_sync``). Running it twice changes nothing the second
time. Residents on a members list are never read, removed or changed: only the
BINCO approves and removes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from binsite.source.areas import MEMBERS, PARTNERS, WEEKLY, Area, list_addresses
from binsite.i18n import Text, t
from binsite.mailman.client import MailmanClient, list_id
from binsite.mailman.counts import try_record_counts
from binsite.paths import bounces_log, members_log, state_dir
from binsite.mailman.settings import MailmanSettings
from binsite.mailman.templates import TemplateStore, file_name, list_templates, store_from_env
from binsite.model.site import Site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListSpec:
    """One list as ``lists/<area>.yaml`` declares it."""

    address: str
    area: str
    kind: str                                   # members | partners
    settings: tuple[tuple[str, Any], ...]
    owners: tuple[str, ...]                     # also the moderators
    accepted_senders: tuple[str, ...]           # nonmembers whose posts go through
    # Exactly these members (partners lists); None: members are the BINCO's business.
    members: tuple[tuple[str, str], ...] | None
    # binsite's text for each of Mailman's templates (binsite.mailman.templates).
    templates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LiveList:
    """What Mailman has for one list, as far as sync looks."""

    address: str
    settings: Mapping[str, Any]
    owners: frozenset[str]
    moderators: frozenset[str]
    nonmember_actions: Mapping[str, str | None]
    members: frozenset[str] | None = None       # read for partners lists only
    uris: Mapping[str, str] = field(default_factory=dict)  # template name -> URI
    # Template files (relative names) present in the store with the right bytes.
    stored: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LiveState:
    domains: frozenset[str]
    lists: Mapping[str, LiveList] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One step of a sync plan."""

    action: str          # create-domain | create-list | set | add-owner | add-moderator | remove-owner |
                         # remove-moderator | accept-sender | subscribe | unsubscribe | templates
    target: str          # the domain or the list address
    key: str = ""        # the setting's name, or the address
    value: Any = None
    old: Any = None

    def describe(self) -> Text:
        a, k = self.target, self.key
        match self.action:
            case "create-domain":
                return t("maildomein {a} aanmaken", "create mail domain {a}", a=a)
            case "create-list":
                return t("lijst {a} aanmaken", "create list {a}", a=a)
            case "set":
                return t("{a}: {k} {o!r} -> {v!r}", "{a}: {k} {o!r} -> {v!r}", a=a, k=k, o=self.old, v=self.value)
            case "add-owner":
                return t("{a}: {k} wordt eigenaar", "{a}: make {k} an owner", a=a, k=k)
            case "add-moderator":
                return t("{a}: {k} wordt moderator", "{a}: make {k} a moderator", a=a, k=k)
            case "remove-owner":
                return t("{a}: {k} is geen eigenaar meer", "{a}: {k} is no longer an owner", a=a, k=k)
            case "remove-moderator":
                return t("{a}: {k} is geen moderator meer", "{a}: {k} is no longer a moderator", a=a, k=k)
            case "accept-sender":
                return t("{a}: berichten van {k} zonder moderatie doorlaten", "{a}: let posts from {k} through unmoderated",
                         a=a, k=k)
            case "subscribe":
                return t("{a}: partner {k} toevoegen", "{a}: add partner {k}", a=a, k=k)
            case "unsubscribe":
                return t("{a}: {k} verwijderen (staat niet meer in de YAML)", "{a}: remove {k} (no longer in the YAML)",
                         a=a, k=k)
            case "templates":
                return t("{a}: eigen tekst voor {n} berichten van Mailman", "{a}: binsite's text for {n} of Mailman's messages",
                         a=a, n=len(self.value))
        return t("{a}: {x} {k}", "{a}: {x} {k}", a=a, x=self.action, k=k)


def max_message_kb(max_mail: int) -> int:
    """Mailman's ``max_message_size`` (in KB) for mails of up to ``max_mail``
    bytes (``media.max_mail_mb``), with room for the headers and footer
    Mailman adds. Mailman's own default, 40 KB, would hold any bulletin with a photo."""
    return -(-max_mail // 1024) + 64


# Mailman's bounce score at which a member's delivery stops (a hard bounce counts 1).
BOUNCE_THRESHOLD = 5


def list_settings(area: Area, kind: str, *, language: str, max_mail: int = 10_000_000) -> dict[str, Any]:
    """The Mailman settings of an area's members, weekly or partners list.

    The weekly list is a members list in every respect (who may post, who
    moderates, the prefix residents know), for the residents who chose the
    weekly overview: binsite posts the overview and urgent bulletins to it."""
    if kind == MEMBERS:
        display_name = area.name
        # Mailman puts ``description`` in every message's List-Id header: keep
        # it one short line; the area's longer text goes in ``info``.
        description = t("BIN {n}: berichten voor leden", "BIN {n}: bulletins for members", n=area.name).get(language)
        prefix = f"[BIN {area.name}] "
    elif kind == WEEKLY:
        display_name = t("{n} weekoverzicht", "{n} weekly overview", n=area.name).get(language)
        description = t("BIN {n}: weekoverzicht en spoedberichten voor leden",
                        "BIN {n}: weekly overview and urgent bulletins for members", n=area.name).get(language)
        prefix = f"[BIN {area.name}] "
    else:
        display_name = f"{area.name} partners"
        description = t("Partners (politie, gemeente) van BIN {n}", "Partners (police, municipality) of BIN {n}",
                        n=area.name).get(language)
        prefix = f"[BIN {area.name} partners] "
    quiet = {"send_welcome_message": False} if kind == WEEKLY else {}  # residents arrive here by moving, not joining
    return {
        **quiet,
        "display_name": display_name,
        "description": description,
        "info": " ".join(area.description.split()),
        "subject_prefix": prefix,
        # Residents join only with the BINCO's approval.
        "subscription_policy": "moderate",
        # Every post by a member or a stranger waits for the BINCO; only the
        # binsite sender (a nonmember with "accept") goes straight through.
        "default_member_action": "hold",
        "default_nonmember_action": "hold",
        # Replies reach the BINCO, not every neighbour.
        "reply_goes_to_list": "explicit_header",
        "reply_to_address": area.coordinators[0] if area.coordinators else "",
        "first_strip_reply_to": True,
        # The static site is the public archive; Mailman's stays private.
        "archive_policy": "private",
        # The largest bulletin binsite check allows, pictures and PDFs included.
        "max_message_size": max_message_kb(max_mail),
        # Mailman's own messages (notices, subjects) in the site's language.
        "preferred_language": "en" if language == "en" else "nl",
        # A resident's post that the BINCO lets through, from a domain with a strict
        # DMARC policy (p=reject or quarantine, which Mailman looks up), goes out
        # From the list with the resident's name: then the list domain's DKIM
        # signature aligns with From. Not unconditionally: that would also rewrite
        # binsite's own sender, which aligns already.
        "dmarc_mitigate_action": "munge_from",
        # Bounces, set deliberately (Mailman's bounces runner scores them): a hard bounce
        # counts 1, a soft one 0.5, at most once a day; at 5 delivery stops and the member
        # gets up to 3 Dutch warnings (templates above) before removal. The BINCO hears of a
        # stop and of a removal, not of every bounce; the desk lists the addresses that no
        # longer work (binsite.mailman.bounces).
        "process_bounces": True,
        "bounce_score_threshold": BOUNCE_THRESHOLD,
        "bounce_you_are_disabled_warnings": 3,
        "bounce_notify_owner_on_bounce_increment": False,
        "bounce_notify_owner_on_disable": True,
        "bounce_notify_owner_on_removal": True,
    }


def desired_lists(site: Site) -> list[ListSpec]:
    """Every list the site declares: a members, a weekly and a partners list per area."""
    domain = site.config.mail.domain
    sender = site.config.mail.sender.lower()
    specs: list[ListSpec] = []
    for area in site.areas:
        for kind, address in area.lists(domain):
            members = tuple((p.address, p.name) for p in area.partners) if kind == PARTNERS else None
            specs.append(ListSpec(
                address=address, area=area.id, kind=kind,
                settings=tuple(list_settings(area, kind, language=site.config.language,
                                             max_mail=site.config.media_max_mail).items()),
                owners=tuple(area.coordinators), accepted_senders=(sender,), members=members,
                templates=tuple(list_templates(area, kind, title=site.config.title, language=site.config.language,
                                               web_url=site.config.web_url).items())))
    return specs


def plan_sync(site: Site, live: LiveState, store: TemplateStore | None = None) -> list[Change]:
    """What to change in Mailman so that it matches the site. Pure; empty when in sync.
    ``store``: where the templates live (without one, templates are left alone)."""
    changes: list[Change] = []
    domain = site.config.mail.domain
    if domain not in live.domains:
        changes.append(Change("create-domain", domain))
    for spec in desired_lists(site):
        current = live.lists.get(spec.address)
        if current is None:
            changes.append(Change("create-list", spec.address))
            current = LiveList(spec.address, {}, frozenset(), frozenset(), {}, frozenset())
        for key, value in spec.settings:
            old = current.settings.get(key)
            if not _same(old, value):
                changes.append(Change("set", spec.address, key, value, old))
        wanted = set(spec.owners)
        for role, have in (("owner", current.owners), ("moderator", current.moderators)):
            changes += [Change(f"add-{role}", spec.address, a) for a in sorted(wanted - have)]
            changes += [Change(f"remove-{role}", spec.address, a) for a in sorted(have - wanted)]
        for sender in spec.accepted_senders:
            if current.nonmember_actions.get(sender) != "accept":
                changes.append(Change("accept-sender", spec.address, sender))
        if spec.members is not None:
            have_members = current.members or frozenset()
            wanted_members = dict(spec.members)
            changes += [Change("subscribe", spec.address, a, wanted_members[a])
                        for a in sorted(set(wanted_members) - have_members)]
            changes += [Change("unsubscribe", spec.address, a) for a in sorted(have_members - set(wanted_members))]
        if store is not None:
            stale = []
            for name, text in spec.templates:
                relative = file_name(list_id(spec.address), name, text)
                if current.uris.get(name) != store.uri(relative) or relative not in current.stored:
                    stale.append((name, relative, text))
            if stale:  # one change per list: its texts go to Mailman in one request
                changes.append(Change("templates", spec.address, value=tuple(stale)))
    return changes


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, bool):
        return old is new or (isinstance(old, str) and old.lower() == str(new).lower())
    return old is not None and str(old) == str(new)


def read_live_state(client: MailmanClient, site: Site, store: TemplateStore | None = None) -> LiveState:
    """Read what sync compares, for the site's lists only (and which template files ``store`` holds)."""
    specs = desired_lists(site)
    domains = frozenset(client.domains())
    existing = client.lists() if site.config.mail.domain in domains else set()
    lists: dict[str, LiveList] = {}
    for spec in specs:
        if spec.address not in existing:
            continue
        settings = client.list_settings(spec.address, [key for key, _ in spec.settings])
        owners = frozenset(m.address for m in client.roster(spec.address, "owner"))
        moderators = frozenset(m.address for m in client.roster(spec.address, "moderator"))
        nonmembers = {m.address: m.moderation_action for m in client.roster(spec.address, "nonmember")}
        members = frozenset(m.address for m in client.roster(spec.address, "member")) if spec.members is not None else None
        uris = client.list_uris(spec.address) if store is not None else {}
        stored = frozenset(rel for name, text in spec.templates
                           if store is not None and store.holds(rel := file_name(list_id(spec.address), name, text), text))
        lists[spec.address] = LiveList(spec.address, settings, owners, moderators, nonmembers, members, uris, stored)
    return LiveState(domains, lists)


def apply_sync(client: MailmanClient, changes: list[Change], *, store: TemplateStore | None = None,
               progress: Callable[[Change], None] | None = None) -> None:
    """Carry out ``changes`` in order; settings of one list go in one request.

    A new list is made and given its settings in one step: when Mailman
    refuses the settings, the list is deleted again, so that no list is ever
    left with Mailman's open defaults."""
    pending_settings: dict[str, dict[str, Any]] = {}
    pending_uris: dict[str, dict[str, str]] = {}
    created: set[str] = set()

    def flush() -> None:
        for target in list(pending_settings):
            client.set_list_settings(target, pending_settings.pop(target))
        # The files are written before the URIs point at them (Mailman falls back
        # to its English text, silently, when a fetch fails).
        for target in list(pending_uris):
            client.set_list_uris(target, pending_uris.pop(target))

    for index, change in enumerate(changes):
        if change.action not in ("set", "templates"):
            flush()
        match change.action:
            case "create-domain":
                client.create_domain(change.target)
            case "create-list":
                settings = {c.key: c.value for c in changes[index + 1:] if c.action == "set" and c.target == change.target}
                _create_closed(client, change.target, settings)
                created.add(change.target)
            case "set":
                if change.target not in created:
                    pending_settings.setdefault(change.target, {})[change.key] = change.value
            case "add-owner" | "add-moderator":
                client.add_role(change.target, change.action.removeprefix("add-"), change.key)
            case "remove-owner" | "remove-moderator":
                client.remove_role(change.target, change.action.removeprefix("remove-"), change.key)
            case "accept-sender":
                # A list made in this run has no nonmembers yet: no need to ask.
                if change.target in created or \
                        change.key not in {m.address for m in client.roster(change.target, "nonmember")}:
                    client.add_role(change.target, "nonmember", change.key)
                client.set_moderation_action(change.target, "nonmember", change.key, "accept")
            case "subscribe":
                client.subscribe(change.target, change.key, str(change.value or ""))
            case "unsubscribe":
                client.unsubscribe(change.target, change.key)
            case "templates":
                if store is None:
                    raise ValueError("a template change needs a template store")
                for name, relative, text in change.value:
                    store.write(relative, text)
                    pending_uris.setdefault(change.target, {})[name] = store.uri(relative)
            case _:
                raise ValueError(change.action)
        log.info("%s", change.describe().en)
        if progress is not None:
            progress(change)
    flush()


def _create_closed(client: MailmanClient, address: str, settings: dict[str, Any]) -> None:
    """Create the list and set its settings, or leave no list at all."""
    from binsite.errors import BinsiteError

    client.create_list(address)
    try:
        if settings:
            client.set_list_settings(address, settings)
    except BaseException as exc:
        try:
            client.delete_list(address)
        except BinsiteError as cleanup:  # the list stays: say so plainly
            log.error("could not delete %s after its settings failed: %s", address, cleanup)
            raise BinsiteError(t(
                "Mailman weigerde de instellingen van de nieuwe lijst {l} ({e}), en verwijderen lukte ook niet ({c}). "
                "Verwijder de lijst met de hand of draai 'binsite lists sync' opnieuw: hij staat nog open.",
                "Mailman refused the settings of the new list {l} ({e}), and deleting it failed too ({c}). Delete the "
                "list by hand or run 'binsite lists sync' again: it is still open.",
                l=address, e=exc, c=cleanup)) from None
        if isinstance(exc, BinsiteError):
            raise BinsiteError(Text(
                f"Mailman weigerde de instellingen van de nieuwe lijst {address}: {exc.message('nl')}. De lijst is "
                "weer verwijderd; er staat geen open lijst.",
                f"Mailman refused the settings of the new list {address}: {exc.message('en')}. The list was deleted "
                "again; no open list is left.")) from None
        raise


def sync_lists(client: MailmanClient, site: Site, *, dry_run: bool = False, store: TemplateStore | None = None,
               progress: Callable[[Change], None] | None = None) -> list[Change]:
    """Read, plan and (unless ``dry_run``) apply. Returns the plan."""
    changes = plan_sync(site, read_live_state(client, site, store), store)
    if not dry_run and changes:
        apply_sync(client, changes, store=store, progress=progress)
    return changes


def sync(root: Path, settings: MailmanSettings, *, dry_run: bool = False, now: datetime | None = None,
         progress: Callable[[Change], None] | None = None, wait: float = 60.0) -> list[Change]:
    """``binsite lists sync``: a valid site first (any error: nothing changes),
    then sync, then the member counts in ``state/members.jsonl``. The site is
    checked as ``build`` and ``send`` check it, with the build cache: in CI
    it runs on every commit, and reading every bulletin again took seconds."""
    from binsite.mailing.lock import ledger_lock

    if dry_run:
        return _sync(root, settings, dry_run=True, now=now, progress=progress)
    # One send or sync at a time on this ledger folder: sync writes members.jsonl beside the ledger.
    with ledger_lock(state_dir(root), what="lists sync", wait=wait):
        return _sync(root, settings, dry_run=False, now=now, progress=progress)


def _sync(root: Path, settings: MailmanSettings, *, dry_run: bool, now: datetime | None,
          progress: Callable[[Change], None] | None) -> list[Change]:
    from binsite.load import load_site, site_cache

    with site_cache(root) as cache:
        site = load_site(root, now or datetime.now().astimezone(), cache=cache).raise_for_errors().site
    client = MailmanClient(settings)
    changes = sync_lists(client, site, dry_run=dry_run, store=store_from_env(root), progress=progress)
    if not dry_run:
        lists = list_addresses(site.areas, site.config.mail.domain)
        try_record_counts(client, lists, members_log(root), now=now or datetime.now(site.config.tz))
        from binsite.mailman.bounces import record_bounces

        record_bounces(client, lists, bounces_log(root))
    return changes
