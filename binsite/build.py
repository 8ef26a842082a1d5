"""``binsite build``: read -> validate -> model -> render -> write."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from binsite.errors import Problem
from binsite.markup import RenderedBody, render_body
from binsite.render.environment import make_environment, template_dirs
from binsite.render.model import build_archive, public_bulletins
from binsite.render.pages import load_assets, render_archive
from binsite.checks import valid_site
from binsite.site import Site
from binsite.writer import WriteReport, write_tree

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    bulletins: int
    report: WriteReport
    warnings: tuple[Problem, ...]


def render_bodies(site: Site, bulletins) -> dict[str, RenderedBody]:
    lang = site.config.language
    return {b.id: render_body(b.body, lang=lang) for b in bulletins}


def render_site(site: Site, now: datetime, *, drafts: bool = False) -> dict[str, bytes]:
    """Every file of the public archive, in memory (pure but for reading templates)."""
    shown = public_bulletins(site, now, drafts=drafts)
    archive = build_archive(site, render_bodies(site, shown), now, drafts=drafts)
    env = make_environment(site.root, site.config.language)
    return render_archive(env, archive, assets=load_assets(template_dirs(site.root)))


def build(root: Path, out: Path, *, now: datetime, drafts: bool = False) -> BuildResult:
    """Check the site, render it and write it to ``out``. Raises ``InvalidSite`` on any error."""
    site, warnings = valid_site(root, now)
    files = render_site(site, now, drafts=drafts)
    report = write_tree(out, files)
    log.info("built %d files into %s", len(files), out)
    pages = sum(1 for p in files if p.endswith(".html"))
    return BuildResult(out=out, pages=pages, bulletins=len(public_bulletins(site, now, drafts=drafts)),
                       report=report, warnings=tuple(warnings))
