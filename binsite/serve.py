"""``binsite serve``: build into a temporary folder, serve it on 127.0.0.1,
rebuild when content, lists, templates or config change, reload the browser.

The reload script is injected only while serving (never in a real build):
pages ask ``__binsite/version`` every second and reload when it changes.
Standard library only.
"""

from __future__ import annotations

import http.server
from html import escape
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from binsite.build import build
from binsite.incremental.cache import BuildCache
from binsite.errors import BinsiteError, InvalidSite
from binsite.i18n import t

log = logging.getLogger(__name__)

WATCHED = ("binsite.yaml", "content", "lists", "templates")
RELOAD_JS = b"""(function () {
  var seen = null;
  function poll() {
    fetch(document.documentElement.dataset.binsiteServe + "__binsite/version", {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (v) { if (seen !== null && v !== seen) { location.reload(); } seen = v; })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1000); });
  }
  poll();
}());
"""


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file."""
    state: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            try:
                state[str(file)] = file.stat().st_mtime_ns
            except FileNotFoundError:
                pass
    return state


class _State:
    def __init__(self) -> None:
        self.version = 0
        self.error = ""


def _with_banner(html: bytes, error: str) -> bytes:
    """The page with the build's errors at the top of its main content.

    Styled by a class of the site's stylesheet: the pages' Content-Security-
    Policy (``style-src 'self'``) blocks inline styles, which is why an inline
    ``white-space: pre-wrap`` left one long unwrapped line. Escaped: messages
    quote what the BINCO typed."""
    title = t("De laatste wijziging is niet gebouwd; dit is de vorige versie. Herstel:",
              "The last change was not built; this is the previous version. Fix:")
    banner = (f'<div class="serve-error" role="alert"><p class="serve-error-title">{escape(str(title))}</p>'
              f'<pre>{escape(error)}</pre></div>').encode()
    start = html.find(b"<main")
    end = html.find(b">", start) if start != -1 else -1
    if end == -1:
        return html.replace(b"<body>", b"<body>" + banner, 1)
    return html[:end + 1] + banner + html[end + 1:]


def _handler(out: Path, base_path: str, state: _State) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(out), **kwargs)

        def log_message(self, fmt, *args):  # quiet; the CLI prints rebuilds
            log.debug(fmt, *args)

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path.endswith("__binsite/version"):
                return self._send(str(state.version).encode(), "text/plain")
            if path.endswith("__binsite/reload.js"):
                return self._send(RELOAD_JS, "text/javascript")
            if path.startswith(base_path):
                self.path = "/" + self.path[len(base_path):]
            elif base_path != "/":
                return self._send(f'<a href="{base_path}">{base_path}</a>'.encode(), "text/html", 404)
            target = out / self.path.split("?", 1)[0].lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                html = target.read_bytes()
                inject = (f'<script src="{base_path}__binsite/reload.js"></script>'.encode())
                html = html.replace(b"<html ", f'<html data-binsite-serve="{base_path}" '.encode(), 1)
                html = html.replace(b"</body>", inject + b"</body>", 1)
                if state.error:
                    html = _with_banner(html, state.error)
                return self._send(html, "text/html; charset=utf-8")
            if not target.exists():
                page = out / "404.html"
                return self._send(page.read_bytes() if page.exists() else b"404", "text/html; charset=utf-8", 404)
            return super().do_GET()

    return Handler


def serve(root: Path, *, port: int, now: Callable[[], datetime], drafts: bool,
          on_build: Callable[[str], None], base_path: str = "/") -> None:
    """Serve until interrupted. ``on_build`` receives a line to show after each build."""
    out = Path(tempfile.mkdtemp(prefix="binsite-serve-")) / "site"
    state = _State()
    # Kept open between rebuilds: an edit is shown without loading the
    # cache again (0.1 s at 10,000 bulletins); it is saved after each build.
    cache = BuildCache.open(root)

    def rebuild() -> None:
        try:
            result = build(root, out, now=now(), drafts=drafts, resident=cache)
        except InvalidSite as exc:
            state.error = "\n".join(p.format() for p in exc.problems if p.is_error)
            on_build(state.error)
        except BinsiteError as exc:
            state.error = exc.message()
            on_build(state.error)
        else:
            state.error = ""
            on_build(str(t("{p} pagina's, {w} geschreven", "{p} pages, {w} written",
                             p=result.pages, w=result.report.written)))
        state.version += 1

    rebuild()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(out, base_path, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    on_build(str(t("Voorvertoning op {u} (Ctrl+C stopt)", "Preview at {u} (Ctrl+C stops)",
                   u=f"http://127.0.0.1:{server.server_address[1]}{base_path}")))
    seen = snapshot(root)
    try:
        while True:
            time.sleep(0.5)
            current = snapshot(root)
            if current != seen:
                seen = current
                rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
