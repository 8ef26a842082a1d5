"""binsite local-mailman and the mail commands, end to end."""

from __future__ import annotations

import json
import re
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

import binsite.cli.mail  # noqa: F401 - registers the mail commands until cli/__init__ imports them
from binsite.cli import main
from binsite.mailman.client import MailmanClient
from binsite.devtools.local_mailman import LocalMailman
from binsite.mailman.settings import settings_from_env
from tests.mailman_fixtures import RunningMailman
from sitekit import area, bulletin_text, poll, write_bulletin, write_site

pytestmark = pytest.mark.mailman


def test_status_says_what_runs_and_where_the_mail_goes(local_mailman: RunningMailman) -> None:
    result = CliRunner().invoke(main, ["local-mailman", "status", "--state-dir", str(local_mailman.local.state_dir)],
                                env={"BINSITE_LANG": "nl"})
    assert result.exit_code == 0, result.output
    assert "Mailman Core: draait" in result.output
    assert local_mailman.settings.url in result.output
    assert str(local_mailman.maildir) in result.output
    state = json.loads((local_mailman.local.state_dir / "state.json").read_text())
    assert state["rest_port"] != state["lmtp_port"] != state["smtp_port"]
    # Ready means ready: REST of our own instance answers, LMTP takes mail (other tests send).
    assert MailmanClient(local_mailman.settings).ping().startswith("GNU Mailman 3.3")


def test_start_prints_variables_that_eval_can_use(local_mailman: RunningMailman) -> None:
    # Already running: start returns the running instance and prints its variables.
    result = CliRunner().invoke(main, ["local-mailman", "start", "--state-dir", str(local_mailman.local.state_dir)])
    assert result.exit_code == 0, result.output
    exports = dict(line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines())
    assert settings_from_env(exports) == local_mailman.settings
    assert "Mailman Core" in result.stderr


def test_a_killed_instance_is_recovered_by_the_next_start(tmp_path: Path) -> None:
    local = LocalMailman(tmp_path / "local")
    state = local.start()
    try:
        # Kill everything hard, as a crash or `kill -9` would: the master lock stays.
        for pid in local._our_processes():
            os.kill(pid, signal.SIGKILL)
        poll(lambda: not local.status().master_running, timeout=10, what="the killed master gone", interval=0.1)
        assert not local.status().running
        assert any((local.var_dir / "locks").glob("master.lck*"))
        again = LocalMailman(tmp_path / "local").start()
        assert again.master_pid != state.master_pid
        assert MailmanClient(again.settings).ping()
    finally:
        assert LocalMailman(tmp_path / "local").stop()
    assert not LocalMailman(tmp_path / "local").status().running


def test_start_with_postgresql_keeps_mailman_in_a_private_postgresql_that_stop_stops(tmp_path: Path) -> None:
    """``local-mailman start --database postgresql``: Mailman's lists are rows in a PostgreSQL of
    its own (postgres/ of the state folder, or beside it when run as root), kept across a stop and a
    start; stop leaves no process."""
    import shutil
    import tempfile

    from binsite.devtools.local_postgres import LocalPostgres
    from binsite.mailman.sync import sync

    # PostgreSQL runs as nobody when the suite runs as root: a folder it can reach.
    folder = Path(tempfile.mkdtemp(prefix="binsite-local-pg-"))
    folder.chmod(0o755)
    state_dir = folder / "local"
    try:
        started = CliRunner().invoke(main, ["local-mailman", "start", "--state-dir", str(state_dir),
                                            "--database", "postgresql"], env={"BINSITE_LANG": "nl"})
        assert started.exit_code == 0, started.output
        state = json.loads((state_dir / "state.json").read_text())
        assert state["postgres_port"] and "PostgreSQLDatabase" in (state_dir / "mailman.cfg").read_text()
        exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
        domain = "pg.bin.test.example"
        root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")})
        sync(root, settings_from_env(exports))
        local = LocalMailman(state_dir, database="postgresql")
        server = LocalPostgres(local.postgres_dir, state["postgres_port"], keep=True)
        lists = "SELECT count(*) FROM mailinglist WHERE mail_host = 'pg.bin.test.example'"
        assert server.psql(lists, database="mailman").strip() == "3"      # members, weekly, partners
        assert CliRunner().invoke(main, ["local-mailman", "stop", "--state-dir", str(state_dir)]).exit_code == 0
        assert not server.running() and not LocalMailman(state_dir)._our_processes()
        again = LocalMailman(state_dir, database="postgresql").start()
        try:
            assert LocalPostgres(local.postgres_dir, again.postgres_port, keep=True).psql(
                lists, database="mailman").strip() == "3"
            assert MailmanClient(again.settings).list_settings(f"noord@{domain}", ["display_name"])
        finally:
            assert LocalMailman(state_dir).stop()
    finally:
        LocalMailman(state_dir).stop()
        shutil.rmtree(LocalMailman(state_dir).postgres_dir, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_cli_sync_and_send_in_dutch(mailman: RunningMailman, mail_domain: str, tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", mail_domain, {"noord": area("Noord", mail_domain, "noord")})
    write_bulletin(root, "noord/2026-11-09-fiets.md", bulletin_text("Fiets gestolen", "2026-11-09"))
    env = {**mailman.settings.environment(), "BINSITE_LANG": "nl"}
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(main, ["--root", str(root), *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    planned = run("lists", "sync", "--dry-run")
    assert re.search(r"Gepland: (1 maildomein aan te maken, )?3 lijsten aan te maken, \d+ instellingen te zetten", planned)
    assert "Niets veranderd (--dry-run)." in planned and "->" not in planned
    # Every change separately only with -v.
    detailed = run("-v", "lists", "sync", "--dry-run")
    assert f"lijst noord@{mail_domain} aanmaken" in detailed and "->" in detailed
    done = run("lists", "sync")
    assert re.search(r"^(1 maildomein aangemaakt, )?3 lijsten aangemaakt, \d+ instellingen gezet, ", done, re.M), done
    # (past 50 changes a progress line too: three lists per area now make 51)
    assert "->" not in done and len([l for l in done.splitlines() if not l.startswith("Mailman bijwerken")]) <= 3
    assert "niets te doen" in run("lists", "sync")
    assert "zou versturen: noord/2026-11-09-fiets" in run("send", "--dry-run", "--now", "2026-11-10T12:00")
    assert "verstuurd: noord/2026-11-09-fiets" in run("send", "--now", "2026-11-10T12:00")
    assert "Niets te versturen." in run("send", "--now", "2026-11-10T12:00")

    result = runner.invoke(main, ["--root", str(root), "send"], env={"BINSITE_LANG": "nl"})
    assert result.exit_code == 1
    assert "BINSITE_MAILMAN_URL" in result.output  # no settings: a clear message, nothing sent
