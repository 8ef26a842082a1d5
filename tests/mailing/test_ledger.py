"""The send ledger: durable appends, and a reader that points at broken lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from binsite.mailing.ledger import LedgerEntry, append_entry, parse_ledger, read_ledger


def entry(n: int) -> LedgerEntry:
    return LedgerEntry(f"noord/2026-11-0{n}-bericht", "noord@bin.test.example", f"<m{n}@bin.test.example>",
                       f"{n:016x}", "2026-11-10T12:00:00+01:00")


def test_append_then_read_gives_the_entries_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sent.jsonl"
    for n in (1, 2, 3):
        append_entry(path, entry(n))
    ledger, problems = read_ledger(path)
    assert problems == []
    assert ledger.entries == (entry(1), entry(2), entry(3))
    # One readable JSON line per message.
    assert path.read_text().count("\n") == 3
    assert '"bulletin": "noord/2026-11-01-bericht"' in path.read_text()


def test_a_missing_ledger_is_empty(tmp_path: Path) -> None:
    ledger, problems = read_ledger(tmp_path / "nope.jsonl")
    assert ledger.entries == () and problems == []


def test_a_broken_line_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    append_entry(path, entry(1))
    with open(path, "a") as out:
        out.write("<<<<<<< HEAD\n")
    append_entry(path, entry(2))
    ledger, problems = read_ledger(path, "state/sent.jsonl")
    assert [p.format("en").split(": error:")[0] for p in problems] == ["state/sent.jsonl:2"]
    assert problems[0].is_error
    assert ledger.entries == (entry(1), entry(2))


def test_a_torn_last_line_is_a_warning_and_the_next_append_drops_it(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    append_entry(path, entry(1))
    with open(path, "a") as out:
        out.write('{"bulletin": "noord/2026-11-02-ber')
    ledger, problems = read_ledger(path, "state/sent.jsonl")
    assert ledger.entries == (entry(1),)
    assert [(p.line, p.is_error) for p in problems] == [(2, False)]
    append_entry(path, entry(3))
    ledger, problems = read_ledger(path, "state/sent.jsonl")
    # The cut-off record never counted (it was not durable): it goes, and nothing blocks the next send.
    assert ledger.entries == (entry(1), entry(3))
    assert problems == []


def _line_by_line(text: str):
    """The reference parse: one line at a time (what the fast path must equal)."""
    import json

    entries = []
    for line in text.splitlines():
        if line.strip():
            values = json.loads(line)
            entries.append(LedgerEntry(values["bulletin"], values["list"], values["message_id"],
                                       values["content_hash"], values["sent_at"], values.get("correction_of")))
    return tuple(entries)


@pytest.mark.parametrize("text", [
    "".join(entry(n).to_json() + "\n" for n in range(1, 8)),
    # Blank lines, a correction, key order and spacing as a person might write them.
    entry(1).to_json() + "\n\n" + '{"sent_at": "2026-11-10T12:00:00+01:00", "content_hash": "x", "list": "l@x", '
    '"bulletin": "b", "message_id": "<c@x>", "correction_of": "<m1@bin.test.example>"}\n'
    + '{"bulletin":"é","list":"l@x","message_id":"<d@x>","content_hash":"y","sent_at":"t"}\n',
])
def test_sound_ledger_parses_like_line_by_line(text):
    ledger, problems = parse_ledger(text, "state/sent.jsonl")
    assert problems == []
    assert ledger.entries == _line_by_line(text)


@pytest.mark.parametrize("bad, line", [
    ('{"bulletin": "b"}', 2),                                            # fields missing
    ('{"a": 1}, {"b": 2}', 2),                                           # two records on one line
    ('[' + entry(9).to_json() + ']', 2),                                 # an array, not a record
    (entry(9).to_json().replace('"<m9@bin.test.example>"', "9"), 2),     # a number for a string
    (entry(9).to_json()[:-1] + ', "correction_of": 5}', None),           # accepted line by line, as before
])
def test_unsound_ledger_falls_back_and_points_at_the_line(bad, line):
    text = entry(1).to_json() + "\n" + bad + "\n" + entry(2).to_json() + "\n"
    ledger, problems = parse_ledger(text, "state/sent.jsonl")
    if line is None:
        assert problems == [] and len(ledger.entries) == 3
    else:
        assert [(p.path, p.line) for p in problems] == [("state/sent.jsonl", line)]
        assert problems[0].is_error


def test_an_uncertain_entry_counts_as_sent_is_listed_and_is_settled_by_rewriting_its_line(tmp_path: Path) -> None:
    from binsite.mailing.ledger import rewrite_entries

    path = tmp_path / "sent.jsonl"
    append_entry(path, entry(1))
    append_entry(path, entry(2)._replace(status="uncertain", list_made="2026-11-01T10:00:00"))
    ledger, problems = read_ledger(path)
    assert problems == [] and len(ledger.entries) == 2
    assert [e.message_id for e in ledger.uncertain] == [entry(2).message_id]
    assert ledger.sent(entry(2).bulletin, entry(2).list)[0].list_made == "2026-11-01T10:00:00"
    rewrite_entries(path, [ledger.entries[0], ledger.entries[1]._replace(status=None)])
    ledger, problems = read_ledger(path)
    assert problems == [] and ledger.uncertain == () and len(path.read_text().splitlines()) == 2
    assert not list(tmp_path.glob(".*.tmp"))
