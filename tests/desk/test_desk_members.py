"""binsite members against a real Mailman Core: counts, requests, approve, reject, add, remove."""

from __future__ import annotations

import dataclasses

import pytest

from binsite.desk import inbox as inbox_lib
from binsite.desk import members as members_lib
from binsite.desk.desk import open_desk
from binsite.devtools.local_mailman import free_port
from tests.desk.deskkit import DeskNetwork, run, synced_network
from tests.mailman_fixtures import RunningMailman

pytestmark = pytest.mark.mailman

AREAS = ("aanvraag", "handmatig", "tellen")


@pytest.fixture(scope="module")
def network(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> DeskNetwork:
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("desk-members"), AREAS)


def test_subscription_requests_are_listed_approved_and_rejected(mailman: RunningMailman, network: DeskNetwork) -> None:
    client = mailman.client()
    list_address = network.members_list("aanvraag")
    wanted, unwanted = network.resident("aanvraag", "nieuw"), network.resident("aanvraag", "onbekend")
    # Sync made the list "moderate": a subscription without pre-approval waits for the BINCO.
    assert client.list_settings(list_address, ["subscription_policy"]) == {"subscription_policy": "moderate"}
    client.subscribe(list_address, wanted, "Nieuwe Buur", pre_approved=False)
    client.subscribe(list_address, unwanted, pre_approved=False)

    pending = run(network.root, mailman.settings, "members", "pending", "aanvraag")
    assert pending.exit_code == 0, pending.output
    assert f"{wanted} (Nieuwe Buur)" in pending.stdout and unwanted in pending.stdout
    assert "2 aanvraag/aanvragen" in pending.stdout
    masked = run(network.root, mailman.settings, "members", "pending", "aanvraag", "--hide-addresses").stdout
    assert inbox_lib.mask_sender(wanted) in masked and wanted not in masked and "Nieuwe Buur" not in masked
    counts = run(network.root, mailman.settings, "members", "aanvraag")
    assert counts.exit_code == 0 and "0 leden" in counts.stdout and "2 aanvragen" in counts.stdout

    refs = {r.address: r.ref for r in members_lib.pending_requests(open_desk(network.root, mailman.settings), ["aanvraag"])}
    approved = run(network.root, mailman.settings, "members", "approve", refs[wanted])
    assert approved.exit_code == 0, approved.output
    assert approved.stdout.startswith(f"Toegelaten: {wanted} is nu lid van {list_address}")
    assert client.member(list_address, wanted) is not None

    rejected = run(network.root, mailman.settings, "members", "reject", refs[unwanted], "--reason", "U woont niet in dit gebied.")
    assert rejected.exit_code == 0, rejected.output
    assert rejected.stdout.startswith(f"Afgewezen: de aanvraag van {unwanted} voor {list_address}")
    assert client.member(list_address, unwanted) is None
    assert client.requests(list_address) == []
    after = run(network.root, mailman.settings, "members", "aanvraag")
    assert "1 leden" in after.stdout and "0 aanvragen" in after.stdout

    again = run(network.root, mailman.settings, "members", "approve", refs[wanted])
    assert again.exit_code == 1 and f"geen openstaande aanvraag met referentie {refs[wanted]}" in again.stderr
    assert "Geen openstaande aanvragen." in run(network.root, mailman.settings, "members", "pending", "aanvraag").stdout


def test_add_and_remove_a_resident_by_hand(mailman: RunningMailman, network: DeskNetwork) -> None:
    client = mailman.client()
    list_address = network.members_list("handmatig")
    paper, welcomed = network.resident("handmatig", "papier"), network.resident("handmatig", "welkom")

    added = run(network.root, mailman.settings, "members", "add", "handmatig", paper.upper(), "--name", "Op  Papier")
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == f"Toegevoegd: {paper} aan {list_address} (geen e-mail verstuurd)."
    assert client.member(list_address, paper).display_name == "Op Papier"
    welcome = run(network.root, mailman.settings, "members", "add", "handmatig", welcomed, "--welcome", lang="en")
    assert welcome.exit_code == 0 and "with a welcome mail" in welcome.stdout
    mailman.settle()
    got_mail = {r for d in mailman.deliveries(network.domain) for r in d.envelope_to}
    assert paper not in got_mail, "a resident added on paper got mail without asking"
    assert welcomed in got_mail

    twice = run(network.root, mailman.settings, "members", "add", "handmatig", paper)
    assert twice.exit_code == 1 and "is al lid van" in twice.stderr
    bad = run(network.root, mailman.settings, "members", "add", "handmatig", "geen-adres")
    assert bad.exit_code == 1 and "geen e-mailadres" in bad.stderr
    nowhere = run(network.root, mailman.settings, "members", "add", "nergens", paper)
    assert nowhere.exit_code == 1 and "onbekend gebied 'nergens'" in nowhere.stderr

    shown = run(network.root, mailman.settings, "members", "handmatig", "--show-addresses")
    assert "2 leden" in shown.stdout and f"{paper}  (Op Papier)" in shown.stdout
    assert paper not in run(network.root, mailman.settings, "members", "handmatig").stdout

    removed = run(network.root, mailman.settings, "members", "remove", "handmatig", paper)
    assert removed.exit_code == 0 and removed.stdout.strip() == f"Verwijderd: {paper} van {list_address}."
    assert client.member(list_address, paper) is None
    gone = run(network.root, mailman.settings, "members", "remove", "handmatig", paper)
    assert gone.exit_code == 1 and "is geen lid van" in gone.stderr


def test_counts_for_every_area_and_mailman_down(mailman: RunningMailman, network: DeskNetwork) -> None:
    counts = run(network.root, mailman.settings, "members")
    assert counts.exit_code == 0
    assert [line.split()[0] for line in counts.stdout.splitlines()] == list(AREAS)

    down = dataclasses.replace(mailman.settings, url=f"http://127.0.0.1:{free_port()}/3.1")
    result = run(network.root, down, "members", "add", "tellen", network.resident("tellen", "x"), lang="en")
    assert result.exit_code == 1 and "Mailman cannot be reached" in result.stderr
    assert mailman.client().member(network.members_list("tellen"), network.resident("tellen", "x")) is None
