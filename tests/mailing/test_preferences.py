"""Choosing the weekly overview moves a resident between an area's two residents' lists, at a real Mailman."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from binsite.errors import MailmanUnavailable
from binsite.i18n import t
from binsite.mailman.client import MailmanClient
from binsite.mailman.preferences import DIRECT, WEEKLY, NotAMember, delivery_mode, leave, set_delivery_mode
from binsite.mailman.sync import sync
from binsite.source.network import load_network
from sitekit import area, write_site
from tests.mailman_fixtures import RunningMailman, new_domain

pytestmark = pytest.mark.mailman


def _site(mailman: RunningMailman, tmp_path: Path):
    domain = new_domain()
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")})
    sync(root, mailman.settings)
    network = load_network(root).raise_for_errors()
    return domain, network.areas[0]


def _on(client: MailmanClient, fqdn: str, address: str) -> bool:
    return client.member(fqdn, address) is not None


def test_sync_makes_a_closed_weekly_list_like_the_members_list(mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    weekly, members = noord.weekly_list(domain), noord.members_list(domain)
    assert weekly == f"noord-overzicht@{domain}" and weekly in client.lists()
    keys = ["subscription_policy", "default_member_action", "default_nonmember_action", "archive_policy",
            "subject_prefix", "reply_to_address", "send_welcome_message"]
    got, like = client.list_settings(weekly, keys), client.list_settings(members, keys)
    assert got["default_member_action"] == got["default_nonmember_action"] == "hold"
    assert got["subscription_policy"] == "moderate" and got["archive_policy"] == "private"
    assert {k: got[k] for k in keys[:6]} == {k: like[k] for k in keys[:6]}
    assert got["send_welcome_message"] is False
    assert {m.address for m in client.roster(weekly, "owner")} == {f"binco.noord@coord.{domain}"}
    assert {m.address: m.moderation_action for m in client.roster(weekly, "nonmember")} == {f"bulletin@{domain}": "accept"}
    # A second sync changes nothing.
    assert sync(Path(tmp_path / "site"), mailman.settings) == []


def test_switching_to_the_weekly_overview_moves_the_member_quietly(mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    resident = f"Bewoner.Een@res.{domain}"
    client.subscribe(noord.members_list(domain), resident.lower(), "Bewoner Een")
    assert delivery_mode(client, noord, domain, resident) == DIRECT

    assert set_delivery_mode(client, noord, domain, resident, WEEKLY) is True
    assert not _on(client, noord.members_list(domain), resident.lower())
    assert _on(client, noord.weekly_list(domain), resident.lower())
    assert delivery_mode(client, noord, domain, resident) == WEEKLY
    # The weekly membership carries no leftover mark, and a repeat changes nothing.
    assert client.member_flag(noord.weekly_list(domain), resident.lower(), "acknowledge_posts") is None
    assert set_delivery_mode(client, noord, domain, resident, WEEKLY) is False

    assert set_delivery_mode(client, noord, domain, resident.upper(), DIRECT) is True
    assert delivery_mode(client, noord, domain, resident) == DIRECT
    assert not _on(client, noord.weekly_list(domain), resident.lower())
    assert client.member(noord.members_list(domain), resident.lower()).display_name == "Bewoner Een"
    # No welcome, no goodbye, no owner notice went anywhere.
    mailman.settle()
    assert mailman.deliveries(domain) == []


def test_a_stranger_cannot_join_through_the_preferences(mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    stranger = f"vreemde@res.{domain}"
    assert delivery_mode(client, noord, domain, stranger) is None
    for mode in (WEEKLY, DIRECT):
        with pytest.raises(NotAMember) as caught:
            set_delivery_mode(client, noord, domain, stranger, mode)
        assert "geen lid" in caught.value.message("nl") and "not a member" in caught.value.message("en")
    assert not _on(client, noord.weekly_list(domain), stranger) and not _on(client, noord.members_list(domain), stranger)
    with pytest.raises(ValueError):
        set_delivery_mode(client, noord, domain, stranger, "daily")  # type: ignore[arg-type]


class _DiesAt(MailmanClient):
    """A real client whose connection breaks at one step of the move."""

    def __init__(self, settings, step: str):
        super().__init__(settings, attempts=1)
        self.step = step

    def _broken(self):
        raise MailmanUnavailable(t("verbinding verbroken", "connection lost"))

    def subscribe(self, *args, **kwargs):
        if self.step == "subscribe":
            self._broken()
        return super().subscribe(*args, **kwargs)

    def unsubscribe_quietly(self, *args, **kwargs):
        if self.step == "unsubscribe":
            self._broken()
        return super().unsubscribe_quietly(*args, **kwargs)


@pytest.mark.parametrize("step", ["subscribe", "unsubscribe"])
@pytest.mark.parametrize("start,goal", [(DIRECT, WEEKLY), (WEEKLY, DIRECT)])
def test_a_move_broken_between_the_steps_leaves_the_resident_on_a_list(
        mailman: RunningMailman, tmp_path: Path, step: str, start: str, goal: str) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    resident = f"bewoner.{step}@res.{domain}"
    lists = {DIRECT: noord.members_list(domain), WEEKLY: noord.weekly_list(domain)}
    client.subscribe(lists[start], resident)
    with pytest.raises(MailmanUnavailable):
        set_delivery_mode(_DiesAt(mailman.settings, step), noord, domain, resident, goal)  # type: ignore[arg-type]
    on = {mode for mode, fqdn in lists.items() if _on(client, fqdn, resident)}
    if step == "subscribe":
        # Never neither: still on the old list, which is what it says.
        assert on == {start}
        assert delivery_mode(client, noord, domain, resident) == start
    else:
        # On both for the moment: the newer one is what it says.
        assert on == {start, goal}
        assert delivery_mode(client, noord, domain, resident) == goal
    # The next attempt finishes the move.
    assert set_delivery_mode(client, noord, domain, resident, goal) is True  # type: ignore[arg-type]
    assert {mode for mode, fqdn in lists.items() if _on(client, fqdn, resident)} == {goal}
    assert delivery_mode(client, noord, domain, resident) == goal


def test_a_broken_move_then_undone_ends_on_the_old_list(mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    resident = f"bewoner.terug@res.{domain}"
    client.subscribe(noord.members_list(domain), resident)
    with pytest.raises(MailmanUnavailable):
        set_delivery_mode(_DiesAt(mailman.settings, "unsubscribe"), noord, domain, resident, WEEKLY)
    assert delivery_mode(client, noord, domain, resident) == WEEKLY
    assert set_delivery_mode(client, noord, domain, resident, DIRECT) is True
    assert _on(client, noord.members_list(domain), resident) and not _on(client, noord.weekly_list(domain), resident)
    assert delivery_mode(client, noord, domain, resident) == DIRECT
    assert client.member_flag(noord.members_list(domain), resident, "acknowledge_posts") is None


def test_two_moves_at_once_leave_the_resident_on_exactly_one_list(mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    lists = (noord.members_list(domain), noord.weekly_list(domain))
    residents = [f"bewoner{i}.tegelijk@res.{domain}" for i in range(4)]
    client = mailman.client()
    for resident in residents:
        client.subscribe(lists[0], resident)
    errors: list[BaseException] = []

    def move(resident: str, mode: str) -> None:
        try:
            set_delivery_mode(mailman.client(), noord, domain, resident, mode)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=move, args=(r, m)) for r in residents for m in (WEEKLY, DIRECT, WEEKLY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    for resident in residents:
        on = [fqdn for fqdn in lists if _on(client, fqdn, resident)]
        assert on, f"{resident} is on neither list"
        # Whatever the race left, one more move settles it on exactly one.
        mode = delivery_mode(client, noord, domain, resident)
        set_delivery_mode(client, noord, domain, resident, mode)  # type: ignore[arg-type]
        assert len([fqdn for fqdn in lists if _on(client, fqdn, resident)]) == 1


def test_the_desk_counts_and_removes_a_resident_on_the_weekly_list(mailman: RunningMailman, tmp_path: Path) -> None:
    from binsite.desk.desk import open_desk
    from binsite.desk.members import add_member, member_counts, remove_member
    from binsite.errors import BinsiteError

    domain, noord = _site(mailman, tmp_path)
    desk = open_desk(tmp_path / "site", mailman.settings)
    resident, other = f"week@res.{domain}", f"direct@res.{domain}"
    add_member(desk, "noord", resident)
    add_member(desk, "noord", other)
    set_delivery_mode(desk.client, noord, domain, resident, WEEKLY)
    [counted] = member_counts(desk, ["noord"], with_addresses=True)
    assert (counted.members, counted.weekly) == (2, 1)
    assert [a for a, _ in counted.addresses] == sorted([resident, other])
    with pytest.raises(BinsiteError):  # already a member, on the weekly list: not added twice
        add_member(desk, "noord", resident)
    from binsite.desk import importer

    preview = importer.preview_import(desk, "noord", importer.read_member_file(
        f"{resident}\nnieuw@res.{domain}\n".encode(), "lijst.txt"))
    assert [e.address for e in preview.already] == [resident]  # an import does not put them on both lists
    assert [e.address for e in preview.new] == [f"nieuw@res.{domain}"]
    assert remove_member(desk, "noord", resident) == noord.weekly_list(domain)
    assert delivery_mode(desk.client, noord, domain, resident) is None
    assert delivery_mode(desk.client, noord, domain, other) == DIRECT


def test_the_demo_puts_one_resident_per_area_on_the_weekly_list_once(mailman: RunningMailman, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    domain, noord = _site(mailman, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINSITE_")}
    env.update(mailman.settings.environment(), PYTHONPATH=str(Path(__file__).resolve().parents[2]), BINSITE_LANG="nl")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "binsite.devtools.demo", "residents"], cwd=tmp_path / "site",
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert "stonden al ingeschreven; niets veranderd" in done.stdout
    client = mailman.client()
    assert {m.address for m in client.roster(noord.members_list(domain), "member")} == {
        "bewoner1.noord@example.org", "bewoner2.noord@example.org"}
    assert {m.address for m in client.roster(noord.weekly_list(domain), "member")} == {"bewoner3.noord@example.org"}
    # make demo ends with one AVG access request for the first demo resident.
    shown = subprocess.run([sys.executable, "-m", "binsite.devtools.demo", "avg"], cwd=tmp_path / "site",
                           env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "$ binsite avg inzage bewoner1.noord@example.org" in shown.stdout
    assert f"Lidmaatschap — Mailman: {noord.members_list(domain)}" in shown.stdout


def test_leaving_takes_the_resident_off_whichever_list_and_both_after_a_broken_move(
        mailman: RunningMailman, tmp_path: Path) -> None:
    domain, noord = _site(mailman, tmp_path)
    client = mailman.client()
    weekly, both, direct = (f"{n}@res.{domain}" for n in ("weekly", "beide", "direct"))
    for address in (weekly, both, direct):
        client.subscribe(noord.members_list(domain), address)
    set_delivery_mode(client, noord, domain, weekly, WEEKLY)
    with pytest.raises(MailmanUnavailable):
        set_delivery_mode(_DiesAt(mailman.settings, "unsubscribe"), noord, domain, both, WEEKLY)
    for address in (weekly, both, direct):
        assert leave(client, noord, domain, address.upper()) is True
        assert delivery_mode(client, noord, domain, address) is None
        assert leave(client, noord, domain, address) is False
    mailman.settle()
    assert mailman.deliveries(domain) == []  # no goodbye, no owner notice
