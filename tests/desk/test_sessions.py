"""binsite.desk.sessions: which desk sessions ended before their cookie expired."""

from __future__ import annotations

from binsite.desk import sessions

HOUR = 3600.0
NOW = 1_800_000_000.0


def ended(path, address="binco@example.org", sid="s1", started=NOW - HOUR, now=NOW):
    return sessions.has_ended(path, address, sid, started, now=now, lifetime=10 * HOUR)


def test_nothing_recorded_nothing_ended(tmp_path):
    assert not ended(tmp_path / "none.jsonl")


def test_a_logged_out_session_ends_and_no_other(tmp_path):
    path = tmp_path / "s.jsonl"
    sessions.end_session(path, "s1", at=NOW - 60)
    assert ended(path, sid="s1") and not ended(path, sid="s2")
    text = path.read_text("utf-8")
    assert "s1" not in text.replace('"at"', "") and "binco" not in text


def test_everywhere_ends_the_sessions_begun_before_it_for_that_address_only(tmp_path):
    path = tmp_path / "s.jsonl"
    sessions.end_every_session(path, "BINCO@example.org ", at=NOW - 60)
    assert ended(path, started=NOW - 61) and ended(path, started=NOW - 60)
    assert not ended(path, started=NOW - 59)                       # a login after it
    assert not ended(path, address="ander@example.org", started=NOW - 61)
    assert "example.org" not in path.read_text("utf-8")


def test_a_torn_line_and_lines_older_than_a_session_are_skipped(tmp_path):
    path = tmp_path / "s.jsonl"
    sessions.end_session(path, "old", at=NOW - 11 * HOUR)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"at": 17, "ended": "trunc')                        # a writer killed mid-line
    sessions.end_session(path, "s1", at=NOW - 60)                  # closes the torn line off first
    assert ended(path, sid="s1") and not ended(path, sid="old")


def test_the_file_is_read_again_when_another_instance_writes(tmp_path):
    path = tmp_path / "s.jsonl"
    sessions.end_session(path, "s1", at=NOW - 60)
    assert not ended(path, sid="s2")
    sessions.end_session(path, "s2", at=NOW - 30)
    assert ended(path, sid="s2")


def test_a_large_file_is_read_from_its_end_only(tmp_path, monkeypatch):
    """Bounded memory: only the last READ_AT_MOST bytes count (older lines are older than a session)."""
    monkeypatch.setattr(sessions, "READ_AT_MOST", 400)
    path = tmp_path / "s.jsonl"
    sessions.end_session(path, "first", at=NOW - 60)
    for n in range(20):
        sessions.end_session(path, f"filler{n}", at=NOW - 50)
    sessions.end_session(path, "last", at=NOW - 40)
    assert path.stat().st_size > 400
    assert ended(path, sid="last") and not ended(path, sid="first")


def test_something_other_than_a_file_counts_as_nothing_ended(tmp_path):
    (tmp_path / "folder.jsonl").mkdir()
    assert not ended(tmp_path / "folder.jsonl")
    device = tmp_path / "full.jsonl"
    device.symlink_to("/dev/full")
    assert not ended(device)


def test_an_idle_session_ends_and_a_used_one_goes_on(tmp_path):
    path = tmp_path / "s.jsonl"
    idle = sessions.IDLE_SECONDS
    started = NOW - 2 * HOUR
    # Seen 29 minutes ago: still on; 31 minutes ago: ended, though the 10 hours are not over.
    sessions.seen(path, "binco@example.org", "used", "Firefox op Android", at=NOW - idle + 60)
    sessions.seen(path, "binco@example.org", "idle", "Chrome op Windows", at=NOW - idle - 60)
    assert not sessions.has_ended(path, "binco@example.org", "used", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    assert sessions.has_ended(path, "binco@example.org", "idle", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    # Never seen since its login: the login counts as the last use.
    assert sessions.has_ended(path, "binco@example.org", "never", started, now=NOW, lifetime=10 * HOUR, idle=idle)
    assert not sessions.has_ended(path, "binco@example.org", "never", NOW - 60, now=NOW, lifetime=10 * HOUR,
                                  idle=idle)
    text = path.read_text("utf-8")
    assert "binco@example.org" not in text and '"used"' not in text


def test_the_active_sessions_of_one_address_with_device_and_last_seen(tmp_path):
    path = tmp_path / "s.jsonl"
    for at, sid in ((NOW - 600, "laptop"), (NOW - 300, "phone"), (NOW - 120, "laptop")):
        sessions.seen(path, "binco@example.org", sid, "Chrome op Windows" if sid == "laptop" else "Safari op iPhone",
                      at=at)
    sessions.seen(path, "other@example.org", "theirs", "Firefox op Linux", at=NOW - 60)
    sessions.seen(path, "binco@example.org", "gone", "Edge op Windows", at=NOW - 2 * HOUR)
    found = sessions.active(path, " BINCO@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS)
    assert [(a.device, a.last_seen) for a in found] == [("Chrome op Windows", NOW - 120),
                                                        ("Safari op iPhone", NOW - 300)]
    sessions.end_session_key(path, sessions.session_key("phone"), at=NOW - 10)
    found = sessions.active(path, "binco@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS)
    assert [a.device for a in found] == ["Chrome op Windows"]
    assert sessions.has_ended(path, "binco@example.org", "phone", NOW - 600, now=NOW, lifetime=10 * HOUR)
    # Out everywhere: none of the sessions begun before it is listed.
    sessions.end_every_session(path, "binco@example.org", at=NOW - 5)
    assert sessions.active(path, "binco@example.org", now=NOW, lifetime=10 * HOUR, idle=sessions.IDLE_SECONDS) == []
