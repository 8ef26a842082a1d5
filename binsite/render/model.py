"""The public archive as templates see it: which bulletins show, in what
order, at which paths, linked to what. Pure: the same site, clock and bodies
give the same archive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from binsite.areas import Area
from binsite.config import Category
from binsite.content import Bulletin, expiry_date
from binsite.markup import RenderedBody
from binsite.site import Site, on_public_site
from binsite import urls


@dataclass(frozen=True)
class Entry:
    """One public bulletin or notice, ready for templates."""

    bulletin: Bulletin
    path: str
    html: Markup
    text: str
    excerpt: str
    has_members_only: bool
    areas: tuple[Area, ...]
    category: Category | None
    follow_up_of: "Entry | None" = None
    follow_ups: tuple["Entry", ...] = ()
    previous: "Entry | None" = None   # older, in the same area
    next: "Entry | None" = None       # newer, in the same area

    # Shortcuts for templates.
    @property
    def id(self) -> str:
        return self.bulletin.id

    @property
    def title(self) -> str:
        return self.bulletin.title

    @property
    def date(self) -> datetime:
        return self.bulletin.date

    @property
    def is_notice(self) -> bool:
        return self.bulletin.is_notice

    @property
    def urgent(self) -> bool:
        return self.bulletin.urgent

    @property
    def author(self):
        return self.bulletin.author


@dataclass(frozen=True)
class Page:
    """One page of a paginated list."""

    number: int
    count: int
    entries: tuple[Entry, ...]
    path: str
    previous_path: str | None
    next_path: str | None


@dataclass(frozen=True)
class Archive:
    site: Site
    now: datetime
    entries: tuple[Entry, ...]                      # newest first
    by_area: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    by_category: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    notices: tuple[Entry, ...] = ()

    def entry(self, bulletin_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == bulletin_id), None)


def excerpt(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(".,;:") + " …"


def public_bulletins(site: Site, now: datetime, *, drafts: bool = False) -> list[Bulletin]:
    return [b for b in site.bulletins if on_public_site(b, site.config, now, drafts=drafts)]


def build_archive(site: Site, bodies: dict[str, RenderedBody], now: datetime, *, drafts: bool = False) -> Archive:
    """Link the public bulletins (whose bodies are in ``bodies``) into an archive."""
    shown = public_bulletins(site, now, drafts=drafts)
    areas_by_id = {a.id: a for a in site.areas}

    def make(b: Bulletin) -> Entry:
        body = bodies[b.id]
        return Entry(
            bulletin=b,
            path=urls.bulletin_path(b),
            html=Markup(body.public_html),
            text=body.public_text,
            excerpt=b.summary or excerpt(body.public_text),
            has_members_only=body.has_members_only,
            areas=tuple(areas_by_id[a] for a in b.areas if a in areas_by_id),
            category=site.config.category(b.category) if b.category else None,
        )

    plain = {b.id: make(b) for b in shown}
    # Links between entries: follow-ups (both ways) and previous/next in an area.
    follow_ups: dict[str, list[str]] = {}
    for b in shown:
        if b.follow_up_of in plain:
            follow_ups.setdefault(b.follow_up_of, []).append(b.id)
    area_order: dict[str, list[str]] = {}
    for b in reversed(shown):  # oldest first
        if not b.is_notice:
            area_order.setdefault(b.area, []).append(b.id)
    neighbours: dict[str, tuple[str | None, str | None]] = {}
    for ids in area_order.values():
        for index, bid in enumerate(ids):
            neighbours[bid] = (ids[index - 1] if index > 0 else None, ids[index + 1] if index + 1 < len(ids) else None)

    def shallow(bid: str | None) -> Entry | None:
        return plain.get(bid) if bid else None

    linked: dict[str, Entry] = {}
    for bid, entry in plain.items():
        prev_id, next_id = neighbours.get(bid, (None, None))
        linked[bid] = dataclasses.replace(
            entry,
            follow_up_of=shallow(entry.bulletin.follow_up_of),
            follow_ups=tuple(sorted((plain[f] for f in follow_ups.get(bid, [])), key=lambda e: (e.date, e.id))),
            previous=shallow(prev_id),
            next=shallow(next_id),
        )
    entries = tuple(linked[b.id] for b in shown)
    by_area = {
        area.id: tuple(e for e in entries if area.id in e.bulletin.areas)
        for area in site.areas
    }
    by_category = {
        c.id: tuple(e for e in entries if e.bulletin.category == c.id) for c in site.config.categories
    }
    return Archive(site=site, now=now, entries=entries, by_area=by_area, by_category=by_category,
                   notices=tuple(e for e in entries if e.is_notice))


def paginate(entries: tuple[Entry, ...], per_page: int, path_of) -> list[Page]:
    """Split ``entries`` in pages; ``path_of(n)`` gives page n's path. Always one page at least."""
    chunks = [entries[i:i + per_page] for i in range(0, len(entries), per_page)] or [()]
    count = len(chunks)
    return [
        Page(number=n, count=count, entries=chunk, path=path_of(n),
             previous_path=path_of(n - 1) if n > 1 else None,
             next_path=path_of(n + 1) if n < count else None)
        for n, chunk in enumerate(chunks, start=1)
    ]


def retention_rows(site: Site) -> list[tuple[str, int | None]]:
    """(category label, days or None for forever) for the privacy statement."""
    config = site.config
    return [(c.label(config.language), config.retention_days(c.id)) for c in config.categories]


__all__ = ["Archive", "Entry", "Page", "build_archive", "paginate", "public_bulletins", "retention_rows", "expiry_date"]
