"""The record of memberships that moved between an area's lists (binsite.mailman.moves): pure file tests."""

from __future__ import annotations

import threading

from binsite.mailman import moves

A, B = "noord.bin.example", "noord-overzicht.bin.example"


def test_a_chain_of_moves_is_followed_to_the_last_and_a_loop_ends(tmp_path) -> None:
    path = tmp_path / "state" / "member-moves.jsonl"
    moves.record(path, (A, "1" * 32), (B, "2" * 32))
    moves.record(path, (B, "2" * 32), (A, "3" * 32))
    assert moves.follow(path, (A, "1" * 32)) == [(B, "2" * 32), (A, "3" * 32)]
    assert moves.follow(path, (A, "9" * 32)) == []
    moves.record(path, (A, "3" * 32), (A, "1" * 32))  # a damaged file with a loop
    assert moves.follow(path, (A, "1" * 32)) == [(B, "2" * 32), (A, "3" * 32)]
    assert path.stat().st_mode & 0o777 == 0o600


def test_unreadable_lines_are_skipped_and_a_missing_file_is_no_moves(tmp_path) -> None:
    path = tmp_path / "member-moves.jsonl"
    assert moves.follow(path, (A, "1" * 32)) == []
    path.write_bytes(b'not json\n{"from": [1]}\n\xff\xfe\n{"from": ["%s", "%s"], "to": ["%s", "%s"]}\n{"to"'
                     % (A.encode(), b"1" * 32, B.encode(), b"2" * 32))
    assert moves.follow(path, (A, "1" * 32)) == [(B, "2" * 32)]


def test_two_writers_at_once_leave_whole_lines(tmp_path) -> None:
    path = tmp_path / "member-moves.jsonl"

    def write(worker: int) -> None:
        for n in range(200):
            moves.record(path, (A, f"{worker:02d}{n:030d}"), (B, f"{worker + 50:02d}{n:030d}"))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(moves.read(path)) == 800 and len(path.read_text().splitlines()) == 800
