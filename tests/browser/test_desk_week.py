"""A BINCO's week at the desk, in Chromium at phone size (375 px), against the
session's real Mailman and sink and a real git remote: log in from the mailed
link, read a held report, forward it with an edited preview, draft and publish a
bulletin, approve a request, import a CSV of 50 members; axe on every desk page."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from binsite.cli import main
from browser_support import CHROMIUM_ARGS, describe, run_axe  # noqa: F401
from sitekit import poll
from tests.desk.deskkit import post, report, wait_held
from tests.mailman_fixtures import RunningMailman

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from deskweb import git, served_desk, wait_login_link  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.mailman]

RESIDENT_NAME = "Henriëtte Bakker"


@pytest.fixture(scope="module")
def served(local_mailman: RunningMailman, tmp_path_factory):
    domain = f"week{uuid.uuid4().hex[:8]}.bin.test.example"
    with served_desk(local_mailman, tmp_path_factory.mktemp("deskweek"), domain, ("wijk",)) as found:
        yield found


def check_axe(page, axe_source: str, what: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"{what}:\n{describe(violations)}"


def test_a_binco_week_on_a_phone(browser, axe_source, served, local_mailman, tmp_path, screenshots) -> None:
    site, base = served
    client = local_mailman.client()
    members_list = site.members_list("wijk")
    resident = f"henriette.bakker@res.{site.domain}"
    held = report(resident, members_list, "Verdachte man bij de garages",
                  "Gisteravond liep een man langs de garages en voelde aan de deuren.\n\n"
                  f"Groetjes,\n{RESIDENT_NAME}\n06-11223344\n", name=RESIDENT_NAME)
    post(local_mailman.settings, held)
    wait_held(client, members_list, held["Message-ID"])
    requester = f"nieuwe.buur@res.{site.domain}"
    client.subscribe(members_list, requester, "Nieuwe Buur", pre_approved=False)

    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    context.add_init_script(axe_source)
    external: list[str] = []
    errors: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                  else (external.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        # Monday: log in from the mailed link.
        page.goto(base + "/binco/")
        check_axe(page, axe_source, "login")
        page.get_by_label("Uw e-mailadres").fill(site.binco("wijk"))
        page.get_by_role("button", name="Stuur mij een inloglink").click()
        page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
        check_axe(page, axe_source, "login sent")
        page.goto(wait_login_link(local_mailman, site.binco("wijk")))
        check_axe(page, axe_source, "login confirm")
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_role("heading", name="Uw balie").wait_for()
        check_axe(page, axe_source, "home")
        page.screenshot(path=screenshots / "desk-home-phone.png", full_page=True)

        # Read the held report: text, sender masked.
        page.get_by_role("link", name="Wijk", exact=True).click()
        page.get_by_role("heading", name="Inbox Wijk").wait_for()
        check_axe(page, axe_source, "inbox")
        assert resident not in page.content()
        page.get_by_role("link", name="Verdachte man bij de garages").click()
        page.get_by_role("heading", name="Verdachte man bij de garages").wait_for()
        check_axe(page, axe_source, "message")
        page.screenshot(path=screenshots / "desk-message-phone.png", full_page=True)
        assert resident not in page.content()

        # Forward with an edited preview.
        preview = page.get_by_label("Zo gaat het weg (pas aan waar nodig)")
        assert RESIDENT_NAME not in preview.input_value() and "06-11223344" not in preview.input_value()
        preview.fill(preview.input_value() + "\nAanvulling van de BINCO: garages aan de achterkant.")
        page.get_by_role("button", name="Doorsturen").click()
        page.get_by_text("Doorgestuurd zonder naam en adres").wait_for()
        copies = poll(lambda: [d for d in local_mailman.deliveries(site.domain)
                               if set(d.envelope_to) & site.partners("wijk")
                               and "Verdachte man" in str(d.message["Subject"])], timeout=30, what="forward")
        for copy in copies:
            raw = copy.message.as_string()
            body = copy.message.get_body(("plain",)).get_content()
            assert "Aanvulling van de BINCO: garages aan de achterkant." in body and "voelde aan de deuren" in body
            assert "Henri" not in raw and "Bakker" not in raw and "bakker" not in raw and "11223344" not in raw

        # Make a draft of it, save it as a draft, then publish it.
        page.get_by_role("button", name="Concept-bericht maken").click()
        page.get_by_role("heading", name="Bericht schrijven").wait_for()
        check_axe(page, axe_source, "write (draft from report)")
        page.get_by_label("Titel").fill("Let op uw garagedeur")
        page.get_by_label("Tekst (Markdown)").fill("Bij de garages is iemand aan de deuren gaan voelen. "
                                                   "Doe uw garage op slot.")
        # The live preview (JavaScript) appears by itself after a pause in typing ...
        try:
            page.get_by_role("heading", name="Voorbeeld: de e-mail").wait_for(timeout=20_000)
        except Exception:
            raise AssertionError(f"no live preview; console: {errors}; scripts: "
                                 f"{page.evaluate('[...document.scripts].map(s => s.src)')}")
        assert "Doe uw garage op slot." in page.locator(".preview-pane").inner_text()
        # ... and the button does the same without it.
        page.get_by_role("button", name="Voorbeeld en controle").click()
        page.get_by_role("heading", name="Voorbeeld: de e-mail").wait_for()
        check_axe(page, axe_source, "write preview")
        page.get_by_role("button", name="Opslaan als concept").click()
        page.get_by_text("Opgeslagen als concept").wait_for()
        page.get_by_role("button", name="Publiceren").click()
        page.get_by_text("Gepubliceerd:").wait_for()
        files = git(site.remote, "ls-tree", "-r", "--name-only", "main", "content/wijk/").splitlines()
        assert len(files) == 1 and "draft" not in git(site.remote, "show", f"main:{files[0]}")
        clone = tmp_path / "ci"
        git(tmp_path, "clone", "--quiet", str(site.remote), str(clone))
        checked = CliRunner().invoke(main, ["--root", str(clone), "check"], env={"BINSITE_LANG": "nl"})
        assert checked.exit_code == 0, checked.output

        # Approve a request.
        page.get_by_role("link", name="Leden").click()
        page.get_by_role("heading", name="Leden Wijk").wait_for()
        check_axe(page, axe_source, "members")
        page.get_by_role("button", name=f"Toelaten {requester}").click()
        page.get_by_text(f"Toegelaten: {requester} is nu lid.").wait_for()
        assert client.member(members_list, requester) is not None

        # Import a CSV of 50, as Excel saves it.
        csv_file = tmp_path / "ledenlijst.csv"
        rows = ["E-mailadres;Naam"] + [f"lid{i:02d}@res.{site.domain};Lid {i}" for i in range(50)]
        csv_file.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
        page.get_by_label("Bestand (CSV met e-mailadres en eventueel naam)").set_input_files(str(csv_file))
        page.get_by_role("button", name="Voorbeeld bekijken").click()
        page.get_by_text("Voorbeeld van ledenlijst.csv: 50 nieuw").wait_for()
        check_axe(page, axe_source, "import preview")
        page.get_by_role("button", name="50 nieuwe leden importeren").click()
        page.get_by_text("Geïmporteerd: 50 nieuwe leden zonder e-mail").wait_for(timeout=120_000)
        assert client.counts(members_list).members == 51

        # The figures, and log out.
        page.get_by_role("link", name="Cijfers").click()
        page.get_by_role("heading", name="Cijfers van de balie").wait_for()
        check_axe(page, axe_source, "statistics")
        assert page.locator("table").first.locator("tbody tr").count() == 1
        # The privileged actions: counts only, no one by name (the login of this week is there).
        audit = page.get_by_role("region", name="Handelingen met extra rechten")
        assert audit.get_by_role("rowheader", name="inloggen BINCO (link)").count() == 1
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        page.get_by_role("heading", name="U bent uitgelogd").wait_for()
        check_axe(page, axe_source, "logged out")
        page.goto(base + "/binco/inloggen/niet-geldig.x")
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_role("heading", name="Deze link werkt niet (meer)").wait_for()
        check_axe(page, axe_source, "login failed")
        assert external == [] and errors == [e for e in errors if "400" in e], (external, errors)
    finally:
        context.close()
