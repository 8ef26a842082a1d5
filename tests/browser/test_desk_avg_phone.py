"""The desk's two AVG pages in Chromium at phone size (375 px), against the session's real
Mailman: Inzage en wissen and Adressen die niet meer werken, reached from the members page,
axe-clean (WCAG 2.2 AA) before and after each action, no sideways scrolling; wissen shows what
goes before the confirmation erases; an erasure form without its CSRF field changes nothing;
another area's privacy page is 403 and its resident stays. The administrator's door (/beheer/)
the same way: login, inzage and wissen across both areas. (The same refusals without a browser:
tests/web/test_desk_privacy.py, tests/web/test_admin_web.py.)"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from binsite.desk import logbook
from binsite.desk.inbox import mask_sender
from binsite.mailman.bounces import bouncing
from sitekit import poll
from tests.mailman.test_bounces import send_dsn
from tests.mailman_fixtures import RunningMailman

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from deskweb import served_desk  # noqa: E402
from test_partner_week import check_axe, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.mailman]


@pytest.fixture(scope="module")
def served(local_mailman: RunningMailman, tmp_path_factory):
    domain = f"avgweb{uuid.uuid4().hex[:8]}.bin.test.example"
    with served_desk(local_mailman, tmp_path_factory.mktemp("deskavgweb"), domain, ("aa", "bb"),
                     config_extra=f"administrators: [beheer@adm.{domain}]\n") as found:
        yield found


def fits(page, what: str) -> None:
    """Nothing wider than the phone: no sideways scrolling, every button inside the screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what}: {overflow}px sideways scrolling at 375 px"
    outside = page.evaluate("""() => [...document.querySelectorAll('button, input, a')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.outerHTML.slice(0, 80))""")
    assert outside == [], f"{what}: outside the screen: {outside}"


def test_inzage_wissen_and_bounces_on_a_phone(browser, axe_source, served, local_mailman, screenshots) -> None:
    site, base = served
    client = local_mailman.client()
    members_aa = site.members_list("aa")
    resident = f"Bea.Bewoner+bin@res.{site.domain}"
    kept = f"blijft@res.{site.domain}"
    only_bb = f"alleen.bb@res.{site.domain}"
    broken = f"kapot@res.{site.domain}"
    client.subscribe(members_aa, resident, "Bea Bewoner")
    client.subscribe(members_aa, kept)
    client.subscribe(site.members_list("bb"), only_bb)
    client.subscribe(members_aa, broken)
    send_dsn(local_mailman.settings, members_aa, broken)

    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    context.add_init_script(axe_source)
    page = context.new_page()
    try:
        log_in(page, local_mailman, base, "/binco/", site.binco("aa"))
        page.get_by_role("heading", name="Uw balie").wait_for()

        # From the members page (its title is only the title: the links are in the page).
        page.goto(base + "/binco/aa/leden/")
        assert page.title().startswith("Leden Aa · ") and "Inzage" not in page.title(), page.title()
        page.get_by_role("link", name="Inzage en wissen (AVG) voor Aa").click()
        page.get_by_role("heading", name="Inzage en wissen: Aa").wait_for()
        check_axe(page, axe_source, "privacy page")
        fits(page, "privacy page")

        # Inzage, typed in upper case: the same address, its membership and name.
        page.get_by_label("E-mailadres van de bewoner").fill(resident.upper())
        page.get_by_role("button", name="Inzage", exact=True).click()
        found = page.locator("section[aria-labelledby=inzage]")
        found.wait_for()
        assert members_aa in found.inner_text() and "Bea Bewoner" in found.inner_text()
        check_axe(page, axe_source, "inzage result")
        fits(page, "inzage result")
        page.screenshot(path=screenshots / "desk-inzage-phone.png", full_page=True)

        # Wissen without the CSRF field: refused, nothing changed, nothing logged.
        page.get_by_label("E-mailadres van de bewoner").fill(kept)
        page.evaluate("document.querySelector('form.form input[name=csrf]').remove()")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Wissen in Aa").click()
        assert answer.value.status == 403
        page.get_by_text("Het formulier is verlopen").wait_for()
        assert client.member(members_aa, kept) is not None
        assert not any(v["action"] == logbook.ERASE for v in logbook.lines(site.root))

        # Wissen with it: gone from Mailman, the page says what went, still axe-clean.
        page.goto(base + "/binco/aa/privacy/")
        page.get_by_label("E-mailadres van de bewoner").fill(resident)
        page.get_by_role("button", name="Wissen in Aa").click()
        page.get_by_role("heading", name=f"Dit wordt gewist: {resident.lower()}").wait_for()
        check_axe(page, axe_source, "erase plan")
        fits(page, "erase plan")
        assert members_aa in page.inner_text("main") and client.member(members_aa, resident) is not None
        page.get_by_role("button", name=f"Ja, wis {resident.lower()} in Aa").click()
        page.get_by_role("heading", name="Gewist").wait_for()
        check_axe(page, axe_source, "erased")
        fits(page, "erased")
        assert client.member(members_aa, resident) is None and client.member(members_aa, kept) is not None

        # Another area's page: 403, said plainly, axe-clean; its resident stays.
        answer = page.goto(base + "/binco/bb/privacy/")
        assert answer.status == 403
        page.get_by_role("heading", name="Dit gebied hoort niet bij uw balie").wait_for()
        check_axe(page, axe_source, "another area's privacy page")
        assert client.member(site.members_list("bb"), only_bb) is not None

        # Adressen die niet meer werken: the real bounce, masked; Opnieuw proberen.
        poll(lambda: bouncing(client, members_aa), timeout=30, interval=0.25, what="the bounce scored")
        page.goto(base + "/binco/aa/leden/")
        page.get_by_role("link", name="Adressen die niet meer werken").click()
        page.get_by_role("heading", name="Adressen die niet meer werken: Aa").wait_for()
        assert mask_sender(broken) in page.inner_text("main") and broken not in page.content()
        check_axe(page, axe_source, "bounces page")
        fits(page, "bounces page")
        page.screenshot(path=screenshots / "desk-bounces-phone.png", full_page=True)
        page.get_by_role("button", name=f"Opnieuw proberen {mask_sender(broken)}").click()
        page.get_by_text(f"Bezorging staat weer aan voor {mask_sender(broken)}.").wait_for()
        check_axe(page, axe_source, "bounces page after a retry")
        fits(page, "bounces page after a retry")
        member_id = bouncing(client, members_aa)[0].member_id
        assert client._rest(f"members/{member_id}/preferences")["delivery_status"] == "enabled"
    finally:
        context.close()


def test_the_administrators_inzage_and_wissen_across_areas_on_a_phone(browser, axe_source, served, local_mailman,
                                                                      screenshots) -> None:
    site, base = served
    client = local_mailman.client()
    resident = f"Overal.Bewoner@res.{site.domain}"
    client.subscribe(site.members_list("aa"), resident, "Olga Overal")
    client.subscribe(site.members_list("bb"), resident)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    context.add_init_script(axe_source)
    page = context.new_page()
    try:
        log_in(page, local_mailman, base, "/beheer/", f"beheer@adm.{site.domain}", axe_source)
        page.get_by_role("heading", name="Inzage en wissen: alle gebieden").wait_for()
        check_axe(page, axe_source, "administrator's desk")
        fits(page, "administrator's desk")
        page.get_by_label("E-mailadres").fill(resident)
        page.get_by_role("button", name="Inzage", exact=True).click()
        found = page.locator("section[aria-labelledby=inzage]")
        found.wait_for()
        for list_address in (site.members_list("aa"), site.members_list("bb")):
            assert list_address in found.inner_text()
        check_axe(page, axe_source, "administrator's inzage")
        fits(page, "administrator's inzage")
        page.get_by_role("button", name="Wissen in alle gebieden").click()
        page.get_by_role("heading", name=f"Dit wordt gewist: {resident.lower()}").wait_for()
        check_axe(page, axe_source, "administrator's erase plan")
        fits(page, "administrator's erase plan")
        page.screenshot(path=screenshots / "admin-erase-plan-phone.png", full_page=True)
        assert client.member(site.members_list("bb"), resident) is not None
        page.get_by_role("button", name=f"Ja, wis {resident.lower()} in alle gebieden").click()
        page.get_by_role("heading", name="Gewist").wait_for()
        check_axe(page, axe_source, "administrator's erasure")
        fits(page, "administrator's erasure")
        for list_address in (site.members_list("aa"), site.members_list("bb")):
            assert client.member(list_address, resident) is None
        erased = [v for v in logbook.lines(site.root) if v["action"] == logbook.ERASE]
        assert erased[-1]["by"]["role"] == "administrator"
        # This login opens no BINCO page.
        page.goto(base + "/binco/aa/")
        page.get_by_role("heading", name="Inloggen op de balie").wait_for()
    finally:
        context.close()
