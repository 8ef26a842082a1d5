"""The partners' door's library (binsite/desk/partners.py), without Mailman: who is a partner and
for which areas, the store under torn lines and races, the status mail, the figures."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.desk import logbook
from binsite.desk import partners as lib
from binsite.errors import BinsiteError
from binsite.source.network import load_network
from binsite.store import site_store
from sitekit import area, write_site

TZ = ZoneInfo("Europe/Amsterdam")
DOMAIN = "door.test.example"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site", DOMAIN, {a: {**area(a.capitalize(), DOMAIN, a),
                                                       **({"partner_notices": "direct"} if a == "zuid" else {})}
                                                  for a in ("noord", "oost", "zuid")})
    with (site / "binsite.yaml").open("a", encoding="utf-8") as config:
        config.write("partners:\n  - address: Communicatie@Gemeente.example\n    role: gemeente\n    areas: all\n"
                     "  - address: wijkagent@politie.example\n    role: politie\n    areas: [oost]\n")
    return site


def accounts(root: Path):
    network = load_network(root).raise_for_errors()
    return lambda address: lib.account(network.config, network.areas, address)


def test_a_partner_has_exactly_the_areas_where_declared(root: Path) -> None:
    who = accounts(root)
    assert sorted(who("partner1.noord@partners." + DOMAIN).area_ids) == ["noord"]
    assert sorted(who(" COMMUNICATIE@gemeente.example ").area_ids) == ["noord", "oost", "zuid"]
    assert sorted(who("wijkagent@politie.example").area_ids) == ["oost"]
    for nobody in ("binco.noord@coord." + DOMAIN, "partner1.noord@partners." + DOMAIN + ".evil.example",
                   "", "partner1.noord"):
        assert who(nobody) is None
    agent = who("partner1.noord@partners." + DOMAIN)
    assert lib.author_name(agent, ["noord"]) == "Wijkagent Noord"
    assert lib.author_name(who("communicatie@gemeente.example"), ["noord", "oost"]) == "Gemeente Noord / Oost"


def test_a_partner_cannot_name_another_area_or_report(root: Path) -> None:
    agent = accounts(root)("partner1.noord@partners." + DOMAIN)
    store = lib.open_store(root)
    lib.record_forward(store, key="A" * 16, ref="AAAAAA", area="oost", subject="s", text="t", reporter="r@x.example")
    with pytest.raises(lib.NotYours):
        lib.check_areas(agent, ["noord", "oost"])
    with pytest.raises(lib.NotYours):
        lib.report_for(store, agent, "A" * 16)
    with pytest.raises(lib.NotYours):
        lib.answer(store, agent, "A" * 16, "Gezien.", root=root)
    before = site_store(root).partner_records()
    with pytest.raises(lib.NotYours):
        lib.submit_notice(store, agent, title="x", body="y", area_ids=["oost"], category=None, urgent=False,
                          root=root, publish=lambda n, a: pytest.fail("published"))
    assert site_store(root).partner_records() == before


def test_the_store_is_private_skips_torn_lines_and_never_hands_a_partner_the_reporter(root: Path) -> None:
    store = lib.open_store(root)
    agent = accounts(root)("partner1.noord@partners." + DOMAIN)
    lib.record_forward(store, key="B" * 16, ref="BBBBBB", area="noord", subject="Fiets", text="Een fiets weg.",
                       reporter="Melder@Res.example")
    database = root / "state" / "web.sqlite"
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600 and not lib.store_path(root).exists()
    site_store(root).partner_add("answer", "B" * 16, '{"v":1,"kind":"answer","key":"' + "B" * 16 + '","text":"half')
    lib.answer(store, agent, "B" * 16, "We kijken ernaar.", root=root)
    seen = lib.report_for(store, agent, "B" * 16)
    assert seen.reporter == "" and [a.text for a in seen.answers] == ["We kijken ernaar."]
    assert all(r.reporter == "" for r in lib.reports_for(store, agent))
    assert store.read().reports["B" * 16].reporter == "melder@res.example"  # kept for the status mail only
    log_text = "\n".join(site_store(root).log_lines())
    assert "melder" not in log_text and "partner1" not in log_text
    with pytest.raises(BinsiteError):
        lib.answer(store, agent, "B" * 16, "   ", root=root)


def test_the_status_mail_names_no_partner_and_goes_once(root: Path) -> None:
    network = load_network(root).raise_for_errors()
    store = lib.open_store(root)
    agent = accounts(root)("partner1.noord@partners." + DOMAIN)
    lib.record_forward(store, key="C" * 16, ref="CCCCCC", area="noord", subject="Lamp", text="Lamp kapot.",
                       reporter="melder@res.example")
    sent = []
    for status in (lib.IN_PROGRESS, lib.IN_PROGRESS, lib.DONE, lib.IN_PROGRESS, lib.DONE):
        lib.mark(store, agent, "C" * 16, status, config=network.config, root=root, send=sent.append)
    assert [str(m["Subject"]) for m in sent] == ["Uw melding CCCCCC: in behandeling", "Uw melding CCCCCC: afgehandeld"]
    raw = sent[0].as_string()
    assert str(sent[0]["To"]) == "melder@res.example" and str(sent[0]["From"]).endswith(f"<bulletin@{DOMAIN}>")
    assert "partner1" not in raw and "Wijkagent" not in raw
    with pytest.raises(BinsiteError):
        lib.mark(store, agent, "C" * 16, "klaar", config=network.config, root=root, send=sent.append)


def test_two_binco_decisions_at_once_publish_once_and_only_their_areas(root: Path) -> None:
    store = lib.open_store(root)
    gemeente = accounts(root)("communicatie@gemeente.example")
    published: list[tuple[str, ...]] = []

    def publish(notice, areas):
        time.sleep(0.2)  # a slow push: the other BINCO presses meanwhile
        published.append(areas)
        return f"content/x/{len(published)}.md", "c" * 40

    notice, direct = lib.submit_notice(store, gemeente, title="Werk aan de weg", body="De weg is dicht.",
                                       area_ids=["noord", "oost", "zuid"], category=None, urgent=False, root=root,
                                       publish=publish)
    assert direct is not None and published == [("zuid",)] and notice.waiting() == ("noord", "oost")
    outcomes: list[str] = []

    def approve() -> None:
        try:
            lib.decide(store, notice.id, ["noord"], lib.APPROVE, actor=logbook.binco("b@x"), root=root,
                       publish=publish)
            outcomes.append("published")
        except BinsiteError:
            outcomes.append("too late")

    threads = [threading.Thread(target=approve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "too late", "too late"]
    assert published == [("zuid",), ("noord",)]
    assert lib.waiting_notices(store, ["oost"])[0].waiting() == ("oost",)
    lib.decide(store, notice.id, ["oost"], lib.REJECT, actor=logbook.binco("c@x"), root=root, publish=publish)
    assert published == [("zuid",), ("noord",)] and not lib.waiting_notices(store, ["noord", "oost", "zuid"])
    assert lib.author_for(notice, ("noord",), {"noord": "Noord", "oost": "Oost", "zuid": "Zuid"}) == "Gemeente Noord"


def test_partner_figures_per_area_and_month() -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    def line(action, at, **fields):
        return {"v": 1, "at": at.isoformat(), "by": {"role": "x"}, "action": action, **fields}

    lines = [
        line("forward", start, area="noord", report="r1", to="noord-partners@x"),
        line("partner_answer", start + timedelta(hours=4), area="noord", report="r1"),
        line("partner_answer", start + timedelta(hours=30), area="noord", report="r1"),  # a second answer
        line("forward", start, area="noord", report="r2", to="noord-partners@x"),
        line("partner_answer", start + timedelta(hours=10), area="noord", report="r2"),
        line("forward", start, area="noord", report="r3", to="noord@x"),  # to the members: not the partners'
        line("partner_notice", start, area="noord", notice="n1"),
        line("partner_notice", start, area="noord", notice="n1"),
        line("partner_notice", start + timedelta(days=30), area="oost", notice="n2"),
    ]
    figures = lib.partner_figures(lines, TZ)
    assert figures[("noord", "2026-11")] == lib.PartnerMonth("noord", "2026-11", 1, 3, 7.0)
    assert figures[("oost", "2026-12")] == lib.PartnerMonth("oost", "2026-12", 1, 0, None)
    assert set(lib.partner_figures(lines, TZ, area_ids=["oost"])) == {("oost", "2026-12")}
    from binsite.stats.desk import desk_figures, render_desk
    rows = desk_figures(lines, TZ)
    assert [(r.area, r.month, r.partner_notices, r.partner_answers, r.median_answer_hours) for r in rows] == [
        ("noord", "2026-11", 1, 3, 7.0), ("oost", "2026-12", 1, 0, None)]
    assert json.loads(render_desk(rows, "json", lang="nl"))[0]["median_answer_hours"] == 7.0
    assert render_desk(rows, "csv", lang="nl").splitlines()[1].endswith(",1,3,7.0")


def test_a_direct_notice_whose_publication_fails_leaves_nothing_waiting(root: Path) -> None:
    store = lib.open_store(root)
    gemeente = accounts(root)("communicatie@gemeente.example")

    def publish(notice, areas):
        raise BinsiteError(lib.t("de push mislukte", "the push failed"))

    with pytest.raises(BinsiteError):
        lib.submit_notice(store, gemeente, title="Werk", body="Dicht.", area_ids=["noord", "zuid"], category=None,
                          urgent=False, root=root, publish=publish)
    assert not lib.waiting_notices(store, ["noord", "zuid"]) and site_store(root).partner_records() == []
