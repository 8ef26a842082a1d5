"""The ``binsite web`` command: the web service on loopback, for a preview."""

from __future__ import annotations

import os

import click

from binsite.cli import handle_errors, main, pass_context
from binsite.errors import BinsiteError
from binsite.i18n import t


@main.group("web", invoke_without_command=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port on 127.0.0.1.")
@pass_context
@handle_errors
def web(ctx, port: int) -> None:
    """Run the residents' web service on http://127.0.0.1:PORT/ (production: gunicorn, see docs/beheer.md).

    Needs BINSITE_SECRET_KEY, the Mailman variables and BINSITE_SMTP_HOST/PORT;
    BINSITE_DATABASE_URL for a database shared by several instances.

    \b
    Example:
      binsite web --port 8050
      binsite web migrate-state
    """
    if click.get_current_context().invoked_subcommand:
        return
    from binsite.web.app import create_app
    from binsite.web.server import serve

    app = create_app(ctx.root, environ=os.environ)
    ctx.say("De webdienst draait op http://127.0.0.1:{p}/ (Ctrl-C stopt)",
            "The web service runs on http://127.0.0.1:{p}/ (Ctrl-C stops)", p=port)
    try:
        serve(app, "127.0.0.1", port)
    except OSError as exc:
        raise BinsiteError(t("kan de webdienst niet starten op poort {p}: {e}",
                             "cannot start the web service on port {p}: {e}", p=port, e=exc)) from exc


@web.command("migrate-state")
@pass_context
@handle_errors
def migrate_state(ctx) -> None:
    """Make or update the service's database and read the old state files into it (once).

    The database is BINSITE_DATABASE_URL, else state/web.sqlite. The service does
    the same at its first start; this does it on purpose, before it (a second
    time reads nothing: nothing is doubled).

    \b
    Example:
      BINSITE_DATABASE_URL=postgresql+psycopg://binsite@db/binsite binsite web migrate-state
    """
    from binsite.store import Store
    from binsite.store.files import import_site

    store = Store.open(ctx.root, os.environ)
    try:
        done = import_site(store, ctx.root, os.environ)
        revision = store.revision()
    finally:
        store.dispose()
    ctx.say("Database {u} bijgewerkt (versie {r}): {b} logboekregels, {l} gebruikte inloglinks, {s} beëindigde "
            "sessies, {n} afmeldingen in de wachtrij, {p} regels van partners, {m} verhuisde lidmaatschappen, "
            "{w} meldingen die op bevestiging wachten ingelezen.",
            "Database {u} up to date (revision {r}): read in {b} logbook lines, {l} used login links, {s} ended "
            "sessions, {n} queued unsubscribes, {p} partner records, {m} membership moves, {w} reports waiting "
            "for confirmation.",
            u=repr(store)[6:-1], r=revision, b=done.lines, l=done.logins, s=done.sessions, n=done.spooled,
            p=done.partner_records, m=done.moves, w=done.reports)
    if done.already:
        ctx.say("Al eerder ingelezen (niet opnieuw): {a}.", "Read in before (not again): {a}.",
                a=", ".join(done.already))
