"""An SMTP sink that keeps every message Mailman delivers, with its envelope.

Mailman sends one copy per SMTP transaction to up to ten recipients and the
To: header is the list, so who received what is only in the envelope. The
sink stores each message in a Maildir with two headers in front:
``X-Binsite-Envelope-To`` (every recipient, comma-separated) and
``X-Binsite-Envelope-From``.

This module uses only the standard library and aiosmtpd, and imports nothing
from binsite, so it runs as a script from Mailman's own virtual environment::

    python sink.py --host 127.0.0.1 --port 8025 --maildir .binsite/local/maildir
"""

from __future__ import annotations

import argparse
import email
import email.policy
import mailbox
import signal
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

ENVELOPE_TO = "X-Binsite-Envelope-To"
ENVELOPE_FROM = "X-Binsite-Envelope-From"


@dataclass(frozen=True)
class Delivered:
    """One SMTP transaction as the sink received it."""

    envelope_to: tuple[str, ...]
    envelope_from: str
    message: EmailMessage
    key: str  # the Maildir key, to tell copies apart


def stamp(content: bytes, envelope_from: str, envelope_to: list[str]) -> bytes:
    """The message with the envelope written in front as headers."""
    head = f"{ENVELOPE_TO}: {', '.join(envelope_to)}\r\n{ENVELOPE_FROM}: {envelope_from}\r\n"
    return head.encode("ascii", "replace") + content


def read_maildir(path: Path | str) -> list[Delivered]:
    """Every stored message, oldest first. A missing Maildir reads as empty."""
    folder = Path(path)
    if not (folder / "new").is_dir():
        return []
    box = mailbox.Maildir(folder, factory=None, create=False)
    found: list[tuple[float, str, Delivered]] = []
    for key in box.keys():
        file = folder / ("new" if (folder / "new" / key).exists() else "cur") / key
        raw = box.get_bytes(key)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        recipients = tuple(a.strip().lower() for a in str(message.get(ENVELOPE_TO, "")).split(",") if a.strip())
        delivered = Delivered(recipients, str(message.get(ENVELOPE_FROM, "")), message, key)
        found.append((file.stat().st_mtime if file.exists() else 0.0, key, delivered))
    return [d for _, _, d in sorted(found, key=lambda item: (item[0], item[1]))]


def clear_maildir(path: Path | str) -> None:
    """Remove every stored message (between tests)."""
    folder = Path(path)
    if (folder / "new").is_dir():
        box = mailbox.Maildir(folder, factory=None, create=False)
        for key in list(box.keys()):
            box.discard(key)


class MaildirHandler:
    """aiosmtpd handler: every accepted transaction becomes one Maildir file."""

    def __init__(self, maildir: Path):
        # Maildir(create=True) makes tmp/, new/ and cur/ only when the folder itself is new.
        for sub in ("tmp", "new", "cur"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(maildir, factory=None, create=False)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        with self.lock:
            # Maildir writes to tmp/ and renames into new/: a reader never sees half a message.
            self.box.add(stamp(content, envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def serve(host: str, port: int, maildir: Path) -> None:
    """Run until SIGTERM or SIGINT."""
    from aiosmtpd.controller import Controller  # only the sink process needs aiosmtpd

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller = Controller(MaildirHandler(maildir), hostname=host, port=port, ready_timeout=10.0,
                            decode_data=False, data_size_limit=20 * 1024 * 1024)
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SMTP sink that stores mail with its envelope in a Maildir.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.maildir)


if __name__ == "__main__":
    main()
