"""``binsite stats`` and the public statistics page, on a fixture site whose
answers were counted by hand (tests/fixtures/stats, clock at STATS_NOW).

The fixture: areas oost and west; 13 files of which a draft with
``received:``, a scheduled bulletin, a partners-only and a ``public: false``
bulletin, an expired one (verdacht-gedrag keeps 30 days), two follow-ups, a
notice for all areas and one for west; a send ledger with a resend and a
partners-list message; member counts with two counts in one month.

The stored outputs in tests/fixtures/stats/expected/ pin the CSV, JSON and
table formats; after an intended change regenerate them with
``BINSITE_REGEN_STATS=1 .venv/bin/pytest tests/test_stats.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from binsite.build import build
from binsite.cli import main
from binsite.cli import stats as _stats_cli  # noqa: F401  (registers the command until cli/__init__ does)
from binsite.load import load_site
from binsite.stats.figures import Median, public_stats
from binsite.stats.report import CSV_COLUMNS, as_csv, as_json, as_table
from binsite.stats.sources import load_stats, read_bounce_log, read_member_history, read_sent_ledger
from binsite.stats.charts import _nice_top, line_chart
from sitekit import FIXTURES, TZ, copy_fixture, write

STATS_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
EXPECTED = FIXTURES / "stats" / "expected"


@pytest.fixture
def stats_root(tmp_path: Path) -> Path:
    return copy_fixture("stats", tmp_path)


def steering(root: Path, **options):
    stats, problems = load_stats(root, now=STATS_NOW, **options)
    assert problems == []
    return stats


# --- The steering group's figures ---------------------------------------------

def test_bulletins_per_area_per_month(stats_root):
    s = steering(stats_root)
    assert s.months == ("2026-09", "2026-10", "2026-11")
    assert s.area("oost").per_month == (2, 2, 1)      # draft and scheduled not counted
    assert s.area("west").per_month == (0, 2, 2)      # public: false counted
    assert s.city.per_month == (2, 4, 3)
    assert (s.area("oost").bulletins, s.area("west").bulletins, s.city.bulletins) == (5, 4, 9)


def test_notices_urgent_and_follow_ups(stats_root):
    s = steering(stats_root)
    oost, west, city = s.area("oost"), s.area("west"), s.city
    assert (oost.notices, west.notices, city.notices) == (1, 2, 2)   # a notice for all counts once city-wide
    assert (oost.urgent, oost.items, oost.urgent_share) == (1, 6, 0.167)
    assert (west.urgent, west.items, west.urgent_share) == (2, 6, 0.333)
    assert (city.urgent, city.items, city.urgent_share) == (3, 11, 0.273)
    assert (oost.reports, oost.followed_up, oost.follow_ups) == (4, 1, 1)
    assert (west.reports, west.followed_up, west.follow_ups) == (3, 1, 1)
    assert (city.reports, city.followed_up, city.follow_ups, city.followed_up_share) == (7, 2, 2, 0.286)


def test_categories_and_roles(stats_root):
    s = steering(stats_root)
    assert [(c.key, c.value) for c in s.categories] == [
        ("inbraak", 4), ("verloedering", 2), ("overlast", 2), ("verdacht-gedrag", 1), ("verkeer", 1), ("preventietip", 1)]
    assert [c.label.en for c in s.categories][:2] == ["Burglary", "Neglect and litter"]
    assert [(r.key, r.value) for r in s.roles] == [("binco", 5), ("gemeente", 3), ("politie", 3)]


def test_messages_per_list_per_month_and_time_to_first_send(stats_root):
    s = steering(stats_root)
    assert [(x.list, x.area, x.messages) for x in s.lists] == [
        ("oost@bin.telstad.example", "oost", (2, 2, 1)),
        ("oost-partners@bin.telstad.example", "oost", (0, 1, 0)),
        ("west@bin.telstad.example", "west", (0, 3, 0)),     # a resend is a message too
    ]
    # First sends in hours: oost 0.5, 2, 1, 6, 0.25 and the notice 1; west the
    # notice 1 and afval 3 (its resend a day later is not the first).
    assert s.area("oost").send_delay == Median(6, 1.0)
    assert s.area("west").send_delay == Median(2, 2.0)
    assert s.city.send_delay == Median(7, 1.0)


def test_report_to_publication_from_received(stats_root):
    s = steering(stats_root)
    assert s.area("oost").publication_delay == Median(3, 24.0)   # 12, 24, 24 hours
    assert s.area("west").publication_delay == Median(1, 12.0)
    assert s.city.publication_delay == Median(4, 18.0)
    assert (s.area("oost").open_reports, s.area("west").open_reports) == (1, 0)   # the draft


def test_members_over_time_keep_the_last_count_of_a_month(stats_root):
    s = steering(stats_root)
    members = {x.list: (x.members, x.pending) for x in s.lists}
    assert members["oost@bin.telstad.example"] == ((40, 42, 45), (2, 1, 0))
    assert members["west@bin.telstad.example"] == ((25, 27, 30), (0, 3, 1))
    assert members["oost-partners@bin.telstad.example"] == ((None, None, 2), (None, None, 0))
    assert s.members_at == datetime(2026, 11, 18, 12, 0, tzinfo=TZ)


def test_bounces_per_list_per_month(stats_root):
    """state/bounces.jsonl: each line's bounces count in the month of its last bounce, in the
    site's time zone (23:30 UTC on 2 November is 3 November in Amsterdam, still November)."""
    s = steering(stats_root)
    by_list = {x.list: x.bounces for x in s.lists}
    assert by_list["oost@bin.telstad.example"] == (0, 4, 0)
    assert by_list["west@bin.telstad.example"] == (0, 0, 3)
    assert by_list["oost-partners@bin.telstad.example"] == (0, 0, 0)
    november = {x.list: x.bounces for x in steering(stats_root, since="2026-11-01").lists}
    assert november["west@bin.telstad.example"] == (3,) and november["oost@bin.telstad.example"] == (0,)
    assert "bounces,oost,2026-10,oost@bin.telstad.example,4" in as_csv(s).splitlines()
    assert json.loads(as_json(s))["lists"]["west@bin.telstad.example"]["bounces"] == {"2026-11": 3}
    table = as_table(s, lang="nl")
    assert "Bounces per lijst per maand (uit state/bounces.jsonl" in table
    assert "hoogstens één per lid per dag" in table
    (stats_root / "state/bounces.jsonl").unlink()
    assert "Geen bounces geteld in state/bounces.jsonl" in as_table(steering(stats_root), lang="nl")


def test_unreadable_bounce_lines_are_skipped_with_file_and_line(stats_root):
    log = stats_root / "state/bounces.jsonl"
    log.write_text(log.read_text() + "<<<<<<< HEAD\n"
                   + '{"at": "2026-11-13T10:00:00Z", "list": "west@bin.telstad.example", "bounces": -2}\n'
                   + '{"at": "2026-11-13T10:00:00Z", "list": "west@bin.telstad.example", "bounces": true}\n'
                   + '{"at": "gisteren?", "list": "west@bin.telstad.example", "bounces": 1}\n'
                   + '{"at": "2026-11-14T10:00:00Z", "list": "WEST@bin.telstad.example", "bounces": 1}\n', encoding="utf-8")
    records, problems = read_bounce_log(stats_root, TZ)
    assert [(p.path, p.line) for p in problems] == [("state/bounces.jsonl", n) for n in (5, 6, 7, 8)]
    assert all("overgeslagen" in p.format("nl") for p in problems)
    assert len(records) == 5 and records[-1].list == "west@bin.telstad.example"


def test_period(stats_root):
    s = steering(stats_root, since="2026-10-01", until="2026-10-31")
    assert (s.since, s.until, s.months) == (date(2026, 10, 1), date(2026, 10, 31), ("2026-10",))
    assert (s.area("oost").per_month, s.area("west").per_month) == ((2,), (2,))
    assert (s.area("oost").notices, s.area("west").notices) == (1, 1)
    assert [x.messages for x in s.lists] == [(2,), (1,), (3,)]
    assert [x.members for x in s.lists] == [(42,), (None,), (27,)]
    assert s.area("oost").send_delay == Median(3, 1.0)          # verdacht 1, partners 6, notice 1
    assert s.area("oost").publication_delay == Median(1, 24.0)
    assert s.area("oost").open_reports == 0                      # received in November


def test_area_filter(stats_root):
    s = steering(stats_root, area_ids=["west"])
    assert [a.area for a in s.areas] == ["west"]
    assert s.city.per_month == (0, 2, 2) and s.city.notices == 2
    assert [x.list for x in s.lists] == ["west@bin.telstad.example"]
    assert [(c.key, c.value) for c in s.categories] == [
        ("verloedering", 2), ("inbraak", 1), ("overlast", 1), ("verkeer", 1), ("preventietip", 1)]


@pytest.mark.parametrize("options, words", [
    ({"area_ids": ["nroth"]}, "nroth"),
    ({"since": "gisteren"}, "--since"),
    ({"since": "2026-11-01", "until": "2026-10-01"}, "--since"),
])
def test_bad_options_are_clear_errors(stats_root, options, words):
    from binsite.errors import BinsiteError

    with pytest.raises(BinsiteError, match=words):
        load_stats(stats_root, now=STATS_NOW, **options)


def test_works_without_state_files(stats_root):
    (stats_root / "state/sent.jsonl").unlink()
    (stats_root / "state/members.jsonl").unlink()
    (stats_root / "state/bounces.jsonl").unlink()
    s = steering(stats_root)
    assert s.lists == () and s.members_at is None and s.city.send_delay == Median(0, None)
    assert "state/members.jsonl" in as_table(s, lang="nl")


def test_unreadable_ledger_lines_are_skipped_with_file_and_line(stats_root):
    ledger = stats_root / "state/sent.jsonl"
    good = ('{"bulletin": "oost/2026-11-03-fietsen", "list": "OOST@bin.telstad.example", "message_id": "<h@x>", '
            '"content_hash": "hhhh", "sent_at": "2026-11-04T10:00:00"}\n')
    ledger.write_text(ledger.read_text() + "<<<<<<< HEAD\n" + '{"bulletin": "oost/x", "list": "oost@x"}\n' + good
                      + '{"bulletin": "oost/2026-11-03-fietsen", "list": "oost@bin.tel', encoding="utf-8")
    records, problems = read_sent_ledger(stats_root, TZ)
    assert [(p.path, p.line, p.severity.value) for p in problems] == [
        ("state/sent.jsonl", n, "warning") for n in (10, 11, 13)]
    assert all(p.format("en").endswith("(skipped in the statistics)") for p in problems)
    assert len(records) == 10 and records[-1].list == "oost@bin.telstad.example"
    assert records[-1].sent_at == datetime(2026, 11, 4, 10, 0, tzinfo=TZ)   # naive: the site's time zone
    members = stats_root / "state/members.jsonl"
    members.write_text(members.read_text() + '{"at": "2026-11-19T12:00:00+01:00", "list": "west@bin.telstad.example"}\n')
    counts, problems = read_member_history(stats_root, TZ)
    assert len(counts) == 8 and [p.line for p in problems] == [9]


def test_stats_never_imports_mailman(stats_root):
    code = ("import sys; from datetime import datetime; from zoneinfo import ZoneInfo\n"
            "from binsite.stats.sources import load_stats\n"
            f"load_stats(__import__('pathlib').Path({str(stats_root)!r}), now=datetime(2026, 11, 20, tzinfo=ZoneInfo('Europe/Amsterdam')))\n"
            "print(sorted(m for m in sys.modules if 'mailman' in m))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- Output formats -------------------------------------------------------------

def _expect(name: str, text: str) -> None:
    path = EXPECTED / name
    if os.environ.get("BINSITE_REGEN_STATS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; regenerate if intended"


def test_csv_is_stable(stats_root):
    text = as_csv(steering(stats_root))
    lines = text.splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS) == "figure,area,month,group,value"
    assert "bulletins,oost,2026-09,,2" in lines
    assert "urgent_share,,,,0.273" in lines
    assert "messages,west,2026-10,west@bin.telstad.example,3" in lines
    assert "members,oost,2026-11,oost@bin.telstad.example,45" in lines
    assert "send_delay_median_hours,west,,,2.0" in lines
    _expect("stats.csv", text)


def test_json_is_stable(stats_root):
    text = as_json(steering(stats_root))
    data = json.loads(text)
    assert data["version"] == 1 and data["months"] == ["2026-09", "2026-10", "2026-11"]
    assert data["areas"]["oost"]["per_month"] == {"2026-09": 2, "2026-10": 2, "2026-11": 1}
    assert data["city"]["publication_delay"] == {"count": 4, "median_hours": 18.0}
    assert data["lists"]["oost-partners@bin.telstad.example"]["members"] == {"2026-11": 2}
    assert data["members_recorded_at"] == "2026-11-18T12:00:00+01:00"
    _expect("stats.json", text)


def test_table_is_stable_in_both_languages(stats_root):
    s = steering(stats_root)
    _expect("stats.nl.txt", as_table(s, lang="nl"))
    english = as_table(s, lang="en")
    assert "Member figures come from state/members.jsonl" in english and "may be stale" in english
    _expect("stats.en.txt", english)


def test_cli_formats(stats_root):
    runner = CliRunner()
    base = ["--root", str(stats_root), "stats", "--now", "2026-11-20T12:00"]
    table = runner.invoke(main, base, env={"BINSITE_LANG": "nl"})
    assert table.exit_code == 0, table.output
    assert table.output == (EXPECTED / "stats.nl.txt").read_text(encoding="utf-8")
    csv_out = runner.invoke(main, [*base, "--format", "csv"])
    assert csv_out.output == (EXPECTED / "stats.csv").read_text(encoding="utf-8")
    json_out = runner.invoke(main, [*base, "--format", "json", "--area", "west", "--since", "2026-10-01"])
    assert json.loads(json_out.output)["areas"].keys() == {"west"}
    bad = runner.invoke(main, [*base, "--area", "nroth"])
    assert bad.exit_code == 1 and "nroth" in bad.output


def test_cli_help_has_an_example():
    result = CliRunner().invoke(main, ["stats", "--help"], env={"BINSITE_LANG": "en"})
    assert result.exit_code == 0 and "Example" in result.output
    result = CliRunner().invoke(main, ["stats", "--help"], env={"BINSITE_LANG": None})
    assert result.exit_code == 0 and "Voorbeeld" in result.output


# --- The public page ------------------------------------------------------------

def test_public_figures_count_only_what_the_archive_shows(stats_root):
    site = load_site(stats_root, STATS_NOW).raise_for_errors().site
    s = public_stats(site, STATS_NOW)
    # Not counted: draft, scheduled, partners-only, public: false, and the
    # expired verdacht-gedrag bulletin (30 days).
    assert s.public and s.months == ("2026-09", "2026-10", "2026-11")
    assert (s.area("oost").per_month, s.area("west").per_month, s.city.per_month) == ((2, 0, 1), (0, 1, 2), (2, 1, 3))
    assert (s.city.notices, s.city.urgent, s.city.items, s.city.urgent_share) == (2, 1, 8, 0.125)
    assert (s.city.reports, s.city.followed_up, s.city.follow_ups) == (4, 2, 2)
    assert [(c.key, c.value) for c in s.categories] == [
        ("inbraak", 4), ("verloedering", 2), ("verkeer", 1), ("preventietip", 1)]
    assert [(r.key, r.value) for r in s.roles] == [("binco", 3), ("gemeente", 3), ("politie", 2)]
    assert s.lists == () and s.members_at is None   # never the ledger or the members


@pytest.fixture
def built_stats(stats_root) -> Path:
    out = stats_root / "_site"
    build(stats_root, out, now=STATS_NOW)
    return out


def test_page_has_svg_charts_with_text_alternatives_and_tables(built_stats):
    html = (built_stats / "statistieken/index.html").read_text(encoding="utf-8")
    chart_ids = ["grafiek-per-maand", "grafiek-per-gebied", "grafiek-per-categorie", "grafiek-per-afzender",
                 "grafiek-gebied-oost", "grafiek-gebied-west"]
    assert html.count("<svg ") == len(chart_ids) and html.count('<table class="chart-data">') == len(chart_ids)
    for chart_id in chart_ids:
        assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
    assert ("Alle gebieden: 6 berichten van september 2026 tot en met november 2026; de meeste in november 2026 (3)."
            in html)
    assert "<polyline" in html and "<rect" in html
    assert "<tr><th scope=\"row\">Inbraak</th><td>4</td></tr>" in html
    assert 'href="../statistieken/bulletins.csv"' in html


def test_page_is_allowed_by_the_csp_and_tracks_nobody(built_stats):
    html = (built_stats / "statistieken/index.html").read_text(encoding="utf-8")
    assert "style=" not in html and "<style" not in html     # style-src 'self' forbids both
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html.split("<main", 1)[1]


def test_csv_download(built_stats, stats_root):
    site = load_site(stats_root, STATS_NOW).raise_for_errors().site
    data = (built_stats / "statistieken/bulletins.csv").read_text(encoding="utf-8")
    assert data == as_csv(public_stats(site, STATS_NOW))
    assert data.startswith("figure,area,month,group,value\nbulletins,,2026-09,,2\n")
    assert "send_delay" not in data and "members" not in data


def test_non_public_bulletins_never_change_the_public_page(stats_root, tmp_path):
    def page(root: Path) -> tuple[bytes, bytes]:
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        build(root, out, now=STATS_NOW)
        return (out / "statistieken/index.html").read_bytes(), (out / "statistieken/bulletins.csv").read_bytes()

    before = page(stats_root)
    extra = [
        ("content/oost/2026-11-12-intern.md", "public: false\nurgent: true\ncategory: oplichting\nauthor: gemeente"),
        ("content/west/2026-08-02-partners.md", "audience: partners\ncategory: vermissing\nauthor: politie"),
        ("content/west/2026-11-19-concept.md", "draft: true\ncategory: nieuws\nreceived: 2026-11-18"),
        ("content/oost/2027-01-05-later.md", "category: nieuws"),
        ("content/oost/2026-11-13-vervolg-intern.md",
         "public: false\ncategory: verloedering\nfollow_up_of: oost/2026-11-03-fietsen"),
    ]
    for rel, front in extra:
        day = rel.split("/")[-1][:10]
        write(stats_root / rel, f"---\ntitle: Niet voor het archief\ndate: {day}\n{front}\n---\nTekst.\n")
    ledger = stats_root / "state/sent.jsonl"
    ledger.write_text(ledger.read_text() + '{"bulletin": "oost/2026-11-12-intern", "list": "oost@bin.telstad.example", '
                      '"message_id": "<i@x>", "content_hash": "iiii", "sent_at": "2026-11-12T08:00:00+01:00"}\n', encoding="utf-8")
    (stats_root / "state/members.jsonl").unlink()
    assert steering(stats_root).city.items == 14          # the steering group does see them
    assert page(stats_root) == before


# --- Chart geometry ---------------------------------------------------------------

def test_axis_steps_are_round_numbers():
    assert [_nice_top(n) for n in (0, 1, 3, 5, 6, 12, 48, 230)] == [
        (1, 1), (1, 1), (3, 1), (5, 1), (6, 2), (15, 5), (50, 10), (250, 50)]


def test_line_chart_geometry():
    chart = line_chart("g", title="T", desc="D", label_head="Maand", value_head="Berichten",
                       months=("2026-09", "2026-10", "2026-11"), values=(2, 0, 4), lang="nl")
    assert chart.polyline == "44.0,122.0 204.0,216.0 364.0,28.0"
    ys = [p.y for p in chart.points]
    assert ys[1] == chart.plot_bottom and ys[0] > ys[2]          # 0 on the axis, 4 highest
    assert [t.text for t in chart.x_ticks] == ["sep 2026", "okt 2026", "nov 2026"]
    assert [t.text for t in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    assert [(r.label, r.value) for r in chart.rows] == [("september 2026", "2"), ("oktober 2026", "0"),
                                                        ("november 2026", "4")]


def test_stats_use_and_keep_the_build_cache(stats_root, monkeypatch):
    """At city scale analysing every bulletin again cost half a minute: the
    second call analyses nothing, and gives the same figures."""
    from binsite.incremental import analyse

    first, _ = load_stats(stats_root, now=STATS_NOW)
    assert (stats_root / ".binsite" / "cache" / "state.pickle").exists()

    def no_analysis(*args, **kwargs):
        raise AssertionError("a bulletin was analysed again")

    monkeypatch.setattr(analyse, "analyse_source", no_analysis)
    second, _ = load_stats(stats_root, now=STATS_NOW)
    assert as_json(second) == as_json(first)


def test_cli_offers_the_formats_the_library_renders():
    from binsite.cli.stats import FORMATS as OFFERED
    from binsite.stats.report import FORMATS

    assert OFFERED == FORMATS


def test_state_files_come_from_binsite_state_dir(stats_root, monkeypatch):
    """``BINSITE_STATE_DIR`` (the demo's) moves the ledger and the member
    history for ``stats`` as it does for ``send`` and ``lists sync``."""
    moved = stats_root / ".binsite/demo-state"
    moved.mkdir(parents=True)
    (stats_root / "state/sent.jsonl").rename(moved / "sent.jsonl")
    (stats_root / "state/members.jsonl").rename(moved / "members.jsonl")
    (stats_root / "state/bounces.jsonl").rename(moved / "bounces.jsonl")
    expected_lists = [(x.list, x.messages) for x in steering(stats_root).lists]  # state/ is empty now
    assert all(sum(messages) == 0 for _, messages in expected_lists)
    monkeypatch.setenv("BINSITE_STATE_DIR", ".binsite/demo-state")
    s = steering(stats_root)
    assert [(x.list, x.messages) for x in s.lists][:1] == [("oost@bin.telstad.example", (2, 2, 1))]
    assert s.members_at is not None
    # The table names the files it counted from, not the default folder.
    for lang, sent_head, members_note in (("nl", "(uit .binsite/demo-state/sent.jsonl)", "uit .binsite/demo-state/members.jsonl"),
                                          ("en", "(from .binsite/demo-state/sent.jsonl)", "from .binsite/demo-state/members.jsonl")):
        table = as_table(s, lang=lang)
        assert sent_head in table and members_note in table
        assert "state/sent.jsonl" not in table.replace("demo-state/", "") and \
            "state/members.jsonl" not in table.replace("demo-state/", "")
    # Outside the site (an absolute BINSITE_STATE_DIR), the full path.
    outside = stats_root.parent / "elsewhere"
    moved.rename(outside)
    monkeypatch.setenv("BINSITE_STATE_DIR", str(outside))
    table = as_table(steering(stats_root), lang="en")
    assert f"(from {outside / 'sent.jsonl'})" in table and f"from {outside / 'members.jsonl'}" in table


def test_the_running_month_is_marked_incomplete():
    """Built on 10 November, November's 1 is not a collapse: dashed, hollow, said."""
    from datetime import datetime

    chart = line_chart("g", title="T", desc="D.", label_head="Maand", value_head="Berichten",
                       months=("2026-08", "2026-09", "2026-10", "2026-11"), values=(6, 7, 8, 1), lang="nl",
                       partial_until=datetime(2026, 11, 10, 12, 0))
    assert chart.polyline.count(",") == 3                       # the solid line ends at October
    assert chart.partial_polyline == " ".join(f"{p.x},{p.y}" for p in chart.points[-2:])
    assert [p.partial for p in chart.points] == [False, False, False, True]
    assert chart.x_ticks[-1].text == "nov 2026*"
    assert chart.partial_note == "* november 2026 loopt nog: geteld tot en met 10 november 2026. Een lage waarde is nog geen daling."
    assert chart.rows[-1].label == "november 2026 (loopt nog)" and "november 2026 loopt nog" in chart.desc
    english = line_chart("g", title="T", desc="D.", label_head="Month", value_head="Bulletins",
                         months=("2026-10", "2026-11"), values=(8, 1), lang="en", partial_until=datetime(2026, 11, 10))
    assert english.rows[-1].label == "November 2026 (still running)"
    complete = line_chart("g", title="T", desc="D", label_head="Maand", value_head="Berichten",
                          months=("2026-10", "2026-11"), values=(8, 1), lang="nl")
    assert complete.partial_polyline == "" and not any(p.partial for p in complete.points)


def test_chart_text_stays_readable_on_a_phone():
    """The SVG scales to the column: at 343 px (a 375 px phone) its text must
    stay at least 12 px, where 640 units with 14-unit text gave 7."""
    from binsite.stats.charts import FONT_SIZE, WIDTH

    assert FONT_SIZE * 343 / WIDTH >= 12


def test_page_marks_the_running_month(built_stats):
    html = (built_stats / "statistieken" / "index.html").read_text(encoding="utf-8")
    assert 'stroke-dasharray="6 5"' in html and 'fill="#ffffff" stroke=' in html
    assert '<p class="chart-note">* ' in html and "loopt nog" in html


def test_the_weekly_list_and_its_overview_count_between_the_members_and_the_partners(stats_root):
    with open(stats_root / "state" / "sent.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps({"bulletin": "overzicht/oost/2026-W45", "list": "oost-overzicht@bin.telstad.example",
                              "message_id": "<o@bin.telstad.example>", "sent_at": "2026-11-09T07:05:00+01:00",
                              "content_hash": "oooo"}) + "\n")
    s = steering(stats_root)
    assert [(x.list, x.messages) for x in s.lists][:3] == [
        ("oost@bin.telstad.example", (2, 2, 1)), ("oost-overzicht@bin.telstad.example", (0, 0, 1)),
        ("oost-partners@bin.telstad.example", (0, 1, 0))]
    # An overview is no bulletin: the first-send delays stay as they were.
    assert s.area("oost").send_delay == Median(6, 1.0)
