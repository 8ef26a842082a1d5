"""The PostgreSQL tier: one real PostgreSQL server per test session, on loopback.

Registered from tests/conftest.py (``pytest_plugins``). ``local_postgres``
starts it (``binsite.devtools.local_postgres``: initdb + pg_ctl in a temp folder,
as ``nobody`` when the suite runs as root) and stops it at the end. Each test
gets a database of its own (``database_url``), so tests never see each other's
rows. ``database_url`` is parametrised: every test that takes it runs on SQLite
and on PostgreSQL. With ``make test``'s two workers, the tests that use the
server are grouped into the one worker of the session's servers
(``pytest_collection_modifyitems`` in conftest.py): one PostgreSQL per run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from binsite.devtools.local_postgres import LocalPostgres

_databases = itertools.count(1)
DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def local_postgres() -> Iterator[LocalPostgres]:
    server = LocalPostgres.start()
    try:
        yield server
    finally:
        server.stop()


def fresh_database(server: LocalPostgres) -> str:
    """A new empty database on the session's server; its URL."""
    return server.create_database(f"binsite_test_{next(_databases)}")


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """An empty store's URL: an SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'web.sqlite'}"
    return fresh_database(request.getfixturevalue("local_postgres"))


def uses_postgres(item) -> bool:
    """Whether a collected test starts or uses the session's PostgreSQL."""
    names = getattr(item, "fixturenames", ())
    callspec = getattr(item, "callspec", None)
    return "local_postgres" in names or ("database_url" in names and callspec is not None
                                        and callspec.params.get("database_url") == "postgresql")


@pytest.fixture
def store_of_url(database_url):
    """An upgraded store on ``database_url`` (SQLite or PostgreSQL), closed after the test."""
    from binsite.store import Store

    made = Store(database_url)
    made.upgrade()
    yield made
    made.dispose()
