"""The weekly overview and quiet hours against the real Mailman and the real sink."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.mailing.ledger import read_ledger
from binsite.mailing.run import send
from binsite.mailman.preferences import WEEKLY, set_delivery_mode
from binsite.mailman.sync import sync
from binsite.source.network import load_network
from sitekit import area, bulletin_text, write_bulletin, write_site
from tests.mailman.test_mail_kinds import ENGLISH, MAX_SCORE
from tests.mailman_fixtures import RunningMailman, new_domain
from tests.spamscore import score

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
PROJECT = Path(__file__).resolve().parents[2]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclasses.dataclass(frozen=True)
class Net:
    root: Path
    domain: str
    direct: str      # on the members list: every bulletin at once
    weekly: str      # chose the weekly overview

    @property
    def members_list(self) -> str:
        return f"noord@{self.domain}"

    @property
    def weekly_list(self) -> str:
        return f"noord-overzicht@{self.domain}"


@pytest.fixture
def net(mailman: RunningMailman, tmp_path: Path) -> Net:
    domain = new_domain()
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")}, send_window="14 days")
    sync(root, mailman.settings)
    client = mailman.client()
    direct, weekly = f"direct@res.{domain}", f"wekelijks@res.{domain}"
    for address in (direct, weekly):
        client.subscribe(f"noord@{domain}", address)
    noord = load_network(root).raise_for_errors().areas[0]
    set_delivery_mode(client, noord, domain, weekly, WEEKLY)
    return Net(root, domain, direct, weekly)


def received(mailman: RunningMailman, net: Net) -> dict[str, list[str]]:
    """Recipient -> subjects received, asserting no message reached anyone twice."""
    copies = mailman.copies(net.domain)
    assert all(n == 1 for n in copies.values()), {k: n for k, n in copies.items() if n > 1}
    found: dict[str, list[str]] = {}
    for delivered in mailman.deliveries(net.domain):
        for rcpt in delivered.envelope_to:
            found.setdefault(rcpt, []).append(" ".join(str(delivered.message["Subject"]).split()))
    return {k: sorted(v) for k, v in found.items()}


def text_of(message) -> str:
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")


def test_an_urgent_bulletin_reaches_both_lists_once_each_and_the_rest_only_the_members_list(
        mailman: RunningMailman, net: Net) -> None:
    write_bulletin(net.root, "noord/2026-11-10-spoed.md",
                   bulletin_text("Vermiste jongen", "2026-11-10 11:00", "Wie heeft hem gezien?", urgent=True))
    write_bulletin(net.root, "noord/2026-11-10-tip.md", bulletin_text("Preventietip", "2026-11-10 11:30", "Deur op slot."))
    result = send(net.root, now=at("2026-11-10T12:00"), settings=mailman.settings)
    assert sorted((e.bulletin, e.list) for e in result.sent) == sorted([
        ("noord/2026-11-10-spoed", net.members_list), ("noord/2026-11-10-spoed", net.weekly_list),
        ("noord/2026-11-10-tip", net.members_list)])
    mailman.wait_for_deliveries(net.domain, 3)
    assert received(mailman, net) == {net.direct: ["[BIN Noord] Preventietip", "[BIN Noord] Vermiste jongen"],
                                      net.weekly: ["[BIN Noord] Vermiste jongen"]}
    again = send(net.root, now=at("2026-11-10T12:30"), settings=mailman.settings)
    assert again.sent == () and again.plan.count == 0
    mailman.settle()
    assert sum(mailman.copies(net.domain).values()) == 3


def run_cli(net: Net, mailman: RunningMailman, *args: str, lang: str = "nl") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINSITE_")}
    env.update(mailman.settings.environment(), PYTHONPATH=str(PROJECT), BINSITE_LANG=lang)
    return subprocess.run([sys.executable, "-m", "binsite", "--root", str(net.root), *args], env=env,
                          capture_output=True, text=True, timeout=180)


def test_quiet_hours_hold_a_non_urgent_bulletin_until_the_morning_run_and_let_an_urgent_one_through(
        mailman: RunningMailman, net: Net) -> None:
    write_bulletin(net.root, "noord/2026-11-10-avond.md",
                   bulletin_text("Stoeptegels los", "2026-11-10 22:15", "Bij de bakker."))
    write_bulletin(net.root, "noord/2026-11-10-brand.md",
                   bulletin_text("Brand in de Kerkstraat", "2026-11-10 22:20", "Ramen dicht.", urgent=True))
    preview = run_cli(net, mailman, "send", "--dry-run", "--now", "2026-11-10T23:00")
    assert preview.returncode == 0, preview.stderr
    assert ("stille uren: tegengehouden tot 11 november 2026, 07:00: noord/2026-11-10-avond -> "
            f"{net.members_list}") in preview.stdout
    assert f"zou versturen: noord/2026-11-10-brand -> {net.weekly_list} (1 lid)" in preview.stdout
    english = run_cli(net, mailman, "send", "--dry-run", "--now", "2026-11-10T23:00", lang="en")
    assert "quiet hours: held until 11 November 2026, 07:00: noord/2026-11-10-avond" in english.stdout

    night = run_cli(net, mailman, "send", "--now", "2026-11-10T23:00")
    assert night.returncode == 0, night.stderr
    assert "stille uren: tegengehouden tot 11 november 2026, 07:00: noord/2026-11-10-avond" in night.stdout
    assert "2 bericht(en) verstuurd" in night.stdout
    ledger, _ = read_ledger(net.root / "state" / "sent.jsonl")
    assert sorted((e.bulletin, e.list) for e in ledger.entries) == sorted([
        ("noord/2026-11-10-brand", net.members_list), ("noord/2026-11-10-brand", net.weekly_list)])
    mailman.wait_for_deliveries(net.domain, 2)
    assert received(mailman, net) == {net.direct: ["[BIN Noord] Brand in de Kerkstraat"],
                                      net.weekly: ["[BIN Noord] Brand in de Kerkstraat"]}
    # Still night at 06:59: nothing goes. The first run from 07:00 sends it, once.
    assert send(net.root, now=at("2026-11-11T06:59"), settings=mailman.settings).sent == ()
    morning = send(net.root, now=at("2026-11-11T07:05"), settings=mailman.settings)
    assert [(e.bulletin, e.list) for e in morning.sent] == [("noord/2026-11-10-avond", net.members_list)]
    assert send(net.root, now=at("2026-11-11T07:30"), settings=mailman.settings).sent == ()
    mailman.wait_for_deliveries(net.domain, 3)
    assert received(mailman, net)[net.direct] == ["[BIN Noord] Brand in de Kerkstraat", "[BIN Noord] Stoeptegels los"]


WEEK = {  # week 46 of 2026: Monday 9 up to Monday 16 November
    "noord/2026-11-09-fiets.md": bulletin_text("Fiets gestolen", "2026-11-09 10:00",
                                               "Een blauwe fiets.\n\n::: leden\nHet slot lag ernaast.\n:::\n"),
    "noord/2026-11-11-spoed.md": bulletin_text("Vermiste hond", "2026-11-11 09:00", "Een bruine labrador.",
                                               urgent=True),
    "noord/2026-11-13-leden.md": bulletin_text("Buurtavond", "2026-11-13 18:00", "De buurtavond is dinsdag.",
                                               public=False),
    "noord/2026-11-14-partners.md": bulletin_text("Voor de wijkagent", "2026-11-14 10:00", "Kenteken bekend.",
                                                  audience="partners"),
}


def test_the_weekly_overview_is_composed_and_sent_once(mailman: RunningMailman, net: Net) -> None:
    for rel, text in WEEK.items():
        write_bulletin(net.root, rel, text)
    during = send(net.root, now=at("2026-11-14T12:00"), settings=mailman.settings)
    assert not any(e.bulletin.startswith("overzicht/") for e in during.sent)
    mailman.wait_for_deliveries(net.domain, 3 + 1)  # three to the direct reader, the urgent one to the weekly one
    sunday = send(net.root, now=at("2026-11-16T06:30"), settings=mailman.settings)  # quiet, and the week not due
    assert sunday.sent == ()
    mailman.settle()
    mailman.clear_sink()

    before = datetime.now(timezone.utc).replace(microsecond=0)
    monday = send(net.root, now=at("2026-11-16T07:10"), settings=mailman.settings)
    assert [(e.bulletin, e.list) for e in monday.sent] == [("overzicht/noord/2026-W46", net.weekly_list)]
    [delivered] = mailman.wait_for_deliveries(net.domain, 1)
    # Dated when it was sent (like every bulletin), not at the moment it fell due.
    assert parsedate_to_datetime(str(delivered.message["Date"])) >= before
    assert list(delivered.envelope_to) == [net.weekly]
    message = delivered.message
    assert str(message["Subject"]) == "[BIN Noord] Weekoverzicht week 46 (9 november 2026 t/m 15 november 2026)"
    assert " ".join(str(message["Message-ID"]).split()) == monday.sent[0].message_id
    text = text_of(message)
    # Every bulletin for members that week, oldest first, members-only passages included; partners' not.
    positions = [text.find(title) for title in ("Fiets gestolen", "Vermiste hond", "Buurtavond")]
    assert -1 not in positions and positions == sorted(positions), text
    assert "Het slot lag ernaast." in text and "De buurtavond is dinsdag." in text
    assert "Kenteken bekend" not in text and "Voor de wijkagent" not in text
    assert "BIN Proefdorp" in text and "112" in text  # the footer every message has
    html = next(p.get_content() for p in message.walk() if p.get_content_type() == "text/html")
    assert "Het slot lag ernaast." in html and "<script" not in html
    # Like every other kind of message (tests/mailman/test_mail_kinds.py): Dutch, and a low spam score.
    assert not [sentence for sentence in ENGLISH if sentence.lower() in (text + html).lower()]
    [(points, rules)] = score({"weekly overview": bytes(message)}).values()
    print(f"SpamAssassin: weekly overview {points:+.1f} ({rules})")
    assert points < MAX_SCORE, rules

    again = send(net.root, now=at("2026-11-16T08:00"), settings=mailman.settings)
    assert again.sent == () and again.plan.overviews == ()
    mailman.settle()
    assert len(mailman.deliveries(net.domain)) == 1
    ledger, _ = read_ledger(net.root / "state" / "sent.jsonl")
    assert [e.bulletin for e in ledger.entries].count("overzicht/noord/2026-W46") == 1


def test_two_runs_at_once_send_the_overview_once_and_the_dry_run_lists_it(mailman: RunningMailman, net: Net) -> None:
    for rel, text in WEEK.items():
        write_bulletin(net.root, rel, text)
    preview = run_cli(net, mailman, "send", "--dry-run", "--now", "2026-11-16T07:10")
    assert preview.returncode == 0, preview.stderr
    assert (f"zou het weekoverzicht versturen: overzicht/noord/2026-W46 (3 bericht(en)) -> {net.weekly_list} "
            "(1 lid)") in preview.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINSITE_")}
    env.update(mailman.settings.environment(), PYTHONPATH=str(PROJECT), BINSITE_LANG="nl")
    runs = [subprocess.Popen([sys.executable, "-m", "binsite", "--root", str(net.root), "send", "--now",
                              "2026-11-16T07:10"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted(out.count("verstuurd: overzicht/noord/2026-W46") for out, _ in outputs) == [0, 1]
    # Three bulletins to the direct reader, the urgent one and the overview to the weekly reader.
    mailman.wait_for_deliveries(net.domain, 3 + 1 + 1)
    got = received(mailman, net)
    overview = "[BIN Noord] Weekoverzicht week 46 (9 november 2026 t/m 15 november 2026)"
    assert got[net.weekly] == sorted(["[BIN Noord] Vermiste hond", overview])
    assert overview not in got[net.direct] and len(got[net.direct]) == 3
