"""binsite avg against the session's real Mailman: inzage finds every place, wissen empties
them (a grep over the state folder and Mailman's var dir, its SQLite file included), odd
addresses are found as Mailman finds them and nothing else is touched."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from binsite.desk import logbook, sessions
from binsite.mailman.client import list_id
from binsite.store import site_store
from tests.desk.deskkit import held_report, run, synced_network
from sitekit import bulletin_text, write_bulletin


@pytest.fixture
def network(mailman, tmp_path):
    return synced_network(mailman.settings, tmp_path, ("noord", "zuid"))


@pytest.fixture(scope="module")
def shared(local_mailman, tmp_path_factory):
    """One synced site for the tests that each use their own addresses (one sync, not one per case)."""
    return synced_network(local_mailman.settings, tmp_path_factory.mktemp("avg"), ("noord", "zuid"))


def _db_env(mailman) -> dict[str, str]:
    return {"BINSITE_MAILMAN_DB": str(mailman.local.var_dir / "data" / "mailman.db")}


def _spool_entry(root: Path, list_address: str, member_id: str) -> None:
    """A one-click leave the web service took and Mailman has not done yet (in the service's database)."""
    site_store(root).spool_add(list_id(list_address), member_id)


def _files_holding(folders: list[Path], needles: list[bytes], *, skip: tuple[str, ...] = ()) -> list[str]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or any(part in skip for part in path.relative_to(folder).parts):
                continue
            data = path.read_bytes().lower()
            if any(needle.lower() in data for needle in needles):
                found.append(str(path) + _tables_holding(path, needles))
    return found


def _tables_holding(path: Path, needles: list[bytes]) -> str:
    """For a SQLite file: which tables still hold a needle (else the bytes are in free pages)."""
    if path.read_bytes()[:16] != b"SQLite format 3\x00":
        return ""
    import sqlite3
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("select name from sqlite_master where type='table'")]
        holding = [table for table in tables for row in connection.execute(f'select * from "{table}"')
                   if any(n.lower().decode() in repr(row).lower() for n in needles)]
    finally:
        connection.close()
    return f" (tables: {sorted(set(holding))})"


def test_inzage_then_wissen_leaves_nothing(mailman, network):
    client = mailman.client()
    resident = f"Jan.Smit.{uuid.uuid4().hex[:6]}@Res.{network.domain}"
    lower = resident.lower()
    neighbour = lower.replace("jan.smit", "jan_smit")          # LIKE's wildcard must not catch it
    tagged = lower.replace("@", "+bin@")                        # a +tag is another address
    members, weekly = network.members_list("noord"), f"zuid-overzicht@{network.domain}"
    client.subscribe(members, resident, "Jan Smit")
    client.subscribe(weekly, resident)
    for other in (neighbour, tagged):
        client.subscribe(members, other)
    client.request_subscription(network.members_list("zuid"), resident)
    held_report(mailman, network, "noord", resident, "Verdachte auto", "Een auto reed drie keer rond.")
    member_id = next(m.member_id for m in client.memberships(lower) if m.list_id == list_id(members))
    _spool_entry(network.root, members, member_id)
    bulletin = write_bulletin(network.root, "noord/2026-12-01-oproep.md", bulletin_text(
        "Oproep", "2026-12-01", f"Tips graag aan de BINCO.\nMet dank aan {lower} voor de melding."))

    shown = run(network.root, mailman.settings, "avg", "inzage", resident.upper(), "--format", "json", "--volledig")
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    kinds = sorted(item["kind"] for item in found["items"])
    assert kinds == ["address", "bulletin", "held", "membership", "membership", "request", "spool"], kinds
    held = next(item for item in found["items"] if item["kind"] == "held")
    assert held["onderwerp"] == "Verdachte auto" and "drie keer rond" in held["text"]
    assert next(i for i in found["items"] if i["kind"] == "bulletin")["where"] == "content/noord/2026-12-01-oproep.md:6"
    assert {i["lijst"] for i in found["items"] if i["kind"] == "membership"} == {members, weekly}
    text = run(network.root, mailman.settings, "avg", "inzage", resident)
    assert "Vastgehouden bericht — Mailman: " + members in text.output and "drie keer" not in text.output

    first = run(network.root, mailman.settings, "avg", "wissen", resident, more_env=_db_env(mailman))
    assert first.exit_code == 1, first.output          # the bulletin is never edited by binsite
    assert "content/noord/2026-12-01-oproep.md:6" in first.output and "Gewist voor" in first.output
    assert "VACUUM" in first.output
    assert lower in bulletin.read_text()
    assert site_store(network.root).spool_of({member_id}) == []
    # Nothing else was touched: the neighbour with '_' and the +tag are still members.
    assert {m.address for m in client.roster(members, "member")} >= {neighbour, tagged}
    assert client.address_record(neighbour) and client.address_record(tagged)

    bulletin.write_text(bulletin.read_text().replace(f"Met dank aan {lower} voor de melding.", "Met dank."))
    second = run(network.root, mailman.settings, "avg", "wissen", resident, more_env=_db_env(mailman))
    assert second.exit_code == 0, second.output
    assert "Er is niets meer over" in second.output
    again = json.loads(run(network.root, mailman.settings, "avg", "inzage", resident, "--format", "json").output)
    assert again["items"] == [] and len(again["erasures"]) == 1

    lines = list(logbook.lines(network.root))
    erasures = [v for v in lines if v["action"] == logbook.ERASE]
    assert len(erasures) == 1 and erasures[0]["by"] == {"role": "operator"}   # the second run recorded nothing
    mailman.settle()
    needles = [lower.encode(), resident.encode()]
    # Mailman's logs (var/logs: subscribe.log, vette.log, smtp.log, mailman.log) are the exception:
    # the hoster's logrotate removes them (docs/beheer.md, 4 weeks).
    leftovers = _files_holding([network.root / "state", network.root / ".binsite", mailman.local.var_dir], needles,
                               skip=("logs",))
    assert leftovers == []


def test_binco_address_is_refused_with_its_line(mailman, network):
    client = mailman.client()
    binco = f"binco.noord@coord.{network.domain}"
    client.subscribe(network.members_list("noord"), binco.upper())   # the BINCO is a resident too
    shown = json.loads(run(network.root, mailman.settings, "avg", "inzage", binco, "--format", "json").output)
    assert {i["kind"] for i in shown["items"]} >= {"membership", "setting"}
    result = run(network.root, mailman.settings, "avg", "wissen", binco)
    assert result.exit_code == 1
    assert "lists/noord.yaml:" in result.output and "niets gewist" in result.output
    assert client.member(network.members_list("noord"), binco) is not None
    assert binco in {m.address for m in client.roster(network.members_list("noord"), "owner")}


def test_logbook_and_sessions_forget_a_former_binco(mailman, network):
    former = f"Oud.Binco@coord.{network.domain}"
    root = network.root
    logbook.record(root, logbook.binco(former), logbook.ACCEPT, area="noord")
    logbook.record(root, logbook.binco("other@coord.example"), logbook.ACCEPT, area="noord")
    store = site_store(root)
    sessions.end_every_session(store, former, at=time.time())
    shown = json.loads(run(root, mailman.settings, "avg", "inzage", former, "--format", "json").output)
    assert sorted(i["kind"] for i in shown["items"]) == ["logbook", "session"]
    assert run(root, mailman.settings, "avg", "wissen", former).exit_code == 0
    lines = list(logbook.lines(root))
    accepts = [v["by"] for v in lines if v["action"] == logbook.ACCEPT]
    assert accepts == [{"role": "binco"}, {"role": "binco", "id": logbook.binco("other@coord.example").id}]
    assert store.sessions_of(sessions._address(former)) == 0
    assert json.loads(run(root, mailman.settings, "avg", "inzage", former, "--format", "json").output)["items"] == []


def test_another_sites_membership_is_left_alone(mailman, network, tmp_path):
    client = mailman.client()
    other = synced_network(mailman.settings, tmp_path / "other", ("west",))
    resident = f"piet@res.{uuid.uuid4().hex[:6]}.example"
    client.subscribe(network.members_list("noord"), resident)
    client.subscribe(other.members_list("west"), resident)
    assert run(network.root, mailman.settings, "avg", "wissen", resident).exit_code == 0
    assert client.member(network.members_list("noord"), resident) is None
    assert client.member(other.members_list("west"), resident) is not None
    assert client.address_record(resident) is not None
    # For this site nothing is left; for the other site its membership is still there.
    assert json.loads(run(network.root, mailman.settings, "avg", "inzage", resident, "--format", "json").output)[
        "items"] == []
    assert [i["kind"] for i in json.loads(run(other.root, mailman.settings, "avg", "inzage", resident, "--format",
                                              "json").output)["items"]] == ["address", "membership"]


@pytest.mark.parametrize(("address", "asked"), [("jan@xn--bcher-kva.example", "Jan@Bücher.example"),
                                               ("o'brien@res.example.org", "O'Brien@RES.example.org"),
                                               ("100%_x@res.example.org", "100%_X@res.example.org")])
def test_odd_addresses_are_found_and_erased(local_mailman, shared, address, asked):
    client = local_mailman.client()
    members = shared.members_list("zuid")
    client.subscribe(members, address)
    found = json.loads(run(shared.root, local_mailman.settings, "avg", "inzage", asked, "--format", "json").output)
    assert [i["kind"] for i in found["items"]] == ["address", "membership"]
    assert run(shared.root, local_mailman.settings, "avg", "wissen", asked).exit_code == 0
    assert client.member(members, address) is None and client.address_record(address) is None


def test_a_plus_tag_is_its_own_address_and_the_untagged_one_is_left(local_mailman, shared):
    """Mailman treats jan+bin@ and jan@ as two addresses: wissen of the tagged one, typed in upper
    case, takes only it; the untagged one keeps its membership and record, and the reverse too."""
    client = local_mailman.client()
    members = shared.members_list("zuid")
    tagged, plain = f"jan+bin@res.{shared.domain}", f"jan@res.{shared.domain}"
    client.subscribe(members, tagged)
    client.subscribe(members, plain)
    found = json.loads(run(shared.root, local_mailman.settings, "avg", "inzage", plain, "--format", "json").output)
    assert all(tagged not in json.dumps(item) for item in found["items"])
    assert run(shared.root, local_mailman.settings, "avg", "wissen", tagged.upper()).exit_code == 0
    assert client.member(members, tagged) is None and client.address_record(tagged) is None
    assert client.member(members, plain) is not None and client.address_record(plain) is not None
    assert run(shared.root, local_mailman.settings, "avg", "wissen", plain).exit_code == 0
    assert client.member(members, plain) is None


def test_a_partners_address_is_refused_with_its_line_and_kept(local_mailman, shared):
    """A partner (in lists/noord.yaml) who is also a resident on a list: wissen, however typed,
    erases nothing and names the settings' line; the partner stays on the partners list."""
    client = local_mailman.client()
    partner = sorted(shared.partners("noord"))[0]
    client.subscribe(shared.members_list("zuid"), partner)
    for asked in (partner, partner.upper(), f"  {partner.capitalize()} "):
        result = run(shared.root, local_mailman.settings, "avg", "wissen", asked)
        assert result.exit_code == 1, result.output
        assert "lists/noord.yaml:" in result.output and "niets gewist" in result.output
    assert client.member(shared.members_list("zuid"), partner) is not None
    partners = {m.address for role in ("member", "nonmember") for m in client.roster(shared.partners_list("noord"), role)}
    assert partner in partners


def test_quoted_local_part_as_mailman_sees_it(local_mailman, shared):
    """Mailman refuses a quoted local part as a subscriber, so it can hold nothing about one;
    inzage and wissen still ask it (the address quoted in the URL) and say so."""
    address = '"jan de boer"@res.example.org'
    found = run(shared.root, local_mailman.settings, "avg", "inzage", address)
    assert found.exit_code == 0 and "bewaren niets over" in found.output
    erased = run(shared.root, local_mailman.settings, "avg", "wissen", address)
    assert erased.exit_code == 0 and "Er is niets meer" in erased.output


@pytest.mark.parametrize("address", ["", "jan", "jan@", "@example.org", "jan@example.org\nBcc: x@y"])
def test_not_an_address(local_mailman, shared, address):
    result = run(shared.root, local_mailman.settings, "avg", "inzage", address)
    assert result.exit_code == 1 and "is geen e-mailadres" in result.output


def test_two_erasures_at_once_both_end_well(mailman, network):
    """Two administrators erase the same resident at the same moment: neither fails, nothing is left."""
    import threading

    from binsite.avg import erase, holdings
    from binsite.desk import logbook as logbook_lib

    client = mailman.client()
    resident = f"tegelijk@res.{network.domain}"
    for area_id in ("noord", "zuid"):
        client.subscribe(network.members_list(area_id), resident)
    held_report(mailman, network, "noord", resident, "Twee keer", "Twee beheerders tegelijk.")
    failures: list[BaseException] = []

    def erase_once() -> None:
        try:
            erase.erase(network.root, mailman.client(), resident, domain=network.domain, actor=logbook_lib.operator())
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
    threads = [threading.Thread(target=erase_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert holdings.find(network.root, client, resident, domain=network.domain).empty


def test_partner_records_and_waiting_web_reports_are_found_and_leave_no_bytes_in_the_database(mailman, network):
    """The service's database (state/web.sqlite, its WAL) holds a reporter's address in a report
    forwarded to the partners and in a web report waiting for confirmation: inzage names both,
    wissen blanks the one and removes the other, and afterwards no byte of the address is in any
    file under state/ (secure_delete, VACUUM, the WAL truncated), while other rows stay."""
    from binsite.desk import partners
    from binsite.reports.form import Photo, Report
    from binsite.reports.store import DatabasePendingReports

    root = network.root
    reporter = f"melder.{uuid.uuid4().hex[:6]}@res.{network.domain}"
    other = f"buur.{uuid.uuid4().hex[:6]}@res.{network.domain}"
    door = partners.open_store(root)
    partners.record_forward(door, key="R" * 16, ref="RRRRRR", area="noord", subject="Fiets", text="Een fiets weg.",
                            reporter=reporter.upper())
    partners.record_forward(door, key="S" * 16, ref="SSSSSS", area="noord", subject="Lamp", text="Lamp kapot.",
                            reporter=other)
    pending = DatabasePendingReports(site_store(root), max_age=3600)
    when = datetime(2026, 12, 6, 21, 0, tzinfo=timezone.utc)
    waiting = pending.add(Report("noord", reporter, "Inbraak", when, "Dorpsstraat", Photo(b"pixels", "JPEG")))
    kept = pending.add(Report("noord", other, "Vernieling", when, "Kerkpad", None))
    database = root / "state" / "web.sqlite"
    assert reporter.encode() in b"".join(p.read_bytes() for p in database.parent.glob("web.sqlite*"))

    shown = json.loads(run(root, mailman.settings, "avg", "inzage", reporter, "--format", "json").output)
    assert sorted(i["kind"] for i in shown["items"]) == ["partner", "report"]
    assert next(i for i in shown["items"] if i["kind"] == "partner")["melding"] == "RRRRRR"
    erased = run(root, mailman.settings, "avg", "wissen", reporter)
    assert erased.exit_code == 0, erased.output
    assert "Database van de dienst gecomprimeerd" in erased.output

    state = door.read()
    assert state.reports["R" * 16].reporter == "" and state.reports["R" * 16].text == "Een fiets weg."
    assert state.reports["S" * 16].reporter == other                   # another reporter's record is untouched
    assert pending.take(waiting) is None and pending.take(kept) is not None
    assert _files_holding([root / "state"], [reporter.encode()]) == []
    assert json.loads(run(root, mailman.settings, "avg", "inzage", reporter, "--format", "json").output)["items"] == []
