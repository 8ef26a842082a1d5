"""The desk's logbook (in the store, many writers at once; old files with torn lines; nothing free-form)
and its figures."""

from __future__ import annotations

import json
import multiprocessing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from binsite.cli import main
from binsite import store as stores
from binsite.desk import logbook
from binsite.store import Store
from binsite.stats.desk import desk_figures
from sitekit import area, write_site

TZ = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def _writer(root: str, url: str, worker: int, count: int) -> None:
    stores.use(Path(root), Store(url))   # this process's own connections
    for i in range(count):
        logbook.record(Path(root), logbook.binco(f"w{worker}@x.example"), "forward", area="noord",
                       report=f"r{worker}-{i}")


def test_writers_in_several_processes_at_once_each_keep_every_line(tmp_path: Path, database_url: str) -> None:
    """Three processes (the CLI, two web workers) writing at once: every line there, whole, once."""
    root = tmp_path / "site"
    store = Store(database_url)
    store.upgrade()
    stores.use(root, store)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(root), database_url, w, 40)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    found = list(logbook.lines(root))
    assert len(found) == 120 and len({line["report"] for line in found}) == 120
    # Each writer's lines in the order it wrote them.
    for w in range(3):
        mine = [line["report"] for line in found if str(line["report"]).startswith(f"r{w}-")]
        assert mine == [f"r{w}-{i}" for i in range(40)]


def test_an_old_file_with_a_torn_line_gives_its_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "desk.jsonl"
    path.write_text(logbook.line_of(logbook.entry(logbook.OPERATOR, "accept", area="noord", report="a")) + "\n"
                    + '{"v":1,"at":"2026-11-28T10:00:00+00:00","action":"forw\n'     # torn by kill -9, then closed off
                    + logbook.line_of(logbook.entry(logbook.OPERATOR, "discard", area="noord", report="b")) + "\n"
                    + '{"v":1,"action":"accept","at":"2026-11-28T10:00:00+00:00","report":"c"}')  # no newline: not whole
    assert [line["report"] for line in logbook.read(path)] == ["a", "b"]


def test_a_logbook_that_cannot_be_written_never_undoes_the_action(tmp_path: Path, caplog) -> None:
    root = tmp_path / "site"
    (tmp_path / "nergens").write_text("a file where the database's folder would be")
    stores.use(root, Store(f"sqlite:///{tmp_path / 'nergens' / 'web.sqlite'}"))
    values = logbook.record(root, logbook.OPERATOR, "accept", area="noord", report="a")
    assert values["action"] == "accept" and "desk logbook not written" in caplog.text


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
    assert [line["action"] for line in logbook.lines(root)] == ["received", "forward"]
