"""binsite.desk.sessions: which desk sessions ended before their cookie expired.

The sessions live in the store now (tests/store/test_store.py, on SQLite and
PostgreSQL); here: reading an old ``desk-sessions.jsonl`` that is read in once."""

from __future__ import annotations

import json

from binsite.desk import sessions

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
