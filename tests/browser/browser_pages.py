"""Which pages of the built example site the browser tests open.

One page of each kind, found in the build output (so a renamed path fails
here, not silently).
"""

from __future__ import annotations

from pathlib import Path

from binsite.model import urls


# Kind -> how a page of that kind is recognised. Every kind is required.
KINDS = ("home", "area", "bulletin", "follow-up", "notice", "picture", "notices", "categories", "category",
         "search", "about", "accessibility", "statistics", "handbook", "404")
# A word that many public bulletins contain, so the search page is tested with results shown.
SEARCH_WITH_RESULTS = "inbraak"
# A deep path that does not exist: the 404 page must work at any depth under the sub-path.
MISSING_PATH = "bestaat/niet/meer/"


def _html(site: Path, path: str) -> str:
    return (site / urls.output_file(path)).read_text(encoding="utf-8")


def _bulletin_pages(site: Path) -> list[str]:
    """Site-relative paths of every bulletin page (area or notice), sorted."""
    found = []
    for file in sorted(site.glob("*/*/index.html")):
        folder = file.parent.parent.name
        if folder in (urls.CATEGORY_PATH, urls.SEARCH_PATH, urls.ABOUT_PATH, urls.STATS_PATH) or \
                file.parent.name == urls.PAGE_PATH:
            continue
        found.append(file.parent.relative_to(site).as_posix() + "/")
    return found


def page_path(site: Path, kind: str) -> str:
    """The site-relative path (with query) of one page of ``kind``."""
    bulletins = _bulletin_pages(site)
    areas = sorted(p.parent.name for p in site.glob("*/feed.xml"))
    if kind == "home":
        return ""
    if kind == "area":
        return f"{areas[0]}/"
    if kind == "bulletin":
        # An urgent area bulletin with a previous/next link: the richest bulletin page.
        return next(p for p in bulletins if not p.startswith(urls.NOTICES_PATH + "/")
                    and "bulletin-urgent" in _html(site, p) and 'class="prev-next"' in _html(site, p))
    if kind == "follow-up":
        return next(p for p in bulletins if 'class="follow-up-of"' in _html(site, p))
    if kind == "notice":
        return next(p for p in bulletins if p.startswith(urls.NOTICES_PATH + "/"))
    if kind == "picture":
        # A notice with a map: a picture in the body, linked to its large version.
        return next(p for p in bulletins if p.startswith(urls.NOTICES_PATH + "/") and "<img " in _html(site, p))
    if kind == "notices":
        return urls.notices_path()
    if kind == "categories":
        return f"{urls.CATEGORY_PATH}/"
    if kind == "category":
        return next(f"{urls.CATEGORY_PATH}/{p.parent.name}/"
                    for p in sorted((site / urls.CATEGORY_PATH).glob("*/index.html"))
                    if 'class="entries"' in p.read_text(encoding="utf-8"))
    if kind == "search":
        return f"{urls.SEARCH_PATH}/?q={SEARCH_WITH_RESULTS}"
    if kind == "about":
        return f"{urls.ABOUT_PATH}/"
    if kind == "accessibility":
        return f"{urls.ACCESSIBILITY_PATH}/"
    if kind == "statistics":
        assert (site / urls.STATS_PATH / "index.html").is_file(), "the build wrote no statistieken/index.html"
        return f"{urls.STATS_PATH}/"
    if kind == "handbook":
        assert (site / urls.HANDBOOK_PATH / "index.html").is_file(), "the build wrote no handleiding/index.html"
        return f"{urls.HANDBOOK_PATH}/"
    if kind == "404":
        return MISSING_PATH
    raise ValueError(kind)


def expected_status(kind: str) -> int:
    return 404 if kind == "404" else 200
