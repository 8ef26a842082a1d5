"""Progress of long work, reported by the library and drawn by the CLI.

A cold build of 10,000 bulletins takes 10-30 seconds; a first ``lists sync``
makes hundreds of changes. The library says how far it is by calling
``report(phase, done, total)``; whoever runs it decides how to show that
(``binsite.cli.progress`` draws it in place on a terminal and as plain lines
in CI) by installing a callback for the duration::

    with reporting(callback):
        build(...)

Without a callback ``report`` costs one lookup. The callback is a context
variable, so two builds in two threads (``binsite serve`` and a test) report
to their own caller. ``total`` is None when it is not known in advance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Callback = Callable[[str, int, "int | None"], None]

_callback: ContextVar[Callback | None] = ContextVar("binsite_progress", default=None)

# Phase names: stable ids (the CLI words them in Dutch or English).
ANALYSE = "analyse"
PAGES = "pages"
SYNC = "sync"
IMPORT = "import"


def report(phase: str, done: int, total: int | None = None) -> None:
    callback = _callback.get()
    if callback is not None:
        callback(phase, done, total)


@contextmanager
def reporting(callback: Callback | None) -> Iterator[None]:
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)
