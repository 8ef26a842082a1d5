"""The web report form without Mailman: what it refuses, and what it never keeps.

The Mailman side (held message, photo as delivered, forward to partners) is in
``test_report.py``. Here SMTP and Mailman point at closed ports, so a form that
passes would end in a 503: every test below is about what happens before that."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from binsite import tokens
from binsite.paths import pending_reports_dir
from binsite.reports.form import Photo, Report, held_message, read_report
from binsite.reports.store import DatabasePendingReports, FilePendingReports, StoreFull
from binsite.store import site_store
from binsite.source.areas import load_areas
from binsite.web.app import create_app
from sitekit import SECRETS, area, leaky_jpeg, leaky_pdf, leaky_png, write_site
from webkit import SECRET, csrf_of, environ, with_web_url

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 7, 6, 30, tzinfo=TZ)
MAX_FILE = 10_000_000


@pytest.fixture
def root(tmp_path):
    root = write_site(tmp_path / "site", "x.example", {"noord": area("Noord", "x.example", "noord")})
    (root / "lists/noord.yaml").write_text((root / "lists/noord.yaml").read_text() + "reports: anyone\n")
    return with_web_url(root, "https://bin.test.example/dienst/")


@pytest.fixture
def app(root):
    return create_app(root, environ=environ())


def _form(**more):
    return {"what": "Twee mannen keken in auto's.", "when": "2026-12-07T06:10", "where": "Dorpsstraat",
            "email": "buur@res.example.org", **more}


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG that claims huge dimensions over a few hundred bytes of zlib."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- the area setting ---------------------------------------------------------------

def test_reports_setting_default_members_anyone_and_a_typo_at_its_line(tmp_path) -> None:
    root = write_site(tmp_path / "s", "x.example", {"noord": area("Noord", "x.example", "noord"),
                                                   "zuid": area("Zuid", "x.example", "zuid"),
                                                   "west": area("West", "x.example", "west")})
    (root / "lists/zuid.yaml").write_text((root / "lists/zuid.yaml").read_text() + "reports: anyone\n")
    text = (root / "lists/west.yaml").read_text() + "reports: leden\n"
    (root / "lists/west.yaml").write_text(text)
    areas, problems = load_areas(root, None)
    by_id = {a.id: a for a in areas}
    assert by_id["noord"].reports == "members" and by_id["zuid"].reports == "anyone"
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    line = text.splitlines().index("reports: leden") + 1
    assert errors[0].path == "lists/west.yaml" and errors[0].line == line
    assert "'members'" in str(errors[0].message.get("nl")) and "'leden'" in str(errors[0].message.get("nl"))


# --- the form ------------------------------------------------------------------------

def test_the_page_puts_112_first_and_works_as_a_plain_form(app) -> None:
    html = app.test_client().get("/dienst/melden/noord/").get_data(as_text=True)
    main = html.split('<main id="inhoud"', 1)[1]
    assert main.index("Bel 112") < main.index("<h1>") < main.index("<form")
    assert "0900-8844" in main.split("<h1>")[0]
    assert 'enctype="multipart/form-data"' in main and "<script" not in main
    for name in ("what", "when", "where", "photo", "email"):
        assert f'name="{name}"' in main
    assert 'type="datetime-local"' in main and "huisnummer" in main


def test_every_field_wrong_gives_each_its_dutch_error_and_nothing_is_stored(app, root) -> None:
    client = app.test_client()
    csrf = csrf_of(client.get("/dienst/melden/noord/").get_data(as_text=True))
    response = client.post("/dienst/melden/noord/", data={"csrf": csrf, "what": "", "when": "gisteren",
                                                          "where": "", "email": "geen-adres"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("Beschrijf wat er gebeurde", "Vul een datum en tijd in", "Vul een straat of plek in",
                 "Vul een geldig e-mailadres in"):
        assert text in html
    assert not pending_reports_dir(root).exists() and site_store(root).reports_pending() == 0


def test_a_future_moment_and_a_too_long_text_are_refused() -> None:
    from binsite.source.areas import Area
    noord = Area("noord", "Noord", "", "", ("b@x.example",), (), "", "lists/noord.yaml")
    future = read_report(noord, _form(when=(NOW + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")), None, tz=TZ,
                         max_file=MAX_FILE, now=NOW)
    assert "toekomst" in future.errors["when"].get("nl")
    long = read_report(noord, _form(what="x" * 5_001), None, tz=TZ, max_file=MAX_FILE, now=NOW)
    assert "hoogstens 5.000 tekens" in long.errors["what"].get("nl")
    empty_when = read_report(noord, _form(when=""), None, tz=TZ, max_file=MAX_FILE, now=NOW)
    assert empty_when.report is not None and empty_when.report.when == NOW  # default: now


def test_ten_megabytes_of_text_is_a_dutch_413_and_nothing_is_stored(app, root) -> None:
    client = app.test_client()
    csrf = csrf_of(client.get("/dienst/melden/noord/").get_data(as_text=True))
    response = client.post("/dienst/melden/noord/", data={**_form(what="a" * 10_000_000), "csrf": csrf},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Het formulier was te groot" in html and "Niets is verstuurd" in html
    assert 'name="what"' in html  # the form again, not a bare error
    assert not pending_reports_dir(root).exists() and site_store(root).reports_pending() == 0


@pytest.mark.parametrize("name, data, expected", [
    ("pdf", leaky_pdf(), "geen foto"),
    ("html-as-gif", b"GIF89a<script>alert(1)</script>", "geen foto"),
    ("truncated-jpeg", leaky_jpeg()[:200], "kan niet gelezen worden"),
    ("png-bomb", bomb_png(), "miljoen pixels"),
])
def test_a_photo_that_is_not_a_photo_is_refused_in_dutch(app, root, name, data, expected) -> None:
    client = app.test_client()
    csrf = csrf_of(client.get("/dienst/melden/noord/").get_data(as_text=True))
    response = client.post("/dienst/melden/noord/", data={**_form(), "csrf": csrf,
                                                          "photo": (io.BytesIO(data), "foto.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert not pending_reports_dir(root).exists() and site_store(root).reports_pending() == 0


def test_a_polyglot_photo_comes_out_as_pixels_only() -> None:
    from binsite.source.areas import Area
    noord = Area("noord", "Noord", "", "", ("b@x.example",), (), "", "lists/noord.yaml")
    payload = b"%PDF-1.4 <html><script>alert('x')</script></html> PK\x03\x04"
    read = read_report(noord, _form(), leaky_jpeg(600, 400) + payload, tz=TZ, max_file=MAX_FILE, now=NOW)
    assert read.report is not None and read.report.photo is not None
    data = read.report.photo.data
    assert b"script" not in data and b"%PDF" not in data and b"PK\x03\x04" not in data
    for secret in SECRETS:
        assert secret not in data
    assert b"Exif" not in data and b"http://ns.adobe.com/xap" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (400, 600)  # orientation 6 applied to the pixels
        assert not image.getexif()


def test_header_and_html_injection_stay_text() -> None:
    from binsite.source.areas import Area
    noord = Area("noord", "Noord", "", "", ("b@x.example",), (), "", "lists/noord.yaml")
    evil = _form(what="Ramen\r\nBcc: evil@attacker.example\r\n\r\n<script>alert(1)</script>",
                 where="Dorpsstraat\r\nBcc: evil@attacker.example", email="buur@res.example.org\r\nBcc: e@a.example")
    assert "email" in read_report(noord, evil, None, tz=TZ, max_file=MAX_FILE, now=NOW).errors
    evil["email"] = "buur@res.example.org"
    report = read_report(noord, evil, None, tz=TZ, max_file=MAX_FILE, now=NOW).report
    assert report is not None and "\n" not in report.where
    message = held_message(report, noord, "noord@x.example", "a" * 32, domain="x.example", lang="nl", now=NOW)
    wire = message.as_bytes()
    head = wire.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in head and b"evil@" not in head
    assert message["Subject"].startswith("Melding via de website: Ramen")
    assert [str(a) for a in message["From"].addresses] == ["buur@res.example.org"]


def test_the_pending_store_keeps_only_the_rebuilt_photo_in_0600_files_and_one_taker(tmp_path) -> None:
    store = FilePendingReports(tmp_path / "state" / "web-reports", max_age=3600)
    photo = Photo(b"rebuilt", "JPEG")
    report = Report("noord", "buur@res.example.org", "Wat", NOW, "Dorpsstraat", photo)
    report_id = store.add(report)
    files = [p for p in store.folder.iterdir() if not p.name.startswith(".")]
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    assert (store.folder / ".gitignore").read_text() == "*\n"
    assert store.take("../../etc/passwd") is None and store.take("f" * 32) is None
    assert store.take(report_id) == report
    assert store.take(report_id) is None  # taken: nobody else gets it
    store.put_back(report_id)
    assert store.take(report_id) == report
    store.done(report_id)
    assert store.take(report_id) is None and store.count() == 0


def test_the_database_store_gives_a_report_to_one_taker_of_many_at_once(tmp_path) -> None:
    """What the service uses: the same promises in the database every instance shares, and
    of eight takers at once (threads, one connection each) exactly one gets the report."""
    from binsite.store import Store
    database = Store(f"sqlite:///{tmp_path / 'web.sqlite'}")
    database.upgrade()
    store = DatabasePendingReports(database, max_age=3600, max_pending=2)
    report = Report("noord", "buur@res.example.org", "Wat", NOW, "Dorpsstraat", Photo(b"rebuilt", "JPEG"))
    report_id = store.add(report)
    assert store.take("../../etc/passwd") is None and store.take("f" * 32) is None and store.take(report_id.upper()) is None
    got: list[Report | None] = []
    threads = [threading.Thread(target=lambda: got.append(store.take(report_id))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [g for g in got if g is not None] == [report] and got.count(None) == 7
    store.put_back(report_id)
    assert store.take(report_id) == report
    store.done(report_id)
    assert store.take(report_id) is None and store.count() == 0
    store.add(report), store.add(report)
    with pytest.raises(StoreFull):
        store.add(report)
    # Past max_age a report can no longer be taken, and the next add removes it.
    late = DatabasePendingReports(database, max_age=0.000001, max_pending=2)
    assert all(late.take(i) is None for i, _data in database.reports())
    late.add(report)
    assert store.count() == 1


def test_forged_and_foreign_confirmation_links_are_a_dutch_400(app) -> None:
    client = app.test_client()
    from binsite.mailman.client import list_id
    good = tokens.sign(SECRET, tokens.REPORT, (list_id("noord@x.example"), "a" * 32))
    forged = tokens.sign("another-secret-of-enough-bytes", tokens.REPORT, (list_id("noord@x.example"), "a" * 32))
    other_purpose = tokens.sign(SECRET, tokens.JOIN, (list_id("noord@x.example"), "a" * 32))
    foreign = tokens.sign(SECRET, tokens.REPORT, (list_id("noord@elders.example"), "a" * 32))
    for token in (forged, other_purpose, foreign, good[:-3] + "AAA", "x" * 2000):
        response = client.get(f"/dienst/melden/bevestig/{token}")
        assert response.status_code == 400 and "Deze link werkt niet" in response.get_data(as_text=True)
    page = client.get(f"/dienst/melden/bevestig/{good}").get_data(as_text=True)
    done = client.post(f"/dienst/melden/bevestig/{good}", data={"csrf": csrf_of(page)})
    assert done.status_code == 200 and "al gebruikt of verlopen" in done.get_data(as_text=True)


def test_a_burst_of_1000_reports_from_one_client_is_refused_after_the_limit(app, root) -> None:
    client = app.test_client()
    csrf = csrf_of(client.get("/dienst/melden/noord/").get_data(as_text=True))
    codes = [client.post("/dienst/melden/noord/", data={**_form(email=f"b{i}@res.example.org"), "csrf": csrf}).status_code
             for i in range(1000)]
    limit = app.extensions["binsite"].limiters["report"].limit
    # The SMTP port is closed: those within the limit end in 503 (and leave nothing behind).
    assert codes[:limit] == [503] * limit and set(codes[limit:]) == {429}
    assert "Even geduld" in client.post("/dienst/melden/noord/", data={**_form(), "csrf": csrf}).get_data(as_text=True)
    assert site_store(root).reports_pending() == 0


def test_make_demo_prints_a_working_report_form_url(app, root, tmp_path, capsys) -> None:
    from binsite.devtools import desk_demo
    (tmp_path / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (tmp_path / "web-secret").write_text(SECRET)
    name, url = desk_demo.report_url(root, tmp_path)
    assert name == "Noord" and url == "http://127.0.0.1:8050/melden/noord/"
    page = app.test_client().get("/dienst" + url.split(":8050", 1)[1])
    assert page.status_code == 200 and "Iets melden in Noord" in page.get_data(as_text=True)
    assert desk_demo.report_url(root, tmp_path / "nergens") is None
