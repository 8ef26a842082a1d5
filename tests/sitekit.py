"""Helpers shared by the tests: fixture copies, file writing, the fixture clock.

(A module of its own, not conftest.py: test folders have conftest files of
their own and ``from conftest import`` would pick the wrong one.)
"""

from __future__ import annotations

import shutil
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
