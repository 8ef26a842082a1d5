"""The desk tests' Mailman helpers (the site itself from ``sitekit``): posting as a
resident over LMTP, waiting for a held message, running the CLI."""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner, Result

from binsite.cli import main
from binsite.cli import desk as _desk  # noqa: F401  (registers inbox and members until cli/__init__ does)
from binsite.mailman.client import HeldMessage, MailmanClient
from binsite.mailman.settings import MailmanSettings
from binsite.mailman.sync import sync
from sitekit import area, poll, write_site


@dataclass(frozen=True)
class DeskNetwork:
    """A synced site whose areas each belong to one test."""

    root: Path
    domain: str
    area_ids: tuple[str, ...]

    def members_list(self, area_id: str) -> str:
        return f"{area_id}@{self.domain}"

    def partners_list(self, area_id: str) -> str:
        return f"{area_id}-partners@{self.domain}"

    def partners(self, area_id: str) -> set[str]:
        return {f"partner{i}.{area_id}@partners.{self.domain}" for i in (1, 2)}

    def resident(self, area_id: str, name: str) -> str:
        return f"{name}@res.{self.domain}"


def unique_domain() -> str:
    return f"desk{uuid.uuid4().hex[:8]}.bin.test.example"


def synced_network(settings: MailmanSettings, folder: Path, area_ids: tuple[str, ...]) -> DeskNetwork:
    domain = unique_domain()
    root = write_site(folder / "site", domain, {a: area(a.capitalize(), domain, a, partners=2) for a in area_ids})
    sync(root, settings)
    return DeskNetwork(root, domain, area_ids)


def report(sender: str, to: str, subject: str, text: str, *, name: str = "", html: str | None = None,
           message_id: str | None = None, headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@res.mail.example>"
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def post(settings: MailmanSettings, message: EmailMessage) -> None:
    """Hand a resident's message to Mailman over LMTP, as their mail server would."""
    sender = message["From"].addresses[0].addr_spec
    with smtplib.LMTP(settings.lmtp_host, settings.lmtp_port, timeout=10) as lmtp:
        lmtp.send_message(message, from_addr=sender, to_addrs=[str(message["To"])])


def wait_held(client: MailmanClient, list_address: str, message_id: str, *, timeout: float = 20.0) -> HeldMessage:
    return poll(lambda: next((h for h in client.held(list_address) if h.message_id == message_id), None),
                timeout=timeout, what=f"{message_id} held on {list_address}", interval=0.1)


def run(root: Path, settings: MailmanSettings, *args: str, lang: str = "nl", more_env: dict[str, str] | None = None) -> Result:
    """``binsite --root ROOT ARGS`` with Mailman's settings (and ``more_env``) in the environment."""
    env = {**settings.environment(), "BINSITE_LANG": lang, **(more_env or {})}
    return CliRunner().invoke(main, ["--root", str(root), *args], env=env, catch_exceptions=False)


def held_report(mailman, network: DeskNetwork, area_id: str, resident: str, subject: str, text: str, *,
                name: str = "") -> EmailMessage:
    """A resident's report posted to the area's members list and held there for the BINCO."""
    sent = report(resident, network.members_list(area_id), subject, text, name=name)
    post(mailman.settings, sent)
    wait_held(mailman.client(), network.members_list(area_id), sent["Message-ID"])
    return sent


def logbook_text(root: Path) -> str:
    """Every line of the site's logbook as it is kept in the store, one per line (what a
    leak of an address or of content would show up in)."""
    from binsite.store import site_store
    return "\n".join(site_store(root).log_lines())
