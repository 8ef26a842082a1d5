"""Web reports against the session's real Mailman and sink: held like a mailed report,
the photo clean in Mailman and at the partners, nothing of the reporter at the partners,
two confirmations at once one held message, members-only areas answer alike."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import uuid

import pytest
from PIL import Image

from binsite.desk import inbox as inbox_lib
from binsite.desk.desk import open_desk
from binsite.paths import pending_reports_dir
from binsite.store import site_store
from binsite.reports.form import WEB_REPORT_HEADER
from binsite.web.app import create_app
from deskweb import DeskSite, desk_site
from sitekit import SECRETS, leaky_jpeg, poll
from tests.mailman_fixtures import RunningMailman
import webkit
from webkit import csrf_of

pytestmark = pytest.mark.mailman

LINK = re.compile(r"https?://[^\s]+/(melden/bevestig/[A-Za-z0-9_\-.]+)")


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"rep{uuid.uuid4().hex[:8]}.bin.test.example"
    site = desk_site(local_mailman, tmp_path_factory.mktemp("report"), domain, ("open", "leden"))
    path = site.root / "lists/open.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "reports: anyone\n", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    for limiter in app.extensions["binsite"].limiters.values():
        limiter.reset()


def _mails_to(mailman: RunningMailman, address: str):
    from binsite.devtools.sink import read_maildir
    return [d for d in read_maildir(mailman.maildir) if address in d.envelope_to]


def _submit(client, area_id: str, address: str, *, photo: bytes | None = None, what: str = "Twee mannen keken in auto's."):
    csrf = csrf_of(client.get(f"/melden/{area_id}/").get_data(as_text=True))
    data = {"csrf": csrf, "what": what, "when": "", "where": "Dorpsstraat", "email": address}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "IMG_0001.jpg")
    return client.post(f"/melden/{area_id}/", data=data, content_type="multipart/form-data")


def _confirm_link(mailman: RunningMailman, address: str) -> str:
    def found():
        for delivered in _mails_to(mailman, address):
            hit = LINK.search(delivered.message.get_body(("plain",)).get_content())
            if hit:
                return "/" + hit.group(1)
        return None
    return poll(found, timeout=20, what=f"confirmation link for {address}", interval=0.1)


def _held(mailman: RunningMailman, site: DeskSite, area_id: str, sender: str | None = None):
    """The web reports held for ``area_id`` (only ``sender``'s when given: other tests of this
    module hold theirs in the same list)."""
    return [h for h in mailman.client().held(site.members_list(area_id))
            if h.message_id.startswith("<web.") and (sender is None or h.sender == sender)]


def test_a_confirmed_report_is_held_with_a_clean_photo_then_forwarded_without_the_reporter(
        app, site, local_mailman) -> None:
    client = app.test_client()
    reporter = f"melder.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    response = _submit(client, "open", reporter, photo=leaky_jpeg(600, 400))
    assert response.status_code == 303
    assert "Kijk in uw e-mail" in client.get(response.headers["Location"]).get_data(as_text=True)
    link = _confirm_link(local_mailman, reporter)
    # Waiting: only the rebuilt photo, in the service's 0600 database; nothing held yet.
    # (Other tests of this module may have left reports of their own waiting: only this reporter's count.)
    waiting = [data.encode() for _id, data in site_store(site.root).reports() if json.loads(data)["address"] == reporter]
    assert len(waiting) == 1 and (site.root / "state" / "web.sqlite").stat().st_mode & 0o777 == 0o600
    assert not pending_reports_dir(site.root).exists()
    for secret in SECRETS:
        assert secret not in waiting[0] and secret not in base64.b64decode(json.loads(waiting[0])["photo"]["data"])
    assert _held(local_mailman, site, "open", reporter) == []
    page = client.get(link).get_data(as_text=True)  # a mail scanner following the link
    assert _held(local_mailman, site, "open", reporter) == [] and "Ja, verstuur mijn melding" in page
    done = client.post(link, data={"csrf": csrf_of(page)})
    assert done.status_code == 200 and "uw melding is bij de BINCO" in done.get_data(as_text=True)
    held = poll(lambda: _held(local_mailman, site, "open", reporter) or None, timeout=20, what="the web report held")
    assert len(held) == 1
    raw = held[0].raw.encode("utf-8", "surrogateescape") if isinstance(held[0].raw, str) else held[0].raw
    from binsite.desk.message import parse
    message = parse(held[0].raw)
    assert message[WEB_REPORT_HEADER] and reporter in str(message["From"])
    photos = [p.get_payload(decode=True) for p in message.walk() if p.get_content_maintype() == "image"]
    assert len(photos) == 1
    for secret in SECRETS:
        assert secret not in photos[0] and secret not in raw
    assert b"Exif" not in photos[0] and b"http://ns.adobe.com/xap" not in photos[0]
    with Image.open(io.BytesIO(photos[0])) as image:
        assert image.size == (400, 600) and not image.getexif()
    # The receipt, in Dutch, with 112 again; the link now spent.
    receipt = poll(lambda: next((d for d in _mails_to(local_mailman, reporter)
                                 if "ontvangen" in str(d.message["Subject"])), None), timeout=20, what="receipt")
    body = receipt.message.get_body(("plain",)).get_content()
    assert "ontvangen door de BINCO" in body and "Bel 112" in body
    again = client.post(link, data={"csrf": csrf_of(client.get(link).get_data(as_text=True))})
    assert "al gebruikt of verlopen" in again.get_data(as_text=True)
    assert len(_held(local_mailman, site, "open", reporter)) == 1
    # The BINCO forwards it to the partners: the photo goes along, clean; the reporter does not.
    desk = open_desk(site.root, local_mailman.settings)
    item = next(i for i in inbox_lib.held_items(desk, ["open"]) if i.message_id == held[0].message_id)
    assert item.sender == reporter
    forwarded = inbox_lib.forward(desk, item.digest)
    assert forwarded.attachments_left_out == 0
    partners = site.partners("open")

    def copies():
        found = [d for d in local_mailman.deliveries(site.domain)
                 if " ".join(str(d.message["Message-ID"]).split()) == forwarded.message_id]
        return found if {r for d in found for r in d.envelope_to} >= partners else None
    delivered = poll(copies, timeout=30, what="the forward at the partners", interval=0.1)
    local_part = reporter.split("@")[0]
    for copy in delivered:
        wire = copy.message.as_bytes()
        assert reporter.encode() not in wire and local_part.encode() not in wire
        assert b"IMG_0001" not in wire
        images = [p.get_payload(decode=True) for p in copy.message.walk() if p.get_content_maintype() == "image"]
        assert len(images) == 1 and b"Exif" not in images[0]
        for secret in SECRETS:
            assert secret not in images[0] and secret not in wire


def test_two_confirmations_at_once_give_one_held_message(app, site, local_mailman) -> None:
    client = app.test_client()
    reporter = f"dubbel.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    before = len(_held(local_mailman, site, "open"))
    assert _submit(client, "open", reporter, what="Dubbel bevestigd").status_code == 303
    link = _confirm_link(local_mailman, reporter)
    csrf = csrf_of(client.get(link).get_data(as_text=True))
    answers: list[str] = []
    barrier = threading.Barrier(4)

    def press() -> None:
        own = app.test_client()
        own.set_cookie("binsite_csrf", client.get_cookie("binsite_csrf").value)
        barrier.wait()
        answers.append(own.post(link, data={"csrf": csrf}).get_data(as_text=True))
    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("uw melding is bij de BINCO" in a for a in answers) == 1
    assert sum("al gebruikt of verlopen" in a for a in answers) == 3
    local_mailman.settle()
    held = [h for h in _held(local_mailman, site, "open") if "Dubbel bevestigd" in h.subject]
    assert len(held) == 1 and len(_held(local_mailman, site, "open")) == before + 1


def test_members_only_answers_alike_and_takes_a_members_report_only(app, site, local_mailman) -> None:
    client = app.test_client()
    stranger = f"vreemd.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    member = f"lid.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    local_mailman.client().subscribe(site.members_list("leden"), member)
    answers = [_submit(client, "leden", address) for address in (stranger, member)]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    _confirm_link(local_mailman, member)
    refusal = poll(lambda: next(iter(_mails_to(local_mailman, stranger)), None), timeout=20, what="members-only mail")
    body = refusal.message.get_body(("plain",)).get_content()
    assert "alleen voor leden" in body and "/aanmelden/leden/" in body and "melden/bevestig" not in body
    waiting = [data for _id, data in site_store(site.root).reports()]
    assert waiting and stranger not in "".join(waiting)


def test_strangers_on_many_clients_never_lock_the_reporter_out_of_the_confirmation(app, site, local_mailman) -> None:
    """Strangers on four clients fill the address's hour (ten mails); the reporter's browser asks,
    is silently refused, asks again with the cookie it got and its confirmation arrives. A
    stranger's cookie for another address, or a forged one, gets no exception. Same page always."""
    from binsite.web.security import ASKED_COOKIE

    secret = app.extensions["binsite"].secret
    address = f"melder.{uuid.uuid4().hex[:6]}@res.{site.domain}"

    def client_at(remote_addr: str):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = remote_addr
        return client

    answers = [_submit(client_at(f"203.0.113.{210 + index}"), "open", address)
               for index in range(4) for _ in range(3)]  # a fresh browser each time: no cookie kept
    poll(lambda: len(_mails_to(local_mailman, address)) == 10, timeout=20, what="ten confirmation mails")
    other = client_at("198.51.100.40")
    assert _submit(other, "open", f"eigen.{uuid.uuid4().hex[:6]}@res.{site.domain}").status_code == 303
    answers.append(_submit(other, "open", address))  # its cookie names another address
    forged = client_at("198.51.100.41")
    forged.set_cookie(ASKED_COOKIE, webkit.asked_cookie(secret, address, sign_with=b"niet-het-geheim" * 3))
    answers.append(_submit(forged, "open", address))
    reporter = client_at("198.51.100.42")
    answers.append(_submit(reporter, "open", address))
    local_mailman.settle()
    assert len(_mails_to(local_mailman, address)) == 10
    answers.append(_submit(reporter, "open", address))  # again, with the cookie of the first
    poll(lambda: len(_mails_to(local_mailman, address)) == 11, timeout=20, what="the reporter's own confirmation")
    assert {(a.status_code, a.headers["Location"], a.get_data()) for a in answers} == \
        {(303, "/melden/open/verstuurd/", answers[0].get_data())}
    assert all(ASKED_COOKIE in a.headers.get("Set-Cookie", "") for a in answers)
