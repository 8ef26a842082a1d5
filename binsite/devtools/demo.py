"""Helpers for ``make demo``: invented residents, and a summary of what happened.

Run as ``python -m binsite.devtools.demo residents|summary`` with the variables that
``binsite local-mailman start`` prints. Only for the local demo network.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from binsite.i18n import current_language, t
from binsite.mailman.client import MailmanClient, wait_until
from binsite.devtools.local_mailman import STATE_DIR
from binsite.mailman.settings import settings_from_env
from binsite.progress import report
from binsite.devtools.sink import read_maildir
from binsite.source.network import load_network
from binsite.model.site import find_root

RESIDENTS_PER_AREA = 3


def _say(nl: str, en: str, **params: object) -> None:
    print(t(nl, en, **params).get(current_language()))


def residents(root: Path) -> None:
    """Subscribe a few invented residents (``@example.org``) to every area, once; the
    last of each area chose the weekly overview (so the demo shows one)."""
    from binsite.mailman.preferences import WEEKLY, set_delivery_mode
    from binsite.cli.progress import ProgressLine
    from binsite.progress import IMPORT, reporting

    site = load_network(root).raise_for_errors()  # the areas and the mail domain: no bulletin needed
    client = MailmanClient(settings_from_env())
    added = 0
    total = len(site.areas) * RESIDENTS_PER_AREA
    line = ProgressLine(current_language())
    with reporting(line):
        for index, area in enumerate(site.areas):
            domain = site.config.mail.domain
            fqdn = area.members_list(domain)
            known = {m.address for list_address in (fqdn, area.weekly_list(domain))
                     for m in client.roster(list_address, "member")}
            for number in range(1, RESIDENTS_PER_AREA + 1):
                address = f"bewoner{number}.{area.id}@example.org"
                if address not in known:
                    client.subscribe(fqdn, address, f"Bewoner {number} ({area.name})")
                    if number == RESIDENTS_PER_AREA:
                        set_delivery_mode(client, area, domain, address, WEEKLY)
                    added += 1
                report(IMPORT, index * RESIDENTS_PER_AREA + number, total)
    line.finish()
    if added == 0:
        _say("De {t} verzonnen bewoners ({k} per gebied, @example.org) stonden al ingeschreven; niets veranderd.",
             "The {t} invented residents ({k} per area, @example.org) were already subscribed; nothing changed.",
             t=total, k=RESIDENTS_PER_AREA)
    else:
        _say("{n} verzonnen bewoners ingeschreven ({k} per gebied, @example.org).",
             "{n} invented residents subscribed ({k} per area, @example.org).", n=added, k=RESIDENTS_PER_AREA)


def _settle(client: MailmanClient, timeout: float = 60.0) -> None:
    """Wait until Mailman has delivered what it accepted (its queues are empty)."""
    busy = ("in", "pipeline", "out", "virgin", "command")
    wait_until(lambda: not any(n for q, n in client.queue_sizes().items() if q in busy), timeout=timeout,
               interval=0.25, what="Mailman's queues to empty")


# What a newcomer should see of one delivered bulletin: who, when, which list, how to leave.
DEMO_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


def summary(root: Path) -> None:
    """Where the site is, and who received how many messages."""
    _settle(MailmanClient(settings_from_env()))
    maildir = root / STATE_DIR / "maildir"
    delivered = read_maildir(maildir)
    per_list: Counter[str] = Counter()
    recipients: Counter[str] = Counter()
    for item in delivered:
        list_id = str(item.message.get("List-Id", "?"))
        per_list[list_id[list_id.rfind("<") + 1:].rstrip(">").replace(".", "@", 1)] += 1
        for address in item.envelope_to:
            recipients[address.split("@", 1)[1] if "@" in address else address] += 1
    _say("\nKlaar. Het archief staat in {s} (open index.html in een browser).",
         "\nDone. The archive is in {s} (open index.html in a browser).", s=root / "_site")
    _say("De mail-opvang ontving {m} berichten voor {r} ontvangers in totaal:",
         "The mail sink received {m} messages for {r} recipients in all:", m=len(delivered), r=sum(recipients.values()))
    for domain, count in sorted(recipients.items()):
        _say("  {c:4d} aan adressen @{d}", "  {c:4d} to addresses @{d}", c=count, d=domain)
    for name, count in sorted(per_list.items()):
        _say("  {c:4d} via lijst {l}", "  {c:4d} through list {l}", c=count, l=name)
    bulletins = [item for item in delivered if item.message.get("X-Binsite-Bulletin")]
    if bulletins:
        shown = bulletins[-1]
        _say("\nDe koppen van één afgeleverd bericht (aan {r}):", "\nThe headers of one delivered bulletin (to {r}):",
             r=", ".join(shown.envelope_to))
        for name in DEMO_HEADERS:
            for value in shown.message.get_all(name, []):
                print(f"  {name}: {' '.join(str(value).split())}")
    _say("Lees ze in {m} (elk bestand is één e-mail). Nog een keer 'make demo' verstuurt niets nieuws.\n"
         "Stoppen: make demo-stop.",
         "Read them in {m} (each file is one e-mail). Running 'make demo' again sends nothing new.\n"
         "Stop with: make demo-stop.", m=maildir / "new")


def avg(root: Path) -> None:
    """What ``binsite avg inzage`` shows for the first demo resident: the last thing the demo prints."""
    from binsite.avg import holdings, text

    site = load_network(root).raise_for_errors()
    address = f"bewoner1.{site.areas[0].id}@example.org"
    found = holdings.find(root, MailmanClient(settings_from_env()), address, domain=site.config.mail.domain)
    _say("\nWat binsite over een bewoner bewaart (AVG-inzage), zoals de beheerder het opvraagt:",
         "\nWhat binsite holds about a resident (AVG access), as the administrator asks for it:")
    print(f"$ binsite avg inzage {address}")
    print(text.render(found, current_language()))
    _say("Wissen: binsite avg wissen {a} (zie docs/beheer.md, hoofdstuk 15).",
         "Erasing: binsite avg wissen {a} (see docs/beheer.md, chapter 15).", a=address)


def main(argv: list[str]) -> int:
    root = find_root(Path.cwd()) or Path.cwd()
    commands = {"residents": residents, "summary": summary, "avg": avg}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m binsite.devtools.demo residents|summary|avg", file=sys.stderr)
        return 2
    commands[argv[0]](root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
