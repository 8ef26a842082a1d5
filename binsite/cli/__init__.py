"""The ``binsite`` command: a thin layer over the library.

Each command parses options, calls one library function and prints. Library
errors (``BinsiteError``) become a clear message and a non-zero exit here;
the library itself never imports click. Commands live in modules by theme:
``site`` (check, build, new, serve), ``mail`` (local-mailman, lists, send),
``desk`` (inbox, members), ``stats``.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
from pathlib import Path

import click

from binsite import __version__
from binsite.errors import BinsiteError, InvalidSite, Problem
from binsite.cli.help_nl import LocalisedGroup, localise
from binsite.i18n import current_language, t
from binsite.model.site import find_root


class Context:
    """What every command gets: the site root and the output language."""

    def __init__(self, root: Path | None, verbose: bool):
        self._root = root
        self.verbose = verbose
        self.lang = current_language()

    @property
    def root(self) -> Path:
        if self._root is not None:
            return self._root
        found = find_root(Path.cwd())
        if found is None:
            raise BinsiteError(t(
                "geen binsite.yaml gevonden in deze map of een map erboven; ga naar de map van uw BIN of geef --root MAP",
                "no binsite.yaml found in this folder or above; go to your BIN's folder or pass --root DIR"))
        return found

    def say(self, nl: str, en: str, **params: object) -> None:
        click.echo(t(nl, en, **params).get(self.lang))


def print_problems(problems: list[Problem], lang: str) -> None:
    for problem in problems:
        click.echo(problem.format(lang), err=True)


def handle_errors(func):
    """Turn library errors into a message and exit status 1 (problems are listed first)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        lang = current_language()
        try:
            return func(*args, **kwargs)
        except InvalidSite as exc:
            print_problems(exc.problems, lang)
            click.secho(exc.message(lang), fg="red", err=True)
            sys.exit(1)
        except BinsiteError as exc:
            click.secho(t("fout: {m}", "error: {m}", m=exc.message(lang)).get(lang), fg="red", err=True)
            sys.exit(1)

    return wrapper


class _LazyGroup(LocalisedGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(f"binsite.cli.{COMMAND_MODULES[name]}")
        command = super().get_command(ctx, name)
        if command is not None:
            localise(command, current_language(), name)
        return command

    def main(self, *args, **kwargs):
        # The language is chosen now (BINSITE_LANG), not when the modules were imported.
        localise(self, current_language())
        return super().main(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_commands()
        return super().list_commands(ctx)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the BIN (holding binsite.yaml). Default: the nearest one upwards from here.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.version_option(__version__, prog_name="binsite")
@click.pass_context
def main(ctx: click.Context, root: Path | None, verbose: bool) -> None:
    """binsite: the bulletins of a Buurt Informatie Netwerk, as a public archive and as e-mail.

    \b
    Examples:
      binsite check                 check every bulletin, list and setting
      binsite build                 build the public archive into _site/
      binsite new maaspoort "Fiets gestolen bij de school"
      binsite send --dry-run        show what would be mailed
      binsite inbox                 what members sent, waiting for the BINCO

    Set BINSITE_LANG=en for English messages.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(root.resolve() if root else None, verbose)


pass_context = click.make_pass_decorator(Context)

# Which module defines each command. Modules are imported only when one of
# their commands runs (or for --help), so `binsite build` does not load the
# Mailman client, and the commands register themselves on ``main``.
COMMAND_MODULES = {
    "check": "site", "build": "site", "new": "site", "serve": "site",
    "local-mailman": "mail", "lists": "mail", "send": "mail", "mail-config": "mail",
    "inbox": "desk", "members": "desk", "desk": "desk",
    "stats": "stats",
    "web": "web",
    "avg": "avg",
}


def load_commands() -> click.Group:
    """Import every command module (for help, docs and tests); returns ``main``."""
    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"binsite.cli.{module}")
    return main
