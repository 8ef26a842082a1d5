"""Hostile Markdown never reaches the archive as active content."""

from __future__ import annotations

import re

import pytest

from binsite.build import build
from binsite.render.markup import render_body
from sitekit import MINI_NOW, write

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
