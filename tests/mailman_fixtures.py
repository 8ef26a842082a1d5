"""The Mailman test tier: one real Mailman Core per test session.

Registered from tests/conftest.py (``pytest_plugins``). ``local_mailman``
starts a private Mailman and SMTP sink in a fresh folder on free ports (the
Mailman virtual environment is made from requirements/mailman.txt if
missing) and stops it at the end. Tests share it, so each test's site uses
its own mail domain (``mail_domain``) and reads only deliveries for it.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from binsite.mailman.client import MailmanClient
from binsite.devtools.local_mailman import LocalMailman, LocalState
from binsite.mailman.settings import MailmanSettings
from binsite.devtools.sink import Delivered, clear_maildir, read_maildir

_domains = itertools.count(1)
ACTIVE_QUEUES = ("in", "pipeline", "out", "virgin", "command")


@dataclass(frozen=True)
class RunningMailman:
    """The session's Mailman: how to reach it and where its mail lands."""

    local: LocalMailman
    state: LocalState

    @property
    def settings(self) -> MailmanSettings:
        return self.state.settings

    @property
    def maildir(self) -> Path:
        return self.state.maildir

    def client(self) -> MailmanClient:
        return MailmanClient(self.settings, timeout=10.0)

    def clear_sink(self) -> None:
        clear_maildir(self.maildir)

    def deliveries(self, domain: str) -> list[Delivered]:
        """What the sink holds from lists of ``domain`` (Mailman sends as LIST-bounces@DOMAIN)."""
        return [d for d in read_maildir(self.maildir) if d.envelope_from.lower().endswith("@" + domain)]

    def copies(self, domain: str) -> Counter[tuple[str, str]]:
        """(recipient, Message-ID) -> number of copies delivered."""
        found: Counter[tuple[str, str]] = Counter()
        for delivered in self.deliveries(domain):
            mid = " ".join(str(delivered.message["Message-ID"]).split())
            for rcpt in delivered.envelope_to:
                found[(rcpt, mid)] += 1
        return found

    def wait_for_deliveries(self, domain: str, recipients: int, *, timeout: float = 30.0) -> list[Delivered]:
        """Wait until at least ``recipients`` envelope recipients got mail from
        ``domain`` and Mailman's queues are empty; a hard ``timeout``."""
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            got = sum(len(d.envelope_to) for d in self.deliveries(domain))
            if got >= recipients and self.queues_empty(client):
                # Anything still on its way (a duplicate) would show within a moment.
                time.sleep(0.4)
                if self.queues_empty(client):
                    return self.deliveries(domain)
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {recipients} recipients from {domain} within {timeout} s, got {got}")
            time.sleep(0.1)

    def settle(self, *, timeout: float = 20.0) -> None:
        """Wait until Mailman's queues are empty (twice, 0.4 s apart); a hard ``timeout``."""
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            if self.queues_empty(client):
                time.sleep(0.4)
                if self.queues_empty(client):
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"Mailman's queues not empty within {timeout} s: {client.queue_sizes()}")
            time.sleep(0.1)

    @staticmethod
    def queues_empty(client: MailmanClient) -> bool:
        # Only the queues whose runners run: the archive queue fills up with
        # the archive runner off, and that is fine.
        sizes = client.queue_sizes()
        return not any(sizes.get(name, 0) for name in ACTIVE_QUEUES)


@pytest.fixture(scope="session")
def local_mailman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMailman]:
    """One real Mailman Core and SMTP sink for the whole session."""
    local = LocalMailman(tmp_path_factory.mktemp("mailman") / "local", start_timeout=120.0)
    state = local.start()
    try:
        yield RunningMailman(local, state)
    finally:
        local.stop()


@pytest.fixture
def mailman(local_mailman: RunningMailman) -> RunningMailman:
    """The session's Mailman, with an empty sink."""
    local_mailman.settle()
    local_mailman.clear_sink()
    return local_mailman


def new_domain() -> str:
    """A mail domain nobody else in this session uses, so tests sharing one Mailman never meet."""
    return f"t{next(_domains)}.bin.test.example"


@pytest.fixture
def mail_domain() -> str:
    """A mail domain of this test's own."""
    return new_domain()


# --- small sites in tmp_path -------------------------------------------------

def write_site(root: Path, domain: str, areas: dict[str, dict], bulletins: dict[str, str] | None = None,
               *, send_window: str = "7 days", title: str = "BIN Proefdorp") -> Path:
    """A site with ``areas`` (``lists/<id>.yaml`` contents) and ``bulletins``
    (path under ``content/`` -> file text)."""
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "title": title,
        "base_url": "https://bin.test.example/archief/",
        "language": "nl",
        "timezone": "Europe/Amsterdam",
        "mail": {"domain": domain, "sender": f"bulletin@{domain}", "sender_name": title},
        "send_window": send_window,
    }
    (root / "binsite.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "lists").mkdir(exist_ok=True)
    for area_id, values in areas.items():
        (root / "lists" / f"{area_id}.yaml").write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False),
                                                        encoding="utf-8")
    for rel, text in (bulletins or {}).items():
        write_bulletin(root, rel, text)
    return root


def write_bulletin(root: Path, rel: str, text: str) -> Path:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bulletin_text(title: str, date: str, body: str = "Tekst van het bericht.", **front: object) -> str:
    values = {"title": title, "date": date, **front}
    return "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


def area(name: str, domain: str, area_id: str, *, partners: int = 1) -> dict:
    """An area with one BINCO and ``partners`` partners, all at ``domain``'s test addresses."""
    return {
        "name": name,
        "description": f"Het gebied {name}.",
        "coordinators": [f"binco.{area_id}@coord.{domain}"],
        "partners": [{"address": f"partner{i}.{area_id}@partners.{domain}", "role": "politie"} for i in range(1, partners + 1)],
        "join": "Mail de BINCO.",
    }


def subscribe_residents(client: MailmanClient, list_address: str, residents: list[str]) -> None:
    for address in residents:
        client.subscribe(list_address, address)
