"""Commands for e-mail: local-mailman, lists sync, send."""

from __future__ import annotations

import logging
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from binsite.cli import handle_errors, main, pass_context
from binsite.cli.site import _tz
from binsite.clock import resolve_now
from binsite.errors import BinsiteError, InvalidSite
from binsite.i18n import Text, t
from binsite.mailman.settings import ALL_VARIABLES, settings_from_env
from binsite.model.site import find_root

if TYPE_CHECKING:
    from binsite.mailing.run import SendResult
    from binsite.devtools.local_mailman import LocalMailman, LocalStatus

# The Mailman client, the mail composer and Jinja are imported by the
# commands that use them: ``send --dry-run`` needs none of them.


def _local(state_dir: Path | None, ctx, database: str = "sqlite") -> "LocalMailman":
    from binsite.devtools.local_mailman import STATE_DIR, LocalMailman

    base = find_root(Path.cwd()) or Path.cwd()
    return LocalMailman(state_dir or base / STATE_DIR, web_url=_site_web_url(base), database=database,
                        progress=lambda text: click.echo(text.get(ctx.lang), err=True))


def _site_web_url(base: Path) -> str | None:
    """BINSITE_WEB_URL, else the site's own ``web_url``: the delivery class signs
    exactly the links the composed mail carries (None: leave it to the environment)."""
    import os

    from binsite.source.config import load_config

    if os.environ.get("BINSITE_WEB_URL"):
        return None
    config, _problems = load_config(base)
    return config.web_url if config is not None and config.web_url else None


@main.group("local-mailman")
def local_mailman() -> None:
    """A private, real Mailman 3 with an SMTP sink on this computer, for trying binsite out.

    \b
    Example:
      eval "$(binsite local-mailman start)"
      binsite lists sync && binsite send
      binsite local-mailman stop
    """


_state_dir_option = click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                                 help="Folder for Mailman's data and the delivered mail (default: .binsite/local/).")


@local_mailman.command("start")
@_state_dir_option
@click.option("--force/--no-force", default=False, help="Stop a half-running or stuck instance first.")
@click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the variables to this file (readable by you only), e.g. .binsite/local.env.")
@click.option("--database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True,
              help="Mailman's database: SQLite, or a private PostgreSQL in the state folder (as in production).")
@pass_context
@handle_errors
def local_start(ctx, state_dir: Path | None, force: bool, env_file: Path | None, database: str) -> None:
    """Start Mailman and the sink, wait until ready, print the variables to export.

    The first start installs Mailman Core into .binsite/mailman-venv (about half a minute).
    The variables include BINSITE_STATE_DIR: what is sent to this private
    Mailman is recorded in its own ledger, never in the repository's state/.
    With --database postgresql, Mailman keeps its data in a private PostgreSQL
    (Debian's postgresql package) on 127.0.0.1, in the state folder's postgres/ (as root:
    a folder of its own in /tmp, since PostgreSQL then runs as nobody),
    as production does; stop stops it too.

    \b
    Example:
      eval "$(binsite local-mailman start)"
      binsite local-mailman start --env-file .binsite/local.env
      binsite local-mailman start --database postgresql
    """
    from binsite.devtools.local_mailman import write_private

    local = _local(state_dir, ctx, database)
    state = local.start(force=force)
    # The secret the delivery class signs with: the web service verifies with the same.
    # The sink as the BIN's SMTP server: a desk answer from the CLI lands there too.
    variables = {**state.settings.environment(), "BINSITE_STATE_DIR": str(local.ledger_dir),
                 "BINSITE_SECRET_KEY": state.secret, "BINSITE_SMTP_HOST": "127.0.0.1",
                 "BINSITE_SMTP_PORT": str(state.smtp_port)}
    lines = "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())
    if env_file is not None:
        env_file.parent.mkdir(parents=True, exist_ok=True)
        write_private(env_file, lines)
    click.echo(lines, nl=False)
    _say_status(ctx, local.status(), err=True)


@local_mailman.command("stop")
@_state_dir_option
@pass_context
@handle_errors
def local_stop(ctx, state_dir: Path | None) -> None:
    """Stop the local Mailman and the sink (the delivered mail stays).

    \b
    Example:
      binsite local-mailman stop
    """
    if _local(state_dir, ctx).stop():
        ctx.say("Lokale Mailman gestopt.", "Local Mailman stopped.")
    else:
        ctx.say("De lokale Mailman draaide niet.", "The local Mailman was not running.")


@local_mailman.command("status")
@_state_dir_option
@pass_context
@handle_errors
def local_status(ctx, state_dir: Path | None) -> None:
    """Say whether the local Mailman runs, where, and where its mail goes.

    \b
    Example:
      binsite local-mailman status
    """
    _say_status(ctx, _local(state_dir, ctx).status(), err=False)


def _say_status(ctx, status: "LocalStatus", *, err: bool) -> None:
    from binsite.devtools.sink import read_maildir

    def say(nl: str, en: str, **params: object) -> None:
        click.echo((en if ctx.lang == "en" else nl).format(**params), err=err)

    state = status.state
    if state is None or not (status.master_running or status.sink_running):
        say("De lokale Mailman draait niet (map {d}). Start hem met: eval \"$(binsite local-mailman start)\"",
            "The local Mailman is not running (folder {d}). Start it with: eval \"$(binsite local-mailman start)\"",
            d=status.state_dir)
        return
    on = {True: ("draait", "running"), False: ("gestopt", "stopped")}
    say("Mailman Core: {s} (REST {u}, LMTP 127.0.0.1:{l})", "Mailman Core: {s} (REST {u}, LMTP 127.0.0.1:{l})",
        s=on[status.master_running][ctx.lang == "en"], u=state.settings.url, l=state.lmtp_port)
    say("SMTP-opvang: {s} op 127.0.0.1:{p}; afgeleverde mail ({n} berichten) staat in {m}",
        "SMTP sink: {s} on 127.0.0.1:{p}; delivered mail ({n} messages) is in {m}",
        s=on[status.sink_running][ctx.lang == "en"], p=state.smtp_port, n=len(read_maildir(state.maildir)),
        m=state.maildir)


@main.command("mail-config")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("mail-config"),
              show_default=True, help="Folder to write postfix/, opendkim/ and dns.txt into.")
@click.option("--hostname", default=None, help="The mail server's name (default: lists.<mail.domain>).")
@click.option("--selector", default="bin", show_default=True, help="The DKIM selector (the key's name in DNS).")
@click.option("--key-dir", default="/etc/opendkim/keys", show_default=True,
              help="Where opendkim-genkey put the key: <key-dir>/<domain>/<selector>.private.")
@pass_context
@handle_errors
def mail_config(ctx, out: Path, hostname: str | None, selector: str, key_dir: str) -> None:
    """Write the Postfix and OpenDKIM configuration and DNS records for the list domain.

    The files of the production chapter in docs/beheer.md (the test suite's
    rehearsal runs Postfix and OpenDKIM from the same): Postfix hands list
    mail to Mailman and signs all that leaves with DKIM, List-Unsubscribe and
    List-Unsubscribe-Post inside the signature.

    \b
    Example:
      binsite mail-config --out /tmp/mail-config --selector bin2026
    """
    from binsite.mailman.mailconfig import MailSetup, write_mail_config
    from binsite.source.network import load_network

    network = load_network(ctx.root).raise_for_errors()
    domain = network.config.mail.domain
    setup = MailSetup(domain=domain, hostname=hostname or f"lists.{domain}", selector=selector, key_dir=key_dir)
    for path in write_mail_config(setup, out):
        click.echo(str(path))


@main.group("lists")
def lists_group() -> None:
    """The Mailman lists of every area, as declared in lists/*.yaml.

    \b
    Example:
      binsite lists sync --dry-run
    """


@lists_group.command("sync")
@click.option("--dry-run/--no-dry-run", default=False, help="Only show what would change.")
@click.option("--wait", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="How long to wait for a send or another lists sync on the same ledger folder.")
@pass_context
@handle_errors
def lists_sync(ctx, dry_run: bool, wait: float) -> None:
    """Make Mailman match lists/ and binsite.yaml: lists, settings, owners, partners.

    Residents on the members lists are never touched. Needs BINSITE_MAILMAN_URL,
    BINSITE_MAILMAN_USER, BINSITE_MAILMAN_PASSWORD and BINSITE_LMTP.

    \b
    Example:
      binsite lists sync --dry-run
    """
    from binsite.cli.progress import ProgressLine
    from binsite.mailman.sync import sync
    from binsite.progress import SYNC

    line = ProgressLine(ctx.lang, min_items=50)
    done = 0
    if ctx.verbose:  # each change is printed below, in the reader's language: not logged again in English
        logging.getLogger("binsite.mailman.sync").setLevel(logging.WARNING)

    def step(change) -> None:
        nonlocal done
        done += 1
        if ctx.verbose:
            click.echo(change.describe().get(ctx.lang))
        else:
            line(SYNC, done)

    try:
        changes = sync(ctx.root, settings_from_env(), dry_run=dry_run, wait=wait,
                       progress=None if dry_run else step)
    finally:
        line.finish()
    if not changes:
        ctx.say("Mailman klopt al met lists/: niets te doen.", "Mailman already matches lists/: nothing to do.")
        return
    if dry_run and ctx.verbose:
        for change in changes:
            click.echo(change.describe().get(ctx.lang))
    summary = sync_summary(changes, ctx.lang, planned=dry_run)
    if dry_run:
        ctx.say("Gepland: {s}. Niets veranderd (--dry-run).", "Planned: {s}. Nothing changed (--dry-run).", s=summary)
    else:
        ctx.say("{s}.", "{s}.", s=summary[:1].upper() + summary[1:])
    if not ctx.verbose:
        ctx.say("Elke wijziging apart: binsite -v lists sync{d}", "Each change separately: binsite -v lists sync{d}",
                d=" --dry-run" if dry_run else "")


# What each kind of sync change is called in the summary: (Dutch one, Dutch many, English one, English many).
_SYNC_NOUNS = {
    "create-domain": ("maildomein", "maildomeinen", "mail domain", "mail domains"),
    "create-list": ("lijst", "lijsten", "list", "lists"),
    "set": ("instelling", "instellingen", "setting", "settings"),
    "add-owner": ("eigenaar", "eigenaars", "owner", "owners"),
    "add-moderator": ("moderator", "moderators", "moderator", "moderators"),
    "remove-owner": ("eigenaar", "eigenaars", "owner", "owners"),
    "remove-moderator": ("moderator", "moderators", "moderator", "moderators"),
    "accept-sender": ("vaste afzender", "vaste afzenders", "accepted sender", "accepted senders"),
    "subscribe": ("partner", "partners", "partner", "partners"),
    "unsubscribe": ("adres", "adressen", "address", "addresses"),
    "templates": ("lijst met eigen teksten", "lijsten met eigen teksten", "list's texts", "lists' texts"),
}
_SYNC_VERBS = {  # (Dutch done, Dutch planned, English done, English planned)
    "create-domain": ("aangemaakt", "aan te maken", "created", "to create"),
    "create-list": ("aangemaakt", "aan te maken", "created", "to create"),
    "set": ("gezet", "te zetten", "set", "to set"),
    "add-owner": ("toegevoegd", "toe te voegen", "added", "to add"),
    "add-moderator": ("toegevoegd", "toe te voegen", "added", "to add"),
    "remove-owner": ("weggehaald", "weg te halen", "removed", "to remove"),
    "remove-moderator": ("weggehaald", "weg te halen", "removed", "to remove"),
    "accept-sender": ("doorgelaten", "door te laten", "let through", "to let through"),
    "subscribe": ("ingeschreven", "in te schrijven", "subscribed", "to subscribe"),
    "unsubscribe": ("uitgeschreven", "uit te schrijven", "unsubscribed", "to unsubscribe"),
    "templates": ("bijgewerkt", "bij te werken", "updated", "to update"),
}


def sync_summary(changes, lang: str, *, planned: bool = False) -> str:
    """``8 lijsten aangemaakt, 96 instellingen gezet, 16 eigenaars toegevoegd``, in the plan's order."""
    from binsite.i18n import format_number

    counts: dict[str, int] = {}
    for change in changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    english = lang == "en"
    parts = []
    for action, count in counts.items():
        nouns = _SYNC_NOUNS.get(action, (action, action, action, action))
        verbs = _SYNC_VERBS.get(action, ("", "", "", ""))
        noun = nouns[2 * english + (count != 1)]
        verb = verbs[2 * english + planned]
        parts.append(f"{format_number(count, lang)} {noun} {verb}".strip())
    return ", ".join(parts)


_wait_option = click.option("--wait", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
                            help="How long to wait for another send or lists sync on the same ledger folder.")


@main.group("send", invoke_without_command=True)
@click.option("--dry-run/--no-dry-run", default=False, help="Only show what would be sent.")
@click.option("--now", "now_text", metavar="DATETIME", help="Send as if it were this moment (e.g. 2026-11-28T14:00).")
@click.option("--include-older/--no-include-older", default=False, help="Also send bulletins older than the send window.")
@click.option("--resend-changed/--no-resend-changed", default=False,
              help="Resend bulletins edited after sending, as a correction.")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The send ledger (default: state/sent.jsonl).")
@_wait_option
@click.option("--rebind/--no-rebind", default=False,
              help="Accept this site and this Mailman as the ledger's own (after moving either; check --dry-run first).")
@click.option("--adopt/--no-adopt", default=False,
              help="Send also to lists with posts this ledger knows nothing of (a new ledger for a network that "
                   "already has posts; restore the old ledger instead if there is one; check --dry-run first).")
@pass_context
@handle_errors
def send(ctx, dry_run: bool, now_text: str | None, include_older: bool, resend_changed: bool, ledger: Path | None,
         wait: float, rebind: bool, adopt: bool) -> None:
    """Mail every due bulletin that was not sent yet to its lists, exactly once.

    One send (or lists sync) at a time per ledger folder: another one waits
    up to --wait seconds, then stops without changing anything. A message
    whose outcome is uncertain is never resent on its own: settle it with
    'binsite send resolve'. A ledger that does not belong to this Mailman
    (or knows nothing of lists that already have posts) stops the send
    before anything goes out: see --rebind and --adopt.

    \b
    Example:
      binsite send --dry-run
      binsite send
      binsite send resolve K3QF7A --sent
    """
    if click.get_current_context().invoked_subcommand is not None:
        ctx.ledger_option = ledger
        return
    from binsite.mailing.run import SendUncertain
    from binsite.mailing.run import send as send_bulletins

    settings = _optional_settings() if dry_run else settings_from_env()
    now = resolve_now(now_text, _tz(ctx))
    try:
        result = send_bulletins(ctx.root, now=now, settings=settings, ledger_path=ledger, include_older=include_older,
                                resend_changed=resend_changed, dry_run=dry_run, wait=wait, rebind=rebind,
                                adopt=adopt,
                                progress=lambda e: ctx.say("verstuurd: {b} -> {l}", "sent: {b} -> {l}",
                                                           b=e.bulletin, l=e.list))
    except SendUncertain as exc:
        _report_send(ctx, exc.result, uncertain=False)
        raise
    _report_send(ctx, result)
    if result.refusal is not None:
        # The plan above is what --rebind or --adopt would send; without them a real send stops here.
        refusal = result.refusal
        raise BinsiteError(Text("een echte 'binsite send' zou nu stoppen: " + refusal.message("nl"),
                                "a real 'binsite send' would stop now: " + refusal.message("en")))
    if not dry_run:
        _keep_retention(ctx, settings, now)


def _keep_retention(ctx, settings, now) -> None:
    """The record periods (``retention:``), kept at every send so CI's schedule keeps them; a
    failure here is said, never a reason to call the send itself failed."""
    from binsite.avg import retention
    from binsite.cli.avg import say_tidied
    from binsite.mailman.client import MailmanClient
    from binsite.source.network import load_network
    try:
        network = load_network(ctx.root).raise_for_errors()
        done = retention.tidy(ctx.root, MailmanClient(settings), network.config, network.areas, now=now,
                              send=retention.notice_sender(network.config))
    except BinsiteError as exc:
        click.secho(t("let op: opruimen volgens de bewaartermijnen lukte niet ({e}); de volgende send probeert "
                      "het opnieuw", "note: keeping the retention periods failed ({e}); the next send tries again",
                      e=exc.message(ctx.lang)).get(ctx.lang), fg="yellow", err=True)
        return
    if done.anything or done.held_kept:
        say_tidied(ctx, done)


@send.command("resolve")
@click.argument("ref")
@click.option("--sent", "outcome", flag_value="sent", help="It did arrive: never send it again.")
@click.option("--resend", "outcome", flag_value="resend", help="It did not arrive: the next send sends it again.")
@_wait_option
@pass_context
@handle_errors
def send_resolve(ctx, ref: str, outcome: str | None, wait: float) -> None:
    """Record the outcome of a message that 'binsite send' reported as uncertain.

    Check on the list first whether it arrived (with a member, or in Mailman's log).

    \b
    Example:
      binsite send resolve K3QF7A --sent
      binsite send resolve K3QF7A --resend
    """
    from binsite.mailing.run import resolve_uncertain

    if outcome is None:
        raise BinsiteError(t("geef --sent (het kwam aan) of --resend (opnieuw versturen)",
                             "give --sent (it arrived) or --resend (send it again)"))
    entry = resolve_uncertain(ctx.root, ref, outcome, ledger_path=getattr(ctx, "ledger_option", None), wait=wait)
    if outcome == "sent":
        ctx.say("Vastgelegd: {b} -> {l} ({m}) is aangekomen en wordt niet opnieuw verstuurd.",
                "Recorded: {b} -> {l} ({m}) arrived and will not be sent again.",
                b=entry.bulletin, l=entry.list, m=entry.message_id)
    else:
        ctx.say("Vastgelegd: {b} -> {l} ({m}) gaat opnieuw mee met de volgende 'binsite send'.",
                "Recorded: {b} -> {l} ({m}) goes out again with the next 'binsite send'.",
                b=entry.bulletin, l=entry.list, m=entry.message_id)


def _optional_settings():
    """For a dry run Mailman is optional: without it, recipient counts are unknown."""
    if not all(os.environ.get(name) for name in ALL_VARIABLES):
        return None
    try:
        return settings_from_env()
    except BinsiteError:
        return None


def _recipients(count: int | str, kind: str, lang: str) -> str:
    """``3 leden``, ``1 lid``, ``2 partners`` (a partners list has partners, not members)."""
    if kind == "partners":
        return f"{count} {'partner' if count == 1 else 'partners'}"
    if lang == "en":
        return f"{count} {'member' if count == 1 else 'members'}"
    return f"{count} {'lid' if count == 1 else 'leden'}"


def _report_send(ctx, result: "SendResult", *, uncertain: bool = True) -> None:
    plan = result.plan
    members = {c.list: c.members for c in result.counts}
    if result.dry_run:
        for planned in plan.messages:
            count = members.get(planned.target.list, "?")
            what = ("zou een correctie sturen", "would send a correction") if planned.is_correction else \
                ("zou versturen", "would send")
            ctx.say("{w}: {b} -> {l} ({n})", "{w}: {b} -> {l} ({n})", w=what[ctx.lang == "en"], b=planned.bulletin.id,
                    l=planned.target.list, n=_recipients(count, planned.target.kind, ctx.lang))
        for overview in plan.overviews:
            count = members.get(overview.target.list, "?")
            ctx.say("zou het weekoverzicht versturen: {k} ({n} bericht(en)) -> {l} ({r})",
                    "would send the weekly overview: {k} ({n} bulletin(s)) -> {l} ({r})", k=overview.key,
                    n=len(overview.bulletins), l=overview.target.list, r=_recipients(count, "members", ctx.lang))
    if plan.quiet_until is not None and (plan.quiet or plan.overviews_held):
        from binsite.i18n import format_datetime

        until = format_datetime(plan.quiet_until, ctx.lang)
        for held in plan.quiet:
            ctx.say("stille uren: tegengehouden tot {u}: {b} -> {l} (de eerste send na {u} verstuurt het)",
                    "quiet hours: held until {u}: {b} -> {l} (the first send after {u} sends it)",
                    u=until, b=held.bulletin.id, l=held.target.list)
        for overview in plan.overviews_held:
            ctx.say("stille uren: weekoverzicht tegengehouden tot {u}: {k} -> {l}",
                    "quiet hours: weekly overview held until {u}: {k} -> {l}",
                    u=until, k=overview.key, l=overview.target.list)
    for held in plan.changed:
        ctx.say("gewijzigd na verzenden, niet opnieuw verstuurd: {b} -> {l} (verstuur een correctie met --resend-changed)",
                "changed after sending, not resent: {b} -> {l} (send a correction with --resend-changed)",
                b=held.bulletin.id, l=held.target.list)
    if plan.too_old:
        ctx.say("{n} bericht(en) ouder dan het verzendvenster ({d} dagen) niet verstuurd; gebruik --include-older om ze toch te sturen.",
                "{n} message(s) older than the send window ({d} days) not sent; pass --include-older to send them anyway.",
                n=len(plan.too_old), d=plan.window_days)
    if not plan.count:
        ctx.say("Niets te versturen.", "Nothing to send.")
    elif result.dry_run:
        ctx.say("{n} bericht(en) gepland; niets verstuurd (--dry-run).", "{n} message(s) planned; nothing sent (--dry-run).",
                n=plan.count)
    else:
        ctx.say("{n} bericht(en) verstuurd en vastgelegd in het verzendlogboek.", "{n} message(s) sent and recorded in the ledger.",
                n=len(result.sent))
    if uncertain and result.uncertain:
        from binsite.mailing.run import describe_uncertain

        click.secho(describe_uncertain(result.uncertain).get(ctx.lang), fg="yellow", err=True)
