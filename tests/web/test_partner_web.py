"""The partners' door (binsite/web/partner.py) through Flask's test client, against the session's
real Mailman and its sink and a real git remote in tmp_path.

A partner's authority is exactly the areas where the address is declared: acting on another area,
on any route or form field, is 403 with Mailman, the remote and the logbook unchanged. The
BINCO's and the partner's links and sessions never open each other's door. A notice that waits is
nowhere in git until a BINCO approves it, for that BINCO's areas only, once however many press at
once. A partner sees a forwarded report without the reporter; answers reach the BINCO's desk;
a status mark mails the reporter without the partner's name."""

from __future__ import annotations

import threading
import uuid

import pytest

from binsite.desk import inbox as inbox_lib
from binsite.desk import logbook
from binsite.desk import partners as partners_lib
from binsite.store import site_store
from binsite.desk.desk import open_desk
from binsite.devtools.sink import read_maildir
from binsite.web.app import create_app
from binsite.web.partner import SESSION_COOKIE as PARTNER_COOKIE
from deskweb import DeskSite, check_logout_everywhere, desk_site, git, log_in, logged_in, login_mails, path_of, wait_login_link
from sitekit import poll
from tests.desk.deskkit import held_report, logbook_text
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of

pytestmark = pytest.mark.mailman

RESIDENT_NAME = "Jantine Verweij"


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"door{uuid.uuid4().hex[:8]}.bin.test.example"
    central = (f"partners:\n  - address: communicatie@gemeente.{domain}\n    role: gemeente\n"
               f"    areas: [aa, bb]\n")
    return desk_site(local_mailman, tmp_path_factory.mktemp("door"), domain, ("aa", "bb", "cc"),
                     config_extra=central,
                     area_extra={"aa": {"coordinators": [f"binco.aa@coord.{domain}", f"co.aa@coord.{domain}"]},
                                 "cc": {"partner_notices": "direct"}})


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


_client = logged_in


def agent(site: DeskSite, area_id: str) -> str:
    return sorted(site.partners(area_id))[0]


def gemeente(site: DeskSite) -> str:
    return f"communicatie@gemeente.{site.domain}"


def logbook_lines(site: DeskSite) -> list[dict]:
    return list(logbook.lines(site.root))


def forwarded_report(app, site: DeskSite, mailman: RunningMailman, binco, area_id: str, subject: str) -> str:
    """A resident's report held on ``area_id``, forwarded by its BINCO to the partners (kept in the
    inbox to answer later); returns the report key."""
    resident = site.resident(area_id, f"melder{uuid.uuid4().hex[:6]}")
    sent = held_report(mailman, site, area_id, resident, subject,
                       f"Hallo BINCO,\n\nEr staat al dagen een auto met open ramen bij het park.\n\n"
                       f"Groet,\n{RESIDENT_NAME}\n{resident}\n", name=RESIDENT_NAME)
    item = next(i for i in inbox_lib.held_items(open_desk(site.root, mailman.settings), [area_id])
                if i.message_id == sent["Message-ID"])
    page = binco.get(f"/binco/{area_id}/bericht/{item.digest}/").get_data(as_text=True)
    done = binco.post(f"/binco/{area_id}/bericht/{item.digest}/forward",
                      data={"csrf": csrf_of(page), "to": "partners", "keep": "ja",
                            "text": inbox_lib.forward_text(item)})
    assert done.status_code == 200 and "Doorgestuurd" in done.get_data(as_text=True)
    return inbox_lib.report_key(item), resident, item.digest


def built(site: DeskSite, folder) -> dict[str, str]:
    """The archive CI would build from the remote now: path -> text of every page, feed and index."""
    from click.testing import CliRunner

    from binsite.cli import main

    clone = folder / f"ci-{uuid.uuid4().hex[:6]}"
    git(folder, "clone", "--quiet", str(site.remote), str(clone))
    done = CliRunner().invoke(main, ["--root", str(clone), "build", "--out", str(clone / "_site")],
                              env={"BINSITE_LANG": "nl"})
    assert done.exit_code == 0, done.output
    return {p.relative_to(clone / "_site").as_posix(): p.read_text("utf-8", errors="replace")
            for p in (clone / "_site").rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".js", ".json")}


def test_central_partners_are_validated_at_their_line(tmp_path) -> None:
    from binsite.source.network import load_network
    from sitekit import area, write_site

    domain = "cfg.test.example"
    root = write_site(tmp_path / "s", domain, {"noord": {**area("Noord", domain, "noord"),
                                                          "partner_notices": "meteen"}})
    with (root / "binsite.yaml").open("a", encoding="utf-8") as config:
        config.write("partners:\n  - address: wijkagent@politie.example\n    role: politie\n    areas: [noord, zuid]\n"
                     "  - address: geen-adres\n")
    shown = [p.format("nl") for p in load_network(root).problems]
    lines = (root / "binsite.yaml").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines, 1) if "wijkagent@" in line)
    assert f"binsite.yaml:{at}: fout: partner wijkagent@politie.example: onbekend gebied 'zuid'; " \
           "bekende gebieden: noord" in shown
    assert f"binsite.yaml:{at + 3}: fout: partner heeft geen geldig 'address'" in shown
    assert any(s.startswith("lists/noord.yaml:") and "'partner_notices' moet 'approve'" in s for s in shown)


def test_the_two_doors_never_open_each_other(app, site, local_mailman) -> None:
    binco_address, partner_address = site.binco("bb"), agent(site, "bb")
    partner = _client(app, local_mailman, partner_address, "/partner/")
    assert "Uw partnerbalie" in partner.get("/partner/").get_data(as_text=True)
    # The partner's session opens no BINCO page; the cookie is not even sent there.
    assert partner.get("/binco/bb/").status_code == 302
    assert partner.get_cookie(PARTNER_COOKIE, path="/partner/") is not None
    assert partner.get_cookie(PARTNER_COOKIE, path="/binco/") is None
    # A partner's link at the BINCO's door and a BINCO's at the partners' door log nobody in.
    fresh = app.test_client()
    page = fresh.get("/partner/").get_data(as_text=True)
    fresh.post("/partner/inloggen/", data={"email": partner_address, "csrf": csrf_of(page)})
    partner_link = path_of(wait_login_link(local_mailman, partner_address, len(login_mails(local_mailman,
                                                                                          partner_address))))
    assert "/partner/inloggen/" in partner_link
    other = app.test_client()
    confirm = other.get(partner_link.replace("/partner/", "/binco/")).get_data(as_text=True)
    assert other.post(partner_link.replace("/partner/", "/binco/"), data={"csrf": csrf_of(confirm)}).status_code == 400
    binco = _client(app, local_mailman, binco_address, "/binco/")
    assert binco.get("/partner/schrijven/").status_code == 302  # to the login page: no partner session
    before = len(login_mails(local_mailman, binco_address))
    page = fresh.get("/partner/").get_data(as_text=True)
    assert fresh.post("/partner/inloggen/", data={"email": binco_address, "csrf": csrf_of(page)}).status_code == 200
    # A BINCO's link, forged into the partners' door: refused.
    from binsite import tokens
    from webkit import SECRET
    forged = tokens.sign(SECRET, tokens.LOGIN, (partner_address, "n" * 24))
    confirm = other.get(f"/partner/inloggen/{forged}").get_data(as_text=True)
    assert other.post(f"/partner/inloggen/{forged}", data={"csrf": csrf_of(confirm)}).status_code == 400
    # Expired, signed with another key, or for an address declared nowhere (a BINCO's): refused.
    import time
    for bad in (tokens.sign(SECRET, tokens.PARTNER_LOGIN, (partner_address, "e" * 24), issued=int(time.time()) - 16 * 60),
                tokens.sign("another-secret-of-enough-length", tokens.PARTNER_LOGIN, (partner_address, "k" * 24)),
                tokens.sign(SECRET, tokens.PARTNER_LOGIN, (binco_address, "b" * 24))):
        confirm = other.get(f"/partner/inloggen/{bad}").get_data(as_text=True)
        assert other.post(f"/partner/inloggen/{bad}", data={"csrf": csrf_of(confirm)}).status_code == 400
    assert other.get("/partner/schrijven/").status_code == 302
    assert len(login_mails(local_mailman, binco_address)) == before  # no partner link for a BINCO


def test_a_partner_of_aa_acting_on_bb_gets_403_and_nothing_changes(app, site, local_mailman) -> None:
    binco_bb = _client(app, local_mailman, site.binco("bb"), "/binco/")
    key_bb, _resident, digest = forwarded_report(app, site, local_mailman, binco_bb, "bb", "Auto bij het park")
    partner = _client(app, local_mailman, agent(site, "aa"), "/partner/")
    store_before = site_store(site.root).partner_records()
    log_before = logbook_text(site.root)
    head = git(site.remote, "rev-parse", "main")
    held_before = [h.message_id for h in local_mailman.client().held(site.members_list("bb"))]
    page = partner.get("/partner/schrijven/").get_data(as_text=True)
    csrf = csrf_of(page)
    assert partner.get(f"/partner/melding/{key_bb}/").status_code == 403
    assert partner.post(f"/partner/melding/{key_bb}/antwoord", data={"csrf": csrf, "text": "Gezien."}).status_code == 403
    assert partner.post(f"/partner/melding/{key_bb}/status",
                        data={"csrf": csrf, "status": "afgehandeld"}).status_code == 403
    assert partner.get("/partner/melding/AAAAAAAAAAAAAAAA/").status_code == 403
    for areas in (["bb"], ["aa", "bb"], ["cc"]):
        refused = partner.post("/partner/schrijven/", data={"csrf": csrf, "title": "Wegwerkzaamheden", "areas": areas,
                                                           "body": "De weg is dicht.", "action": "send"})
        assert refused.status_code == 403
    # The BINCO's side is not the partner's: no session there.
    assert partner.post("/binco/bb/partners/bericht/abc/approve", data={"csrf": csrf}).status_code == 403
    assert partner.post(f"/binco/bb/bericht/{digest}/forward", data={"csrf": csrf, "to": "partners"}).status_code == 403
    assert "Auto bij het park" not in partner.get("/partner/").get_data(as_text=True)
    assert site_store(site.root).partner_records() == store_before
    assert logbook_text(site.root) == log_before
    assert git(site.remote, "rev-parse", "main") == head
    assert [h.message_id for h in local_mailman.client().held(site.members_list("bb"))] == held_before


def test_a_notice_waits_then_each_binco_publishes_it_for_their_own_areas_once(app, site, local_mailman,
                                                                              tmp_path) -> None:
    gem = _client(app, local_mailman, gemeente(site), "/partner/")
    head = git(site.remote, "rev-parse", "main")
    page = gem.get("/partner/schrijven/").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "title": "Wegwerkzaamheden Parkweg", "areas": ["aa", "bb"],
            "body": "Van 1 tot en met 5 december is de Parkweg dicht. Bel 06-12345678 voor vragen.", "action": "preview"}
    checked = gem.post("/partner/schrijven/", data=form)
    assert checked.status_code == 400 and 'id="body-error"' in checked.get_data(as_text=True)  # privacy guard
    form["body"] = "Van 1 tot en met 5 december is de Parkweg dicht. Omleiding via de Dorpsstraat."
    preview = gem.post("/partner/schrijven/", data=form)
    assert preview.status_code == 200 and "Voorbeeld: de website" in preview.get_data(as_text=True)
    sent = gem.post("/partner/schrijven/", data={**form, "action": "send"})
    assert sent.status_code == 200 and "Wacht op goedkeuring" in sent.get_data(as_text=True)
    assert git(site.remote, "rev-parse", "main") == head  # nowhere in git: not in the archive, feeds, search, mail
    assert not [p for p, text in built(site, tmp_path).items() if "Parkweg" in text]
    binco_a, co_a = (_client(app, local_mailman, a, "/binco/") for a in (site.binco("aa"), f"co.aa@coord.{site.domain}"))
    binco_b = _client(app, local_mailman, site.binco("bb"), "/binco/")
    assert "1 bericht van partners wacht op uw goedkeuring" in binco_b.get("/binco/").get_data(as_text=True)
    waiting = binco_a.get("/binco/aa/partners/").get_data(as_text=True)
    assert "Wegwerkzaamheden Parkweg" in waiting and "Gemeente Aa / Bb" in waiting
    assert "Wegwerkzaamheden Parkweg" in binco_b.get("/binco/bb/partners/").get_data(as_text=True)
    notice = next(n for n in partners_lib.waiting_notices(partners_lib.open_store(site.root), ["aa"])
                  if n.title == "Wegwerkzaamheden Parkweg")
    # Two BINCOs of aa press at the same moment: published once.
    answers: list[int] = []
    csrf_a, csrf_co = csrf_of(waiting), csrf_of(co_a.get("/binco/aa/partners/").get_data(as_text=True))

    def press(client, csrf) -> None:
        answers.append(client.post(f"/binco/aa/partners/bericht/{notice.id}/approve", data={"csrf": csrf}).status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in ((binco_a, csrf_a), (co_a, csrf_co))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]
    new = git(site.remote, "log", "--format=%an|%s", f"{head}..main").splitlines()
    assert len(new) == 1 and new[0].startswith("Gemeente Aa|bericht van Gemeente Aa: Wegwerkzaamheden Parkweg")
    files = git(site.remote, "diff", "--name-only", head, "main").splitlines()
    assert files == [f"content/aa/{files[0].split('/')[2]}"] and notice.id in files[0]
    text = git(site.remote, "show", f"main:{files[0]}")
    assert "role: gemeente" in text and "name: Gemeente Aa" in text and "bb" not in text.split("---")[1]
    # Published for aa: on aa's pages, feed and search; bb's feed does not have it.
    archive = built(site, tmp_path)
    assert "Parkweg" in archive["aa/feed.xml"] and "Parkweg" not in archive["bb/feed.xml"]
    assert any("Parkweg" in text for p, text in archive.items() if p.startswith("zoeken/"))
    # bb still waits for its own BINCO, then is published for bb.
    assert "Wegwerkzaamheden Parkweg" in binco_b.get("/binco/bb/partners/").get_data(as_text=True)
    page_b = binco_b.get("/binco/bb/partners/").get_data(as_text=True)
    done = binco_b.post(f"/binco/bb/partners/bericht/{notice.id}/approve", data={"csrf": csrf_of(page_b)})
    assert done.status_code == 200 and "Goedgekeurd en gepubliceerd voor Bb" in done.get_data(as_text=True)
    assert len(git(site.remote, "log", "--format=%an", f"{head}..main").splitlines()) == 2
    assert "Wegwerkzaamheden Parkweg" not in binco_b.get("/binco/bb/partners/").get_data(as_text=True)
    decided = [v for v in logbook_lines(site) if v.get("notice") == notice.id]
    assert [(v["action"], v["area"]) for v in decided if v["action"] != "publish"] == [
        ("partner_notice", "aa"), ("partner_notice", "bb"), ("notice_approve", "aa"), ("notice_approve", "bb")]


def test_a_rejected_notice_never_appears_and_a_direct_area_publishes_at_once(app, site, local_mailman) -> None:
    gem = _client(app, local_mailman, gemeente(site), "/partner/")
    head = git(site.remote, "rev-parse", "main")
    page = gem.get("/partner/schrijven/").get_data(as_text=True)
    sent = gem.post("/partner/schrijven/", data={"csrf": csrf_of(page), "title": "Afval later opgehaald",
                                                 "areas": ["bb"], "body": "Het afval wordt een dag later opgehaald.",
                                                 "action": "send"})
    assert sent.status_code == 200
    binco_b = _client(app, local_mailman, site.binco("bb"), "/binco/")
    notice = next(n for n in partners_lib.waiting_notices(partners_lib.open_store(site.root), ["bb"])
                  if n.title == "Afval later opgehaald")
    page_b = binco_b.get("/binco/bb/partners/").get_data(as_text=True)
    assert binco_b.post(f"/binco/bb/partners/bericht/{notice.id}/reject", data={"csrf": csrf_of(page_b)}).status_code == 200
    again = binco_b.post(f"/binco/bb/partners/bericht/{notice.id}/approve", data={"csrf": csrf_of(page_b)})
    assert again.status_code == 409 and git(site.remote, "rev-parse", "main") == head
    # A BINCO of aa cannot decide for bb's notice through aa's page.
    binco_a = _client(app, local_mailman, site.binco("aa"), "/binco/")
    page_a = binco_a.get("/binco/aa/partners/").get_data(as_text=True)
    assert binco_a.post(f"/binco/bb/partners/bericht/{notice.id}/approve", data={"csrf": csrf_of(page_a)}).status_code == 403
    # cc: partner_notices: direct.
    agent_c = _client(app, local_mailman, agent(site, "cc"), "/partner/")
    page = agent_c.get("/partner/schrijven/").get_data(as_text=True)
    direct = agent_c.post("/partner/schrijven/", data={"csrf": csrf_of(page), "title": "Inbraakgolf", "areas": ["cc"],
                                                       "body": "Sluit ramen en deuren, ook overdag.", "action": "send"})
    assert direct.status_code == 200 and "Gepubliceerd voor Cc" in direct.get_data(as_text=True)
    assert git(site.remote, "log", "-1", "--format=%an", "main") == "Wijkagent Cc"


def test_a_partner_answers_and_marks_a_forwarded_report_without_ever_seeing_the_reporter(app, site,
                                                                                         local_mailman) -> None:
    binco = _client(app, local_mailman, site.binco("aa"), "/binco/")
    key, resident, digest = forwarded_report(app, site, local_mailman, binco, "aa", "Open ramen bij het park")
    partner_address = agent(site, "aa")
    partner = _client(app, local_mailman, partner_address, "/partner/")
    home = partner.get("/partner/").get_data(as_text=True)
    page = partner.get(f"/partner/melding/{key}/").get_data(as_text=True)
    for shown in (home, page):
        assert resident not in shown and RESIDENT_NAME not in shown and "Verweij" not in shown
    assert "auto met open ramen" in page
    answered = partner.post(f"/partner/melding/{key}/antwoord", data={
        "csrf": csrf_of(page), "text": f"We rijden er vanavond langs.\n\nGroet,\nAgent Bakker\n{partner_address}"})
    assert answered.status_code == 200 and "Verstuurd naar de BINCO" in answered.get_data(as_text=True)
    # The answer waits at the BINCO's desk, tied to the report, ready to quote.
    assert "We rijden er vanavond langs." in binco.get("/binco/aa/partners/").get_data(as_text=True)
    assert "doorgestuurd, de partner antwoordde" in binco.get("/binco/aa/").get_data(as_text=True)
    held_page = binco.get(f"/binco/aa/bericht/{digest}/").get_data(as_text=True)
    assert "We rijden er vanavond langs." in held_page.split('id="partner-reply"', 1)[1]
    marked = partner.post(f"/partner/melding/{key}/status", data={"csrf": csrf_of(page), "status": "in_behandeling"})
    assert marked.status_code == 200 and "Gemarkeerd als in behandeling" in marked.get_data(as_text=True)
    twice = partner.post(f"/partner/melding/{key}/status", data={"csrf": csrf_of(page), "status": "in_behandeling"})
    assert "er is niets opnieuw verstuurd" in twice.get_data(as_text=True)

    def status_mails():
        return [d for d in read_maildir(local_mailman.maildir) if resident in d.envelope_to
                and "in behandeling" in str(d.message["Subject"])]
    got = poll(lambda: status_mails() or None, timeout=30, what="status mail")
    raw = got[0].message.as_string()
    assert partner_address not in raw and "Bakker" not in raw and "partners." not in raw
    assert got[0].message["From"].addresses[0].addr_spec == f"bulletin@{site.domain}"
    assert "is in behandeling bij een partner van de BIN" in got[0].message.get_body(("plain",)).get_content()
    assert len(status_mails()) == 1
    # The BINCO passes the answer on with the existing answer flow.
    done = binco.post(f"/binco/aa/bericht/{digest}/answer", data={
        "csrf": csrf_of(held_page), "text": "Dank voor uw melding.",
        "partner_reply": f"We rijden er vanavond langs.\n\nGroet,\nAgent Bakker\n{partner_address}"})
    assert done.status_code == 200
    answer = poll(lambda: [d for d in read_maildir(local_mailman.maildir) if resident in d.envelope_to
                           and str(d.message["Subject"]).startswith("Re:")] or None, timeout=30, what="answer")
    assert "> We rijden er vanavond langs." in answer[0].message.get_body(("plain",)).get_content()
    assert partner_address not in answer[0].message.as_string()
    # The logbook names neither; the figures count the answer.
    log_text = logbook_text(site.root)
    assert resident not in log_text and partner_address not in log_text and RESIDENT_NAME not in log_text
    stats = binco.get("/binco/statistieken/").get_data(as_text=True)
    assert "Antwoorden partners" in stats
    from binsite.stats.desk import desk_figures
    rows = [r for r in desk_figures(logbook_lines(site), site_tz(site), area_ids=["aa"]) if r.partner_answers]
    assert rows and rows[-1].partner_answers >= 1 and rows[-1].median_answer_hours is not None


def site_tz(site: DeskSite):
    from zoneinfo import ZoneInfo
    return ZoneInfo("Europe/Amsterdam")


def test_the_demo_prints_a_wijkagent_link_that_logs_in_once_at_the_partners_door(app, site, tmp_path) -> None:
    from binsite.devtools.desk_demo import login_link
    from webkit import SECRET

    (tmp_path / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (tmp_path / "web-secret").write_text(SECRET)
    name, address, link = login_link(site.root, tmp_path, partner=True)
    assert name == "Aa" and address == agent(site, "aa")
    assert link.startswith("http://127.0.0.1:8050/partner/inloggen/")
    client = app.test_client()
    # Not at the BINCO's door ...
    page = client.get(path_of(link).replace("/partner/", "/binco/")).get_data(as_text=True)
    assert client.post(path_of(link).replace("/partner/", "/binco/"), data={"csrf": csrf_of(page)}).status_code == 400
    # ... once at the partners'.
    page = client.get(path_of(link)).get_data(as_text=True)
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 302
    assert "Uw partnerbalie" in client.get("/partner/").get_data(as_text=True)
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 400


def test_a_hostile_or_hurried_answer_is_text_or_refused_with_nothing_stored(app, site, local_mailman) -> None:
    binco = _client(app, local_mailman, site.binco("aa"), "/binco/")
    key, _resident, _digest = forwarded_report(app, site, local_mailman, binco, "aa", "Graffiti op de muur")
    partner = _client(app, local_mailman, agent(site, "aa"), "/partner/")
    page = partner.get(f"/partner/melding/{key}/").get_data(as_text=True)
    before = site_store(site.root).partner_records()
    for text, said in (("   \r\n ", "schrijf eerst een antwoord"), ("x" * 20_001, "te lang")):
        refused = partner.post(f"/partner/melding/{key}/antwoord", data={"csrf": csrf_of(page), "text": text})
        assert refused.status_code == 400 and said in refused.get_data(as_text=True)
    assert partner.post(f"/partner/melding/{key}/status", data={"csrf": csrf_of(page), "status": "klaar"}).status_code == 400
    assert partner.post(f"/partner/melding/{key}/antwoord", data={"text": "Geen CSRF."}).status_code == 403
    assert site_store(site.root).partner_records() == before
    hostile = "<script>alert(1)</script>\x00\x1b[31m Gezien\r\nmorgen ‮ terug"
    assert partner.post(f"/partner/melding/{key}/antwoord", data={"csrf": csrf_of(page), "text": hostile}).status_code == 200
    shown = binco.get("/binco/aa/partners/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert(1)" not in shown
    stored = partners_lib.open_store(site.root).read().reports[key].answers[-1].text
    assert "\x00" not in stored and "\x1b" not in stored and "\r" not in stored


def test_logging_out_everywhere_at_the_partners_door_ends_that_partners_sessions_only(app, site, local_mailman) -> None:
    """The wijkagent's shared or lost phone: every session of that partner ends, another
    partner's lives on; the account page offers it too."""
    officer, colleague = sorted(site.partners("bb"))[1], sorted(site.partners("aa"))[1]
    check_logout_everywhere(app, local_mailman, officer, colleague, "/partner/", "/partner/schrijven/")
    account = _client(app, local_mailman, colleague, "/partner/").get("/partner/beveiliging/").get_data(as_text=True)
    assert 'action="/partner/overal-uitloggen/"' in account
