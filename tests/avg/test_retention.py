"""Retention: held messages past their period go after a notice to the BINCO (real Mailman,
the notice in the sink), old logbook, session and spool records go, and the periods parse."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from binsite.desk import logbook, sessions
from binsite.source.config import load_config
from binsite.store import site_store
from tests.desk.deskkit import held_report, run, synced_network
from sitekit import poll, write


def _smtp(mailman) -> dict[str, str]:
    return {"BINSITE_SMTP_HOST": "127.0.0.1", "BINSITE_SMTP_PORT": str(mailman.state.smtp_port)}


def test_held_messages_go_after_a_notice_and_old_records_go(mailman, tmp_path):
    network = synced_network(mailman.settings, tmp_path, ("noord",))
    root, client = network.root, mailman.client()
    members = network.members_list("noord")
    resident = f"bewoner@res.{network.domain}"
    held_report(mailman, network, "noord", resident, "Fiets weg", "Mijn fiets is gestolen.")
    now = datetime.now(timezone.utc)
    later_moment = now + timedelta(days=31)
    later = later_moment.strftime("%Y-%m-%dT%H:%M")

    # Within the period nothing goes.
    soon = run(root, mailman.settings, "avg", "opruimen", more_env=_smtp(mailman))
    assert soon.exit_code == 0 and "niets ouder" in soon.output
    assert len(client.held(members)) == 1

    # Past it, without an SMTP server: no notice can go, so the message is kept.
    kept = run(root, mailman.settings, "avg", "opruimen", "--now", later,
               more_env={"BINSITE_SMTP_HOST": "", "BINSITE_SMTP_PORT": ""})
    assert kept.exit_code == 0 and "1 vastgehouden bericht(en) zijn over hun termijn maar bewaard" in kept.output
    assert len(client.held(members)) == 1

    # Old desk records and a stale spool entry, beside recent ones, in the service's database.
    store = site_store(root)
    logbook.record(root, logbook.operator(), logbook.ACCEPT, area="noord", at=later_moment - timedelta(days=400))
    logbook.record(root, logbook.operator(), logbook.ACCEPT, area="noord", at=later_moment - timedelta(days=10))
    sessions.end_session(store, "oud", at=(later_moment - timedelta(days=400)).timestamp())
    sessions.end_session(store, "nieuw", at=(later_moment - timedelta(days=10)).timestamp())
    store.spool_add("x", "1", at=(later_moment - timedelta(days=40)).timestamp())
    # This one is a day old at the moment of the run.
    store.spool_add("x", "2", at=(later_moment - timedelta(days=1)).timestamp())

    mailman.clear_sink()
    done = run(root, mailman.settings, "avg", "opruimen", "--now", later, more_env=_smtp(mailman))
    assert done.exit_code == 0, done.output
    assert "1 vastgehouden bericht(en) verwijderd, 1 logboekregel(s), 1 sessieregel(s), 1 afmelding(en)" in done.output
    assert client.held(members) == []
    notice = poll(lambda: next((d for d in mailman.deliveries(network.domain)
                                if "bewaartermijn" in str(d.message["Subject"])), None), timeout=10, what="notice")
    assert notice.envelope_to == (f"binco.noord@coord.{network.domain}",)
    body = notice.message.get_content()
    assert "Fiets weg" in body and "30 dagen" in body and resident not in body
    accepts = [v for v in logbook.lines(root) if v["action"] == logbook.ACCEPT]
    assert len(accepts) == 1
    ended = {name: sessions.has_ended(store, resident, name, 0.0, now=later_moment.timestamp(), lifetime=1000 * 86400.0)
             for name in ("oud", "nieuw")}
    assert ended == {"oud": False, "nieuw": True}
    assert [e.member_id for e in store.spool_of({"1", "2"})] == ["2"]
    assert [v["kept"] for v in logbook.lines(root) if v["action"] == logbook.RETENTION] == [
        {"held": 1, "logbook": 1, "sessions": 1, "spool": 1}]


def test_retention_tidies_the_files_an_older_version_left(tmp_path):
    """State files left beside the database after they were read in (history) keep the periods
    too, and a web report whose confirmation link expired goes."""
    from binsite.avg import retention
    network_root = tmp_path
    write(network_root / "binsite.yaml", "title: BIN\nmail:\n  domain: bin.example.org\n  sender: bin@bin.example.org\n")
    config, problems = load_config(network_root)
    assert config is not None, problems
    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    old, recent = now - timedelta(days=400), now - timedelta(days=10)
    state = network_root / "state"
    write(state / "desk.jsonl", "".join(logbook.line_of(logbook.entry(logbook.operator(), logbook.ACCEPT, at=moment,
                                                                         area="noord")) + "\n" for moment in (old, recent)))
    write(state / "desk-sessions.jsonl", "".join(json.dumps({"ended": f"{i:032x}", "at": moment.timestamp()}) + "\n"
                                                  for i, moment in enumerate((old, recent))))
    store = site_store(network_root)
    store.report_add("a" * 32, "{}", max_age=10 * 86400, max_pending=10, now=(now - timedelta(days=4)).timestamp())
    store.report_add("b" * 32, "{}", max_age=10 * 86400, max_pending=10, now=(now - timedelta(days=1)).timestamp())
    done = retention.tidy(network_root, None, config, (), now=now, send=None)
    assert [report_id for report_id, _data in store.reports()] == ["b" * 32]   # the expired link's report went
    # Read in once (the database keeps the recent ones) and tidied in the files as in the database.
    assert done.logbook_lines == 2 and done.session_lines == 2
    assert [v["at"] for v in logbook.read(state / "desk.jsonl")] == [recent.isoformat(timespec="seconds")]
    assert [v["at"] for v in logbook.lines(network_root) if v["action"] == logbook.ACCEPT] == [
        recent.isoformat(timespec="seconds")]
    assert (state / "desk-sessions.jsonl").read_text().count("\n") == 1


def test_periods_parse_and_show(tmp_path):
    write(tmp_path / "binsite.yaml", "title: BIN\nbase_url: https://bin.example.org/\ncategories: [inbraak]\n"
          "mail: {domain: bin.example.org, sender: bin@bin.example.org}\n"
          "retention:\n  inbraak: 1 year\n  held-messages: 14 days\n  logbook: 2 years\n  web-spool: 7 days\n")
    config, problems = load_config(tmp_path)
    assert problems == []
    assert [config.kept_days(k) for k in ("held-messages", "logbook", "sessions", "web-spool")] == [14, 730, 365, 7]


def test_held_messages_forever_is_an_error_at_its_line(tmp_path):
    write(tmp_path / "binsite.yaml", "title: BIN\nbase_url: https://bin.example.org/\n"
          "mail: {domain: bin.example.org, sender: bin@bin.example.org}\nretention:\n  held-messages: forever\n")
    _config, problems = load_config(tmp_path)
    assert [(p.line, "forever" in p.format("nl")) for p in problems] == [(5, True)]
