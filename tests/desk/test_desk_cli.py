"""The desk's commands without Mailman: help everywhere, the default sub-command,
and the forwarded message and draft composed from a held report (pure)."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
import yaml
from click.testing import CliRunner

from binsite.cli import main
from binsite.cli.desk import inbox, members
from binsite.desk.desk import Desk, open_desk
from binsite.desk.inbox import InboxItem, draft_text, forward_message
from binsite.desk.message import view
from binsite.desk.refs import message_digest
from binsite.mailman.settings import MailmanSettings
from sitekit import area, write_site

DOMAIN = "desk.test.example"
TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 28, 16, 30, tzinfo=TZ)
SETTINGS = MailmanSettings("http://127.0.0.1:9/3.1", "binsite", "x", "127.0.0.1", 9)


@pytest.mark.parametrize("group", [inbox, members], ids=["inbox", "members"])
def test_every_desk_command_has_help_with_an_example(group: click.Group) -> None:
    for name in [None, *group.commands]:
        args = [group.name] + ([name] if name else []) + ["--help"]
        result = CliRunner().invoke(main, args, env={"BINSITE_LANG": "en"})
        assert result.exit_code == 0, (args, result.output)
        assert "Example" in result.output, args
        dutch = CliRunner().invoke(main, args, env={"BINSITE_LANG": None})
        assert dutch.exit_code == 0 and "Voorbeeld" in dutch.output, args


def test_a_group_without_sub_command_runs_its_default(tmp_path: Path) -> None:
    # No Mailman settings: the listing itself starts, and says what is missing.
    root = write_site(tmp_path / "site", DOMAIN, {"noord": area("Noord", DOMAIN, "noord")})
    for args in (["inbox"], ["inbox", "noord"], ["inbox", "--show-senders"], ["inbox", "--", "show"], ["members"],
                 ["members", "noord", "--show-addresses"]):
        result = CliRunner().invoke(main, ["--root", str(root), *args], env={"BINSITE_MAILMAN_URL": "", "BINSITE_LANG": "en"})
        assert result.exit_code == 1, args
        assert "Mailman is not configured" in result.stderr, args


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    root = write_site(tmp_path / "site", DOMAIN, {"noord": area("Noord-Oost", DOMAIN, "noord")})
    return open_desk(root, SETTINGS)  # nothing here calls Mailman


def held(kind: str = "members") -> InboxItem:
    report = EmailMessage()
    report["From"] = "Jan de Vries <jan.devries@res.example.org>"
    report["Reply-To"] = "jan.devries@res.example.org"
    report["Sender"] = "jan.devries@res.example.org"
    report["Received"] = "from laptop-jan (jan.devries.thuis)"
    report["DKIM-Signature"] = "v=1; d=res.example.org; s=jan"
    report["X-Mailer"] = "Jan's mailer"
    report["Subject"] = "Re: [BIN Noord-Oost] Busje gezien (Jan de Vries)"
    report["Message-ID"] = "<jan.1@res.example.org>"
    report.set_content("Er stond een busje bij de school.\n\nMvg,\nJan de Vries\n06-12345678\n")
    report.add_attachment(b"x" * 10, maintype="image", subtype="jpeg", filename="jan.jpg")
    list_address = f"noord@{DOMAIN}" if kind == "members" else f"noord-partners@{DOMAIN}"
    digest = message_digest(list_address, "<jan.1@res.example.org>")
    return InboxItem(digest[:6], digest, "noord", kind, list_address, 1, "<jan.1@res.example.org>",
                     datetime(2026, 11, 28, 14, 5, tzinfo=TZ), "moderated member", view(report.as_string()))


def test_the_forwarded_message_carries_nothing_of_the_resident(desk: Desk) -> None:
    item = held()
    message = forward_message(desk, item, f"noord-partners@{DOMAIN}", now=NOW)
    wire = message_from_bytes(message.as_bytes(), policy=default)
    assert sorted(wire.keys()) == sorted(["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "X-Binsite-Report",
                                          "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Content-Language"])
    assert str(wire["From"]) == f"BIN Proefdorp <bulletin@{DOMAIN}>"
    assert str(wire["Reply-To"]) == f"binco.noord@coord.{DOMAIN}"
    assert str(wire["Subject"]) == f"Melding {item.ref}: Busje gezien ([naam])"
    assert str(wire["X-Binsite-Report"]) == item.ref
    body = wire.get_content().replace("\r\n", "\n")
    assert body.startswith(f"Melding van een bewoner uit Noord-Oost, doorgestuurd door de BINCO.\n"
                           f"Referentie: {item.ref} (ontvangen 28-11-2026 14:05)\n\nEr stond een busje bij de school.\n")
    assert "1 bijlage(n) niet doorgestuurd" in body
    everything = (message.as_bytes().decode() + body).lower()
    for trace in ("jan", "vries", "res.example.org", "06-12345678", "laptop", "mailer"):
        assert trace not in everything, trace


def test_the_draft_has_the_front_matter_of_a_draft_bulletin(desk: Desk) -> None:
    name, text = draft_text(desk, held(), now=NOW)
    assert name == "2026-11-28-busje-gezien-naam.md"
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": "Busje gezien ([naam])", "date": "2026-11-28 16:30", "draft": True,
                     "received": "2026-11-28 14:05", "author": {"role": "binco", "name": ""}, "audience": "members"}
    assert text.endswith("\nEr stond een busje bij de school.\n")
