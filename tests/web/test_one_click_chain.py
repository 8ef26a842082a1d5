"""The whole one-click chain: a bulletin sent through the real Mailman, the
List-Unsubscribe header of one delivered copy, a POST to the web service
(RFC 8058), and exactly that member gone from exactly that list.

The session's Mailman signs its copies' links with ``mailman_fixtures.SECRET``
for lists of a ``web_domain()``; the service here verifies with the same secret.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from binsite.mailing.run import send
from binsite.mailman.sync import sync
from binsite.web.app import create_app
from sitekit import area, bulletin_text, poll, write_site
from tests.mailman_fixtures import SECRET, WEB_URL, web_domain
from webkit import environ

pytestmark = pytest.mark.mailman

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_a_delivered_header_unsubscribes_exactly_its_member(local_mailman, tmp_path) -> None:
    domain = web_domain()
    root = write_site(tmp_path / "site", domain, {a: area(a.capitalize(), domain, a) for a in ("noord", "zuid")}, {
        "noord/2026-11-09-fiets.md": bulletin_text("Fiets gestolen bij de school", "2026-11-09 10:30",
                                                   "Bij de school is een fiets gestolen.", category="inbraak"),
    }, web_url=WEB_URL)
    settings = local_mailman.settings
    sync(root, settings)
    client = local_mailman.client()
    leaving, staying = f"weg@res.{domain}", f"blijft@res.{domain}"
    for address in (leaving, staying):
        client.subscribe(f"noord@{domain}", address)
        client.subscribe(f"zuid@{domain}", address)
    send(root, now=NOW, settings=settings)
    copies = local_mailman.wait_for_deliveries(domain, 2)
    (copy,) = [d for d in copies if d.envelope_to == (leaving,)]
    header = str(copy.message["List-Unsubscribe"])
    assert str(copy.message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    url = re.search(r"<(https://[^>]+)>", header).group(1)
    assert url.startswith(WEB_URL + "afmelden/")
    path = "/" + url[len("https://bin.test.example/"):]

    env = environ(mailman_url=settings.url, user=settings.user, password=settings.password,
                  smtp_port=local_mailman.state.smtp_port, BINSITE_WEB_URL=WEB_URL, BINSITE_SECRET_KEY=SECRET)
    app = create_app(root, environ=env)
    # A link scanner's GET changes nothing.
    assert app.test_client().get(path).status_code == 200
    assert leaving in {m.address for m in client.roster(f"noord@{domain}", "member")}
    # The provider's POST, exactly as RFC 8058 sends it: no cookie, no form token.
    response = app.test_client().post(path, data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200

    def members(fqdn: str) -> set[str]:
        return {m.address for m in client.roster(fqdn, "member")}

    poll(lambda: leaving not in members(f"noord@{domain}"), timeout=60.0, what="the one-click unsubscribe")
    assert members(f"noord@{domain}") == {staying}
    assert members(f"zuid@{domain}") == {leaving, staying}
    # The other member's header does not work for the one who left, nor the reverse.
    (other,) = [d for d in copies if d.envelope_to == (staying,)]
    assert re.search(r"<(https://[^>]+)>", str(other.message["List-Unsubscribe"])).group(1) != url
