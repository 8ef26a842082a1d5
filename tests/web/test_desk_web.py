"""The BINCO's desk in the browser (binsite/web/desk.py) through Flask's test client,
against the session's real Mailman, its sink and a real git remote in tmp_path.

Per route: a BINCO of A cannot see or act on B (403, nothing changed in Mailman or the
repository); no action without CSRF; login links that are expired, reused, of another
address or of another browser fail; a session is never adopted; hostile messages render as text."""

from __future__ import annotations

import time
import uuid

import pytest
from itsdangerous import URLSafeTimedSerializer

from binsite import tokens
from binsite.desk import logbook
from binsite.desk import inbox as inbox_lib
from binsite.desk.desk import open_desk
from binsite.web.app import create_app
from binsite.web.desk import NONCE_COOKIE, SESSION_COOKIE
from deskweb import DeskSite, desk_site, git, log_in, login_mails, path_of, wait_login_link
from tests.desk.deskkit import logbook_text, post, report, wait_held
from tests.mailman_fixtures import RunningMailman
from webkit import SECRET, csrf_of

pytestmark = pytest.mark.mailman


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"web{uuid.uuid4().hex[:8]}.bin.test.example"
    return desk_site(local_mailman, tmp_path_factory.mktemp("deskweb"), domain, ("aa", "bb"))


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


@pytest.fixture(scope="module")
def held_bb(local_mailman: RunningMailman, site: DeskSite) -> str:
    """A report held on area bb's list: what a BINCO of aa must never reach."""
    message = report(f"buur@res.{site.domain}", site.members_list("bb"), "Melding in bb", "Iets in bb gezien.")
    post(local_mailman.settings, message)
    wait_held(local_mailman.client(), site.members_list("bb"), message["Message-ID"])
    desk = open_desk(site.root, local_mailman.settings)
    return next(i.digest for i in inbox_lib.held_items(desk, ["bb"]) if i.message_id == message["Message-ID"])


@pytest.fixture(scope="module")
def binco_a(app, site, local_mailman):
    app.extensions["binsite"].limiters["address"].reset()
    client = app.test_client()
    log_in(client, local_mailman, site.binco("aa"))
    return client


def test_login_answers_alike_and_mails_only_a_coordinator(app, site, local_mailman) -> None:
    client = app.test_client()
    page = client.get("/binco/").get_data(as_text=True)
    stranger = f"niemand@res.{site.domain}"
    unknown = client.post("/binco/inloggen/", data={"email": stranger, "csrf": csrf_of(page)})
    known = client.post("/binco/inloggen/", data={"email": site.binco("bb"), "csrf": csrf_of(page)})
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert [c.split("=")[0] for c in unknown.headers.getlist("Set-Cookie")] == \
        [c.split("=")[0] for c in known.headers.getlist("Set-Cookie")] == [NONCE_COOKIE]
    wait_login_link(local_mailman, site.binco("bb"))
    local_mailman.settle()
    assert login_mails(local_mailman, stranger) == []


def test_a_link_works_once_and_not_for_another_address_in_the_asking_browser(app, site, local_mailman) -> None:
    for limiter in app.extensions["binsite"].limiters.values():
        limiter.reset()
    asker, phone = app.test_client(), app.test_client()
    page = asker.get("/binco/").get_data(as_text=True)
    before = len(login_mails(local_mailman, site.binco("aa")))
    asker.post("/binco/inloggen/", data={"email": site.binco("aa"), "csrf": csrf_of(page)})
    link = path_of(wait_login_link(local_mailman, site.binco("aa"), before + 1))
    nonce = URLSafeTimedSerializer(SECRET, salt="binsite-binco-nonce").loads(
        asker.get_cookie(NONCE_COOKIE, path="/binco/").value)
    confirm = asker.get(link).get_data(as_text=True)
    # A link for another coordinator (someone else asked for it: a login CSRF) fails in the asking browser.
    foreign = tokens.sign(SECRET, tokens.LOGIN, (site.binco("bb"), "another-nonce"))
    assert asker.post(f"/binco/inloggen/{foreign}", data={"csrf": csrf_of(confirm)}).status_code == 400
    # An address that coordinates nothing, even with this browser's nonce; an expired link; a forged one.
    stranger = tokens.sign(SECRET, tokens.LOGIN, (f"x@res.{site.domain}", nonce))
    expired = tokens.sign(SECRET, tokens.LOGIN, (site.binco("aa"), nonce), issued=int(time.time()) - 16 * 60)
    forged = tokens.sign("another-secret-0123456789", tokens.LOGIN, (site.binco("aa"), nonce))
    other_purpose = tokens.sign(SECRET, tokens.JOIN, (site.binco("aa"), nonce))
    for bad in (stranger, expired, forged, other_purpose, link.rsplit("/", 1)[1][:-2] + "xx"):
        assert asker.post(f"/binco/inloggen/{bad}", data={"csrf": csrf_of(confirm)}).status_code == 400, bad
    # A session cookie planted before login (fixation) is replaced by a new one.
    asker.set_cookie(SESSION_COOKIE, "planted", path="/binco/")
    assert asker.get("/binco/aa/").status_code == 302  # planted: not a session
    assert asker.post(link, data={"csrf": csrf_of(confirm)}).status_code == 302
    session = asker.get_cookie(SESSION_COOKIE, path="/binco/")
    assert session is not None and session.value != "planted"
    assert asker.get("/binco/aa/").status_code == 200
    # Used: a second press fails, in this browser and in any other.
    reused = asker.post(link, data={"csrf": csrf_of(confirm)})
    assert reused.status_code == 400 and SESSION_COOKIE not in " ".join(reused.headers.getlist("Set-Cookie"))
    phone_page = phone.get(link).get_data(as_text=True)
    assert phone.post(link, data={"csrf": csrf_of(phone_page)}).status_code == 400
    assert phone.get_cookie(SESSION_COOKIE, path="/binco/") is None
    # Asked for on the laptop, opened on the phone (no cookie there): works, once.
    asker.post("/binco/inloggen/", data={"email": site.binco("aa"), "csrf": csrf_of(page)})
    second = path_of(wait_login_link(local_mailman, site.binco("aa"), before + 2))
    assert phone.post(second, data={"csrf": csrf_of(phone_page)}).status_code == 302
    assert phone.get("/binco/aa/").status_code == 200
    assert asker.post(second, data={"csrf": csrf_of(confirm)}).status_code == 400
    logged_out = asker.post("/binco/uitloggen/", data={"csrf": csrf_of(asker.get("/binco/aa/").get_data(as_text=True))})
    assert "binsite_binco=;" in " ".join(logged_out.headers.getlist("Set-Cookie"))
    assert asker.get("/binco/aa/").status_code == 302


def test_two_presses_of_one_link_at_once_log_in_once(app, site, local_mailman) -> None:
    import threading
    from binsite.devtools.desk_demo import login_link  # noqa: F401  (the demo signs links the same way)
    token = tokens.sign(SECRET, tokens.LOGIN, (site.binco("aa"), "racing-nonce-1234567890"))
    clients = [app.test_client() for _ in range(4)]
    pages = [c.get(f"/binco/inloggen/{token}").get_data(as_text=True) for c in clients]
    codes: list[int] = []
    barrier = threading.Barrier(4)

    def press(index: int) -> None:
        barrier.wait()
        codes.append(clients[index].post(f"/binco/inloggen/{token}", data={"csrf": csrf_of(pages[index])}).status_code)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [302, 400, 400, 400]


def test_asking_for_links_is_limited_alike_for_known_and_unknown_addresses(app, site, local_mailman) -> None:
    limiters = app.extensions["binsite"].limiters
    for limiter in limiters.values():
        limiter.reset()
    client = app.test_client()
    page = client.get("/binco/").get_data(as_text=True)
    before = len(login_mails(local_mailman, site.binco("bb")))
    for address in (site.binco("bb"), f"onbekend@res.{site.domain}"):
        answers = [client.post("/binco/inloggen/", data={"email": address, "csrf": csrf_of(page)}) for _ in range(4)]
        # The same page every time: the limit is silent, it only holds back the mail.
        assert [a.status_code for a in answers] == [200] * 4, address
        assert len({a.get_data(as_text=True) for a in answers}) == 1
    app.extensions["binsite"].outbox.join()
    local_mailman.settle()
    assert len(login_mails(local_mailman, site.binco("bb"))) == before + 3  # three an hour from one client
    for limiter in limiters.values():
        limiter.reset()


def test_the_session_cookie_is_http_only_strict_and_a_working_day(app, site, local_mailman) -> None:
    app.extensions["binsite"].limiters["address"].reset()
    client = app.test_client()
    log_in(client, local_mailman, site.binco("aa"))
    cookie = client.get_cookie(SESSION_COOKIE, path="/binco/")
    assert cookie.http_only and cookie.same_site == "Strict" and 9 * 3600 < cookie.max_age <= 10 * 3600
    assert not cookie.secure  # plain http on loopback: the preview; on https it is Secure (below)


def test_on_https_the_cookies_are_secure(tmp_path, site) -> None:
    import shutil
    root = shutil.copytree(site.root, tmp_path / "https", ignore=shutil.ignore_patterns(".git"))
    config = root / "binsite.yaml"
    config.write_text(config.read_text("utf-8").replace("web_url: http://127.0.0.1/", "web_url: https://bin.example/"),
                      "utf-8")
    client = create_app(root, environ=site.env).test_client()
    page = client.get("/binco/").get_data(as_text=True)
    answer = client.post("/binco/inloggen/", data={"email": "x@example.org", "csrf": csrf_of(page)})
    assert "Secure" in answer.headers.getlist("Set-Cookie")[0]


@pytest.mark.parametrize("method, path", [
    ("get", "/binco/bb/"), ("get", "/binco/bb/leden/"), ("get", "/binco/bb/schrijven/"),
    ("get", "/binco/bb/bericht/{d}/"), ("post", "/binco/bb/bericht/{d}/accept"), ("post", "/binco/bb/bericht/{d}/discard"),
    ("post", "/binco/bb/bericht/{d}/forward"), ("post", "/binco/bb/bericht/{d}/answer"),
    ("post", "/binco/bb/bericht/{d}/draft"), ("post", "/binco/bb/bericht/{d}/reject"),
    ("post", "/binco/bb/leden/add"), ("post", "/binco/bb/leden/remove"), ("post", "/binco/bb/leden/approve"),
    ("post", "/binco/bb/leden/reject"), ("post", "/binco/bb/leden/importeren"), ("post", "/binco/bb/schrijven/"),
    ("get", "/binco/nergens/"),
])
def test_a_binco_of_aa_cannot_see_or_touch_bb(binco_a, site, local_mailman, held_bb, method, path) -> None:
    head = git(site.remote, "rev-parse", "main")
    page = binco_a.get("/binco/aa/").get_data(as_text=True)
    data = {"csrf": csrf_of(page), "email": f"indringer@res.{site.domain}", "title": "X", "body": "Tekst.",
            "areas": "bb", "action": "publish", "text": "x", "upload": "eEBleGFtcGxlLm9yZw=="}
    response = getattr(binco_a, method)(path.format(d=held_bb), data=data if method == "post" else None)
    assert response.status_code == 403, response.get_data(as_text=True)[:500]
    client = local_mailman.client()
    desk = open_desk(site.root, local_mailman.settings)
    assert held_bb in {i.digest for i in inbox_lib.held_items(desk, ["bb"])}
    assert client.member(site.members_list("bb"), f"indringer@res.{site.domain}") is None
    assert git(site.remote, "rev-parse", "main") == head
    # Writing for aa but ticking bb's box: refused as well.
    refused = binco_a.post("/binco/aa/schrijven/", data={**data, "areas": ["aa", "bb"]})
    assert refused.status_code == 403 and git(site.remote, "rev-parse", "main") == head


def test_not_logged_in_is_the_login_page_and_posts_are_refused(app, site, held_bb) -> None:
    client = app.test_client()
    assert client.get("/binco/aa/").status_code == 302
    page = client.get("/binco/").get_data(as_text=True)
    assert client.post(f"/binco/bb/bericht/{held_bb}/accept", data={"csrf": csrf_of(page)}).status_code == 403


def test_no_action_without_csrf(binco_a, site, local_mailman) -> None:
    message = report(f"csrf@res.{site.domain}", site.members_list("aa"), "Zonder csrf", "Tekst.")
    post(local_mailman.settings, message)
    wait_held(local_mailman.client(), site.members_list("aa"), message["Message-ID"])
    digest = next(i.digest for i in inbox_lib.held_items(open_desk(site.root, local_mailman.settings), ["aa"])
                  if i.message_id == message["Message-ID"])
    for action in ("accept", "discard"):
        assert binco_a.post(f"/binco/aa/bericht/{digest}/{action}", data={}).status_code == 403
        assert binco_a.post(f"/binco/aa/bericht/{digest}/{action}", data={"csrf": "0" * 64}).status_code == 403
    assert binco_a.post("/binco/aa/leden/add", data={"email": f"n@res.{site.domain}"}).status_code == 403
    assert any(h.message_id == message["Message-ID"] for h in local_mailman.client().held(site.members_list("aa")))
    assert local_mailman.client().member(site.members_list("aa"), f"n@res.{site.domain}") is None
    # With the field: it goes, and the logbook says so without the resident.
    page = binco_a.get(f"/binco/aa/bericht/{digest}/").get_data(as_text=True)
    assert binco_a.post(f"/binco/aa/bericht/{digest}/discard", data={"csrf": csrf_of(page)}).status_code == 200
    lines = list(logbook.lines(site.root))
    assert any(v["action"] == "discard" and v["by"]["role"] == "binco" and v["report"] == digest[:16]
               for v in lines)
    assert "csrf@" not in logbook_text(site.root)


def test_a_hostile_held_message_renders_as_text(binco_a, site, local_mailman) -> None:
    html = "<p>Hallo</p><script>alert('x')</script><img src=x onerror=alert(1)><a href='javascript:alert(2)'>klik</a>"
    message = report(f"vijand@res.{site.domain}", site.members_list("aa"), "<script>alert(3)</script> \u202eevil",
                     "Tekst <b>vet</b> <script>alert(4)</script>", html=html)
    post(local_mailman.settings, message)
    wait_held(local_mailman.client(), site.members_list("aa"), message["Message-ID"])
    inbox = binco_a.get("/binco/aa/").get_data(as_text=True)
    assert "<script>alert" not in inbox and "&lt;script&gt;alert(3)" in inbox
    digest = next(i.digest for i in inbox_lib.held_items(open_desk(site.root, local_mailman.settings), ["aa"])
                  if i.message_id == message["Message-ID"])
    page = binco_a.get(f"/binco/aa/bericht/{digest}/").get_data(as_text=True)
    assert "<script" not in page and "<img src=x" not in page and "href='javascript" not in page
    assert "\u202e" not in page


def test_a_co_binco_was_quicker_clear_message_nothing_changed(binco_a, site, local_mailman) -> None:
    message = report(f"snel@res.{site.domain}", site.members_list("aa"), "Al gedaan", "Tekst.")
    post(local_mailman.settings, message)
    wait_held(local_mailman.client(), site.members_list("aa"), message["Message-ID"])
    desk = open_desk(site.root, local_mailman.settings)
    item = next(i for i in inbox_lib.held_items(desk, ["aa"]) if i.message_id == message["Message-ID"])
    page = binco_a.get(f"/binco/aa/bericht/{item.digest}/").get_data(as_text=True)
    inbox_lib.moderate(desk, item.digest, "discard")  # the co-BINCO, at the command line
    local_mailman.clear_sink()
    late = binco_a.post(f"/binco/aa/bericht/{item.digest}/accept", data={"csrf": csrf_of(page)})
    assert late.status_code == 409 and "een andere BINCO heeft het intussen afgehandeld" in late.get_data(as_text=True)
    local_mailman.settle()
    assert not [d for d in local_mailman.deliveries(site.domain) if "Al gedaan" in str(d.message["Subject"])]


def test_write_check_at_the_line_then_publish_to_the_remote(binco_a, site) -> None:
    page = binco_a.get("/binco/aa/schrijven/").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "title": "Fietsen gestolen", "areas": "aa", "audience": "members",
            "body": "In de straat zijn fietsen gestolen.\n\nBel 06-12345678 als u iets zag.", "action": "preview"}
    checked = binco_a.post("/binco/aa/schrijven/", data=form)
    text = checked.get_data(as_text=True)
    assert checked.status_code == 400 and 'id="body-error"' in text and "regel 3:" in text
    assert "Voorbeeld: de website" in text
    head = git(site.remote, "rev-parse", "main")
    before = len(list(logbook.lines(site.root)))
    refused = binco_a.post("/binco/aa/schrijven/", data={**form, "action": "publish"})
    assert refused.status_code == 400 and git(site.remote, "rev-parse", "main") == head
    ok = {**form, "body": "In de straat zijn fietsen gestolen. Zet uw fiets op slot.",
          "members_only": "Bel 06-12345678 als u iets zag.", "action": "publish"}
    published = binco_a.post("/binco/aa/schrijven/", data=ok)
    assert published.status_code == 200, published.get_data(as_text=True)[-2000:]
    assert "Gepubliceerd: content/aa/" in published.get_data(as_text=True)
    assert git(site.remote, "log", "-1", "--format=%an", "main") == "BINCO Aa"
    # Other tests of this module publish in aa too: the commit adds this one file and nothing else.
    files = git(site.remote, "diff", "--name-only", head, "main").splitlines()
    assert len(files) == 1 and files[0].startswith("content/aa/") and files[0].endswith("-fietsen-gestolen.md")
    assert f"Gepubliceerd: {files[0]}" in published.get_data(as_text=True)
    assert "::: leden" in git(site.remote, "show", f"main:{files[0]}")
    lines = list(logbook.lines(site.root))[before:]
    assert [v["bulletin"] for v in lines if v["action"] == "publish"] == [files[0]]


def test_editing_a_published_bulletin_is_a_commit_and_a_stale_edit_changes_nothing(binco_a, site) -> None:
    page = binco_a.get("/binco/aa/schrijven/").get_data(as_text=True)
    made = binco_a.post("/binco/aa/schrijven/", data={
        "csrf": csrf_of(page), "title": "Bijeenkomst buurtpreventie", "areas": "aa", "audience": "members",
        "body": "Donderdag is er een bijeenkomst in het wijkcentrum.", "action": "publish"})
    assert made.status_code == 200, made.get_data(as_text=True)[-1500:]
    rel = next(f for f in git(site.remote, "ls-tree", "-r", "--name-only", "main", "content/aa/").splitlines()
               if "bijeenkomst" in f)
    edit = binco_a.get(f"/binco/aa/schrijven/?bestand={rel}").get_data(as_text=True)
    assert "Donderdag is er een bijeenkomst" in edit
    base = edit.split('name="base" value="', 1)[1].split('"', 1)[0]
    corrected = {"csrf": csrf_of(edit), "title": "Bijeenkomst buurtpreventie", "areas": "aa", "audience": "members",
                 "body": "Vrijdag (niet donderdag) is er een bijeenkomst in het wijkcentrum.", "action": "publish",
                 "rel": rel, "base": base}
    assert binco_a.post("/binco/aa/schrijven/", data=corrected).status_code == 200
    assert "Vrijdag (niet donderdag)" in git(site.remote, "show", f"main:{rel}")
    assert git(site.remote, "log", "-1", "--format=%s", "main").startswith("correctie: Bijeenkomst buurtpreventie")
    head = git(site.remote, "rev-parse", "main")
    stale = binco_a.post("/binco/aa/schrijven/", data={**corrected, "body": "Oude basis."})
    assert stale.status_code == 409 and "intussen gewijzigd" in stale.get_data(as_text=True)
    assert git(site.remote, "rev-parse", "main") == head
    # Another area's file through the edit link: refused.
    assert binco_a.get("/binco/aa/schrijven/?bestand=content/bb/2026-01-01-x.md").status_code == 403
    lines = list(logbook.lines(site.root))
    assert [v["action"] for v in lines if v.get("bulletin") == rel] == ["publish", "edit"]


def test_answer_the_resident_from_the_desk(binco_a, site, local_mailman) -> None:
    from binsite.devtools.sink import read_maildir
    from sitekit import poll
    resident = f"melder@res.{site.domain}"
    message = report(resident, site.members_list("aa"), "Kapotte lamp", "De lamp bij het speeltuintje is kapot.")
    post(local_mailman.settings, message)
    wait_held(local_mailman.client(), site.members_list("aa"), message["Message-ID"])
    digest = next(i.digest for i in inbox_lib.held_items(open_desk(site.root, local_mailman.settings), ["aa"])
                  if i.message_id == message["Message-ID"])
    page = binco_a.get(f"/binco/aa/bericht/{digest}/").get_data(as_text=True)
    partner = sorted(site.partners("aa"))[0]
    done = binco_a.post(f"/binco/aa/bericht/{digest}/answer", data={
        "csrf": csrf_of(page), "text": "Dank u, de gemeente is op de hoogte.",
        "partner_reply": f"De lamp wordt deze week vervangen.\n\nGroet,\nWijkmanager De Boer\n{partner}\n"})
    assert done.status_code == 200 and "Beantwoord" in done.get_data(as_text=True)
    got = poll(lambda: [d for d in read_maildir(local_mailman.maildir) if resident in d.envelope_to
                        and d.message["From"].addresses[0].addr_spec == f"bulletin@{site.domain}"], timeout=30,
               what="answer")  # (Mailman's own hold notice reached the resident before)
    text = got[0].message.get_body(("plain",)).get_content()
    assert "> De lamp wordt deze week vervangen." in text and partner not in got[0].message.as_string()
    assert "De Boer" not in text and got[0].message["From"].addresses[0].addr_spec == f"bulletin@{site.domain}"


def test_a_bad_member_file_is_an_error_at_its_line_and_changes_nothing(binco_a, site, local_mailman) -> None:
    import io
    page = binco_a.get("/binco/aa/leden/").get_data(as_text=True)
    counts = local_mailman.client().counts(site.members_list("aa")).members
    bad = binco_a.post("/binco/aa/leden/importeren", content_type="multipart/form-data", data={
        "csrf": csrf_of(page), "file": (io.BytesIO(b"naam\nJan\nPiet\n"), "leden.csv")})
    assert bad.status_code == 400 and "leden.csv:1: fout: geen kolom met e-mailadressen" in bad.get_data(as_text=True)
    assert local_mailman.client().counts(site.members_list("aa")).members == counts


def test_the_demo_login_link_logs_in_once(app, site, tmp_path) -> None:
    from binsite.devtools.desk_demo import login_link
    (tmp_path / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (tmp_path / "web-secret").write_text(SECRET)
    name, address, link = login_link(site.root, tmp_path)
    assert name == "Aa" and address == site.binco("aa") and link.startswith("http://127.0.0.1:8050/binco/inloggen/")
    client = app.test_client()
    page = client.get(path_of(link)).get_data(as_text=True)
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 302
    assert client.post(path_of(link), data={"csrf": csrf_of(page)}).status_code == 400


def test_a_login_link_never_follows_a_foreign_host_header(app, site, local_mailman) -> None:
    for limiter in app.extensions["binsite"].limiters.values():
        limiter.reset()
    client = app.test_client()
    page = client.get("/binco/", headers={"Host": "evil.example"}).get_data(as_text=True)
    before = len(login_mails(local_mailman, site.binco("bb")))
    client.post("/binco/inloggen/", data={"email": site.binco("bb"), "csrf": csrf_of(page)},
                headers={"Host": "evil.example"})
    link = wait_login_link(local_mailman, site.binco("bb"), before + 1)
    assert link.startswith("http://127.0.0.1/binco/inloggen/") and "evil" not in link


def _copy_of_session(app, client):
    """Another browser holding a copy of ``client``'s session cookie (stolen, or left behind)."""
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE, path="/binco/").value, path="/binco/")
    return copy


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(app, site, local_mailman) -> None:
    browser = app.test_client()
    log_in(browser, local_mailman, site.binco("aa"))
    copy = _copy_of_session(app, browser)
    assert copy.get("/binco/aa/").status_code == 200   # a copy works as long as the session lives
    page = browser.get("/binco/").get_data(as_text=True)
    assert browser.post("/binco/uitloggen/", data={"csrf": csrf_of(page)}).status_code == 200
    assert copy.get("/binco/aa/").status_code == 302
    login_page = copy.get("/binco/").get_data(as_text=True)
    assert copy.post("/binco/aa/leden/add", data={"email": f"kopie@res.{site.domain}",
                                                  "csrf": csrf_of(login_page)}).status_code == 403
    assert local_mailman.client().member(site.members_list("aa"), f"kopie@res.{site.domain}") is None
    # The store says which session ended by a digest only: no address, no session id.
    ended = ended_sessions(app)
    assert ended and site.binco("aa") not in ended and "@" not in ended
    # Logging in again is a new session that works.
    log_in(browser, local_mailman, site.binco("aa"))
    assert browser.get("/binco/aa/").status_code == 200


def test_logging_out_everywhere_ends_every_session_of_that_binco_only(app, site, local_mailman) -> None:
    phone, laptop, other = app.test_client(), app.test_client(), app.test_client()
    log_in(phone, local_mailman, site.binco("bb"))
    log_in(laptop, local_mailman, site.binco("bb"))
    log_in(other, local_mailman, site.binco("aa"))
    home = laptop.get("/binco/").get_data(as_text=True)
    assert "Overal uitloggen" in home
    done = laptop.post("/binco/overal-uitloggen/", data={"csrf": csrf_of(home)})
    assert done.status_code == 200 and "Op elk apparaat" in done.get_data(as_text=True)
    assert phone.get("/binco/bb/").status_code == 302 and laptop.get("/binco/bb/").status_code == 302
    assert other.get("/binco/aa/").status_code == 200   # another BINCO's session lives on
    # Without CSRF, or not logged in, nothing is recorded.
    before = ended_sessions(app)
    assert other.post("/binco/overal-uitloggen/", data={}).status_code == 403
    assert app.test_client().post("/binco/overal-uitloggen/", data={"csrf": "0" * 64}).status_code == 403
    assert ended_sessions(app) == before and other.get("/binco/aa/").status_code == 200
    # A login after it is a new session, on the phone too.
    log_in(phone, local_mailman, site.binco("bb"))
    assert phone.get("/binco/bb/").status_code == 200


def ended_sessions(app) -> str:
    """What the service's store holds of ended sessions, as text."""
    import sqlalchemy as sa
    from binsite.store import schema
    with app.extensions["binsite"].store.engine.connect() as conn:
        return repr([tuple(r) for r in conn.execute(sa.select(schema.ended_sessions))])


def test_a_session_cookie_without_its_login_moment_or_signed_otherwise_is_no_session(app, site) -> None:
    """A cookie made before sessions carried their moment of login, one signed with another key,
    and one whose moment was edited: none opens the desk."""
    address = site.binco("aa")
    right = URLSafeTimedSerializer(SECRET, salt="binsite-binco-session")
    wrong = URLSafeTimedSerializer(SECRET + "x", salt="binsite-binco-session")
    well_made = right.dumps({"a": address, "s": "x" * 24, "t": time.time()})
    payload, _, rest = well_made.partition(".")
    for value in (right.dumps({"a": address, "s": "x" * 24}),
                  right.dumps({"a": address, "s": "x" * 24, "t": "later"}),
                  wrong.dumps({"a": address, "s": "x" * 24, "t": time.time()}),
                  payload[:-2] + "zz." + rest):
        client = app.test_client()
        client.set_cookie(SESSION_COOKIE, value, path="/binco/")
        assert client.get("/binco/aa/").status_code == 302, value
    # The same, well made, does open it: the refusals above are about what was wrong.
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, well_made, path="/binco/")
    assert client.get("/binco/aa/").status_code == 200


