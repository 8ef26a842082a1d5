"""Quiet hours and the weekly overview's week, as planned (pure): the site's wall clock, across summer time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.errors import InvalidSite
from binsite.load import load_site
from binsite.mailing.ledger import Ledger, LedgerEntry
from binsite.mailing.plan import plan_sends
from binsite.mailing.schedule import last_complete_week, overview_due, quiet_until, week_of
from binsite.source.config import SiteConfig
from sitekit import area, bulletin_text, write_bulletin, write_site

TZ = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")
DOMAIN = "plan.bin.test.example"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def hours(start: datetime, end: datetime) -> float:
    """Real hours between two moments (Python subtracts wall clocks within one time zone)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)


def site_at(tmp_path: Path, now: datetime, bulletins: dict[str, str], extra: str = ""):
    root = write_site(tmp_path / "site", DOMAIN, {"noord": area("Noord", DOMAIN, "noord"),
                                                  "zuid": area("Zuid", DOMAIN, "zuid")}, bulletins,
                      send_window="14 days")
    if extra:
        with open(root / "binsite.yaml", "a", encoding="utf-8") as out:
            out.write(extra)
    return load_site(root, now).raise_for_errors().site


@pytest.mark.parametrize("moment,until", [
    ("2026-11-10T21:59", None),
    ("2026-11-10T22:00", "2026-11-11T07:00"),
    ("2026-11-10T23:59", "2026-11-11T07:00"),
    ("2026-11-11T00:00", "2026-11-11T07:00"),
    ("2026-11-11T06:59", "2026-11-11T07:00"),
    ("2026-11-11T07:00", None),
    ("2026-11-11T12:00", None),
])
def test_the_default_quiet_hours_are_22_to_7_in_the_sites_time_zone(moment: str, until: str | None) -> None:
    config = SiteConfig("BIN", "https://x.example/")
    found = quiet_until(config, at(moment))
    assert found == (at(until) if until else None)
    # The same moment given in UTC is judged by the Amsterdam clock.
    assert quiet_until(config, at(moment).astimezone(ZoneInfo("UTC"))) == found


def test_quiet_hours_within_one_day_and_off() -> None:
    from datetime import time

    config = SiteConfig("BIN", "https://x.example/", quiet_hours=(time(1, 0), time(6, 30)))
    assert quiet_until(config, at("2026-11-10T00:59")) is None
    assert quiet_until(config, at("2026-11-10T03:00")) == at("2026-11-10T06:30")
    assert quiet_until(SiteConfig("BIN", "https://x.example/", quiet_hours=None), at("2026-11-10T03:00")) is None


def test_quiet_hours_end_at_seven_on_the_morning_summer_time_ends_and_begins() -> None:
    config = SiteConfig("BIN", "https://x.example/")
    # 25 October 2026: 03:00 summer time becomes 02:00 winter time; the night lasts an hour longer.
    autumn = quiet_until(config, at("2026-10-24T23:00"))
    assert autumn == at("2026-10-25T07:00") and autumn.utcoffset() == timedelta(hours=1)
    assert hours(at("2026-10-24T23:00"), autumn) == 9
    # 29 March 2026: 02:00 winter time becomes 03:00 summer time.
    spring = quiet_until(config, at("2026-03-28T23:00"))
    assert spring == at("2026-03-29T07:00") and spring.utcoffset() == timedelta(hours=2)
    assert hours(at("2026-03-28T23:00"), spring) == 7


def test_a_week_across_the_change_to_winter_time_is_169_hours_and_its_overview_goes_monday_at_seven() -> None:
    config = SiteConfig("BIN", "https://x.example/")
    week = week_of(at("2026-10-21T12:00").date(), TZ)
    assert week.label == "2026-W43" and week.start == at("2026-10-19T00:00") and week.end == at("2026-10-26T00:00")
    assert hours(week.start, week.end) == 169
    assert overview_due(config, week) == at("2026-10-26T07:00")
    assert last_complete_week(config, at("2026-10-26T06:59")).label == "2026-W42"
    assert last_complete_week(config, at("2026-10-26T07:00")).label == "2026-W43"
    spring = week_of(at("2026-03-25T12:00").date(), TZ)
    assert hours(spring.start, spring.end) == 167
    # ISO week 53 and the turn of the year.
    assert week_of(at("2027-01-01T12:00").date(), TZ).label == "2026-W53"


def test_the_overview_of_a_week_across_summer_time_holds_exactly_that_weeks_bulletins(tmp_path: Path) -> None:
    bulletins = {
        # Sunday night, after the clock went back: still week 43.
        "noord/2026-10-25-laat.md": bulletin_text("Laat op zondag", "2026-10-25 23:30", "Zondagavond."),
        "noord/2026-10-19-vroeg.md": bulletin_text("Vroeg op maandag", "2026-10-19 00:00", "Maandag vroeg."),
        # Monday 00:30: week 44, in next week's overview.
        "noord/2026-10-26-volgende.md": bulletin_text("Volgende week", "2026-10-26 00:30", "Volgende."),
        "noord/2026-10-18-vorige.md": bulletin_text("Vorige week", "2026-10-18 23:59", "Vorige."),
        "noord/2026-10-20-partners.md": bulletin_text("Alleen partners", "2026-10-20 10:00", "P.", audience="partners"),
        "noord/2026-10-21-concept.md": bulletin_text("Concept", "2026-10-21 10:00", "C.", draft=True),
        "noord/2026-10-22-leden.md": bulletin_text("Voor leden", "2026-10-22 10:00", "L.", public=False),
        "notices/2026-10-23-allen.md": bulletin_text("Voor iedereen", "2026-10-23 10:00", "A.", areas="all"),
    }
    now = at("2026-10-26T07:05")
    site = site_at(tmp_path, now, bulletins)
    plan = plan_sends(site, Ledger(), now)
    by_area = {o.area: o for o in plan.overviews}
    assert sorted(by_area) == ["noord", "zuid"]
    assert [b.id for b in by_area["noord"].bulletins] == [
        "noord/2026-10-19-vroeg", "noord/2026-10-22-leden", "notices/2026-10-23-allen", "noord/2026-10-25-laat"]
    assert [b.id for b in by_area["zuid"].bulletins] == ["notices/2026-10-23-allen"]
    assert by_area["noord"].key == "overzicht/noord/2026-W43"
    assert by_area["noord"].target.list == f"noord-overzicht@{DOMAIN}"
    # Once in the ledger, never planned again; before Monday 07:00, not yet.
    sent = Ledger(tuple(LedgerEntry(o.key, o.target.list, "<x@y>", o.content_hash, now.isoformat())
                        for o in plan.overviews))
    assert plan_sends(site, sent, now).overviews == ()
    early = plan_sends(site, Ledger(), at("2026-10-26T06:00"))
    # (at 06:00 the week before's is the latest due, and the quiet hours hold it)
    assert early.overviews == () and [o.week.label for o in early.overviews_held] == ["2026-W42"]
    # A week later than the send window: no stale overview.
    assert plan_sends(site, Ledger(), at("2026-11-11T08:00")).overviews == ()


def test_urgent_goes_to_both_residents_lists_and_quiet_hours_hold_only_the_rest(tmp_path: Path) -> None:
    bulletins = {
        "noord/2026-11-10-gewoon.md": bulletin_text("Gewoon bericht", "2026-11-10 21:00", "G."),
        "noord/2026-11-10-spoed.md": bulletin_text("Spoed: vermiste jongen", "2026-11-10 22:30", "S.", urgent=True),
        "noord/2026-11-10-partners.md": bulletin_text("Partners", "2026-11-10 22:40", "P.", audience="partners"),
    }
    night = at("2026-11-10T23:00")
    site = site_at(tmp_path, night, bulletins)
    plan = plan_sends(site, Ledger(), night)
    assert [(m.bulletin.id, m.target.list) for m in plan.messages] == [
        ("noord/2026-11-10-spoed", f"noord@{DOMAIN}"), ("noord/2026-11-10-spoed", f"noord-overzicht@{DOMAIN}")]
    assert sorted((h.bulletin.id, h.target.list, h.until) for h in plan.quiet) == [
        ("noord/2026-11-10-gewoon", f"noord@{DOMAIN}", at("2026-11-11T07:00")),
        ("noord/2026-11-10-partners", f"noord-partners@{DOMAIN}", at("2026-11-11T07:00"))]
    morning = at("2026-11-11T07:00")
    sent = Ledger(tuple(LedgerEntry(m.bulletin.id, m.target.list, "<x@y>", m.bulletin.content_hash, night.isoformat())
                        for m in plan.messages))
    later = plan_sends(site, sent, morning)
    assert sorted((m.bulletin.id, m.target.list) for m in later.messages) == [
        ("noord/2026-11-10-gewoon", f"noord@{DOMAIN}"), ("noord/2026-11-10-partners", f"noord-partners@{DOMAIN}")]
    assert later.quiet == ()
    off = site_at(tmp_path / "off", night, bulletins, "quiet_hours: off\n")
    assert len(plan_sends(off, Ledger(), night).messages) == 4


@pytest.mark.parametrize("value,hint", [
    ('"25:00-07:00"', "25:00-07:00"), ('"22.00-7"', "22.00-7"), ('"22:00 07:00"', "22:00 07:00"),
    ('"22:00-22:00"', "22:00-22:00"), ("22:00", "getal"), ('""', "''"), ("[22, 7]", "[22, 7]"),
    ('"22:00-07:00-08:00"', "07:00-08:00"), ('"２２:００-０７:００"', "２２"),
])
def test_a_malformed_quiet_hours_is_an_error_at_its_line(tmp_path: Path, value: str, hint: str) -> None:
    with pytest.raises(InvalidSite) as caught:
        site_at(tmp_path, at("2026-11-10T12:00"), {}, f"quiet_hours: {value}\n")
    [problem] = [p for p in caught.value.problems if p.is_error]
    assert problem.path == "binsite.yaml" and problem.line == 10, problem
    nl, en = problem.message.get("nl"), problem.message.get("en")
    assert "quiet_hours" in nl and '"22:00-07:00"' in nl and "'off'" in nl and hint in nl
    assert "not understood" in en and '"22:00-07:00"' in en


@pytest.mark.parametrize("value,ok", [
    ('"22:00 - 6:30"', True), ('"23:15–06:45"', True), ("off", True), ('"uit"', True), ("false", True),
])
def test_forgiving_spellings_of_quiet_hours(tmp_path: Path, value: str, ok: bool) -> None:
    site = site_at(tmp_path, at("2026-11-10T12:00"), {}, f"quiet_hours: {value}\n")
    assert (site.config.quiet_hours is None) == (value in ("off", '"uit"', "false"))


@pytest.mark.parametrize("weekly,message", [
    ('{day: maandg, time: "07:00"}', "weekly.day"), ('{day: monday, time: 7:00}', "weekly.time"),
    ('{day: monday, time: "7.00"}', "weekly.time"), ("maandag", "'weekly'"),
])
def test_a_malformed_weekly_setting_is_an_error_at_its_line(tmp_path: Path, weekly: str, message: str) -> None:
    with pytest.raises(InvalidSite) as caught:
        site_at(tmp_path, at("2026-11-10T12:00"), {}, f"weekly: {weekly}\n")
    [problem] = [p for p in caught.value.problems if p.is_error]
    assert problem.path == "binsite.yaml" and problem.line == 10 and message in problem.message.get("nl")


def test_the_weekly_setting_moves_the_overview(tmp_path: Path) -> None:
    site = site_at(tmp_path, at("2026-11-10T12:00"), {}, 'weekly: {day: dinsdag, time: "18:30"}\n')
    assert (site.config.weekly_day, site.config.weekly_time.hour, site.config.weekly_time.minute) == (1, 18, 30)
    week = week_of(at("2026-11-04T12:00").date(), TZ)
    assert overview_due(site.config, week) == at("2026-11-10T18:30")
