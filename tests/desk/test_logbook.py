"""The desk's logbook (append under a lock, torn lines, nothing free-form) and its figures."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from binsite.cli import main
from binsite.desk import logbook
from binsite.paths import desk_log
from binsite.stats.desk import desk_figures
from sitekit import area, write_site

TZ = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def _writer(path: str, worker: int, count: int) -> None:
    for i in range(count):
        logbook.append(Path(path), logbook.entry(logbook.binco(f"w{worker}@x.example"), "forward",
                                                 area="noord", report=f"r{worker}-{i}"))


def test_two_writers_at_once_leave_only_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "state" / "desk.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(path), w, 150)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    lines = list(logbook.read(path))
    assert len(lines) == 450 and len({line["report"] for line in lines}) == 450
    assert path.read_bytes().count(b"\n") == 450


def test_a_writer_killed_mid_line_costs_only_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "desk.jsonl"
    logbook.append(path, logbook.entry(logbook.OPERATOR, "accept", area="noord", report="a"))
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"at":"2026-11-28T10:00:00+00:00","action":"forw')  # torn by kill -9
    logbook.append(path, logbook.entry(logbook.OPERATOR, "discard", area="noord", report="b"))
    assert [line["report"] for line in logbook.read(path)] == ["a", "b"]
    # A torn line at the very end is skipped too (no newline: not whole).
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"action":"accept","at":"2026-11-28T10:00:00+00:00","report":"c"}')
    assert [line["report"] for line in logbook.read(path)] == ["a", "b"]


def test_kill_9_during_appends_leaves_a_readable_log(tmp_path: Path) -> None:
    path = tmp_path / "desk.jsonl"
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_writer, args=(str(path), 1, 100_000))
    process.start()
    while not path.exists() or path.stat().st_size < 2000:
        pass
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    before = len(list(logbook.read(path)))
    logbook.append(path, logbook.entry(logbook.OPERATOR, "accept", area="noord", report="after"))
    after = list(logbook.read(path))
    assert before > 0 and len(after) == before + 1 and after[-1]["report"] == "after"


def test_a_line_holds_no_free_text() -> None:
    with pytest.raises(ValueError):
        logbook.entry(logbook.OPERATOR, "reject", area="noord", reason="U woont niet hier, Jan")
    with pytest.raises(ValueError):
        logbook.entry(logbook.OPERATOR, "chat", area="noord")
    # The second step's refusals and factors: words from a fixed list only.
    with pytest.raises(ValueError):
        logbook.entry(logbook.OPERATOR, "factor_refused", factor="app", refusal="code 123456 was wrong")
    with pytest.raises(ValueError):
        logbook.entry(logbook.OPERATOR, "factor_add", factor="sms")
    assert logbook.entry(logbook.OPERATOR, "factor_refused", factor="passkey", refusal="counter")["refusal"] == "counter"
    actor = logbook.binco("Binco.Noord@Example.org")
    line = logbook.entry(actor, "forward", area="noord", at=datetime(2026, 11, 28, 12, tzinfo=TZ))
    assert line["by"] == {"role": "binco", "id": actor.id} and "example" not in json.dumps(line).lower()
    assert line["at"] == "2026-11-28T11:00:00+00:00"


def _line(action: str, at: datetime, **fields: object) -> dict[str, object]:
    return json.loads(json.dumps(logbook.entry(logbook.OPERATOR, action, at=at, **fields), default=str))


def test_figures_per_area_and_month() -> None:
    oct31 = datetime(2026, 10, 31, 23, 30, tzinfo=TZ)  # Amsterdam: still October; UTC: also
    nov = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    lines = [
        _line("received", oct31, area="noord", report="r1", received=oct31),
        _line("forward", oct31 + timedelta(hours=10), area="noord", report="r1", received=oct31),  # handled in Nov
        _line("answer", oct31 + timedelta(days=2), area="noord", report="r1", received=oct31),
        _line("received", nov, area="noord", report="r2", received=nov),
        _line("discard", nov + timedelta(hours=2), area="noord", report="r2", received=nov),
        _line("received", nov, area="noord", report="r3", received=nov),                  # not handled yet
        _line("accept", nov + timedelta(hours=1), area="zuid", report="z1", received=nov),  # no received line
        _line("publish", nov, area="noord", bulletin="content/noord/a.md"),
        _line("publish", nov, area="noord", bulletin="content/noord/a.md"),  # the same bulletin once
        _line("publish", nov, area="noord", bulletin="content/noord/b.md"),
        {"v": 1, "action": "forward", "area": "noord"},  # no time: skipped
    ]
    rows = [(r.area, r.month, r.reports, r.forwarded, r.answered, r.published, r.handled, r.median_hours)
            for r in desk_figures(lines, TZ)]
    assert rows == [("noord", "2026-10", 1, 1, 1, 0, 1, 10.0),
                    ("noord", "2026-11", 2, 0, 0, 2, 1, 2.0),
                    ("zuid", "2026-11", 1, 0, 0, 0, 1, 1.0)]
    assert [r.area for r in desk_figures(lines, TZ, area_ids=["zuid"])] == ["zuid"]
    assert [r.month for r in desk_figures(lines, TZ, since="2026-11")] == ["2026-11", "2026-11"]


def test_binsite_stats_desk(tmp_path: Path) -> None:
    domain = "log.test.example"
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")})
    received = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    logbook.record(root, logbook.OPERATOR, "received", area="noord", report="r1", received=received, at=received)
    logbook.record(root, logbook.OPERATOR, "forward", area="noord", report="r1", received=received,
                   at=received + timedelta(minutes=90))
    env = {"BINSITE_LANG": "nl", "BINSITE_STATE_DIR": None}
    table = CliRunner().invoke(main, ["--root", str(root), "stats", "--desk"], env=env)
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[2].split() == ["noord", "2026-11", "1", "1", "0", "0", "1,5", "uur", "0", "0", "-"]
    as_csv = CliRunner().invoke(main, ["--root", str(root), "stats", "--desk", "--format", "csv"], env=env)
    assert as_csv.stdout.splitlines()[1] == "noord,2026-11,1,1,0,0,1.5,0,0,"
    bad = CliRunner().invoke(main, ["--root", str(root), "stats", "--desk", "--since", "nov"], env=env)
    assert bad.exit_code == 1 and "--since 'nov'" in bad.stderr
    assert desk_log(root).is_file()
