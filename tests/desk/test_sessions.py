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
