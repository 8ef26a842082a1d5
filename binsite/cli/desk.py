"""The BINCO's desk: ``binsite inbox`` (held messages) and ``binsite members`` (subscriptions).

Every command reads what Mailman holds now, acts through one library call in
``binsite.desk`` and says what it did. Addresses are masked unless asked for.
"""

from __future__ import annotations

import click

from binsite.cli import handle_errors, main, pass_context
from binsite.cli.help_nl import LocalisedGroup
from binsite.desk import inbox as inbox_lib
from binsite.desk import members as members_lib
from binsite.desk.desk import Desk, format_time, kind_label, open_desk
from binsite.mailman.settings import settings_from_env, smtp_from_env
from binsite.paths import shown
from binsite.errors import BinsiteError
from binsite.i18n import t


class ListingGroup(LocalisedGroup):
    """A group that lists when no sub-command is named.

    ``binsite inbox [AREA]... [--show-senders]`` runs the group's own callback;
    ``binsite inbox show REF`` runs a sub-command. The group's AREA argument is
    left out of parsing when the first word names a sub-command, so it cannot
    swallow it. An area named like a sub-command is listed with
    ``binsite inbox -- AREA``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        subcommand = self._first_word(args) in self.commands
        ctx._binsite_subcommand = subcommand  # type: ignore[attr-defined]
        # Listing: options may follow the areas ("binsite inbox noord --show-senders").
        ctx.allow_interspersed_args = not subcommand
        return super().parse_args(ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        own = ctx  # a sub-command's usage line asks with its own context
        while own is not None and own.command is not self:
            own = own.parent
        if own is not None and getattr(own, "_binsite_subcommand", False):
            params = [p for p in params if not isinstance(p, click.Argument)]
        return params

    @staticmethod
    def _first_word(args: list[str]) -> str | None:
        for arg in args:
            if arg == "--":
                return None
            if not arg.startswith("-"):  # the group's own options are flags: no values to skip
                return arg
        return None


def _desk(ctx) -> Desk:
    return open_desk(ctx.root, settings_from_env())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


# --- binsite inbox -------------------------------------------------------------------

_show_senders = click.option("--show-senders/--hide-senders", default=False,
                             help="Show senders' addresses in full (default: masked, b…1·7c2e@example.org).")


def _member_label(is_member: bool | None, kind: str, lang: str) -> str:
    """Whether the sender is on the list: a member writes as a resident, anyone else as an outsider."""
    if is_member is None:
        return ""
    if kind == "partners":
        nl, en = ("partner", "partner") if is_member else ("geen partner", "not a partner")
    else:
        nl, en = ("lid", "member") if is_member else ("geen lid", "not a member")
    return en if lang == "en" else nl


@main.group("inbox", cls=ListingGroup, invoke_without_command=True)
@click.argument("areas", nargs=-1, metavar="[AREA]...")
@_show_senders
@pass_context
@handle_errors
def inbox(ctx, areas: tuple[str, ...] = (), show_senders: bool = False) -> None:
    """Messages waiting for the BINCO on the members and partners lists.

    Without a sub-command: the held messages of the given areas (default:
    all), newest first, one line each, with a short reference (REF) that
    stays the same until the message is handled. An area named like a
    sub-command: 'binsite inbox -- AREA'.

    \b
    Examples:
      binsite inbox                     everything that waits, newest first
      binsite inbox maaspoort empel     two areas
      binsite inbox --show-senders      with the senders' addresses in full
      binsite inbox show K3F9QA         read one message
      binsite inbox forward K3F9QA      to the partners, without the resident's name
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    desk = _desk(ctx)
    items = inbox_lib.held_items(desk, areas)
    inbox_lib.note_received(desk, items)
    if not items:
        if areas:
            ctx.say("Er wacht niets voor {a}.", "Nothing is waiting for {a}.", a=", ".join(areas))
        else:
            ctx.say("Er wacht niets: de inbox van alle gebieden is leeg.", "Nothing is waiting: every area's inbox is empty.")
        return
    lang = ctx.lang
    senders = [item.sender_shown(show=show_senders) for item in items]
    labels = [_member_label(item.is_member, item.kind, lang) for item in items]
    area_width = max(len(item.area) for item in items)
    sender_width = min(40, max(len(s) for s in senders))
    label_width = max(len(label) for label in labels)
    for item, sender, label in zip(items, senders, labels):
        subject = item.message.subject or ("(no subject)" if lang == "en" else "(geen onderwerp)")
        first = inbox_lib.preview(item.message.text)
        click.echo(f"{item.ref:<6}  {item.area:<{area_width}}  {kind_label(item.kind, lang):<8}  "
                   f"{format_time(item.received, lang)}  {sender:<{sender_width}}  {label:<{label_width}}  "
                   f"{_cut(subject, 50)}" + (f" — {_cut(first, 60)}" if first else ""))
    if len(items) == 1:
        ctx.say("1 bericht wacht. Lezen: binsite inbox show REF; dan accept, reject, discard, forward of draft.",
                "1 message waiting. Read it: binsite inbox show REF; then accept, reject, discard, forward or draft.")
    else:
        ctx.say("{n} berichten wachten. Lezen: binsite inbox show REF; dan accept, reject, discard, forward of draft.",
                "{n} messages waiting. Read one: binsite inbox show REF; then accept, reject, discard, forward or draft.",
                n=len(items))


@inbox.command("show")
@click.argument("ref")
@_show_senders
@pass_context
@handle_errors
def inbox_show(ctx, ref: str, show_senders: bool) -> None:
    """The whole message as text: HTML as readable text, attachments listed (never opened or saved).

    \b
    Example:
      binsite inbox show K3F9QA
    """
    item = inbox_lib.find_item(_desk(ctx), ref)
    lang = ctx.lang
    message = item.message
    rows = [
        (("Referentie", "Reference"), item.ref),
        (("Lijst", "List"), f"{item.list} ({item.area}, {kind_label(item.kind, lang)})"),
        (("Ontvangen", "Received"), format_time(item.received, lang)),
        (("Van", "From"), item.sender_shown(show=show_senders)
         + (f" ({_member_label(item.is_member, item.kind, lang)})" if item.is_member is not None else "")),
        (("Onderwerp", "Subject"), message.subject),
        (("Wacht omdat", "Held because"), inbox_lib.reason_text(item.reason, lang)),
    ]
    for (nl, en), value in rows:
        click.echo(f"{(en if lang == 'en' else nl) + ':':<14} {value}")
    click.echo("")
    click.echo(message.text.rstrip() if message.text.strip() else ("(no text)" if lang == "en" else "(geen tekst)"))
    if message.attachments:
        click.echo("")
        ctx.say("Bijlagen ({n}, niet geopend):", "Attachments ({n}, not opened):", n=len(message.attachments))
        for attachment in message.attachments:
            click.echo(f"  - {attachment.name} ({attachment.content_type}, {_size(attachment.size)})")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size / 1024 / 1024:.1f} MB"


@inbox.command("accept")
@click.argument("ref")
@pass_context
@handle_errors
def inbox_accept(ctx, ref: str) -> None:
    """Deliver the message to the list it was sent to.

    \b
    Example:
      binsite inbox accept K3F9QA
    """
    done = inbox_lib.moderate(_desk(ctx), ref, "accept")
    ctx.say("Geaccepteerd: {m}; Mailman bezorgt het nu aan {l}.", "Accepted: {m}; Mailman now delivers it to {l}.",
            m=inbox_lib.describe(done.item, ctx.lang), l=done.item.list)


@inbox.command("reject")
@click.argument("ref")
@click.option("--reason", required=True, help="Why; the sender gets this text.")
@pass_context
@handle_errors
def inbox_reject(ctx, ref: str, reason: str) -> None:
    """Refuse the message; the sender gets the reason by e-mail.

    \b
    Example:
      binsite inbox reject K3F9QA --reason "Dit is geen buurtveiligheid; meld het bij de gemeente."
    """
    done = inbox_lib.moderate(_desk(ctx), ref, "reject", reason=reason)
    ctx.say("Afgewezen: {m}; de afzender krijgt de reden per e-mail.", "Rejected: {m}; the sender gets the reason by e-mail.",
            m=inbox_lib.describe(done.item, ctx.lang))


@inbox.command("discard")
@click.argument("ref")
@pass_context
@handle_errors
def inbox_discard(ctx, ref: str) -> None:
    """Throw the message away without telling the sender (spam, duplicates).

    \b
    Example:
      binsite inbox discard K3F9QA
    """
    done = inbox_lib.moderate(_desk(ctx), ref, "discard")
    ctx.say("Weggegooid: {m}; niemand krijgt het, de afzender hoort er niets van.",
            "Discarded: {m}; nobody gets it and the sender is not told.", m=inbox_lib.describe(done.item, ctx.lang))


@inbox.command("answer")
@click.argument("ref")
@click.option("--text", "text", default=None, help="Your answer to the resident.")
@click.option("--text-file", type=click.File("r", encoding="utf-8-sig"), default=None,
              help="A file with your answer ('-': standard input), for a longer text.")
@click.option("--partner-reply", type=click.File("r", encoding="utf-8-sig"), default=None,
              help="A file with the partner's reply, quoted without their name, address, phone or signature.")
@pass_context
@handle_errors
def inbox_answer(ctx, ref: str, text: str | None, text_file, partner_reply) -> None:
    """Answer the resident who reported, from the BIN's address, then discard the held report.

    The answer is a reply to the report; a partner's reply goes along as a
    quote without the partner's identity. Needs BINSITE_SMTP_HOST and
    BINSITE_SMTP_PORT (the BIN's SMTP server).

    \b
    Example:
      binsite inbox answer K3F9QA --text "Dank voor uw melding; de wijkagent is gaan kijken."
      binsite inbox answer K3F9QA --text-file antwoord.txt --partner-reply wijkagent.txt
    """
    from binsite.desk import answer as answer_lib

    if (text is None) == (text_file is None):
        raise BinsiteError(t("geef het antwoord met --text of met --text-file (één van beide); er is niets verstuurd",
                             "give the answer with --text or with --text-file (one of them); nothing was sent"))
    body = text if text is not None else text_file.read()
    host, port = smtp_from_env()
    desk = _desk(ctx)
    done = answer_lib.answer(desk, ref, body, partner_reply=partner_reply.read() if partner_reply else "",
                             send=answer_lib.smtp_sender(host, port, desk.config.mail.sender))
    ctx.say("Beantwoord: {m}; de bewoner kreeg uw antwoord van {a}{q}. Het bericht is uit de inbox.",
            "Answered: {m}; the resident got your answer from {a}{q}. The message left the inbox.",
            m=inbox_lib.describe(done.item, ctx.lang), a=desk.config.mail.sender,
            q=t(", met het antwoord van de partner zonder diens naam en adres",
                ", with the partner's reply without their name and address").get(ctx.lang) if done.quoted else "")


@inbox.command("forward")
@click.argument("ref")
@click.option("--to", "to", type=click.Choice(["partners", "members"]), default="partners", show_default=True,
              help="The area's list to deliver the report to.")
@click.option("--keep", is_flag=True, help="Keep the report in the inbox, to answer the resident later (binsite inbox answer).")
@pass_context
@handle_errors
def inbox_forward(ctx, ref: str, to: str, keep: bool) -> None:
    """Send the report on WITHOUT the resident's identity, then discard the held original.

    The new message comes from the binsite sender and carries the reference;
    the resident's address, name, signature, quoted mail and attachments are
    left out. Replies go to the BINCO.

    \b
    Example:
      binsite inbox forward K3F9QA --to partners --keep
    """
    done = inbox_lib.forward(_desk(ctx), ref, to=to, keep=keep)
    ctx.say("Doorgestuurd zonder naam en adres van de afzender: {m} -> {l} (onderwerp \"{s}\", referentie {r}).",
            "Forwarded without the sender's name and address: {m} -> {l} (subject \"{s}\", reference {r}).",
            m=inbox_lib.describe(done.item, ctx.lang), l=done.to_list, s=done.subject, r=done.item.ref)
    if done.attachments_left_out:
        ctx.say("{n} bijlage(n) niet meegestuurd.", "{n} attachment(s) not sent along.", n=done.attachments_left_out)
    if keep:
        ctx.say("De melding blijft in de inbox van {l}: antwoord de bewoner later met 'binsite inbox answer {r}'.",
                "The report stays in the inbox of {l}: answer the resident later with 'binsite inbox answer {r}'.",
                l=done.item.list, r=done.item.ref)
    else:
        ctx.say("Het origineel is weggegooid uit de wachtrij van {l} (de afzender hoort er niets van).",
                "The original was discarded from the queue of {l} (the sender is not told).", l=done.item.list)


@inbox.command("draft")
@click.argument("ref")
@pass_context
@handle_errors
def inbox_draft(ctx, ref: str) -> None:
    """Turn a report into a draft bulletin in content/<area>/, without the sender's identity.

    Edit it, remove 'draft: true', check, commit and publish as usual.

    \b
    Example:
      binsite inbox draft K3F9QA
    """
    desk = _desk(ctx)
    done = inbox_lib.draft(desk, ref)
    ctx.say("Concept geschreven: {p} (draft: true) uit {m}.", "Draft written: {p} (draft: true) from {m}.",
            p=shown(done.path, desk.root), m=inbox_lib.describe(done.item, ctx.lang))
    ctx.say("Het bericht blijft in de wachtrij; handel het af met accept, reject of discard.",
            "The message stays in the queue; handle it with accept, reject or discard.")


# --- binsite members -----------------------------------------------------------------

_show_addresses = click.option("--show-addresses/--hide-addresses", default=False,
                               help="Show addresses in full (default: none, or masked).")


@main.group("members", cls=ListingGroup, invoke_without_command=True)
@click.argument("areas", nargs=-1, metavar="[AREA]...")
@_show_addresses
@pass_context
@handle_errors
def members(ctx, areas: tuple[str, ...] = (), show_addresses: bool = False) -> None:
    """Residents per area: counts, subscription requests, adding and removing by hand.

    Without a sub-command: members, pending subscription requests and held
    messages per area (default: all); addresses only with --show-addresses.
    Partners are not managed here but in lists/<area>.yaml (binsite lists sync).

    \b
    Examples:
      binsite members                       counts per area
      binsite members maaspoort --show-addresses
      binsite members pending --show-addresses
      binsite members approve AB12CD
      binsite members add maaspoort jan@example.org --name "Jan"
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    found = members_lib.member_counts(_desk(ctx), areas, with_addresses=show_addresses)
    for entry in found:
        ctx.say("{a:<20} {m:>5} leden  {p:>3} aanvragen  {h:>3} wachtende berichten   ({l}){w}",
                "{a:<20} {m:>5} members  {p:>3} pending  {h:>3} held messages   ({l}){w_en}",
                a=entry.area, m=entry.members, p=entry.pending, h=entry.held, l=entry.list,
                w=f"  waarvan {entry.weekly} met weekoverzicht" if entry.weekly else "",
                w_en=f"  of whom {entry.weekly} with the weekly overview" if entry.weekly else "")
        for address, name in entry.addresses or ():
            click.echo(f"    {address}" + (f"  ({name})" if name else ""))
    if sum(e.pending for e in found):
        ctx.say("Aanvragen bekijken: binsite members pending", "See the requests: binsite members pending")


@members.command("pending")
@click.argument("areas", nargs=-1, metavar="[AREA]...")
@click.option("--show-addresses/--hide-addresses", default=True,
              help="Show who asks (default), or mask the addresses (b…1·7c2e@example.org) when others can see the screen.")
@pass_context
@handle_errors
def members_pending(ctx, areas: tuple[str, ...], show_addresses: bool) -> None:
    """Subscription requests waiting for the BINCO, with a reference each.

    A request is judged on who asks, so addresses and names are shown here.

    \b
    Example:
      binsite members pending maaspoort
    """
    found = members_lib.pending_requests(_desk(ctx), areas)
    if not found:
        ctx.say("Geen openstaande aanvragen.", "No pending requests.")
        return
    for request in found:
        who = request.address if show_addresses else inbox_lib.mask_sender(request.address)
        name = f" ({request.display_name})" if show_addresses and request.display_name else ""
        waits = ("  (wacht op bevestiging door de bewoner)", "  (waits for the resident to confirm)")[ctx.lang == "en"] \
            if request.awaits_confirmation else ""
        click.echo(f"{request.ref:<6}  {request.area:<14} {kind_label(request.kind, ctx.lang):<9} "
                   f"{format_time(request.requested, ctx.lang)}  {who}{name}{waits}")
    ctx.say("{n} aanvraag/aanvragen. Toelaten: binsite members approve REF; afwijzen: binsite members reject REF.",
            "{n} request(s). Approve: binsite members approve REF; reject: binsite members reject REF.", n=len(found))


@members.command("approve")
@click.argument("ref")
@pass_context
@handle_errors
def members_approve(ctx, ref: str) -> None:
    """Approve a subscription request: the resident becomes a member.

    \b
    Example:
      binsite members approve AB12CD
    """
    done = members_lib.approve(_desk(ctx), ref)
    request = done.request
    if done.member:
        ctx.say("Toegelaten: {a} is nu lid van {l}.", "Approved: {a} is now a member of {l}.",
                a=request.address, l=request.list)
    else:
        ctx.say("Nog niet toegelaten: {a} heeft de aanmelding voor {l} nog niet bevestigd (Mailman stuurde een "
                "bevestigingsmail). Zodra de bewoner bevestigt, staat de aanvraag weer in 'binsite members pending'; "
                "keur hem dan goed. Kent u de bewoner en het adres zeker, dan kan ook: binsite members add {g} {a}",
                "Not approved yet: {a} has not confirmed the request for {l} (Mailman sent a confirmation mail). "
                "Once the resident confirms, the request shows again in 'binsite members pending'; approve it then. "
                "If you know the resident and the address for sure: binsite members add {g} {a}",
                a=request.address, l=request.list, g=request.area)


@members.command("reject")
@click.argument("ref")
@click.option("--reason", default=None, help="Why; the requester gets this text.")
@pass_context
@handle_errors
def members_reject(ctx, ref: str, reason: str | None) -> None:
    """Reject a subscription request; Mailman tells the requester.

    \b
    Example:
      binsite members reject AB12CD --reason "U woont niet in dit gebied."
    """
    request = members_lib.reject(_desk(ctx), ref, reason=reason)
    ctx.say("Afgewezen: de aanvraag van {a} voor {l}; Mailman laat het de aanvrager weten.",
            "Rejected: the request of {a} for {l}; Mailman tells the requester.", a=request.address, l=request.list)


@members.command("add")
@click.argument("area")
@click.argument("address")
@click.option("--name", default="", help="The resident's name as Mailman shows it.")
@click.option("--welcome/--no-welcome", default=False, help="Send Mailman's welcome mail (default: no mail at all).")
@pass_context
@handle_errors
def members_add(ctx, area: str, address: str, name: str, welcome: bool) -> None:
    """Add a resident who signed up on paper: approved, no confirmation mail.

    \b
    Example:
      binsite members add maaspoort jan@example.org --name "Jan Jansen"
    """
    list_address = members_lib.add_member(_desk(ctx), area, address, name=name, welcome=welcome)
    if welcome:
        ctx.say("Toegevoegd: {a} aan {l}, met welkomstmail.", "Added: {a} to {l}, with a welcome mail.",
                a=address.strip().lower(), l=list_address)
    else:
        ctx.say("Toegevoegd: {a} aan {l} (geen e-mail verstuurd).", "Added: {a} to {l} (no e-mail sent).",
                a=address.strip().lower(), l=list_address)


@members.command("remove")
@click.argument("area")
@click.argument("address")
@pass_context
@handle_errors
def members_remove(ctx, area: str, address: str) -> None:
    """Remove a resident from the area's members list.

    \b
    Example:
      binsite members remove maaspoort jan@example.org
    """
    list_address = members_lib.remove_member(_desk(ctx), area, address)
    ctx.say("Verwijderd: {a} van {l}.", "Removed: {a} from {l}.", a=address.strip().lower(), l=list_address)


@members.command("import")
@click.argument("area")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--welcome/--no-welcome", default=False, help="Send Mailman's welcome mail to each new member (default: no mail).")
@click.option("--yes/--dry-run", "yes", default=False,
              help="Import (--yes), or only show what an import would do (--dry-run, the default).")
@click.option("--show-addresses/--hide-addresses", default=False, help="List the new and existing members' addresses too.")
@pass_context
@handle_errors
def members_import(ctx, area: str, file: str, welcome: bool, yes: bool, show_addresses: bool) -> None:
    """Import an existing member list (CSV: e-mail and optional name) into AREA's members list.

    Reads comma, semicolon or tab separated files, UTF-8 (with or without BOM)
    or Windows-1252 as Excel writes them, with a header row or without. First
    shows what it would do: new, already a member, invalid, duplicate. With
    --yes it subscribes the new addresses, approved, without confirmation
    mail, and with Mailman's welcome mail only with --welcome. Invalid and
    duplicate lines are skipped and named with their line number.

    \b
    Example:
      binsite members import maaspoort leden.csv            preview
      binsite members import maaspoort leden.csv --yes      import, no mail
    """
    from pathlib import Path

    from binsite.cli.progress import ProgressLine
    from binsite.desk import importer
    from binsite.progress import reporting

    path = Path(file)
    name = shown(path, ctx.root)
    member_file = importer.read_member_file(path.read_bytes(), name)
    desk = _desk(ctx)
    preview = importer.preview_import(desk, area, member_file)
    for problem in preview.problems():
        click.echo(problem.format(ctx.lang), err=True)
    ctx.say("{l}: {n} nieuw, {a} al lid, {i} ongeldig, {d} dubbel (van {r} regels).",
            "{l}: {n} new, {a} already a member, {i} invalid, {d} duplicate (of {r} lines).",
            l=preview.list, n=len(preview.new), a=len(preview.already), i=len(preview.invalid),
            d=len(preview.duplicates), r=len(member_file.rows) + len(member_file.invalid))
    if show_addresses:
        for entry in preview.new:
            click.echo(f"  + {entry.address}" + (f"  ({entry.name})" if entry.name else ""))
        for entry in preview.already:
            click.echo(f"  = {entry.address}")
    if not yes:
        ctx.say("Proefdraai: er is niets veranderd. Importeren: voeg --yes toe{w}.",
                "Dry run: nothing was changed. To import, add --yes{w}.",
                w=(" (met welkomstmail)" if ctx.lang != "en" else " (with welcome mail)") if welcome else "")
        return
    if not preview.new:
        ctx.say("Niets te importeren; er is niets veranderd.", "Nothing to import; nothing was changed.")
        return
    line = ProgressLine(ctx.lang)
    with reporting(line):
        result = importer.import_members(desk, preview, welcome=welcome)
    line.finish()
    ctx.say("Geïmporteerd: {n} nieuwe leden in {l}{w}.", "Imported: {n} new members into {l}{w}.",
            n=len(result.added), l=preview.list,
            w=((" met welkomstmail" if ctx.lang != "en" else " with a welcome mail") if welcome else
               (" zonder e-mail" if ctx.lang != "en" else " without any e-mail")))
    for entry, failure in result.failed:
        click.echo(f"{name}:{entry.line}: " + ("fout" if ctx.lang != "en" else "error") + f": {entry.address}: {failure}",
                   err=True)
    if result.failed:
        raise click.exceptions.Exit(1)


# --- the desk's accounts -------------------------------------------------------------------

@main.group("desk", cls=LocalisedGroup)
def desk_group() -> None:
    """Manage the desk of BINCOs and partners (the web service, binsite web).

    \b
    Example:
      binsite desk reset-2fa agent@politie.example.nl
    """


@desk_group.command("reset-2fa")
@click.argument("address", metavar="ADRES")
@pass_context
@handle_errors
def desk_reset_2fa(ctx, address: str) -> None:
    """Reset the second factor of ADRES: remove their passkeys, code app and recovery
    codes at every door (BINCO, partner, administrator) and end every session of that address. The
    person then logs in with the mailed link alone and sets up a new second factor. The reset
    is logged (by the operator, with the person's digest, never the address). Check who asks
    first, outside e-mail (phone, in person).

    \b
    Example:
      binsite desk reset-2fa agent@politie.example.nl
    """
    from binsite.desk.factors import reset_second_factor
    from binsite.source.config import is_address

    if not is_address(address.strip()):
        raise BinsiteError(t("{a!r} is geen e-mailadres", "{a!r} is not an e-mail address", a=address[:80]))
    done = reset_second_factor(ctx.root, address.strip())
    doors = {"binco": t("de balie", "the desk").get(ctx.lang), "partner": t("de partnerbalie", "the partners' desk").get(ctx.lang),
             "beheer": t("de beheerdersbalie", "the administrator's desk").get(ctx.lang)}
    if done:
        ctx.say("Tweede factor hersteld voor {a} ({d}); elke sessie van dit adres is beëindigd. Bij de volgende "
                "login met de link stelt de persoon een nieuwe in.",
                "Second factor reset for {a} ({d}); every session of this address has ended. At the next login "
                "with the link the person sets up a new one.", a=address.strip(), d=", ".join(doors[r] for r in done))
    else:
        ctx.say("{a} had geen tweede factor; elke sessie van dit adres is wel beëindigd.",
                "{a} had no second factor; every session of this address has ended all the same.", a=address.strip())
