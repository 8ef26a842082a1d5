"""A real bounce: a DSN handed to the list's -bounces address over LMTP scores the member in
Mailman (the bounces runner of the session's Mailman), inzage shows it, the desk lists it
masked, 'opnieuw proberen' and 'verwijderen' work, and wissen leaves no bounce record."""

from __future__ import annotations

import smtplib
import uuid

from binsite.mailman.bounces import bouncing
from binsite.mailman.sync import BOUNCE_THRESHOLD
from sitekit import poll
from tests.desk.deskkit import run, synced_network


def dsn(list_address: str, failed: str) -> bytes:
    """A delivery status notification (RFC 3464) as a receiving server sends it back."""
    name, domain = list_address.split("@")
    return (f"From: MAILER-DAEMON@mx.res.example\r\nTo: {name}-bounces@{domain}\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <{uuid.uuid4().hex}@mx.res.example>\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-grens"\r\n\r\n'
            "--dsn-grens\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"Your message could not be delivered to <{failed}>.\r\n\r\n"
            "--dsn-grens\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.res.example\r\n\r\n"
            f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n--dsn-grens--\r\n").encode("ascii")


def send_dsn(settings, list_address: str, failed: str) -> None:
    bounces = list_address.replace("@", "-bounces@")
    with smtplib.LMTP(settings.lmtp_host, settings.lmtp_port, timeout=10) as lmtp:
        lmtp.sendmail("", [bounces], dsn(list_address, failed))


def test_a_real_dsn_scores_the_member_and_the_settings_are_set(mailman, tmp_path):
    network = synced_network(mailman.settings, tmp_path, ("noord",))
    client = mailman.client()
    members = network.members_list("noord")
    settings = client.list_settings(members, ["process_bounces", "bounce_score_threshold",
                                              "bounce_notify_owner_on_disable", "bounce_notify_owner_on_removal"])
    assert settings == {"process_bounces": True, "bounce_score_threshold": BOUNCE_THRESHOLD,
                        "bounce_notify_owner_on_disable": True, "bounce_notify_owner_on_removal": True}
    broken, fine = f"weg@res.{network.domain}", f"goed@res.{network.domain}"
    for address in (broken, fine):
        client.subscribe(members, address)
    send_dsn(mailman.settings, members, broken)
    found = poll(lambda: bouncing(client, members), timeout=30, interval=0.25, what="the bounce scored")
    assert [(b.address, b.score, b.stopped) for b in found] == [(broken, 1.0, False)]
    shown = run(network.root, mailman.settings, "avg", "inzage", broken)
    assert "bouncescore: 1" in shown.output

    erased = run(network.root, mailman.settings, "avg", "wissen", broken,
                 more_env={"BINSITE_MAILMAN_DB": str(mailman.local.var_dir / "data" / "mailman.db")})
    assert erased.exit_code == 0, erased.output
    mailman.settle()
    leftovers = [str(p) for p in mailman.local.var_dir.rglob("*") if p.is_file() and "logs" not in p.parts
                 and broken.encode() in p.read_bytes()]
    assert leftovers == []
    assert bouncing(client, members) == []


def test_stats_counts_a_real_bounce_once_in_its_month_and_never_names_the_address(mailman, tmp_path):
    """A DSN into -bounces over LMTP; 'lists sync' records it in state/bounces.jsonl (a hash, no
    address); 'binsite stats' counts 1 in this month for that list; a second sync and a second DSN the
    same day (Mailman counts one per member per day) add nothing; an erasure leaves the count."""
    import json
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    network = synced_network(mailman.settings, tmp_path, ("noord",))
    client = mailman.client()
    members = network.members_list("noord")
    broken = f"Kapot+tag@RES.{network.domain}"
    client.subscribe(members, broken)
    send_dsn(mailman.settings, members, broken.lower())
    poll(lambda: bouncing(client, members), timeout=30, interval=0.25, what="the bounce scored")

    for _ in range(2):
        synced = run(network.root, mailman.settings, "lists", "sync")
        assert synced.exit_code == 0, synced.output
    log = network.root / "state" / "bounces.jsonl"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(line["list"], line["bounces"], line["score"]) for line in lines] == [(members, 1, 1)]
    assert "kapot" not in log.read_text(encoding="utf-8").lower()

    send_dsn(mailman.settings, members, broken.lower())  # the same day: Mailman's score stays 1
    mailman.settle()
    assert run(network.root, mailman.settings, "lists", "sync").exit_code == 0
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1

    month = datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m")  # the site's zone
    shown = run(network.root, mailman.settings, "stats", "--format", "json")
    assert shown.exit_code == 0, shown.output
    figures = json.loads(shown.output)
    assert figures["lists"][members]["bounces"] == {month: 1}
    table = run(network.root, mailman.settings, "stats")
    assert "Bounces per lijst per maand (uit state/bounces.jsonl" in table.output
    row = next(line for line in table.output.splitlines() if line.startswith(members) and line.rstrip().endswith("1"))
    assert row.split()[-2:] == ["1", "1"]
    csv_rows = run(network.root, mailman.settings, "stats", "--format", "csv").output.splitlines()
    assert f"bounces,noord,{month},{members},1" in csv_rows

    erased = run(network.root, mailman.settings, "avg", "wissen", broken)
    assert erased.exit_code == 0, erased.output
    assert run(network.root, mailman.settings, "lists", "sync").exit_code == 0
    assert json.loads(run(network.root, mailman.settings, "stats", "--format", "json").output)[
        "lists"][members]["bounces"] == {month: 1}


def test_new_bounces_count_what_mailman_added_since_the_line_before(tmp_path):
    """Pure: a first sighting counts its score; a risen score counts the difference; a last bounce
    moved to another day with a score that did not rise (Mailman started again) counts the new score;
    an unchanged last bounce, or one moved within the day, counts nothing. A torn or conflicted line in the file is skipped, not fatal."""
    from binsite.mailman.bounces import Observed, new_bounces, read_last_seen

    log = tmp_path / "bounces.jsonl"
    log.write_text('{"at": "2026-10-01T08:00:00+00:00", "list": "a@x", "bounces": 2, "member": "m1", "score": 2}\n'
                   "<<<<<<< HEAD\n"
                   '{"at": "2026-10-01T08:00:00+00:00", "list": "a@x", "member": "m2", "score": 5}\n'
                   '{"at": "2026-10-02T08:00:00+00:00", "list": "a@x", "bounces": 1, "memb', encoding="utf-8")
    seen = read_last_seen(log)
    assert seen == {("a@x", "m1"): (2, "2026-10-01T08:00:00+00:00"), ("a@x", "m2"): (5, "2026-10-01T08:00:00+00:00")}
    observed = [Observed("a@x", "m1", 4, "2026-10-03T08:00:00+00:00"),   # rose by 2
                Observed("a@x", "m2", 1, "2026-10-20T08:00:00+00:00"),   # stale: counted again from 1
                Observed("a@x", "m3", 3, "2026-10-04T08:00:00+00:00"),   # first seen
                Observed("b@x", "m1", 2, "2026-10-01T08:00:00+00:00"),   # same member hash, other list
                Observed("a@x", "m4", 0, "2026-10-05T08:00:00+00:00")]   # score reset by a probe
    assert [(line["member"], line["list"], line["bounces"]) for line in new_bounces(observed, seen)] == [
        ("m1", "a@x", 2), ("m2", "a@x", 1), ("m3", "a@x", 3), ("m1", "b@x", 2), ("m4", "a@x", 1)]
    assert new_bounces([Observed("a@x", "m1", 2, "2026-10-01T08:00:00+00:00")], seen) == []
    # A second bounce the same day: Mailman moves the time and keeps the score.
    assert new_bounces([Observed("a@x", "m1", 2, "2026-10-01T17:45:00+00:00")], seen) == []


def test_a_stop_by_bounces_tells_the_binco_in_dutch(mailman, tmp_path):
    """At the threshold Mailman stops delivery and mails the list's owner, the BINCO, with
    lists sync's Dutch template (list:admin:notice:disable), not Mailman's English one. The
    threshold is put at 1 here so that one real DSN reaches it (Mailman counts one a day)."""
    from binsite.devtools.sink import read_maildir

    network = synced_network(mailman.settings, tmp_path, ("noord",))
    client = mailman.client()
    members = network.members_list("noord")
    client.set_list_settings(members, {"bounce_score_threshold": 1})
    broken = f"gestopt@res.{network.domain}"
    client.subscribe(members, broken)
    send_dsn(mailman.settings, members, broken)
    stopped = poll(lambda: [b for b in bouncing(client, members) if b.stopped], timeout=30, interval=0.25,
                   what="delivery stopped by bounces")
    assert [b.address for b in stopped] == [broken]
    binco = f"binco.noord@coord.{network.domain}"

    def notice():
        for delivered in read_maildir(mailman.maildir):
            if binco in delivered.envelope_to and broken in delivered.message.as_string():
                return delivered.message
        return None

    message = poll(notice, timeout=30, interval=0.25, what="the disable notice to the BINCO")
    texts = [part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"]
    assert any(f"De bezorging aan {broken} op" in text and "is stopgezet" in text for text in texts), texts
    assert not any("has been disabled" in text for text in texts), texts
