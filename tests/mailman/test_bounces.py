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
