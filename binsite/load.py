"""The one door into the model: ``load_site`` reads, validates and guards
the whole site and returns it as one frozen value.

Build, send, lists sync, stats, serve and ``binsite check`` all go through
it, so what they act on passed everything ``binsite check`` checks: the
loaders' validation (YAML, dates, areas, categories, follow-ups), the
personal-data guard on every bulletin and on the published settings texts,
no symbolic links, and notes on bulletins that leave the public archive
within a week. Per-file work is cached (``binsite.incremental.analyse``), so a load
after a small edit redoes only that file; ``site_cache`` opens the site's
own cache for a command and saves it afterwards.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from binsite.incremental.analyse import analyse_content, parse_context
from binsite.model.analysis import Analysis
from binsite.incremental.cache import BodyStore, BuildCache
from binsite.incremental.compact import many_objects
from binsite.source.content import expiry_date
from binsite.errors import InvalidSite, Problem, Severity, error, note, sort_problems
from binsite.i18n import t
from binsite.source.network import load_network
from binsite.model.site import Site, assemble, is_expired, is_public

if TYPE_CHECKING:
    from binsite.source.content import Bulletin
    from binsite.render.markup import RenderedBody

EXPIRY_NOTICE_DAYS = 7
# What binsite reads and publishes: none of it may be a symbolic link or lie
# outside the repository (a committed link published /proc/self/environ).
READ_PATHS = ("binsite.yaml", "content", "lists", "templates", "docs")


@dataclass(frozen=True)
class LoadedSite:
    """The site as loaded: the model (None when ``binsite.yaml`` could not be
    read), every problem found, sorted, and what the analysis left for the
    renderers and the mail (per bulletin id its analysis; the rendered bodies)."""

    site: Site | None
    problems: tuple[Problem, ...]
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

    def body(self, bulletin: Bulletin) -> RenderedBody:
        """The bulletin's body as the analysis rendered it (from the body store)."""
        return self.bodies.get(self.analyses[bulletin.id].body_key)

    def raise_for_errors(self) -> "LoadedSite":
        """This value, or ``InvalidSite`` (with every problem) when anything is an error."""
        if self.site is None or self.errors:
            raise InvalidSite(list(self.problems))
        return self


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


def link_problems(root: Path) -> list[Problem]:
    """An error for every symbolic link (and every path resolving outside
    ``root``) among what binsite reads: it is never followed."""
    from binsite.incremental.fastpath import walk_files

    problems: list[Problem] = []
    real_root = os.path.realpath(root)

    def refuse(rel: str) -> None:
        problems.append(error(rel, None, t(
            "is een symbolische koppeling of ligt buiten de repository; binsite volgt die niet. "
            "Zet het bestand zelf hier (git: geen symlink), of haal het weg",
            "is a symbolic link or lies outside the repository; binsite does not follow it. "
            "Put the file itself here (git: no symlink), or remove it"), code="link"))

    for name in READ_PATHS:
        path = os.path.join(str(root), name)
        if not os.path.lexists(path):
            continue
        real = os.path.realpath(path)
        if os.path.islink(path) or os.path.commonpath([real_root, real]) != real_root:
            refuse(name)
            continue
        if os.path.isdir(path):
            links: list[str] = []
            for _ in walk_files(path, links):
                pass
            for rel in links:
                refuse(name + rel.replace(os.sep, "/"))
    return problems


def text_problems(root: Path, config, areas, ctx) -> list[Problem]:
    """Personal data in the published texts of ``binsite.yaml`` and
    ``lists/*.yaml`` (site title and description, area name, district,
    description and how to join), at the line of their key."""
    from binsite import privacy

    def line_of(rel: str, key: str) -> int | None:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
        return text.count("\n", 0, match.start()) + 1 if match else None

    allowed = dict(allowed_addresses=frozenset(ctx.allowed_addresses), allowed_domains=frozenset(ctx.allowed_domains))
    fields = [("title", config.title), ("description", config.description), ("organisation", config.organisation),
              ("sender_name", config.mail.sender_name)]
    texts = [(line_of(config.source, key), value) for key, value in fields if value]
    texts += [(line_of(config.source, c.id), label) for c in config.categories for label in (c.label_nl, c.label_en)
              if label and label != c.id]
    problems = privacy.check_texts(config.source, texts, **allowed)
    for area in areas:
        texts = [(line_of(area.source, key), value) for key, value in (
            ("name", area.name), ("district", area.district), ("description", area.description), ("join", area.join))
            if value]
        problems += privacy.check_texts(area.source, texts, **allowed)
    return problems


def load_site(root: Path, now: datetime, *, cache: BuildCache | None = None,
              listing: list[tuple[str, os.stat_result]] | None = None, workers: int | None = None) -> LoadedSite:
    """Read, validate and guard everything at ``now``. With ``cache``
    (persistent or not; default: a fresh one in memory) unchanged files are
    not redone. ``listing``: ``analyse.content_files(root)`` when the caller
    has just walked it; ``workers``: processes for the analysis (default: one
    per core). Never raises for the site's own errors: see ``raise_for_errors``."""
    cache = cache if cache is not None else BuildCache.memory()
    links = link_problems(root)
    if any(p.path == "binsite.yaml" for p in links):  # not even read
        return LoadedSite(site=None, problems=tuple(sort_problems(links)))
    network = load_network(root)
    problems = [*network.problems, *links]
    config, areas = network.config, network.areas
    if config is None:
        return LoadedSite(site=None, problems=tuple(sort_problems(problems)))
    ctx = parse_context(config, areas)
    problems += text_problems(root, config, areas, ctx)
    analyses, more = analyse_content(root, ctx, cache, listing=listing, workers=workers)
    problems += more
    site, more = assemble(root, config, areas, [(a.bulletin, a.problems) for a in analyses])
    problems += more + expiring_soon(site, now)
    by_id = {a.bulletin.id: a for a in analyses if a.bulletin is not None}
    return LoadedSite(site=site, problems=tuple(sort_problems(problems)), analyses=by_id, bodies=cache.bodies)


@contextmanager
def site_cache(root: Path) -> Iterator[BuildCache]:
    """The site's own build cache for one command (send, lists sync, stats),
    saved afterwards even when the site has errors: what was analysed now is
    not analysed again by the next build, send or check. Without it a
    command re-read, guarded and rendered every bulletin: half a minute of
    work at city scale. What a killed run left is cleared first, and this
    run is marked as writing to the cache (``binsite.incremental.leftovers``)."""
    from binsite.incremental.leftovers import in_progress, sweep

    sweep(root)
    with in_progress(root):
        cache = BuildCache.open(root)
        try:
            with many_objects():
                yield cache
        finally:
            cache.save()
