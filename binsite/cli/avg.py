"""``binsite avg``: access (inzage), erasure (wissen) and retention (opruimen, termijnen).

Each command opens the site and Mailman, makes one library call in
``binsite.avg`` and prints what it found or did. These are the administrator's
commands: they see every area (a BINCO uses the desk, which sees only their own).
"""

from __future__ import annotations

import sys

import click

from binsite.avg import erase as erase_lib
from binsite.avg import holdings as holdings_lib
from binsite.avg import retention as retention_lib
from binsite.avg import text as text_lib
from binsite.cli import handle_errors, main, pass_context
from binsite.cli.help_nl import LocalisedGroup
from binsite.clock import resolve_now
from binsite.desk import logbook
from binsite.desk.desk import open_desk
from binsite.mailman.settings import settings_from_env


@main.group("avg", cls=LocalisedGroup)
def avg() -> None:
    """The AVG (GDPR): what binsite holds about an address, erasing it, retention.

    \b
    Examples:
      binsite avg inzage jan@example.org
      binsite avg inzage jan@example.org --format json --volledig
      binsite avg wissen jan@example.org
      binsite avg opruimen
      binsite avg termijnen
    """


@avg.command("inzage")
@click.argument("address", metavar="ADRES")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              help="text (readable) or json.")
@click.option("--volledig/--kort", "full", default=False, help="Show the text of held messages too.")
@pass_context
@handle_errors
def inzage(ctx, address: str, output: str, full: bool) -> None:
    """Everything binsite and its Mailman hold about ADRES, and where (AVG art. 15).

    Memberships, join requests, held messages, Mailman's address record,
    logbook and session lines, one-click requests in the spool, and bulletins
    or settings that name the address. Changes nothing.

    \b
    Example:
      binsite avg inzage jan@example.org --format json
    """
    desk = open_desk(ctx.root, settings_from_env())
    found = holdings_lib.find(desk.root, desk.client, address, domain=desk.domain, full=full)
    click.echo(text_lib.as_json(found) if output == "json" else text_lib.render(found, ctx.lang))


@avg.command("wissen")
@click.argument("address", metavar="ADRES")
@pass_context
@handle_errors
def wissen(ctx, address: str) -> None:
    """Erase ADRES everywhere binsite and its Mailman keep it (AVG art. 17).

    Discards held messages and join requests, removes every membership
    without a goodbye mail, deletes Mailman's address and user, clears the
    spool and the logbook's digest, and records that an erasure happened
    (never the address). Bulletins that name the address are never edited:
    they are listed and the exit status is 1 until they are changed. Safe to
    repeat. With BINSITE_MAILMAN_DB, Mailman's SQLite database is compacted.

    \b
    Example:
      binsite avg wissen jan@example.org
    """
    desk = open_desk(ctx.root, settings_from_env())
    erasure = erase_lib.erase(desk.root, desk.client, address, domain=desk.domain, actor=logbook.operator())
    click.echo(text_lib.render_erasure(erasure, ctx.lang))
    if not erasure.complete:
        sys.exit(1)


@avg.command("opruimen")
@click.option("--now", "now_text", default=None, help="Act as if it is this moment (e.g. 2026-11-28T14:00).")
@pass_context
@handle_errors
def opruimen(ctx, now_text: str | None) -> None:
    """Remove what is older than its retention period (retention: in binsite.yaml).

    Held messages (default 30 days; the BINCOs get a notice first, over
    BINSITE_SMTP_HOST/PORT), desk logbook and session lines (12 months),
    one-click requests in the web spool (30 days). Also runs at the end of
    every 'binsite send'.

    \b
    Example:
      binsite avg opruimen
    """
    desk = open_desk(ctx.root, settings_from_env())
    now = resolve_now(now_text, desk.config.tz)
    done = retention_lib.tidy(desk.root, desk.client, desk.config, desk.areas, now=now,
                              send=retention_lib.notice_sender(desk.config))
    say_tidied(ctx, done)


def say_tidied(ctx, done: retention_lib.Tidied) -> None:
    """What ``tidy`` removed, in one or two lines (shared with ``binsite send``)."""
    if not done.anything and not done.held_kept:
        ctx.say("Opruimen: niets ouder dan de bewaartermijnen.", "Retention: nothing older than its period.")
        return
    ctx.say("Opruimen: {h} vastgehouden bericht(en) verwijderd, {l} logboekregel(s), {s} sessieregel(s), "
            "{p} afmelding(en) uit de wachtrij.",
            "Retention: {h} held message(s) discarded, {l} logbook line(s), {s} session line(s), "
            "{p} spooled request(s).", h=len(done.held), l=done.logbook_lines, s=done.session_lines,
            p=done.spool_entries)
    if done.held_kept:
        ctx.say("Let op: {n} vastgehouden bericht(en) zijn over hun termijn maar bewaard, omdat de melding aan de "
                "BINCO niet verstuurd kon worden (zet BINSITE_SMTP_HOST en BINSITE_SMTP_PORT).",
                "Note: {n} held message(s) are past their period but kept, because the notice to the BINCO "
                "could not be sent (set BINSITE_SMTP_HOST and BINSITE_SMTP_PORT).", n=done.held_kept)


@avg.command("termijnen")
@pass_context
@handle_errors
def termijnen(ctx) -> None:
    """Every retention period of the site in one place (records, then the archive per category).

    \b
    Example:
      binsite avg termijnen
    """
    from binsite.source.network import load_network
    network = load_network(ctx.root).raise_for_errors()
    for key, days in retention_lib.periods(network.config):
        shown = ("forever" if ctx.lang == "en" else "altijd") if days is None else \
            (f"{days} days" if ctx.lang == "en" else f"{days} dagen")
        click.echo(f"{key:<28} {shown}")
