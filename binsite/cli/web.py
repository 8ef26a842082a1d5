"""The ``binsite web`` command: the web service on loopback, for a preview."""

from __future__ import annotations

import os

import click

from binsite.cli import handle_errors, main, pass_context
from binsite.errors import BinsiteError
from binsite.i18n import t


@main.command("web")
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port on 127.0.0.1.")
@pass_context
@handle_errors
def web(ctx, port: int) -> None:
    """Run the residents' web service on http://127.0.0.1:PORT/ (production: gunicorn, see docs/beheer.md).

    Needs BINSITE_SECRET_KEY, the Mailman variables and BINSITE_SMTP_HOST/PORT.

    \b
    Example:
      binsite web --port 8050
    """
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
