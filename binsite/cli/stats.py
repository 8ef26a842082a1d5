"""``binsite stats``: figures for the steering group, from the repository's files only."""

from __future__ import annotations

import click

from binsite.cli import handle_errors, main, pass_context, print_problems
from binsite.cli.site import _tz
from binsite.clock import resolve_now
from binsite.stats import FORMATS  # the package only: the figures load when the command runs


@main.command()
@click.option("--since", metavar="DATE", help="First day counted, e.g. 2026-09-01.")
@click.option("--until", metavar="DATE", help="Last day counted, e.g. 2026-11-30.")
@click.option("--area", "areas", multiple=True, metavar="AREA", help="Only this area (repeat for more).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for reading, csv for spreadsheets, json for other tools.")
@click.option("--now", "now_text", metavar="DATETIME", help="Count as if it were this moment (what has appeared).")
@click.option("--desk/--no-desk", default=False,
              help="The desk's figures instead: reports in, forwarded, answered, published, median time to handle, "
                   "partners' notices and answers, median time from forward to a partner's answer.")
@click.option("--audit", is_flag=True, default=False,
              help="With --desk: the audit trail, privileged actions (logins, second factors, publish, approve, "
                   "forward, erase, import, member changes) per person and month.")
@pass_context
@handle_errors
def stats(ctx, since: str | None, until: str | None, areas: tuple[str, ...], fmt: str, now_text: str | None,
          desk: bool, audit: bool) -> None:
    """Figures for the steering group: bulletins per area, month, category and
    author, urgent share, follow-ups, messages sent, lead times, members and
    bounces per list per month.

    Counts every bulletin that appeared, also partners-only and non-public ones,
    from content/, state/sent.jsonl, state/members.jsonl and state/bounces.jsonl.
    Never contacts Mailman, so member and bounce figures are as recent as the
    last send or lists sync.

    \b
    With --desk: per area and month the desk's logbook (in the service's
    database):
    reports in, forwarded, answered, bulletins published, the median
    time from a report's arrival to its first handling, and the partners'
    notices, answers and median time from forward to their first answer.

    \b
    Example:
      binsite stats --since 2026-09-01 --area maaspoort --area empel
      binsite stats --format csv > bin-statistieken.csv
      binsite stats --desk --since 2026-09-01
      binsite stats --desk --audit --since 2026-09

    \b
    With --desk --audit: per person (role and a short digest, never an
    address) and month how often each privileged action happened.
    """
    if audit and not desk:
        raise click.UsageError("--audit hoort bij --desk: binsite stats --desk --audit")
    if desk and audit:
        from binsite.stats.audit import load_audit, render_audit

        click.echo(render_audit(load_audit(ctx.root, since=since, until=until), fmt, lang=ctx.lang), nl=False)
        return
    if desk:
        from binsite.stats.desk import load_desk_figures, render_desk

        rows = load_desk_figures(ctx.root, area_ids=areas, since=since, until=until)
        click.echo(render_desk(rows, fmt, lang=ctx.lang), nl=False)
        return
    now = resolve_now(now_text, _tz(ctx))
    from binsite.stats.report import render
    from binsite.stats.sources import load_stats

    figures, problems = load_stats(ctx.root, now=now, since=since, until=until, area_ids=areas)
    print_problems(problems, ctx.lang)
    click.echo(render(figures, fmt, lang=ctx.lang), nl=False)
