"""binsite avg without Mailman: address normalisation, whole-address matching in texts,
the logbook rewrite, and VACUUM clearing a deleted row from SQLite's free pages."""

from __future__ import annotations

import sqlite3

import pytest

from binsite.avg import normalise
from binsite.avg.erase import compact_sqlite
from binsite.avg.holdings import _names
from binsite.desk import logbook
from binsite.errors import BinsiteError


@pytest.mark.parametrize(("given", "expected"), [
    ("  Jan.Smit@Example.ORG ", "jan.smit@example.org"),
    ("jan+BIN@example.org", "jan+bin@example.org"),
    ("Jan@Bücher.Example", "jan@xn--bcher-kva.example"),
    ('"Jan de Boer"@example.org', '"jan de boer"@example.org'),
])
def test_normalise_as_mailman_looks_up(given, expected):
    assert normalise(given) == expected


@pytest.mark.parametrize("given", ["jan", "jan@", "@x.org", "jan@x.org\r\nBcc: y@z", "a@b c", "<jan@x.org>"])
def test_not_an_address_is_a_clear_error(given):
    with pytest.raises(BinsiteError) as raised:
        normalise(given)
    assert "is geen e-mailadres" in raised.value.message("nl")


@pytest.mark.parametrize(("line", "found"), [
    ("Tips aan jan@x.nl graag.", True),
    ("mailto:jan@x.nl", True),
    ("<jan@x.nl>", True),
    ("marijan@x.nl", False),
    ("jan@x.nl.example", False),
    ("jan@x.nlx", False),
    ("x.jan@x.nl", False),
    ("jan@x.nl.", True),      # the end of a sentence
])
def test_a_whole_address_is_found_in_a_line(line, found):
    assert _names(line, "jan@x.nl") is found


def test_rewrite_keeps_mode_and_later_appends(tmp_path):
    path = tmp_path / "desk.jsonl"
    for area in ("noord", "zuid", "noord"):
        logbook.append(path, logbook.entry(logbook.operator(), logbook.ACCEPT, area=area))
    mode = path.stat().st_mode
    assert logbook.rewrite(path, lambda line: None if b'"zuid"' in line else line) == 1
    logbook.append(path, logbook.entry(logbook.operator(), logbook.REJECT, area="west"))
    assert [v["area"] for v in logbook.read(path)] == ["noord", "noord", "west"]
    assert path.stat().st_mode == mode
    assert not list(tmp_path.glob(".*.tmp"))


def test_vacuum_clears_deleted_rows_from_free_pages(tmp_path):
    path = tmp_path / "mailman.db"
    secret = "weggewist.adres@example.org"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA secure_delete = OFF")   # as a SQLite built without SECURE_DELETE does
    connection.execute("CREATE TABLE address (id INTEGER PRIMARY KEY, email TEXT)")
    connection.executemany("INSERT INTO address (email) VALUES (?)",
                           [(f"lid{i}@example.org" + "x" * 200,) for i in range(200)] + [(secret,)])
    connection.commit()
    connection.execute("DELETE FROM address WHERE email = ?", (secret,))
    connection.execute("DELETE FROM address WHERE id < 150")
    connection.commit()
    connection.close()
    assert secret.encode() in path.read_bytes()     # the deleted row lingers in a free page
    compact_sqlite(path)
    assert secret.encode() not in path.read_bytes()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM address").fetchone() == (51,)


def test_compacting_a_missing_database_says_which(tmp_path):
    with pytest.raises(BinsiteError) as raised:
        compact_sqlite(tmp_path / "nergens.db")
    assert "BINSITE_MAILMAN_DB wijst naar" in raised.value.message("nl")
