"""Every artifact of the public archive, planned as jobs (pure).

A job is an output path, a key and a way to render it. The key is a digest
of everything the artifact shows, so the build renders only the jobs whose
key changed (``binsite.build``). Pages are rendered from templates with a
context that holds the page's own path, so all links are relative and the
site works under any sub-path.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from markupsafe import Markup

from binsite.model import urls
from binsite.errors import BinsiteError
from binsite.i18n import format_date, t
from binsite.render.environment import default_templates_dir
from binsite.render.model import Archive, Entry, digest, join_digest, paginate, retention_rows

ASSETS_DIR = "assets"
STATS_CSV = f"{urls.STATS_PATH}/bulletins.csv"
HANDBOOK_FILE = "docs/handleiding-binco.md"
FEED_LIMIT = 50
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)


@dataclass(frozen=True, slots=True)
class Job:
    """One file of the site: where it goes, what it depends on, how to make
    it (``make(*args)``: the file's bytes, or its parts in order). A shared
    function and its arguments, not a closure per page: 10,000 closures with
    their cells and dicts were 5 MB, which every render worker touches."""

    path: str
    key: str
    make: Callable[..., bytes | Iterable[bytes]]
    args: tuple = ()

    def render(self) -> bytes | Iterable[bytes]:
        return self.make(*self.args)


_URL_FUNCTIONS: dict[str, Callable[[str], str]] = {}


def _url_for(page_path: str) -> Callable[[str], str]:
    """``url(target)`` for templates: a relative link from ``page_path``.
    Links depend only on the page's depth, so one function serves each depth."""
    prefix = urls.relative(page_path, "")
    function = _URL_FUNCTIONS.get(prefix)
    if function is None:
        root = "" if prefix == "./" else prefix
        function = _URL_FUNCTIONS[prefix] = lambda target: (root + target) or "./"
    return function


@dataclass(frozen=True)
class Chrome:
    """What every page shows around its content: the site's name and main
    navigation, and the footer. Rendered from ``partials/site-nav.html`` and
    ``partials/site-footer.html`` once per depth and section, not per page."""

    nav: Markup
    footer: Markup


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

        self._chrome: dict[tuple[str, str], Chrome] = {}
        self._render_page = self.render_page  # one bound method for every job

    def chrome(self, url: Callable[[str], str], section: str) -> Chrome:
        key = (url(""), section)
        chrome = self._chrome.get(key)
        if chrome is None:
            values = {**self.common, "url": url, "section": section}
            chrome = self._chrome[key] = Chrome(
                nav=Markup(self.env.get_template("partials/site-nav.html").render(values).rstrip("\n")),
                footer=Markup(self.env.get_template("partials/site-footer.html").render(values).rstrip("\n")))
        return chrome

    def page(self, template: str, path: str, key: str, **context: object) -> Job:
        return Job(urls.output_file(path), join_digest(key, template), self._render_page,
                   (template, path, tuple(context.items())))  # pairs: half the size of a dict

    def render_page(self, template: str, path: str, context: tuple[tuple[str, object], ...]) -> bytes:
        values = dict(context)
        url = values.pop("url", None) or _url_for(path)
        chrome = self.chrome(url, path.split("/", 1)[0])
        return self.env.get_template(template).render(**self.common, page_path=path, url=url, chrome=chrome,
                                                      **values).encode()


def templates_digest(template_dirs: list[Path]) -> str:
    """A digest of every template and asset file, for page keys."""
    hasher = hashlib.sha256()
    for folder in template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()[:24]


def plan_jobs(env: jinja2.Environment, archive: Archive, *, assets: dict[str, bytes], site_key: str,
              media_store: str = "", search_parts: SearchParts | None = None) -> list[Job]:
    """All jobs of the site. ``site_key`` covers what every page shows (config,
    areas, templates, binsite's version). Two jobs on one path is an error.
    ``media_store``: the folder where processed pictures are kept ("": memory);
    ``search_parts``: where the search index's encoded batches come from
    (``search_index``)."""
    stats_key = stats_digest(archive, site_key)
    jobs = [*_pages(Renderer(env, archive), site_key, stats_key), *_feeds(env, archive, site_key),
            *_media_jobs(archive, media_store)]
    everything = digest(site_key, tuple(e.key for e in archive.entries))
    # The sitemap lists paths and dates only: an edited text does not redo it.
    jobs.append(Job("sitemap.xml", digest(site_key, tuple((e.path, e.date.timestamp()) for e in archive.entries)),
                    lambda: sitemap(archive)))
    jobs.append(Job("robots.txt", site_key, lambda: robots(archive)))
    jobs.append(Job(urls.SEARCH_INDEX, everything, search_index, (archive, site_key, search_parts)))
    jobs.append(Job(STATS_CSV, stats_key, lambda: _stats_csv(archive)))
    for rel, data in sorted(assets.items()):
        jobs.append(Job(f"{ASSETS_DIR}/{rel}", hashlib.sha256(data).hexdigest(), bytes, (data,)))
    seen: set[str] = set()
    for job in jobs:
        if job.path in seen:
            raise BinsiteError(t("twee pagina's op hetzelfde pad {p}", "two pages on one path {p}", p=job.path))
        seen.add(job.path)
    return jobs


def _media_jobs(archive: Archive, store: str) -> list[Job]:
    """The pictures and documents of public bulletins, beside their pages:
    ``<name>`` (web size) and ``groot/<name>`` for an image, ``<name>`` for a
    PDF, all made anew without metadata (``binsite.source.media``)."""
    from binsite.source.media import LARGE_DIR, MEDIA_VERSION, read_output

    root = str(archive.site.root)
    jobs = []
    for entry in archive.entries:
        for item in entry.media:
            variants = (("web", item.name), ("large", f"{LARGE_DIR}/{item.name}")) if item.is_image else (
                ("pdf", item.name),)
            for variant, name in variants:
                jobs.append(Job(entry.path + name, join_digest("media", str(MEDIA_VERSION), item.digest, variant),
                                read_output, (root, item.rel, item.digest, variant, store)))
    return jobs


def stats_digest(archive: Archive, site_key: str) -> str:
    """What the public statistics count: not bodies or titles, so an edited
    bulletin does not redo them."""
    def counted(entry: Entry) -> tuple:
        b = entry.bulletin
        return (b.id, b.date.timestamp(), b.areas, b.category, b.author.role if b.author else None, b.urgent,
                b.follow_up_of, b.is_notice)
    return digest(site_key, archive.now.date(), tuple(counted(e) for e in archive.entries))


def _pages(r: Renderer, site_key: str, stats_key: str) -> list[Job]:
    archive, config, site = r.archive, r.config, r.site
    area_counts = tuple((a, len(archive.by_area[a.id])) for a in site.areas)
    jobs = [r.page("index.html", "", digest(site_key, tuple(e.key for e in archive.entries[: config.per_page]),
                                             area_counts),
                   latest=archive.entries[: config.per_page], by_area=archive.by_area)]
    for area in site.areas:
        entries = archive.by_area[area.id]
        join_html = _Lazy(lambda text=area.join: _markdown(text, config.language))  # shown on page 1 only
        for page in paginate(entries, config.per_page, lambda n, a=area.id: urls.area_path(a, n)):
            jobs.append(r.page("area.html", page.path, digest(site_key, page.key, len(entries)),
                               area=area, join_html=join_html, pagination=page, total=len(entries)))
    for page in paginate(archive.notices, config.per_page, urls.notices_path):
        jobs.append(r.page("notices.html", page.path, digest(site_key, page.key), pagination=page,
                           total=len(archive.notices)))
    category_counts = tuple((c, len(archive.by_category[c.id])) for c in config.categories)
    jobs.append(r.page("categories.html", f"{urls.CATEGORY_PATH}/", digest(site_key, category_counts),
                       by_category=archive.by_category))
    for category in config.categories:
        entries = archive.by_category[category.id]
        for page in paginate(entries, config.per_page, lambda n, c=category.id: urls.category_path(c, n)):
            jobs.append(r.page("category.html", page.path, digest(site_key, page.key, len(entries)),
                               category=category, pagination=page, total=len(entries)))
    for entry in archive.entries:
        jobs.append(r.page("bulletin.html", entry.path, entry.page_key(site_key), entry=entry))
    jobs.append(r.page("search.html", f"{urls.SEARCH_PATH}/", site_key))
    jobs.append(r.page("about.html", f"{urls.ABOUT_PATH}/", site_key, retention=retention_rows(site)))
    jobs.append(r.page("accessibility.html", f"{urls.ACCESSIBILITY_PATH}/", site_key))
    # Statistics of what the public archive shows now; never the ledger or non-public bulletins.
    jobs.append(r.page("stats.html", f"{urls.STATS_PATH}/", stats_key,
                       stats_page=_Lazy(lambda: _stats_page(archive))))
    handbook = handbook_source(site.root)
    if handbook is not None:
        jobs.append(r.page("handleiding.html", f"{urls.HANDBOOK_PATH}/", digest(site_key, handbook),
                           handbook_html=_Lazy(lambda: handbook_html(handbook))))
    # 404 is served at any depth: its links are absolute paths under base_path.
    base = config.base_path
    jobs.append(r.page("404.html", "404.html", site_key, url=lambda target: base + target))
    return jobs


def handbook_source(site_root: Path) -> str | None:
    """The site's own coordinators' handbook, else binsite's (beside the default templates)."""
    for path in (site_root / HANDBOOK_FILE, default_templates_dir().parent / HANDBOOK_FILE):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def handbook_html(text: str) -> Markup:
    """The handbook as a page: the template holds the <h1>; fenced code keeps
    the ``::: leden`` examples literal; ``toc`` gives headings their anchors."""
    import markdown
    import nh3

    if text.startswith("# "):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension
    from markdown.extensions.toc import TocExtension

    md = markdown.Markdown(extensions=[TableExtension(), FencedCodeExtension(), SaneListExtension(), TocExtension()],
                           output_format="html")
    from binsite.render.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

    attributes = {**ALLOWED_ATTRIBUTES, "h2": {"id"}, "h3": {"id"}}
    return Markup(nh3.clean(md.convert(text), tags=ALLOWED_TAGS, attributes=attributes, url_schemes=URL_SCHEMES,
                            link_rel="noopener noreferrer", strip_comments=True))


# Made only when their page is: a rebuild that does not redo these pages
# does not import statistics, charts or Markdown for them.
def _markdown(text: str, lang: str) -> Markup:
    from binsite.render.markup import to_html

    return Markup(to_html(text, lang=lang, keep_members_only=False))


def _stats_page(archive: Archive) -> object:
    from binsite.stats.figures import public_stats
    from binsite.stats.charts import stats_page

    return stats_page(public_stats(archive.site, archive.now), built=archive.now, csv_path=STATS_CSV,
                      lang=archive.site.config.language)


def _stats_csv(archive: Archive) -> bytes:
    from binsite.stats.figures import public_stats
    from binsite.stats.report import as_csv

    return as_csv(public_stats(archive.site, archive.now)).encode("utf-8")


class _Lazy:
    """A context value computed only when its page is rendered."""

    def __init__(self, make: Callable[[], object]):
        self._make = make
        self._value: object = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._get(), name)

    def _get(self) -> object:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __html__(self) -> str:
        return self._get().__html__()


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feeds(env: jinja2.Environment, archive: Archive, site_key: str) -> list[Job]:
    config = archive.site.config

    def job(path: str, title: str, entries: tuple[Entry, ...], html_path: str) -> Job:
        entries = entries[:FEED_LIMIT]

        def render() -> bytes:
            updated = _iso(entries[0].date) if entries else "2000-01-01T00:00:00Z"
            return env.get_template("feed.xml").render(
                config=config, feed_url=config.absolute_url(path), html_url=config.absolute_url(html_path),
                title=title, updated=updated, entries=entries, iso=_iso, absolute=config.absolute_url,
            ).encode("utf-8")
        return Job(path, digest(site_key, title, tuple(e.key for e in entries)), render)

    jobs = [job("feed.xml", config.title, archive.entries, "")]
    for area in archive.site.areas:
        jobs.append(job(urls.area_feed_path(area.id), f"{config.title}: {area.name}", archive.by_area[area.id],
                        urls.area_path(area.id)))
    return jobs


def sitemap(archive: Archive) -> bytes:
    config = archive.site.config
    rows: list[tuple[str, str | None]] = [("", None), (f"{urls.ABOUT_PATH}/", None),
                                          (f"{urls.ACCESSIBILITY_PATH}/", None), (f"{urls.SEARCH_PATH}/", None),
                                          (f"{urls.CATEGORY_PATH}/", None), (urls.notices_path(), None),
                                          (f"{urls.STATS_PATH}/", None)]
    if handbook_source(archive.site.root) is not None:
        rows.append((f"{urls.HANDBOOK_PATH}/", None))
    rows += [(urls.area_path(a.id), None) for a in archive.site.areas]
    rows += [(urls.category_path(c.id), None) for c in config.categories]
    rows += [(e.path, e.date.date().isoformat()) for e in archive.entries]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in rows:
        lines.append(f"  <url><loc>{html.escape(config.absolute_url(path), quote=False)}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(archive: Archive) -> bytes:
    config = archive.site.config
    return f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('sitemap.xml')}\n".encode("utf-8")


INDEX_BATCH = 500
_INDEX_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# A batch of the search index: the key of what its records show, and its entries.
SearchBatch = tuple[str, tuple[Entry, ...]]
# How a build gets the encoded batches (``binsite.build`` takes them from its cache).
SearchParts = Callable[[list[SearchBatch]], Iterable[bytes]]


def search_batches(archive: Archive, site_key: str = "") -> list[SearchBatch]:
    """The search index's entries in batches of ``INDEX_BATCH``, each keyed by
    what its records show: entry keys cover a record, the site key the area
    names and category labels; words follow from the body and title."""
    lang = archive.site.config.language
    entries = archive.entries
    chunks = [entries[start:start + INDEX_BATCH] for start in range(0, len(entries), INDEX_BATCH)]
    return [(digest("search-index", site_key, lang, tuple(e.key for e in chunk)), chunk) for chunk in chunks]


def encode_search_batch(entries: tuple[Entry, ...], words: dict[str, str], lang: str) -> bytes:
    """One batch's records (``words``: per ``words_key`` the entry's search
    text, ``markup.search_text``), without their brackets: batches are joined by commas. One JSON
    encoding per batch (one per record cost more in setting up the encoder
    than in encoding)."""
    return _INDEX_ENCODER.encode([{
        "t": entry.title,
        "u": entry.path,
        "d": format_date(entry.date, lang),
        "a": ", ".join(a.name for a in entry.areas) if not entry.bulletin.to_all else "",
        "c": entry.category.label(lang) if entry.category else "",
        "e": entry.excerpt,
        "w": words[entry.words_key],
    } for entry in entries])[1:-1].encode("utf-8")


def search_index(archive: Archive, site_key: str = "", parts: SearchParts | None = None) -> Iterator[bytes]:
    """A small script that defines the offline search index: per public
    bulletin its title, path, date, areas, category and its public text (``w``).
    Made (and written) one batch at a time, so that memory holds the words of
    those only, never the whole index (14 MB at 10,000 bulletins). ``parts``
    gives the encoded batches (a build takes unchanged ones from its cache,
    so an edit re-encodes one batch, not all twenty); by default each is
    encoded here."""
    batches = search_batches(archive, site_key)
    if parts is None:
        lang, bodies = archive.site.config.language, archive.bodies
        encoded = (encode_search_batch(chunk, bodies.words([e.words_key for e in chunk]), lang)
                   for _, chunk in batches)
    else:
        encoded = parts(batches)
    yield b"window.BINSITE_INDEX = ["
    for index, batch in enumerate(encoded):
        yield (b"," + batch) if index else batch
    yield b"];\n"


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
