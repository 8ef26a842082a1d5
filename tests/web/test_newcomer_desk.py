"""What a newcomer meets in the desk (issue 33): the guard's findings in the preview
without a git remote, and ``make demo``'s web service, which publishes to a local
bare remote and keeps its state (private) under the demo's own folder, never in state/.

Against the session's real Mailman and sink; the demo's web service is a real
``binsite web`` process started by ``binsite.devtools.local_web``."""

from __future__ import annotations

import html
import json
import shutil
import stat
import uuid
from pathlib import Path

import pytest
import requests

from binsite.desk import publish as publish_lib
from binsite.devtools.desk_demo import login_link
from binsite.devtools.local_mailman import STATE_FILE
from binsite.devtools.local_web import LocalWeb
from binsite.load import load_site
from binsite.web.app import create_app
from deskweb import DeskSite, desk_site, git, log_in
from sitekit import TZ
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of

pytestmark = pytest.mark.mailman

# A name, a street with a house number, a licence plate and a phone number: `binsite check`
# reports three errors and one warning.
LEAKY = ("Gisteren zag Jan de Vries iemand bij de Maaspoortweg 12 rondlopen.\n\n"
         "De auto had kenteken XB-34-KM. Bel 06-12345678 als u iets zag.")


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"new{uuid.uuid4().hex[:8]}.bin.test.example"
    return desk_site(local_mailman, tmp_path_factory.mktemp("newcomer"), domain, ("aa", "bb"))


def test_the_preview_shows_the_guards_findings_at_their_lines_without_a_remote(site, local_mailman) -> None:
    env = {k: v for k, v in site.env.items() if k not in (publish_lib.REMOTE_VAR, publish_lib.WORKDIR_VAR)}
    client = create_app(site.root, environ=env).test_client()
    log_in(client, local_mailman, site.binco("aa"))
    page = client.get("/binco/aa/schrijven/").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "title": "Inbraak gezien", "areas": "aa", "audience": "members",
            "body": LEAKY, "action": "preview"}
    checked = client.post("/binco/aa/schrijven/", data=form)
    text = html.unescape(checked.get_data(as_text=True))
    assert checked.status_code == 400 and "Voorbeeld: de website" in text
    # What `binsite check` says of the same file, finding for finding, at the body's own lines.
    bulletin = publish_lib.bulletin_text(publish_lib.BulletinForm(form["title"], LEAKY, ("aa",), audience="members"),
                                         area_names={"aa": "Aa", "bb": "Bb"}, when=_now())
    copy = shutil.copytree(site.root, site.root.parent / "check-copy", ignore=shutil.ignore_patterns(".git"))
    (copy / bulletin.rel).parent.mkdir(parents=True, exist_ok=True)
    (copy / bulletin.rel).write_text(bulletin.text, encoding="utf-8")
    found = [p for p in load_site(copy, _now(), workers=1).problems if p.path == bulletin.rel]
    assert sorted(p.is_error for p in found) == [False, True, True, True]
    for problem in found:
        field, line = bulletin.field_of(problem.line)
        assert field == "body" and f"regel {line}: {problem.says('nl')}" in text
        assert problem.format("nl").endswith(problem.says("nl"))  # word for word what `binsite check` prints
    assert 'id="body-error"' in text and "Publiceren is op deze dienst niet ingesteld" in text


def _now():
    from datetime import datetime
    return datetime.now(TZ)


def _state_files(root: Path) -> dict[str, bytes]:
    folder = root / "state"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_session_mailman_keeps_its_folder_config_and_mails_private(local_mailman) -> None:
    state_dir = local_mailman.local.state_dir
    assert _mode(state_dir) == 0o700 and _mode(local_mailman.maildir) == 0o700
    assert _mode(state_dir / "gunicorn.cfg") == 0o600 and _mode(state_dir / "sink.log") == 0o600
    mails = list((local_mailman.maildir / "new").iterdir())
    assert mails and all(_mode(m) == 0o600 for m in mails)


def test_the_demo_web_service_publishes_to_its_own_remote_and_keeps_state_private(site, local_mailman,
                                                                                  tmp_path) -> None:
    # The demo's folder: the session Mailman's state file, as `make demo` would have it.
    demo_dir = tmp_path / "local"
    demo_dir.mkdir(mode=0o700)
    shutil.copy(local_mailman.local.state_dir / STATE_FILE, demo_dir / STATE_FILE)
    before = _state_files(site.root)
    web = LocalWeb(site.root, demo_dir)
    state = web.start()
    try:
        _area, address, link = login_link(site.root, demo_dir)
        browser = requests.Session()
        confirm = browser.get(link, timeout=10)
        logged_in = browser.post(link, data={"csrf": csrf_of(confirm.text)}, timeout=10)
        assert logged_in.status_code == 200 and "Uitloggen" in logged_in.text
        write = browser.get(f"{state.url}binco/aa/schrijven/", timeout=10)
        assert "niet ingesteld" not in write.text
        published = browser.post(f"{state.url}binco/aa/schrijven/", timeout=60, data={
            "csrf": csrf_of(write.text), "title": "Fietsen op slot", "areas": "aa", "audience": "members",
            "body": "Zet uw fiets op slot, ook overdag.", "action": "publish"})
        assert published.status_code == 200 and "Gepubliceerd: content/aa/" in published.text, published.text[-1500:]
        left = browser.post(f"{state.url}binco/uitloggen/", data={"csrf": csrf_of(published.text)}, timeout=10)
        assert left.status_code == 200, left.text[-800:]
    finally:
        web.stop()
    remote = demo_dir / "remote.git"
    files = git(demo_dir, f"--git-dir={remote}", "ls-tree", "-r", "--name-only", "main", "content/aa/").splitlines()
    assert len(files) == 1 and "Zet uw fiets op slot" in git(demo_dir, f"--git-dir={remote}", "show", f"main:{files[0]}")
    assert git(demo_dir, f"--git-dir={remote}", "log", "-1", "--format=%an", "main") == "BINCO Aa"
    # Its logbook and sessions beside the demo's ledger, never in the site's state/.
    ledger = demo_dir / "ledger"
    assert _state_files(site.root) == before
    # The demo service's store (its logbook, login claims and sessions) is web.sqlite there.
    from binsite.store import Store
    logged = [json.loads(line) for line in Store(f"sqlite:///{ledger / 'web.sqlite'}").log_lines()]
    assert any(v["action"] == "publish" and v["bulletin"] == files[0] for v in logged)
    for private in (ledger / "web.sqlite", demo_dir / "web.log"):
        assert _mode(private) == 0o600, private
    assert _mode(ledger) == 0o700 and address


def test_a_ledger_file_in_a_private_folder_is_private(tmp_path) -> None:
    from binsite.mailing.ledger import append_line, rewrite_entries

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    append_line(private / "sent.jsonl", "{}")
    rewrite_entries(private / "other.jsonl", [])
    assert _mode(private / "sent.jsonl") == 0o600 and _mode(private / "other.jsonl") == 0o600
    shared = tmp_path / "state"
    shared.mkdir(mode=0o755)
    append_line(shared / "sent.jsonl", "{}")
    assert _mode(shared / "sent.jsonl") & 0o044  # a repository's state/ keeps the usual mode
