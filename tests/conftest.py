"""Shared fixtures: scratch sites in tmp_path (no chdir, no patching).

Layers: ``mini_root`` (a copy of tests/fixtures/mini) -> ``mini_built`` (built
once per session into a folder). Helpers live in ``sitekit``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import MINI_NOW, copy_fixture

# The real Mailman Core, started once per test session (tests/mailman_fixtures.py),
# and the real PostgreSQL, likewise (tests/postgres_fixtures.py).
pytest_plugins = ["tests.mailman_fixtures", "tests.postgres_fixtures"]


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


def pytest_collection_modifyitems(config, items) -> None:
    """With ``pytest -n 2 --dist loadgroup`` (``make test``) every test that
    uses the session's Mailman or PostgreSQL runs in one worker: one Mailman and
    one PostgreSQL per run. The other tests are shared between the workers."""
    from tests.postgres_fixtures import uses_postgres

    group = pytest.mark.xdist_group("mailman")
    for item in items:
        if "local_mailman" in getattr(item, "fixturenames", ()) or uses_postgres(item):
            item.add_marker(group)
