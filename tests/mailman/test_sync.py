"""binsite lists sync against a real Mailman Core."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from binsite.mailman.client import MailmanClient
from binsite.mailman.sync import sync
from binsite.errors import InvalidSite
from tests.mailman_fixtures import RunningMailman
from sitekit import area, bulletin_text, poll, write_bulletin, write_site

pytestmark = pytest.mark.mailman


def site_with_two_areas(tmp_path: Path, domain: str) -> Path:
    return write_site(tmp_path / "site", domain, {
        "noord": area("Noord", domain, "noord", partners=2),
        "zuid": area("Zuid-West", domain, "zuid", partners=1),
    })


def test_sync_creates_the_lists_with_their_settings_and_a_second_sync_changes_nothing(
        mailman: RunningMailman, mail_domain: str, tmp_path: Path) -> None:
    root = site_with_two_areas(tmp_path, mail_domain)
    assert sync(root, mailman.settings, dry_run=True)
    client = mailman.client()
    assert f"noord@{mail_domain}" not in client.lists()  # a dry run changes nothing

    assert sync(root, mailman.settings)
    for area_id, name, partners in (("noord", "Noord", 2), ("zuid", "Zuid-West", 1)):
        binco = f"binco.{area_id}@coord.{mail_domain}"
        for address, prefix, display in ((f"{area_id}@{mail_domain}", f"[BIN {name}] ", name),
                                         (f"{area_id}-partners@{mail_domain}", f"[BIN {name} partners] ", f"{name} partners")):
            settings = client.list_settings(address)
            assert settings["display_name"] == display
            assert settings["subject_prefix"] == prefix
            assert settings["subscription_policy"] == "moderate"
            assert settings["default_member_action"] == "hold"
            assert settings["default_nonmember_action"] == "hold"
            assert settings["reply_goes_to_list"] == "explicit_header"
            assert settings["reply_to_address"] == binco
            assert settings["archive_policy"] == "private"
            assert {m.address for m in client.roster(address, "owner")} == {binco}
            assert {m.address for m in client.roster(address, "moderator")} == {binco}
            nonmembers = {m.address: m.moderation_action for m in client.roster(address, "nonmember")}
            assert nonmembers == {f"bulletin@{mail_domain}": "accept"}
        members_settings = client.list_settings(f"{area_id}@{mail_domain}")
        assert members_settings["info"] == f"Het gebied {name}."
        assert members_settings["description"] == f"BIN {name}: berichten voor leden"
        assert {m.address for m in client.roster(f"{area_id}-partners@{mail_domain}", "member")} == \
            {f"partner{i}.{area_id}@partners.{mail_domain}" for i in range(1, partners + 1)}

    assert sync(root, mailman.settings) == []
    # Counts only, one line per list, for the statistics.
    lines = [json.loads(line) for line in (root / "state" / "members.jsonl").read_text().splitlines()]
    assert {line["list"] for line in lines} == {f"{a}@{mail_domain}" for a in (
        "noord", "noord-overzicht", "noord-partners", "zuid", "zuid-overzicht", "zuid-partners")}
    assert all(set(line) == {"at", "list", "members", "pending", "held"} for line in lines)


def test_partners_follow_the_yaml_and_residents_are_never_touched(
        mailman: RunningMailman, mail_domain: str, tmp_path: Path) -> None:
    root = site_with_two_areas(tmp_path, mail_domain)
    sync(root, mailman.settings)
    client = mailman.client()
    residents = {f"bewoner{i}@res.{mail_domain}" for i in range(3)}
    for address in residents:
        client.subscribe(f"noord@{mail_domain}", address)

    values = yaml.safe_load((root / "lists/noord.yaml").read_text())
    values["name"] = "Noord-Centrum"
    values["partners"] = [{"address": f"partner2.noord@partners.{mail_domain}"},
                          {"address": f"partner9.noord@partners.{mail_domain}"}]
    (root / "lists/noord.yaml").write_text(yaml.safe_dump(values))

    planned = {(c.action, c.target, c.key) for c in sync(root, mailman.settings, dry_run=True)}
    assert ("unsubscribe", f"noord-partners@{mail_domain}", f"partner1.noord@partners.{mail_domain}") in planned
    assert ("subscribe", f"noord-partners@{mail_domain}", f"partner9.noord@partners.{mail_domain}") in planned
    assert ("set", f"noord@{mail_domain}", "subject_prefix") in planned
    assert not any(c[1] == f"noord@{mail_domain}" and c[0] in ("subscribe", "unsubscribe") for c in planned)

    sync(root, mailman.settings)
    assert {m.address for m in client.roster(f"noord-partners@{mail_domain}", "member")} == \
        {f"partner2.noord@partners.{mail_domain}", f"partner9.noord@partners.{mail_domain}"}
    assert client.list_settings(f"noord@{mail_domain}")["subject_prefix"] == "[BIN Noord-Centrum] "
    assert {m.address for m in client.roster(f"noord@{mail_domain}", "member")} == residents
    assert sync(root, mailman.settings) == []


def test_a_members_own_post_is_held_for_the_binco_not_delivered(
        mailman: RunningMailman, mail_domain: str, tmp_path: Path) -> None:
    root = site_with_two_areas(tmp_path, mail_domain)
    sync(root, mailman.settings)
    client: MailmanClient = mailman.client()
    list_address = f"noord@{mail_domain}"
    resident = f"bewoner@res.{mail_domain}"
    others = [f"buur{i}@res.{mail_domain}" for i in range(2)]
    for address in [resident, *others]:
        client.subscribe(list_address, address)

    post = EmailMessage()
    post["From"] = resident
    post["To"] = list_address
    post["Subject"] = "Verdachte auto in de straat"
    post["Message-ID"] = f"<eigen-bericht@res.{mail_domain}>"
    post.set_content("Er staat al dagen een auto met draaiende motor.")
    settings = mailman.settings
    with smtplib.LMTP(settings.lmtp_host, settings.lmtp_port, timeout=10) as lmtp:
        lmtp.send_message(post, from_addr=resident, to_addrs=[list_address])

    held = poll(lambda: client.held(list_address), timeout=20, what=f"a post held on {list_address}", interval=0.1)
    assert [(h.message_id, h.sender) for h in held] == [(f"<eigen-bericht@res.{mail_domain}>", resident)]
    mailman.settle()
    # Mailman may tell the poster and the BINCO that the post waits; the post itself reaches nobody.
    delivered_ids = {" ".join(str(d.message["Message-ID"]).split()) for d in mailman.deliveries(mail_domain)}
    assert f"<eigen-bericht@res.{mail_domain}>" not in delivered_ids
    assert not any(set(d.envelope_to) & set(others) for d in mailman.deliveries(mail_domain))


def test_sync_checks_the_site_like_send_with_the_build_cache(
        mailman: RunningMailman, mail_domain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``lists sync`` runs in CI on every commit: the second one analyses no
    bulletin again. Like ``build`` and ``send`` it refuses a site with any
    error, personal data in a public bulletin included, and then changes nothing."""
    from binsite.incremental import analyse

    root = site_with_two_areas(tmp_path, mail_domain)
    write_bulletin(root, "noord/2026-11-01-fiets.md", bulletin_text("Fiets gestolen", "2026-11-01"))
    assert sync(root, mailman.settings, dry_run=True)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a bulletin was analysed again")

    with monkeypatch.context() as patched:
        patched.setattr(analyse, "analyse_source", no_analysis)
        assert sync(root, mailman.settings, dry_run=True)

    write_bulletin(root, "zuid/2026-11-02-bel.md",
                   bulletin_text("Bel mij", "2026-11-02", body="Bel Jan op 06-12345678."))
    with pytest.raises(InvalidSite) as refused:
        sync(root, mailman.settings)
    assert any(p.path == "content/zuid/2026-11-02-bel.md" and p.is_error for p in refused.value.problems)
    assert f"noord@{mail_domain}" not in mailman.client().lists()
