"""A held message as text: parts decoded, HTML as text, attachments listed, controls removed."""

from __future__ import annotations

from email.message import EmailMessage

from binsite.desk.message import view


def report(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Jan de Vries <jan@res.example.org>")
    message["To"] = "noord@bin.example.org"
    message["Subject"] = headers.pop("Subject", "Busje bij de school")
    message["Date"] = "Wed, 04 Nov 2026 10:12:00 +0100"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_plain_text_and_sender():
    message = report()
    message.set_content("Hoi BINCO,\n\nEr staat een busje.\n")
    seen = view(message.as_string())
    assert (seen.from_address, seen.from_name, seen.subject) == ("jan@res.example.org", "Jan de Vries", "Busje bij de school")
    assert seen.text == "Hoi BINCO,\n\nEr staat een busje.\n"
    assert seen.first_line == "Hoi BINCO,"
    assert seen.date is not None and seen.date.hour == 10
    assert seen.attachments == ()


def test_alternative_reads_the_plain_part_and_html_only_becomes_text():
    message = report()
    message.set_content("platte tekst\n")
    message.add_alternative("<p>html <b>tekst</b></p>", subtype="html")
    assert view(message.as_string()).text == "platte tekst\n"

    html_only = report()
    html_only.set_content("<p>Er staat <b>een</b> busje.</p><script>alert(1)</script>", subtype="html")
    assert view(html_only.as_string()).text == "Er staat een busje.\n"


def test_attachments_are_listed_by_name_type_and_size_and_not_read_as_text():
    message = report()
    message.set_content("Zie de foto.\n")
    message.add_attachment(b"\xff\xd8\xff" + b"x" * 2045, maintype="image", subtype="jpeg", filename="busje.jpg")
    message.add_attachment("#!/bin/sh\nrm -rf /\n", subtype="x-shellscript", filename="run.sh")
    message.add_attachment("tekst in een bijlage\n", filename="notitie.txt")
    seen = view(message.as_bytes())
    assert seen.text == "Zie de foto.\n"
    assert [(a.name, a.content_type, a.size) for a in seen.attachments] == [
        ("busje.jpg", "image/jpeg", 2048), ("run.sh", "text/x-shellscript", 19), ("notitie.txt", "text/plain", 21)]


def test_a_wrong_charset_and_terminal_escapes_do_no_harm():
    raw = ("From: =?utf-8?q?Jan=1B[31m?= <jan@res.example.org>\nSubject: =?utf-8?q?Rood=1B]0;titel=07?=\n"
           "Content-Type: text/plain; charset=x-unknown\n\nTekst \x1b[2J met \xe9scape\n")
    seen = view(raw)
    assert "\x1b" not in seen.subject + seen.from_name + seen.text and "\x07" not in seen.subject
    assert seen.text.startswith("Tekst [2J met")


def test_a_message_without_from_or_text():
    seen = view("Subject: leeg\n\n")
    assert (seen.from_address, seen.text, seen.first_line) == ("", "", "")
