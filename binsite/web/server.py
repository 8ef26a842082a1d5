"""Serving the app on loopback (``binsite web``, ``make demo``, the tests).

Werkzeug's threaded server, with a request log that holds no token (a join
link's token carries the address it was mailed to) and no address. In
production gunicorn runs ``binsite.web.wsgi:app`` instead (docs/beheer.md).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger("binsite.web.access")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        from binsite.web.app import _TOKEN_IN_PATH
        path = _TOKEN_IN_PATH.sub(r"\1…", self.path.split("?", 1)[0])
        log.info("%s %s %s", self.command, path, code)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 (werkzeug's signature)
        log.warning("request error: %s", format % args if args else format)


def make(app: Any, host: str, port: int) -> BaseWSGIServer:
    """A threaded server bound now (``port`` 0: a free one, see ``server.server_port``)."""
    return make_server(host, port, app, threaded=True, request_handler=_QuietHandler)


def serve(app: Any, host: str, port: int) -> None:
    make(app, host, port).serve_forever()


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """For tests: the server runs in a daemon thread; ``.shutdown()`` stops it."""
    server = make(app, host, port)
    threading.Thread(target=server.serve_forever, name="binsite-web", daemon=True).start()
    return server
