"""Answering the resident who reported (terugkoppeling).

Belgian practice is feedback the next working day, and Burgernet
participants say they most want to hear how things ended. The answer goes
from the BIN's own address (``mail.sender`` of ``binsite.yaml``) to the
resident, as a reply to their report (``In-Reply-To``), with the BINCO's
words and, when the BINCO pastes it, a partner's reply quoted without the
partner's own identity: the partners' addresses and names from
``lists/<area>.yaml``, every other e-mail address and phone number, the
signature and the mail the partner quoted are removed
(``binsite.desk.anonymize``). The logbook links the answer to the report
(same report key).

Mailman is the record: the report waits in the inbox until it is answered
(a report forwarded with ``keep=True`` stays held for this), and answering
discards the held original, after checking that it is still the same
message, so a co-BINCO who answered first makes this one change nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from binsite.desk.anonymize import Identity, anonymize_text, clean_subject
from binsite.desk.desk import Desk
from binsite.desk.inbox import InboxItem, _still_held, find_item, item_fields
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailing.compose import one_line

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class Answered:
    item: InboxItem
    message_id: str
    subject: str
    quoted: bool


def partner_quote(desk: Desk, area_id: str, reply: str) -> str:
    """A partner's reply as it may reach the resident: without the partner's address, name,
    phone number and signature, and without the mail the partner quoted. Pure."""
    text = reply.replace("\r\n", "\n")
    for partner in desk.area(area_id).partners:
        identity = Identity(partner.address, partner.name)
        text = anonymize_text(text, identity)
        if not text:
            return ""
    return anonymize_text(text, None)


def answer_message(desk: Desk, item: InboxItem, text: str, *, partner_reply: str = "", now: datetime) -> EmailMessage:
    """The answer to the resident who sent ``item``. Pure."""
    lang = desk.config.language
    if not item.sender:
        raise BinsiteError(t("dit bericht heeft geen afzender om te antwoorden; er is niets verstuurd",
                             "this message has no sender to answer; nothing was sent"))
    own = text.replace("\r\n", "\n").strip()
    if not own:
        raise BinsiteError(t("schrijf eerst een antwoord voor de bewoner", "write an answer for the resident first"))
    if len(own) + len(partner_reply) > MAX_TEXT:
        raise BinsiteError(t("het antwoord is te lang (meer dan {n} tekens)", "the answer is too long (over {n} characters)",
                             n=MAX_TEXT))
    area = desk.area(item.area)
    body = own + "\n"
    quote = partner_quote(desk, item.area, partner_reply) if partner_reply.strip() else ""
    if quote:
        body += "\n" + t("De partner antwoordde:", "The partner answered:").get(lang) + "\n\n"
        body += "\n".join(("> " + line).rstrip() for line in quote.rstrip("\n").split("\n")) + "\n"
    body += "\n-- \n" + t(
        "BINCO {a}, {b}. Antwoord op uw melding {r}.\nBij spoed altijd 112, of 0900-8844 voor de politie.",
        "BINCO {a}, {b}. In answer to your report {r}.\nIn an emergency always 112, or 0900-8844 for the police.",
        a=area.name, b=desk.config.title, r=item.ref).get(lang) + "\n"
    subject = clean_subject(item.message.subject, None) or t("uw melding", "your report").get(lang)
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=one_line(desk.config.mail.sender_name), addr_spec=desk.config.mail.sender)
    message["To"] = Address(addr_spec=item.sender)
    if area.coordinators:
        message["Reply-To"] = Address(addr_spec=area.coordinators[0])
    message["Subject"] = one_line("Re: " + subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<desk.answer.{item.digest[:20].lower()}.{int(now.timestamp())}@{desk.domain}>"
    if re.fullmatch(r"<[^<>\s]{1,250}>", item.message_id):
        message["In-Reply-To"] = item.message_id
        message["References"] = item.message_id
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = lang
    return message


def answer(desk: Desk, ref: str, text: str, *, send: Send, partner_reply: str = "",
           now: datetime | None = None) -> Answered:
    """Send the answer to the resident, then discard the held report and log both, linked.
    A report handled meanwhile by a co-BINCO: nothing sent, nothing changed."""
    now = now or datetime.now(desk.config.tz)
    item = find_item(desk, ref)
    message = answer_message(desk, item, text, partner_reply=partner_reply, now=now)
    _still_held(desk, item)
    send(message)
    log.info("answered report %s on %s", item.digest[:16], item.list)
    desk.log("answer", **item_fields(item))
    try:
        desk.client.moderate(item.list, item.request_id, item.message_id, "discard")
    except BinsiteError:
        log.warning("answered report %s, but its held original was handled meanwhile", item.digest[:16])
    return Answered(item, str(message["Message-ID"]), str(message["Subject"]), bool(partner_reply.strip()))


def smtp_sender(host: str, port: int, envelope_from: str, *, timeout: float = 10.0) -> Send:
    """A ``send`` for ``answer`` over plain SMTP (the web service passes its own mailer's)."""
    import smtplib

    def send(message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                smtp.send_message(message, from_addr=envelope_from)
        except (OSError, smtplib.SMTPException) as exc:
            raise BinsiteError(t("het antwoord kon niet worden verstuurd ({e}); er is niets veranderd",
                                 "the answer could not be sent ({e}); nothing was changed", e=type(exc).__name__)) from None
    return send
