"""The desk's inzage and wissen (AVG) for a BINCO's own area, against the real Mailman: a
resident only in another area is 403 and nothing changes; a resident in both areas is erased
from this area's lists only, in two POSTs (what goes, then the confirmation of exactly that
address); a partner's address is refused."""

from __future__ import annotations

import uuid

import pytest

from binsite.avg.holdings import erasure_digest
from binsite.desk import logbook
from binsite.web.app import create_app
from deskweb import DeskSite, at_once, desk_site, log_in
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of

pytestmark = pytest.mark.mailman


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"avg{uuid.uuid4().hex[:8]}.bin.test.example"
    return desk_site(local_mailman, tmp_path_factory.mktemp("deskavg"), domain, ("aa", "bb"))


@pytest.fixture(scope="module")
def binco_a(local_mailman, site):
    app = create_app(site.root, environ=site.env)
    app.extensions["binsite"].limiters["address"].reset()
    client = app.test_client()
    log_in(client, local_mailman, site.binco("aa"))
    return client


def _post(client, area_id: str, action: str, email: str, **more: str):
    page = client.get("/binco/aa/leden/").get_data(as_text=True)  # the own area: its CSRF field
    return client.post(f"/binco/{area_id}/privacy/", data={"csrf": csrf_of(page), "action": action, "email": email,
                                                           **more})


def _confirm_field(html: str) -> str:
    return html.split('name="confirm" value="', 1)[1].split('"', 1)[0]


def _erase(client, area_id: str, email: str):
    """Wissen as a BINCO does it: what goes (the first POST), then the confirmation (the second)."""
    planned = _post(client, area_id, "wissen", email)
    assert planned.status_code == 200, planned.status_code
    return _post(client, area_id, "bevestigen", email, confirm=_confirm_field(planned.get_data(as_text=True)))


def test_the_own_areas_pages_open_and_the_members_page_links_to_them(binco_a) -> None:
    page = binco_a.get("/binco/aa/privacy/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="privacy-email" name="email" required maxlength="320" value=""' in text
    members = binco_a.get("/binco/aa/leden/").get_data(as_text=True)
    title = members.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "href" not in title, title
    assert 'href="/binco/aa/privacy/"' in members and 'href="/binco/aa/niet-bezorgd/"' in members
    assert binco_a.get("/binco/aa/niet-bezorgd/").status_code == 200


def test_a_resident_only_in_another_area_is_403_and_unchanged(binco_a, site, local_mailman) -> None:
    client = local_mailman.client()
    resident = f"alleen.bb@res.{site.domain}"
    client.subscribe(site.members_list("bb"), resident)
    before = len(list(logbook.lines(site.root)))  # other tests of this module erase in their own area
    for action in ("inzage", "wissen"):
        assert _post(binco_a, "aa", action, resident.upper()).status_code == 403
    assert binco_a.get("/binco/bb/privacy/").status_code == 403
    assert _post(binco_a, "bb", "wissen", resident).status_code == 403
    assert client.member(site.members_list("bb"), resident) is not None
    assert client.address_record(resident) is not None
    assert not any(v["action"] == logbook.ERASE for v in list(logbook.lines(site.root))[before:])


def test_inzage_and_wissen_in_the_own_area_leave_the_other_area_alone(binco_a, site, local_mailman) -> None:
    client = local_mailman.client()
    resident = f"Beide.Gebieden@res.{site.domain}"
    client.subscribe(site.members_list("aa"), resident, "Bea Beide")
    client.subscribe(site.members_list("bb"), resident)
    before = len(list(logbook.lines(site.root)))  # other tests of this module erase too
    shown = _post(binco_a, "aa", "inzage", resident)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert f"Lidmaatschap</strong> · Mailman: {site.members_list('aa')}" in page
    assert site.members_list("bb") not in page and "Bea Beide" in page
    planned = _post(binco_a, "aa", "wissen", resident).get_data(as_text=True)
    assert f"Dit wordt gewist: {resident.lower()}" in planned and site.members_list("aa") in planned
    assert site.members_list("bb") not in planned and f"Ja, wis {resident.lower()} in Aa" in planned
    assert client.member(site.members_list("aa"), resident) is not None       # nothing changed yet
    erased = _erase(binco_a, "aa", resident)
    assert erased.status_code == 200 and "Gewist" in erased.get_data(as_text=True)
    assert client.member(site.members_list("aa"), resident) is None
    assert client.member(site.members_list("bb"), resident) is not None
    assert client.address_record(resident) is not None          # bb still holds it: the address stays
    erasures = [v for v in list(logbook.lines(site.root))[before:] if v["action"] == logbook.ERASE]
    assert [e["by"] for e in erasures] == [logbook.binco(site.binco("aa")).as_json()]
    again = _post(binco_a, "aa", "inzage", resident)
    assert again.status_code == 403                              # now only bb holds it


def test_a_confirmation_of_another_address_or_area_or_none_erases_nothing(binco_a, site, local_mailman) -> None:
    client = local_mailman.client()
    resident, other = f"bevestig@res.{site.domain}", f"ander@res.{site.domain}"
    client.subscribe(site.members_list("aa"), resident)
    client.subscribe(site.members_list("aa"), other)
    of_other = _confirm_field(_post(binco_a, "aa", "wissen", other).get_data(as_text=True))
    for token in (of_other, of_other[:-3] + "abc", ""):
        refused = _post(binco_a, "aa", "bevestigen", resident, confirm=token)
        assert refused.status_code == 400 and "er is niets gewist" in refused.get_data(as_text=True)
    # The administrator's door signs its confirmations for itself: not one of this area's.
    from binsite.web import desk as desk_web
    with binco_a.application.test_request_context():
        forged = desk_web.erase_confirmation("admin", resident, "s")
    assert _post(binco_a, "aa", "bevestigen", resident, confirm=forged).status_code == 400
    assert client.member(site.members_list("aa"), resident) is not None
    assert client.member(site.members_list("aa"), other) is not None
    assert not any(v["action"] == logbook.ERASE and v["erased"] == erasure_digest(resident)
                   for v in logbook.lines(site.root))
    assert _erase(binco_a, "aa", resident).status_code == 200
    assert client.member(site.members_list("aa"), resident) is None


def test_a_partners_address_is_refused_and_kept(binco_a, site, local_mailman) -> None:
    partner = sorted(site.partners("aa"))[0]
    response = _post(binco_a, "aa", "wissen", partner)
    assert response.status_code == 400
    assert "lists/aa.yaml:" in response.get_data(as_text=True)
    partners = {m.address for role in ("member", "nonmember")
                for m in local_mailman.client().roster(site.partners_list("aa"), role)}
    assert partner in partners


def test_addresses_that_no_longer_work_masked_with_retry_and_remove(binco_a, site, local_mailman) -> None:
    from binsite.desk.inbox import mask_sender
    from binsite.mailman.bounces import bouncing
    from sitekit import poll
    from tests.mailman.test_bounces import send_dsn

    client = local_mailman.client()
    members_aa, members_bb = site.members_list("aa"), site.members_list("bb")
    broken, other = f"kapot@res.{site.domain}", f"kapot.bb@res.{site.domain}"
    client.subscribe(members_aa, broken)
    client.subscribe(members_bb, other)
    send_dsn(local_mailman.settings, members_aa, broken)
    send_dsn(local_mailman.settings, members_bb, other)
    poll(lambda: bouncing(client, members_aa) and bouncing(client, members_bb), timeout=30, interval=0.25,
         what="both bounces scored")
    page = binco_a.get("/binco/aa/niet-bezorgd/").get_data(as_text=True)
    assert mask_sender(broken) in page and broken not in page and mask_sender(other) not in page
    member_aa = bouncing(client, members_aa)[0].member_id
    member_bb = bouncing(client, members_bb)[0].member_id
    token = csrf_of(page)
    # Another area's member id through this area's form changes nothing.
    refused = binco_a.post("/binco/aa/niet-bezorgd/verwijderen", data={"csrf": token, "member": member_bb})
    assert refused.status_code == 400 and client.member(members_bb, other) is not None
    retried = binco_a.post("/binco/aa/niet-bezorgd/opnieuw", data={"csrf": token, "member": member_aa})
    assert retried.status_code == 200 and "Bezorging staat weer aan" in retried.get_data(as_text=True)
    assert client._rest(f"members/{member_aa}/preferences")["delivery_status"] == "enabled"
    removed = binco_a.post("/binco/aa/niet-bezorgd/verwijderen", data={"csrf": token, "member": member_aa})
    assert removed.status_code == 200 and client.member(members_aa, broken) is None
    assert "Alle adressen werken" in removed.get_data(as_text=True)


def test_no_erasure_without_csrf_or_login(binco_a, site, local_mailman) -> None:
    client = local_mailman.client()
    resident = f"zonder.csrf@res.{site.domain}"
    client.subscribe(site.members_list("aa"), resident)
    for path, data in (("/binco/aa/privacy/", {"action": "wissen", "email": resident}),
                       ("/binco/aa/niet-bezorgd/verwijderen", {"member": "0"})):
        assert binco_a.post(path, data=data).status_code == 403
        assert binco_a.application.test_client().post(path, data=data).status_code == 403
    assert client.member(site.members_list("aa"), resident) is not None


def test_two_confirmations_at_once_erase_once_and_log_one_erasure(binco_a, site, local_mailman) -> None:
    """The BINCO presses the confirmation in two tabs at once: one erasure runs and is logged,
    the other tab says plainly that it was carried out already."""
    from binsite.web.desk import SESSION_COOKIE

    resident = f"dubbel.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    local_mailman.client().subscribe(site.members_list("aa"), resident)
    confirm = _confirm_field(_post(binco_a, "aa", "wissen", resident).get_data(as_text=True))
    second = binco_a.application.test_client()  # the same session in a second tab
    second.set_cookie(SESSION_COOKIE, binco_a.get_cookie(SESSION_COOKIE, path="/binco/").value, path="/binco/")
    tabs = [(client, csrf_of(client.get("/binco/aa/leden/").get_data(as_text=True))) for client in (binco_a, second)]
    answers = at_once([lambda c=client, t=csrf: c.post("/binco/aa/privacy/", data={
        "csrf": t, "action": "bevestigen", "email": resident, "confirm": confirm}) for client, csrf in tabs])
    assert sorted(code for code, _ in answers) == [200, 409], [a[1][:300] for a in answers]
    assert "Deze verwijdering is al uitgevoerd" in dict(answers)[409]
    assert local_mailman.client().member(site.members_list("aa"), resident) is None
    lines = [v for v in logbook.lines(site.root, action=logbook.ERASE) if v["erased"] == erasure_digest(resident)]
    assert len(lines) == 1
