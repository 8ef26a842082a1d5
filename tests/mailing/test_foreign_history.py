"""A Mailman that belongs to another ledger: an empty (or partial) ledger
pointed at lists that already have posts stops ``send`` before anything goes
out; ``--adopt`` confirms it once; lists without posts start normally. Real
Mailman, real sink, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.mailing.binding import ForeignHistory
from binsite.mailing.run import send
from binsite.mailman.settings import public_url
from binsite.mailman.sync import sync
from tests.desk.deskkit import post, report, wait_held
from tests.mailman_fixtures import RunningMailman, new_domain
from sitekit import area, bulletin_text, poll, write_bulletin, write_site

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
NOW = "2026-11-10T12:00"
AREAS = ("noord", "oost")
PROJECT = Path(__file__).resolve().parents[2]


def make_site(mailman: RunningMailman, folder: Path) -> tuple[Path, str, dict[str, str]]:
    """A fresh domain (lists new to this test), synced, one resident per area, two bulletins per area."""
    domain = new_domain()
    root = write_site(folder / "site", domain, {a: area(a.capitalize(), domain, a) for a in AREAS})
    sync(root, mailman.settings)
    client = mailman.client()
    residents = {a: f"bewoner.{a}@res.{domain}" for a in AREAS}
    for area_id, address in residents.items():
        client.subscribe(f"{area_id}@{domain}", address)
    for area_id in AREAS:
        for n in (1, 2):
            write_bulletin(root, f"{area_id}/2026-11-0{n}-bericht-{n}.md",
                           bulletin_text(f"Bericht {n} voor {area_id}", f"2026-11-0{n + 4} 10:00", audience="all"))
    return root, domain, residents


def copies_per_send() -> int:
    return len(AREAS) * 2 * 2  # two bulletins per area, to one resident and one partner


def wait_for_posts(mailman: RunningMailman, addresses: list[str], *, timeout: float = 20.0) -> None:
    """Mailman counts a post when its pipeline is done: wait until every list has."""
    client = mailman.client()
    poll(lambda: all(client.list_state(a).has_posts for a in addresses), timeout=timeout,
         what=f"a post counted on each of {addresses}", interval=0.1)


def cli(root: Path, mailman: RunningMailman, *args: str, lang: str = "nl") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINSITE_")}
    env.update(mailman.settings.environment(), PYTHONPATH=str(PROJECT), BINSITE_LANG=lang)
    return subprocess.run([sys.executable, "-m", "binsite", "--root", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=180)


def lists_of(domain: str) -> list[str]:
    return [f"{a}@{domain}" for a in AREAS] + [f"{a}-partners@{domain}" for a in AREAS]


def test_lists_without_posts_and_an_empty_ledger_make_a_normal_first_send(mailman: RunningMailman,
                                                                          tmp_path: Path) -> None:
    root, domain, _ = make_site(mailman, tmp_path)
    client = mailman.client()
    assert all(not client.list_state(a).has_posts for a in lists_of(domain))
    done = cli(root, mailman, "send", "--now", NOW)
    assert done.returncode == 0, done.stderr
    mailman.wait_for_deliveries(domain, copies_per_send())
    assert set(mailman.copies(domain).values()) == {1}
    assert sum(mailman.copies(domain).values()) == copies_per_send()


def test_an_empty_ledger_against_lists_with_posts_stops_before_anything_is_sent(mailman: RunningMailman,
                                                                              tmp_path: Path) -> None:
    root, domain, _ = make_site(mailman, tmp_path)
    assert cli(root, mailman, "send", "--now", NOW).returncode == 0
    mailman.wait_for_deliveries(domain, copies_per_send())
    wait_for_posts(mailman, lists_of(domain))
    # A fresh checkout: the ledger is gone, the production Mailman is the same.
    ledger = root / "state" / "sent.jsonl"
    ledger.unlink()
    mailman.clear_sink()

    refused = cli(root, mailman, "send", "--now", NOW)
    assert refused.returncode == 1
    message = " ".join(refused.stderr.split())
    assert "fout: het verzendlogboek state/sent.jsonl is leeg" in message
    assert f"deze Mailman ({public_url(mailman.settings.url)})" in message
    for address in lists_of(domain):
        assert address in message
    assert "2 bericht(en)" in message and "--adopt" in message and "BINSITE_STATE_DIR" in message
    assert mailman.settings.password not in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr

    english = cli(root, mailman, "send", "--now", NOW, lang="en")
    assert english.returncode == 1
    assert "the ledger state/sent.jsonl is empty, but this Mailman" in " ".join(english.stderr.split())

    # The dry run shows what would go, and that a real send would stop.
    preview = cli(root, mailman, "send", "--dry-run", "--now", NOW)
    assert preview.returncode == 1
    assert preview.stdout.count("zou versturen:") == len(AREAS) * 2 * 2
    assert "een echte 'binsite send' zou nu stoppen: het verzendlogboek" in " ".join(preview.stderr.split())
    # With the flag the dry run has nothing to object to.
    adopted_preview = cli(root, mailman, "send", "--dry-run", "--adopt", "--now", NOW)
    assert adopted_preview.returncode == 0, adopted_preview.stderr
    assert "zou nu stoppen" not in adopted_preview.stderr

    mailman.settle()
    assert mailman.deliveries(domain) == []
    assert not ledger.exists() or ledger.read_text() == ""


def test_adopt_sends_once_and_the_next_run_is_normal(mailman: RunningMailman, tmp_path: Path) -> None:
    root, domain, residents = make_site(mailman, tmp_path)
    # The earlier posts are residents' own, approved by the BINCO: this ledger really is the first.
    client = mailman.client()
    for area_id, resident in residents.items():
        message = report(resident, f"{area_id}@{domain}", "Fiets gevonden", "Wie mist er een fiets?")
        post(mailman.settings, message)
        held = wait_held(client, f"{area_id}@{domain}", message["Message-ID"])
        client.moderate(f"{area_id}@{domain}", held.request_id, held.message_id, "accept")
    wait_for_posts(mailman, [f"{a}@{domain}" for a in AREAS])
    mailman.settle()
    mailman.clear_sink()

    refused = cli(root, mailman, "send", "--now", NOW)
    assert refused.returncode == 1 and "--adopt" in refused.stderr
    mailman.settle()
    assert mailman.deliveries(domain) == []

    adopted = cli(root, mailman, "send", "--adopt", "--now", NOW)
    assert adopted.returncode == 0, adopted.stderr
    mailman.wait_for_deliveries(domain, copies_per_send())
    copies = mailman.copies(domain)
    assert sum(copies.values()) == copies_per_send() and set(copies.values()) == {1}

    # The lines that run wrote bind the lists: the next run is normal and sends nothing again.
    mailman.clear_sink()
    again = cli(root, mailman, "send", "--now", NOW)
    assert again.returncode == 0, again.stderr
    assert "Niets te versturen." in again.stdout
    write_bulletin(root, "noord/2026-11-09-nieuw.md", bulletin_text("Nieuw", "2026-11-09 10:00", audience="all"))
    newer = cli(root, mailman, "send", "--now", NOW)
    assert newer.returncode == 0, newer.stderr
    mailman.wait_for_deliveries(domain, 2)
    assert sum(mailman.copies(domain).values()) == 2


def test_a_partial_ledger_is_refused_for_the_lists_it_does_not_know(mailman: RunningMailman, tmp_path: Path) -> None:
    root, domain, _ = make_site(mailman, tmp_path)
    now = datetime.fromisoformat(NOW).replace(tzinfo=TZ)
    send(root, now=now, settings=mailman.settings)
    mailman.wait_for_deliveries(domain, copies_per_send())
    wait_for_posts(mailman, lists_of(domain))
    # An old copy of the ledger: it knows noord's lists, not oost's.
    ledger = root / "state" / "sent.jsonl"
    kept = [line for line in ledger.read_text().splitlines() if json.loads(line)["bulletin"].startswith("noord/")]
    ledger.write_text("\n".join(kept) + "\n")
    before = ledger.read_bytes()
    mailman.clear_sink()

    with pytest.raises(ForeignHistory) as info:
        send(root, now=now, settings=mailman.settings)
    message = info.value.message("en")
    assert "holds no line for those list(s)" in message
    assert f"oost@{domain}" in message and f"oost-partners@{domain}" in message
    assert f"noord@{domain}" not in message
    assert ledger.read_bytes() == before
    # The dry run names the same refusal and still shows the plan.
    preview = send(root, now=now, settings=mailman.settings, dry_run=True)
    assert isinstance(preview.refusal, ForeignHistory)
    assert {p.target.list for p in preview.plan.messages} == {f"oost@{domain}", f"oost-partners@{domain}"}
    mailman.settle()
    assert mailman.deliveries(domain) == []


def test_a_ledger_that_knows_fewer_posts_than_mailman_counts_still_sends(mailman: RunningMailman,
                                                                         tmp_path: Path) -> None:
    """Residents' approved posts raise post_id too: counts differ legitimately, and are not refused."""
    root, domain, residents = make_site(mailman, tmp_path)
    now = datetime.fromisoformat(NOW).replace(tzinfo=TZ)
    send(root, now=now, settings=mailman.settings)
    mailman.wait_for_deliveries(domain, copies_per_send())
    client = mailman.client()
    message = report(residents["noord"], f"noord@{domain}", "Hond zoek", "Wie zag Bello?")
    post(mailman.settings, message)
    held = wait_held(client, f"noord@{domain}", message["Message-ID"])
    client.moderate(f"noord@{domain}", held.request_id, held.message_id, "accept")
    poll(lambda: client.list_state(f"noord@{domain}").posts >= 3, timeout=20, what="three posts counted", interval=0.1)
    mailman.settle()
    mailman.clear_sink()

    write_bulletin(root, "noord/2026-11-09-nieuw.md", bulletin_text("Nieuw", "2026-11-09 10:00", audience="all"))
    result = send(root, now=now, settings=mailman.settings)
    assert [(e.bulletin, e.list) for e in result.sent] == [("noord/2026-11-09-nieuw", f"noord@{domain}"),
                                                           ("noord/2026-11-09-nieuw", f"noord-partners@{domain}")]
    mailman.wait_for_deliveries(domain, 2)


def test_which_lists_count_as_having_history_the_ledger_does_not_know() -> None:
    """Only "no line at all for this list, yet Mailman counted posts" refuses; counts that differ do not."""
    from binsite.mailing.binding import unknown_history
    from binsite.mailing.ledger import Ledger, LedgerEntry
    from binsite.mailman.client import ListState

    line = LedgerEntry("noord/2026-11-01-a", "noord@x.example", "<a@x.example>", "h", "2026-11-01T10:00:00+01:00")
    ledger = Ledger((line, line._replace(list="oost@x.example", status="uncertain")))
    states = {
        "noord@x.example": ListState("2026-01-01T00:00:00", 40, "2026-11-30T10:00:00"),  # known, many more posts
        "oost@x.example": ListState("2026-01-01T00:00:00", 2, "2026-11-30T10:00:00"),    # known by an uncertain line
        "zuid@x.example": ListState("2026-01-01T00:00:00", 1, None),                      # new list, no posts
        "west@x.example": None,                                                           # no such list
        "midden@x.example": ListState("2026-01-01T00:00:00", 1, "2019-05-01T10:00:00"),  # imported, post_id not kept
        "dorp@x.example": ListState("2026-01-01T00:00:00", 3, "2026-11-30T10:00:00"),    # unknown, with posts
    }
    assert [address for address, _ in unknown_history(ledger, states)] == ["dorp@x.example", "midden@x.example"]
    assert unknown_history(Ledger(), {"zuid@x.example": states["zuid@x.example"]}) == []
