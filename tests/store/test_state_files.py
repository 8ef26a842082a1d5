"""Existing sites move to the store: the files today's code wrote (tests/fixtures/state-v1, made
by the code of 0f69dc6) are read in once, nothing lost, nothing doubled; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from binsite import store as stores
from binsite.cli import main
from binsite.desk import logbook, sessions
from binsite.errors import StoreUnavailable
from binsite.paths import desk_log, desk_sessions, web_spool_dir
from binsite.store import Store, schema
from binsite.store.files import import_state
from sitekit import copy_fixture

LIFETIME = 10 * 3600.0


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_fixture("state-v1", tmp_path)


def read_in(store: Store, root: Path):
    return import_state(store, log_path=desk_log(root), sessions_path=desk_sessions(root),
                        spool_dir=web_spool_dir(root, {}))


def opened(database_url: str) -> Store:
    store = Store(database_url)
    store.upgrade()
    return store


def once(nonce: str) -> str:
    """The digest web/desk.py claims for a login link's nonce."""
    return hashlib.sha256(b"binsite-login\x1f" + nonce.encode()).hexdigest()[:24]


def test_the_files_are_read_in_once_and_keep_their_promises(site, database_url):
    logbook_before = desk_log(site).read_bytes()
    store = opened(database_url)
    done = read_in(store, site)
    # Torn lines skipped; the entry claimed by a process that is gone is taken too.
    assert (done.lines, done.logins, done.sessions, done.spooled) == (3, 2, 2, 2)
    # A login link used before the move stays used; a new one works once.
    assert not store.claim("login", once("nonce-one")) and not store.claim("login", once("nonce-two"))
    assert store.claim("login", once("nonce-three"))
    # A session logged out before the move stays ended, and so does "everywhere".
    at = 1_796_000_000.0
    assert sessions.has_ended(store, "x@bin.test", "session-logged-out", at - 10, now=at + 60, lifetime=LIFETIME)
    assert sessions.has_ended(store, "coord@bin.test", "another", at + 50, now=at + 200, lifetime=LIFETIME)
    assert not sessions.has_ended(store, "coord@bin.test", "later", at + 150, now=at + 200, lifetime=LIFETIME)
    # Both unsubscribes wait in the store; their files are gone; the logbook is as it was.
    entries = store.spool_take()
    assert sorted(e.member_id for e in entries) == ["member-1", "member-2"]
    assert list(web_spool_dir(site, {}).iterdir()) == []
    # The logbook's lines are in the store, in order, as they were; the file is left as it was.
    assert desk_log(site).read_bytes() == logbook_before
    stores.use(site, store)
    assert list(logbook.lines(site)) == list(logbook.read(desk_log(site)))
    assert [v["action"] for v in logbook.lines(site)] == ["login", "login", "publish"]


def test_a_second_start_reads_nothing_again(site, database_url):
    store = opened(database_url)
    read_in(store, site)
    again = read_in(opened(database_url), site)
    assert again.total == 0 and set(again.already) == {"desk.jsonl", "desk.jsonl:login", "desk-sessions.jsonl"}
    with store.engine.connect() as conn:
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                  for t in (schema.logbook, schema.claims, schema.ended_sessions, schema.spool)}
    assert counts == {"logbook": 3, "claims": 2, "ended_sessions": 2, "spool": 2}


def test_spool_files_left_by_a_crash_after_the_commit_are_not_doubled(site, database_url, tmp_path):
    kept = tmp_path / "kept"
    shutil.copytree(web_spool_dir(site, {}), kept)
    store = opened(database_url)
    read_in(store, site)
    shutil.copytree(kept, web_spool_dir(site, {}), dirs_exist_ok=True)   # as if killed before the unlink
    assert read_in(store, site).spooled == 0
    assert store.spool_pending() == 2 and list(web_spool_dir(site, {}).iterdir()) == []


def test_two_instances_starting_at_once_read_the_files_in_once(site, database_url):
    stores = [opened(database_url) for _ in range(3)]
    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(read_in(s, site))) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.logins for r in results) == 2 and sum(r.sessions for r in results) == 2
    assert sum(r.lines for r in results) == 3
    assert sum(r.spooled for r in results) == 2 and stores[0].spool_pending() == 2


def test_with_the_database_down_nothing_is_read_and_every_file_stays(site, tmp_path):
    before = sorted(p.name for p in web_spool_dir(site, {}).iterdir())
    down = Store(f"sqlite:///{tmp_path / 'no-such-folder' / 'web.sqlite'}")
    with pytest.raises(StoreUnavailable):
        read_in(down, site)
    assert sorted(p.name for p in web_spool_dir(site, {}).iterdir()) == before
    assert desk_sessions(site).stat().st_size > 0


def test_migrate_state_on_the_command_line_says_what_it_read_and_reads_nothing_twice(site, database_url):
    env = {"BINSITE_DATABASE_URL": database_url, "BINSITE_LANG": None, "BINSITE_STATE_DIR": None,
           "BINSITE_WEB_SPOOL": None}
    first = CliRunner().invoke(main, ["--root", str(site), "web", "migrate-state"], env=env)
    assert first.exit_code == 0, first.output
    assert "3 logboekregels, 2 gebruikte inloglinks, 2 beëindigde sessies, 2 afmeldingen" in first.output
    assert "versie 0004" in first.output
    second = CliRunner().invoke(main, ["--root", str(site), "web", "migrate-state"], env=env)
    assert second.exit_code == 0 and "0 logboekregels, 0 gebruikte inloglinks" in second.output
    assert "Al eerder ingelezen" in second.output


def test_migrate_state_with_the_database_down_fails_in_dutch_and_changes_nothing(site, tmp_path):
    (tmp_path / "nergens").write_text("a file where the database's folder would be")
    env = {"BINSITE_DATABASE_URL": f"sqlite:///{tmp_path / 'nergens' / 'web.sqlite'}", "BINSITE_LANG": None,
           "BINSITE_STATE_DIR": None, "BINSITE_WEB_SPOOL": None}
    result = CliRunner().invoke(main, ["--root", str(site), "web", "migrate-state"], env=env)
    assert result.exit_code != 0 and "database van de dienst is niet bereikbaar" in result.output
    assert "nergens" not in result.output and len(list(web_spool_dir(site, {}).iterdir())) == 2


def test_without_a_database_url_the_store_is_an_sqlite_file_in_the_state_folder(site):
    env = {"BINSITE_LANG": None, "BINSITE_STATE_DIR": None, "BINSITE_WEB_SPOOL": None, "BINSITE_DATABASE_URL": None}
    result = CliRunner().invoke(main, ["--root", str(site), "web", "migrate-state"], env=env)
    assert result.exit_code == 0, result.output
    assert (site / "state" / "web.sqlite").is_file()
    assert (site / "state" / "web.sqlite").stat().st_mode & 0o077 == 0   # private, like every state file with digests
    assert Store(f"sqlite:///{site / 'state' / 'web.sqlite'}").spool_pending() == 2


def test_a_store_of_the_first_schema_moves_to_the_newest_with_its_rows(database_url):
    """Alembic's migrations in order: a database made by 0001 (before the logbook) keeps its rows."""
    from alembic import command
    from alembic.config import Config

    from binsite.store import MIGRATIONS

    store = Store(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.commit()
    assert store.revision() == "0001"
    assert store.claim("login", "before-0002")
    store.upgrade()
    assert store.revision() == "0004" and not store.claim("login", "before-0002")
    store.log_append('{"v":1}', at="2026-12-01T09:00:00+00:00", action="accept")
    assert list(store.log_lines()) == ['{"v":1}']


def test_the_service_reads_the_old_files_in_at_its_first_start(tmp_path):
    """A site as today's code left it (the mini site plus tests/fixtures/state-v1's files): the
    first create_app reads them in; the second start reads nothing again."""
    from binsite.web.app import create_app

    root = copy_fixture("mini", tmp_path)
    old = Path(__file__).parents[1] / "fixtures" / "state-v1"
    shutil.copytree(old / "state", root / "state", dirs_exist_ok=True)
    shutil.copytree(old / ".binsite", root / ".binsite", dirs_exist_ok=True)
    env = {"BINSITE_SECRET_KEY": "x" * 40, "BINSITE_MAILMAN_URL": "http://127.0.0.1:9/3.1",
           "BINSITE_MAILMAN_USER": "u", "BINSITE_MAILMAN_PASSWORD": "p", "BINSITE_SMTP_HOST": "127.0.0.1",
           "BINSITE_SMTP_PORT": "9", "BINSITE_DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite'}"}
    app = create_app(root, environ=env)
    store = app.extensions["binsite"].store
    assert [v["action"] for v in logbook.lines(root)] == ["login", "login", "publish"]
    assert store.spool_pending() == 2 and not store.claim("login", once("nonce-one"))
    again = create_app(root, environ=env).extensions["binsite"].store
    assert again.spool_pending() == 2 and len(list(logbook.lines(root))) == 3
