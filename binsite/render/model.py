"""The public archive as templates see it: which bulletins show, in what
order, at which paths, linked to what. Pure: the same site, clock and
analyses give the same archive.

Each entry carries a ``key``: a digest of everything its summary shows. Page
keys are built from entry keys, so the build can tell which pages changed
without rendering them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup

from binsite.model import urls
from binsite.model.analysis import Analysis
from binsite.source.areas import Area
from binsite.source.config import Category
from binsite.source.content import Bulletin, expiry_date
from binsite.model.site import Site, on_public_site

if TYPE_CHECKING:
    from binsite.render.markup import RenderedBody


class Bodies(Protocol):
    """Where the rendered bodies and search words are, by key: the build
    cache's body store (``binsite.incremental.cache``) is one. The archive
    holds the keys; the bodies stay there until a page shows them."""

    def get(self, key: str) -> RenderedBody: ...

    def words(self, keys: list[str]) -> dict[str, str]: ...


class _NoBodies:
    """An archive without bodies (an entry made for its links only)."""

    def get(self, key: str) -> RenderedBody:
        raise KeyError(key)

    def words(self, keys: list[str]) -> dict[str, str]:
        raise KeyError(keys[0] if keys else "")


NO_BODIES: Bodies = _NoBodies()


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def join_digest(*parts: str) -> str:
    """``digest`` of strings that never hold a control character (digests,
    slugs, template names): joined, not ``repr``'d, which costs a third as
    much where it is asked for every page of every build."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Entry:
    """One public bulletin or notice, ready for templates."""

    bulletin: Bulletin
    path: str
    key: str
    body_key: str
    excerpt: str
    words_key: str            # the search words, in the body store
    has_members_only: bool
    areas: tuple[Area, ...]
    category: Category | None
    follow_up_of: "Entry | None" = None
    follow_ups: tuple["Entry", ...] = ()
    previous: "Entry | None" = None   # older, in the same area
    next: "Entry | None" = None       # newer, in the same area
    bodies: Bodies = field(default=NO_BODIES, compare=False, repr=False)
    # The files beside the bulletin that its public rendition shows (``binsite.source.media``).
    media: tuple = ()

    @property
    def html(self) -> Markup:
        """The sanitised public body (read from the body store when needed)."""
        return Markup(self.bodies.get(self.body_key).public_html)

    def absolute_html(self, page_url: str) -> Markup:
        """The public body with its pictures and documents at absolute
        addresses under ``page_url``, for feeds (read elsewhere than its page)."""
        text = self.bodies.get(self.body_key).public_html
        if self.media:
            from binsite.source.media import absolute_media

            text = absolute_media(text, self.media, page_url)
        return Markup(text)

    def page_key(self, site_key: str) -> str:
        """Everything the entry's own page shows, including its links, on a
        site with ``site_key``: keys and paths (slugs), so ``join_digest``."""
        parts = [site_key, self.key]
        for other in (self.follow_up_of, self.previous, self.next):
            parts += (other.key, other.path) if other else ("-", "-")
        parts.append(str(len(self.follow_ups)))
        for other in self.follow_ups:
            parts += (other.key, other.path)
        return join_digest(*parts)

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

    @property
    def key(self) -> str:
        return digest(self.number, self.count, self.path, tuple(e.key for e in self.entries))


@dataclass(frozen=True)
class Archive:
    site: Site
    now: datetime
    entries: tuple[Entry, ...]                      # newest first
    by_area: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    by_category: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    notices: tuple[Entry, ...] = ()
    bodies: Bodies = field(default=NO_BODIES, compare=False, repr=False)


def public_bulletins(site: Site, now: datetime, *, drafts: bool = False) -> list[Bulletin]:
    return [b for b in site.bulletins if on_public_site(b, site.config, now, drafts=drafts)]


def build_archive(site: Site, analyses: dict[str, Analysis], bodies: Bodies, now: datetime, *,
                  drafts: bool = False) -> Archive:
    """Link the public bulletins into an archive; their bodies stay in ``bodies``."""
    shown = public_bulletins(site, now, drafts=drafts)
    areas_by_id = {a.id: a for a in site.areas}
    categories = {c.id: c for c in site.config.categories}
    lang = site.config.language

    def make(b: Bulletin) -> Entry:
        analysis = analyses[b.id]
        category = categories.get(b.category) if b.category else None
        path = urls.bulletin_path(b)
        # Category labels, area names and the language are in every page's
        # site key; here only what differs per bulletin.
        # Free text goes in with its length, so that no text can pass for a
        # separator; the rest are ids, digests and dates.
        title, excerpt = b.title, analysis.excerpt
        name = b.author.name if b.author else ""
        key = join_digest(f"{len(title)}:{title}", b.date.isoformat(), b.category or "-",
                          b.author.role if b.author else "-", f"{len(name)}:{name}", ",".join(b.areas),
                          f"{b.to_all:d}{b.urgent:d}{analysis.has_members_only:d}{b.draft:d}", path, analysis.body_key,
                          f"{len(excerpt)}:{excerpt}")
        return Entry(
            bulletin=b, path=path, key=key, body_key=analysis.body_key, excerpt=analysis.excerpt,
            words_key=analysis.words_key, has_members_only=analysis.has_members_only,
            areas=tuple(areas_by_id[a] for a in b.areas if a in areas_by_id),
            category=category, bodies=bodies, media=_public_media(analysis),
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

    entries: list[Entry] = []
    by_area: dict[str, list[Entry]] = {a.id: [] for a in site.areas}
    by_category: dict[str, list[Entry]] = {c.id: [] for c in site.config.categories}
    for b in shown:
        p = plain[b.id]
        prev_id, next_id = neighbours.get(b.id, (None, None))
        # Built directly: dataclasses.replace() looks up the fields every time.
        entry = Entry(
            p.bulletin, p.path, p.key, p.body_key, p.excerpt, p.words_key, p.has_members_only, p.areas, p.category,
            follow_up_of=shallow(b.follow_up_of),
            follow_ups=tuple(sorted((plain[f] for f in follow_ups.get(b.id, ())), key=lambda e: (e.date, e.id)))
            if b.id in follow_ups else (),
            previous=shallow(prev_id),
            next=shallow(next_id),
            bodies=bodies,
            media=p.media,
        )
        entries.append(entry)
        for area_id in b.areas:
            if area_id in by_area:
                by_area[area_id].append(entry)
        if b.category in by_category:
            by_category[b.category].append(entry)
    return Archive(site=site, now=now, entries=tuple(entries),
                   by_area={k: tuple(v) for k, v in by_area.items()},
                   by_category={k: tuple(v) for k, v in by_category.items()},
                   notices=tuple(e for e in entries if e.is_notice), bodies=bodies)


def _public_media(analysis: Analysis) -> tuple:
    """The files the site copies: those the public rendition refers to, and no others."""
    by_name = {m.name: m for m in analysis.media}
    return tuple(by_name[name] for name in analysis.public_media)


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


__all__ = ["Archive", "Bodies", "Entry", "Page", "build_archive", "digest", "join_digest", "paginate", "public_bulletins",
           "retention_rows", "expiry_date"]
