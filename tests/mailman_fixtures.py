"""The Mailman test tier: one real Mailman Core per test session.

Registered from tests/conftest.py (``pytest_plugins``). ``local_mailman``
starts a private Mailman and SMTP sink in a fresh folder on free ports (the
Mailman virtual environment is made from requirements/mailman.txt if
missing) and stops it at the end. Tests share it, so each test's site uses
its own mail domain (``mail_domain``) and reads only deliveries for it. The
sites themselves come from ``tests/sitekit.py`` (``write_site``, ``area``).
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from binsite.mailman.client import MailmanClient
from binsite.devtools.local_mailman import LocalMailman, LocalState
from binsite.mailman.settings import MailmanSettings
from binsite.devtools.sink import Delivered, clear_maildir, read_maildir
from sitekit import poll

_domains = itertools.count(1)
# What the session's Mailman signs its unsubscribe links with (binsite.mailman.delivery):
# lists of a web_domain() get WEB_URL, every other domain mailto: only.
# Fresh for every run: no signing secret is written in the repository.
SECRET = secrets.token_urlsafe(32)
WEB_URL = "https://bin.test.example/mijn/"
WEB_DOMAINS = "web.bin.test.example"
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
        client = self.client()

        def got() -> int:
            return sum(len(d.envelope_to) for d in self.deliveries(domain))

        poll(lambda: got() >= recipients and self._empty_twice(client), timeout=timeout, interval=0.1,
             what=lambda: f"{recipients} recipients from {domain} (got {got()})")
        return self.deliveries(domain)

    def settle(self, *, timeout: float = 20.0) -> None:
        """Wait until Mailman's queues are empty (twice, 0.4 s apart); a hard ``timeout``."""
        client = self.client()
        poll(lambda: self._empty_twice(client), timeout=timeout, interval=0.1,
             what=lambda: f"Mailman's queues to empty ({client.queue_sizes()})")

    def _empty_twice(self, client: MailmanClient) -> bool:
        if not self.queues_empty(client):
            return False
        # Anything still on its way (a duplicate) would show within a moment.
        time.sleep(0.4)
        return self.queues_empty(client)

    @staticmethod
    def queues_empty(client: MailmanClient) -> bool:
        # Only the queues whose runners run: the archive queue fills up with
        # the archive runner off, and that is fine.
        sizes = client.queue_sizes()
        return not any(sizes.get(name, 0) for name in ACTIVE_QUEUES)


@pytest.fixture(scope="session")
def local_mailman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMailman]:
    """One real Mailman Core and SMTP sink for the whole session."""
    local = LocalMailman(tmp_path_factory.mktemp("mailman") / "local", start_timeout=120.0,
                         web_url=f"*.{WEB_DOMAINS}={WEB_URL}", secret=SECRET)
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


def web_domain() -> str:
    """A mail domain of its own whose lists' copies carry the web service's links (WEB_URL)."""
    return f"w{next(_domains)}.{WEB_DOMAINS}"


@pytest.fixture
def mail_domain() -> str:
    """A mail domain of this test's own."""
    return new_domain()


def subscribe_residents(client: MailmanClient, list_address: str, residents: list[str]) -> None:
    for address in residents:
        client.subscribe(list_address, address)
