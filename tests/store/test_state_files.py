"""Existing sites move to the store: the files today's code wrote (tests/fixtures/state-v1, made
by the code of 0f69dc6) are read in once, nothing lost, nothing doubled; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
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


# --- state-v2: what main's partners' door, membership moves and report form wrote (0f9fde5) ---

V2_KEY = "K" * 16


@pytest.fixture
def site_v2(tmp_path: Path) -> Path:
    return copy_fixture("state-v2", tmp_path)


def read_in_v2(store: Store, root: Path):
    from binsite.store.files import import_site
    return import_site(store, root, {})


def test_partner_records_moves_and_pending_reports_are_read_in_once(site_v2, database_url):
    from binsite.desk import partners
    from binsite.mailman import moves
    from binsite.paths import member_moves, pending_reports_dir
    from binsite.reports.store import DatabasePendingReports

    partners_before = partners.store_path(site_v2).read_bytes()
    store = opened(database_url)
    done = read_in_v2(store, site_v2)
    # The torn last line is skipped; both reports (the taken one too: its process is gone) wait again.
    assert (done.partner_records, done.moves, done.reports) == (5, 2, 2)
    state = partners.DatabaseStore(store).read()
    assert state == partners.FileStore(partners.store_path(site_v2)).read()   # nothing lost, nothing changed
    report = state.reports[V2_KEY]
    assert report.reporter == "melder.een@res.example" and report.status == partners.IN_PROGRESS
    assert [a.text for a in report.answers] == ["We kijken ernaar."]
    assert state.notices["n0tice000001"].waiting() == ("zuid",)
    # A link in an old mail still follows the resident's moves.
    assert moves.follow(store, ("noord.bin.example", "1" * 32)) == moves.follow(member_moves(site_v2),
                                                                              ("noord.bin.example", "1" * 32))
    assert moves.follow(store, ("noord.bin.example", "1" * 32))[-1] == ("noord.bin.example", "3" * 32)
    # The reports' confirmation links work (once) on any instance; their files are gone.
    pending = DatabasePendingReports(store, max_age=3 * 86400)
    taken = [pending.take(i) for i in ("f700a280e6b7d9164a8b3927a2df391d", "1e65f241197790a4e02870df015baf67")]
    assert [(r.area_id, r.address, r.photo.data if r.photo else None) for r in taken] == [
        ("noord", "melder.twee@res.example", b"rebuilt-jpeg"), ("zuid", "melder.drie@res.example", None)]
    assert pending.take("f700a280e6b7d9164a8b3927a2df391d") is None
    assert list(pending_reports_dir(site_v2).iterdir()) == []
    assert partners.store_path(site_v2).read_bytes() == partners_before   # left as history
    again = read_in_v2(opened(database_url), site_v2)
    assert again.total == 0 and {"desk-partners.jsonl", "member-moves.jsonl"} <= set(again.already)
    assert len(store.partner_records()) == 5 and len(store.moves()) == 2


def test_report_files_left_by_a_crash_after_the_commit_are_not_doubled(site_v2, database_url, tmp_path):
    from binsite.paths import pending_reports_dir

    kept = tmp_path / "kept"
    shutil.copytree(pending_reports_dir(site_v2), kept)
    store = opened(database_url)
    read_in_v2(store, site_v2)
    shutil.copytree(kept, pending_reports_dir(site_v2), dirs_exist_ok=True)   # as if killed before the unlink
    assert read_in_v2(store, site_v2).reports == 0
    assert store.reports_pending() == 2 and list(pending_reports_dir(site_v2).iterdir()) == []


def test_two_binco_approving_on_two_instances_at_once_publish_once(site_v2, database_url):
    """The partners' door's check-then-act (``exclusive``) holds across instances: two stores
    (two processes' engines) on one database, one notice, two approvals at once."""
    from binsite.desk import partners

    first, second = opened(database_url), opened(database_url)
    read_in_v2(first, site_v2)
    published: list[tuple[str, ...]] = []
    entered = threading.Barrier(2)

    def publish(notice, areas):
        published.append(areas)
        time.sleep(0.3)   # a git push: the other approval waits at the lock meanwhile
        return ("content/zuid/x.md", "c" * 40)

    results: list[object] = []

    def approve(store: Store) -> None:
        entered.wait()
        try:
            results.append(partners._decide(partners.DatabaseStore(store), "n0tice000001", ("zuid",),
                                            partners.APPROVE, by="binco", publish=publish, now=None))
        except partners.BinsiteError as exc:
            results.append(exc)

    threads = [threading.Thread(target=approve, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert published == [("zuid",)]
    assert sum(isinstance(r, partners.BinsiteError) for r in results) == 1
    assert partners.DatabaseStore(second).read().notices["n0tice000001"].waiting() == ()
