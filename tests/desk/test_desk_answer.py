"""Forward with an edited preview, answer the resident (terugkoppeling), and the logbook
linking both, against a real Mailman Core and sink."""

from __future__ import annotations

import json
import pytest

from binsite.desk import answer as answer_lib
from binsite.desk import inbox as inbox_lib
from binsite.desk import logbook
from binsite.desk.desk import open_desk
from binsite.errors import BinsiteError
from binsite.paths import desk_log
from tests.desk.deskkit import DeskNetwork, post, report, run, synced_network, wait_held
from tests.mailman_fixtures import RunningMailman
from binsite.devtools.sink import read_maildir
from sitekit import poll

pytestmark = pytest.mark.mailman

AREAS = ("terug", "cli")


@pytest.fixture(scope="module")
def network(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> DeskNetwork:
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("desk-answer"), AREAS)


def test_forward_edited_then_answer_the_resident(mailman: RunningMailman, network: DeskNetwork) -> None:
    client = mailman.client()
    resident = network.resident("terug", "jan.devries")
    members_list = network.members_list("terug")
    sent = report(resident, members_list, "Busje bij de school", "Er stond een wit busje bij de school.\n\n"
                  "Groet,\nJan de Vries\n06-12345678\n", name="Jan de Vries")
    post(mailman.settings, sent)
    wait_held(client, members_list, sent["Message-ID"])
    actor = logbook.binco(f"binco.terug@coord.{network.domain}")
    desk = open_desk(network.root, mailman.settings, actor=actor)
    item, = inbox_lib.held_items(desk, ["terug"])
    preview = inbox_lib.forward_text(item)
    assert "Jan" not in preview and "06-12345678" not in preview
    edited = preview + "\nDe BINCO voegt toe: het busje stond er om 14:00. Melder: Jan de Vries, jan.devries@x.nl\n"
    done = inbox_lib.forward(desk, item.ref, text=edited, keep=True)
    partners_copy = poll(lambda: [d for d in mailman.deliveries(network.domain)
                                  if " ".join(str(d.message["Message-ID"]).split()) == done.message_id
                                  and set(d.envelope_to) & network.partners("terug")], timeout=30, what="forward")
    mailman.settle()
    body = partners_copy[0].message.get_body(("plain",)).get_content()
    assert "het busje stond er om 14:00" in body and "wit busje" in body
    assert "Jan" not in body and "Vries" not in body and "jan.devries" not in partners_copy[0].message.as_string()
    # Kept: the report still waits, to be answered.
    assert [h.message_id for h in client.held(members_list)] == [sent["Message-ID"]]

    mailman.clear_sink()
    partner = sorted(network.partners("terug"))[0]
    reply = (f"Dank, we zijn gaan kijken: het busje was van de schilder.\n\nMet vriendelijke groet,\n"
             f"Wijkagent Pietersen\n{partner}\n06-98765432\n\nOp 28 nov. schreef BIN:\n> {preview}")
    answered = answer_lib.answer(desk, item.ref, "Dank voor uw melding. Hieronder wat de wijkagent liet weten.",
                                 partner_reply=reply, send=answer_lib.smtp_sender(
                                     "127.0.0.1", mailman.state.smtp_port, desk.config.mail.sender))
    got = poll(lambda: [d for d in read_maildir(mailman.maildir) if resident in d.envelope_to], timeout=30,
               what="answer")
    assert [tuple(d.envelope_to) for d in got] == [(resident,)]
    message = got[0].message
    assert message["From"].addresses[0].addr_spec == desk.config.mail.sender
    assert " ".join(str(message["In-Reply-To"]).split()) == sent["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    assert "> Dank, we zijn gaan kijken: het busje was van de schilder." in text
    assert partner not in message.as_string() and "98765432" not in text and "Pietersen" not in text
    assert "wit busje" not in text, "the partner's quote of the report went along"
    assert client.held(members_list) == [] and answered.quoted

    lines = [json.loads(line) for line in desk_log(network.root).read_text("utf-8").splitlines()]
    ours = [v for v in lines if v.get("report") == item.digest[:16]]
    assert [v["action"] for v in ours] == ["forward", "answer"]
    assert all(v["by"] == {"role": "binco", "id": actor.id} for v in ours)
    raw = desk_log(network.root).read_text("utf-8")
    assert "jan" not in raw.lower() and "busje" not in raw and network.domain not in raw.replace(
        f"terug@{network.domain}", "").replace(f"terug-partners@{network.domain}", "")

    # A co-BINCO answered first: nothing is sent, nothing changes.
    mailman.clear_sink()
    with pytest.raises(BinsiteError) as caught:
        answer_lib.answer(desk, item.ref, "Nog eens.", send=answer_lib.smtp_sender(
            "127.0.0.1", mailman.state.smtp_port, desk.config.mail.sender))
    assert "al afgehandeld" in caught.value.message("nl")
    mailman.settle()
    assert not [d for d in read_maildir(mailman.maildir) if resident in d.envelope_to]


def test_cli_desk_actions_are_logged(mailman: RunningMailman, network: DeskNetwork) -> None:
    client = mailman.client()
    members_list = network.members_list("cli")
    sent = report(network.resident("cli", "kees"), members_list, "Licht kapot", "De lantaarnpaal is kapot.")
    post(mailman.settings, sent)
    wait_held(client, members_list, sent["Message-ID"])
    listing = run(network.root, mailman.settings, "inbox", "cli")
    assert listing.exit_code == 0, listing.output
    ref = listing.stdout.split()[0]
    assert run(network.root, mailman.settings, "inbox", "cli").exit_code == 0  # listed twice: received once
    accepted = run(network.root, mailman.settings, "inbox", "accept", ref)
    assert accepted.exit_code == 0, accepted.output
    lines = [v for v in logbook.read(desk_log(network.root)) if v.get("list") == members_list]
    assert [(v["action"], v["by"]) for v in lines] == [("received", {"role": "operator"}), ("accept", {"role": "operator"})]
    assert lines[0]["report"] == lines[1]["report"] and lines[1]["received"]
