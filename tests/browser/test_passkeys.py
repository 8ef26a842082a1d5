"""Passkeys at the partners' and the administrators' doors in Chromium, with a virtual authenticator (CDP
``WebAuthn.addVirtualAuthenticator``): the real browser ceremony against py_webauthn, at phone
width (375 px), with axe on the registration, second-step and account pages; and the hostile
cases: a replayed assertion, an assertion made for another site (RP ID and origin), and a cloned
authenticator (its credential exported and imported with CDP, the counter going back), all
refused and logged. The app's codes and recovery codes: tests/web/test_factors_web.py."""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

import pyotp
import pytest

from binsite.desk import logbook
from browser_support import HEIGHT, describe, run_axe
from tests.mailman_fixtures import RunningMailman

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from deskweb import login_mails, reset_limits, served_desk, wait_login_link  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.mailman]


@pytest.fixture(scope="module")
def served(local_mailman: RunningMailman, tmp_path_factory):
    # binsite's own defaults: partners required. An IP address is no RP ID: the service is localhost.
    domain = f"passkey{uuid.uuid4().hex[:8]}.bin.test.example"
    with served_desk(local_mailman, tmp_path_factory.mktemp("passkeys"), domain, ("wijk",), host="localhost",
                     second_factor=None, config_extra=f"administrators: [beheer@adm.{domain}]\n") as (site, base):
        yield site, base


def _context(browser, axe_source: str | None = None, width: int = 375):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT.get(width, 800)}, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    if axe_source:
        context.add_init_script(axe_source)
    return context


def log_in(page, local_mailman, base: str, door: str, address: str, axe_source: str | None = None) -> None:
    """Ask for a link at ``door``, open the newest one mailed, press the button."""
    before = len(login_mails(local_mailman, address))
    reset_limits(base)
    page.goto(base + door)
    if axe_source:
        _check_axe(page, f"{door} login page")
    page.get_by_label("Uw e-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
    page.goto(wait_login_link(local_mailman, address, before + 1))
    page.get_by_role("button", name="Inloggen", exact=True).click()


def _authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, made["authenticatorId"]


def _check_axe(page, what: str) -> None:
    violations = run_axe(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def _refusals(site) -> list[str]:
    return [v["refusal"] for v in logbook.lines(site.root, action=logbook.FACTOR_REFUSED)]


def _post_from(page, url: str, fields: dict[str, str]) -> dict:
    """A form post made by the page itself (its cookies, its origin), the answer's JSON."""
    return page.evaluate("""async ([url, fields]) => {
        const body = new URLSearchParams(fields);
        const r = await fetch(url, {method: "POST", body, credentials: "same-origin"});
        return {status: r.status, json: await r.json().catch(() => null)};
    }""", [url, fields])


# navigator.credentials.get with the service's options, for the RP ID given; the answer as JSON.
ASSERT = """async ([options, rpId]) => {
    const bytes = t => Uint8Array.from(atob(t.replace(/-/g, "+").replace(/_/g, "/")), c => c.charCodeAt(0));
    const cred = await navigator.credentials.get({publicKey: {challenge: bytes(options.challenge), rpId,
        allowCredentials: (options.allowCredentials || []).map(c => ({type: "public-key", id: bytes(c.id)}))}});
    return JSON.stringify(cred.toJSON());
}"""


def _csrf(page) -> str:
    return page.locator("input[name=csrf]").first.get_attribute("value")


def test_a_partner_adds_a_passkey_on_a_phone_and_logs_in_with_it(browser, axe_source, served, local_mailman,
                                                                  screenshots) -> None:
    site, base = served
    agent = sorted(site.partners("wijk"))[0]
    context = _context(browser, axe_source)
    try:
        page = context.new_page()
        cdp, authenticator = _authenticator(page)
        log_in(page, local_mailman, base, "/partner/", agent, axe_source)
        # The mailed link alone: the registration page, nothing else.
        page.get_by_role("heading", name="Beveiliging van uw account").wait_for()
        assert page.url.endswith("/partner/beveiliging/")
        _check_axe(page, "registration page")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        response = page.goto(base + "/partner/schrijven/")
        assert response.status == 403
        page.goto(base + "/partner/beveiliging/")
        page.get_by_label("Naam van het apparaat").fill("telefoon")
        page.get_by_role("button", name="Passkey toevoegen").click()
        page.get_by_text("Waar u ingelogd bent").wait_for()
        assert page.get_by_text("telefoon").first.is_visible()
        _check_axe(page, "account page")
        page.screenshot(path=str(screenshots / "passkey-account-375.png"), full_page=True)
        # The code app as well: its page and the recovery codes' page, axe-clean at 375 px.
        page.get_by_role("button", name="Code-app instellen").click()
        page.get_by_role("heading", name="Code-app instellen").wait_for()
        _check_axe(page, "code app page")  # with its QR code (inline SVG, no image request)
        qr = page.get_by_role("img", name="QR-code om in uw app te scannen")
        box = qr.bounding_box()
        assert qr.is_visible() and 150 <= box["width"] <= 375 - box["x"] and box["width"] == box["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Bevestigen").click()
        page.get_by_role("heading", name="Uw herstelcodes").wait_for()
        assert page.locator(".recovery-codes li").count() == 10
        _check_axe(page, "recovery codes page")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("link", name="Ik heb ze bewaard: verder").click()
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
        assert page.goto(base + "/partner/schrijven/").status == 200
        # Log out, log in again with a new link: the second step, with the passkey.
        page.goto(base + "/partner/")
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        log_in(page, local_mailman, base, "/partner/", agent)
        page.get_by_role("heading", name="Tweede stap: bevestig dat u het bent").wait_for()
        _check_axe(page, "second step page")
        assert page.goto(base + "/partner/schrijven/").status == 403
        page.goto(base + "/partner/tweede-stap/")
        page.get_by_role("button", name="Inloggen met passkey").click()
        page.wait_for_url(base + "/partner/")
        page.get_by_role("link", name="Bericht schrijven").first.wait_for()
        # Remove the passkey (the app stays): then the app is the last factor, and stays.
        page.goto(base + "/partner/beveiliging/")
        page.get_by_role("button", name=re.compile(r"^Verwijderen\W+telefoon$")).click()
        page.get_by_text("Passkey verwijderd.").wait_for()
        assert page.get_by_text("U heeft nog geen passkey.").is_visible()
        page.get_by_role("button", name="App en herstelcodes verwijderen").click()
        page.get_by_text("Dit is uw laatste tweede factor").wait_for()
        actions = [(v["action"], v.get("factor")) for v in logbook.lines(site.root)
                   if v.get("by", {}).get("id") == logbook.partner(agent).id]
        assert ("factor_add", "passkey") in actions and ("factor_login", "passkey") in actions
        assert ("factor_add", "app") in actions and ("factor_remove", "passkey") in actions
        assert ("factor_remove", "app") not in actions
    finally:
        context.close()


def test_a_replayed_a_foreign_and_a_cloned_assertion_are_refused(browser, served, local_mailman) -> None:
    site, base = served
    agent = sorted(site.partners("wijk"))[1]
    owner = _context(browser)
    thief = _context(browser)
    try:
        page = owner.new_page()
        cdp, authenticator = _authenticator(page)
        log_in(page, local_mailman, base, "/partner/", agent)
        page.get_by_role("heading", name="Beveiliging van uw account").wait_for()
        page.get_by_role("button", name="Passkey toevoegen").click()
        page.get_by_text("Waar u ingelogd bent").wait_for()

        # --- a replayed assertion: the same request again, challenge cookie and all -----------
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        log_in(page, local_mailman, base, "/partner/", agent)
        page.get_by_role("heading", name="Tweede stap: bevestig dat u het bent").wait_for()
        # The ceremony as passkey.js does it, step by step, to keep the answer and the challenge cookie.
        options = _post_from(page, base + "/partner/tweede-stap/passkey/opties", {"csrf": _csrf(page)})["json"]
        cookie_value = next(c["value"] for c in owner.cookies() if c["name"] == "binsite_factor")
        credential = page.evaluate(ASSERT, [options, "localhost"])
        fields = {"credential": credential}
        first = _post_from(page, base + "/partner/tweede-stap/passkey", {**fields, "csrf": _csrf(page)})
        assert first["status"] == 200 and first["json"]["ok"] is True
        assert page.goto(base + "/partner/schrijven/").status == 200
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        log_in(page, local_mailman, base, "/partner/", agent)
        page.get_by_role("heading", name="Tweede stap: bevestig dat u het bent").wait_for()
        owner.add_cookies([{"name": "binsite_factor", "value": cookie_value, "url": base + "/partner/"}])
        replayed = _post_from(page, base + "/partner/tweede-stap/passkey", {**fields, "csrf": _csrf(page)})
        assert replayed["status"] == 400 and replayed["json"]["ok"] is False
        assert _refusals(site)[-1] == "replay"
        # ... and against a fresh challenge (the old answer signs another one).
        _post_from(page, base + "/partner/tweede-stap/passkey/opties", {"csrf": _csrf(page)})
        again = _post_from(page, base + "/partner/tweede-stap/passkey", {**fields, "csrf": _csrf(page)})
        assert again["status"] == 400 and _refusals(site)[-1] == "replay"
        assert page.goto(base + "/partner/schrijven/").status == 403

        # --- an assertion made for another site: the same key under another RP ID and origin ----
        exported = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0]
        other = thief.new_page()
        other_cdp, other_authenticator = _authenticator(other)
        port = base.rsplit(":", 1)[1]
        foreign_origin = f"http://other.localhost:{port}"
        other_cdp.send("WebAuthn.addCredential", {"authenticatorId": other_authenticator, "credential": {
            **{k: exported[k] for k in ("credentialId", "isResidentCredential", "privateKey", "signCount")},
            "rpId": "other.localhost", "userHandle": exported.get("userHandle", "")}})
        other.goto(foreign_origin + "/partner/")
        page.goto(base + "/partner/tweede-stap/")
        options = _post_from(page, base + "/partner/tweede-stap/passkey/opties", {"csrf": _csrf(page)})["json"]
        foreign = other.evaluate(ASSERT, [options, "other.localhost"])
        assert json.loads(foreign)["id"]
        wrong_site = _post_from(page, base + "/partner/tweede-stap/passkey", {"credential": foreign,
                                                                               "csrf": _csrf(page)})
        assert wrong_site["status"] == 400 and _refusals(site)[-1] == "origin"
        assert page.goto(base + "/partner/schrijven/").status == 403

        # --- a cloned authenticator: the credential as it was, in the thief's browser -------------
        clone = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0]
        page.goto(base + "/partner/tweede-stap/")
        page.get_by_role("button", name="Inloggen met passkey").click()  # the owner logs in: the counter moves on
        page.wait_for_url(base + "/partner/")
        other_cdp.send("WebAuthn.clearCredentials", {"authenticatorId": other_authenticator})
        other_cdp.send("WebAuthn.addCredential", {"authenticatorId": other_authenticator, "credential": {
            k: clone[k] for k in ("credentialId", "isResidentCredential", "privateKey", "signCount", "rpId",
                                  "userHandle") if k in clone}})
        log_in(other, local_mailman, base, "/partner/", agent)  # the thief has the mailbox too
        other.get_by_role("heading", name="Tweede stap: bevestig dat u het bent").wait_for()
        other.get_by_role("button", name="Inloggen met passkey").click()
        other.get_by_text("Dat lukte niet").wait_for()
        assert _refusals(site)[-1] == "counter"
        assert other.goto(base + "/partner/schrijven/").status == 403
        assert page.goto(base + "/partner/schrijven/").status == 200, "the owner is still in"
    finally:
        owner.close()
        thief.close()


def test_an_administrator_adds_a_passkey_and_reaches_inzage_with_it(browser, axe_source, served,
                                                                    local_mailman) -> None:
    """The administrators' door (/beheer/, required by default): the mailed link alone reaches only
    the registration page; a passkey added there opens inzage, and after the next link the passkey
    is the second step."""
    site, base = served
    administrator = f"beheer@adm.{site.domain}"
    resident = f"ingezien.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    local_mailman.client().subscribe(site.members_list("wijk"), resident)
    context = _context(browser, axe_source)

    def held_back(heading: str, path: str) -> None:
        """A new mailed link: only the page ``path`` (axe-clean), inzage answers 403."""
        log_in(page, local_mailman, base, "/beheer/", administrator)
        page.get_by_role("heading", name=heading).wait_for()
        assert page.url.endswith("/beheer/" + path)
        _check_axe(page, f"administrator's {path}")
        refused = _post_from(page, base + "/beheer/inzage/", {"email": resident, "csrf": _csrf(page)})
        assert refused["status"] == 403

    try:
        page = context.new_page()
        cdp, authenticator = _authenticator(page)
        held_back("Beveiliging van uw account", "beveiliging/")
        page.get_by_label("Naam van het apparaat").fill("laptop")
        page.get_by_role("button", name="Passkey toevoegen").click()
        page.get_by_text("Waar u ingelogd bent").wait_for()
        assert page.get_by_text("laptop").first.is_visible()
        _check_axe(page, "administrator's account page")
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
        # A new link: the second step with the passkey, then inzage.
        page.goto(base + "/beheer/")
        page.get_by_role("button", name="Uitloggen", exact=True).click()
        held_back("Tweede stap: bevestig dat u het bent", "tweede-stap/")
        page.get_by_role("button", name="Inloggen met passkey").click()
        page.wait_for_url(base + "/beheer/")
        page.get_by_role("heading", name="Inzage en wissen: alle gebieden").wait_for()
        page.get_by_label("E-mailadres").fill(resident)
        page.get_by_role("button", name="Inzage", exact=True).click()
        found = page.locator("section[aria-labelledby=inzage]")
        found.wait_for()
        assert site.members_list("wijk") in found.inner_text()
        actions = [(v["action"], v.get("factor")) for v in logbook.lines(site.root)
                   if v.get("by") == logbook.administrator(administrator).as_json()]
        assert ("factor_add", "passkey") in actions and ("factor_login", "passkey") in actions
        assert ("factor_refused", "passkey") not in actions
    finally:
        context.close()
