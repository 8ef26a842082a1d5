"""The production rehearsal: Mailman on PostgreSQL -> Postfix + OpenDKIM (Debian's, on loopback) -> sink.

Postfix and OpenDKIM run from the files ``binsite mail-config`` writes
(``binsite.mailman.mailconfig``, the same the production chapter of
docs/beheer.md shows), as a private instance beside any system Postfix: its
own folders, loopback ports, one Postfix and one OpenDKIM for the module.
Every copy that reaches the sink must verify with dkimpy against the test key
(DNS answered from the ``dns.txt`` the command wrote), with From, List-Id,
List-Unsubscribe and List-Unsubscribe-Post inside the signature, and align
with DMARC (the signing domain is the From domain, strictly, and so is the
envelope sender's). Mailman keeps its data in a database of the session's
PostgreSQL (tests/postgres_fixtures.py), as production does: ``lists sync``
and ``send`` run against it unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binsite.devtools.local_mailman import LocalMailman, _accepts, free_port
from binsite.devtools.sink import read_maildir
from binsite.mailing.run import send
from binsite.mailman.client import post_lmtp, wait_until
from binsite.mailman.mailconfig import MailSetup, write_mail_config
from binsite.mailman.sync import sync
from sitekit import area, bulletin_text, poll, write_site
from tests.mailman_fixtures import SECRET, RunningMailman

pytestmark = pytest.mark.mailman

DOMAIN = "rehearsal.bin.test.example"
WEB_URL = "https://bin.test.example/mijn/"
TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
MUST_SIGN = {"from", "list-id", "list-unsubscribe", "list-unsubscribe-post"}
POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
POST_INSTALL = "/etc/postfix/post-install"


@dataclass(frozen=True)
class Rehearsal:
    mailman: RunningMailman
    config: Path          # what binsite mail-config wrote
    folder: Path
    database: str         # Mailman's database on the session's PostgreSQL


def _wait_port(port: int, what: str, proc: subprocess.Popen, log: Path) -> None:
    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"{what} stopped before it listened on {port}: {_tail(log)}")
        return _accepts(port)
    poll(up, timeout=30, interval=0.1, what=lambda: f"{what} on {port}: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


@pytest.fixture(scope="module")
def rehearsal(local_postgres) -> Iterator[Rehearsal]:
    assert os.geteuid() == 0, "Postfix's master runs as root (make test runs as root or through sudo)"
    # Postfix's daemons run as the postfix user: their folders must be reachable for it,
    # and pytest's own temporary folders are private to root.
    folder = Path(tempfile.mkdtemp(prefix="binsite-rehearsal-"))
    folder.chmod(0o755)
    keys = folder / "keys" / DOMAIN
    keys.mkdir(parents=True)
    subprocess.run(["opendkim-genkey", "-b", "2048", "-s", "bin", "-d", DOMAIN, "-D", str(keys)], check=True,
                   timeout=60, capture_output=True)
    postfix_port, milter_port = free_port(), free_port()
    # Mailman on PostgreSQL, as in production: a database of the session's server.
    database = local_postgres.create_database(f"mailman_rehearsal_{os.getpid()}")
    local = LocalMailman(folder / "mailman", start_timeout=120.0, web_url=WEB_URL, secret=SECRET,
                         smtp_relay_port=postfix_port, database_url=database.replace("+psycopg", "", 1))
    state = local.start()
    procs: list[subprocess.Popen] = []
    try:
        instance = folder / "postfix"
        setup = MailSetup(domain=DOMAIN, hostname=f"lists.{DOMAIN}", key_dir=str(folder / "keys"),
                          listen="127.0.0.1", smtp_listen=f"127.0.0.1:{postfix_port}",
                          milter=f"127.0.0.1:{milter_port}", relayhost=f"[127.0.0.1]:{state.smtp_port}",
                          instance_dir=str(instance))
        config = folder / "etc"
        write_mail_config(setup, config)
        for sub in ("queue", "data"):
            (instance / sub).mkdir(parents=True, exist_ok=True)
        subprocess.run([POST_INSTALL, f"config_directory={config}/postfix", f"queue_directory={instance}/queue",
                        f"data_directory={instance}/data", "command_directory=/usr/sbin",
                        "daemon_directory=/usr/lib/postfix/sbin", "meta_directory=/etc/postfix", "create-missing"],
                       check=True, timeout=60, capture_output=True)
        subprocess.run(["chown", "-R", "postfix", str(instance / "data")], check=True)
        dkim_log = folder / "opendkim.log"
        with open(dkim_log, "wb") as out:
            procs.append(subprocess.Popen(["opendkim", "-f", "-x", str(config / "opendkim" / "opendkim.conf")],
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        _wait_port(milter_port, "OpenDKIM", procs[-1], dkim_log)
        procs.append(subprocess.Popen([POSTFIX_MASTER, "-c", str(config / "postfix"), "-d"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        _wait_port(postfix_port, "Postfix", procs[-1], instance / "postfix.log")
        yield Rehearsal(RunningMailman(local, state), config, folder, database.rsplit("/", 1)[1])
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        local.stop()
        shutil.rmtree(folder, ignore_errors=True)


def verify_all(rehearsal: Rehearsal) -> list[dict]:
    venv_python = Path(rehearsal.mailman.local.venv_dir) / "bin" / "python"
    done = subprocess.run([str(venv_python), str(Path(__file__).parents[1] / "dkimcheck.py"),
                           str(rehearsal.mailman.maildir), str(rehearsal.config / "dns.txt")],
                          capture_output=True, timeout=120, check=True)
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower()


def test_every_copy_through_postfix_is_dkim_signed_with_the_unsubscribe_headers_and_aligned(
        rehearsal: Rehearsal, tmp_path: Path, local_postgres) -> None:
    mailman = rehearsal.mailman
    root = write_site(tmp_path / "site", DOMAIN, {"noord": area("Noord", DOMAIN, "noord")}, {
        "noord/2026-11-09-fiets.md": bulletin_text("Fiets gestolen", "2026-11-09 10:30", "Een fiets is weg.",
                                                   audience="all"),
    }, web_url=WEB_URL)
    sync(root, mailman.settings)
    client = mailman.client()
    members_list = f"noord@{DOMAIN}"
    residents = [f"bewoner{i}@res.example.net" for i in range(3)]
    for address in residents[:2]:
        client.subscribe(members_list, address)
    client.subscribe(members_list, residents[2], send_welcome_message=True)
    send(root, now=NOW, settings=mailman.settings)
    # What sync and the subscriptions made is in Mailman's PostgreSQL database.
    in_postgres = local_postgres.psql(
        f"SELECT count(*) FROM mailinglist WHERE list_name = 'noord' AND mail_host = '{DOMAIN}'",
        database=rehearsal.database)
    assert in_postgres.strip() == "1"
    # A resident's own post, let through by the BINCO: From is the resident's domain,
    # which the list domain's signature cannot align with unless Mailman munges From.
    # lists sync set munge_from; Mailman applies it when the poster's domain publishes
    # p=reject or quarantine, a DNS look-up this test cannot make: unconditionally here.
    assert client.list_settings(members_list, ["dmarc_mitigate_action"])["dmarc_mitigate_action"] == "munge_from"
    client.set_list_settings(members_list, {"dmarc_mitigate_unconditionally": True})
    post = EmailMessage()
    post["From"] = f"Bewoner Nul <{residents[0]}>"
    post["To"] = members_list
    post["Subject"] = "Verdachte auto"
    post["Message-ID"] = "<melding.rehearsal@res.example.net>"
    post.set_content("Er staat een auto met draaiende motor voor de school.\n")
    post_lmtp(mailman.settings, members_list, post, envelope_from=residents[0])
    (held,) = wait_until(lambda: client.held(members_list), timeout=30.0, what="the held post")
    client.moderate(members_list, held.request_id, held.message_id, "accept")

    # 3 bulletins + 1 partner copy + 1 welcome + 1 hold notice + 3 posts + 1 owner notice (to LIST-owner@).
    expected = 10
    wait_until(lambda: sum(len(d.envelope_to) for d in read_maildir(mailman.maildir)) >= expected or None,
               timeout=90.0, what=f"{expected} copies through Postfix")
    mailman.settle()
    results = verify_all(rehearsal)
    assert len(results) >= expected
    for result in results:
        assert result["verified"], result
        assert result["d"] == DOMAIN, result
        assert MUST_SIGN <= set(result["h"]), result
        # DMARC, strict alignment: DKIM's d= and the envelope sender (SPF) are the From domain.
        assert domain_of(result["from"]) == DOMAIN, result
        assert domain_of(result["envelope_from"]) == DOMAIN, result
        # Oversigned: one more entry than the message has, so a header added on the way breaks the signature.
        assert result["h"].count("list-unsubscribe-post") >= 1 and result["h"].count("from") == 2, result
    to_members = [r for r in results if r["envelope_to"] in residents]
    assert any("melding.rehearsal" in r["message_id"] for r in to_members)
    for result in to_members:
        assert result["list_unsubscribe"].startswith(f"<{WEB_URL}afmelden/"), result
        assert result["h"].count("list-unsubscribe-post") == 2 and result["h"].count("list-unsubscribe") == 2, result
