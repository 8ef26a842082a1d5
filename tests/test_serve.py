"""``binsite serve``: serves the built site, rebuilds on a change, tells the page to reload."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from sitekit import poll, write


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(condition, timeout: float = 30.0):
    return poll(condition, timeout=timeout, what="the preview server", interval=0.2, ignore=(OSError,))


def test_serve_builds_serves_and_rebuilds(mini_root: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/archief/"  # the fixture's base_url has a sub-path
    process = subprocess.Popen([sys.executable, "-m", "binsite", "--root", str(mini_root), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, page = wait_for(lambda: get(base))
        assert status == 200 and "BIN Testdorp" in page
        # The reload script is injected only while serving.
        assert "__binsite/reload.js" in page
        version = get(base + "__binsite/version")[1]
        status, _ = get(base + "bestaat-niet/")
        assert status == 404
        write(mini_root / "content/noord/2026-11-08-nieuw.md",
              "---\ntitle: Heel nieuw bericht\ndate: 2026-11-08\ncategory: nieuws\n---\nVers van de pers.\n")
        wait_for(lambda: get(base + "__binsite/version")[1] != version)
        status, page = wait_for(lambda: get(base + "noord/2026-11-08-nieuw/"))
        assert status == 200 and "Vers van de pers." in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_shows_errors_in_a_wrapping_escaped_banner_and_labels_drafts(mini_root: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/archief/"
    write(mini_root / "content/noord/2026-11-08-concept.md",
          "---\ntitle: Nog een concept\ndate: 2026-11-08\ncategory: nieuws\ndraft: true\n---\nBijna klaar.\n")
    process = subprocess.Popen([sys.executable, "-m", "binsite", "--root", str(mini_root), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={"PATH": "", "BINSITE_LANG": "nl", "PYTHONPATH": ":".join(sys.path)})
    try:
        status, page = wait_for(lambda: get(base + "noord/2026-11-08-concept/"))
        # The draft is labelled on its page and in the area's list.
        assert status == 200 and 'class="badge badge-draft">Concept: alleen in de voorvertoning' in page
        _, area = get(base + "noord/")
        assert '<span class="badge badge-draft">Concept</span>' in area
        version = get(base + "__binsite/version")[1]
        write(mini_root / "content/noord/2026-11-09-kapot.md",
              "---\ntitle: Kapot\ndate: 2026-11-09\ncategory: <i>fietz</i>" + "fietz" * 40 + "\n---\nT\n")
        wait_for(lambda: get(base + "__binsite/version")[1] != version)
        _, page = get(base)
        # A class of the site's stylesheet (the CSP blocks inline styles), inside <main>, escaped.
        assert 'style="' not in page.split("<main", 1)[1].split("</main>", 1)[0]
        banner = page.split('<div class="serve-error" role="alert">', 1)[1].split("</div>", 1)[0]
        assert page.index("<main") < page.index('class="serve-error"')
        assert "content/noord/2026-11-09-kapot.md:4: fout: onbekende categorie" in banner
        assert "<i>" not in banner and "&#x27;&lt;i&gt;fietz&lt;/i&gt;" in banner
        _, css = get(base + "assets/style.css")
        rule = css.split(".serve-error pre {", 1)[1].split("}", 1)[0]
        assert "white-space: pre-wrap" in rule and "overflow-wrap: anywhere" in rule
    finally:
        process.terminate()
        process.wait(timeout=10)
