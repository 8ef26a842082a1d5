"""binsite send against a real Mailman Core: every recipient gets each message exactly once."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.errors import InvalidSite, MailmanUnavailable
from binsite.mailing.ledger import read_ledger
from binsite.mailing.run import send
from binsite.mailman.client import post_lmtp
from binsite.devtools.local_mailman import free_port
from binsite.mailman.sync import sync
from tests.mailman_fixtures import RunningMailman, new_domain
from sitekit import area, bulletin_text, write_bulletin, write_site

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
AREAS = ("noord", "oost", "zuid", "west")


@dataclasses.dataclass(frozen=True)
class Network:
    root: Path
    domain: str
    residents: dict[str, tuple[str, ...]]   # area -> members
    partners: dict[str, tuple[str, ...]]    # area -> partners

    @property
    def ledger(self) -> Path:
        return self.root / "state" / "sent.jsonl"


def network_lists(domain: str) -> dict[str, dict]:
    return {a: area(a.capitalize(), domain, a, partners=2) for a in AREAS}


def synced_network(mailman: RunningMailman, folder: Path) -> Network:
    """Four areas in Mailman on lists new to the caller, with two residents
    each (and one who reads two areas); no bulletins, empty ledger."""
    domain = new_domain()
    root = write_site(folder / "site", domain, network_lists(domain))
    sync(root, mailman.settings)
    client = mailman.client()
    residents = {a: (f"bewoner1.{a}@res.{domain}", f"bewoner2.{a}@res.{domain}") for a in AREAS}
    residents["oost"] += (f"bewoner1.noord@res.{domain}",)
    for area_id, addresses in residents.items():
        for address in addresses:
            client.subscribe(f"{area_id}@{domain}", address)
    partners = {a: (f"partner1.{a}@partners.{domain}", f"partner2.{a}@partners.{domain}") for a in AREAS}
    return Network(root, domain, residents, partners)


@pytest.fixture
def network(mailman: RunningMailman, tmp_path: Path) -> Network:
    """A network on lists of this test's own, not shared with earlier tests:
    an empty ledger against lists that already have posts is refused
    (``binding.history_mismatch``)."""
    return synced_network(mailman, tmp_path)


@pytest.fixture(scope="module")
def quiet_lists(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> Network:
    """One synced network for the tests of this module that never post to it:
    its lists stay without posts, so each such test can bring a site and a
    ledger of its own (``quiet_network``) instead of syncing four areas again."""
    return synced_network(local_mailman, tmp_path_factory.mktemp("quiet"))


@pytest.fixture
def quiet_network(mailman: RunningMailman, quiet_lists: Network, tmp_path: Path) -> Network:
    """``quiet_lists`` with a fresh site folder (no bulletins, empty ledger);
    for a test that must leave the lists without posts."""
    root = write_site(tmp_path / "site", quiet_lists.domain, network_lists(quiet_lists.domain))
    return dataclasses.replace(quiet_lists, root=root)


def message_ids(mailman: RunningMailman, domain: str) -> dict[str, set[str]]:
    """Message-ID -> recipients, asserting nobody got any message twice."""
    copies = mailman.copies(domain)
    assert all(n == 1 for n in copies.values()), {k: n for k, n in copies.items() if n > 1}
    found: dict[str, set[str]] = {}
    for recipient, mid in copies:
        found.setdefault(mid, set()).add(recipient)
    return found


def test_a_bulletin_reaches_every_member_of_its_area_and_nobody_else(mailman: RunningMailman, network: Network) -> None:
    write_bulletin(network.root, "noord/2026-11-09-fiets.md", bulletin_text("Fiets gestolen bij café De Gouden Leeuw",
                                                                           "2026-11-09 10:00", "Een blauwe fiets is weg."))
    result = send(network.root, now=NOW, settings=mailman.settings)
    assert [(e.bulletin, e.list) for e in result.sent] == [("noord/2026-11-09-fiets", f"noord@{network.domain}")]
    delivered = mailman.wait_for_deliveries(network.domain, len(network.residents["noord"]))
    assert message_ids(mailman, network.domain) == {result.sent[0].message_id: set(network.residents["noord"])}
    # One copy per recipient (binsite.mailman.delivery: each carries its own unsubscribe headers).
    assert sorted(d.envelope_to for d in delivered) == sorted((r,) for r in network.residents["noord"])
    first = delivered[0]
    assert str(first.message["Subject"]).startswith("[BIN Noord]")
    assert "café De Gouden Leeuw" in str(first.message["Subject"])


def test_a_partners_only_bulletin_reaches_only_the_partners(mailman: RunningMailman, network: Network) -> None:
    write_bulletin(network.root, "oost/2026-11-09-inbraakgolf.md",
                   bulletin_text("Inbraakgolf: kenteken bekend", "2026-11-09", "Voor politie en gemeente.", audience="partners"))
    result = send(network.root, now=NOW, settings=mailman.settings)
    assert [e.list for e in result.sent] == [f"oost-partners@{network.domain}"]
    mailman.wait_for_deliveries(network.domain, 2)
    assert message_ids(mailman, network.domain) == {result.sent[0].message_id: set(network.partners["oost"])}


def test_a_notice_for_three_areas_reaches_each_list_once_and_a_second_send_sends_nothing(
        mailman: RunningMailman, network: Network) -> None:
    write_bulletin(network.root, "notices/2026-11-09-afval.md",
                   bulletin_text("Afvalinzameling verschoven", "2026-11-09", "Door de feestdag.", areas=["noord", "oost", "zuid"]))
    result = send(network.root, now=NOW, settings=mailman.settings)
    assert sorted(e.list for e in result.sent) == [f"{a}@{network.domain}" for a in ("noord", "oost", "zuid")]
    expected = {e.message_id: set(network.residents[e.list.split("@")[0]]) for e in result.sent}
    mailman.wait_for_deliveries(network.domain, sum(len(r) for r in expected.values()))
    # The border resident of noord and oost gets the notice once per list, never twice from one list.
    assert message_ids(mailman, network.domain) == expected

    again = send(network.root, now=NOW, settings=mailman.settings)
    assert again.sent == () and again.plan.messages == ()
    mailman.settle()
    assert message_ids(mailman, network.domain) == expected
    ledger, problems = read_ledger(network.ledger)
    assert problems == [] and len(ledger.entries) == 3
    # After every send: counts per list (no addresses) for the statistics.
    counts = [json.loads(line) for line in (network.root / "state" / "members.jsonl").read_text().splitlines()]
    # (lists sync records them too, before the residents joined: the last line per list is this send's)
    assert {c["list"]: c["members"] for c in counts[-12:]}[f"oost@{network.domain}"] == 3
    assert "@res." not in (network.root / "state" / "members.jsonl").read_text()


KILLED_SEND = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from binsite.mailing.run import send
    from binsite.mailman.settings import settings_from_env

    sent = 0

    def die_after_two(entry):
        global sent
        sent += 1
        if sent == 2:  # the process dies hard, between two messages
            os.kill(os.getpid(), signal.SIGKILL)

    send(Path(sys.argv[1]), now=datetime.fromisoformat(sys.argv[2]), settings=settings_from_env(), progress=die_after_two)
""")


def test_a_send_killed_midway_and_run_again_leaves_everyone_exactly_one_copy(
        mailman: RunningMailman, network: Network) -> None:
    for area_id in AREAS:
        write_bulletin(network.root, f"{area_id}/2026-11-09-bericht.md",
                       bulletin_text(f"Bericht voor {area_id}", "2026-11-09", audience="all"))
    env = {**os.environ, **mailman.settings.environment()}
    killed = subprocess.run([sys.executable, "-c", KILLED_SEND, str(network.root), NOW.isoformat()],
                            env=env, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    ledger, _ = read_ledger(network.ledger)
    assert len(ledger.entries) == 2

    result = send(network.root, now=NOW, settings=mailman.settings)
    assert len(result.sent) == 6  # 4 areas x (members + partners) - the 2 sent before the kill
    ledger, _ = read_ledger(network.ledger)
    expected = {}
    for entry in ledger.entries:
        area_id = entry.list.split("@")[0].removesuffix("-partners")
        expected[entry.message_id] = set(network.partners[area_id] if "-partners@" in entry.list else network.residents[area_id])
    assert len(expected) == 8
    mailman.wait_for_deliveries(network.domain, sum(len(r) for r in expected.values()))
    assert message_ids(mailman, network.domain) == expected


def test_with_mailman_unreachable_send_fails_clearly_and_the_ledger_holds_what_was_accepted(
        mailman: RunningMailman, network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    for area_id in AREAS:
        write_bulletin(network.root, f"{area_id}/2026-11-09-bericht.md", bulletin_text(f"Bericht {area_id}", "2026-11-09"))
    dead = dataclasses.replace(mailman.settings, url=f"http://127.0.0.1:{free_port()}/3.1", lmtp_port=free_port())

    # Mailman down from the start: nothing is sent, nothing recorded.
    with pytest.raises(MailmanUnavailable) as failure:
        send(network.root, now=NOW, settings=dead, attempts=2, backoff=0.01)
    assert "LMTP" in failure.value.message("en") and "BINSITE_LMTP" in failure.value.message("en")
    assert not network.ledger.exists() or read_ledger(network.ledger)[0].entries == ()

    # Mailman goes away after two messages: the only fault injected is where the
    # connection goes; refusing it is the real network stack's doing.
    posted: list[str] = []

    def mailman_stops_after_two(settings, list_address, message, **options):
        posted.append(list_address)
        post_lmtp(settings if len(posted) <= 2 else dead, list_address, message, **options)

    with pytest.raises(MailmanUnavailable):
        send(network.root, now=NOW, settings=mailman.settings, post=mailman_stops_after_two, attempts=2, backoff=0.01)
    ledger, problems = read_ledger(network.ledger)
    assert problems == []
    assert [e.list for e in ledger.entries] == posted[:2]
    mailman.wait_for_deliveries(network.domain, 4)
    assert set(message_ids(mailman, network.domain)) == {e.message_id for e in ledger.entries}

    # Back up: the rest goes, nothing twice.
    result = send(network.root, now=NOW, settings=mailman.settings)
    assert len(result.sent) == 2
    mailman.wait_for_deliveries(network.domain, 8)
    assert len(message_ids(mailman, network.domain)) == 4


def test_invalid_content_means_nothing_is_sent(mailman: RunningMailman, quiet_network: Network) -> None:
    write_bulletin(quiet_network.root, "noord/2026-11-09-goed.md", bulletin_text("Goed bericht", "2026-11-09"))
    write_bulletin(quiet_network.root, "zuid/2026-11-09-fout.md", bulletin_text("Fout bericht", "2026-11-09", category="bestaat-niet"))
    with pytest.raises(InvalidSite):
        send(quiet_network.root, now=NOW, settings=mailman.settings)
    mailman.settle()
    assert mailman.deliveries(quiet_network.domain) == [] and not quiet_network.ledger.exists()


def test_a_title_that_tries_to_inject_a_header_arrives_as_one_subject(mailman: RunningMailman, network: Network) -> None:
    """Titles with line breaks are rejected by check; compose is defensive anyway,
    and an encoded-word title (which Python's email package would decode into
    a real header) stays text all the way through Mailman."""
    write_bulletin(network.root, "noord/2026-11-09-let-op.md", bulletin_text(
        "=?utf-8?q?Let_op=0D=0ABcc=3A_evil=40attacker.example?=", "2026-11-09"))
    result = send(network.root, now=NOW, settings=mailman.settings)
    [delivered, *_] = mailman.wait_for_deliveries(network.domain, len(network.residents["noord"]))
    assert "Bcc" not in delivered.message
    assert all("attacker" not in r for d in mailman.deliveries(network.domain) for r in d.envelope_to)
    assert "Let_op" in str(delivered.message["Subject"])
    assert len(result.sent) == 1


def test_dry_run_shows_the_plan_with_member_counts_and_sends_nothing(mailman: RunningMailman, quiet_network: Network) -> None:
    write_bulletin(quiet_network.root, "oost/2026-11-09-vergadering.md", bulletin_text("Buurtvergadering", "2026-11-09"))
    result = send(quiet_network.root, now=NOW, settings=mailman.settings, dry_run=True)
    assert [(m.bulletin.id, m.target.list) for m in result.plan.messages] == \
        [("oost/2026-11-09-vergadering", f"oost@{quiet_network.domain}")]
    assert {c.list: c.members for c in result.counts} == {f"oost@{quiet_network.domain}": 3}
    assert result.sent == () and not quiet_network.ledger.exists()
    mailman.settle()
    assert mailman.deliveries(quiet_network.domain) == []


def test_privacy_error_anywhere_means_nothing_is_sent(tmp_path: Path) -> None:
    """What binsite check rejects stops a send before any network is touched."""
    from binsite.errors import InvalidSite
    from binsite.mailing.run import send

    root = write_site(tmp_path / "site", "bin.privacy.example", {"noord": area("Noord", "bin.privacy.example", "noord")})
    write_bulletin(root, "noord/2026-11-09-fiets.md", bulletin_text("Fiets gestolen", "2026-11-09"))
    write_bulletin(root, "noord/2026-11-09-auto.md", bulletin_text("Auto", "2026-11-09", body="Kenteken AB-123-C gezien."))
    with pytest.raises(InvalidSite) as info:
        send(root, now=datetime(2026, 11, 10, 12, tzinfo=ZoneInfo("Europe/Amsterdam")), settings=None, dry_run=True)
    assert any(p.code == "privacy" and p.path == "content/noord/2026-11-09-auto.md" for p in info.value.problems)
    assert not (root / "state" / "sent.jsonl").exists()


def test_members_only_passage_reaches_members_but_never_the_archive(mailman: RunningMailman, network: Network,
                                                                   tmp_path: Path) -> None:
    from binsite.build import build

    write_bulletin(network.root, "noord/2026-11-09-schuur.md", bulletin_text(
        "Inbraak in schuur", "2026-11-09 10:00",
        "Er is ingebroken in een schuur.\n\n::: leden\nALLEEN-LEDEN-ZIN: achter de sporthal, westkant.\n:::\n\nLet op."))
    send(network.root, now=NOW, settings=mailman.settings)
    delivered = mailman.wait_for_deliveries(network.domain, len(network.residents["noord"]))
    for item in delivered:
        parts = [p.get_content() for p in item.message.walk() if p.get_content_type() in ("text/plain", "text/html")]
        assert sum("ALLEEN-LEDEN-ZIN" in part for part in parts) == 2, "both the text and the HTML part hold it"
    out = tmp_path / "site-out"
    build(network.root, out, now=NOW)
    assert (out / "noord/2026-11-09-schuur/index.html").is_file()
    for path in out.rglob("*"):
        if path.is_file():
            assert b"ALLEEN-LEDEN-ZIN" not in path.read_bytes(), path
    assert "Een deel van dit bericht is alleen voor leden." in (out / "noord/2026-11-09-schuur/index.html").read_text()
