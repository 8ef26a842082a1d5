"""The residents' web service in a real Chromium, against the session's real Mailman and sink.

A resident joins through the form at phone width, confirms from the mailed
link, the BINCO approves with the desk library, and the new member sees
their area on the preferences page. axe-core finds nothing on every page of
the service at 375 and 1280 px; no page asks anything of another host, none
scrolls sideways, none logs a console error (a CSP violation is one).
One app and one server for the module, one Chromium for the session.
"""

from __future__ import annotations

import secrets
import re
import time
from collections.abc import Callable, Iterator

import pytest

from binsite import tokens
from binsite.desk.desk import open_desk
from binsite.desk.members import approve, pending_requests
from binsite.mailman.client import list_id
from binsite.mailman.sync import sync
from binsite.web.app import create_app
from binsite.web.server import serve_in_thread
from browser_support import SCREENSHOTS, WIDTHS, Watch, describe, run_axe
from sitekit import area, poll, write_site
from tests.mailman_fixtures import new_domain

pytestmark = [pytest.mark.browser, pytest.mark.mailman]

# Made fresh for each run: no signing secret is written in the repository.
SECRET = secrets.token_urlsafe(32)


class Service:
    def __init__(self, root, domain, url, mailman):
        self.root, self.domain, self.url, self.mailman = root, domain, url, mailman
        self.client = mailman.client()

    def fqdn(self, area_id: str) -> str:
        return f"{area_id}@{self.domain}"

    def token(self, purpose: str, area_id: str, address: str) -> str:
        member = [m for m in self.client.memberships(address) if m.list_id == list_id(self.fqdn(area_id))][0]
        return tokens.sign(SECRET, purpose, (list_id(self.fqdn(area_id)), member.member_id))

    def member(self, *areas: str) -> str:
        address = f"lid.{time.monotonic_ns()}@res.example.org"
        for area_id in areas:
            self.client.subscribe(self.fqdn(area_id), address)
        return address


@pytest.fixture(scope="module")
def service(local_mailman, tmp_path_factory) -> Iterator[Service]:
    domain = new_domain()
    root = write_site(tmp_path_factory.mktemp("webservice") / "site", domain,
                      {a: area(a.capitalize(), domain, a) for a in ("noord", "zuid")})
    sync(root, local_mailman.settings)
    settings = local_mailman.settings
    env = {"BINSITE_SECRET_KEY": SECRET, "BINSITE_MAILMAN_URL": settings.url, "BINSITE_MAILMAN_USER": settings.user,
           "BINSITE_MAILMAN_PASSWORD": settings.password, "BINSITE_SMTP_HOST": "127.0.0.1",
           "BINSITE_SMTP_PORT": str(local_mailman.state.smtp_port),
           "BINSITE_LMTP": settings.environment()["BINSITE_LMTP"]}
    server = serve_in_thread(create_app(root, environ=env))
    try:
        yield Service(root, domain, f"http://127.0.0.1:{server.server_port}/", local_mailman)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def open_web(contexts, service) -> Iterator[Callable]:
    """``open_web(path, width) -> (page, watch)``: requests off this server are aborted and recorded."""
    pages = []

    def opener(path: str, width: int, *, status: int = 200):
        page = contexts(width, axe=True).new_page()
        pages.append(page)
        watch = Watch()

        def route(route):
            if route.request.url.startswith(service.url):
                route.continue_()
            else:
                watch.external.append(route.request.url)
                route.abort()

        def console(msg):
            # The document's own error status (a 400 or 404 page) is logged by Chromium; nothing else may be.
            if msg.type == "error" and not ("status of 4" in msg.text and (msg.location or {}).get("url", "").startswith(service.url + path.split("?")[0])):
                watch.errors.append(msg.text)

        page.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        response = page.goto(service.url + path, wait_until="load")
        assert response is not None and response.status == status, (path, response and response.status)
        return page, watch

    yield opener
    for page in pages:
        page.close()


def _mail_link(service, address: str) -> str:
    def found():
        for delivered in service.mailman.deliveries(service.domain):
            if address in delivered.envelope_to:
                body = delivered.message.get_body(("plain",)).get_content()
                return re.search(r"http://127\.0\.0\.1:\d+/(aanmelden/bevestig/\S+)", body).group(1)
        return None
    return poll(found, timeout=15, what=f"the confirmation mail to {address}")


def test_join_confirm_approve_member_in_the_browser(service, open_web):
    address = f"nieuw.{time.monotonic_ns()}@res.example.org"
    page, watch = open_web("aanmelden/noord/", 375)
    page.get_by_label("Uw e-mailadres").fill(address)
    page.get_by_label("Uw naam (mag leeg blijven)").fill("Nieuwe Buur")
    page.get_by_label("Ik woon of werk in Noord").check()
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
    link = _mail_link(service, address)
    page.goto(service.url + link)
    page.get_by_role("button", name="Ja, ik wil lid worden").click()
    page.get_by_role("heading", name="Bedankt, uw aanmelding is ontvangen").wait_for()
    assert service.client.member(service.fqdn("noord"), address) is None  # the BINCO decides
    desk = open_desk(service.root, service.mailman.settings)
    assert approve(desk, next(r.ref for r in pending_requests(desk) if r.address == address)).member
    page.goto(service.url + "voorkeuren/" + service.token(tokens.PREFERENCES, "noord", address))
    assert page.get_by_role("group", name="Noord").is_visible()
    assert page.get_by_label("Elk bericht meteen").is_checked()
    page.screenshot(path=SCREENSHOTS / "web-member-375.png", full_page=True)
    watch.assert_clean()


def _leave_page(service, open_web, width):
    address = service.member("noord", "zuid")
    return open_web("afmelden/" + service.token(tokens.UNSUBSCRIBE, "noord", address), width)


def _left_page(service, open_web, width):
    page, watch = _leave_page(service, open_web, width)
    page.get_by_role("button", name="Afmelden voor alle gebieden").click()
    page.get_by_role("heading", name="U bent afgemeld").wait_for()
    return page, watch


def _join_errors(service, open_web, width):
    page, watch = open_web("aanmelden/zuid/", width)
    page.get_by_label("Uw e-mailadres").fill("geen adres")
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_text("Vul een geldig e-mailadres in").first.wait_for()
    return page, watch


def _join_sent(service, open_web, width):
    page, watch = open_web("aanmelden/zuid/", width)
    page.get_by_label("Uw e-mailadres").fill(f"verstuurd.{time.monotonic_ns()}@res.example.org")
    page.get_by_label("Ik woon of werk in Zuid").check()
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
    return page, watch


def _join_token(service) -> str:
    from binsite.mailman.residents import sign_join
    from binsite.source.network import load_network
    network = load_network(service.root)
    return sign_join(SECRET, network.areas[0], service.domain, f"bevestig.{time.monotonic_ns()}@res.example.org")


def _join_done(service, open_web, width):
    page, watch = open_web("aanmelden/bevestig/" + _join_token(service), width)
    page.get_by_role("button", name="Ja, ik wil lid worden").click()
    page.get_by_role("heading", name="Bedankt, uw aanmelding is ontvangen").wait_for()
    return page, watch


def _preferences_saved(service, open_web, width):
    address = service.member("noord", "zuid")
    page, watch = open_web("voorkeuren/" + service.token(tokens.PREFERENCES, "zuid", address), width)
    page.get_by_role("group", name="Noord").get_by_label("Afmelden voor Noord").check()
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("U bent afgemeld voor Noord.").wait_for()
    return page, watch


def _preferences_gone(service, open_web, width):
    address = service.member("noord")
    token = service.token(tokens.PREFERENCES, "noord", address)
    service.client.unsubscribe(service.fqdn("noord"), address)
    return open_web("voorkeuren/" + token, width)


def _report_token(service) -> str:
    return tokens.sign(SECRET, tokens.REPORT, (list_id(service.fqdn("noord")), secrets.token_hex(16)))


def _fill_report(page, address: str, *, what: str = "Twee mannen keken bij de fietsenstalling in auto's.") -> None:
    page.get_by_label("Wat gebeurde er?").fill(what)
    page.get_by_label("Waar? (straat of plek, geen huisnummer)").fill("Dorpsstraat")
    page.get_by_label("Uw e-mailadres").fill(address)
    page.get_by_role("button", name="Melding versturen").click()


def _report_errors(service, open_web, width):
    page, watch = open_web("melden/noord/", width)
    _fill_report(page, "geen adres", what="")
    page.get_by_text("Vul een geldig e-mailadres in").first.wait_for()
    return page, watch


def _report_sent(service, open_web, width):
    page, watch = open_web("melden/noord/", width)
    _fill_report(page, f"melder.{time.monotonic_ns()}@res.example.org")
    page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()
    return page, watch


def _report_done(service, open_web, width):
    page, watch = open_web("melden/bevestig/" + _report_token(service), width)
    page.get_by_role("button", name="Ja, verstuur mijn melding").click()
    page.get_by_role("heading", name="Deze link is al gebruikt of verlopen").wait_for()
    return page, watch


PAGES = {
    "index": lambda s, o, w: o("", w),
    "report": lambda s, o, w: o("melden/noord/", w),
    "report-errors": _report_errors,
    "report-sent": _report_sent,
    "report-confirm": lambda s, o, w: o("melden/bevestig/" + _report_token(s), w),
    "report-used": _report_done,
    "join": lambda s, o, w: o("aanmelden/noord/", w),
    "join-errors": _join_errors,
    "join-sent": _join_sent,
    "join-confirm": lambda s, o, w: o("aanmelden/bevestig/" + _join_token(s), w),
    "join-done": _join_done,
    "leave": _leave_page,
    "left": _left_page,
    "preferences": lambda s, o, w: o("voorkeuren/" + s.token(tokens.PREFERENCES, "noord", s.member("noord")), w),
    "preferences-saved": _preferences_saved,
    "preferences-gone": _preferences_gone,
    "bad-link": lambda s, o, w: o("afmelden/niet.echt", w, status=400),
    "not-found": lambda s, o, w: o("bestaat/niet/", w, status=404),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_every_service_page_passes_axe(kind, width, service, open_web):
    page, watch = PAGES[kind](service, open_web, width)
    page.screenshot(path=SCREENSHOTS / f"web-{kind}-{width}.png", full_page=True)
    violations = run_axe(page)
    assert violations == [], f"{kind} at {width}px:\n{describe(violations)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at {width}px"
    assert page.evaluate("document.cookie") == ""  # the CSRF cookie is HttpOnly: no script sees it
    watch.assert_clean()


def test_the_service_works_without_javascript(browser, service):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        address = service.member("zuid")
        page.goto(service.url + "afmelden/" + service.token(tokens.UNSUBSCRIBE, "zuid", address))
        page.get_by_role("button", name="Afmelden voor Zuid").click()
        page.get_by_role("heading", name="U bent afgemeld").wait_for()
        assert service.client.member(service.fqdn("zuid"), address) is None
    finally:
        context.close()


def test_a_member_reports_without_javascript_at_phone_width(browser, service):
    """The whole report, from the form to the held message, with JavaScript off at 375 px."""
    address = service.member("noord")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(service.url + "melden/noord/")
        assert page.locator("main").inner_text().lstrip().startswith("Is het nu aan de hand? Bel 112.")
        _fill_report(page, address, what="Zonder script gemeld: een open kelderraam.")
        page.get_by_role("heading", name="Kijk in uw e-mail").wait_for()

        def link():
            for delivered in service.mailman.deliveries(service.domain):
                if address in delivered.envelope_to:
                    body = delivered.message.get_body(("plain",)).get_content()
                    found = re.search(r"http://127\.0\.0\.1:\d+/(melden/bevestig/\S+)", body)
                    if found:
                        return found.group(1)
            return None
        page.goto(service.url + poll(link, timeout=15, what="the report's confirmation mail"))
        page.get_by_role("button", name="Ja, verstuur mijn melding").click()
        page.get_by_role("heading", name="Bedankt, uw melding is bij de BINCO").wait_for()
        poll(lambda: [h for h in service.client.held(service.fqdn("noord")) if "open kelderraam" in h.subject] or None,
             timeout=20, what="the report held")
    finally:
        context.close()


def test_every_service_page_is_valid_html(service, tmp_path):
    """The Nu Html Checker on the raw HTML of every kind of page, as the server sends it."""
    import http.cookiejar
    import json
    import subprocess
    import urllib.error
    import urllib.parse
    import urllib.request

    from test_validity import known_gap, vnu_jar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def fetch(path: str, form: dict | None = None) -> str:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with opener.open(service.url + path, data=data, timeout=30) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.read().decode("utf-8")

    def csrf(html: str) -> str:
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)

    pages = {"index": fetch(""), "join": fetch("aanmelden/noord/"), "bad-link": fetch("afmelden/x.y"),
             "not-found": fetch("nergens/"), "report": fetch("melden/noord/")}
    pages["report-errors"] = fetch("melden/noord/", {"csrf": csrf(pages["report"]), "email": "fout", "what": ""})
    pages["report-sent"] = fetch("melden/noord/", {"csrf": csrf(pages["report"]), "what": "Iets gezien", "where": "Plein",
                                                   "email": f"geldig.{time.monotonic_ns()}@res.example.org"})
    report_token = _report_token(service)
    pages["report-confirm"] = fetch("melden/bevestig/" + report_token)
    pages["report-used"] = fetch("melden/bevestig/" + report_token, {"csrf": csrf(pages["report-confirm"])})
    pages["join-errors"] = fetch("aanmelden/noord/", {"csrf": csrf(pages["join"]), "email": "fout"})
    pages["join-sent"] = fetch("aanmelden/noord/", {"csrf": csrf(pages["join"]), "lives": "ja",
                                                     "email": f"geldig.{time.monotonic_ns()}@res.example.org"})
    token = _join_token(service)
    pages["join-confirm"] = fetch("aanmelden/bevestig/" + token)
    pages["join-done"] = fetch("aanmelden/bevestig/" + token, {"csrf": csrf(pages["join-confirm"])})
    address = service.member("noord", "zuid")
    pages["preferences"] = fetch("voorkeuren/" + service.token(tokens.PREFERENCES, "noord", address))
    leave = "afmelden/" + service.token(tokens.UNSUBSCRIBE, "zuid", address)
    pages["leave"] = fetch(leave)
    pages["left"] = fetch(leave, {"csrf": csrf(pages["leave"]), "action": "leave"})
    gone = tokens.sign(SECRET, tokens.PREFERENCES, (list_id(service.fqdn("zuid")), "0" * 32))
    pages["preferences-gone"] = fetch("voorkeuren/" + gone)
    files = []
    for kind, html in pages.items():
        assert "<h1>" in html, kind
        files.append(tmp_path / f"{kind}.html")
        files[-1].write_text(html, encoding="utf-8")
    result = subprocess.run(["java", "-Xss1024k", "-jar", vnu_jar(), "--format", "json", "--exit-zero-always",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
              if (m.get("type") == "error" or m.get("subType") == "fatal") and not known_gap(m["message"])]
    assert errors == [], "\n".join(errors)
