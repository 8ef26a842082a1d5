"""``binsite inbox``: the messages Mailman holds for the BINCO, and what to do with them.

Read (``held_items``) -> pick by reference (``find_item``) -> act. Every
action re-reads what Mailman holds and acts through
``MailmanClient.moderate``, which checks that the request id still belongs
to the same Message-ID: Mailman reuses request ids, and another BINCO may
have been quicker. A reference that no longer resolves, or a request id now
used by another message, changes nothing and says why.

``forward`` writes a new message from the binsite sender, with the
resident's identity removed (``binsite.desk.anonymize``) and without their
attachments, posts it over LMTP like a bulletin, and only then discards the
held original. ``draft`` writes a draft bulletin and leaves the held message
as it is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path

from binsite.source.areas import MEMBERS, PARTNERS, RESIDENT_KINDS
from binsite.source.content import CONTENT_DIR, slugify
from binsite.desk import logbook
from binsite.desk.anonymize import Identity, anonymize_text, clean_subject, scrub
from binsite.desk.desk import Desk, format_time, kind_label
from binsite.desk.message import UNREADABLE, MessageView, safe_line, safe_text, view
from binsite.desk.refs import find, message_digest, normalize, shorten
from binsite.errors import BinsiteError
from binsite.i18n import Text, t
from binsite.mailing.compose import one_line
from binsite.mailman.client import HeldMessage, post_lmtp
from binsite.newfile import front_matter
from binsite.writer import atomic_write

log = logging.getLogger(__name__)

REPORT_HEADER = "X-Binsite-Report"
MAX_FORWARD_TEXT = 50_000
Post = Callable[..., None]


def mask_sender(address: str) -> str:
    """``bewoner1@example.org`` -> ``b…1·7c2e@example.org``: first and last letter
    and a short digest of the whole address, so that two senders of one domain
    (``b***@example.org`` both) are told apart, and the same sender is
    recognised from one day to the next, without showing the address."""
    address = address.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = address, ""
    tag = hashlib.sha256(address.encode("utf-8")).hexdigest()[:4]
    ends = local[:1] + ("…" + local[-1:] if len(local) > 1 else "")
    return f"{ends}·{tag}@{domain}" if domain else f"{ends}·{tag}"


# A first line that only greets ("Hallo BINCO,", "Beste buurtcoördinator!") says nothing.
_GREETING = re.compile(
    r"^(hallo|hoi|hey|hi|hello|beste|geachte|lieve|dag|goedemorgen|goedemiddag|goedenavond|goeiedag|"
    r"dear|good (morning|afternoon|evening))\b[^.?]{0,34}$", re.IGNORECASE)
_QUOTE_INTRO = re.compile(r"^(op .{0,80} schreef|on .{0,80} wrote).{0,80}:$", re.IGNORECASE)


def preview(text: str) -> str:
    """The first line of a message's text that says something: no greeting,
    no quoted mail, no "Op ... schreef:" line."""
    for line in text.splitlines():
        line = " ".join(line.split())
        greeting = _GREETING.match(line) and (line.endswith((",", "!", ":")) or len(line.split()) <= 3)
        if not line or line.startswith(">") or greeting or _QUOTE_INTRO.match(line):
            continue
        return line
    return ""


@dataclass(frozen=True)
class InboxItem:
    """One held message, with its reference."""

    ref: str                 # as shown: the shortest unique prefix of ``digest``
    digest: str
    area: str
    kind: str                # members | partners
    list: str
    request_id: int
    message_id: str
    received: datetime | None  # in the site's time zone
    reason: str
    message: MessageView
    hold_digest: str = ""    # the reference of this very hold (see held_items)
    is_member: bool | None = None  # is the sender on the list it wrote to (None: not asked)

    @property
    def sender(self) -> str:
        return self.message.from_address

    @property
    def identity(self) -> Identity:
        return Identity(self.message.from_address, self.message.from_name)

    def sender_shown(self, *, show: bool) -> str:
        if not self.sender:
            return "?"
        if not show:
            return mask_sender(self.sender)
        return f"{self.message.from_name} <{self.sender}>" if self.message.from_name else self.sender


def _item(desk: Desk, area_id: str, kind: str, held: HeldMessage, *, key: str | None = None) -> InboxItem:
    """The held message as the desk shows it; whatever its headers hold, an
    item comes out (unreadable parts become placeholders), so that one
    message can never make the others unreachable."""
    try:
        return _read_item(desk, area_id, kind, held, key=key)
    except Exception:  # noqa: BLE001 - a hostile message must not break the desk
        log.warning("held message %s on %s could not be read; shown as a placeholder", held.request_id, held.list)
        message = MessageView("", "", "", UNREADABLE, None, safe_text(held.raw)[:200_000], ())
        digest = message_digest(held.list, key if key is not None else held.message_id)
        return InboxItem(digest[:6], digest, area_id, kind, held.list, held.request_id, held.message_id,
                         desk.local_time(held.hold_date), safe_line(held.reason), message)


def _read_item(desk: Desk, area_id: str, kind: str, held: HeldMessage, *, key: str | None) -> InboxItem:
    message = view(held.raw)
    if not message.from_address and held.sender:
        name, address = parseaddr(held.sender)
        message = dataclasses.replace(message, from_address=address.lower(), from_name=safe_line(name))
    if not message.subject and held.subject:
        message = dataclasses.replace(message, subject=safe_line(held.subject))
    received = desk.local_time(held.hold_date) or (message.date.astimezone(desk.config.tz) if message.date else None)
    digest = message_digest(held.list, key if key is not None else held.message_id)
    return InboxItem(digest[:6], digest, area_id, kind, held.list, held.request_id, held.message_id, received,
                     safe_line(held.reason), message)


def held_items(desk: Desk, area_ids: Iterable[str] = ()) -> list[InboxItem]:
    """Every held message of the members and partners lists of the areas, newest first."""
    helds = [(area.id, kind, held) for area, kind, address in desk.lists_of(desk.select(area_ids))
             for held in desk.client.held(address)]
    # A Message-ID is chosen by the sender: two held messages on one list
    # with the same one (a copy, or a stranger's imitation) each get a
    # reference of their own, so that neither hides the other.
    # Each item also answers to a reference from its hold (Message-ID, request
    # id and moment), which stays valid when the other copy is gone.
    seen: dict[tuple[str, str], int] = {}
    for _area, _kind, held in helds:
        seen[(held.list, held.message_id)] = seen.get((held.list, held.message_id), 0) + 1
    items = []
    for area_id, kind, held in helds:
        hold_key = f"{held.message_id}\0{held.request_id}\0{held.hold_date}"
        item = _item(desk, area_id, kind, held, key=hold_key if seen[(held.list, held.message_id)] > 1 else None)
        items.append(dataclasses.replace(item, hold_digest=message_digest(held.list, hold_key)))
    short = shorten(item.digest for item in items)
    members: dict[tuple[str, str], bool] = {}
    for item in items:  # one question per sender and list, however many messages they sent
        key = (item.list, item.sender)
        if item.sender and key not in members:
            members[key] = desk.client.member(item.list, item.sender) is not None
    items = [dataclasses.replace(item, ref=short[item.digest], is_member=members.get((item.list, item.sender)))
             for item in items]
    epoch = datetime.min.replace(tzinfo=desk.config.tz)
    return sorted(items, key=lambda i: (i.received or epoch, i.request_id), reverse=True)


def find_item(desk: Desk, ref: str) -> InboxItem:
    """The held message with this reference, in any area; a clear error when there is none."""
    normalize(ref)  # a typo is reported before Mailman is asked anything
    # The same Message-ID held twice on one list (sent twice) is one reference:
    # it acts on the oldest copy first.
    items = sorted(held_items(desk), key=lambda i: i.request_id, reverse=True)
    candidates = {item.hold_digest: item for item in items if item.hold_digest}
    candidates.update({item.digest: item for item in items})
    return find(ref, candidates, what=t("wachtend bericht", "held message"), still=t("wacht", "waits"),
                command="binsite inbox")


# --- accept, reject, discard --------------------------------------------------------

@dataclass(frozen=True)
class Moderated:
    item: InboxItem
    action: str              # accept | reject | discard
    reason: str | None = None


def moderate(desk: Desk, ref: str, action: str, *, reason: str | None = None) -> Moderated:
    """Accept (deliver to its list), reject (the sender gets ``reason``) or discard a held message."""
    if action not in ("accept", "reject", "discard"):
        raise ValueError(action)
    if action == "reject" and not (reason or "").strip():
        raise BinsiteError(t("geef een reden (--reason); de afzender krijgt die te lezen",
                             "give a reason (--reason); the sender gets to read it"))
    item = find_item(desk, ref)
    desk.client.moderate(item.list, item.request_id, item.message_id, action,
                         reason=reason.strip() if reason else None)
    log.info("%s %s on %s (request %s)", action, item.message_id, item.list, item.request_id)
    desk.log(action, **item_fields(item))
    return Moderated(item, action, reason)


def report_key(item: InboxItem) -> str:
    """How the logbook names a report: a digest of list and Message-ID (no Message-ID, which
    can carry the resident's name)."""
    return item.digest[:16]


def item_fields(item: InboxItem) -> dict[str, object]:
    return {"area": item.area, "list": item.list, "report": report_key(item), "received": item.received}


def note_received(desk: Desk, items: Iterable[InboxItem]) -> int:
    """Log each held report the logbook has not seen yet (what 'reports in' counts)."""
    return logbook.note_received(desk.root, desk.actor,
                                 [(report_key(i), i.area, i.list, i.received) for i in items])


# --- forward without the resident's identity ---------------------------------------

@dataclass(frozen=True)
class Forwarded:
    item: InboxItem
    to_list: str
    message_id: str
    subject: str
    attachments_left_out: int


def forward_text(item: InboxItem) -> str:
    """The report's text as it would be forwarded: the preview the BINCO may still edit. Pure."""
    return anonymize_text(item.message.text, item.identity)


def web_report_photos(raw: str | bytes) -> tuple[tuple[bytes, str], ...]:
    """The photo of a web report (``binsite.reports``), rebuilt from its pixels once more:
    ``(bytes, subtype)`` each. Any other report's attachments are never forwarded. Pure."""
    from binsite.desk.message import parse
    from binsite.reports.form import MAX_PIXELS, PHOTO_TYPES, WEB_REPORT_HEADER
    from binsite.source import media

    message = parse(raw)
    if WEB_REPORT_HEADER not in message:
        return ()
    photos = []
    for part in message.walk():
        if part.get_content_maintype() != "image" or len(photos) >= 1:
            continue
        try:
            data = part.get_payload(decode=True) or b""
            fmt = media.sniff(data)
            if fmt in PHOTO_TYPES:
                photos.append((media.process_image(data, "large", max_pixels=MAX_PIXELS), PHOTO_TYPES[fmt][0]))
        except Exception:  # noqa: BLE001 - a photo that cannot be rebuilt is left out
            log.warning("photo of web report %s could not be rebuilt; left out", message.get("Message-ID", "?"))
    return tuple(photos)


def forward_message(desk: Desk, item: InboxItem, to_list: str, *, now: datetime,
                    text: str | None = None, photos: tuple[tuple[bytes, str], ...] = ()) -> EmailMessage:
    """The report as a new message from the binsite sender, without the resident's identity. Pure.

    ``text`` is the BINCO's edited preview; it is scrubbed of the resident's identity
    again, so an edit cannot bring back what the preview masked. ``photos``: a web
    report's photo as ``web_report_photos`` rebuilt it (named ``foto``, nothing of the
    resident's file name)."""
    lang = desk.config.language
    area = desk.area(item.area)
    identity = item.identity
    if text is not None:
        text = scrub(safe_text(text).replace("\r\n", "\n"), identity).strip()
        if len(text) > MAX_FORWARD_TEXT:
            raise BinsiteError(t("de tekst is te lang (meer dan {n} tekens)", "the text is too long (over {n} characters)",
                                 n=MAX_FORWARD_TEXT))
    else:
        text = anonymize_text(item.message.text, identity)
    text = text or t("(geen tekst)", "(no text)").get(lang)
    subject = clean_subject(item.message.subject, identity)
    ref = item.ref
    title = t("Melding {r}: {s}", "Report {r}: {s}", r=ref, s=subject) if subject else \
        t("Melding {r} uit {a}", "Report {r} from {a}", r=ref, a=area.name)
    received = format_time(item.received, lang)
    if item.kind in RESIDENT_KINDS:
        intro = t("Melding van een bewoner uit {a}, doorgestuurd door de BINCO.\nReferentie: {r} (ontvangen {d})",
                  "Report by a resident of {a}, forwarded by the BINCO.\nReference: {r} (received {d})",
                  a=area.name, r=ref, d=received).get(lang)
    else:
        intro = t("Melding uit {a}, doorgestuurd door de BINCO.\nReferentie: {r} (ontvangen {d})",
                  "Report from {a}, forwarded by the BINCO.\nReference: {r} (received {d})",
                  a=area.name, r=ref, d=received).get(lang)
    outro = t("De afzender blijft anoniem: naam, adres en handtekening zijn weggelaten.\n"
              "Reageren of meer weten? Beantwoord dit bericht; uw antwoord gaat naar de BINCO. Noem referentie {r}.",
              "The sender stays anonymous: name, address and signature were left out.\n"
              "Reply or need more? Answer this message; your answer goes to the BINCO. Mention reference {r}.",
              r=ref).get(lang)
    left_out = max(0, len(item.message.attachments) - len(photos))
    if left_out:
        outro += "\n" + t("{n} bijlage(n) niet doorgestuurd; vraag de BINCO erom.",
                          "{n} attachment(s) not forwarded; ask the BINCO for them.", n=left_out).get(lang)
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=one_line(desk.config.mail.sender_name), addr_spec=desk.config.mail.sender)
    message["To"] = Address(addr_spec=to_list)
    if area.coordinators:
        message["Reply-To"] = Address(addr_spec=area.coordinators[0])
    message["Subject"] = one_line(title.get(lang))
    message["Date"] = format_datetime(now)
    # Deterministic per held message and target list: a second forward is recognisable.
    message["Message-ID"] = f"<desk.{item.digest[:20].lower()}.{to_list.split('@', 1)[0]}@{desk.domain}>"
    message[REPORT_HEADER] = ref
    message.set_content(f"{intro}\n\n{text.rstrip()}\n\n----\n{outro}\n", subtype="plain", charset="utf-8",
                        cte="quoted-printable")
    message["Content-Language"] = lang
    for index, (data, subtype) in enumerate(photos, 1):
        message.add_attachment(data, maintype="image", subtype=subtype,
                               filename=f"foto-{index}.{'jpg' if subtype == 'jpeg' else subtype}")
    return message


def forward(desk: Desk, ref: str, *, to: str = PARTNERS, now: datetime | None = None,
            post: Post = post_lmtp, text: str | None = None, keep: bool = False) -> Forwarded:
    """Deliver the report to the area's ``to`` list without the resident's identity, then discard
    the held original (``keep``: leave it held, to answer the resident once the partner replied).
    ``text``: the BINCO's edited preview. LMTP failing: nothing is discarded, nothing changed."""
    if to not in (MEMBERS, PARTNERS):  # never to the weekly list: its readers chose one message a week
        raise ValueError(to)
    now = now or datetime.now(desk.config.tz)
    item = find_item(desk, ref)
    to_list = desk.list_address(desk.area(item.area), to)
    held = _still_held(desk, item)
    message = forward_message(desk, item, to_list, now=now, text=text, photos=web_report_photos(held.raw))
    post(desk.settings, to_list, message, envelope_from=desk.config.mail.sender)
    log.info("forwarded %s from %s to %s as %s", item.message_id, item.list, to_list, message["Message-ID"])
    desk.log("forward", to=to_list, **item_fields(item))
    if to == PARTNERS:
        _record_for_partners(desk, item, message, now)
    if keep:
        return Forwarded(item, to_list, str(message["Message-ID"]), str(message["Subject"]), left_out(item, message))
    try:
        desk.client.moderate(item.list, item.request_id, item.message_id, "discard")
    except BinsiteError as exc:
        nl = ("doorgestuurd naar {l}, maar het origineel kon niet worden weggegooid: {e}. Kijk met 'binsite inbox' of "
              "het er nog staat en gooi het dan weg met 'binsite inbox discard {r}' (niet nog eens doorsturen).")
        en = ("forwarded to {l}, but the original could not be discarded: {e}. Check with 'binsite inbox' whether it "
              "is still there and then discard it with 'binsite inbox discard {r}' (do not forward it again).")
        raise BinsiteError(Text(nl.format(l=to_list, e=exc.message("nl"), r=item.ref),
                                en.format(l=to_list, e=exc.message("en"), r=item.ref))) from None
    return Forwarded(item, to_list, str(message["Message-ID"]), str(message["Subject"]), left_out(item, message))


def left_out(item: InboxItem, message: EmailMessage) -> int:
    """How many of the report's attachments the forwarded ``message`` does not carry."""
    return max(0, len(item.message.attachments) - sum(1 for _ in message.iter_attachments()))


def _record_for_partners(desk: Desk, item: InboxItem, message: EmailMessage, now: datetime) -> None:
    """The partners' door shows the forwarded report (its anonymised text) to the area's partners."""
    from binsite.desk import partners

    body = message.get_body(("plain",))
    try:
        partners.record_forward(partners.open_store(desk.root), key=report_key(item), ref=item.ref, area=item.area,
                                subject=clean_subject(item.message.subject, item.identity),
                                text=body.get_content() if body is not None else "", reporter=item.sender, now=now)
    except (OSError, ValueError) as exc:  # the mail went: the record is what a partner's page misses
        log.error("forwarded report %s not recorded for the partners' door: %s", report_key(item), type(exc).__name__)


def _still_held(desk: Desk, item: InboxItem) -> HeldMessage:
    """Just before an irreversible step: is the request id still this message? (It, when it is.)"""
    current = desk.client.held_message(item.list, item.request_id)
    if current is None or current.message_id != item.message_id:
        raise BinsiteError(t("dit bericht is al afgehandeld (door iemand anders?); er is niets veranderd",
                             "this message was already handled (by someone else?); nothing was changed"))
    return current


# --- draft bulletin ------------------------------------------------------------------

@dataclass(frozen=True)
class Drafted:
    item: InboxItem
    path: Path


def draft_text(desk: Desk, item: InboxItem, *, now: datetime) -> tuple[str, str]:
    """``(file name, file text)`` of a draft bulletin made from ``item``. Pure."""
    lang = desk.config.language
    area = desk.area(item.area)
    identity = item.identity
    title = safe_line(clean_subject(item.message.subject, identity)) or \
        t("Melding uit {a}", "Report from {a}", a=area.name).get(lang)
    body = anonymize_text(item.message.text, identity) or t(
        "Schrijf hier het bericht.\n", "Write the bulletin here.\n").get(lang)
    local_now = now.astimezone(desk.config.tz)
    values: dict = {"title": title, "date": local_now.strftime("%Y-%m-%d %H:%M"), "draft": True}
    if item.received is not None:
        values["received"] = item.received.strftime("%Y-%m-%d %H:%M")
    values["author"] = {"role": "binco", "name": ""}
    values["audience"] = "members"
    name = f"{local_now:%Y-%m-%d}-{slugify(title)}.md"
    return name, front_matter(values) + "\n" + body


def draft(desk: Desk, ref: str, *, now: datetime | None = None) -> Drafted:
    """Write ``content/<area>/<date>-<slug>.md`` as a draft from a held report; the held message stays."""
    now = now or datetime.now(desk.config.tz)
    item = find_item(desk, ref)
    name, text = draft_text(desk, item, now=now)
    folder = desk.root / CONTENT_DIR / item.area
    path = folder / name
    counter = 2
    while path.exists():
        path = folder / name.replace(".md", f"-{counter}.md")
        counter += 1
    atomic_write(path, text.encode("utf-8"))
    log.info("draft %s written from %s", path, item.message_id)
    desk.log("draft", bulletin=path.relative_to(desk.root).as_posix(), **item_fields(item))
    return Drafted(item, path)


# Mailman's hold reasons as the BINCO reads them: in English, or in Dutch when the
# list's preferred_language is nl (lists sync sets it; Mailman's own nl catalogue).
_MEMBER_POST = t("bericht van een lid; alle berichten van leden wachten op de BINCO",
                 "a member's post; every member's post waits for the BINCO")
_NOT_A_MEMBER = t("de afzender is geen lid van deze lijst", "the sender is not a member of this list")
_IMPLICIT = t("de lijst staat niet in To of Cc (bijvoorbeeld Bcc)", "the list is not in To or Cc (e.g. Bcc)")
_REASONS = {
    "the message comes from a moderated member": _MEMBER_POST,
    "dit bericht komt van een gemodereerd lid": _MEMBER_POST,
    "the message is not from a list member": _NOT_A_MEMBER,
    "het bericht komt niet van een lid van deze lijst": _NOT_A_MEMBER,
    "message has implicit destination": _IMPLICIT,
    "bericht heeft impliciete bestemming": _IMPLICIT,
}


def reason_text(reason: str, lang: str) -> str:
    """Mailman's reason for holding a message, in the BINCO's language where known."""
    known = _REASONS.get(reason.strip().rstrip(".").lower())
    return known.get(lang) if known else reason


def describe(item: InboxItem, lang: str) -> str:
    """``K3F9QA (noord, leden) "Subject"``: how an action names the message it acted on."""
    subject = item.message.subject or t("(geen onderwerp)", "(no subject)").get(lang)
    return f"{item.ref} ({item.area}, {kind_label(item.kind, lang)}) \"{subject}\""


__all__ = ["InboxItem", "Moderated", "Forwarded", "Drafted", "held_items", "find_item", "moderate", "forward",
           "forward_message", "draft", "draft_text", "describe", "MEMBERS", "PARTNERS"]
