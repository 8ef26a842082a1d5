"""A held message as the BINCO reads it: sender, subject, text, attachments.

Pure: parses the raw text Mailman keeps. Text parts are decoded (an unknown
or wrong charset falls back to replacement characters, never an error); of a
``multipart/alternative`` the plain part is read, or the HTML part through
``textify``. Everything else is an attachment: listed by name, type and size,
never opened, run or written anywhere. Control characters are removed from
everything shown, so a message cannot drive the BINCO's terminal.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

from binsite.desk.textify import html_to_text

# C0 and C1 controls (ESC starts terminal escape sequences), DEL, bidi
# marks, overrides and isolates, zero-width characters and the BOM.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                       "\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\t]+")


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int          # bytes, decoded


@dataclass(frozen=True)
class MessageView:
    from_address: str
    from_name: str
    to: str
    subject: str
    date: datetime | None
    text: str                                 # the readable body
    attachments: tuple[Attachment, ...]

    @property
    def first_line(self) -> str:
        """The first line of the body that says something (not a greeting to the BINCO alone)."""
        for line in self.text.splitlines():
            line = line.strip()
            if line and not line.startswith(">"):
                return line
        return ""


def safe_line(value: object) -> str:
    """``value`` as one line with no control characters."""
    return " ".join(_LINE_BREAKS.sub(" ", _CONTROLS.sub("", str(value))).split())


def safe_text(value: str) -> str:
    """Multi-line text with no control characters except line breaks and tabs."""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def parse(raw: str | bytes) -> EmailMessage:
    if isinstance(raw, bytes):
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]
    return email.message_from_string(raw, policy=email.policy.default)  # type: ignore[return-value]


def header(message: Message, name: str) -> str:
    """A header decoded to text, never failing: the raw value is read without
    the header registry (which raises on, e.g., an encoded CR/LF in From:),
    encoded words are decoded where they can be, and what is shown has no
    control characters."""
    try:
        value = message.get(name)
        return safe_line(value or "")
    except Exception:  # noqa: BLE001 - a broken header must not hide the message
        pass
    raw = next((value for key, value in _raw_items(message) if key.lower() == name.lower()), None)
    if raw is None:
        return ""
    return safe_line(decode_words(str(raw)))


def _raw_items(message: Message) -> list[tuple[str, str]]:
    items = getattr(message, "_headers", None)
    if isinstance(items, list):
        return [(str(k), str(v)) for k, v in items]
    try:
        return [(str(k), str(v)) for k, v in message.raw_items()]  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return []


def decode_words(raw: str) -> str:
    """RFC 2047 encoded words decoded (unknown charsets replaced), never raising."""
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 - an unknown charset, say: decode part by part
        pass
    try:
        parts = decode_header(raw)
    except Exception:  # noqa: BLE001 - malformed encoded words: show the raw text
        return raw
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            try:
                out.append(chunk.decode(charset or "ascii", "replace"))
            except LookupError:
                out.append(chunk.decode("utf-8", "replace"))
        else:
            out.append(chunk)
    return "".join(out)


def sender_of(message: Message) -> tuple[str, str]:
    """``(address, display name)`` of From (Sender as a fallback)."""
    for name in ("From", "Sender"):
        pairs = getaddresses([header(message, name)])
        for display, address in pairs:
            if address and "@" in address:
                return address.strip().lower(), safe_line(display)
    return "", ""


def part_text(part: Message) -> str:
    """A text part decoded, whatever its charset says."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    return safe_line(name) if name else None


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or _filename(part) is not None


def _body_and_attachments(part: Message, texts: list[str], attachments: list[Attachment]) -> None:
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        subparts = part.get_payload()
        if not isinstance(subparts, list):
            return
        if ctype == "multipart/alternative":
            plain = [p for p in subparts if p.get_content_type() == "text/plain" and not _is_attachment(p)]
            html = [p for p in subparts if p.get_content_type() == "text/html" and not _is_attachment(p)]
            if plain or html:
                texts.append(part_text(plain[0]) if plain else html_to_text(part_text(html[0])))
                rest = [p for p in subparts if p not in (plain[:1] if plain else html[:1])
                        and p.get_content_type() not in ("text/plain", "text/html")]
            else:
                rest = subparts[-1:]
            for sub in rest:
                _body_and_attachments(sub, texts, attachments)
            return
        for sub in subparts:
            _body_and_attachments(sub, texts, attachments)
        return
    if not _is_attachment(part) and ctype == "text/plain":
        texts.append(part_text(part))
    elif not _is_attachment(part) and ctype == "text/html":
        texts.append(html_to_text(part_text(part)))
    else:
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else len(str(part.get_payload()))
        attachments.append(Attachment(_filename(part) or "(naamloos)", safe_line(ctype), size))


UNREADABLE = "(onleesbaar bericht)"


def view(raw: str | bytes | EmailMessage) -> MessageView:
    """Everything the BINCO reads of a message. Never raises: a message that
    cannot be parsed at all is shown as its raw text, under a placeholder
    subject, so that it can still be read, rejected and discarded."""
    try:
        return _view(raw)
    except Exception:  # noqa: BLE001 - whatever a sender wrote, the desk must go on
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return MessageView(from_address="", from_name="", to="", subject=UNREADABLE, date=None,
                           text=safe_text(text)[:200_000], attachments=())


def _view(raw: str | bytes | EmailMessage) -> MessageView:
    message = raw if isinstance(raw, Message) else parse(raw)
    texts: list[str] = []
    attachments: list[Attachment] = []
    _body_and_attachments(message, texts, attachments)
    address, name = sender_of(message)
    date: datetime | None = None
    try:
        date = parsedate_to_datetime(header(message, "Date")) if header(message, "Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    text = "\n\n".join(safe_text(t).strip("\n") for t in texts if t.strip())
    return MessageView(from_address=address, from_name=name, to=header(message, "To"),
                       subject=header(message, "Subject"), date=date, text=text + "\n" if text else "",
                       attachments=tuple(attachments))
