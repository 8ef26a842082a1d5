"""The desk against what anyone can send: hostile headers, terminal escapes,
copied Message-IDs; and approving a resident who has not confirmed yet.
Against the session's real Mailman."""

from __future__ import annotations

import smtplib
import uuid
from pathlib import Path

import pytest

from binsite.desk import members as members_lib
from binsite.desk.desk import open_desk
from tests.desk.deskkit import DeskNetwork, post, report, run, synced_network, wait_held
from tests.mailman_fixtures import RunningMailman
from sitekit import poll

pytestmark = pytest.mark.mailman

AREAS = ("kwaad", "dubbel", "wacht", "echo", "mod")
CONTROL = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def network(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> DeskNetwork:
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("desk-hostile"), AREAS)


def post_raw(mailman: RunningMailman, to: str, sender: str, raw: bytes) -> None:
    with smtplib.LMTP(mailman.settings.lmtp_host, mailman.settings.lmtp_port, timeout=10) as lmtp:
        lmtp.sendmail(sender, [to], raw)


HOSTILE_HEADERS = [
    b"From: =?utf-8?q?Buurman=0D=0ABcc=3A_evil=40attacker.example?= <buurman@res.example>",
    b"From: =?utf-8?b?" + __import__("base64").b64encode(b"\x1b]0;pwned\x07\x1b[2J") + b"?= <x@res.example>",
    b"From: \"unterminated <broken@res.example",
    b"From: \"Bu\xffur\x1b[31m\" <y@res.example>",
]


@pytest.mark.parametrize("from_header", HOSTILE_HEADERS)
def test_a_hostile_held_message_never_makes_the_others_unreachable(
        mailman: RunningMailman, network: DeskNetwork, from_header: bytes) -> None:
    list_address = network.members_list("kwaad")
    client = mailman.client()
    normal = report(network.resident("kwaad", "gewoon"), list_address, "Verdachte auto", "Een auto rijdt rond.")
    post(mailman.settings, normal)
    hostile_id = f"<{uuid.uuid4().hex}@attacker.example>"
    raw = (from_header + b"\r\nTo: " + list_address.encode() + b"\r\nSubject: =?utf-8?q?Hallo=0D=0AX-Evil=3A_1_=1B[31m?="
           b"\r\nMessage-ID: " + hostile_id.encode() + b"\r\nContent-Type: text/plain; charset=\"=?x?q?=0A?=\""
           b"\r\n\r\nTekst \x1b[31mrood\x1b[0m.\r\n")
    post_raw(mailman, list_address, "attacker@attacker.example", raw)
    wait_held(client, list_address, str(normal["Message-ID"]))
    wait_held(client, list_address, hostile_id)

    listing = run(network.root, mailman.settings, "inbox", "--", "kwaad")
    assert listing.exit_code == 0, listing.output
    assert not any(c in listing.output for c in CONTROL), repr(listing.output)
    lines = [line for line in listing.output.splitlines() if line[:6].isalnum() and "kwaad" in line]
    assert len(lines) == 2, listing.output
    by_subject = {("auto" in line): line.split()[0] for line in lines}
    normal_ref, hostile_ref = by_subject[True], by_subject[False]

    shown = run(network.root, mailman.settings, "inbox", "show", hostile_ref, "--show-senders")
    assert shown.exit_code == 0, shown.output
    assert "Tekst" in shown.output and not any(c in shown.output for c in CONTROL), repr(shown.output)
    shown_normal = run(network.root, mailman.settings, "inbox", "show", normal_ref)
    assert shown_normal.exit_code == 0 and "Een auto rijdt rond." in shown_normal.output

    assert run(network.root, mailman.settings, "inbox", "discard", normal_ref).exit_code == 0
    rejected = run(network.root, mailman.settings, "inbox", "reject", hostile_ref, "--reason", "Geen buurtzaak.")
    assert rejected.exit_code == 0, rejected.output
    assert client.held(list_address) == []


def test_two_held_messages_with_one_message_id_each_get_a_reference(mailman: RunningMailman,
                                                                      network: DeskNetwork) -> None:
    list_address = network.members_list("dubbel")
    client = mailman.client()
    shared = f"<{uuid.uuid4().hex}@res.example>"
    post(mailman.settings, report(network.resident("dubbel", "echt"), list_address, "Echte melding", "Echt.",
                                  message_id=shared))
    wait_held(client, list_address, shared)
    post(mailman.settings, report("vreemde@attacker.example", list_address, "Nagemaakt", "Nep.", message_id=shared))
    poll(lambda: len(client.held(list_address)) >= 2, timeout=20, what="both posts held", interval=0.1)
    listing = run(network.root, mailman.settings, "inbox", "--", "dubbel")
    refs = [line.split()[0] for line in listing.output.splitlines() if "dubbel" in line and line[:6].isalnum()]
    assert len(set(refs)) == 2, listing.output
    for ref in refs:
        assert run(network.root, mailman.settings, "inbox", "discard", ref).exit_code == 0
    assert client.held(list_address) == []


def test_terminal_escapes_in_a_join_request_never_reach_the_binco(mailman: RunningMailman,
                                                                  network: DeskNetwork) -> None:
    list_address = network.members_list("echo")
    client = mailman.client()
    client.subscribe(list_address, network.resident("echo", "escape"),
                     "Jan \x1b]0;owned\x07\x1b[2J\x1b[31mRood\u202e", pre_approved=False)
    pending = run(network.root, mailman.settings, "members", "pending", "echo")
    assert pending.exit_code == 0, pending.output
    assert "Jan" in pending.output and "Rood" in pending.output
    assert not any(c in pending.output for c in CONTROL), repr(pending.output)


def test_approving_a_request_that_waits_for_the_binco_makes_a_member(mailman: RunningMailman,
                                                                    network: DeskNetwork) -> None:
    list_address = network.members_list("mod")
    client = mailman.client()
    resident = network.resident("mod", "klaar")
    client.subscribe(list_address, resident, "Klaar", pre_approved=False)
    [request] = members_lib.pending_requests(open_desk(network.root, mailman.settings), ["mod"])
    approved = run(network.root, mailman.settings, "members", "approve", request.ref)
    assert approved.exit_code == 0 and "is nu lid" in approved.output, approved.output
    assert client.member(list_address, resident) is not None
    assert client.requests(list_address) == []


def test_approving_a_resident_who_has_not_confirmed_says_so_and_what_comes_next(
        mailman: RunningMailman, network: DeskNetwork) -> None:
    """A join by e-mail: Mailman first asks the resident to confirm their address.
    Approving then must not claim "is nu lid", nor confirm the address for them."""
    list_address = network.members_list("wacht")
    client = mailman.client()
    resident = network.resident("wacht", "nieuw")
    client._list(list_address).subscribe(resident, "Nieuw", pre_verified=False, pre_confirmed=False,
                                         pre_approved=False)
    [request] = members_lib.pending_requests(open_desk(network.root, mailman.settings), ["wacht"])
    assert request.awaits_confirmation
    pending = run(network.root, mailman.settings, "members", "pending", "wacht")
    assert "wacht op bevestiging door de bewoner" in pending.output
    approved = run(network.root, mailman.settings, "members", "approve", request.ref)
    assert approved.exit_code == 0, approved.output
    assert "is nu lid" not in approved.output
    assert "nog niet bevestigd" in approved.output and "binsite members pending" in approved.output
    assert client.member(list_address, resident) is None
    # Nothing changed at Mailman: the same request, under the same reference, still waits for the resident.
    [still] = members_lib.pending_requests(open_desk(network.root, mailman.settings), ["wacht"])
    assert (still.ref, still.token, still.awaits_confirmation) == (request.ref, request.token, True)


def test_an_unreachable_mailman_never_shows_a_password_or_url_user_info(network: DeskNetwork, tmp_path: Path) -> None:
    from binsite.devtools.local_mailman import free_port
    from binsite.mailman.settings import MailmanSettings

    secret = "Geheim-wachtwoord-123"
    settings = MailmanSettings(url=f"http://binsite:{secret}@127.0.0.1:{free_port()}/3.1", user="binsite",
                               password=secret, lmtp_port=free_port())
    for args in (("inbox",), ("members",), ("lists", "sync")):
        result = run(network.root, settings, *args)
        assert result.exit_code == 1
        assert "niet bereikbaar" in result.output or "niet bereikbaar" in (result.stderr or "")
        assert secret not in result.output and "binsite:" not in result.output, result.output
