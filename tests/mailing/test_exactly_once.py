"""Exactly once under every schedule, against the real Mailman and the real sink:
two sends at once, the demo's env file, a ledger from another Mailman, an
answer lost after DATA."""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.mailing.binding import ForeignHistory, LedgerMismatch
from binsite.mailing.ledger import read_ledger
from binsite.mailing.run import SendUncertain, send
from binsite.mailman.sync import sync
from tests.mailman_fixtures import RunningMailman, new_domain
from sitekit import area, bulletin_text, write_bulletin, write_site

pytestmark = pytest.mark.mailman

TZ = ZoneInfo("Europe/Amsterdam")
NOW = "2026-11-10T12:00"
AREAS = ("noord", "oost", "zuid")
PROJECT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class Net:
    root: Path
    domain: str
    residents: dict[str, tuple[str, ...]]

    @property
    def ledger(self) -> Path:
        return self.root / "state" / "sent.jsonl"


def make_net(mailman: RunningMailman, folder: Path, *, bulletins: int = 4) -> Net:
    """A fresh domain, synced, two residents per area, ``bulletins`` bulletins per area for everyone."""
    domain = new_domain()
    root = write_site(folder / "site", domain, {a: area(a.capitalize(), domain, a) for a in AREAS})
    sync(root, mailman.settings)
    client = mailman.client()
    residents = {a: (f"een.{a}@res.{domain}", f"twee.{a}@res.{domain}") for a in AREAS}
    for area_id, addresses in residents.items():
        for address in addresses:
            client.subscribe(f"{area_id}@{domain}", address)
    for area_id in AREAS:
        for n in range(1, bulletins + 1):
            write_bulletin(root, f"{area_id}/2026-11-0{n}-bericht-{n}.md",
                           bulletin_text(f"Bericht {n} voor {area_id}", f"2026-11-0{n + 4} 10:00", audience="all"))
    return Net(root, domain, residents)


def cli(root: Path, env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "binsite", "--root", str(root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def environment(mailman: RunningMailman, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINSITE_")}
    return {**env, **mailman.settings.environment(), "PYTHONPATH": str(PROJECT), "BINSITE_LANG": "nl", **extra}


def expected_copies(net: Net) -> int:
    # Every bulletin to members (2 residents) and partners (1 partner) of its area.
    return sum(len(r) + 1 for r in net.residents.values()) * 4


def assert_exactly_once(mailman: RunningMailman, net: Net) -> None:
    mailman.wait_for_deliveries(net.domain, expected_copies(net), timeout=60)
    copies = mailman.copies(net.domain)
    assert all(n == 1 for n in copies.values()), {k: n for k, n in copies.items() if n > 1}
    assert sum(copies.values()) == expected_copies(net)
    ledger, problems = read_ledger(net.ledger)
    assert problems == [] and len(ledger.entries) == len(AREAS) * 4 * 2
    assert len({e.message_id for e in ledger.entries}) == len(ledger.entries)


@pytest.mark.parametrize("gap", [0.0, 0.5])
def test_two_sends_at_once_deliver_every_message_exactly_once(mailman: RunningMailman, tmp_path: Path,
                                                              gap: float) -> None:
    net = make_net(mailman, tmp_path)
    env = environment(mailman)
    first = cli(net.root, env, "send", "--now", NOW)
    time.sleep(gap)
    second = cli(net.root, env, "send", "--now", NOW)
    outputs = [p.communicate(timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert_exactly_once(mailman, net)
    # One of them sent everything; the other waited for the lock and found nothing left.
    assert sorted(out.count("verstuurd: ") for out, _ in outputs) == [0, len(AREAS) * 4 * 2]


def test_a_second_send_that_cannot_get_the_lock_in_time_stops_and_changes_nothing(
        mailman: RunningMailman, tmp_path: Path) -> None:
    import fcntl

    net = make_net(mailman, tmp_path, bulletins=1)
    folder = net.ledger.parent
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".binsite.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("send pid 1 on elsewhere\n")
        held.flush()
        started = time.monotonic()
        done = cli(net.root, environment(mailman), "send", "--now", NOW, "--wait", "1")
        out, err = done.communicate(timeout=60)
        assert done.returncode == 1
        assert time.monotonic() - started < 30
    assert "in gebruik door een andere binsite-run" in err and "er is niets veranderd" in err
    assert not net.ledger.exists()
    mailman.settle()
    assert mailman.deliveries(net.domain) == []


def test_after_the_demo_its_env_file_and_send_deliver_nothing(mailman: RunningMailman, tmp_path: Path) -> None:
    """The README's routine, literally: the env file `local-mailman start` writes
    carries the ledger folder, so a send after the demo's send finds it."""
    net = make_net(mailman, tmp_path, bulletins=1)
    env_file = tmp_path / "local.env"
    start = subprocess.run([sys.executable, "-m", "binsite", "local-mailman", "start",
                            "--state-dir", str(mailman.local.state_dir), "--env-file", str(env_file)],
                           env=environment(mailman), cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert start.returncode == 0, start.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "BINSITE_STATE_DIR=" in env_file.read_text()
    shell_env = {k: v for k, v in environment(mailman).items() if not k.startswith("BINSITE_MAILMAN")}
    shell_env.pop("BINSITE_LMTP", None)
    command = f'. "{env_file}" && "{sys.executable}" -m binsite --root "{net.root}" send --now {NOW}'
    demo = subprocess.run(["sh", "-c", command], env=shell_env, capture_output=True, text=True, timeout=180)
    assert demo.returncode == 0, demo.stderr
    per_area = 2 + 1
    mailman.wait_for_deliveries(net.domain, per_area * len(AREAS))
    mailman.clear_sink()
    assert not net.ledger.exists(), "the demo's ledger is never the repository's state/"

    again = subprocess.run(["sh", "-c", command], env=shell_env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "Niets te versturen." in again.stdout
    mailman.settle()
    assert mailman.deliveries(net.domain) == []


def test_the_local_mailman_configuration_is_readable_by_its_owner_only(mailman: RunningMailman) -> None:
    assert stat.S_IMODE(mailman.local.config_file.stat().st_mode) == 0o600
    assert mailman.settings.password in mailman.local.config_file.read_text()


def test_a_ledger_from_another_mailman_stops_send_with_both_named(mailman: RunningMailman, tmp_path: Path) -> None:
    net = make_net(mailman, tmp_path, bulletins=1)
    now = datetime.fromisoformat(NOW).replace(tzinfo=TZ)
    send(net.root, now=now, settings=mailman.settings)
    mailman.wait_for_deliveries(net.domain, 3 * len(AREAS))
    # This Mailman gets a new database for the area, as a fresh server would: the list is made anew.
    client = mailman.client()
    client.delete_list(f"noord@{net.domain}")
    sync(net.root, mailman.settings)
    client.subscribe(f"noord@{net.domain}", net.residents["noord"][0])
    write_bulletin(net.root, "noord/2026-11-09-nieuw.md", bulletin_text("Nieuw bericht", "2026-11-09 10:00"))
    mailman.settle()
    mailman.clear_sink()
    before = net.ledger.read_text()

    with pytest.raises(LedgerMismatch) as info:
        send(net.root, now=now, settings=mailman.settings)
    message = info.value.message("nl")
    assert "hoort bij een andere Mailman" in message and f"noord@{net.domain}" in message
    assert "127.0.0.1" in message and "--rebind" in message
    assert net.ledger.read_text() == before
    mailman.settle()
    assert mailman.deliveries(net.domain) == []

    # Confirmed once, it sends what is due and binds the ledger to this Mailman.
    result = send(net.root, now=now, settings=mailman.settings, rebind=True)
    assert [e.bulletin for e in result.sent] == ["noord/2026-11-09-nieuw"]
    write_bulletin(net.root, "noord/2026-11-09-daarna.md", bulletin_text("Daarna", "2026-11-09 11:00"))
    assert [e.bulletin for e in send(net.root, now=now, settings=mailman.settings).sent] == ["noord/2026-11-09-daarna"]
    # Every line of the ledger is one message.
    ledger, _ = read_ledger(net.ledger)
    assert len(net.ledger.read_text().splitlines()) == len(ledger.entries) == 3 * 2 + 2


def test_a_ledger_from_another_site_stops_send_before_mailman_is_asked(mailman: RunningMailman, tmp_path: Path) -> None:
    net = make_net(mailman, tmp_path / "a", bulletins=1)
    now = datetime.fromisoformat(NOW).replace(tzinfo=TZ)
    send(net.root, now=now, settings=mailman.settings)
    other = make_net(mailman, tmp_path / "b", bulletins=1)
    other.ledger.parent.mkdir(parents=True, exist_ok=True)
    other.ledger.write_bytes(net.ledger.read_bytes())
    with pytest.raises(LedgerMismatch) as info:
        send(other.root, now=now, settings=mailman.settings)
    assert net.domain in info.value.message("en") and other.domain in info.value.message("en")
    mailman.settle()
    assert mailman.deliveries(other.domain) == []


class WithholdingProxy:
    """A TCP proxy in front of Mailman's LMTP that passes everything on, but
    once the client has sent a whole message (the final dot after DATA) it
    drops both connections instead of passing Mailman's answer back: Mailman
    took the message, the sender never hears it."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.withheld = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._pair, args=(client,), daemon=True).start()

    def _pair(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.target, timeout=30)
        state = {"data": False, "done": False}
        sent = bytearray()

        def up() -> None:
            try:
                while chunk := client.recv(65536):
                    sent.extend(chunk)
                    if b"\r\nDATA\r\n" in sent.upper() or sent.upper().startswith(b"DATA\r\n"):
                        state["data"] = True
                    if state["data"] and sent.endswith(b"\r\n.\r\n"):
                        state["done"] = True
                    upstream.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=up, daemon=True).start()
        try:
            while chunk := upstream.recv(65536):
                if state["done"]:
                    self.withheld += 1
                    break  # Mailman's 250 after the message: never passed on
                client.sendall(chunk)
        except OSError:
            pass
        for sock in (client, upstream):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self.server.close()


def test_an_answer_lost_after_data_is_recorded_uncertain_never_resent_and_resolved_once(
        mailman: RunningMailman, tmp_path: Path) -> None:
    net = make_net(mailman, tmp_path, bulletins=1)
    now = datetime.fromisoformat(NOW).replace(tzinfo=TZ)
    proxy = WithholdingProxy((mailman.settings.lmtp_host, mailman.settings.lmtp_port))
    through_proxy = dataclasses.replace(mailman.settings, lmtp_port=proxy.port)
    try:
        with pytest.raises(SendUncertain) as info:
            send(net.root, now=now, settings=through_proxy, attempts=1, backoff=0.01)
    finally:
        proxy.close()
    assert proxy.withheld == len(AREAS) * 2
    assert "binsite send resolve" in info.value.message("nl")
    ledger, _ = read_ledger(net.ledger)
    assert len(ledger.uncertain) == len(AREAS) * 2 and len(ledger.entries) == len(AREAS) * 2
    # Mailman did take them: each arrived once.
    mailman.wait_for_deliveries(net.domain, 3 * len(AREAS))
    mailman.clear_sink()

    # The rerun, straight to Mailman, sends nothing and says what is uncertain.
    env = environment(mailman)
    rerun = cli(net.root, env, "send", "--now", NOW)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "Niets te versturen." in out
    refs = [line.split()[0] for line in err.splitlines() if line.startswith("  ") and " -> " in line]
    assert len(refs) == len(AREAS) * 2
    mailman.settle()
    assert mailman.deliveries(net.domain) == []
    stats = subprocess.run([sys.executable, "-m", "binsite", "--root", str(net.root), "stats", "--now", NOW],
                           env=env, capture_output=True, text=True, timeout=120)
    assert "onzekere afloop" in stats.stderr and refs[0] in stats.stderr

    # One settled as arrived, one to be sent again: exactly that one goes out once more.
    ledger, _ = read_ledger(net.ledger)
    by_ref = dict(zip(refs, ledger.uncertain))
    resend_ref, keep_ref = refs[0], refs[1]
    for ref in refs[1:]:
        done = subprocess.run([sys.executable, "-m", "binsite", "--root", str(net.root), "send", "resolve", ref,
                               "--sent"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Vastgelegd" in done.stdout, done.stderr
    done = subprocess.run([sys.executable, "-m", "binsite", "--root", str(net.root), "send", "resolve",
                           resend_ref.lower(), "--resend"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    again = subprocess.run([sys.executable, "-m", "binsite", "--root", str(net.root), "send", "resolve", keep_ref,
                            "--resend"], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "er is niets veranderd" in again.stderr

    target = by_ref[resend_ref]
    # The resent message was its list's only line, and Mailman did count it (it arrived, as above): the
    # ledger now knows nothing of a list with posts, so send asks for --adopt first, sending nothing.
    assert not any(e.list == target.list for e in read_ledger(net.ledger)[0].entries)
    with pytest.raises(ForeignHistory) as refused:
        send(net.root, now=now, settings=mailman.settings)
    assert target.list in refused.value.message("en")
    result = send(net.root, now=now, settings=mailman.settings, adopt=True)
    assert [(e.bulletin, e.list, e.message_id) for e in result.sent] == [(target.bulletin, target.list, target.message_id)]
    assert result.uncertain == ()
    assert send(net.root, now=now, settings=mailman.settings).sent == ()
