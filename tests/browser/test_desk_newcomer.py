"""What a newcomer found at the desk (issue 33), in Chromium at phone size against the
session's real Mailman and sink and a real git remote: whose desk the login page is,
counts in singular and plural, the guard's findings in the preview, another area's page
said plainly, Toelaten without a repeat on reload, the styled reason field, the figures
with names and the month on one line, and the service's mail dated in the site's zone."""

from __future__ import annotations

import re
import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.devtools.sink import read_maildir
from tests.desk.deskkit import held_report
from tests.mailman_fixtures import RunningMailman

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from deskweb import served_desk, wait_login_link  # noqa: E402
from test_desk_week import check_axe  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.mailman]

LEAKY = ("Gisteren zag Jan de Vries iemand bij de Maaspoortweg 12 rondlopen.\n\n"
         "De auto had kenteken XB-34-KM. Bel 06-12345678 als u iets zag.")


@pytest.fixture(scope="module")
def served(local_mailman: RunningMailman, tmp_path_factory):
    domain = f"nieuw{uuid.uuid4().hex[:8]}.bin.test.example"
    with served_desk(local_mailman, tmp_path_factory.mktemp("desknew"), domain, ("aa", "bb")) as found:
        yield found


def test_a_newcomer_at_the_desk(browser, axe_source, served, local_mailman, screenshots) -> None:
    site, base = served
    client = local_mailman.client()
    members_list = site.members_list("aa")
    held_report(local_mailman, site, "aa", f"buur@res.{site.domain}", "Auto met draaiende motor",
                "Er staat een auto te wachten.")
    requester = f"nieuwe.buur@res.{site.domain}"
    client.subscribe(members_list, requester, "Nieuwe Buur", pre_approved=False)

    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    context.add_init_script(axe_source)
    posts: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    try:
        # Whose desk: the login page names the BIN and its areas.
        page.goto(base + "/binco/")
        lead = page.locator("main p").first.inner_text()
        assert lead == "De balie van BIN Proefdorp, voor de BINCO’s van Aa, Bb.", lead
        page.get_by_label("Uw e-mailadres").fill(site.binco("aa"))
        page.get_by_role("button", name="Stuur mij een inloglink").click()
        page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
        page.goto(wait_login_link(local_mailman, site.binco("aa")))
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_role("heading", name="Uw balie").wait_for()
        # Singular where there is one.
        counts = page.locator(".desk-areas li p").first.inner_text()
        assert counts.startswith("1 wachtend bericht, 1 aanmelding, "), counts
        assert "berichten" not in counts and "aanmeldingen" not in counts and "(" not in counts

        # The login mail is dated in the site's zone, like the bulletins.
        login_mail = [d for d in read_maildir(local_mailman.maildir) if site.binco("aa") in d.envelope_to][-1]
        dated = login_mail.message["Date"].datetime
        assert dated.utcoffset() == datetime.now(ZoneInfo("Europe/Amsterdam")).utcoffset()
        assert not str(login_mail.message["Date"]).endswith("-0000")

        # Another area: said plainly, with the desk's own menu still there.
        answer = page.goto(base + "/binco/bb/")
        assert answer.status == 403
        page.get_by_role("heading", name="Dit gebied hoort niet bij uw balie").wait_for()
        assert "formulier is verlopen" not in page.content()
        assert page.get_by_role("link", name="Balie", exact=True).is_visible()
        assert page.get_by_role("button", name="Uitloggen", exact=True).is_visible()
        assert page.get_by_role("link", name="Aa", exact=True).is_visible()
        check_axe(page, axe_source, "not your area")

        # The preview shows the guard's findings at the body's lines, before publishing.
        page.goto(base + "/binco/aa/schrijven/")
        page.get_by_label("Titel").fill("Inbraak gezien")
        page.get_by_label("Tekst (Markdown)").fill(LEAKY)
        page.get_by_role("button", name="Voorbeeld en controle").click()
        found = page.locator("#body-error").first
        found.wait_for()
        findings = " ".join(page.locator(".field-error").all_inner_texts())
        for expected in ('regel 1: waarschuwing: privacy: "Jan de Vries"', 'regel 1: fout: privacy: adres "Maaspoortweg 12"',
                         'regel 3: fout: privacy: kenteken "XB-34-KM"', 'regel 3: fout: privacy: telefoon "06-12345678"'):
            assert expected in findings, findings
        page.screenshot(path=screenshots / "desk-preview-findings-phone.png", full_page=True)
        page.get_by_label("Tekst (Markdown)").fill("Let op: er wordt aan deurklinken gevoeld. Doe uw deur op slot.")
        page.get_by_role("button", name="Publiceren").click()
        page.get_by_text("Gepubliceerd:").wait_for()

        # The reason field beside Afwijzen looks like the other fields.
        page.goto(base + "/binco/aa/leden/")
        reason = page.locator("input[name=reason]").first
        style = reason.evaluate("e => { const s = getComputedStyle(e); return [s.borderTopWidth, s.paddingLeft, s.fontSize]; }")
        body_size = page.evaluate("getComputedStyle(document.body).fontSize")
        assert style[0] == "2px" and float(style[1].rstrip("px")) >= 8 and style[2] == body_size, style
        check_axe(page, axe_source, "members with a request")
        # Toelaten, then reload: the address is the members page, and nothing is posted again.
        page.get_by_role("button", name=f"Toelaten {requester}").click()
        page.get_by_text(f"Toegelaten: {requester} is nu lid.").wait_for()
        assert re.fullmatch(re.escape(base) + r"/binco/aa/leden/\?gedaan=[^&]+", page.url), page.url
        before = len(posts)
        page.reload()
        page.get_by_text(f"Toegelaten: {requester} is nu lid.").wait_for()
        assert len(posts) == before and "niet meer open" not in page.content()
        # A shared copy of that address shows another BINCO nothing (the result is this BINCO's).
        assert client.member(members_list, requester) is not None

        # The figures: the area's name, the month in words on one line.
        page.get_by_role("link", name="Cijfers").click()
        page.get_by_role("heading", name="Cijfers van de balie").wait_for()
        row = page.locator("tbody tr").first
        assert row.locator("th").inner_text() == "Aa"
        month = row.locator("td").first
        assert re.fullmatch(r"[a-z]+ 20\d\d", month.inner_text()), month.inner_text()
        assert month.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                              " return r.getClientRects().length; }") == 1
        check_axe(page, axe_source, "statistics")
    finally:
        context.close()
