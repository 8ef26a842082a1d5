"""A wijkagent's week at the partners' door, in Chromium at phone size (375 px), against the
session's real Mailman and sink and a real git remote: log in from the mailed link, write a
notice for two areas, the BINCO approves it for theirs, answer a report the BINCO forwarded, mark
it afgehandeld, and the reporter gets the feedback mail; axe on every new page."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from browser_support import describe, run_axe
from sitekit import poll
from tests.desk.deskkit import post, report, wait_held
from tests.mailman_fixtures import RunningMailman

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from deskweb import git, served_desk, wait_login_link  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.mailman]

RESIDENT_NAME = "Gerarda Mulders"


@pytest.fixture(scope="module")
def served(local_mailman: RunningMailman, tmp_path_factory):
    # The wijkagent of Wijk is a partner of Dorp too: a notice for two areas.
    domain = f"agent{uuid.uuid4().hex[:8]}.bin.test.example"
    agent = f"partner1.wijk@partners.{domain}"
    with served_desk(local_mailman, tmp_path_factory.mktemp("partnerweek"), domain, ("wijk", "dorp"),
                     area_extra={"dorp": {"partners": [{"address": agent, "role": "politie"}]}}) as (site, base):
        yield site, base, agent


def check_axe(page, axe_source: str, what: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"{what}:\n{describe(violations)}"


def log_in(page, local_mailman, base: str, door: str, address: str, axe_source: str | None = None) -> None:
    page.goto(base + door)
    if axe_source:
        check_axe(page, axe_source, f"{door} login")
    page.get_by_label("Uw e-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
    if axe_source:
        check_axe(page, axe_source, f"{door} login sent")
    page.goto(wait_login_link(local_mailman, address))
    if axe_source:
        check_axe(page, axe_source, f"{door} login confirm")
    page.get_by_role("button", name="Inloggen").click()


def test_a_wijkagent_week_on_a_phone(browser, axe_source, served, local_mailman, screenshots) -> None:
    site, base, agent = served
    members_list = site.members_list("wijk")
    resident = f"gerarda.mulders@res.{site.domain}"
    held = report(resident, members_list, "Scooters op het schoolplein",
                  "Elke avond rijden er scooters over het schoolplein, ook na tienen.\n\n"
                  f"Groet,\n{RESIDENT_NAME}\n06-99887766\n", name=RESIDENT_NAME)
    post(local_mailman.settings, held)
    wait_held(local_mailman.client(), members_list, held["Message-ID"])
    head = git(site.remote, "rev-parse", "main")

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
        context.add_init_script(axe_source)
        return context, context.new_page()

    agent_context, page = phone()
    binco_context, desk = phone()
    try:
        # Monday: the wijkagent logs in and writes a notice for both areas.
        log_in(page, local_mailman, base, "/partner/", agent, axe_source)
        page.get_by_role("heading", name="Uw partnerbalie").wait_for()
        check_axe(page, axe_source, "partner home")
        page.get_by_role("link", name="Bericht schrijven").first.click()
        page.get_by_role("heading", name="Bericht schrijven").wait_for()
        check_axe(page, axe_source, "partner write")
        page.get_by_label("Titel").fill("Let op: oplichters aan de deur")
        page.get_by_label("Wijk (na goedkeuring van de BINCO)").check()
        page.get_by_label("Dorp (na goedkeuring van de BINCO)").check()
        page.get_by_label("Tekst (Markdown)").fill("Er gaan mensen langs de deuren die zich voordoen als "
                                                   "monteur. Laat niemand binnen zonder afspraak.")
        page.get_by_role("button", name="Voorbeeld en controle").click()
        page.get_by_role("heading", name="Voorbeeld: de website").wait_for()
        check_axe(page, axe_source, "partner write preview")
        page.screenshot(path=screenshots / "partner-write-phone.png", full_page=True)
        page.get_by_role("button", name="Versturen").click()
        page.get_by_text("Wacht op goedkeuring van de BINCO van Dorp, Wijk").wait_for()
        assert git(site.remote, "rev-parse", "main") == head

        # Tuesday: the BINCO of Wijk approves it (for Wijk), and forwards the resident's report.
        log_in(desk, local_mailman, base, "/binco/", site.binco("wijk"))
        desk.get_by_role("heading", name="Uw balie").wait_for()
        desk.goto(base + "/binco/wijk/partners/")
        desk.get_by_role("heading", name="Let op: oplichters aan de deur").wait_for()
        check_axe(desk, axe_source, "binco partners page")
        desk.get_by_role("button", name="Goedkeuren en publiceren").click()
        desk.get_by_text("Goedgekeurd en gepubliceerd voor Wijk").wait_for()
        files = git(site.remote, "diff", "--name-only", head, "main").splitlines()
        assert len(files) == 1 and files[0].startswith("content/wijk/")
        assert git(site.remote, "log", "-1", "--format=%an", "main") == "Wijkagent Wijk"
        desk.goto(base + "/binco/wijk/")
        desk.get_by_role("link", name="Scooters op het schoolplein").click()
        desk.get_by_role("button", name="Doorsturen").click()
        desk.get_by_text("Doorgestuurd zonder naam en adres").wait_for()

        # Wednesday: the wijkagent reads it (no resident), answers and marks it afgehandeld.
        page.goto(base + "/partner/")
        page.get_by_role("link", name="Scooters op het schoolplein").click()
        page.get_by_role("heading", name="Scooters op het schoolplein").wait_for()
        check_axe(page, axe_source, "partner report")
        content = page.content()
        assert resident not in content and "Mulders" not in content and "99887766" not in content
        page.get_by_label("Uw antwoord").fill("We surveilleren deze week 's avonds bij de school.")
        page.get_by_role("button", name="Antwoord versturen").click()
        page.get_by_text("Verstuurd naar de BINCO").wait_for()
        page.get_by_role("button", name="Afgehandeld").click()
        page.get_by_text("Gemarkeerd als afgehandeld").wait_for()
        check_axe(page, axe_source, "partner report marked")
        page.screenshot(path=screenshots / "partner-report-phone.png", full_page=True)
        page.goto(base + "/partner/")
        page.get_by_text("Let op: oplichters aan de deur").wait_for()
        assert "Dorp: wacht op de BINCO" in page.content()

        # The reporter gets the feedback mail, from the BIN, without the wijkagent.
        got = poll(lambda: [d for d in local_mailman.deliveries(site.domain) if resident in d.envelope_to
                            and "afgehandeld" in str(d.message["Subject"])] or None, timeout=30, what="feedback")
        assert agent not in got[0].message.as_string()
        assert "afgehandeld door een partner van de BIN" in got[0].message.get_body(("plain",)).get_content()

        # The BINCO sees the answer, and the figures count it.
        desk.goto(base + "/binco/wijk/partners/")
        desk.get_by_text("We surveilleren deze week").wait_for()
        desk.goto(base + "/binco/statistieken/")
        desk.get_by_role("heading", name="Cijfers van de balie").wait_for()
        check_axe(desk, axe_source, "statistics with partners")
        cells = desk.locator("tbody tr").filter(has_text="wijk").first.locator("td").all_inner_texts()
        # month, reports, forwarded, answered, published, median; partners' notices, answers, median to answer
        assert cells[4] == "1" and cells[6:8] == ["1", "1"] and cells[8] != "-", cells
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        page.get_by_role("heading", name="U bent uitgelogd").wait_for()
        check_axe(page, axe_source, "partner logged out")
    finally:
        agent_context.close()
        binco_context.close()
