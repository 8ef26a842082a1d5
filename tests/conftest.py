"""Shared fixtures: scratch sites in tmp_path (no chdir, no patching).

Layers: ``mini_root`` (a copy of tests/fixtures/mini) -> ``mini_site`` (loaded,
valid) -> ``mini_built`` (built once per session into a folder).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    return copy_fixture("mini", tmp_path)


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory) -> Path:
    """The fixture site built once, read-only for the tests that use it."""
    from binsite.build import build

    root = copy_fixture("mini", tmp_path_factory.mktemp("mini"))
    out = root / "_site"
    build(root, out, now=MINI_NOW)
    return out


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
