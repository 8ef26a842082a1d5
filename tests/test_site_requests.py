"""Nothing leaves the visitor's browser: the built example site loads only
its own files, forbids other origins by CSP and sets no cookies.

Allowed, and documented in docs/architecture.md: ``<a href>`` to other sites
(a navigation only when the visitor clicks, with ``rel="noopener noreferrer"``
and ``Referrer-Policy: no-referrer``), and ``mailto:``/``tel:`` links.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from binsite.build import build
from sitekit import REPO, TZ
from datetime import datetime

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=TZ)
NAVIGATION_SCHEMES = ("mailto:", "tel:")


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    build(REPO, out, now=NOW, cache=False)
    return out


def is_own(url: str) -> bool:
    """Relative to the page, or a fragment: never another origin, never protocol-relative."""
    return not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url.strip(), re.IGNORECASE)


def test_every_loaded_resource_is_the_sites_own(example_site):
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text()
        for tag, attribute, url in re.findall(r"<(\w+)[^>]*?\s(src|srcset|action|data|poster)=\"([^\"]*)\"", html):
            for candidate in url.split(","):
                assert is_own(candidate.strip().split(" ")[0]), (page, tag, attribute, url)
        for tag, url in re.findall(r"<(link|base|meta)[^>]*?\shref=\"([^\"]*)\"", html):
            assert is_own(url), (page, tag, url)
        assert "<iframe" not in html and "<object" not in html and "<embed" not in html
        assert "document.cookie" not in html and "Set-Cookie" not in html


def test_outbound_links_are_navigation_only(example_site):
    outbound = 0
    for page in sorted(example_site.rglob("*.html")):
        html = page.read_text()
        assert '<meta name="referrer" content="no-referrer">' in html, page
        for tag in re.findall(r"<a\s[^>]*>", html):
            url = re.search(r'href="([^"]*)"', tag)
            if url is None or is_own(url.group(1)) or url.group(1).startswith(NAVIGATION_SCHEMES):
                continue
            outbound += 1
            # Links written by coordinators go through the sanitiser, which adds rel; the 404 page
            # links with absolute paths of the site itself (is_own).
            assert url.group(1).startswith("https://") or url.group(1).startswith("http://"), (page, tag)
            assert 'rel="noopener noreferrer"' in tag, (page, tag)
    assert outbound > 0, "the example has links to public pages (politie.nl, hetccv.nl)"


def test_css_loads_nothing_from_elsewhere(example_site):
    for sheet in example_site.rglob("*.css"):
        css = sheet.read_text()
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert is_own(url) or url.startswith("data:"), (sheet, url)
        assert "@import" not in css


def test_scripts_make_no_requests_elsewhere_and_set_no_cookies(example_site):
    for script in example_site.rglob("*.js"):
        code = script.read_text()
        assert "document.cookie" not in code and "localStorage" not in code and "sendBeacon" not in code, script
        assert not re.search(r"https?://", code.replace("window.BINSITE_INDEX", "")) or script.name == "index.js", script


def test_every_page_forbids_other_origins_by_csp(example_site):
    for page in sorted(example_site.rglob("*.html")):
        html = page.read_text()
        match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
        assert match, page
        policy = match.group(1).replace("&#39;", "'")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
        assert directives["default-src"] == "'none'"
        for name in ("script-src", "style-src", "img-src", "connect-src", "form-action"):
            sources = directives[name].split()
            assert all(s in ("'self'", "data:") for s in sources), (page, name, sources)
