"""Hostile Markdown never reaches the archive as active content."""

from __future__ import annotations

import re

import pytest

from binsite.build import build
from binsite.render.markup import render_body
from sitekit import MINI_NOW, SCRIPT_SCHEME_VARIANTS, script_links, write

PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">klik</a>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1))",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<svg onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<body onload=alert(1)>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "![x](https://tracker.example/pixel.gif)",
    "<img src=\"//tracker.example/p.gif\">",
    "<style>body{background:url(https://evil.example)}</style>",
    "<p onclick=\"alert(1)\">klik</p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
FORBIDDEN = re.compile(
    r"<script|onerror|onload|onclick|javascript:|<iframe|<object|<embed|<form|<meta http|<style|data:text|"
    r"tracker\.example|evil\.example", re.IGNORECASE)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload):
    body = render_body(f"Tekst\n\n{payload}\n", lang="nl")
    for html in (body.public_html, body.mail_html):
        assert not FORBIDDEN.search(html), html


def test_payloads_never_reach_built_site(mini_root, tmp_path):
    write(mini_root / "content/noord/2026-11-07-xss.md",
          "---\ntitle: \"<script>alert('titel')</script>\"\ndate: 2026-11-07\n---\n" + "\n\n".join(PAYLOADS) + "\n")
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    for path in out.rglob("*.html"):
        html = path.read_text()
        scripts = re.findall(r"<script[^>]*>", html)
        assert all(re.fullmatch(r'<script src="[./a-z]*(zoeken/index\.js|assets/search\.js)">', s) for s in scripts), (path, scripts)
        assert not re.search(r"<[^>]*\b(onerror|onload|onclick)=|javascript:|<iframe|<object|<embed", html, re.I), path
        assert not re.search(r"(src|href|action)=\"[^\"]*(tracker|evil)\.example", html, re.I), path
    assert "&lt;script&gt;alert(&#39;titel&#39;)&lt;/script&gt;" in (out / "noord/2026-11-07-xss/index.html").read_text()


@pytest.mark.parametrize("variant", SCRIPT_SCHEME_VARIANTS)
def test_no_script_scheme_survives_as_a_link_or_source(variant):
    body = render_body(f"Tekst\n\n{variant}\n", lang="nl")
    for html in (body.public_html, body.mail_html):
        assert script_links(html) == [], html


def test_the_scheme_check_itself_finds_every_raw_variant():
    # What the checker above would see if the sanitiser let a variant through unchanged.
    raw_html = [v for v in SCRIPT_SCHEME_VARIANTS if v.startswith("<") and not v.startswith("<javascript")]
    assert raw_html and all(script_links(v) for v in raw_html)
    assert script_links('<a href="java   script:x">') and not script_links('<a href="https://x.example/javascript:">')


def test_a_tab_or_spaces_inside_a_scheme_leave_no_link():
    body = render_body("[g](<java\tscript:alert(7)>) [h](<vb script:x>) [ok](https://example.org/a:b)\n", lang="nl")
    assert "script:" not in body.public_html.replace("example.org", "")
    assert 'href="https://example.org/a:b"' in body.public_html
