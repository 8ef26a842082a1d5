"""binsite.desk.sessions: which desk sessions ended before their cookie expired.

The sessions live in the store now (tests/store/test_store.py, on SQLite and
PostgreSQL); here: reading an old ``desk-sessions.jsonl`` that is read in once."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from binsite.desk import sessions
from binsite.store import schema

NOW = 1_800_000_000.0


def write_lines(path, *values: dict) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        for value in values:
            handle.write(json.dumps(value) + "\n")


def test_an_old_file_gives_its_whole_lines_and_skips_torn_and_foreign_ones(tmp_path):
    path = tmp_path / "s.jsonl"
    write_lines(path, {"at": NOW, "ended": "a" * 32}, {"at": NOW + 1, "before": "b" * 32}, {"at": "x", "ended": "c"},
                {"at": NOW, "ended": "d" * 65}, {"at": NOW, "other": "e"})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"at": 17, "ended": "trunc')                          # a writer killed mid-line
    assert list(sessions.read_lines(path)) == [("ended", "a" * 32, NOW), ("before", "b" * 32, NOW + 1)]


def test_a_large_old_file_is_read_from_its_end_only(tmp_path, monkeypatch):
    """Bounded memory: only the last READ_AT_MOST bytes count (older lines are older than a session)."""
    monkeypatch.setattr(sessions, "READ_AT_MOST", 400)
    path = tmp_path / "s.jsonl"
    write_lines(path, {"at": NOW, "ended": "first"}, *({"at": NOW, "ended": f"filler{n}"} for n in range(20)),
                {"at": NOW, "ended": "last"})
    found = [digest for _, digest, _ in sessions.read_lines(path)]
    assert found[-1] == "last" and "first" not in found


def test_something_other_than_a_file_gives_nothing(tmp_path):
    (tmp_path / "folder.jsonl").mkdir()
    device = tmp_path / "full.jsonl"
    device.symlink_to("/dev/full")
    assert list(sessions.read_lines(tmp_path / "folder.jsonl")) == [] and list(sessions.read_lines(device)) == []
    assert list(sessions.read_lines(tmp_path / "none.jsonl")) == []


def test_the_digests_name_no_one():
    assert "binco" not in sessions._address("binco@example.org") and len(sessions._digest("id", "s1")) == 32


# --- sessions seen: idle timeout and the account page's list (in the store) ---------------------

HOUR = 3600.0


@pytest.fixture
def store(store_of_url):
    return store_of_url


def test_an_idle_session_ends_and_a_used_one_goes_on(store):
    idle = sessions.IDLE_SECONDS
    started = NOW - 2 * HOUR
    # Seen 29 minutes ago: still on; 31 minutes ago: ended, though the 10 hours are not over.
    sessions.seen(store, "binco@example.org", "used", "Firefox op Android", at=NOW - idle + 60)
    sessions.seen(store, "binco@example.org", "idle", "Chrome op Windows", at=NOW - idle - 60)
    assert not sessions.has_ended(store, "binco@example.org", "used", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    assert sessions.has_ended(store, "binco@example.org", "idle", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    # Never seen since its login: the login counts as the last use.
    assert sessions.has_ended(store, "binco@example.org", "never", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    assert not sessions.has_ended(store, "binco@example.org", "never", NOW - 60, now=NOW, lifetime=10 * HOUR,
                                  idle=idle)
    with store.engine.connect() as conn:
        held = [tuple(r) for r in conn.execute(sa.select(schema.sessions_seen))]
    assert "binco@example.org" not in repr(held) and "'used'" not in repr(held)


def test_the_active_sessions_of_one_address_with_device_and_last_seen(store):
    for at, sid in ((NOW - 600, "laptop"), (NOW - 300, "phone"), (NOW - 120, "laptop")):
        sessions.seen(store, "binco@example.org", sid, "Chrome op Windows" if sid == "laptop" else "Safari op iPhone",
                      at=at)
    sessions.seen(store, "other@example.org", "theirs", "Firefox op Linux", at=NOW - 60)
    sessions.seen(store, "binco@example.org", "gone", "Edge op Windows", at=NOW - 2 * HOUR)
    found = sessions.active(store, " BINCO@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS)
    assert [(a.device, a.last_seen) for a in found] == [("Chrome op Windows", NOW - 120),
                                                        ("Safari op iPhone", NOW - 300)]
    sessions.end_session_key(store, sessions.session_key("phone"), at=NOW - 10)
    found = sessions.active(store, "binco@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS)
    assert [a.device for a in found] == ["Chrome op Windows"]
    assert sessions.has_ended(store, "binco@example.org", "phone", NOW - 600, now=NOW, lifetime=10 * HOUR)
    # Out everywhere: none of the sessions begun before it is listed.
    sessions.end_every_session(store, "binco@example.org", at=NOW - 5)
    assert sessions.active(store, "binco@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS) == []
    # An erased address leaves no seen rows (binsite avg wissen).
    store.sessions_forget(sessions._address("binco@example.org"))
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.sessions_seen)).scalar() == 1
