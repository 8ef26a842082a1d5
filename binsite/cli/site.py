"""Commands for the archive: check, build, new, serve."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from binsite.cli import handle_errors, main, pass_context, print_problems
from binsite.clock import resolve_now
from binsite.source.config import load_config
from binsite.errors import BinsiteError, InvalidSite
from binsite.i18n import t

# Library modules are imported inside the commands: `binsite build` with
# nothing to do must not pay for loading Markdown, Jinja and the guard.


def _count(n: int, one_nl: str, many_nl: str, one_en: str, many_en: str, lang: str) -> str:
    """``1 fout``, ``14 fouten``: the word that goes with the number."""
    if lang == "en":
        return f"{n} {one_en if n == 1 else many_en}"
    return f"{n} {one_nl if n == 1 else many_nl}"


def _tz(ctx):
    config, problems = load_config(ctx.root)
    if config is None:
        raise InvalidSite(problems)
    return config.tz


@main.command()
@click.option("--strict/--no-strict", default=False, help="Treat warnings as errors.")
@click.option("--now", "now_text", metavar="DATETIME", help="Check as if it were this moment (e.g. 2026-11-28T14:00).")
@pass_context
@handle_errors
def check(ctx, strict: bool, now_text: str | None) -> None:
    """Check settings, lists and every bulletin; list ALL problems as file:line.

    Exit status 1 when there is an error (or, with --strict, a warning).

    \b
    Example:
      binsite check --strict
    """
    from binsite.incremental.cache import BuildCache
    from binsite.load import load_site

    now = resolve_now(now_text, _tz(ctx))
    cache = BuildCache.open(ctx.root)
    result = load_site(ctx.root, now, cache=cache)
    cache.save()
    print_problems(list(result.problems), ctx.lang)
    errors, warnings = len(result.errors), len(result.warnings)
    bulletins = len(result.site.bulletins) if result.site else 0
    if result.ok(strict=strict):
        ctx.say("In orde: {n}, {w}.", "OK: {n}, {w}.", n=_count(bulletins, "bericht gecontroleerd", "berichten gecontroleerd",
                                                                    "bulletin checked", "bulletins checked", ctx.lang),
                w=_count(warnings, "waarschuwing", "waarschuwingen", "warning", "warnings", ctx.lang))
        return
    ctx.say("{e}, {w}. Herstel de genoemde regels en controleer opnieuw.",
            "{e}, {w}. Fix the lines named above and check again.",
            e=_count(errors, "fout", "fouten", "error", "errors", ctx.lang),
            w=_count(warnings, "waarschuwing", "waarschuwingen", "warning", "warnings", ctx.lang))
    raise SystemExit(1)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: _site/ in the BIN's folder).")
@click.option("--drafts/--no-drafts", default=False, help="Include drafts (for a preview; never publish this).")
@click.option("--now", "now_text", metavar="DATETIME", help="Build as if it were this moment: what is due, what expired.")
@click.option("--cache/--no-cache", default=True, help="Reuse .binsite/cache to redo only what changed (default: on).")
@click.option("--progress/--no-progress", default=True,
              help="Show progress per phase (default: updated in place on a terminal, else plain lines).")
@pass_context
@handle_errors
def build(ctx, out: Path | None, drafts: bool, now_text: str | None, cache: bool, progress: bool) -> None:
    """Build the public archive: pages, feeds, search, sitemap.

    Nothing is written when any bulletin has an error (run `binsite check`).

    \b
    Example:
      binsite build --out public/
    """
    from binsite.build import build as build_site
    from binsite.cli.progress import ProgressLine

    now = resolve_now(now_text, _tz(ctx))
    line = ProgressLine(ctx.lang) if progress else None
    try:
        result = build_site(ctx.root, out or ctx.root / "_site", now=now, drafts=drafts, cache=cache, progress_to=line)
    finally:
        if line is not None:
            line.finish()
    print_problems(list(result.warnings), ctx.lang)
    ctx.say("Gebouwd: {p} pagina's met {b} berichten in {o} ({w} bijgewerkt, {r} verwijderd).",
            "Built: {p} pages with {b} bulletins in {o} ({w} updated, {r} removed).",
            p=result.pages, b=result.bulletins, o=result.out, w=result.report.written, r=result.report.removed)


@main.command()
@click.argument("area")
@click.argument("title")
@click.option("--category", "-c", default=None, help="Category from binsite.yaml, e.g. inbraak.")
@click.option("--audience", "-a", type=click.Choice(["members", "partners", "all"]), default="members",
              help="Who gets it by e-mail (members, partners or all).")
@click.option("--date", "date_text", default=None, metavar="DATE", help="Date of the bulletin (default: now).")
@pass_context
@handle_errors
def new(ctx, area: str, title: str, category: str | None, audience: str, date_text: str | None) -> None:
    """Write a new bulletin file with its front matter filled in, and print its path.

    AREA is an area id (a file name in lists/) or `notices`.

    \b
    Example:
      binsite new maaspoort "Fiets gestolen bij de school" --category inbraak
    """
    from binsite.newfile import new_bulletin

    when = resolve_now(date_text, _tz(ctx))
    path = new_bulletin(ctx.root, area, title, when=when, category=category, audience=audience)
    click.echo(path.relative_to(ctx.root).as_posix())


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--drafts/--no-drafts", default=True, help="Show drafts while editing.")
@pass_context
@handle_errors
def serve(ctx, port: int, drafts: bool) -> None:
    """Preview the site on http://127.0.0.1:PORT/, rebuilt and reloaded on every change.

    \b
    Example:
      binsite serve --port 8080
    """
    from binsite.serve import serve as run_server

    tz = _tz(ctx)
    config, _ = load_config(ctx.root)
    try:
        run_server(ctx.root, port=port, now=lambda: datetime.now(tz), drafts=drafts,
                   on_build=click.echo, base_path=config.base_path)
    except OSError as exc:
        raise BinsiteError(t("kan niet serveren op poort {p}: {e}", "cannot serve on port {p}: {e}", p=port, e=exc)) from exc
