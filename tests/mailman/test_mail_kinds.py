"""Every kind of message a resident or BINCO receives, as it lands in the sink (real Mailman).

Bulletin, notice, urgent bulletin, correction (binsite), and the hold notice,
owner notice, rejection, join confirmation, welcome and goodbye (Mailman, with
binsite's templates). Each is Dutch, carries on every copy to a member a
one-click unsubscribe for that member only, shows the personal link where it
has one, has no separate footer part, is dated when it was sent, and scores
under 2.0 with SpamAssassin (the scores are printed).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite import tokens
from binsite.devtools.sink import read_maildir
from binsite.mailing.run import send
from binsite.mailman.client import list_id, post_lmtp, wait_until
from binsite.mailman.sync import sync
from sitekit import area, bulletin_text, poll, write_bulletin, write_site
from tests.mailman.test_delivery import LINK, check_copy, member_ids
from tests.mailman_fixtures import SECRET, WEB_URL, RunningMailman, web_domain
from tests.spamscore import score

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
MAX_SCORE = 2.0
# Sentences of Mailman's English templates and subjects: none may reach a resident or BINCO.
ENGLISH = ("is being held", "awaits moderator", "Your message to", "Welcome to", "You have been unsubscribed",
           "confirmation is needed", "was rejected", "mailing list", "dashboard", "web UI", "password",
           "To unsubscribe", "Hello, this is the GNU Mailman", "attached", "Post to", "moderator's decision",
           "subscription request", "BINCO-bureau")


def to_domain(mailman: RunningMailman, domain: str):
    """Everything delivered to an address of ``domain`` or below it, whoever sent it
    (Mailman's notices to a list's owner go out as LIST-owner@DOMAIN, which a
    production MTA hands back to Mailman; here it lands in the sink)."""
    return [d for d in read_maildir(mailman.maildir) if any(r.endswith(domain) for r in d.envelope_to)]


def wait_for(mailman: RunningMailman, domain: str, predicate, what: str, timeout: float = 60.0):
    poll(lambda: any(predicate(d) for d in to_domain(mailman, domain)), timeout=timeout, interval=0.2, what=what)
    mailman.settle()
    return [d for d in to_domain(mailman, domain) if predicate(d)]


def words(delivered) -> str:
    """Subject and every text part, decoded, as a reader sees them."""
    parts = [str(delivered.message["Subject"])]
    for part in delivered.message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return " ".join("\n".join(parts).split())  # Mailman wraps its notices: one space between words


def test_every_kind_of_message_is_dutch_personal_and_scores_low(mailman: RunningMailman, tmp_path: Path) -> None:
    domain = web_domain()
    members_list, partners_list = f"noord@{domain}", f"noord-partners@{domain}"
    owner = f"noord-owner@{domain}"
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")}, {
        "noord/2026-11-09-fiets.md": bulletin_text(
            "Fiets gestolen bij de school", "2026-11-09 10:30",
            "Bij de basisschool is een blauwe fiets gestolen. Zet uw fiets op slot.", category="inbraak",
            author={"role": "binco", "name": "BINCO Noord"}),
        "noord/2026-11-09-brand.md": bulletin_text(
            "Brand in de container aan de Dorpsstraat", "2026-11-09 18:00",
            "De brandweer heeft de brand geblust. Houd ramen en deuren dicht.", urgent=True),
        "notices/2026-11-09-afval.md": bulletin_text(
            "Grofvuil wordt later opgehaald", "2026-11-09 09:00",
            "Door een storing haalt de gemeente het grofvuil een week later op.", areas=["noord"],
            author={"role": "gemeente", "name": "Gemeente"}),
    }, web_url=WEB_URL)
    sync(root, mailman.settings)
    client = mailman.client()
    residents = [f"bewoner{i}@res.{domain}" for i in range(3)]
    for address in residents:
        client.subscribe(members_list, address)
    ids = member_ids(client, members_list)
    partner_ids = member_ids(client, partners_list)
    before = datetime.now(TZ).replace(microsecond=0) - timedelta(seconds=5)
    kinds: dict[str, list] = {}

    def copies_of(bulletin_id: str, marker: str = ""):
        return wait_for(mailman, domain, lambda d: str(d.message.get("X-Binsite-Bulletin")) == bulletin_id
                        and marker in str(d.message["Subject"]), bulletin_id)

    send(root, now=NOW, settings=mailman.settings)
    kinds["bulletin"] = copies_of("noord/2026-11-09-fiets")
    kinds["urgent"] = copies_of("noord/2026-11-09-brand")
    kinds["notice"] = copies_of("notices/2026-11-09-afval")
    write_bulletin(root, "noord/2026-11-09-fiets.md", bulletin_text(
        "Fiets gestolen bij de school", "2026-11-09 10:30",
        "Bij de basisschool is een rode fiets gestolen. Zet uw fiets op slot.", category="inbraak",
        author={"role": "binco", "name": "BINCO Noord"}))
    send(root, now=NOW, settings=mailman.settings, resend_changed=True)
    kinds["correction"] = copies_of("noord/2026-11-09-fiets", "Correctie")

    # A resident's own report: held (notice to the poster and to the BINCO), then rejected with a reason.
    post = EmailMessage()
    post["From"] = residents[0]
    post["To"] = members_list
    post["Subject"] = "Verdachte auto in de straat"
    post["Message-ID"] = f"<melding.1@res.{domain}>"
    post.set_content("Er staat al een uur een auto met draaiende motor voor nummer 3.\n")
    post_lmtp(mailman.settings, members_list, post, envelope_from=residents[0])
    kinds["hold notice"] = wait_for(mailman, domain, lambda d: d.envelope_to == (residents[0],)
                                    and "wacht op de BINCO" in words(d), "hold notice")
    kinds["owner notice"] = wait_for(mailman, domain, lambda d: owner in d.envelope_to
                                     and "beoordeling" in words(d), "owner notice")
    (held,) = wait_until(lambda: client.held(members_list), timeout=30.0, what="the held post")
    client.moderate(members_list, held.request_id, held.message_id, "reject",
                    reason="Dank u! Dit hebben we al doorgegeven aan de wijkagent.")
    kinds["rejection"] = wait_for(mailman, domain, lambda d: d.envelope_to == (residents[0],)
                                  and "niet goedgekeurd" in words(d), "rejection")

    # Joining: a confirmation for an address that is not yet known, a welcome, and a goodbye.
    newcomer = f"nieuw@res.{domain}"
    client._list(members_list).subscribe(newcomer, pre_verified=False, pre_confirmed=False, pre_approved=False)
    kinds["join confirmation"] = wait_for(mailman, domain, lambda d: d.envelope_to == (newcomer,), "join confirmation")
    # A join that waits for the BINCO (a verified address, not yet approved): the BINCO's notice.
    asking = f"vraagt@res.{domain}"
    client._list(members_list).subscribe(asking, pre_verified=True, pre_confirmed=True, pre_approved=False)
    kinds["request notice"] = wait_for(mailman, domain, lambda d: owner in d.envelope_to
                                       and asking in str(d.message["Subject"]), "request notice")
    welcomed = f"welkom@res.{domain}"
    client.subscribe(members_list, welcomed, send_welcome_message=True)
    kinds["welcome"] = wait_for(mailman, domain, lambda d: d.envelope_to == (welcomed,), "welcome")
    ids.update(member_ids(client, members_list))
    client.set_list_settings(members_list, {"send_goodbye_message": True})
    client.unsubscribe(members_list, residents[2])
    kinds["goodbye"] = wait_for(mailman, domain, lambda d: d.envelope_to == (residents[2],)
                                and "afgemeld" in words(d), "goodbye")

    members = set(ids)
    for kind, copies in kinds.items():
        assert copies, kind
        for delivered in copies:
            text = words(delivered)
            for sentence in ENGLISH:
                assert sentence.lower() not in text.lower(), (kind, sentence)
            assert delivered.message["Date"].datetime >= before, kind
            # Mailman adds no part of its own: no footer, no header part.
            assert "To unsubscribe send an email" not in text and "_______________" not in text, kind
            (rcpt,) = delivered.envelope_to
            if kind in ("bulletin", "urgent", "notice", "correction"):
                list_address = members_list if rcpt in members else partners_list
                check_copy(delivered, list_address, ids if rcpt in members else partner_ids, web=True)
            elif rcpt in members and kind not in ("join confirmation", "goodbye"):  # goodbye: no longer one
                # Mailman's own notice to a member: the same personal headers.
                assert str(delivered.message["List-Unsubscribe"]).strip().startswith(f"<{WEB_URL}afmelden/"), kind
    # The BINCO's notice points at the desk, offers no approval by list password.
    notice = kinds["owner notice"][0].message
    assert f"{WEB_URL}binco/" in words(kinds["owner notice"][0])
    assert [p.get_content_type() for p in notice.iter_parts()] == ["text/plain", "message/rfc822"]
    request = kinds["request notice"][0]
    assert str(request.message["Subject"]) == f"Aanmelding van {asking} wacht op de balie: Noord"
    assert f"Handel dit af aan de balie: {WEB_URL}binco/" in words(request)
    # Each house rule on a line of its own, and the BIN's name on its own line at the end (not "--  name").
    welcome_text = kinds["welcome"][0].message.get_body(("plain",)).get_content()
    lines = welcome_text.splitlines()
    rules = [line for line in lines if line.startswith("  - ")]
    assert len(rules) == 3 and rules[0].startswith("  - Beschrijf wat u zag") and lines[lines.index(rules[0]) - 1] == "Spelregels:"
    assert "--  " not in welcome_text and lines[-1].strip() and lines[-2] == ""
    welcome = words(kinds["welcome"][0])
    assert f"{WEB_URL}afmelden/" in welcome and f"{WEB_URL}voorkeuren/" in welcome
    assert "112" in welcome and "0900-8844" in welcome and f"noord-owner@{domain}" in welcome
    # The welcome's links are the new member's own (Mailman's text, filled in by the delivery class).
    links = dict(LINK.findall(welcome))
    fields = (list_id(members_list), ids[welcomed])
    assert tokens.verify(SECRET, links["afmelden"], tokens.UNSUBSCRIBE)[1] == fields
    assert tokens.verify(SECRET, links["voorkeuren"], tokens.PREFERENCES)[1] == fields
    assert f"{WEB_URL}afmelden/" not in words(kinds["goodbye"][0])  # no longer a member: no token

    scores = score({kind: bytes(copies[0].message) for kind, copies in kinds.items()})
    print("\nSpamAssassin (local rules, no network):")
    for kind, (points, rules) in scores.items():
        print(f"  {kind:18} {points:5.1f}  {rules}")
    assert {k: p for k, (p, _) in scores.items() if p >= MAX_SCORE} == {}
