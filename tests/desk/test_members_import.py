"""binsite members import against a real Mailman Core: preview, import, rerun, welcome mail, logbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from binsite.desk import logbook
from binsite.desk import importer
from binsite.desk.desk import open_desk
from tests.desk.deskkit import DeskNetwork, logbook_text, run, synced_network
from tests.mailman_fixtures import RunningMailman

pytestmark = pytest.mark.mailman

AREAS = ("import", "welkom")


@pytest.fixture(scope="module")
def network(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> DeskNetwork:
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("desk-import"), AREAS)


def test_preview_then_import_then_rerun(mailman: RunningMailman, network: DeskNetwork, tmp_path: Path) -> None:
    client = mailman.client()
    list_address = network.members_list("import")
    existing = f"bestaand@res.{network.domain}"
    client.subscribe(list_address, existing)
    lines = ["E-mailadres;Naam", f"nieuw1@res.{network.domain};Eerste Buur", f"{existing.upper()};Bestaand",
             "geen-adres;Typfout", f"Nieuw1@res.{network.domain};Dubbel", f"nieuw2@res.{network.domain};Tweede Büür"]
    csv_file = tmp_path / "leden.csv"
    csv_file.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    before = len(list(logbook.lines(network.root)))  # other tests of this module log imports too
    preview = run(network.root, mailman.settings, "members", "import", "import", str(csv_file))
    assert preview.exit_code == 0, preview.output
    assert f"{list_address}: 2 nieuw, 1 al lid, 1 ongeldig, 1 dubbel (van 5 regels)." in preview.stdout
    assert "Proefdraai: er is niets veranderd." in preview.stdout
    assert ":4: waarschuwing: 'geen-adres' is geen e-mailadres" in preview.stderr
    assert f":5: waarschuwing: nieuw1@res.{network.domain} staat al op regel 2" in preview.stderr
    assert client.member(list_address, f"nieuw1@res.{network.domain}") is None, "the dry run changed Mailman"

    done = run(network.root, mailman.settings, "members", "import", "import", str(csv_file), "--yes")
    assert done.exit_code == 0, done.output
    assert f"Geïmporteerd: 2 nieuwe leden in {list_address} zonder e-mail." in done.stdout
    assert client.member(list_address, f"nieuw2@res.{network.domain}").display_name == "Tweede Büür"
    assert client.member(list_address, f"nieuw1@res.{network.domain}").display_name == "Eerste Buur"
    assert client.counts(list_address).members == 3 and client.requests(list_address) == []
    mailman.settle()
    assert not mailman.deliveries(network.domain), "an import without --welcome sent mail"

    again = run(network.root, mailman.settings, "members", "import", "import", str(csv_file), "--yes")
    assert again.exit_code == 0 and "0 nieuw, 3 al lid" in again.stdout and "Niets te importeren" in again.stdout

    logged = list(logbook.lines(network.root))[before:]
    imports = [v for v in logged if v["action"] == "members_import"]
    assert imports == [{**imports[0], "area": "import", "list": list_address, "count": 2}]
    text = logbook_text(network.root)
    assert "nieuw" not in text and "res." not in text, "a resident's address in the logbook"


def test_with_welcome_mail_and_a_member_added_meanwhile(mailman: RunningMailman, network: DeskNetwork) -> None:
    client = mailman.client()
    list_address = network.members_list("welkom")
    raw = "\n".join(f"w{i}@res.{network.domain}" for i in range(5)).encode()
    desk = open_desk(network.root, mailman.settings)
    preview = importer.preview_import(desk, "welkom", importer.read_member_file(raw, "lijst.txt"))
    assert len(preview.new) == 5
    client.subscribe(list_address, f"w3@res.{network.domain}")  # a co-BINCO was quicker
    result = importer.import_members(desk, preview, welcome=True)
    assert [e.address for e in result.added] == [f"w{i}@res.{network.domain}" for i in (0, 1, 2, 4)]
    assert [e.address for e in result.already] == [f"w3@res.{network.domain}"] and not result.failed
    delivered = mailman.wait_for_deliveries(network.domain, 4)
    assert {r for d in delivered for r in d.envelope_to} == {f"w{i}@res.{network.domain}" for i in (0, 1, 2, 4)}
