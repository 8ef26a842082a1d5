"""A pytest plugin that runs each module's tests in reverse order (``make test-reversed``).

Module-scoped fixtures give each xdist worker its own site, and ``--dist loadgroup`` may split
a module's tests over the workers: a test that relies on another test of its module having run
before it (a logbook line, a file in content/, a live service process) passes in one run and
fails in the next. Reversed, such a test fails every time."""

from __future__ import annotations

import itertools


def pytest_collection_modifyitems(session, config, items) -> None:
    ordered = []
    for _, group in itertools.groupby(items, key=lambda item: item.nodeid.split("::")[0]):
        ordered.extend(reversed(list(group)))
    items[:] = ordered
