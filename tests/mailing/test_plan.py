"""plan_sends: which bulletin goes to which list, when (pure, no Mailman)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.mailing.ledger import Ledger, LedgerEntry
from binsite.mailing.plan import plan_sends
from binsite.load import load_site
from sitekit import area, bulletin_text, write_site

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
DOMAIN = "plan.test.example"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    areas = {a: area(a.capitalize(), DOMAIN, a) for a in ("noord", "oost", "zuid", "west")}
    return write_site(tmp_path / "site", DOMAIN, areas, {
        "noord/2026-11-09-fiets.md": bulletin_text("Fiets gestolen", "2026-11-09 10:00"),
        "noord/2026-11-09-partners.md": bulletin_text("Alleen partners", "2026-11-09 11:00", audience="partners"),
        "oost/2026-11-08-iedereen.md": bulletin_text("Voor iedereen", "2026-11-08", audience="all"),
        "noord/2026-11-09-concept.md": bulletin_text("Concept", "2026-11-09", draft=True),
        "noord/2026-11-11-later.md": bulletin_text("Later", "2026-11-11 09:00"),
        "zuid/2026-10-01-oud.md": bulletin_text("Oud bericht", "2026-10-01"),
        "zuid/2026-11-09-verlopen.md": bulletin_text("Verlopen", "2026-11-09", expires="2026-11-09"),
        "notices/2026-11-09-drie.md": bulletin_text("Mededeling", "2026-11-09 08:00", areas=["noord", "oost", "zuid"]),
    })


def pairs(plan) -> set[tuple[str, str]]:
    return {(m.bulletin.id, m.target.list) for m in plan.messages}


def test_due_bulletins_go_to_the_lists_of_their_audience(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    plan = plan_sends(site, Ledger(), NOW)
    assert pairs(plan) == {
        ("noord/2026-11-09-fiets", f"noord@{DOMAIN}"),
        ("noord/2026-11-09-partners", f"noord-partners@{DOMAIN}"),
        ("oost/2026-11-08-iedereen", f"oost@{DOMAIN}"),
        ("oost/2026-11-08-iedereen", f"oost-partners@{DOMAIN}"),
        ("notices/2026-11-09-drie", f"noord@{DOMAIN}"),
        ("notices/2026-11-09-drie", f"oost@{DOMAIN}"),
        ("notices/2026-11-09-drie", f"zuid@{DOMAIN}"),
    }
    # Drafts, scheduled and expired bulletins are not sent; the old one is held back, and said so.
    assert [(h.bulletin.id, h.reason) for h in plan.held_back] == [("zuid/2026-10-01-oud", "too-old")]
    # Oldest first, so members read them in order.
    dates = [m.bulletin.date for m in plan.messages]
    assert dates == sorted(dates)


def test_include_older_sends_what_is_before_the_window(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    plan = plan_sends(site, Ledger(), NOW, include_older=True)
    assert ("zuid/2026-10-01-oud", f"zuid@{DOMAIN}") in pairs(plan)
    assert plan.held_back == ()


def test_scheduled_bulletin_is_sent_once_due(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    plan = plan_sends(site, Ledger(), datetime(2026, 11, 11, 9, 0, tzinfo=TZ))
    assert ("noord/2026-11-11-later", f"noord@{DOMAIN}") in pairs(plan)


def sent_all(site, plan) -> Ledger:
    return Ledger(tuple(LedgerEntry(m.bulletin.id, m.target.list, f"<{i}@x>", m.bulletin.content_hash, NOW.isoformat())
                        for i, m in enumerate(plan.messages)))


def test_what_the_ledger_holds_is_not_sent_again(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    first = plan_sends(site, Ledger(), NOW)
    assert plan_sends(site, sent_all(site, first), NOW).messages == ()


def test_a_changed_bulletin_is_reported_and_resent_only_when_asked(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    ledger = sent_all(site, plan_sends(site, Ledger(), NOW))
    (root / "content/noord/2026-11-09-fiets.md").write_text(
        bulletin_text("Fiets gestolen", "2026-11-09 10:00", "Nieuwe tekst."), encoding="utf-8")
    site = load_site(root, NOW).raise_for_errors().site
    plan = plan_sends(site, ledger, NOW)
    assert plan.messages == ()
    assert [(h.bulletin.id, h.reason) for h in plan.changed] == [("noord/2026-11-09-fiets", "changed")]
    plan = plan_sends(site, ledger, NOW, resend_changed=True)
    [correction] = plan.messages
    assert correction.is_correction
    assert correction.corrects == tuple(e.message_id for e in ledger.sent("noord/2026-11-09-fiets", f"noord@{DOMAIN}"))


def test_a_sent_bulletin_outside_the_window_is_not_reported_as_old(root: Path) -> None:
    site = load_site(root, NOW).raise_for_errors().site
    ledger = sent_all(site, plan_sends(site, Ledger(), NOW))
    later = NOW + timedelta(days=30)
    plan = plan_sends(site, ledger, later)
    assert plan.messages == ()
    assert all(h.bulletin.id in {"zuid/2026-10-01-oud", "noord/2026-11-11-later"} for h in plan.held_back)
