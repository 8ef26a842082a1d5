"""Forward with an edited preview, answer the resident (terugkoppeling), and the logbook
linking both, against a real Mailman Core and sink."""

from __future__ import annotations

import pytest

from binsite.desk import answer as answer_lib
from binsite.desk import inbox as inbox_lib
from binsite.desk import logbook
from binsite.desk.desk import open_desk
from binsite.errors import BinsiteError
from tests.desk.deskkit import DeskNetwork, held_report, logbook_text, run, synced_network
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
    sent = held_report(mailman, network, "terug", resident, "Busje bij de school", "Er stond een wit busje bij de "
                       "school.\n\nGroet,\nJan de Vries\n06-12345678\n", name="Jan de Vries")
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

    lines = list(logbook.lines(network.root))
    ours = [v for v in lines if v.get("report") == item.digest[:16]]
    assert [v["action"] for v in ours] == ["forward", "answer"]
    assert all(v["by"] == {"role": "binco", "id": actor.id} for v in ours)
    raw = logbook_text(network.root)
    lists = raw  # the lists' addresses may be in it (the module's other tests log their area's)
    for area_id in network.area_ids:
        lists = lists.replace(network.partners_list(area_id), "").replace(network.members_list(area_id), "")
    assert "jan" not in raw.lower() and "busje" not in raw and network.domain not in lists

    # A co-BINCO answered first: nothing is sent, nothing changes.
    mailman.clear_sink()
    with pytest.raises(BinsiteError) as caught:
        answer_lib.answer(desk, item.ref, "Nog eens.", send=answer_lib.smtp_sender(
            "127.0.0.1", mailman.state.smtp_port, desk.config.mail.sender))
    assert "al afgehandeld" in caught.value.message("nl")
    mailman.settle()
    assert not [d for d in read_maildir(mailman.maildir) if resident in d.envelope_to]


def test_cli_desk_actions_are_logged(mailman: RunningMailman, network: DeskNetwork) -> None:
    members_list = network.members_list("cli")
    sent = held_report(mailman, network, "cli", network.resident("cli", "kees"), "Licht kapot",
                       "De lantaarnpaal is kapot.")
    # Other tests of this module may have left lines and held reports for this list: this test
    # looks only at its own report and at the lines written since it began.
    before = len(list(logbook.lines(network.root)))
    item = next(i for i in inbox_lib.held_items(open_desk(network.root, mailman.settings), ["cli"])
                if i.message_id == sent["Message-ID"])
    listing = run(network.root, mailman.settings, "inbox", "cli")
    assert listing.exit_code == 0, listing.output
    assert item.ref in listing.stdout.split()
    assert run(network.root, mailman.settings, "inbox", "cli").exit_code == 0  # listed twice: received once
    accepted = run(network.root, mailman.settings, "inbox", "accept", item.ref)
    assert accepted.exit_code == 0, accepted.output
    new = list(logbook.lines(network.root))[before:]
    lines = [v for v in new if v.get("report") == inbox_lib.report_key(item)]
    assert [(v["action"], v["by"], v["list"]) for v in lines] == [("received", {"role": "operator"}, members_list),
                                                                 ("accept", {"role": "operator"}, members_list)]
    assert lines[1]["received"]
    assert [v["action"] for v in new if v["action"] != "received"] == ["accept"]


def test_cli_answer_reaches_the_resident_and_a_mistake_changes_nothing(mailman: RunningMailman, network: DeskNetwork,
                                                                       tmp_path) -> None:
    client = mailman.client()
    resident = network.resident("cli", "anna.smit")
    members_list = network.members_list("cli")
    sent = held_report(mailman, network, "cli", resident, "Lantaarn bij het hofje",
                       "De lantaarn bij het hofje is al een week uit.\n\nGroet,\nAnna Smit\n", name="Anna Smit")
    desk = open_desk(network.root, mailman.settings)
    item = next(i for i in inbox_lib.held_items(desk, ["cli"]) if i.message_id == sent["Message-ID"])
    smtp = {"BINSITE_SMTP_HOST": "127.0.0.1", "BINSITE_SMTP_PORT": str(mailman.state.smtp_port)}

    def answers():  # from the BIN's own address (Mailman's notice that the post is held comes from the list)
        return [d for d in read_maildir(mailman.maildir) if resident in d.envelope_to
                and d.message["From"].addresses[0].addr_spec == desk.config.mail.sender]
    partner = sorted(network.partners("cli"))[0]
    reply = tmp_path / "wijkmanager.txt"
    reply.write_text(f"De lamp wordt donderdag vervangen.\n\nMet vriendelijke groet,\nWijkmanager Jansen\n{partner}\n"
                     "073-6159999\n", encoding="utf-8")
    kept = run(network.root, mailman.settings, "inbox", "forward", item.ref, "--to", "partners", "--keep")
    assert kept.exit_code == 0 and f"binsite inbox answer {item.ref}" in kept.stdout, kept.output
    # Mistakes a hurried BINCO makes: no text, both texts, no SMTP server. Nothing is sent or changed.
    for args, env, words in ((["inbox", "answer", item.ref], smtp, "--text of met --text-file"),
                             (["inbox", "answer", item.ref, "--text", "a", "--text-file", str(reply)], smtp,
                              "--text of met --text-file"),
                             (["inbox", "answer", item.ref, "--text", "Dank."], {"BINSITE_SMTP_HOST": ""},
                              "zet BINSITE_SMTP_HOST en BINSITE_SMTP_PORT")):
        wrong = run(network.root, mailman.settings, *args, more_env=env)
        assert wrong.exit_code == 1 and words in wrong.stderr and "er is niets verstuurd" in wrong.stderr, wrong.output
    mailman.settle()
    assert answers() == []
    assert [h.message_id for h in client.held(members_list) if h.message_id == sent["Message-ID"]] == [sent["Message-ID"]]

    done = run(network.root, mailman.settings, "inbox", "answer", item.ref.lower(), "--text",
               "Dank voor uw melding. De gemeente liet dit weten:", "--partner-reply", str(reply), more_env=smtp)
    assert done.exit_code == 0, done.output
    assert "Beantwoord" in done.stdout and "zonder diens naam en adres" in done.stdout
    got = poll(answers, timeout=30, what="the answer")
    assert len(got) == 1
    text = got[0].message.get_body(("plain",)).get_content()
    assert "> De lamp wordt donderdag vervangen." in text and "Dank voor uw melding." in text
    assert partner not in got[0].message.as_string() and "Jansen" not in text and "6159999" not in text
    assert " ".join(str(got[0].message["In-Reply-To"]).split()) == sent["Message-ID"]
    assert not [h for h in client.held(members_list) if h.message_id == sent["Message-ID"]]
    again = run(network.root, mailman.settings, "inbox", "answer", item.ref, "--text", "Nog eens.", more_env=smtp)
    assert again.exit_code == 1 and "al afgehandeld" in again.stderr
