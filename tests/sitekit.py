"""Helpers shared by the tests: fixture copies, file writing, the fixture clock.

(A module of its own, not conftest.py: test folders have conftest files of
their own and ``from conftest import`` would pick the wrong one.)
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Amsterdam")
# The moment the fixture site is built at: scheduled, expired and due are
# decided against it, so the golden tree does not depend on the real clock.
MINI_NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def poll(condition, *, timeout: float, what: str, interval: float = 0.05, ignore: tuple = ()):
    """The first true value of ``condition()``, asked every ``interval``
    seconds; an ``AssertionError`` naming ``what`` after ``timeout`` seconds.
    An exception of a type in ``ignore`` counts as "not yet" (a server that
    is still starting). The one waiting loop of the tests: none sleeps a
    fixed time and hopes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except ignore:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
