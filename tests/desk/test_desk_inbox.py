"""binsite inbox against a real Mailman Core: read, accept, reject, discard, forward, draft."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from binsite.build import build
from binsite.load import load_site
from binsite.source.content import split_front_matter
from binsite.desk import inbox as inbox_lib
from binsite.desk.desk import open_desk
from binsite.desk.refs import message_digest
from binsite.errors import BinsiteError
from binsite.devtools.local_mailman import free_port
from binsite.devtools.sink import Delivered
from tests.desk.deskkit import DeskNetwork, post, report, run, synced_network, wait_held
from tests.mailman_fixtures import RunningMailman
from sitekit import area, poll, write_site

pytestmark = pytest.mark.mailman

AREAS = ("acc", "rej", "fwd", "kanaal", "reuse", "lmtp", "toon", "twee")


@pytest.fixture(scope="module")
def network(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> DeskNetwork:
    """One synced site for this module; every test posts to an area of its own."""
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("desk-inbox"), AREAS)


def subscribe(mailman: RunningMailman, network: DeskNetwork, area_id: str, *names: str) -> list[str]:
    client = mailman.client()
    addresses = [network.resident(area_id, name) for name in names]
    for address in addresses:
        client.subscribe(network.members_list(area_id), address)
    return addresses


def deliveries_of(mailman: RunningMailman, network: DeskNetwork, message_id: str) -> list[Delivered]:
    return [d for d in mailman.deliveries(network.domain) if " ".join(str(d.message["Message-ID"]).split()) == message_id]


def wait_recipients(mailman: RunningMailman, network: DeskNetwork, message_id: str, expected: set[str],
                    *, timeout: float = 30.0) -> list[Delivered]:
    poll(lambda: {r for d in deliveries_of(mailman, network, message_id) for r in d.envelope_to} >= expected,
         timeout=timeout, what=f"{message_id} delivered to {sorted(expected)}", interval=0.1)
    mailman.settle()
    return deliveries_of(mailman, network, message_id)


def ref_of(mailman: RunningMailman, network: DeskNetwork, message_id: str) -> str:
    """The reference the inbox shows for ``message_id``."""
    desk = open_desk(network.root, mailman.settings)
    return next(item.ref for item in inbox_lib.held_items(desk) if item.message_id == message_id)


def test_a_members_post_shows_up_in_the_inbox_and_accept_delivers_it_to_the_members(
        mailman: RunningMailman, network: DeskNetwork) -> None:
    poster, *others = subscribe(mailman, network, "acc", "bewoner.acc", "buur1.acc", "buur2.acc")
    message = report(poster, network.members_list("acc"), "Verdachte auto in de Dorpsstraat",
                     "Er staat al twee dagen een auto met draaiende motor.\n\nGroet,\nBewoner")
    years = {time.strftime("%Y")}  # of the hold date, which the clock sets: either year around New Year
    post(mailman.settings, message)
    mid = message["Message-ID"]
    wait_held(mailman.client(), network.members_list("acc"), mid)

    listing = run(network.root, mailman.settings, "inbox", "acc")
    years.add(time.strftime("%Y"))
    assert listing.exit_code == 0, listing.output
    ref = ref_of(mailman, network, mid)
    [line] = [line for line in listing.stdout.splitlines() if line.startswith(ref)]
    assert " acc " in line and " leden " in line
    assert inbox_lib.mask_sender(poster) in line and poster not in line and " lid " in line
    assert "Verdachte auto in de Dorpsstraat — Er staat al twee dagen een auto" in line
    assert any(year in line for year in years) and "1 bericht wacht." in listing.stdout
    shown = run(network.root, mailman.settings, "inbox", "acc", "--show-senders")
    assert poster in shown.stdout

    accepted = run(network.root, mailman.settings, "inbox", "accept", ref.lower())
    assert accepted.exit_code == 0, accepted.output
    assert f"Geaccepteerd: {ref} (acc, leden) \"Verdachte auto in de Dorpsstraat\"" in accepted.stdout
    delivered = wait_recipients(mailman, network, mid, {poster, *others})
    assert {r for d in delivered for r in d.envelope_to} == {poster, *others}
    assert all(str(d.message["Subject"]).startswith("[BIN Acc]") for d in delivered)
    assert "Er wacht niets voor acc." in run(network.root, mailman.settings, "inbox", "acc").stdout

    again = run(network.root, mailman.settings, "inbox", "accept", ref)
    assert again.exit_code == 1
    assert f"geen wachtend bericht met referentie {ref}" in again.stderr and "Er is niets veranderd" in again.stderr


def test_reject_tells_the_sender_why_and_delivers_nothing(mailman: RunningMailman, network: DeskNetwork) -> None:
    poster, neighbour = subscribe(mailman, network, "rej", "bewoner.rej", "buur.rej")
    message = report(poster, network.members_list("rej"), "Te koop: fiets", "Wie wil mijn fiets kopen?")
    post(mailman.settings, message)
    mid = message["Message-ID"]
    wait_held(mailman.client(), network.members_list("rej"), mid)
    ref = ref_of(mailman, network, mid)

    missing_reason = run(network.root, mailman.settings, "inbox", "reject", ref)
    assert missing_reason.exit_code == 2 and "--reason" in missing_reason.output
    rejected = run(network.root, mailman.settings, "inbox", "reject", ref, "--reason",
                   "Het BIN is voor buurtveiligheid, niet voor advertenties.", lang="en")
    assert rejected.exit_code == 0, rejected.output
    assert rejected.stdout.startswith(f"Rejected: {ref} (rej, members)")
    mailman.settle()
    to_poster = [d for d in mailman.deliveries(network.domain) if poster in d.envelope_to
                 and "niet voor advertenties" in _all_text(d)]
    assert to_poster, "the sender got no rejection with the reason"
    assert deliveries_of(mailman, network, mid) == []
    assert not [d for d in mailman.deliveries(network.domain) if neighbour in d.envelope_to]


def test_show_prints_html_as_text_and_lists_attachments_without_opening_them(
        mailman: RunningMailman, network: DeskNetwork) -> None:
    [poster] = subscribe(mailman, network, "toon", "bewoner.toon")
    message = report(poster, network.members_list("toon"), "Foto van het busje", "", name="Bewoner Show")
    message.set_content("<p>Zie de <b>foto</b> van het busje.</p><script>document.write('x')</script>"
                        "<ul><li>wit</li><li>geen ramen</li></ul>", subtype="html")
    message.add_attachment(b"\xff\xd8\xff" + bytes(3 * 1024), maintype="image", subtype="jpeg", filename="busje.jpg")
    post(mailman.settings, message)
    wait_held(mailman.client(), network.members_list("toon"), message["Message-ID"])
    ref = ref_of(mailman, network, message["Message-ID"])

    shown = run(network.root, mailman.settings, "inbox", "show", ref)
    assert shown.exit_code == 0, shown.output
    assert f"Van:           {inbox_lib.mask_sender(poster)} (lid)" in shown.stdout and poster not in shown.stdout
    assert "Wacht omdat:   bericht van een lid; alle berichten van leden wachten op de BINCO" in shown.stdout
    assert "Zie de foto van het busje.\n\n- wit\n- geen ramen" in shown.stdout
    assert "<p>" not in shown.stdout and "document.write" not in shown.stdout
    assert "Bijlagen (1, niet geopend):\n  - busje.jpg (image/jpeg, 3 kB)" in shown.stdout
    # Showing changes nothing: the message still waits.
    assert ref in run(network.root, mailman.settings, "inbox", "toon").stdout
    assert run(network.root, mailman.settings, "inbox", "discard", ref).exit_code == 0


RESIDENT_NAME = "Henriëtte Zwaluwstaart"
RESIDENT_LOCAL = "hzwaluwstaart77"


def test_forward_reaches_the_partners_without_a_trace_of_the_resident(
        mailman: RunningMailman, network: DeskNetwork) -> None:
    resident = network.resident("fwd", RESIDENT_LOCAL)
    subscribe(mailman, network, "fwd", RESIDENT_LOCAL, "buur.fwd")
    text = (
        "Beste BINCO,\n\n"
        "Vannacht om 03:10 probeerden twee mannen de deur van de garage aan de Molenweg te openen.\n"
        "Ik, Henriëtte, heb ze van dichtbij gezien: donkere jassen, een witte bestelbus.\n"
        f"Bel me gerust op 06-12345678 of mail {resident}. Henriette Zwaluwstaart is bekend bij de wijkagent.\n\n"
        "Met vriendelijke groet,\n"
        f"{RESIDENT_NAME}\nMolenweg 7\n\n"
        f"Op wo 4 nov. 2026 om 10:12 schreef {RESIDENT_NAME} <{resident}>:\n"
        "> Vorige week was het ook al onrustig.\n")
    html = (f"<p>Vannacht probeerden twee mannen de garage te openen.</p><p>Groet, {RESIDENT_NAME}</p>"
            f"<blockquote>Op wo 4 nov. schreef {RESIDENT_NAME}:</blockquote>")
    message = report(resident, network.members_list("fwd"), f"Inbraakpoging Molenweg (melding {RESIDENT_NAME})", text,
                     name=RESIDENT_NAME, html=html, message_id=f"<{RESIDENT_LOCAL}.1@res.{network.domain}>",
                     headers={"Reply-To": f"{RESIDENT_NAME} <{resident}>", "Sender": resident,
                              "X-Mailer": f"Zwaluwstaart's Mailer for {RESIDENT_LOCAL}",
                              "Received": f"from pc-{RESIDENT_LOCAL}.thuis (helo {resident})",
                              "DKIM-Signature": f"v=1; a=rsa-sha256; d=res.{network.domain}; s={RESIDENT_LOCAL}; b=abc",
                              "Organization": f"Familie {RESIDENT_NAME}"})
    message.add_attachment(b"\x89PNG" + bytes(100), maintype="image", subtype="png", filename=f"{RESIDENT_LOCAL}.png")
    post(mailman.settings, message)
    mid = message["Message-ID"]
    wait_held(mailman.client(), network.members_list("fwd"), mid)
    ref = ref_of(mailman, network, mid)

    forwarded = run(network.root, mailman.settings, "inbox", "forward", ref, "--to", "partners")
    assert forwarded.exit_code == 0, forwarded.output
    assert f"-> {network.partners_list('fwd')}" in forwarded.stdout
    assert "1 bijlage(n) niet meegestuurd" in forwarded.stdout
    assert "Het origineel is weggegooid" in forwarded.stdout
    assert RESIDENT_LOCAL not in forwarded.stdout

    forward_id = f"<desk.{message_digest(network.members_list('fwd'), mid)[:20].lower()}.fwd-partners@{network.domain}>"
    delivered = wait_recipients(mailman, network, forward_id, network.partners("fwd"))
    assert {r for d in delivered for r in d.envelope_to} == network.partners("fwd")
    for copy in delivered:
        everything = _all_text(copy).lower()
        for trace in (resident, RESIDENT_LOCAL, "zwaluwstaart", "henriëtte", "henriette", RESIDENT_NAME.lower(),
                      "molenweg 7", "06-12345678", "mailer", "dkim", "pc-"):
            assert trace.lower() not in everything, f"{trace!r} reached the partners"
        assert str(copy.message["From"]).endswith(f"<bulletin@{network.domain}>")
        assert ref in str(copy.message["Subject"]) and "Inbraakpoging Molenweg" in str(copy.message["Subject"])
        assert f"referentie: {ref.lower()}" in everything
        assert "twee mannen de deur van de garage aan de molenweg" in everything
        assert "witte bestelbus" in everything and "vorige week" not in everything
    # The original is gone from the queue and reached nobody.
    assert deliveries_of(mailman, network, mid) == []
    assert run(network.root, mailman.settings, "inbox", "fwd").stdout.startswith("Er wacht niets")


def test_forward_with_lmtp_unreachable_changes_nothing(mailman: RunningMailman, network: DeskNetwork) -> None:
    [poster] = subscribe(mailman, network, "lmtp", "bewoner.lmtp")
    message = report(poster, network.members_list("lmtp"), "Straatlantaarn kapot", "Al een week donker.")
    post(mailman.settings, message)
    wait_held(mailman.client(), network.members_list("lmtp"), message["Message-ID"])
    ref = ref_of(mailman, network, message["Message-ID"])
    no_lmtp = dataclasses.replace(mailman.settings, lmtp_port=free_port())

    result = run(network.root, no_lmtp, "inbox", "forward", ref)
    assert result.exit_code == 1
    assert "Mailman neemt geen post aan op LMTP" in result.stderr
    assert ref in run(network.root, mailman.settings, "inbox", "lmtp").stdout
    mailman.settle()
    assert not [d for d in mailman.deliveries(network.domain) if set(d.envelope_to) & network.partners("lmtp")]
    assert run(network.root, mailman.settings, "inbox", "discard", ref).exit_code == 0


def test_draft_writes_a_valid_draft_bulletin_that_never_reaches_the_built_site(
        mailman: RunningMailman, network: DeskNetwork, tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", network.domain, {a: area(a.capitalize(), network.domain, a, partners=2)
                                                          for a in network.area_ids})
    resident = network.resident("kanaal", "mjanssen")
    subscribe(mailman, network, "kanaal", "mjanssen")
    message = report(resident, network.members_list("kanaal"), "Re: [BIN Kanaal] Fietsendief bij het station",
                     "Bij het station werd gisteren om 17:00 een fiets gestolen door een man in een rode jas.\n"
                     "Marieke Janssen (dat ben ik) zag het gebeuren.\n\n-- \nMarieke Janssen, Stationsweg 3\n",
                     name="Marieke Janssen")
    post(mailman.settings, message)
    held = wait_held(mailman.client(), network.members_list("kanaal"), message["Message-ID"])
    ref = ref_of(mailman, network, message["Message-ID"])

    tz = open_desk(root, mailman.settings).config.tz
    before = datetime.now(tz)  # the draft is dated by the clock: the day it ran, even across midnight
    drafted = run(root, mailman.settings, "inbox", "draft", ref)
    after = datetime.now(tz)
    assert drafted.exit_code == 0, drafted.output
    [path] = (root / "content" / "kanaal").glob("*.md")
    assert f"Concept geschreven: content/kanaal/{path.name} (draft: true)" in drafted.stdout
    assert "Het bericht blijft in de wachtrij" in drafted.stdout
    assert path.name in {f"{day:%Y-%m-%d}-fietsendief-bij-het-station.md" for day in (before, after)}
    today = after
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    values = yaml.safe_load(front)
    assert values["title"] == "Fietsendief bij het station" and values["draft"] is True
    assert "category" not in values
    received = datetime.fromisoformat(held.hold_date + "+00:00").astimezone(today.tzinfo)
    assert values["received"] == received.strftime("%Y-%m-%d %H:%M")
    assert "een man in een rode jas" in body
    text = path.read_text(encoding="utf-8").lower()
    assert "marieke" not in text and "janssen" not in text and "mjanssen" not in text and "stationsweg 3" not in text

    checked = load_site(root, today)
    assert checked.errors == [], [p.format("en") for p in checked.errors]
    assert run(root, mailman.settings, "check").exit_code == 0
    out = tmp_path / "out"
    build(root, out, now=today + timedelta(days=1), cache=False)
    built = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert "Fietsendief" not in built and "fietsendief" not in built and "rode jas" not in built
    # The held message is left as it was.
    assert ref in run(root, mailman.settings, "inbox", "kanaal").stdout
    assert run(root, mailman.settings, "inbox", "discard", ref).exit_code == 0


def test_a_reference_whose_request_id_mailman_reused_is_refused(mailman: RunningMailman, network: DeskNetwork) -> None:
    poster, neighbour = subscribe(mailman, network, "reuse", "bewoner.reuse", "buur.reuse")
    client = mailman.client()
    first = report(poster, network.members_list("reuse"), "Eerste melding", "Eerste.")
    post(mailman.settings, first)
    held_first = wait_held(client, network.members_list("reuse"), first["Message-ID"])
    old_ref = ref_of(mailman, network, first["Message-ID"])
    desk = open_desk(network.root, mailman.settings)
    stale_item = inbox_lib.find_item(desk, old_ref)
    assert run(network.root, mailman.settings, "inbox", "discard", old_ref).exit_code == 0

    second = report(poster, network.members_list("reuse"), "Tweede melding", "Tweede.")
    post(mailman.settings, second)
    held_second = wait_held(client, network.members_list("reuse"), second["Message-ID"])
    assert held_second.request_id == held_first.request_id, "Mailman did not reuse the request id"

    for action in (["accept", old_ref], ["reject", old_ref, "--reason", "x"], ["forward", old_ref], ["draft", old_ref]):
        result = run(network.root, mailman.settings, "inbox", *action)
        assert result.exit_code == 1, (action, result.output)
        assert "al afgehandeld" in result.stderr and "Er is niets veranderd" in result.stderr
    # Acting on the stale request id directly is refused too (the Message-ID differs).
    with pytest.raises(BinsiteError, match="already handled"):
        inbox_lib.forward(desk, old_ref)
    with pytest.raises(BinsiteError, match="already handled"):
        client.moderate(stale_item.list, stale_item.request_id, stale_item.message_id, "accept")
    # The new message is untouched and reached nobody.
    assert [h.message_id for h in client.held(network.members_list("reuse"))] == [second["Message-ID"]]
    mailman.settle()
    assert deliveries_of(mailman, network, second["Message-ID"]) == []
    assert run(network.root, mailman.settings, "inbox", "discard", ref_of(mailman, network, second["Message-ID"])).exit_code == 0


def test_unknown_area_and_reference_are_clear_errors(mailman: RunningMailman, network: DeskNetwork) -> None:
    unknown_area = run(network.root, mailman.settings, "inbox", "nergens")
    assert unknown_area.exit_code == 1 and "onbekend gebied 'nergens'" in unknown_area.stderr
    not_a_ref = run(network.root, mailman.settings, "inbox", "show", "x!", lang="en")
    assert not_a_ref.exit_code == 1 and "is not a reference" in not_a_ref.stderr
    unknown_ref = run(network.root, mailman.settings, "inbox", "accept", "AAAAAAAA")
    assert unknown_ref.exit_code == 1 and "geen wachtend bericht met referentie AAAAAAAA" in unknown_ref.stderr


def test_mailman_down_gives_a_clear_error(network: DeskNetwork, mailman: RunningMailman) -> None:
    down = dataclasses.replace(mailman.settings, url=f"http://127.0.0.1:{free_port()}/3.1", lmtp_port=free_port())
    for args in (["inbox"], ["inbox", "accept", "AAAAAA"]):
        result = run(network.root, down, *args)
        assert result.exit_code == 1
        assert "Mailman is niet bereikbaar" in result.stderr and "Traceback" not in result.output


def _all_text(delivered: Delivered) -> str:
    """Every header and every part of a delivered message, raw and decoded."""
    message = delivered.message
    pieces = [message.as_bytes().decode("utf-8", "replace")]
    pieces += [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            content = part.get_content()
        except (LookupError, KeyError, ValueError):
            content = part.get_payload(decode=True) or b""
        pieces.append(content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content))
        pieces += [f"{key}: {value}" for key, value in part.items()]
    return "\n".join(pieces)


def test_the_listing_tells_senders_apart_says_who_is_a_member_and_previews_what_matters(
        mailman: RunningMailman, network: DeskNetwork) -> None:
    """Two residents of one domain with the same first letter were both b***@...;
    a stranger looked like a member; a preview of "Hallo BINCO," said nothing."""
    first, second = subscribe(mailman, network, "twee", "bewoner1.twee", "bewoner2.twee")
    stranger = network.resident("twee", "bezoeker.twee")
    ids = {}
    for sender, text in ((first, "Hallo BINCO,\n\nEr hangt een man rond bij de speeltuin.\n"),
                         (second, "Beste buurtcoördinator!\n\nDe lantaarnpaal bij nummer 4 is kapot.\n"),
                         (stranger, "Hoi,\n> eerder bericht\nIk woon hier niet maar zag iets vreemds.\n")):
        message = report(sender, network.members_list("twee"), "Melding", text)
        post(mailman.settings, message)
        ids[sender] = message["Message-ID"]
        wait_held(mailman.client(), network.members_list("twee"), ids[sender])
    listing = run(network.root, mailman.settings, "inbox", "twee")
    assert listing.exit_code == 0, listing.output
    lines = {sender: next(line for line in listing.stdout.splitlines() if line.startswith(ref_of(mailman, network, mid)))
             for sender, mid in ids.items()}
    masks = {sender: inbox_lib.mask_sender(sender) for sender in ids}
    assert len(set(masks.values())) == 3
    for sender, line in lines.items():
        assert masks[sender] in line and sender not in line
    assert "  lid  " in lines[first] and "  lid  " in lines[second] and "geen lid" in lines[stranger]
    assert "— Er hangt een man rond bij de speeltuin." in lines[first] and "Hallo BINCO" not in lines[first]
    assert "— De lantaarnpaal bij nummer 4 is kapot." in lines[second]
    assert "— Ik woon hier niet maar zag iets vreemds." in lines[stranger]
    assert "3 berichten wachten." in listing.stdout
    # The same sender gets the same mask tomorrow: it depends on the address only.
    assert inbox_lib.mask_sender(first.upper()) == masks[first]
