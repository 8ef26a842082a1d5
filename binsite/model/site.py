"""The whole network as one immutable model: config, areas, bulletins.

Loading it is ``binsite.load.load_site``'s work; ``assemble`` is pure and
settles everything that needs more than one file: notices for ``all``,
follow-ups that must exist, unique ids. Which bulletins are public at a
given moment is answered here too, once, for the archive, the mail and the
statistics alike.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from binsite.source.areas import Area
from binsite.source.config import SiteConfig
from binsite.source.content import Bulletin, expiry_date
from binsite.errors import Problem, error
from binsite.i18n import t


@dataclass(frozen=True)
class Site:
    root: Path
    config: SiteConfig
    areas: tuple[Area, ...]
    bulletins: tuple[Bulletin, ...]  # every valid bulletin and notice, newest first

    def area(self, area_id: str) -> Area:
        return self._areas_by_id[area_id]

    @property
    def area_ids(self) -> frozenset[str]:
        return frozenset(self._areas_by_id)

    def bulletin(self, bulletin_id: str) -> Bulletin | None:
        return self._bulletins_by_id.get(bulletin_id)

    # Look-ups by id, made once (a scan per question is quadratic at city scale).
    @functools.cached_property
    def _areas_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @functools.cached_property
    def _bulletins_by_id(self) -> dict[str, Bulletin]:
        return {b.id: b for b in self.bulletins}


def find_root(start: Path) -> Path | None:
    """The nearest folder from ``start`` upwards that holds ``binsite.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "binsite.yaml").is_file():
            return folder
    return None


def assemble(root: Path, config: SiteConfig, areas: tuple[Area, ...],
             parsed: list[tuple[Bulletin | None, list[Problem] | tuple[Problem, ...]]]) -> tuple[Site, list[Problem]]:
    """Settle what needs more than one file, given each file's parse result."""
    problems: list[Problem] = [p for _, more in parsed for p in more]
    area_ids = frozenset(a.id for a in areas)
    seen: dict[str, Bulletin] = {}
    bulletins: list[Bulletin] = []
    for bulletin in (b for b, _ in parsed if b is not None):
        if bulletin.id in seen:
            problems.append(error(bulletin.source, 1, t(
                "dubbele id {i!r}: ook gebruikt door {o}; geef een van beide een andere naam",
                "duplicate id {i!r}: also used by {o}; rename one of them", i=bulletin.id, o=seen[bulletin.id].source)))
            continue
        seen[bulletin.id] = bulletin
        if bulletin.is_notice and bulletin.areas == ("all",):
            bulletin = dataclasses.replace(bulletin, areas=tuple(sorted(area_ids)), to_all=True)
        bulletins.append(bulletin)
    for bulletin in bulletins:
        if bulletin.follow_up_of is not None:
            target = seen.get(bulletin.follow_up_of)
            if target is None:
                problems.append(error(bulletin.source, bulletin.line_of("follow_up_of"), t(
                    "'follow_up_of' verwijst naar {i!r}, maar dat bericht bestaat niet; gebruik de id gebied/JJJJ-MM-DD-naam",
                    "'follow_up_of' refers to {i!r}, but that bulletin does not exist; use the id area/YYYY-MM-DD-name",
                    i=bulletin.follow_up_of)))
            elif target.id == bulletin.id:
                problems.append(error(bulletin.source, bulletin.line_of("follow_up_of"), t(
                    "een bericht kan geen vervolg op zichzelf zijn", "a bulletin cannot follow up on itself")))
            elif target.date > bulletin.date:
                problems.append(error(bulletin.source, bulletin.line_of("follow_up_of"), t(
                    "vervolg op {i!r}, maar dat bericht is van later", "follow-up of {i!r}, but that bulletin is later",
                    i=target.id)))
    bulletins.sort(key=lambda b: (b.date, b.id), reverse=True)
    return Site(root=root, config=config, areas=areas, bulletins=tuple(bulletins)), problems


# --- Who may see what, when -------------------------------------------------

def is_public(bulletin: Bulletin) -> bool:
    """Meant for the public archive at all (not partners-only, not ``public: false``)."""
    return bulletin.public and bulletin.audience != "partners"


def is_due(bulletin: Bulletin, now: datetime) -> bool:
    """Its date has come (a bulletin dated later is scheduled)."""
    return bulletin.date <= now


def is_expired(bulletin: Bulletin, config: SiteConfig, now: datetime) -> bool:
    last_day = expiry_date(bulletin, config)
    return last_day is not None and now.astimezone(config.tz).date() > last_day


def on_public_site(bulletin: Bulletin, config: SiteConfig, now: datetime, *, drafts: bool = False) -> bool:
    """Whether the public archive (pages, feeds, sitemap, search) may show it now."""
    return (
        is_public(bulletin)
        and (drafts or not bulletin.draft)
        and is_due(bulletin, now)
        and not is_expired(bulletin, config, now)
    )
