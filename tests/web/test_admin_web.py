"""The administrator's door (binsite/web/admin.py, ``/beheer/``) through Flask's test client,
against the session's real Mailman and its sink.

An administrator (``administrators:`` in binsite.yaml) logs in with a mailed single-use link of
its own purpose, sees what ``binsite avg inzage`` shows for any address across every area, and
erases it everywhere in two POSTs: the first shows what goes and changes nothing, the second (with
the first's signed field, for that address and that session) erases, logged with the role
administrator and a digest, never the address. This login opens no BINCO or partner page; a
BINCO's or partner's session, a forged cookie, a link of another purpose or a form without CSRF
opens nothing here and changes nothing."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from binsite import tokens
from binsite.avg.holdings import erasure_digest
from binsite.desk import logbook
from binsite.devtools.sink import read_maildir
from binsite.web.admin import SESSION_COOKIE as ADMIN_COOKIE
from binsite.web.desk import SESSION_COOKIE as BINCO_COOKIE
from binsite.web.partner import SESSION_COOKIE as PARTNER_COOKIE
from binsite.web.app import create_app
from deskweb import (DeskSite, at_once, check_logout_everywhere, desk_site, log_in, login_mails, path_of,
                     wait_login_link)
from tests.desk.deskkit import held_report
from tests.mailman_fixtures import RunningMailman
from webkit import SECRET, csrf_of

pytestmark = pytest.mark.mailman


def admin_address(site: DeskSite) -> str:
    return f"beheer@adm.{site.domain}"


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"adm{uuid.uuid4().hex[:8]}.bin.test.example"
    # The BINCO of aa is an administrator too: allowed, each role at its own door.
    extra = f"administrators:\n  - Beheer@adm.{domain}\n  - binco.aa@coord.{domain}\n  - tweede@adm.{domain}\n"
    return desk_site(local_mailman, tmp_path_factory.mktemp("admin"), domain, ("aa", "bb"), config_extra=extra)


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


@pytest.fixture(scope="module")
def admin(app, site, local_mailman):
    client = app.test_client()
    log_in(client, local_mailman, admin_address(site), door="/beheer/")
    return client


def _form(client, path: str, **data):
    page = client.get("/beheer/").get_data(as_text=True)
    return client.post(path, data={"csrf": csrf_of(page), **data})


def _erasures(site: DeskSite) -> list[dict]:
    return [v for v in logbook.lines(site.root) if v["action"] == logbook.ERASE]


def test_administrators_are_validated_at_their_file_and_line(tmp_path) -> None:
    from binsite.source.network import load_network
    from sitekit import area, write_site

    domain = "cfg.test.example"
    root = write_site(tmp_path / "s", domain, {"noord": area("Noord", domain, "noord")})
    with (root / "binsite.yaml").open("a", encoding="utf-8") as config:
        config.write(f"administrators:\n  - beheer@{domain}\n  - geen-adres\n  - BEHEER@{domain}\n"
                     f"  - binco.noord@coord.{domain}\n")
    lines = (root / "binsite.yaml").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines, 1) if line.strip() == "- geen-adres")
    found = load_network(root)
    shown = [p.format("nl") for p in found.problems]
    assert f"binsite.yaml:{at}: fout: beheerder 'geen-adres' is geen geldig e-mailadres; schrijf het hele adres, " \
           "zoals beheer@bin.example.org" in shown
    assert f"binsite.yaml:{at + 1}: fout: beheerder beheer@{domain} staat er twee keer in" in shown
    assert not any("binco.noord" in s for s in shown)  # a BINCO may be an administrator too
    assert len([s for s in shown if "beheerder" in s]) == 2
    assert found.config.administrators[:1] == (f"beheer@{domain}",)
    text = (root / "binsite.yaml").read_text("utf-8").replace(
        f"administrators:\n  - beheer@{domain}\n  - geen-adres\n  - BEHEER@{domain}\n  - binco.noord@coord.{domain}\n",
        f"administrators: beheer@{domain}\n")
    (root / "binsite.yaml").write_text(text, "utf-8")
    shown = [p.format("nl") for p in load_network(root).problems]
    assert any(s.startswith("binsite.yaml:") and "'administrators' moet een lijst van e-mailadressen zijn" in s
               for s in shown), shown


def test_an_unknown_address_gets_the_same_answer_and_no_link(app, site, local_mailman) -> None:
    client = app.test_client()
    for limiter in app.extensions["binsite"].limiters.values():
        limiter.reset()
    answers = []
    strangers = (f"niemand@res.{site.domain}", site.binco("bb"), sorted(site.partners("aa"))[0])
    for address in (*strangers, admin_address(site).upper()):
        page = client.get("/beheer/").get_data(as_text=True)
        sent = client.post("/beheer/inloggen/", data={"email": address, "csrf": csrf_of(page)})
        answers.append((sent.status_code, sent.get_data(as_text=True).replace(csrf_of(page), "")))
        assert "binsite_beheer_login=" in sent.headers.get("Set-Cookie", "")
    assert len(set(answers)) == 1 and answers[0][0] == 200
    link = wait_login_link(local_mailman, admin_address(site))
    assert "/beheer/inloggen/" in link
    for stranger in strangers:  # the outbox works in order: these came before, and never went
        assert not any("/beheer/inloggen/" in x for x in login_mails(local_mailman, stranger))
    mail = next(d for d in read_maildir(local_mailman.maildir) if admin_address(site) in d.envelope_to)
    assert "beheerdersbalie" in mail.message["Subject"]


def test_inzage_and_wissen_across_areas_with_a_confirmation(admin, site, local_mailman) -> None:
    mailman = local_mailman.client()
    resident = f"Rita.Rond+bin@res.{site.domain}"
    kept = f"blijft@res.{site.domain}"
    mailman.subscribe(site.members_list("aa"), resident, "Rita Rond")
    mailman.subscribe(site.members_list("bb"), resident)
    mailman.subscribe(site.members_list("bb"), kept)
    held_report(local_mailman, site, "bb", resident.lower(), "Fietsen bij het station",
                "Er worden weer fietsen gestolen bij het station.\n", name="Rita Rond")

    shown = _form(admin, "/beheer/inzage/", email=resident.upper(), full="ja")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    for list_address in (site.members_list("aa"), site.members_list("bb")):
        assert f"Lidmaatschap</strong> · Mailman: {list_address}" in page
    assert "Vastgehouden bericht</strong>" in page and "fietsen gestolen bij het station" in page
    assert "Rita Rond" in page and kept not in page

    # The first POST shows what goes, and changes nothing.
    planned = _form(admin, "/beheer/wissen/", action="wissen", email=resident)
    plan = planned.get_data(as_text=True)
    assert planned.status_code == 200 and "Dit wordt gewist: rita.rond+bin@res." in plan
    assert site.members_list("aa") in plan and site.members_list("bb") in plan
    assert mailman.member(site.members_list("aa"), resident) is not None and not _erasures(site)
    confirm = plan.split('name="confirm" value="', 1)[1].split('"', 1)[0]

    # A confirmation of another address, a made-up one, or none: 400, nothing changed.
    other = _form(admin, "/beheer/wissen/", action="wissen", email=kept).get_data(as_text=True)
    confirm_kept = other.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    for token in (confirm_kept, confirm[:-2] + "xx", ""):
        refused = _form(admin, "/beheer/wissen/", action="bevestigen", email=resident, confirm=token)
        assert refused.status_code == 400 and "er is niets gewist" in refused.get_data(as_text=True)
    assert mailman.member(site.members_list("bb"), resident) is not None and not _erasures(site)

    done = _form(admin, "/beheer/wissen/", action="bevestigen", email=resident, confirm=confirm)
    assert done.status_code == 200 and "Gewist" in done.get_data(as_text=True)
    for list_address in (site.members_list("aa"), site.members_list("bb")):
        assert mailman.member(list_address, resident) is None
        assert not [h for h in mailman.held(list_address) if h.sender.lower() == resident.lower()]
    assert mailman.address_record(resident) is None
    assert mailman.member(site.members_list("bb"), kept) is not None
    [erased] = _erasures(site)
    assert erased["by"] == logbook.administrator(admin_address(site)).as_json()
    assert erased["by"]["role"] == "administrator" and erased["erased"] == erasure_digest(resident)
    assert "rita" not in json.dumps(list(logbook.lines(site.root)), ensure_ascii=False).lower()

    # Again: nothing left, no button, nothing logged; the inzage says an erasure was recorded.
    again = _form(admin, "/beheer/wissen/", action="wissen", email=resident).get_data(as_text=True)
    assert "Er is niets te wissen in alle gebieden." in again and 'name="confirm"' not in again
    after = _form(admin, "/beheer/inzage/", email=resident).get_data(as_text=True)
    assert "bewaren niets over rita.rond+bin@" in after and "Een wissing van dit adres is vastgelegd" in after
    assert len(_erasures(site)) == 1


def test_an_address_in_the_settings_is_refused_with_its_file(admin, site, local_mailman) -> None:
    partner = sorted(site.partners("bb"))[0]
    refused = _form(admin, "/beheer/wissen/", action="wissen", email=partner)
    assert refused.status_code == 400 and "lists/bb.yaml:" in refused.get_data(as_text=True)
    assert 'name="confirm"' not in refused.get_data(as_text=True)
    members = {m.address for role in ("member", "nonmember")
               for m in local_mailman.client().roster(site.partners_list("bb"), role)}
    assert partner in members
    # A hurried typo: a clear Dutch answer, nothing looked up or changed.
    for path in ("/beheer/inzage/", "/beheer/wissen/"):
        typo = _form(admin, path, action="wissen", email="jan at example.org")
        assert typo.status_code == 400 and "is geen e-mailadres" in typo.get_data(as_text=True)
    # An administrator's own address (declared as Beheer@ in binsite.yaml) the same, at its line.
    own = _form(admin, "/beheer/wissen/", action="wissen", email=admin_address(site))
    lines = (site.root / "binsite.yaml").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines, 1) if "Beheer@adm." in line)
    assert own.status_code == 400 and f"binsite.yaml:{at}" in own.get_data(as_text=True)


def test_the_doors_never_open_each_other(app, admin, site, local_mailman) -> None:
    mailman = local_mailman.client()
    resident = f"deur@res.{site.domain}"
    mailman.subscribe(site.members_list("aa"), resident)
    # The administrator's session opens no BINCO or partner page; the cookie stays at /beheer/.
    assert admin.get_cookie(ADMIN_COOKIE, path="/beheer/") is not None
    assert admin.get_cookie(ADMIN_COOKIE, path="/binco/") is None
    assert admin.get("/binco/aa/").status_code == 302 and admin.get("/partner/schrijven/").status_code == 302
    admin_value = admin.get_cookie(ADMIN_COOKIE, path="/beheer/").value
    planted = app.test_client()
    planted.set_cookie(BINCO_COOKIE, admin_value, path="/binco/")
    planted.set_cookie(PARTNER_COOKIE, admin_value, path="/partner/")
    assert planted.get("/binco/aa/").status_code == 302 and planted.get("/partner/schrijven/").status_code == 302

    # The BINCO of aa is an administrator too, but their BINCO session opens nothing here.
    binco = app.test_client()
    log_in(binco, local_mailman, site.binco("aa"))
    partner = app.test_client()
    log_in(partner, local_mailman, sorted(site.partners("aa"))[0], door="/partner/")
    binco_value = binco.get_cookie(BINCO_COOKIE, path="/binco/").value
    partner_value = partner.get_cookie(PARTNER_COOKIE, path="/partner/").value
    forged = app.test_client()
    for who, value in ((binco, None), (partner, None), (forged, binco_value), (forged, partner_value),
                       (forged, "eyJhIjoiYmVoZWVyQGFkbSJ9.forged.sig")):
        if value is not None:
            who.set_cookie(ADMIN_COOKIE, value, path="/beheer/")
        assert "Inloggen op de beheerdersbalie" in who.get("/beheer/").get_data(as_text=True)
        for path, data in (("/beheer/inzage/", {"email": resident}),
                           ("/beheer/wissen/", {"action": "wissen", "email": resident})):
            assert _form(who, path, **data).status_code == 403
    # The administrator without the CSRF field: 403.
    assert admin.post("/beheer/wissen/", data={"action": "wissen", "email": resident}).status_code == 403
    assert admin.post("/beheer/inzage/", data={"email": resident}).status_code == 403
    assert mailman.member(site.members_list("aa"), resident) is not None and not any(
        v.get("by", {}).get("role") == "administrator" and v["action"] == logbook.ERASE and
        v["erased"] == erasure_digest(resident) for v in logbook.lines(site.root))


def test_a_link_of_another_purpose_or_address_logs_nobody_in(app, site, local_mailman) -> None:
    client = app.test_client()
    for bad in (tokens.sign(SECRET, tokens.LOGIN, (admin_address(site), "l" * 24)),
                tokens.sign(SECRET, tokens.PARTNER_LOGIN, (admin_address(site), "p" * 24)),
                tokens.sign(SECRET, tokens.ADMIN_LOGIN, (site.binco("bb"), "b" * 24)),  # not an administrator
                tokens.sign(SECRET, tokens.ADMIN_LOGIN, (admin_address(site), "e" * 24),
                            issued=int(time.time()) - 16 * 60),
                tokens.sign("another-secret-of-enough-length", tokens.ADMIN_LOGIN, (admin_address(site), "k" * 24))):
        confirm = client.get(f"/beheer/inloggen/{bad}").get_data(as_text=True)
        assert client.post(f"/beheer/inloggen/{bad}", data={"csrf": csrf_of(confirm)}).status_code == 400
    # The administrator's own link at the BINCO's and the partners' door: refused there.
    good = tokens.sign(SECRET, tokens.ADMIN_LOGIN, (admin_address(site), "g" * 24))
    for door in ("/binco/", "/partner/"):
        confirm = client.get(f"{door}inloggen/{good}").get_data(as_text=True)
        assert client.post(f"{door}inloggen/{good}", data={"csrf": csrf_of(confirm)}).status_code == 400
    # Used once here; a second press (or another browser) fails; logging out ends the session.
    confirm = client.get(f"/beheer/inloggen/{good}").get_data(as_text=True)
    assert client.post(f"/beheer/inloggen/{good}", data={"csrf": csrf_of(confirm)}).status_code == 302
    other = app.test_client()
    confirm = other.get(f"/beheer/inloggen/{good}").get_data(as_text=True)
    assert other.post(f"/beheer/inloggen/{good}", data={"csrf": csrf_of(confirm)}).status_code == 400
    copy = client.get_cookie(ADMIN_COOKIE, path="/beheer/").value
    assert "Inzage en wissen: alle gebieden" in client.get("/beheer/").get_data(as_text=True)
    assert _form(client, "/beheer/uitloggen/").status_code == 200
    replay = app.test_client()
    replay.set_cookie(ADMIN_COOKIE, copy, path="/beheer/")
    assert _form(replay, "/beheer/inzage/", email=f"x@res.{site.domain}").status_code == 403
    logins = [v for v in logbook.lines(site.root) if v["action"] == logbook.ADMIN_LOGIN]
    assert logins and all(v["by"]["role"] == "administrator" for v in logins)
    assert admin_address(site) not in json.dumps(logins)


def test_two_confirmations_at_once_erase_once_and_log_one_erasure(app, admin, site, local_mailman) -> None:
    mailman = local_mailman.client()
    resident = f"tweemaal.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    mailman.subscribe(site.members_list("aa"), resident)
    mailman.subscribe(site.members_list("bb"), resident)
    plan = _form(admin, "/beheer/wissen/", action="wissen", email=resident).get_data(as_text=True)
    confirm = plan.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    second = app.test_client()  # the same session in a second tab
    second.set_cookie(ADMIN_COOKIE, admin.get_cookie(ADMIN_COOKIE, path="/beheer/").value, path="/beheer/")
    forms = [(client, csrf_of(client.get("/beheer/").get_data(as_text=True))) for client in (admin, second)]
    answers = at_once([lambda c=client, t=csrf: c.post("/beheer/wissen/", data={
        "csrf": t, "action": "bevestigen", "email": resident, "confirm": confirm}) for client, csrf in forms])
    assert sorted(code for code, _ in answers) == [200, 409], [a[1][:300] for a in answers]
    texts = dict(answers)
    assert "Gewist" in texts[200]
    assert "Deze verwijdering is al uitgevoerd" in texts[409] and "Gewist" not in texts[409]
    for list_address in (site.members_list("aa"), site.members_list("bb")):
        assert mailman.member(list_address, resident) is None
    assert mailman.address_record(resident) is None
    lines = [v for v in logbook.lines(site.root, action=logbook.ERASE) if v["erased"] == erasure_digest(resident)]
    assert len(lines) == 1
    # Pressed again later, in either tab: the same clear page, nothing erased or logged again.
    again = second.post("/beheer/wissen/", data={"csrf": forms[1][1], "action": "bevestigen", "email": resident,
                                                 "confirm": confirm})
    assert again.status_code == 409 and "al uitgevoerd" in again.get_data(as_text=True)
    assert len([v for v in logbook.lines(site.root, action=logbook.ERASE)
                if v["erased"] == erasure_digest(resident)]) == 1


def test_logging_out_everywhere_at_the_administrators_door_ends_that_administrators_sessions_only(
        app, site, local_mailman, admin) -> None:
    """A second administrator logs out everywhere (their shared or lost phone); the first one's
    session (the module's ``admin``) lives on."""
    check_logout_everywhere(app, local_mailman, f"tweede@adm.{site.domain}", admin_address(site), "/beheer/",
                            "/beheer/beveiliging/")
    assert admin.get("/beheer/beveiliging/").status_code == 200
    account = admin.get("/beheer/beveiliging/").get_data(as_text=True)
    assert 'action="/beheer/overal-uitloggen/"' in account  # on the account page too


def test_the_demo_prints_an_administrator_link_that_logs_in_once_at_the_administrators_door(app, site,
                                                                                             tmp_path) -> None:
    from binsite.devtools.desk_demo import login_link

    (tmp_path / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (tmp_path / "web-secret").write_text(SECRET)
    name, address, link = login_link(site.root, tmp_path, administrator=True)
    assert (name, address) == ("", admin_address(site))  # the first one, folded to lower case
    assert link.startswith("http://127.0.0.1:8050/beheer/inloggen/")
    client = app.test_client()
    # Not at the BINCO's or the partners' door ...
    for door in ("/binco/", "/partner/"):
        other = path_of(link).replace("/beheer/", door)
        page = client.get(other).get_data(as_text=True)
        assert client.post(other, data={"csrf": csrf_of(page)}).status_code == 400
    # ... once at the administrator's.
    page = client.get(path_of(link)).get_data(as_text=True)
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 302
    assert "Inzage en wissen: alle gebieden" in client.get("/beheer/").get_data(as_text=True)
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 400


def test_the_example_network_names_an_administrator_and_the_demo_prints_no_link_without_one(tmp_path) -> None:
    from pathlib import Path

    from binsite.devtools.desk_demo import login_link
    from binsite.source.network import load_network

    repo = Path(__file__).resolve().parents[2]
    config = load_network(repo).config
    assert config.administrators and config.is_administrator("beheer@bin.example.org")
    assert dict(config.second_factor)["administrators"] == "optional"  # one printed link logs in
    (tmp_path / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (tmp_path / "web-secret").write_text(SECRET)
    site = tmp_path / "site"
    (site / "lists").mkdir(parents=True)
    (site / "binsite.yaml").write_text((repo / "binsite.yaml").read_text(encoding="utf-8").split(
        "# Wie op /beheer/")[0] + "mail:\n  domain: bin.example.org\n  sender: bulletin@bin.example.org\n",
        encoding="utf-8")
    assert login_link(site, tmp_path, administrator=True) is None
