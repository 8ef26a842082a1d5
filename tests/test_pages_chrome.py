"""What every page carries (favicon, landmarks) and the wording of labels.

Read from the built fixture site: the audit's findings (a favicon 404 on
every page, the emergency strip outside every landmark) checked on every
HTML page, not on one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

LANDMARKS = {"header", "nav", "main", "footer", "aside"}
LANDMARK_ROLES = {"banner", "navigation", "main", "contentinfo", "complementary", "region", "search"}


class _Landmarks(HTMLParser):
    """For each text, whether it stands inside a landmark."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.outside: list[str] = []
        self.icons: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "icon" in (attrs.get("rel") or "").split():
            self.icons.append(attrs.get("href") or "")
        if tag in self.VOID:
            return
        # <html>, <head> and <body> are no landmark, but what is in <head> is no page text either.
        self.stack.append(tag in LANDMARKS or attrs.get("role") in LANDMARK_ROLES
                          or tag in ("head", "script", "style", "title", "noscript"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and self.stack and not any(self.stack):
            self.outside.append(data.strip())


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_links_a_favicon_that_is_shipped(mini_built: Path):
    pages = _pages(mini_built)
    assert len(pages) > 20
    for page in pages:
        parser = _Landmarks()
        parser.feed(page.read_text(encoding="utf-8"))
        assert len(parser.icons) == 1, page
        rel = page.relative_to(mini_built).as_posix()
        href = parser.icons[0]
        # The 404 page links absolutely, under the site's base path (/archief/ in the fixture).
        target = href.removeprefix("/archief/") if href.startswith("/") else urljoin("/" + rel, href).lstrip("/")
        assert (mini_built / target).is_file(), (page, target)
    assert (mini_built / "assets/favicon.svg").read_bytes().startswith(b"<svg")


def test_no_text_outside_a_landmark_on_any_page(mini_built: Path):
    for page in _pages(mini_built):
        parser = _Landmarks()
        parser.feed(page.read_text(encoding="utf-8"))
        # The skip link is the one exception axe allows (it must come first).
        outside = [text for text in parser.outside if text not in ("Naar de inhoud", "Skip to content")]
        assert outside == [], (page, outside)


def test_emergency_strip_is_a_labelled_complementary_landmark(mini_built: Path):
    html = (mini_built / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<aside class="emergency" aria-label="Spoed"><div class="wrap">Bij spoed of gevaar: bel 112', html)


def test_author_and_district_labels_do_not_repeat_themselves(mini_built: Path):
    pages = [p.read_text(encoding="utf-8") for p in _pages(mini_built)]
    assert not any(re.search(r"<dd>BINCO [^<]*\(BINCO\)</dd>", page) for page in pages)
    assert any("<dd>BINCO Noord</dd>" in page for page in pages)
    # The fixture's districts differ from the area names: they stay.
    assert "Wijk: Testdorp-Noord" in (mini_built / "noord/index.html").read_text(encoding="utf-8")


def test_district_equal_to_the_area_name_is_not_repeated(mini_root: Path, tmp_path: Path):
    from binsite.build import build
    from sitekit import MINI_NOW

    lists = mini_root / "lists/noord.yaml"
    lists.write_text(lists.read_text(encoding="utf-8").replace("district: Testdorp-Noord", "district: Noord"), encoding="utf-8")
    build(mini_root, tmp_path / "out", now=MINI_NOW)
    page = (tmp_path / "out/noord/index.html").read_text(encoding="utf-8")
    assert "<h1>Noord</h1>" in page and "Wijk:" not in page


def test_visited_site_title_turns_dark_when_focused():
    """`.site-title:visited` (white) must not outrank the focus style: a rule
    at least as specific, later, sets the text colour on the yellow."""
    css = (Path(__file__).resolve().parents[1] / "templates/assets/style.css").read_text(encoding="utf-8")
    visited = css.index(".site-title, .site-title:visited {")
    rule = re.search(r"\.site-title:visited:focus-visible[^{]*\{([^}]*)\}", css)
    assert rule and rule.start() > visited
    assert "color: var(--text)" in rule.group(1) and "background: var(--focus)" in rule.group(1)
