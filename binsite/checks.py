"""``binsite check``: everything that can be wrong before a build or a send.

Runs the loaders' validation (YAML, dates, areas, categories, follow-ups),
the personal-data guard on every bulletin, and lists bulletins that leave the
public archive within a week. Per-file work is cached (``binsite.analyse``),
so a check after a small edit redoes only that file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from binsite.analyse import Analysis, analyse_content, parse_context
from binsite.areas import load_areas
from binsite.cache import BodyStore, BuildCache
from binsite.compact import many_objects
from binsite.config import load_config
from binsite.content import expiry_date
from binsite.errors import InvalidSite, Problem, Severity, note, sort_problems
from binsite.i18n import t
from binsite.site import Site, assemble, is_expired, is_public

EXPIRY_NOTICE_DAYS = 7


@dataclass(frozen=True)
class CheckResult:
    site: Site | None
    problems: tuple[Problem, ...]
    # Per bulletin id: its analysis (excerpt, search words, body key).
    analyses: dict[str, Analysis] = field(default_factory=dict)
    bodies: BodyStore = field(default_factory=BodyStore)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def expiring_soon(site: Site, now: datetime) -> list[Problem]:
    """Notes for public bulletins that leave the archive within a week."""
    notes: list[Problem] = []
    today = now.astimezone(site.config.tz).date()
    for bulletin in site.bulletins:
        last_day = expiry_date(bulletin, site.config)
        if (last_day is None or not is_public(bulletin) or bulletin.draft
                or is_expired(bulletin, site.config, now)):
            continue
        if last_day - today < timedelta(days=EXPIRY_NOTICE_DAYS):
            notes.append(note(bulletin.source, bulletin.line_of("date"), t(
                "verdwijnt na {d} uit het openbare archief (bewaartermijn); zet 'expires:' later als dat nodig is",
                "leaves the public archive after {d} (retention); set a later 'expires:' if needed", d=last_day.isoformat()),
                code="retention"))
    return notes


def check_site(root: Path, now: datetime, *, cache: BuildCache | None = None,
               listing: list[tuple[str, os.stat_result]] | None = None, workers: int | None = None) -> CheckResult:
    """Check everything. With ``cache`` (persistent or not) unchanged files are
    not redone. ``workers``: processes for the analysis (default: one per core)."""
    cache = cache if cache is not None else BuildCache.memory()
    config, problems = load_config(root)
    if config is None:
        return CheckResult(site=None, problems=tuple(sort_problems(problems)))
    areas, more = load_areas(root, config)
    problems += more
    analyses, more = analyse_content(root, parse_context(config, areas), cache, listing=listing, workers=workers)
    problems += more
    site, more = assemble(root, config, areas, [(a.bulletin, a.problems) for a in analyses])
    problems += more + expiring_soon(site, now)
    by_id = {a.bulletin.id: a for a in analyses if a.bulletin is not None}
    return CheckResult(site=site, problems=tuple(sort_problems(problems)), analyses=by_id, bodies=cache.bodies)


def checked_with_cache(root: Path, now: datetime) -> CheckResult:
    """``checked`` with the site's own build cache, saved afterwards even when
    the site has errors: what was analysed now is not analysed again (by the
    next build, send or check). Without it a command re-read, guarded and
    rendered every bulletin: half a minute of work at city scale."""
    from binsite.leftovers import in_progress, sweep

    sweep(root)
    with in_progress(root):
        cache = BuildCache.open(root)
        try:
            with many_objects():
                return checked(root, now, cache=cache)
        finally:
            cache.save()


def checked(root: Path, now: datetime, *, cache: BuildCache | None = None,
            listing: list[tuple[str, os.stat_result]] | None = None, workers: int | None = None) -> CheckResult:
    """Like ``check_site`` but raises ``InvalidSite`` when there is any error."""
    result = check_site(root, now, cache=cache, listing=listing, workers=workers)
    if result.site is None or result.errors:
        raise InvalidSite(list(result.problems))
    return result
