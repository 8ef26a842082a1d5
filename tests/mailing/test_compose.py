"""compose: the e-mail for one bulletin and list (pure, no Mailman)."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.load import LoadedSite, load_site
from binsite.mailing import compose as composer
from binsite.mailing.compose import message_id, one_line
from binsite.mailing.plan import PlannedMessage, Target
from sitekit import area, bulletin_text, write_bulletin, write_site

DOMAIN = "compose.test.example"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedSite:
    root = write_site(tmp_path / "site", DOMAIN, {"noord": area("Noord-Oost", DOMAIN, "noord")}, {
        "noord/2026-11-09-fiets.md": bulletin_text(
            "Fiets gestolen bij café ’t Hoekje", "2026-11-09 10:30",
            "Een **blauwe** fiets is weg. Reünie van de buurtpreventie: één keer per maand.\n\n"
            "::: leden\nDe dader reed richting de Kerkstraat.\n:::\n\n<script>alert(1)</script>\n",
            category="inbraak", author={"role": "binco", "name": "Jan"}),
        "noord/2026-11-09-partners.md": bulletin_text("Alleen voor partners", "2026-11-09", audience="partners"),
    })
    return load_site(root, NOW).raise_for_errors()


def planned(loaded: LoadedSite, bulletin_id: str, kind: str = "members", corrects: tuple[str, ...] = ()) -> PlannedMessage:
    area_ = loaded.site.area("noord")
    address = area_.members_list(DOMAIN) if kind == "members" else area_.partners_list(DOMAIN)
    return PlannedMessage(loaded.site.bulletin(bulletin_id), Target(address, "noord", kind), corrects)


def compose(plan: PlannedMessage, loaded: LoadedSite):
    """The mail as ``binsite send`` composes it: with the body the analysis rendered."""
    return composer.compose(plan, loaded.site, body=loaded.body(plan.bulletin))


def reparse(message) -> email.message.EmailMessage:
    """The message as a receiver parses it from the bytes on the wire."""
    return email.message_from_bytes(bytes(message), policy=email.policy.default)


def test_multipart_alternative_with_text_and_html_in_utf8(loaded: LoadedSite) -> None:
    msg = reparse(compose(planned(loaded, "noord/2026-11-09-fiets"), loaded))
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in msg.iter_parts():
        assert part.get_content_charset() == "utf-8"
    assert "Fiets gestolen bij café ’t Hoekje" in text
    assert "Reünie van de buurtpreventie: één keer" in text
    assert "<strong>blauwe</strong>" in html
    assert "Reünie" in html
    # Members-only passages are for members: they are in the mail.
    assert "richting de Kerkstraat" in text and "richting de Kerkstraat" in html
    # Sanitised HTML: no script survives.
    assert "<script>" not in html
    # Every line of the wire format is 7-bit: the encoding is declared, not assumed.
    assert all(byte < 128 for byte in bytes(compose(planned(loaded, "noord/2026-11-09-fiets"), loaded)))


def test_headers(loaded: LoadedSite) -> None:
    plan = planned(loaded, "noord/2026-11-09-fiets")
    msg = reparse(compose(plan, loaded))
    assert msg["Subject"] == "Fiets gestolen bij café ’t Hoekje"
    assert msg["From"].addresses[0].addr_spec == f"bulletin@{DOMAIN}"
    assert msg["From"].addresses[0].display_name == "BIN Proefdorp"
    assert msg["To"] == f"noord@{DOMAIN}"
    # Date: the moment of sending, not the bulletin's date.
    sent = composer.compose(plan, loaded.site, body=loaded.body(plan.bulletin),
                            sent_at=datetime(2026, 11, 12, 8, 5, tzinfo=ZoneInfo("Europe/Amsterdam")))
    assert reparse(sent)["Date"].datetime.isoformat() == "2026-11-12T08:05:00+01:00"
    before = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(microsecond=0)
    assert msg["Date"].datetime >= before - timedelta(minutes=5)
    assert reparse(sent)["Message-ID"] == msg["Message-ID"]
    bulletin = loaded.site.bulletin("noord/2026-11-09-fiets")
    assert " ".join(msg["Message-ID"].split()) == \
        f"<noord.2026-11-09-fiets.noord.{bulletin.content_hash}@{DOMAIN}>" == message_id(plan, DOMAIN)
    assert "In-Reply-To" not in msg


def test_message_id_is_deterministic_and_differs_per_list(loaded: LoadedSite) -> None:
    members = planned(loaded, "noord/2026-11-09-fiets")
    partners = planned(loaded, "noord/2026-11-09-fiets", "partners")
    assert compose(members, loaded)["Message-ID"] == compose(members, loaded)["Message-ID"]
    assert compose(members, loaded)["Message-ID"] != compose(partners, loaded)["Message-ID"]


def test_archive_link_only_for_public_bulletins(loaded: LoadedSite) -> None:
    public = reparse(compose(planned(loaded, "noord/2026-11-09-fiets"), loaded))
    url = "https://bin.test.example/archief/noord/2026-11-09-fiets/"
    assert url in public.get_body(("plain",)).get_content()
    assert f'href="{url}"' in public.get_body(("html",)).get_content()
    private = reparse(compose(planned(loaded, "noord/2026-11-09-partners", "partners"), loaded))
    assert "archief/" not in private.get_body(("plain",)).get_content()
    assert "archief/" not in private.get_body(("html",)).get_content()


def test_a_correction_refers_to_the_original(loaded: LoadedSite) -> None:
    msg = reparse(compose(planned(loaded, "noord/2026-11-09-fiets", corrects=("<a@x>", "<b@x>")), loaded))
    assert msg["In-Reply-To"] == "<a@x>"
    assert msg["References"] == "<a@x> <b@x>"
    assert msg["Subject"].startswith("Correctie: ")


@pytest.mark.parametrize("title", [
    "Hallo\r\nBcc: evil@attacker.example",
    "Hallo\nBcc: evil@attacker.example",
    "Hallo\rBcc: evil@attacker.example",
    "Hallo\u2028Bcc: evil@attacker.example",
    "Hallo\x00\x0bBcc: evil@attacker.example\x85",
    "=?utf-8?q?Hallo=0D=0ABcc=3A_evil=40attacker.example?=",
])
def test_a_title_can_never_add_a_header(loaded: LoadedSite, title: str) -> None:
    plan = planned(loaded, "noord/2026-11-09-fiets")
    plan = dataclasses.replace(plan, bulletin=dataclasses.replace(plan.bulletin, title=title))
    msg = reparse(compose(plan, loaded))
    assert "Bcc" not in msg and "bcc" not in {k.lower() for k in msg.keys()}
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    assert "evil@attacker.example" in str(msg["Subject"]) or "evil=40attacker" in str(msg["Subject"])


def test_the_site_overrides_the_email_templates(loaded: LoadedSite) -> None:
    write_bulletin(loaded.site.root, "../templates/email/bulletin.txt", "EIGEN SJABLOON {{ title }}\n")
    msg = reparse(compose(planned(loaded, "noord/2026-11-09-fiets"), loaded))
    assert msg.get_body(("plain",)).get_content().startswith("EIGEN SJABLOON Fiets gestolen")


def test_one_line() -> None:
    assert one_line("a\r\n b\u2029c\x7fd") == "a b c d"


def test_members_only_passage_is_set_apart_in_the_html_with_inline_style(loaded: LoadedSite) -> None:
    """Mail clients drop <style> and classes: the passage carries its own look."""
    html = reparse(compose(planned(loaded, "noord/2026-11-09-fiets"), loaded)).get_body(("html",)).get_content()
    box = html.split('<div class="members-only"', 1)[1].split(">", 1)[0]
    assert "background:#" in box and "border-left:4px solid" in box
    label = html.split('<p class="members-only-label"', 1)[1].split("</p>", 1)[0]
    assert "font-weight:bold" in label and "Alleen voor leden" in label
    # The passage itself is inside the box.
    assert html.index('<div class="members-only"') < html.index("richting de Kerkstraat")


def test_author_line_does_not_repeat_the_role() -> None:
    from binsite.i18n import author_label

    assert author_label("BINCO Maaspoort", "binco", "nl") == "BINCO Maaspoort"
    assert author_label("Jan", "binco", "nl") == "Jan (BINCO)"
    assert author_label("Wijkagent Noord", "politie", "en") == "Wijkagent Noord (Police)"
    assert author_label("Politie Testdorp", "politie", "nl") == "Politie Testdorp"
    assert author_label("", "gemeente", "nl") == "Gemeente"


def _with_web_url(loaded: LoadedSite, web_url: str) -> LoadedSite:
    config = dataclasses.replace(loaded.site.config, web_url=web_url)
    return dataclasses.replace(loaded, site=dataclasses.replace(loaded.site, config=config))


@pytest.mark.parametrize("web_url", ["", "https://bin.test.example/mijn/"])
def test_the_footer_is_in_binsites_own_parts_with_a_visible_personal_link(loaded: LoadedSite, web_url: str) -> None:
    from binsite.mailman.templates import PREFERENCES_MARK, UNSUBSCRIBE_MARK

    site_loaded = _with_web_url(loaded, web_url)
    for kind, local in (("members", "noord"), ("partners", "noord-partners")):
        plan = planned(site_loaded, "noord/2026-11-09-fiets", kind)
        msg = reparse(composer.compose(plan, site_loaded.site, body=site_loaded.body(plan.bulletin)))
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        for part in (text, html):
            assert f"{local}-owner@{DOMAIN}" in part
            assert "112" in part and "0900-8844" in part
        if kind == "partners":
            # The BINCO keeps the partners' list in lists/: no residents' links, no leave address.
            assert "De BINCO houdt deze lijst bij" in text and f"{local}-leave@" not in text + html
            assert "afmelden/" not in text + html and "voorkeuren/" not in text + html
            assert "melden/" not in text + html  # a partner reports to the BINCO directly
            continue
        for part in (text, html):
            assert f"{local}-leave@{DOMAIN}" in part
        if web_url:
            # The body's links lead to the confirmation pages (afmelden/, voorkeuren/), with the
            # placeholder the delivery class fills in per recipient.
            for part in (text, html):
                assert f"{web_url}afmelden/{UNSUBSCRIBE_MARK}" in part
                assert f"{web_url}voorkeuren/{PREFERENCES_MARK}" in part
            assert f'href="{web_url}afmelden/{UNSUBSCRIBE_MARK}"' in html
            # Every member mail leads to its area's report form.
            assert f"Iets gezien? Meld het: {web_url}melden/noord/" in text
            assert f'href="{web_url}melden/noord/"' in html
        else:
            assert "melden/" not in text + html
            assert UNSUBSCRIBE_MARK not in text + html and PREFERENCES_MARK not in text + html
            assert "afmelden/" not in text + html
