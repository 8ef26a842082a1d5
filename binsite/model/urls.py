"""Where each page lives in the built site. Paths are relative to the site
root, with a trailing slash for pages (served as ``.../index.html``).

The archive works under any sub-path: templates turn these into relative
links; feeds and the sitemap make them absolute with ``base_url``.
"""

from __future__ import annotations

from binsite.source.content import Bulletin

NOTICES_PATH = "mededelingen"
CATEGORY_PATH = "categorie"
SEARCH_PATH = "zoeken"
SEARCH_INDEX = f"{SEARCH_PATH}/index.js"
ABOUT_PATH = "over"
ACCESSIBILITY_PATH = "toegankelijkheid"
STATS_PATH = "statistieken"
PAGE_PATH = "pagina"
HANDBOOK_PATH = "handleiding"


def bulletin_path(bulletin: Bulletin) -> str:
    """``maaspoort/2026-10-03-fiets-gestolen/`` or ``mededelingen/2026-10-01-afval/``."""
    folder = NOTICES_PATH if bulletin.is_notice else bulletin.area
    return f"{folder}/{bulletin.id.split('/', 1)[1]}/"


def area_path(area_id: str, page: int = 1) -> str:
    return f"{area_id}/" if page == 1 else f"{area_id}/{PAGE_PATH}/{page}/"


def area_feed_path(area_id: str) -> str:
    return f"{area_id}/feed.xml"


def category_path(category_id: str, page: int = 1) -> str:
    base = f"{CATEGORY_PATH}/{category_id}/"
    return base if page == 1 else f"{base}{PAGE_PATH}/{page}/"


def notices_path(page: int = 1) -> str:
    return f"{NOTICES_PATH}/" if page == 1 else f"{NOTICES_PATH}/{PAGE_PATH}/{page}/"


def output_file(path: str) -> str:
    """The file a page path is written to: ``a/b/`` -> ``a/b/index.html``."""
    return path + "index.html" if path.endswith("/") or path == "" else path


def relative(from_path: str, to_path: str) -> str:
    """A relative link from the page at ``from_path`` to ``to_path`` (both site-relative)."""
    depth = from_path.count("/") if from_path.endswith("/") else from_path.count("/")
    prefix = "../" * depth
    return (prefix + to_path) or "./"
