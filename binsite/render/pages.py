"""Every artifact of the public archive, as ``{path: bytes}`` (pure).

Pages are rendered from templates with a context that holds the page's own
path, so all links are relative and the site works under any sub-path.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

from binsite import urls
from binsite.errors import BinsiteError
from binsite.i18n import format_date, t
from binsite.markup import to_html
from binsite.render.model import Archive, Entry, paginate, retention_rows
from binsite.stats import as_csv, public_stats
from binsite.stats_svg import stats_page

ASSETS_DIR = "assets"
STATS_CSV = f"{urls.STATS_PATH}/bulletins.csv"


def _url_for(page_path: str) -> Callable[[str], str]:
    return lambda target: urls.relative(page_path, target)


class Renderer:
    """Renders the archive's pages with one environment."""

    def __init__(self, env: jinja2.Environment, archive: Archive):
        self.env = env
        self.archive = archive
        self.site = archive.site
        self.config = archive.site.config
        self.common = {
            "config": self.config,
            "site_areas": self.site.areas,
            "categories": self.config.categories,
            "csp": CONTENT_SECURITY_POLICY,
        }

    def page(self, template: str, path: str, **context: object) -> tuple[str, bytes]:
        url = context.pop("url", None) or _url_for(path)
        html = self.env.get_template(template).render(**self.common, page_path=path, url=url, **context)
        return urls.output_file(path), html.encode("utf-8")


CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)


def render_archive(env: jinja2.Environment, archive: Archive, *, assets: dict[str, bytes]) -> dict[str, bytes]:
    """All files of the public site. Two artifacts on one path is an error."""
    out: dict[str, bytes] = {}

    def put(item: tuple[str, bytes]) -> None:
        path, data = item
        if path in out:
            raise BinsiteError(t("twee pagina's op hetzelfde pad {p}", "two pages on one path {p}", p=path))
        out[path] = data

    for item in _pages(Renderer(env, archive)):
        put(item)
    for item in _feeds(env, archive):
        put(item)
    put(("sitemap.xml", sitemap(archive)))
    put(("robots.txt", robots(archive)))
    put((f"{urls.SEARCH_PATH}/index.js", search_index(archive)))
    put((STATS_CSV, as_csv(public_stats(archive.site, archive.now)).encode("utf-8")))
    for rel, data in sorted(assets.items()):
        put((f"{ASSETS_DIR}/{rel}", data))
    return out


def _pages(r: Renderer) -> Iterator[tuple[str, bytes]]:
    archive, config, site = r.archive, r.config, r.site
    yield r.page("index.html", "", latest=archive.entries[: config.per_page], by_area=archive.by_area)
    for area in site.areas:
        entries = archive.by_area[area.id]
        join_html = Markup(to_html(area.join, lang=config.language, keep_members_only=False))
        for page in paginate(entries, config.per_page, lambda n, a=area.id: urls.area_path(a, n)):
            yield r.page("area.html", page.path, area=area, join_html=join_html, pagination=page, total=len(entries))
    for page in paginate(archive.notices, config.per_page, urls.notices_path):
        yield r.page("notices.html", page.path, pagination=page, total=len(archive.notices))
    yield r.page("categories.html", f"{urls.CATEGORY_PATH}/", by_category=archive.by_category)
    for category in config.categories:
        entries = archive.by_category[category.id]
        for page in paginate(entries, config.per_page, lambda n, c=category.id: urls.category_path(c, n)):
            yield r.page("category.html", page.path, category=category, pagination=page, total=len(entries))
    for entry in archive.entries:
        yield r.page("bulletin.html", entry.path, entry=entry)
    yield r.page("search.html", f"{urls.SEARCH_PATH}/")
    yield r.page("about.html", f"{urls.ABOUT_PATH}/", retention=retention_rows(site))
    # Statistics of what the public archive shows now; never the ledger or non-public bulletins.
    yield r.page("stats.html", f"{urls.STATS_PATH}/", stats_page=stats_page(
        public_stats(site, archive.now), built=archive.now, csv_path=STATS_CSV, lang=config.language))
    # 404 is served at any depth: its links are absolute paths under base_path.
    base = config.base_path
    yield r.page("404.html", "404.html", url=lambda target: base + target)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feeds(env: jinja2.Environment, archive: Archive) -> Iterator[tuple[str, bytes]]:
    config = archive.site.config
    template = env.get_template("feed.xml")
    limit = 50

    def render(path: str, title: str, entries: tuple[Entry, ...], html_path: str) -> tuple[str, bytes]:
        updated = _iso(entries[0].date) if entries else "2000-01-01T00:00:00Z"
        data = template.render(
            config=config, feed_url=config.absolute_url(path), html_url=config.absolute_url(html_path),
            title=title, updated=updated, entries=entries[:limit], iso=_iso, absolute=config.absolute_url,
        )
        return path, data.encode("utf-8")

    yield render("feed.xml", config.title, archive.entries, "")
    for area in archive.site.areas:
        yield render(urls.area_feed_path(area.id), f"{config.title}: {area.name}", archive.by_area[area.id],
                     urls.area_path(area.id))


def sitemap(archive: Archive) -> bytes:
    config = archive.site.config
    rows: list[tuple[str, str | None]] = [("", None), (f"{urls.ABOUT_PATH}/", None), (f"{urls.SEARCH_PATH}/", None),
                                          (f"{urls.CATEGORY_PATH}/", None), (urls.notices_path(), None),
                                          (f"{urls.STATS_PATH}/", None)]
    rows += [(urls.area_path(a.id), None) for a in archive.site.areas]
    rows += [(urls.category_path(c.id), None) for c in config.categories]
    rows += [(e.path, e.date.date().isoformat()) for e in archive.entries]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in rows:
        lines.append(f"  <url><loc>{xml_escape(config.absolute_url(path))}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(archive: Archive) -> bytes:
    config = archive.site.config
    return f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('sitemap.xml')}\n".encode("utf-8")


def fold(text: str) -> str:
    """Lower case without accents, for matching ``café`` with ``cafe``."""
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


_WORD = re.compile(r"[a-z0-9]+")


def search_index(archive: Archive) -> bytes:
    """A small script that defines the offline search index: per public
    bulletin its title, path, date, areas, category and the set of its words."""
    lang = archive.site.config.language
    records = []
    for entry in archive.entries:
        words = sorted(set(_WORD.findall(fold(entry.title + " " + entry.text))))
        records.append({
            "t": entry.title,
            "u": entry.path,
            "d": format_date(entry.date, lang),
            "a": ", ".join(a.name for a in entry.areas) if not entry.bulletin.to_all else "",
            "c": entry.category.label(lang) if entry.category else "",
            "e": entry.excerpt,
            "w": " ".join(words),
        })
    payload = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.BINSITE_INDEX = {payload};\n".encode("utf-8")


def load_assets(template_dirs: list[Path]) -> dict[str, bytes]:
    """Files under ``assets/`` of the template folders, the site's own first."""
    assets: dict[str, bytes] = {}
    for folder in reversed(template_dirs):  # defaults first, then overrides
        base = folder / ASSETS_DIR
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    assets[path.relative_to(base).as_posix()] = path.read_bytes()
    return dict(sorted(assets.items()))
