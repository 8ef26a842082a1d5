"""The web service's frame: configuration, CSRF, security headers, error pages, logs, limits.

Flask's test client against the real application built from the fixture
site; nothing here needs Mailman (that is tests/web/test_residents.py).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from flask import Blueprint

from binsite.errors import BinsiteError, InvalidSite
from binsite.web.ratelimit import RateLimiter
from binsite.web.app import create_app, scrub
from sitekit import copy_fixture
from webkit import SECRET, csrf_of, environ, with_web_url


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return copy_fixture("mini", tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site, environ=environ())

    probe = Blueprint("probe", __name__)

    @probe.route("/probe/", methods=["GET", "POST"])
    def probe_view():
        from flask import render_template_string, request
        if request.method == "POST":
            return "posted"
        return render_template_string("<form method=post>{{ csrf_field() }}</form>")

    @probe.get("/boom/")
    def boom():
        raise RuntimeError("kapot bij bewoner@example.org")

    app.register_blueprint(probe)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_every_answer_has_the_security_headers(client):
    for path in ("/", "/aanmelden/noord/", "/nergens/", "/assets/style.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_load_nothing_from_elsewhere(client):
    html = client.get("/aanmelden/noord/").get_data(as_text=True)
    for attribute in ('src="http', "src='http", 'href="//', "@import"):
        assert attribute not in html
    # Every stylesheet and icon is the service's own.
    assert 'href="/assets/style.css"' in html and 'href="/assets/web.css"' in html


def test_a_post_without_the_csrf_field_changes_nothing(client):
    client.get("/probe/")
    response = client.post("/probe/", data={"x": "1"})
    assert response.status_code == 403
    assert "Dit mag niet" in response.get_data(as_text=True)


def test_a_post_with_the_field_of_another_cookie_is_refused(app):
    first, second = app.test_client(), app.test_client()
    token = csrf_of(first.get("/probe/").get_data(as_text=True))
    second.get("/probe/")
    assert second.post("/probe/", data={"csrf": token}).status_code == 403
    assert first.post("/probe/", data={"csrf": token}).get_data(as_text=True) == "posted"


def test_the_csrf_cookie_is_http_only_and_strict(client):
    response = client.get("/probe/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_forged_cookie_and_field_pair_needs_the_secret(client):
    import hashlib
    import hmac
    client.set_cookie("binsite_csrf", "a" * 32)
    wrong = hmac.new(b"another-secret-0123456789", b"binsite-csrf\x1f" + b"a" * 32, hashlib.sha256).hexdigest()
    assert client.post("/probe/", data={"csrf": wrong}).status_code == 403
    right = hmac.new(SECRET.encode(), b"binsite-csrf\x1f" + b"a" * 32, hashlib.sha256).hexdigest()
    assert client.post("/probe/", data={"csrf": right}).status_code == 200


@pytest.mark.parametrize("method, path, code, words", [
    ("get", "/nergens/", 404, "Pagina niet gevonden"),
    ("put", "/aanmelden/noord/", 405, "Dat kan zo niet"),
    ("get", "/boom/", 500, "Er ging iets mis"),
    ("get", "/aanmelden/../../etc/passwd", 404, "Pagina niet gevonden"),
    ("get", "/assets/..%2fbase.html", 404, "Pagina niet gevonden"),
])
def test_errors_are_dutch_pages_without_a_traceback(client, method, path, code, words):
    response = getattr(client, method)(path)
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert words in html and '<html lang="nl">' in html
    assert "Traceback" not in html and "RuntimeError" not in html and "bewoner@" not in html


def test_a_request_too_large_is_a_dutch_page(client):
    token = csrf_of(client.get("/probe/").get_data(as_text=True))
    response = client.post("/probe/", data={"csrf": token, "x": "y" * 100_000})
    assert response.status_code == 413 and "Te veel tekst" in response.get_data(as_text=True)


def test_english_when_the_site_is_english(tmp_path):
    root = copy_fixture("mini", tmp_path)
    config = root / "binsite.yaml"
    config.write_text(config.read_text().replace("language: nl", "language: en"))
    response = create_app(root, environ=environ()).test_client().get("/nergens/")
    assert "Page not found" in response.get_data(as_text=True) and '<html lang="en">' in response.get_data(as_text=True)


def test_the_log_holds_no_address_and_no_token(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/boom/")
    text = caplog.text
    assert "kapot bij addr:" in text
    assert "bewoner@example.org" not in text
    assert scrub("GET /aanmelden/bevestig/eyJhYmMi.xyz HTTP/1.1 mail a.b@c.nl", SECRET.encode()) \
        .startswith("GET /aanmelden/bevestig/… HTTP/1.1 mail addr:")


def test_missing_environment_is_one_clear_error(site):
    with pytest.raises(BinsiteError) as caught:
        create_app(site, environ={"BINSITE_SECRET_KEY": SECRET})
    text = caught.value.message("nl")
    for name in ("BINSITE_MAILMAN_URL", "BINSITE_MAILMAN_PASSWORD", "BINSITE_SMTP_HOST", "BINSITE_SMTP_PORT"):
        assert name in text
    with pytest.raises(BinsiteError) as caught:
        create_app(site, environ=environ(BINSITE_SECRET_KEY="kort"))
    assert "te kort" in caught.value.message("nl")


def test_a_broken_site_is_refused_at_start(tmp_path):
    root = copy_fixture("mini", tmp_path)
    (root / "binsite.yaml").write_text("title: [\n")
    with pytest.raises(InvalidSite):
        create_app(root, environ=environ())


def test_the_service_lives_under_the_path_of_web_url(tmp_path):
    root = with_web_url(copy_fixture("mini", tmp_path), "https://bin.test.example/dienst/")
    client = create_app(root, environ=environ()).test_client()
    html = client.get("/dienst/aanmelden/noord/").get_data(as_text=True)
    assert 'action="/dienst/aanmelden/noord/"' in html
    assert 'href="/dienst/assets/style.css"' in html
    response = create_app(root, environ=environ()).test_client().get("/dienst/aanmelden/noord/")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "Path=/dienst" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_rate_limiter_counts_per_key_within_the_window():
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0], max_keys=3)
    assert limiter.hit("a") and limiter.hit("a") and not limiter.hit("a")
    assert limiter.hit("b")
    now[0] = 10.5
    assert limiter.hit("a")
    for key in "cdef":
        limiter.hit(key)
    assert len(limiter.store) == 3  # bounded memory: the oldest keys went first


def test_the_limiter_counts_in_whatever_store_it_is_given():
    class Shared:
        """A store two limiters (two processes) share, as a database table would be."""

        def __init__(self):
            self.rows: list[tuple[str, float]] = []

        def hit(self, key, limit, window, now):
            recent = [t for k, t in self.rows if k == key and t > now - window]
            if len(recent) >= limit:
                return False
            self.rows.append((key, now))
            return True

        def clear(self):
            self.rows.clear()

    store = Shared()
    one, two = RateLimiter(3, 60.0, store=store), RateLimiter(3, 60.0, store=store)
    assert [one.hit("k"), two.hit("k"), one.hit("k"), two.hit("k")] == [True, True, True, False]
    one.reset()
    assert store.rows == [] and two.hit("k")


def test_the_outbox_runs_jobs_in_order_after_the_answer_and_survives_a_failing_one():
    from binsite.web.mailer import Outbox
    done: list[tuple[str, float]] = []
    outbox = Outbox(size=3, delay=0.2)

    def fail():
        raise RuntimeError("SMTP gone")

    queued = time.monotonic()
    assert outbox.put(lambda: done.append(("a", time.monotonic()))) and outbox.put(fail)
    assert outbox.put(lambda: done.append(("b", time.monotonic())))
    outbox.join()
    assert [n for n, _ in done] == ["a", "b"]
    assert done[0][1] - queued >= 0.2  # not beside the request that queued it


def test_mailman_or_smtp_down_is_a_dutch_page_and_changes_nothing(app):
    from binsite.mailman.residents import sign_join
    svc = app.extensions["binsite"]
    client = app.test_client()
    token = sign_join(SECRET, svc.areas[0], svc.domain, "bewoner@example.org")
    page = client.get(f"/aanmelden/bevestig/{token}")
    assert page.status_code == 200  # reading a link asks Mailman nothing
    response = client.post(f"/aanmelden/bevestig/{token}", data={"csrf": csrf_of(page.get_data(as_text=True))})
    assert response.status_code == 503 and "Even niet beschikbaar" in response.get_data(as_text=True)
    form = client.get("/aanmelden/noord/").get_data(as_text=True)
    sent = client.post("/aanmelden/noord/", data={"csrf": csrf_of(form), "email": "b@example.org", "lives": "ja"})
    assert sent.status_code == 503 and "bewoner@" not in sent.get_data(as_text=True)


def test_links_in_mail_never_follow_the_host_header(site):
    """Without web_url the service makes links only for a loopback preview; a Host from elsewhere gets none."""
    client = create_app(site, environ=environ()).test_client()
    form = client.get("/aanmelden/noord/", headers={"Host": "evil.example"}).get_data(as_text=True)
    response = client.post("/aanmelden/noord/", headers={"Host": "evil.example"},
                           data={"csrf": csrf_of(form), "email": "c@example.org", "lives": "ja"})
    assert response.status_code == 500 and "evil.example" not in response.get_data(as_text=True)


def test_redirects_stay_on_this_service(site):
    client = create_app(site, environ=environ()).test_client()
    for path in ("/aanmelden/noord/verstuurd/?next=https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert "evil.example" not in response.headers.get("Location", ""), path


def test_one_click_is_recorded_while_mailman_is_down(tmp_path):
    """RFC 8058 allows multipart/form-data too; the request is on disk before the answer and
    stays there while Mailman cannot be reached."""
    from binsite import tokens
    from binsite.mailman.client import list_id
    root = copy_fixture("mini", tmp_path)
    app = create_app(root, environ=environ())
    token = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id("noord@bin.test.example"), "ab" * 16))
    response = app.test_client().post(f"/afmelden/{token}", data={"List-Unsubscribe": "One-Click"},
                                      content_type="multipart/form-data")
    assert response.status_code == 200 and "U bent afgemeld" in response.get_data(as_text=True)
    spool = app.extensions["binsite"].spool
    assert spool.pending() == 1
    assert spool.drain_once() is False and spool.pending() == 1
    # A second body field makes it no one-click request: then the CSRF field is needed.
    other = app.test_client().post(f"/afmelden/{token}", data={"List-Unsubscribe": "One-Click", "x": "1"})
    assert other.status_code == 403 and spool.pending() == 1


def test_a_site_overrides_a_service_template_by_name(tmp_path):
    root = copy_fixture("mini", tmp_path)
    (root / "templates" / "web").mkdir(parents=True)
    (root / "templates" / "web" / "index.html").write_text(
        '{% extends "web/base.html" %}{% block content %}<h1>Word lid in Testdorp</h1>{% endblock %}')
    html = create_app(root, environ=environ()).test_client().get("/").get_data(as_text=True)
    assert "<h1>Word lid in Testdorp</h1>" in html and "/assets/style.css" in html


def test_binsite_web_without_its_secrets_says_what_to_set(tmp_path):
    from click.testing import CliRunner
    from binsite.cli import main
    root = copy_fixture("mini", tmp_path)
    result = CliRunner().invoke(main, ["--root", str(root), "web", "--port", "8059"],
                                env={"BINSITE_LANG": "nl", "BINSITE_SECRET_KEY": ""})
    assert result.exit_code == 1
    assert "fout: de webdienst is niet ingesteld: zet BINSITE_SECRET_KEY" in result.output


def test_a_full_outbox_drops_the_new_job_and_says_so(caplog):
    from binsite.web.mailer import Outbox
    from sitekit import poll
    done: list[str] = []
    outbox = Outbox(size=1, delay=0.3)
    assert outbox.put(lambda: done.append("first"))
    poll(lambda: outbox._jobs.qsize() == 0, timeout=5, what="the worker to take the first job")
    assert outbox.put(lambda: done.append("second"))
    with caplog.at_level(logging.WARNING, logger="binsite.web.mailer"):
        assert not outbox.put(lambda: done.append("third"))
    assert "outbox full" in caplog.text
    outbox.join()
    assert done == ["first", "second"]


@pytest.mark.parametrize("remote, key", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("", "-"),
    (None, "-"),
    ("niet-een-adres", "niet-een-adres"),
])
def test_a_client_is_counted_by_its_address_or_its_ipv6_network(remote, key):
    from binsite.web.app import client_key
    assert client_key(remote) == key
