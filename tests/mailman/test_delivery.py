"""Every copy to a member carries its own one-click unsubscribe (binsite.mailman.delivery, real Mailman)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite import tokens
from binsite.mailing.run import send
from binsite.mailman.client import list_id
from binsite.mailman.client import wait_until
from binsite.mailman.sync import sync
from binsite.mailman.templates import PREFERENCES_MARK, UNSUBSCRIBE_MARK
from sitekit import area, bulletin_text, write_site
from tests.mailman_fixtures import SECRET, WEB_URL, new_domain, subscribe_residents, web_domain

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
LINK = re.compile(r"https://bin\.test\.example/mijn/(afmelden|voorkeuren)/([A-Za-z0-9_.-]+)")


def member_ids(client, address: str) -> dict[str, str]:
    return {str(m.email).lower(): str(m.member_id) for m in client._list(address).members}


def check_copy(delivered, list_address: str, ids: dict[str, str], *, web: bool) -> None:
    """One copy's headers and body, as a receiver sees them."""
    msg = delivered.message
    (rcpt,) = delivered.envelope_to  # one copy per recipient: the headers are personal
    assert msg.get_content_type() == "multipart/alternative"  # no footer part added by Mailman
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert UNSUBSCRIBE_MARK not in text + html and PREFERENCES_MARK not in text + html
    local, _, domain = list_address.partition("@")
    unsubscribe = " ".join(str(msg["List-Unsubscribe"]).split())
    if local.endswith("-partners"):
        # Kept in lists/ by the BINCO: no link to the residents' service, in the headers or the body.
        assert unsubscribe == f"<mailto:{local}-leave@{domain}>"
        assert msg["List-Unsubscribe-Post"] is None
        assert "afmelden/" not in text + html and "voorkeuren/" not in text + html
        assert f"{local}-owner@{domain}" in text and "De BINCO houdt deze lijst bij" in text
        return
    if not web:
        assert unsubscribe == f"<mailto:{local}-leave@{domain}>"
        assert msg["List-Unsubscribe-Post"] is None
        return
    url, mailto = unsubscribe.split(", ")
    assert mailto == f"<mailto:{local}-leave@{domain}>"
    assert url.startswith(f"<{WEB_URL}afmelden/") and url.endswith(">")
    assert msg.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
    token = url[1:-1].rsplit("/", 1)[1]
    fields = (list_id(list_address), ids[rcpt])
    assert tokens.verify(SECRET, token, tokens.UNSUBSCRIBE)[1] == fields
    for other, other_id in ids.items():   # valid for this recipient only
        if other != rcpt:
            assert tokens.verify(SECRET, token, tokens.UNSUBSCRIBE)[1] != (fields[0], other_id)
    with pytest.raises(tokens.BadToken):
        tokens.verify(SECRET + "x", token, tokens.UNSUBSCRIBE)
    with pytest.raises(tokens.BadToken):
        tokens.verify(SECRET, token, tokens.PREFERENCES)
    # The visible links in both parts: this member's own, to the confirmation pages.
    for part in (text, html):
        found = dict(LINK.findall(part))
        assert set(found) == {"afmelden", "voorkeuren"}
        assert tokens.verify(SECRET, found["afmelden"], tokens.UNSUBSCRIBE)[1] == fields
        assert tokens.verify(SECRET, found["voorkeuren"], tokens.PREFERENCES)[1] == fields


@pytest.mark.parametrize("web", [True, False])
def test_each_member_copy_has_its_own_one_click_unsubscribe(mailman, tmp_path: Path, web: bool) -> None:
    """With a web service (Mailman's BINSITE_WEB_URL for the domain, binsite.yaml's web_url for the
    body): https and mailto; without: mailto only, and no link placeholder in the body."""
    domain = web_domain() if web else new_domain()
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")}, {
        "noord/2026-11-09-fiets.md": bulletin_text("Fiets gestolen", "2026-11-09 10:30", "Een fiets is weg.", audience="all"),
    }, web_url=WEB_URL if web else "")
    sync(root, mailman.settings)
    client = mailman.client()
    members_list = f"noord@{domain}"
    residents = [f"bewoner{i}@res.{domain}" for i in range(3)]
    subscribe_residents(client, members_list, residents)
    ids = member_ids(client, members_list)
    before = datetime.now(TZ).replace(microsecond=0)
    send(root, now=NOW, settings=mailman.settings)
    partners = 1
    got = mailman.wait_for_deliveries(domain, len(residents) + partners)
    copies = [d for d in got if str(d.message["List-Id"]).find(list_id(members_list)) >= 0]
    assert sorted(r for d in copies for r in d.envelope_to) == sorted(residents)
    for delivered in copies:
        check_copy(delivered, members_list, ids, web=web)
        assert delivered.message["Date"].datetime >= before - timedelta(seconds=5)
    # The partners' copy: a mailto only, and no personal link (lists/ keeps that list).
    partner_list = f"noord-partners@{domain}"
    (partner_copy,) = [d for d in got if d not in copies]
    check_copy(partner_copy, partner_list, member_ids(client, partner_list), web=web)


def test_a_crafted_post_cannot_bring_its_own_one_click_url(mailman, tmp_path: Path) -> None:
    """A member's post (held, then accepted by the BINCO) keeps no List-Unsubscribe(-Post) of its own."""
    from email.message import EmailMessage

    from binsite.mailman.client import post_lmtp

    domain = web_domain()
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")}, web_url=WEB_URL)
    sync(root, mailman.settings)
    client = mailman.client()
    members_list = f"noord@{domain}"
    residents = [f"bewoner{i}@res.{domain}" for i in range(2)]
    subscribe_residents(client, members_list, residents)
    msg = EmailMessage()
    msg["From"] = residents[0]
    msg["To"] = members_list
    msg["Subject"] = "Verdachte auto"
    msg["Message-ID"] = f"<crafted@{domain}>"
    msg["List-Unsubscribe"] = "<https://evil.example/steal>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(f"Klik https://evil.example/{UNSUBSCRIBE_MARK}\n")
    post_lmtp(mailman.settings, members_list, msg, envelope_from=residents[0])
    (held,) = wait_until(lambda: client.held(members_list), timeout=30.0, what="the held post")
    client.moderate(members_list, held.request_id, held.message_id, "accept")
    got = mailman.wait_for_deliveries(domain, len(residents) + 1)  # + the hold notice to the poster
    posts = [d for d in got if "crafted@" in str(d.message["Message-ID"])]
    assert len(posts) == len(residents)
    for delivered in posts:
        assert "evil.example" not in str(delivered.message["List-Unsubscribe"])
        assert str(delivered.message["List-Unsubscribe"]).strip().startswith(f"<{WEB_URL}afmelden/")
        # The placeholder after another address stays a placeholder: no member's token leaks there.
        assert f"https://evil.example/{UNSUBSCRIBE_MARK}" in delivered.message.get_body(("plain",)).get_content()
        assert delivered.message.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
