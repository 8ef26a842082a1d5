"""The residents' pages against the session's real Mailman and sink.

One site and one application per module (Flask's test client: the same WSGI
app gunicorn runs); every test uses addresses of its own. Tokens for leaving
are signed the way Mailman's delivery class signs them for each recipient
(``binsite.tokens``, list id and Mailman member id).
"""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from pathlib import Path

import pytest

from binsite import tokens
from binsite.desk.desk import open_desk
from binsite.desk.members import approve, pending_requests
from binsite.mailman.client import list_id
from binsite.mailman.sync import sync
from binsite.web.app import create_app
from sitekit import area, poll, write_site
from tests.mailman_fixtures import new_domain
import webkit
from webkit import SECRET, csrf_of, environ

pytestmark = pytest.mark.mailman

AREAS = ("noord", "zuid")


@pytest.fixture(scope="module")
def web(local_mailman, tmp_path_factory):
    domain = new_domain()
    root = write_site(tmp_path_factory.mktemp("web") / "site", domain,
                      {a: area(a.capitalize(), domain, a) for a in AREAS})
    sync(root, local_mailman.settings)
    settings = local_mailman.settings
    env = environ(mailman_url=settings.url, user=settings.user, password=settings.password,
                  smtp_port=local_mailman.state.smtp_port, BINSITE_WEB_URL="https://bin.test.example/dienst/")
    app = create_app(root, environ=env)
    return _Web(app, root, domain, local_mailman)


@pytest.fixture(autouse=True)
def _fresh_limits(web):
    """Each test starts with empty rate limits (they are per process, and all tests come from 127.0.0.1)."""
    for limiter in web.app.extensions["binsite"].limiters.values():
        limiter.reset()


class _Web:
    def __init__(self, app, root: Path, domain: str, mailman):
        self.app, self.root, self.domain, self.mailman = app, root, domain, mailman
        self.client = mailman.client()

    def fqdn(self, area_id: str) -> str:
        return f"{area_id}@{self.domain}"

    def member_id(self, area_id: str, address: str) -> str:
        found = [m for m in self.client.memberships(address) if m.list_id == list_id(self.fqdn(area_id))]
        assert found, f"{address} is no member of {area_id}"
        return found[0].member_id

    def leave_token(self, area_id: str, address: str, purpose: str = tokens.UNSUBSCRIBE) -> str:
        return tokens.sign(SECRET, purpose, (list_id(self.fqdn(area_id)), self.member_id(area_id, address)))

    def is_member(self, area_id: str, address: str) -> bool:
        return self.client.member(self.fqdn(area_id), address) is not None

    def drained(self, *, timeout: float = 30.0) -> None:
        """Wait until the one-click spool has done everything it took."""
        spool = self.app.extensions["binsite"].spool
        poll(lambda: spool.pending() == 0, timeout=timeout, what="the unsubscribe spool to empty")

    def mail_to(self, address: str, *, timeout: float = 15.0):
        def found():
            for delivered in self.mailman.deliveries(self.domain):
                if address in delivered.envelope_to:
                    return delivered
            return None
        return poll(found, timeout=timeout, what=f"mail to {address}")


def _address(tag: str) -> str:
    return f"{tag}.{time.monotonic_ns()}@res.example.org"


def _join(client, area_id: str, address: str, *, name: str = "", lives: bool = True):
    page = client.get(f"/dienst/aanmelden/{area_id}/").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "email": address, "name": name}
    if lives:
        form["lives"] = "ja"
    return client.post(f"/dienst/aanmelden/{area_id}/", data=form)


def _from(web, remote_addr: str):
    """A browser at ``remote_addr`` (the limits count per client)."""
    client = web.app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def _mails_to(web, address: str) -> int:
    """How many mails reached ``address``, once Mailman's queues are empty."""
    web.mailman.settle()
    return sum(address in d.envelope_to for d in web.mailman.deliveries(web.domain))


def _link_in(delivered) -> str:
    body = delivered.message.get_body(("plain",)).get_content()
    found = re.search(r"https://bin\.test\.example/dienst/(aanmelden/bevestig/\S+)", body)
    assert found, body
    return "/dienst/" + found.group(1)


def test_join_confirm_approve_member(web):
    client = web.app.test_client()
    address = _address("nieuw")
    response = _join(client, "noord", address, name="Nieuwe Bewoner")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kijk in uw e-mail" in page
    delivered = web.mail_to(address)
    assert delivered.message["From"].endswith(f"bulletin@{web.domain}>")
    assert "Bevestig uw aanmelding voor Noord" in str(delivered.message["Subject"])
    path = _link_in(delivered)
    # Following the link (as a mail scanner would) changes nothing.
    confirm_page = client.get(path).get_data(as_text=True)
    assert "Ja, ik wil lid worden" in confirm_page
    assert not [r for r in web.client.requests(web.fqdn("noord")) if r.address == address]
    done = client.post(path, data={"csrf": csrf_of(confirm_page)})
    assert "uw aanmelding is ontvangen" in done.get_data(as_text=True)
    waiting = [r for r in web.client.requests(web.fqdn("noord")) if r.address == address]
    assert len(waiting) == 1 and waiting[0].token_owner == "moderator" and waiting[0].display_name == "Nieuwe Bewoner"
    assert not web.is_member("noord", address)  # the BINCO decides
    # A replay of the same link changes nothing.
    again = client.post(path, data={"csrf": csrf_of(client.get(path).get_data(as_text=True))})
    assert again.status_code == 200
    assert len([r for r in web.client.requests(web.fqdn("noord")) if r.address == address]) == 1
    # The BINCO approves with the desk, as today.
    desk = open_desk(web.root, web.mailman.settings)
    ref = next(r.ref for r in pending_requests(desk) if r.address == address)
    assert approve(desk, ref).member
    assert web.is_member("noord", address)


def test_a_spent_link_does_not_join_again_after_leaving(web):
    client = web.app.test_client()
    address = _address("eenmalig")
    _join(client, "zuid", address)
    path = _link_in(web.mail_to(address))
    client.post(path, data={"csrf": csrf_of(client.get(path).get_data(as_text=True))})
    desk = open_desk(web.root, web.mailman.settings)
    approve(desk, next(r.ref for r in pending_requests(desk) if r.address == address))
    web.client.unsubscribe_member(web.member_id("zuid", address))
    page = client.post(path, data={"csrf": csrf_of(client.get(path).get_data(as_text=True))}).get_data(as_text=True)
    assert "al gebruikt" in page
    assert not [r for r in web.client.requests(web.fqdn("zuid")) if r.address == address]
    assert not web.is_member("zuid", address)


def test_the_answer_is_the_same_for_a_known_address(web):
    known, unknown = _address("bekend"), _address("onbekend")
    web.client.subscribe(web.fqdn("noord"), known)
    answers = []
    for address in (known, unknown):
        response = _join(web.app.test_client(), "noord", address)
        answers.append((response.status_code, response.headers["Location"],
                        web.app.test_client().get(response.headers["Location"]).get_data(as_text=True)))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("email, lives, words", [
    ("geen-adres", True, "geldig e-mailadres"),
    ("a@b.nl\r\nBcc: x@y.nl", True, "geldig e-mailadres"),
    ("x" * 300 + "@b.nl", True, "geldig e-mailadres"),
    ("buiten@res.example.org", False, "woont of werkt"),
])
def test_a_wrong_form_says_what_to_fix_and_mails_nothing(web, email, lives, words):
    # What earlier tests set going (a welcome from Mailman) arrives first.
    web.mailman.settle()
    before = len(web.mailman.deliveries(web.domain))
    response = _join(web.app.test_client(), "noord", email, lives=lives)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    web.mailman.settle()
    assert len(web.mailman.deliveries(web.domain)) == before


def test_a_name_cannot_break_the_mail(web):
    address = _address("naam")
    _join(web.app.test_client(), "noord", address, name="Eva\r\nBcc: stiekem@example.org\u202e")
    delivered = web.mail_to(address)
    assert list(delivered.envelope_to) == [address]
    assert "Bcc" not in delivered.message and "stiekem" not in str(delivered.message["To"])
    # The form's name is a stranger's free text: it is nowhere in the mail to the address.
    spam = _address("spam")
    _join(web.app.test_client(), "noord", spam, name="Jan Bcc: evil@example.org Subject: Koop nu goedkoop")
    raw = web.mail_to(spam).message.as_string()
    for word in ("Jan", "evil", "Koop", "goedkoop", "Subject: Koop"):
        assert word not in raw, word
    assert web.mail_to(spam).message.get_body(("plain",)).get_content().startswith("Goedendag,\r\n\r\nIemand")


def test_a_strangers_requests_never_keep_the_mail_from_the_owner(web):
    address = _address("eigenaar")
    stranger = _from(web, "203.0.113.66")
    codes = [_join(stranger, "zuid", address).status_code for _ in range(100)]
    assert codes.count(303) == 30 and set(codes) == {303, 429}  # 30 posts a minute per client
    assert _mails_to(web, address) == 3
    # The owner, from their own browser elsewhere: the same answer, and the mail arrives.
    assert _join(_from(web, "198.51.100.7"), "zuid", address).status_code == 303
    assert _mails_to(web, address) == 4
    # Strangers on many clients fill at most the address's hour (ten mails), not its mailbox.
    for index in range(30):
        assert _join(_from(web, f"203.0.113.{100 + index}"), "zuid", address).status_code == 303
    assert _mails_to(web, address) == 10


def _filled_by_strangers(web, area_id: str, address: str) -> None:
    """Strangers on four clients use up the address's hour (ten mails) between them (a fresh
    browser each time: no cookie of an earlier request)."""
    for index in range(4):
        for _ in range(3):
            assert _join(_from(web, f"203.0.113.{200 + index}"), area_id, address).status_code == 303
    assert _mails_to(web, address) == 10


def test_strangers_on_many_clients_never_lock_the_owner_out_of_the_join_mail(web):
    address = _address("buitengesloten")
    _filled_by_strangers(web, "noord", address)
    owner = _from(web, "198.51.100.20")
    first = _join(owner, "noord", address)
    assert _mails_to(web, address) == 10  # the address's hour is full: silently nothing
    assert "binsite_asked" in first.headers.get("Set-Cookie", "")
    second = _join(owner, "noord", address)  # the same browser again, with the cookie it got
    assert _mails_to(web, address) == 11
    # The same answer whether the mail went or not: no oracle.
    assert (first.status_code, first.headers["Location"], first.get_data()) == \
        (second.status_code, second.headers["Location"], second.get_data())
    assert "binsite_asked" in second.headers.get("Set-Cookie", "")


def test_a_cookie_for_another_address_a_forged_or_an_expired_one_gives_no_exception(web):
    from binsite.web.security import ASKED_COOKIE
    secret = web.app.extensions["binsite"].secret
    address = _address("doelwit")
    _filled_by_strangers(web, "zuid", address)
    # A stranger who asked for an address of their own first: that cookie is not this address's.
    other = _from(web, "198.51.100.30")
    own = _address("eigen")
    assert _join(other, "zuid", own).status_code == 303
    assert _join(other, "zuid", address).status_code == 303  # (its next would carry this address's cookie)
    forged = _from(web, "198.51.100.31")
    forged.set_cookie(ASKED_COOKIE, webkit.asked_cookie(secret, address, sign_with=b"niet-het-geheim" * 3))
    expired = _from(web, "198.51.100.32")
    expired.set_cookie(ASKED_COOKIE, webkit.asked_cookie(secret, address, age=16 * 60))
    wrong_salt = _from(web, "198.51.100.33")  # a door's login cookie is not the residents' forms'
    wrong_salt.set_cookie(ASKED_COOKIE, webkit.asked_cookie(secret, address, salt="binsite-binco-nonce"))
    for client in (forged, expired, wrong_salt):
        assert _join(client, "zuid", address).status_code == 303
    assert _mails_to(web, address) == 10
    assert _mails_to(web, own) == 1
    # A fresh cookie, as the service signs it, does count (so the cases above failed for their fault).
    fresh = _from(web, "198.51.100.34")
    fresh.set_cookie(ASKED_COOKIE, webkit.asked_cookie(secret, address))
    assert _join(fresh, "zuid", address).status_code == 303
    assert _mails_to(web, address) == 11


def test_one_address_gets_few_mails_however_often_it_is_asked(web):
    address = _address("veel")
    for _ in range(6):
        assert _join(web.app.test_client(), "zuid", address).status_code == 303
    web.mailman.settle()
    assert sum(address in d.envelope_to for d in web.mailman.deliveries(web.domain)) == 3


def test_one_client_is_limited(web):
    from binsite.web.app import service
    with web.app.app_context():
        limiter = service().limiters["client"]
    client = web.app.test_client()
    codes = [_join(client, "noord", "fout", lives=False).status_code for _ in range(limiter.limit + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {400}
    assert "Even geduld" in _join(client, "noord", "fout").get_data(as_text=True)


def test_one_click_post_unsubscribes_exactly_that_member(web):
    leaving, staying = _address("weg"), _address("blijft")
    for address in (leaving, staying):
        web.client.subscribe(web.fqdn("noord"), address)
        web.client.subscribe(web.fqdn("zuid"), address)
    token = web.leave_token("noord", leaving)
    client = web.app.test_client()
    # GET (a link scanner) only shows the page.
    page = client.get(f"/dienst/afmelden/{token}")
    assert page.status_code == 200 and "Afmelden voor Noord" in page.get_data(as_text=True)
    assert web.is_member("noord", leaving)
    # RFC 8058: no cookie, no CSRF field, exactly this body.
    response = web.app.test_client().post(f"/dienst/afmelden/{token}", data="List-Unsubscribe=One-Click",
                                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "U bent afgemeld" in response.get_data(as_text=True)
    web.drained()
    assert not web.is_member("noord", leaving)
    assert web.is_member("zuid", leaving) and web.is_member("noord", staying) and web.is_member("zuid", staying)
    # Again (a provider retrying): still fine, nothing else changes.
    again = web.app.test_client().post(f"/dienst/afmelden/{token}", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    web.drained()
    assert web.is_member("noord", staying) and web.is_member("zuid", leaving)
    # The GET page now says so.
    assert "al afgemeld" in web.app.test_client().get(f"/dienst/afmelden/{token}").get_data(as_text=True)


def test_other_posts_need_the_csrf_field(web):
    address = _address("csrf")
    web.client.subscribe(web.fqdn("noord"), address)
    token = web.leave_token("noord", address)
    for body in ({"action": "leave"}, {"List-Unsubscribe": "One-Click", "action": "leave-all"},
                 {"List-Unsubscribe": "one-click"}, {}):
        assert web.app.test_client().post(f"/dienst/afmelden/{token}", data=body).status_code == 403
    assert web.is_member("noord", address)


def _tampered(token: str) -> str:
    body, mac = token.split(".")
    return body + "." + ("A" if mac[0] != "A" else "B") + mac[1:]


def test_forged_expired_and_other_purpose_tokens_change_nothing(web):
    address = _address("vals")
    web.client.subscribe(web.fqdn("noord"), address)
    good = web.leave_token("noord", address)
    member_id = web.member_id("noord", address)
    old = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(web.fqdn("noord")), member_id),
                      issued=int(time.time()) - 400 * 86400)
    other_secret = tokens.sign("another-secret-0123456789-abc", tokens.UNSUBSCRIBE,
                               (list_id(web.fqdn("noord")), member_id))
    purpose = web.leave_token("noord", address, tokens.PREFERENCES)
    partners = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(f"noord-partners@{web.domain}"), member_id))
    for token in (_tampered(good), old, other_secret, purpose, partners, "x" * 2000, "a.b", good + "x"):
        response = web.app.test_client().post(f"/dienst/afmelden/{token}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code in (400, 404), token
        if response.status_code == 400:
            assert "Deze link werkt niet" in response.get_data(as_text=True)
    web.drained()
    assert web.is_member("noord", address)
    assert web.app.extensions["binsite"].spool.pending() == 0


def test_a_token_naming_another_list_does_not_touch_this_member(web):
    address = _address("anderelijst")
    web.client.subscribe(web.fqdn("noord"), address)
    web.client.subscribe(web.fqdn("zuid"), address)
    # The member id of the noord membership, under zuid's list id (a mix-up or a forgery by an insider).
    mixed = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(web.fqdn("zuid")), web.member_id("noord", address)))
    web.app.test_client().post(f"/dienst/afmelden/{mixed}", data={"List-Unsubscribe": "One-Click"})
    web.drained()
    assert web.is_member("noord", address) and web.is_member("zuid", address)
    assert "al afgemeld" in web.app.test_client().get(f"/dienst/afmelden/{mixed}").get_data(as_text=True)


def test_leave_every_area_from_the_page(web):
    address, neighbour = _address("alles"), _address("buur")
    for a in AREAS:
        web.client.subscribe(web.fqdn(a), address)
        web.client.subscribe(web.fqdn(a), neighbour)
    token = web.leave_token("zuid", address)
    client = web.app.test_client()
    page = client.get(f"/dienst/afmelden/{token}").get_data(as_text=True)
    assert "Afmelden voor alle gebieden" in page and "Noord" in page
    forms = re.findall(r'name="csrf" value="([0-9a-f]{64})"', page)
    done = client.post(f"/dienst/afmelden/{token}", data={"csrf": forms[1], "action": "leave-all"})
    assert "U bent afgemeld" in done.get_data(as_text=True)
    assert not web.is_member("noord", address) and not web.is_member("zuid", address)
    assert web.is_member("noord", neighbour) and web.is_member("zuid", neighbour)


def test_preferences_leave_one_area(web):
    address = _address("voorkeur")
    for a in AREAS:
        web.client.subscribe(web.fqdn(a), address)
    token = web.leave_token("noord", address, tokens.PREFERENCES)
    client = web.app.test_client()
    page = client.get(f"/dienst/voorkeuren/{token}").get_data(as_text=True)
    assert "Elk bericht meteen" in page and "Zuid" in page
    # Each of the member's areas links to its report form (under the service's path).
    assert '<a href="/dienst/melden/noord/">Iets melden in Noord</a>' in page
    assert '<a href="/dienst/melden/zuid/">Iets melden in Zuid</a>' in page
    response = client.post(f"/dienst/voorkeuren/{token}", data={"csrf": csrf_of(page), "area-zuid": "leave",
                                                                "area-noord": "direct"})
    assert response.status_code == 200 and "opgeslagen" in response.get_data(as_text=True)
    assert web.is_member("noord", address) and not web.is_member("zuid", address)
    # An unsubscribe token is not a preferences token.
    assert web.app.test_client().get(f"/dienst/voorkeuren/{web.leave_token('noord', address)}").status_code == 400


def test_no_address_in_the_log(web, caplog):
    import logging
    address = _address("geheim")
    with caplog.at_level(logging.DEBUG):
        _join(web.app.test_client(), "noord", address)
        web.mail_to(address)
    assert caplog.records and address not in caplog.text and address.split("@")[0] not in caplog.text


def test_the_spool_keeps_what_mailman_cannot_take_and_finishes_after_a_crash(web, tmp_path):
    """An unsubscribe taken while Mailman is down waits; one claimed by a process killed
    mid-way (its claim never released) is taken over after the lease; both are done once
    Mailman answers."""
    from binsite.errors import MailmanUnavailable
    from binsite.mailman.client import MailmanClient
    from binsite.mailman.residents import leave_member
    from binsite.mailman.settings import MailmanSettings
    from binsite.store import Store
    from binsite.web.spool import Spool

    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    first, second = _address("spool1"), _address("spool2")
    for address in (first, second):
        web.client.subscribe(web.fqdn("noord"), address)
    down = MailmanClient(MailmanSettings("http://127.0.0.1:9/3.1", "u", "p"), timeout=1, attempts=1)
    store = Store(url, lease=0.5)
    store.upgrade()
    spool = Spool(store, lambda lid, mid: leave_member(down, lid, mid))
    spool.start = lambda: None  # drained by hand here, no worker thread
    spool.add(list_id(web.fqdn("noord")), web.member_id("noord", first))
    with pytest.raises(MailmanUnavailable):
        leave_member(down, list_id(web.fqdn("noord")), web.member_id("noord", first))
    assert spool.drain_once() is False and spool.pending() == 1
    # Another process records the second, claims it, and is killed before Mailman: its claim stays.
    killed = Store(url)
    killed.spool_add(list_id(web.fqdn("noord")), web.member_id("noord", second))
    assert len(killed.spool_take()) == 2 and spool.pending() == 2
    killed.dispose()
    assert web.is_member("noord", first) and web.is_member("noord", second)
    working = Spool(Store(url, lease=0.5), lambda lid, mid: leave_member(web.client, lid, mid))
    poll(lambda: working.drain_once(), timeout=10, what="the killed process's claims to be taken over")
    assert working.pending() == 0
    assert not web.is_member("noord", first) and not web.is_member("noord", second)


def test_preferences_move_between_every_bulletin_and_the_weekly_overview(web):
    address = _address("wekelijks")
    web.client.subscribe(web.fqdn("noord"), address)
    weekly = f"noord-overzicht@{web.domain}"
    client = web.app.test_client()
    token = web.leave_token("noord", address, tokens.PREFERENCES)
    page = client.get(f"/dienst/voorkeuren/{token}").get_data(as_text=True)
    assert "Een wekelijks overzicht, spoed meteen" in page
    moved = client.post(f"/dienst/voorkeuren/{token}", data={"csrf": csrf_of(page), "area-noord": "weekly"})
    # The token's membership is gone with the move: the page continues on a link to the new one.
    assert moved.status_code == 303 and moved.headers["Location"].startswith("/dienst/voorkeuren/")
    assert web.client.member(weekly, address) is not None and not web.is_member("noord", address)
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="noord-weekly" name="area-noord" value="weekly" checked', page)
    back = client.post(moved.headers["Location"].split("?")[0], data={"csrf": csrf_of(page), "area-noord": "direct"})
    assert back.status_code == 303
    assert web.is_member("noord", address) and web.client.member(weekly, address) is None


def test_a_strangers_ipv6_network_is_one_client(web):
    address = _address("zes")
    for index in range(12):
        assert _join(_from(web, f"2001:db8:66:1::{index + 1:x}"), "noord", address).status_code == 303
    assert _mails_to(web, address) == 3
    assert _join(_from(web, "2001:db8:77:1::1"), "noord", address).status_code == 303
    assert _mails_to(web, address) == 4


def test_links_of_older_mail_keep_working_after_a_move_to_the_weekly_overview(web):
    """The unsubscribe and preferences links of a mail received before the move (signed for the
    members list's membership, which the move removed) reach the same resident on the weekly list."""
    address, bystander = _address("verhuisd"), _address("buur")
    for who in (address, bystander):
        web.client.subscribe(web.fqdn("noord"), who)
    web.client.subscribe(web.fqdn("zuid"), address)
    weekly = f"noord-overzicht@{web.domain}"
    old_prefs = web.leave_token("noord", address, tokens.PREFERENCES)
    old_leave = web.leave_token("noord", address)
    client = web.app.test_client()
    page = client.get(f"/dienst/voorkeuren/{old_prefs}").get_data(as_text=True)
    moved = client.post(f"/dienst/voorkeuren/{old_prefs}", data={"csrf": csrf_of(page), "area-noord": "weekly"})
    assert moved.status_code == 303 and web.client.member(weekly, address) is not None
    # The move is recorded by Mailman's ids only, in the database every instance shares.
    from binsite.paths import member_moves
    store = web.app.extensions["binsite"].store
    recorded = repr(store.moves())
    weekly_id = next(m.member_id for m in web.client.memberships(address) if m.list_id == list_id(weekly)).lower()
    assert weekly_id in recorded and address not in recorded and "@" not in recorded
    assert not member_moves(web.root).exists()
    # The old preferences link: this resident's preferences, weekly chosen (not "oud lidmaatschap").
    again = client.get(f"/dienst/voorkeuren/{old_prefs}").get_data(as_text=True)
    assert "oud lidmaatschap" not in again
    assert re.search(r'id="noord-weekly" name="area-noord" value="weekly" checked', again)
    # The old unsubscribe link's page offers to leave (not "U bent al afgemeld") ...
    leave_page = client.get(f"/dienst/afmelden/{old_leave}").get_data(as_text=True)
    assert "al afgemeld" not in leave_page and "Afmelden voor Noord" in leave_page
    # ... and its one-click POST takes the resident off the weekly list, nothing else.
    done = web.app.test_client().post(f"/dienst/afmelden/{old_leave}", data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    web.drained()
    assert web.client.member(weekly, address) is None and not web.is_member("noord", address)
    assert web.is_member("zuid", address) and web.is_member("noord", bystander)


def test_a_forged_move_record_never_leads_a_link_into_another_area(web):
    """A record (a damaged or tampered file) that leads from noord's list to a membership
    on zuid's list is not followed: the old link finds nothing, zuid's member stays."""
    from binsite.mailman import moves

    gone, other = _address("weg"), _address("ander")
    web.client.subscribe(web.fqdn("noord"), gone)
    web.client.subscribe(web.fqdn("zuid"), other)
    token = web.leave_token("noord", gone)
    old_id = web.member_id("noord", gone)
    web.client.unsubscribe(web.fqdn("noord"), gone)
    moves.record(web.app.extensions["binsite"].store, (list_id(web.fqdn("noord")), old_id),
                 (list_id(web.fqdn("zuid")), web.member_id("zuid", other)))
    page = web.app.test_client().get(f"/dienst/afmelden/{token}").get_data(as_text=True)
    assert "al afgemeld" in page
    web.app.test_client().post(f"/dienst/afmelden/{token}", data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
    web.drained()
    assert web.is_member("zuid", other)
