"""The second step of a desk login (binsite/web/factors.py) through Flask's test client, against
the session's real Mailman, its sink, a real git remote and the service's store (SQLite): a role whose policy is ``required``
reaches only the registration page with the mailed link alone (403 everywhere else, Mailman and
the remote unchanged); the app's code works once, a recovery code once; wrong codes are limited
per account, also on a second instance; the code app's QR code (its SVG read back to modules and
compared with segno's symbol of the expected otpauth:// URI); new recovery codes from the account
page; the administrator's reset; ending one session from the account page; and the audit trail (``binsite stats --desk --audit``) per person and month.
The passkey ceremonies run in Chromium: tests/browser/test_passkeys.py."""

from __future__ import annotations

import html
import json
import re
import time
import uuid

import pyotp
import pytest
from click.testing import CliRunner

from binsite.cli import load_commands
from binsite.desk import factors
from binsite.desk import logbook
from binsite.store import site_store
from binsite.web.app import create_app
from deskweb import DeskSite, desk_site, git, log_in, logged_in
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of

pytestmark = pytest.mark.mailman


@pytest.fixture(scope="module")
def site(local_mailman: RunningMailman, tmp_path_factory) -> DeskSite:
    domain = f"twofa{uuid.uuid4().hex[:8]}.bin.test.example"
    return desk_site(local_mailman, tmp_path_factory.mktemp("twofa"), domain, ("aa", "bb", "cc"),
                     second_factor="required", config_extra=f"administrators:\n  - beheer@adm.{domain}\n  - herstel@adm.{domain}\n")


@pytest.fixture(scope="module")
def app(site: DeskSite):
    return create_app(site.root, environ=site.env)


def _logged(site: DeskSite, action: str) -> list[dict]:
    return list(logbook.lines(site.root, action=action))


def _logbook_text(site: DeskSite) -> str:
    return "\n".join(site_store(site.root).log_lines())


def _factors(site: DeskSite) -> factors.StoreFactors:
    return factors.StoreFactors(site_store(site.root))


def _set_up_app(client, door: str) -> tuple[str, list[str], str]:
    """Set up the code app at ``door`` from the account page: ``(secret, recovery codes, the code
    that confirmed it)``."""
    page = client.get(f"{door}beveiliging/").get_data(as_text=True)
    shown = client.post(f"{door}beveiliging/app", data={"csrf": csrf_of(page)})
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', text).group(1).replace(" ", "")
    pending = html.unescape(re.search(r'name="pending" value="([^"]+)"', text).group(1))
    code = pyotp.TOTP(secret).now()
    done = client.post(f"{door}beveiliging/app/bevestigen", data={"csrf": csrf_of(text), "pending": pending,
                                                                  "code": code})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes, code


def _code(client, door: str, code: str):
    page = client.get(f"{door}tweede-stap/").get_data(as_text=True)
    return client.post(f"{door}tweede-stap/code", data={"csrf": csrf_of(page), "code": code})


def _qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of a QR code in segno's inline SVG, read back from its one stroked path:
    ``M x y`` and ``m dx dy`` move, ``h n`` draws n modules of the row (the line sits at y + 0.5)."""
    d = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    assert re.fullmatch(r"(?:[Mmh]-?[\d.]+(?: -?[\d.]+)?)+", d), "a path of moves and rows only"
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", d):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(x) + i, int(y - 0.5)) for i in range(int(a))}
            x += float(a)
    return dark


def _qr_of(text: str, error: str) -> set[tuple[int, int]]:
    """segno's own symbol for ``text`` as dark modules, with the page's quiet zone of four."""
    import segno

    matrix = segno.make(text, error=error, micro=False).matrix
    return {(c + 4, r + 4) for r, row in enumerate(matrix) for c, cell in enumerate(row) if cell}


def test_the_code_app_page_shows_a_qr_code_of_the_written_secret_never_cached_or_logged(app, site, local_mailman,
                                                                                        caplog) -> None:
    from urllib.parse import quote

    from binsite.source.config import load_config

    caplog.set_level("DEBUG")
    agent = sorted(site.partners("cc"))[1]
    client = logged_in(app, local_mailman, agent, "/partner/")
    page = client.get("/partner/beveiliging/").get_data(as_text=True)
    shown = client.post("/partner/beveiliging/app", data={"csrf": csrf_of(page)})
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    assert "img-src 'self'" in shown.headers["Content-Security-Policy"]  # so the QR is no data: image
    text = shown.get_data(as_text=True)
    svg = re.search(r'<div class="qr"><svg [^>]*>.*?</svg></div>', text, re.S).group(0)
    assert 'role="img" aria-label="QR-code om in uw app te scannen"' in svg
    assert "<title>QR-code om in uw app te scannen</title>" in svg
    assert "<img" not in text and "<script>" not in svg and "data:" not in svg and "href" not in svg
    written = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', text).group(1).replace(" ", "")
    assert len(written) == 32
    # What a code app reads: the issuer is the site's title, the account the role and the address.
    title = load_config(site.root)[0].title
    expected = (f"otpauth://totp/{quote(title)}:{quote('partner ' + agent)}?secret={written}"
                f"&issuer={quote(title)}")
    assert html.unescape(re.search(r'<a href="(otpauth://[^"]+)"', text).group(1)) == expected
    modules = _qr_modules(svg)
    assert any(modules == _qr_of(expected, level) for level in "lmqh"), "the QR code holds the written secret"
    other = expected.replace(written, pyotp.random_base32())
    assert not any(modules == _qr_of(other, level) for level in "lmqh")
    # The secret in the QR code is the one the app confirms, in this session only.
    pending = html.unescape(re.search(r'name="pending" value="([^"]+)"', text).group(1))
    elsewhere = logged_in(app, local_mailman, agent, "/partner/")
    page = elsewhere.get("/partner/beveiliging/").get_data(as_text=True)
    taken = elsewhere.post("/partner/beveiliging/app/bevestigen", data={"csrf": csrf_of(page), "pending": pending,
                                                                        "code": pyotp.TOTP(written).now()})
    assert taken.status_code == 400 and "begin opnieuw" in taken.get_data(as_text=True)
    assert not _factors(site).has_factor(factors.person("partner", agent))
    wrong = "000000" if pyotp.TOTP(written).now() != "000000" else "111111"
    again = client.post("/partner/beveiliging/app/bevestigen", data={"csrf": csrf_of(text), "pending": pending,
                                                                     "code": wrong})
    assert again.status_code == 400 and again.headers["Cache-Control"] == "no-store"
    assert _qr_modules(again.get_data(as_text=True)) == modules, "the same QR code on the page shown again"
    done = client.post("/partner/beveiliging/app/bevestigen", data={"csrf": csrf_of(text), "pending": pending,
                                                                    "code": pyotp.TOTP(written).now()})
    assert done.status_code == 200 and "Uw herstelcodes" in done.get_data(as_text=True)
    assert done.headers["Cache-Control"] == "no-store"
    assert _factors(site).totp_secret(factors.person("partner", agent)) == written
    # Neither the secret nor its URI in the service's log or the logbook.
    for told in (caplog.text, _logbook_text(site)):
        assert written not in told and "otpauth" not in told and quote(agent) not in told


def test_the_qr_code_is_well_formed_for_any_title_and_address() -> None:
    """Odd titles and addresses (a colon, quotes, non-ASCII, markup) give one well-formed svg
    element whose label is escaped, and the QR code of the URI pyotp writes."""
    import xml.etree.ElementTree as ElementTree

    for title, address in (("BIN “Noord”: <b>&amp;</b>", "jan.o'brien@politie.nl"), ("Wijk Zuid-Oost", "é@ü.nl"),
                           ("", "a@b.c")):
        uri = factors.app_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", issuer=title, role="beheer", address=address)
        parsed = pyotp.parse_uri(uri)
        assert parsed.secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" and parsed.issuer == (title.strip() or "BIN")
        assert parsed.name == f"beheerder {address}"
        svg = factors.qr_svg(uri, label='Scan "dit" <nu>')
        root = ElementTree.fromstring(svg)
        assert root.tag == "svg" and root.get("aria-label") == 'Scan "dit" <nu>' and root.get("role") == "img"
        assert _qr_modules(svg) == _qr_of(uri, factors.QR_ERROR)


def test_with_the_link_alone_a_required_partner_reaches_only_the_registration_page(app, site, local_mailman) -> None:
    agent = sorted(site.partners("aa"))[0]
    remote_before = git(site.remote, "rev-parse", "main")
    client = logged_in(app, local_mailman, agent, "/partner/")
    home = client.get("/partner/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/partner/beveiliging/")
    page = client.get("/partner/beveiliging/").get_data(as_text=True)
    assert "verplicht" in page and "Passkey toevoegen" in page
    assert "Waar u ingelogd bent" not in page  # the rest of the account page waits for the second step
    token = csrf_of(page)
    for path in ("/partner/schrijven/", "/partner/melding/x/", "/partner/tweede-stap/", "/binco/"):
        got = client.get(path)
        assert got.status_code in (403, 200 if path == "/binco/" else 403), path
    # Every post but the registration's: 403, nothing written anywhere.
    for path, data in (("/partner/schrijven/", {"title": "Inbraak", "body": "Tekst " * 20, "areas": "aa",
                                                "action": "send"}),
                       ("/partner/melding/x/antwoord", {"text": "hallo"}),
                       ("/partner/beveiliging/app/verwijderen", {}),
                       ("/partner/beveiliging/sessie", {"sessie": "x"}),
                       ("/partner/tweede-stap/code", {"code": "123456"})):
        assert client.post(path, data={"csrf": token, **data}).status_code == 403, path
    assert git(site.remote, "rev-parse", "main") == remote_before
    assert not _logged(site, logbook.PARTNER_NOTICE)
    # The same for a BINCO when the policy says so: the members form does not reach Mailman.
    binco = site.binco("bb")
    desk = logged_in(app, local_mailman, binco, "/binco/")
    token = csrf_of(desk.get("/binco/beveiliging/").get_data(as_text=True))
    newcomer = f"nieuw.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    assert desk.post("/binco/bb/leden/add", data={"csrf": token, "email": newcomer}).status_code == 403
    assert desk.get("/binco/bb/").status_code == 403
    from binsite.mailman.client import MailmanClient
    members = MailmanClient(local_mailman.settings).roster(site.members_list("bb"), "member")
    assert newcomer not in {m.address for m in members}


def test_the_app_code_works_once_and_so_does_a_recovery_code(app, site, local_mailman) -> None:
    agent = sorted(site.partners("bb"))[0]
    first = logged_in(app, local_mailman, agent, "/partner/")
    secret, codes, used = _set_up_app(first, "/partner/")
    assert first.get("/partner/").status_code == 200, "adding the first factor passes the second step"
    assert _logged(site, logbook.FACTOR_ADD)[-1]["factor"] == "app"
    # A new login with the mailed link: now the second step first.
    second = logged_in(app, local_mailman, agent, "/partner/")
    home = second.get("/partner/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/partner/tweede-stap/")
    assert second.get("/partner/schrijven/").status_code == 403
    assert second.get("/partner/beveiliging/").status_code == 403
    # The code used to confirm the app is used: refused, also within its window, and logged.
    totp = pyotp.TOTP(secret)
    refused = _code(second, "/partner/", used)
    assert refused.status_code == 400 and "al gebruikt" in refused.get_data(as_text=True)
    assert _logged(site, logbook.FACTOR_REFUSED)[-1]["refusal"] == "used"
    # The next step's code is in the window: it works, once.
    fresh = totp.at(time.time() + totp.interval)
    assert _code(second, "/partner/", fresh).status_code == 302
    assert second.get("/partner/").status_code == 200
    third = logged_in(app, local_mailman, agent, "/partner/")
    assert _code(third, "/partner/", fresh).status_code == 400
    assert _logged(site, logbook.FACTOR_REFUSED)[-1]["refusal"] == "used"
    # A recovery code: once; the second time refused and logged.
    done = _code(third, "/partner/", codes[0])
    assert done.status_code == 302 and "over=9" in done.headers["Location"]
    fourth = logged_in(app, local_mailman, agent, "/partner/")
    assert _code(fourth, "/partner/", codes[0]).status_code == 400
    refusal = _logged(site, logbook.FACTOR_REFUSED)[-1]
    assert refusal["refusal"] == "used" and refusal["factor"] == "recovery"
    assert refusal["by"]["role"] == "partner"
    # The last factor, where one is required, is not removed (never a way around the policy).
    assert fourth.get("/partner/beveiliging/").status_code == 403, "the refused session is still held back"
    page = third.get("/partner/beveiliging/").get_data(as_text=True)
    kept = third.post("/partner/beveiliging/app/verwijderen", data={"csrf": csrf_of(page)})
    assert kept.status_code == 409 and "laatste tweede factor" in kept.get_data(as_text=True)
    assert _factors(site).totp_secret(factors.person("partner", agent)) == secret
    # Nothing of a code in the logbook.
    raw = _logbook_text(site)
    assert codes[0] not in raw and fresh not in raw and secret not in raw


def test_new_recovery_codes_replace_the_old_ones_only_after_the_second_step(app, site, local_mailman) -> None:
    administrator = f"herstel@adm.{site.domain}"
    who = factors.person("beheer", administrator)
    client = logged_in(app, local_mailman, administrator, "/beheer/")
    # The mailed link alone (policy required, no factor yet): no codes to be had.
    token = csrf_of(client.get("/beheer/beveiliging/").get_data(as_text=True))
    assert client.post("/beheer/beveiliging/herstelcodes", data={"csrf": token}).status_code == 403
    assert _factors(site).recovery_left(who) == 0
    secret, old, _used = _set_up_app(client, "/beheer/")
    page = client.get("/beheer/beveiliging/").get_data(as_text=True)
    assert "Nieuwe herstelcodes maken" in page and "U heeft er nog 10." in page
    kept = dict(_factors(site)._load(who)["recovery"])
    # A forged or missing CSRF field: refused, the codes as they were.
    for forged in ({"csrf": "0" * 64}, {"csrf": csrf_of(page)[:-1] + "x"}, {}):
        assert client.post("/beheer/beveiliging/herstelcodes", data=forged).status_code == 403
    # A session with only the mailed link while a factor is held: refused too.
    second = logged_in(app, local_mailman, administrator, "/beheer/")
    step_token = csrf_of(second.get("/beheer/tweede-stap/").get_data(as_text=True))
    assert second.post("/beheer/beveiliging/herstelcodes", data={"csrf": step_token}).status_code == 403
    assert _factors(site)._load(who)["recovery"] == kept
    assert not [v for v in _logged(site, logbook.RECOVERY_NEW) if v["by"] == logbook.administrator(administrator).as_json()]
    # The session that passed its step: ten new codes, shown once, never cached.
    made = client.post("/beheer/beveiliging/herstelcodes", data={"csrf": csrf_of(page)})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    text = made.get_data(as_text=True)
    assert "De oude werken niet meer" in text and "De code-app is ingesteld" not in text
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", text)
    assert len(set(new)) == 10 and not set(new) & set(old)
    logged = [v for v in _logged(site, logbook.RECOVERY_NEW) if v["by"] == logbook.administrator(administrator).as_json()]
    assert len(logged) == 1 and logged[0]["factor"] == "recovery"
    assert _factors(site).totp_secret(who) == secret, "the app stays as it was"
    # Every old code is refused now (also one never used), as a wrong code; a new one works once.
    refused = _code(second, "/beheer/", old[3])
    assert refused.status_code == 400 and _logged(site, logbook.FACTOR_REFUSED)[-1]["refusal"] == "wrong"
    assert _code(second, "/beheer/", new[0].upper().replace("-", " ")).status_code == 302, "typed in a hurry"
    assert "Inzage en wissen" in second.get("/beheer/").get_data(as_text=True)
    third = logged_in(app, local_mailman, administrator, "/beheer/")
    assert _code(third, "/beheer/", new[0]).status_code == 400
    assert _logged(site, logbook.FACTOR_REFUSED)[-1]["refusal"] == "used"
    assert _factors(site).recovery_left(who) == 9
    # The audit trail counts it for this administrator; the logbook holds no code.
    result = CliRunner().invoke(load_commands(), ["--root", str(site.root), "stats", "--desk", "--audit",
                                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    mine = {r["action"]: r["count"] for r in json.loads(result.output)
            if r["person"] == f"administrator {logbook.administrator(administrator).id}"}
    assert mine.get("recovery_new") == 1
    raw = _logbook_text(site)
    assert not [c for c in (*old, *new) if c in raw or c.replace("-", "") in raw]


def test_wrong_codes_are_limited_per_account_also_across_instances(app, site, local_mailman) -> None:
    agent = sorted(site.partners("cc"))[0]
    first = logged_in(app, local_mailman, agent, "/partner/")
    secret, codes, _used = _set_up_app(first, "/partner/")
    client = logged_in(app, local_mailman, agent, "/partner/")
    # A second instance on the same database (its own process state, the same store).
    other = create_app(site.root, environ=site.env)
    elsewhere = logged_in(other, local_mailman, agent, "/partner/")  # (logging in resets the tests' limits)
    for attempt in range(factors.FAILURES_ALLOWED):
        wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
        assert _code(client, "/partner/", wrong if attempt % 2 else "zzzzz-zzzzz").status_code == 400
    # Now even a right code is refused, on this instance and on the other one.
    for c in (client, elsewhere):
        refused = _code(c, "/partner/", codes[1])
        assert refused.status_code == 400 and "Te veel verkeerde codes" in refused.get_data(as_text=True)
        assert c.get("/partner/schrijven/").status_code == 403
    assert _logged(site, logbook.FACTOR_REFUSED)[-1]["refusal"] == "limit"
    # The recovery code was not used up by the refusal.
    assert _factors(site).recovery_left(factors.person("partner", agent)) == 10


def test_the_administrators_reset_ends_sessions_and_asks_for_a_new_factor(app, site, local_mailman) -> None:
    agent = sorted(site.partners("aa"))[1]
    client = logged_in(app, local_mailman, agent, "/partner/")
    _set_up_app(client, "/partner/")
    assert client.get("/partner/").status_code == 200
    runner = CliRunner()
    result = runner.invoke(load_commands(), ["--root", str(site.root), "desk", "reset-2fa", agent.upper()],
                           env={"BINSITE_LANG": "nl"})
    assert result.exit_code == 0, result.output
    assert "hersteld" in result.output
    reset = _logged(site, logbook.FACTOR_RESET)[-1]
    assert reset["by"] == {"role": "operator"} and reset["person"] == logbook.partner(agent).id
    assert reset["door"] == "partner"
    assert agent not in _logbook_text(site)
    # The session that was open has ended; a new login is back at the registration page.
    assert "Stuur mij een inloglink" in client.get("/partner/").get_data(as_text=True)
    again = logged_in(app, local_mailman, agent, "/partner/")
    assert again.get("/partner/").headers["Location"].endswith("/partner/beveiliging/")
    # Bad input: a clear error, non-zero.
    bad = runner.invoke(load_commands(), ["--root", str(site.root), "desk", "reset-2fa", "geen-adres"])
    assert bad.exit_code != 0 and "geen e-mailadres" in bad.output


def test_the_account_page_lists_sessions_and_ends_one(app, site, local_mailman) -> None:
    from binsite.desk import sessions
    from binsite.web import desk as desk_web

    binco = site.binco("cc")
    # Sessions of this BINCO that other tests of this module began (and the lines they logged)
    # are not this test's: it counts only what it begins itself.
    earlier = {a.key for a in sessions.active(site_store(site.root), binco, now=time.time(),
                                              lifetime=desk_web.SESSION_SECONDS, idle=10 ** 9)}
    ended_before = len(_logged(site, logbook.SESSION_END))
    laptop = logged_in(app, local_mailman, binco, "/binco/")
    _set_up_app(laptop, "/binco/")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like "
                                             "Gecko) Chrome/130.0 Mobile Safari/537.36")
    log_in(phone, local_mailman, binco)
    secret = _factors(site).totp_secret(factors.person("binco", binco))
    totp = pyotp.TOTP(secret)
    assert _code(phone, "/binco/", totp.at(time.time() + totp.interval)).status_code == 302
    assert phone.get("/binco/cc/").status_code == 200
    page = laptop.get("/binco/beveiliging/").get_data(as_text=True)
    assert "Chrome op Android" in page and "(dit apparaat)" in page, page[page.find("<main"):][:2500]
    keys = [k for k in re.findall(r'name="sessie" value="([0-9a-f]+)"', page) if k not in earlier]
    assert len(keys) == 2
    this = re.search(r'name="sessie" value="([0-9a-f]+)"><button type="submit" class="secondary">Beëindigen'
                     r'<span class="visually-hidden">: Chrome op Android', page).group(1)
    # Another person's session key, or a made-up one: nothing ended.
    assert laptop.post("/binco/beveiliging/sessie", data={"csrf": csrf_of(page), "sessie": "0" * 32}).status_code == 404
    ended = laptop.post("/binco/beveiliging/sessie", data={"csrf": csrf_of(page), "sessie": this})
    assert ended.status_code == 200 and "beëindigd" in ended.get_data(as_text=True)
    assert phone.get("/binco/cc/").status_code == 302, "the phone is logged out"
    assert laptop.get("/binco/cc/").status_code == 200
    assert len(_logged(site, logbook.SESSION_END)) == ended_before + 1


def test_the_audit_trail_per_person_and_month_and_counts_only_for_the_steering_group(app, site,
                                                                                     local_mailman) -> None:
    binco = site.binco("aa")
    client = logged_in(app, local_mailman, binco, "/binco/")
    _, _, used = _set_up_app(client, "/binco/")
    # A second login whose code is refused (already used): the trail counts it, whichever other
    # tests of this module ran on this worker before.
    again = logged_in(app, local_mailman, binco, "/binco/")
    assert _code(again, "/binco/", used).status_code == 400
    result = CliRunner().invoke(load_commands(), ["--root", str(site.root), "stats", "--desk", "--audit",
                                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    mine = {r["action"]: r["count"] for r in rows if r["person"] == f"binco {logbook.binco(binco).id}"}
    assert mine.get("login", 0) >= 2 and mine.get("factor_add") == 1 and mine.get("factor_refused") == 1
    assert all(re.fullmatch(r"\d{4}-\d{2}", r["month"]) for r in rows)
    assert {r["person"].split()[0] for r in rows} <= {"binco", "partner", "administrator", "operator"}
    assert "@" not in result.output
    table = CliRunner().invoke(load_commands(), ["--root", str(site.root), "stats", "--desk", "--audit"])
    assert table.exit_code == 0 and "factor_refused" in table.output
    assert CliRunner().invoke(load_commands(), ["--root", str(site.root), "stats", "--audit"]).exit_code != 0
    # The desk's figures page: counts per month and action, no person.
    page = client.get("/binco/statistieken/").get_data(as_text=True)
    assert "Handelingen met extra rechten" in page and "tweede stap geweigerd" in page
    assert logbook.binco(binco).id not in page and logbook.partner(sorted(site.partners("aa"))[0]).id not in page


def test_the_relying_party_is_the_public_url_never_a_host_header(app, site) -> None:
    from binsite.web.factors import relying_party

    with app.test_request_context("/binco/", base_url="http://127.0.0.1/"):
        assert relying_party() == ("127.0.0.1", "http://127.0.0.1")
    # A loopback preview opened as localhost (an IP address is no RP ID): that name.
    with app.test_request_context("/binco/", base_url="http://localhost/"):
        assert relying_party() == ("localhost", "http://localhost")
    public = create_app(site.root, environ={**site.env, "BINSITE_WEB_URL": "https://bin.example.org/dienst/"})
    for host in ("http://localhost/", "https://evil.example/", "https://bin.example.org.evil.example/"):
        with public.test_request_context("/binco/", base_url=host):
            assert relying_party() == ("bin.example.org", "https://bin.example.org")


def test_the_demo_prints_how_to_try_the_second_step(site, tmp_path, capsys) -> None:
    from binsite.devtools import desk_demo
    from binsite.devtools.local_mailman import STATE_DIR
    from webkit import SECRET

    folder = site.root / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "web.json").write_text('{"pid": 1, "port": 8050, "started_at": 0}')
    (folder / "web-secret").write_text(SECRET)
    assert desk_demo.main(["--root", str(site.root)]) == 0
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8050/binco/inloggen/" in printed, "still one printed link"
    assert "localhost" in printed and "optional" in printed and "Passkey toevoegen" in printed
    # The repository's own example (what make demo runs) sets both roles to optional.
    from pathlib import Path

    from binsite.source.config import load_config
    config, _problems = load_config(Path(__file__).resolve().parents[2])
    assert {config.second_factor_of(r) for r in ("bincos", "partners")} == {"optional"}


def test_a_session_unused_for_the_idle_time_ends(app, site, local_mailman) -> None:
    """A session begun 40 minutes ago (its cookie signed then, as the service signs it), last used
    31 minutes ago, has ended; one last used 29 minutes ago goes on."""
    from binsite.desk import sessions
    from binsite.web import desk as desk_web

    binco = site.binco("cc")
    store = site_store(site.root)
    now = time.time()
    results = {}
    for name, last in (("idle", now - 31 * 60), ("used", now - 29 * 60)):
        with app.test_request_context("/binco/"):
            cookie = desk_web._serializer("session").dumps({"a": binco, "s": f"{name}-{uuid.uuid4().hex}",
                                                            "t": now - 40 * 60, "f": 1})
            sid = desk_web._serializer("session").loads(cookie)["s"]
        sessions.seen(store, binco, sid, "Firefox op Linux", at=last)
        client = app.test_client()
        client.set_cookie(desk_web.SESSION_COOKIE, cookie, path="/binco/")
        results[name] = client.get("/binco/beveiliging/").status_code
    assert results == {"idle": 403, "used": 200}


def test_the_administrators_door_asks_for_the_second_factor_too(app, site, local_mailman) -> None:
    """``administrators: required`` (here by the one word): the mailed link alone reaches only the
    registration page at /beheer/; inzage and wissen give 403 and Mailman keeps the address; an
    app code opens the door, and the next link asks for the second step."""
    mailman = local_mailman.client()
    administrator = f"beheer@adm.{site.domain}"
    resident = f"beheerd@res.{site.domain}"
    mailman.subscribe(site.members_list("aa"), resident)
    before = len(list(logbook.lines(site.root)))
    client = logged_in(app, local_mailman, administrator, "/beheer/")
    home = client.get("/beheer/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/beheer/beveiliging/")
    page = client.get("/beheer/beveiliging/").get_data(as_text=True)
    assert "verplicht" in page and "Passkey toevoegen" in page and "Waar u ingelogd bent" not in page
    token = csrf_of(page)
    for path, data in (("/beheer/inzage/", {"email": resident}),
                       ("/beheer/wissen/", {"action": "wissen", "email": resident}),
                       ("/beheer/wissen/", {"action": "bevestigen", "email": resident, "confirm": "x"}),
                       ("/beheer/tweede-stap/code", {"code": "123456"}),
                       ("/beheer/beveiliging/sessie", {"sessie": "x"})):
        refused = client.post(path, data={"csrf": token, **data})
        assert refused.status_code == 403, path
        assert resident not in refused.get_data(as_text=True)
    assert client.get("/beheer/tweede-stap/").status_code == 403
    assert mailman.member(site.members_list("aa"), resident) is not None
    assert not [v for v in list(logbook.lines(site.root))[before:] if v["action"] == logbook.ERASE]
    # The code app: the session passes, inzage works; the logbook names the administrator.
    secret, codes, _used = _set_up_app(client, "/beheer/")
    opened = client.get("/beheer/").get_data(as_text=True)
    assert "Inzage en wissen: alle gebieden" in opened and "/beheer/beveiliging/" in opened
    shown = client.post("/beheer/inzage/", data={"csrf": csrf_of(opened), "email": resident})
    assert shown.status_code == 200 and site.members_list("aa") in shown.get_data(as_text=True)
    added = _logged(site, logbook.FACTOR_ADD)[-1]
    assert added["factor"] == "app" and added["by"] == logbook.administrator(administrator).as_json()
    assert _factors(site).totp_secret(factors.person("beheer", administrator)) == secret
    assert not _factors(site).has_factor(factors.person("binco", administrator))
    # The next link: the second step first; a wrong code refused and logged; a recovery code opens.
    again = logged_in(app, local_mailman, administrator, "/beheer/")
    assert again.get("/beheer/").headers["Location"].endswith("/beheer/tweede-stap/")
    assert again.get("/beheer/beveiliging/").status_code == 403
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert _code(again, "/beheer/", wrong).status_code == 400
    refusal = _logged(site, logbook.FACTOR_REFUSED)[-1]
    assert refusal["by"]["role"] == "administrator" and refusal["refusal"] == "wrong"
    assert _code(again, "/beheer/", codes[0]).status_code == 302
    assert "Inzage en wissen" in again.get("/beheer/").get_data(as_text=True)
    used = _logged(site, logbook.FACTOR_LOGIN)[-1]
    assert used["factor"] == "recovery" and used["by"]["role"] == "administrator"
    # The elevated administrator's session opens no BINCO or partner page.
    assert again.get("/binco/aa/").status_code == 302 and again.get("/partner/schrijven/").status_code == 302
    # The operator's reset covers this door too.
    result = CliRunner().invoke(load_commands(), ["--root", str(site.root), "desk", "reset-2fa", administrator],
                                env={"BINSITE_LANG": "nl"})
    assert result.exit_code == 0 and "beheerdersbalie" in result.output, result.output
    assert _logged(site, logbook.FACTOR_RESET)[-1]["door"] == "beheer"
    assert not _factors(site).has_factor(factors.person("beheer", administrator))
    assert codes[1] not in _logbook_text(site) and secret not in _logbook_text(site)
