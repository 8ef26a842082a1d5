"""What a red team tried on the desk (issue 32), each settled where its effect lands: mails in
the sink, the git remote and the work trees, the pages as served; against the session's real
Mailman and a real git remote in tmp_path, with publishing on."""

from __future__ import annotations

import email.policy
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.build import build
from binsite.desk import logbook
from binsite.load import load_site
from binsite.mailing import compose as composer
from binsite.mailing.plan import PlannedMessage, Target
from binsite.web.app import create_app
from deskweb import DeskSite, desk_site, git, log_in, login_mails, path_of, wait_login_link
from sitekit import SCRIPT_SCHEME_VARIANTS, script_links
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of

pytestmark = pytest.mark.mailman

STRANGER = "203.0.113.66"
OWN = "198.51.100.7"


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"red{uuid.uuid4().hex[:8]}.bin.test.example"
    return desk_site(local_mailman, tmp_path_factory.mktemp("deskred"), domain, ("aa", "bb"))


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    for limiter in app.extensions["binsite"].limiters.values():
        limiter.reset()


@pytest.fixture(scope="module")
def binco_a(app, site, local_mailman):
    client = app.test_client()
    log_in(client, local_mailman, site.binco("aa"))
    return client


def _browser(app, remote_addr: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def _ask(client, address: str):
    page = client.get("/binco/").get_data(as_text=True)
    return client.post("/binco/inloggen/", data={"email": address, "csrf": csrf_of(page)})


def _sent(app, mailman: RunningMailman, address: str) -> int:
    app.extensions["binsite"].outbox.join()  # the links go out after the answer
    return len(login_mails(mailman, address))


# --- lock-out --------------------------------------------------------------------------------

def test_a_strangers_hundred_requests_never_keep_the_binco_out(app, site, local_mailman) -> None:
    binco = site.binco("aa")
    before = _sent(app, local_mailman, binco)
    stranger = _browser(app, STRANGER)
    page = stranger.get("/binco/").get_data(as_text=True)
    # Case and spaces fold to the one address; the stranger's own client is all that slows down.
    answers = [stranger.post("/binco/inloggen/", data={"email": f"  {binco.upper()} ", "csrf": csrf_of(page)})
               for _ in range(100)]
    codes = [a.status_code for a in answers]
    assert codes[:30] == [200] * 30 and set(codes[30:]) == {429}
    assert _sent(app, local_mailman, binco) == before + 3  # three links an hour from one client, not 100
    # The BINCO, from their own browser elsewhere: the same page, and a link that logs in.
    own = _browser(app, OWN)
    asked = _ask(own, binco)
    assert asked.status_code == 200 and asked.get_data(as_text=True) == answers[0].get_data(as_text=True)
    link = path_of(wait_login_link(local_mailman, binco, before + 4))
    confirm = own.get(link).get_data(as_text=True)
    assert own.post(link, data={"csrf": csrf_of(confirm)}).status_code == 302
    assert own.get("/binco/aa/").status_code == 200


def test_strangers_on_many_clients_fill_an_hour_but_the_binco_who_asked_still_gets_a_link(
        app, site, local_mailman) -> None:
    binco = site.binco("bb")
    before = _sent(app, local_mailman, binco)
    own = _browser(app, OWN)
    assert _ask(own, binco).status_code == 200  # the BINCO asked; the mail is slow, or was deleted
    crowd = [_ask(_browser(app, f"203.0.113.{10 + n}"), binco) for n in range(40)]
    assert {a.status_code for a in crowd} == {200}
    # The mailbox: ten links that hour, whatever the number of strangers' clients.
    assert _sent(app, local_mailman, binco) == before + 10
    # A browser that never asked (any stranger's) gets nothing more ...
    assert _ask(_browser(app, "192.0.2.99"), binco).status_code == 200
    assert _sent(app, local_mailman, binco) == before + 10
    # ... but the browser holding a recent request for this address is never refused, and its link works there.
    assert _ask(own, binco).status_code == 200
    link = path_of(wait_login_link(local_mailman, binco, before + 11))
    confirm = own.get(link).get_data(as_text=True)
    assert own.post(link, data={"csrf": csrf_of(confirm)}).status_code == 302
    assert own.get("/binco/bb/").status_code == 200


def test_a_cookie_for_another_address_or_a_forged_one_does_not_lift_the_limit(app, site, local_mailman) -> None:
    binco = site.binco("aa")
    before = _sent(app, local_mailman, binco)
    for n in range(12):
        _ask(_browser(app, f"203.0.113.{100 + n}"), binco)
    assert _sent(app, local_mailman, binco) == before + 10
    other = _browser(app, "192.0.2.5")
    _ask(other, f"zomaar@res.{site.domain}")  # a recent request, for another address
    assert _ask(other, binco).status_code == 200
    forged = _browser(app, "192.0.2.6")
    forged.set_cookie("binsite_login", "eyJub25jZSI6MX0.forged.signature", path="/binco/")
    assert _ask(forged, binco).status_code == 200
    assert _sent(app, local_mailman, binco) == before + 10


# --- the footer tells the truth --------------------------------------------------------------

def _cookie_names(response) -> set[str]:
    return {c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie") if "Max-Age=0" not in c
            and "=;" not in c}


def test_the_footer_says_which_cookies_the_desk_and_the_service_set(app, site, local_mailman) -> None:
    client = _browser(app, OWN)
    before = _sent(app, local_mailman, site.binco("aa"))
    set_by_desk: set[str] = set()
    page = client.get("/binco/")
    set_by_desk |= _cookie_names(page)
    asked = client.post("/binco/inloggen/", data={"email": site.binco("aa"), "csrf": csrf_of(page.get_data(as_text=True))})
    set_by_desk |= _cookie_names(asked)
    link = path_of(wait_login_link(local_mailman, site.binco("aa"), before + 1))
    confirm = client.get(link)
    done = client.post(link, data={"csrf": csrf_of(confirm.get_data(as_text=True))})
    set_by_desk |= _cookie_names(confirm) | _cookie_names(done)
    assert set_by_desk == {"binsite_csrf", "binsite_login", "binsite_binco"}
    footer = client.get("/binco/aa/").get_data(as_text=True).split('<footer class="site-footer">', 1)[1]
    assert "ten hoogste drie cookies" in footer and "inloglink" in footer and "ingelogd" in footer
    assert "één cookie" not in footer
    # The desk's error pages too (another area's page, an unknown desk address).
    for path, code in (("/binco/bb/", 403), ("/binco/nergens/bericht/x/y/z", 404)):
        refused = client.get(path)
        assert refused.status_code == code
        assert "ten hoogste drie cookies" in refused.get_data(as_text=True).split('<footer class="site-footer">', 1)[1]
    # The residents' pages: the forms' cookie, and after a form with an address the one that
    # remembers which address this browser asked for; their footer says both.
    resident = app.test_client()
    join = resident.get("/aanmelden/aa/")
    assert _cookie_names(join) == {"binsite_csrf"}
    sent = resident.post("/aanmelden/aa/", data={"email": "bewoner@res.example.org", "lives": "ja",
                                                 "csrf": csrf_of(join.get_data(as_text=True))})
    assert sent.status_code == 303 and _cookie_names(sent) == {"binsite_asked"}
    footer = join.get_data(as_text=True).split('<footer class="site-footer">', 1)[1]
    assert "ten hoogste twee cookies" in footer and "15 minuten" in footer and "inloglink" not in footer


# --- the statistics page ------------------------------------------------------------------------

def test_the_statistics_page_shows_only_the_binco_s_own_areas(binco_a, site) -> None:
    other = logbook.binco(site.binco("bb"))
    for n in range(7):
        logbook.record(site.root, other, logbook.PUBLISH, area="bb", bulletin=f"content/bb/2026-01-0{n}-x.md")
    logbook.record(site.root, logbook.binco(site.binco("aa")), logbook.PUBLISH, area="aa",
                   bulletin="content/aa/2026-01-09-eigen.md")
    page = binco_a.get("/binco/statistieken/")
    assert page.status_code == 200
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', page.get_data(as_text=True))
    assert rows and {name.strip().lower() for name, _ in rows} == {"aa"}
    assert not any(">7<" in cells for _, cells in rows)  # bb's seven bulletins are nowhere
    # Not logged in: no figures at all.
    assert _browser(app=binco_a.application, remote_addr=OWN).get("/binco/statistieken/").status_code == 302


# --- script schemes: preview, published page, mail --------------------------------------------

def _form(client, **fields) -> dict:
    page = client.get("/binco/aa/schrijven/").get_data(as_text=True)
    return {"csrf": csrf_of(page), "areas": "aa", "audience": "members", **fields}


def test_no_script_scheme_survives_in_the_preview_the_published_page_or_the_mail(binco_a, site, tmp_path) -> None:
    body = "Pas op voor deze links.\n\n" + "\n\n".join(SCRIPT_SCHEME_VARIANTS)
    preview = binco_a.post("/binco/aa/schrijven/", data=_form(binco_a, title="Vreemde links", body=body,
                                                              action="preview"))
    html = preview.get_data(as_text=True)
    assert "Voorbeeld: de website" in html
    assert script_links(html) == []
    published = binco_a.post("/binco/aa/schrijven/", data=_form(binco_a, title="Vreemde links", body=body,
                                                                action="publish"))
    assert published.status_code == 200, published.get_data(as_text=True)[-1500:]
    assert script_links(published.get_data(as_text=True)) == []
    rel = re.search(r"Gepubliceerd: (content/aa/[^ ]+\.md)", published.get_data(as_text=True)).group(1)
    # What CI builds and sends from the remote.
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "--quiet", str(site.remote), str(clone))
    now = datetime.now(ZoneInfo("Europe/Amsterdam"))
    out = tmp_path / "out"
    build(clone, out, now=now)
    page = out / rel.removeprefix("content/").removesuffix(".md") / "index.html"
    assert "Pas op voor deze links." in page.read_text(encoding="utf-8")
    for built in out.rglob("*.html"):
        assert script_links(built.read_text(encoding="utf-8")) == [], built
    loaded = load_site(clone, now).raise_for_errors()
    bulletin = loaded.site.bulletin(rel.removeprefix("content/").removesuffix(".md"))
    area = loaded.site.area("aa")
    message = composer.compose(PlannedMessage(bulletin, Target(area.members_list(site.domain), "aa", "members"), ()),
                               loaded.site, body=loaded.body(bulletin))
    received = email.message_from_bytes(bytes(message), policy=email.policy.default)
    mail_html = received.get_body(("html",)).get_content()
    assert "Pas op voor deze links." in mail_html
    assert script_links(mail_html) == []


# --- path traversal with publishing on ------------------------------------------------------------

SECRET_BB = "GEHEIM-VAN-BB-4711"
SECRET_OUTSIDE = "GEHEIM-BUITEN-0815"


@pytest.fixture
def planted(site: DeskSite, tmp_path_factory) -> Iterator[dict[str, Path]]:
    """The remote with another area's bulletin and symbolic links in aa's folder (a hostile or
    careless commit), and a file outside every repository. Taken off the remote again after the
    test, so the module's other tests (which build what the remote holds) never see it, whichever
    order they run in."""
    folder = tmp_path_factory.mktemp("planted")
    outside = folder / "buiten.md"
    outside.write_text(f"---\ntitle: Buiten\ndate: 2026-01-01\n---\n{SECRET_OUTSIDE}\n", encoding="utf-8")
    work = folder / "work"
    git(folder, "clone", "--quiet", str(site.remote), str(work))
    (work / "content/bb").mkdir(parents=True, exist_ok=True)
    (work / "content/aa").mkdir(parents=True, exist_ok=True)
    (work / "content/bb/2026-01-01-geheim.md").write_text(
        f"---\ntitle: Geheim\ndate: 2026-01-01\n---\n{SECRET_BB}\n", encoding="utf-8")
    os.symlink("../../binsite.yaml", work / "content/aa/2026-01-02-link.md")
    os.symlink(str(outside), work / "content/aa/2026-01-03-absoluut.md")
    os.symlink("../bb/2026-01-01-geheim.md", work / "content/aa/2026-01-04-bb.md")
    os.symlink("bb", work / "content/notices")
    git(work, "add", "-A")
    git(work, "-c", "user.name=Boos", "-c", "user.email=boos@example.org", "commit", "--quiet", "-m", "links")
    git(work, "push", "--quiet", "origin", "main")
    yield {"outside": outside}
    git(work, "pull", "--quiet", "--rebase", "origin", "main")
    git(work, "rm", "--quiet", "-r", "content/bb/2026-01-01-geheim.md", "content/aa/2026-01-02-link.md",
        "content/aa/2026-01-03-absoluut.md", "content/aa/2026-01-04-bb.md", "content/notices")
    git(work, "-c", "user.name=Boos", "-c", "user.email=boos@example.org", "commit", "--quiet", "-m", "weg")
    git(work, "push", "--quiet", "origin", "main")


TRAVERSALS = (
    "content/aa/../bb/2026-01-01-geheim.md",
    "content/notices/../../binsite.yaml",
    "content/notices/../bb/2026-01-01-geheim.md",
    "content/aa/..%2fbb%2f2026-01-01-geheim.md",
    "content/aa/%2e%2e/bb/2026-01-01-geheim.md",
    "content/aa\\..\\bb\\2026-01-01-geheim.md",
    "content/aa/./../bb/2026-01-01-geheim.md",
    "/etc/passwd",
    "//etc/passwd",
    "content/bb/2026-01-01-geheim.md",
    "content/aa/2026-01-02-link.md",
    "content/aa/2026-01-03-absoluut.md",
    "content/aa/2026-01-04-bb.md",
    "content/notices/2026-01-01-geheim.md",
    "content/aa/2026-01-01-x.md\x00.yaml",
    "content/aa/\u2025/bb/2026-01-01-geheim.md",
)


def _state(site: DeskSite, planted: dict[str, Path]) -> tuple:
    clone = Path(site.env["BINSITE_GIT_WORKDIR"])
    # The site's files (its build cache under .binsite/ is the service's own and changes on a first load).
    return (git(site.remote, "rev-parse", "main"), git(site.root, "status", "--porcelain", "--", ".", ":(exclude).binsite"),
            (site.root / "binsite.yaml").read_bytes(), planted["outside"].read_bytes(),
            git(clone, "status", "--porcelain") if (clone / ".git").is_dir() else "",
            (clone / "binsite.yaml").read_bytes() if clone.is_dir() else b"")


@pytest.mark.parametrize("rel", TRAVERSALS)
def test_every_file_parameter_refuses_paths_outside_the_own_folder(binco_a, site, planted, rel) -> None:
    binco_a.get("/binco/aa/schrijven/")  # the clone is in step with the remote
    before = _state(site, planted)
    config = (site.root / "binsite.yaml").read_text(encoding="utf-8")
    opened = binco_a.get("/binco/aa/schrijven/", query_string={"bestand": rel})
    assert opened.status_code in (403, 404), rel
    written = binco_a.post("/binco/aa/schrijven/", data=_form(
        binco_a, title="Overschreven", body="OVERSCHREVEN", action="publish", rel=rel, base="0" * 40))
    assert written.status_code in (403, 404, 409), rel
    for response in (opened, written):
        text = response.get_data(as_text=True)
        assert SECRET_BB not in text and SECRET_OUTSIDE not in text and "root:x:0:0" not in text
        assert f"domain: {site.domain}" not in text and config[:40] not in text
    assert _state(site, planted) == before


def test_a_new_bulletin_is_never_written_through_a_linked_folder(binco_a, site, planted) -> None:
    binco_a.get("/binco/aa/schrijven/")  # the clone is in step with the remote (or made, if no test made it)
    before = _state(site, planted)
    areas_escape = binco_a.post("/binco/aa/schrijven/", data={
        **_form(binco_a, title="Omweg", body="Via een omweg.", action="publish"), "areas": ["aa", "../bb"]})
    assert areas_escape.status_code == 403
    assert _state(site, planted) == before


def test_an_import_file_name_is_only_a_label(binco_a, site) -> None:
    page = binco_a.get("/binco/aa/leden/").get_data(as_text=True)
    import base64
    answer = binco_a.post("/binco/aa/leden/importeren", data={
        "csrf": csrf_of(page), "name": "../../../../etc/passwd",
        "upload": base64.b64encode(b"email\nnieuw@res.example.org\n").decode("ascii")})
    assert answer.status_code == 200
    assert "root:x:0:0" not in answer.get_data(as_text=True)
    assert "1 nieuw, 0 al lid" in answer.get_data(as_text=True)  # the upload's one line, not the named file
