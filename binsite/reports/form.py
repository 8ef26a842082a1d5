"""A resident's web report: read the form, rebuild the photo, compose the held message. Pure.

What the form takes: what happened (at most ``MAX_WHAT`` characters), when
(date and time, not in the future), where (a street or place, one line, no
house number asked) and one optional photo (JPEG, PNG or WebP, at most the
site's media limit and ``MAX_PIXELS`` pixels). Every value is cleaned of
control and direction characters; HTML stays text (the desk escapes it, the
mail is text/plain); nothing of it becomes a header except the subject,
through ``one_line``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from binsite.i18n import Text, t
from binsite.mailing.compose import one_line
from binsite.source import media
from binsite.source.areas import Area
from binsite.source.config import is_address

MAX_WHAT = 5_000
MAX_WHERE = 200
MAX_ADDRESS = 254
# Fewer than the bulletins' limit: a phone photo is 12 to 48 million pixels (most
# save 12), and a report is decoded while the resident waits. Measured: a 24 MP
# JPEG takes 0.6 s and about 230 MiB more peak memory (some 10 bytes a pixel);
# a PNG claiming 100,000 x 100,000 pixels is refused from its header (no growth).
MAX_PIXELS = 24_000_000
# The header that marks a held message as a web report (its value: the report id).
WEB_REPORT_HEADER = "X-Binsite-Web-Report"
PHOTO_TYPES = {"JPEG": ("jpeg", "jpg"), "PNG": ("png", "png"), "WEBP": ("webp", "webp")}

_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f\x80-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WHEN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2})?\Z")


@dataclass(frozen=True)
class Photo:
    """The photo as rebuilt from its pixels: no EXIF, XMP, GPS, ICC or comment."""

    data: bytes
    format: str                # JPEG | PNG | WEBP

    @property
    def subtype(self) -> str:
        return PHOTO_TYPES[self.format][0]

    @property
    def filename(self) -> str:
        return "foto." + PHOTO_TYPES[self.format][1]


@dataclass(frozen=True)
class Report:
    """One report as the resident submitted it (the photo already rebuilt)."""

    area_id: str
    address: str
    what: str
    when: datetime             # in the site's time zone
    where: str
    photo: Photo | None = None


@dataclass(frozen=True)
class ReadForm:
    """The form as read: a ``report`` when every field is right, else ``errors`` per field."""

    values: dict[str, str]
    report: Report | None = None
    errors: dict[str, Text] = field(default_factory=dict)


def one_line_text(value: str, limit: int) -> str:
    return " ".join(_CONTROL_LINE.sub(" ", unicodedata.normalize("NFC", value)).split())[:limit]


def clean_text(value: str, limit: int) -> str:
    """Running text: NFC, line ends as ``\\n``, no control or direction characters, trimmed."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_TEXT.sub(" ", text).replace("\t", " ")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))[: limit + 1]


def now_local(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    return (now or datetime.now(tz)).astimezone(tz).replace(second=0, microsecond=0)


def when_value(moment: datetime) -> str:
    """``2026-12-07T05:40``: the value of an ``<input type=datetime-local>``."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def parse_when(value: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    found = _WHEN.match(value.strip())
    if not found:
        return None
    try:
        moment = datetime(*(int(g) for g in found.groups()), tzinfo=tz)
    except ValueError:
        return None
    return moment


def clean_photo(data: bytes, max_file: int) -> Photo | Text:
    """The photo rebuilt from its pixels by the media pipeline, or why it cannot be taken.
    Judged by its bytes: a PDF, a polyglot or a picture of too many pixels is refused before
    it is decoded; what passes is a new image, so nothing hidden in the original comes along."""
    if len(data) > max_file:
        return media.too_large(len(data), max_file)
    fmt = media.sniff(data)
    if fmt not in PHOTO_TYPES:
        return t("dit bestand is geen foto (JPEG, PNG of WebP; gekeken naar de inhoud, niet naar de naam); kies een "
                 "foto, of laat het veld leeg",
                 "this file is not a photo (JPEG, PNG or WebP; judged by its content, not its name); choose a photo, "
                 "or leave the field empty")
    try:
        cleaned = media.process_image(data, "large", max_pixels=MAX_PIXELS)
    except ValueError as exc:
        if str(exc) == "too-large":
            return t("de foto is meer dan {n} miljoen pixels; verklein hem eerst, of stuur hem zonder foto",
                     "the photo has more than {n} million pixels; make it smaller first, or send without a photo",
                     n=MAX_PIXELS // 1_000_000)
        return _unreadable()
    except Exception:  # noqa: BLE001 - whatever a crafted file makes Pillow raise
        return _unreadable()
    return Photo(cleaned, fmt)


def _unreadable() -> Text:
    return t("de foto is beschadigd of geen gewone foto en kan niet gelezen worden; kies een andere, of laat het veld "
             "leeg", "the photo is damaged or not an ordinary photo and cannot be read; choose another, or leave the "
             "field empty")


def read_report(area: Area, form: dict[str, str], photo: bytes | None, *, tz: ZoneInfo, max_file: int,
                now: datetime | None = None) -> ReadForm:
    """The submitted form as a ``Report``, or the Dutch error of every field that is wrong."""
    current = now_local(tz, now)
    raw_what = form.get("what", "")
    values = {"what": clean_text(raw_what, MAX_WHAT),
              "when": one_line_text(form.get("when", ""), 40),
              "where": one_line_text(form.get("where", ""), MAX_WHERE + 1),
              "email": unicodedata.normalize("NFC", form.get("email", "")).strip().lower()[:MAX_ADDRESS + 1]}
    errors: dict[str, Text] = {}
    if not values["what"]:
        errors["what"] = t("Beschrijf wat er gebeurde.", "Describe what happened.")
    elif len(values["what"]) > MAX_WHAT:
        errors["what"] = t("Houd het korter: hoogstens {n} tekens.", "Keep it shorter: at most {n} characters.",
                           n=f"{MAX_WHAT:,}".replace(",", "."))
        values["what"] = values["what"][:MAX_WHAT]
    when = parse_when(values["when"], tz, current) if values["when"] else current
    if when is None:
        errors["when"] = t("Vul een datum en tijd in, zoals {v}.", "Enter a date and time, such as {v}.",
                           v=when_value(current).replace("T", " "))
    elif when > current + timedelta(minutes=10):
        errors["when"] = t("Dat tijdstip ligt in de toekomst: vul in wanneer het gebeurde.",
                           "That moment is in the future: enter when it happened.")
    elif when < current - timedelta(days=366):
        errors["when"] = t("Dat is meer dan een jaar geleden: vul in wanneer het gebeurde.",
                           "That is more than a year ago: enter when it happened.")
    if not values["where"]:
        errors["where"] = t("Vul een straat of plek in (een huisnummer is niet nodig).",
                            "Enter a street or place (no house number needed).")
    elif len(values["where"]) > MAX_WHERE:
        errors["where"] = t("Houd de plek korter: hoogstens {n} tekens.", "Keep the place shorter: at most {n} "
                            "characters.", n=MAX_WHERE)
        values["where"] = values["where"][:MAX_WHERE]
    if not is_address(values["email"]) or len(values["email"]) > MAX_ADDRESS:
        errors["email"] = t("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
                            "Enter a valid e-mail address, such as name@example.org.")
        values["email"] = values["email"][:MAX_ADDRESS]
    cleaned: Photo | None = None
    if photo:
        outcome = clean_photo(photo, max_file)
        if isinstance(outcome, Photo):
            cleaned = outcome
        else:
            errors["photo"] = outcome
    if when is not None and "when" not in errors:
        values["when"] = when_value(when)
    if errors:
        return ReadForm(values, None, errors)
    assert when is not None
    return ReadForm(values, Report(area.id, values["email"], values["what"], when, values["where"], cleaned))


def report_subject(report: Report, area: Area, lang: str) -> str:
    first = report.what.split("\n", 1)[0]
    short = first if len(first) <= 60 else first[:59].rstrip() + "…"
    return one_line(t("Melding via de website: {s}", "Report via the website: {s}", s=short).get(lang))


def report_text(report: Report, area: Area, lang: str) -> str:
    """The body of the held message: what, when, where, in the resident's words."""
    when = report.when.strftime("%d-%m-%Y %H:%M")
    lines = [t("Melding via het webformulier voor {a}.", "Report via the web form for {a}.", a=area.name).get(lang), "",
             t("Wanneer: {w}", "When: {w}", w=when).get(lang),
             t("Waar: {w}", "Where: {w}", w=report.where).get(lang), "",
             t("Wat er gebeurde:", "What happened:").get(lang), report.what.rstrip(), ""]
    if report.photo is not None:
        lines += [t("Eén foto bijgevoegd (opnieuw opgebouwd, zonder gegevens over toestel of plek).",
                    "One photo attached (rebuilt, without data about the device or place).").get(lang), ""]
    return "\n".join(lines)


def report_id_digest(report_id: str) -> str:
    return hashlib.sha256(report_id.encode()).hexdigest()[:24]


def held_message(report: Report, area: Area, list_address: str, report_id: str, *, domain: str, lang: str,
                 now: datetime) -> EmailMessage:
    """The confirmed report as the mail a resident would send to ``list_address``. Pure.

    From is the reporter's confirmed address, so the desk shows, masks, forwards and
    answers it as every report; the Message-ID follows from the report id, so the same
    report is recognisable however often it would be posted."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(addr_spec=report.address)
    message["To"] = Address(addr_spec=list_address)
    message["Subject"] = report_subject(report, area, lang)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<web.{report_id_digest(report_id)}@{domain}>"
    message[WEB_REPORT_HEADER] = report_id_digest(report_id)
    message["Content-Language"] = lang
    message.set_content(report_text(report, area, lang), subtype="plain", charset="utf-8", cte="quoted-printable")
    if report.photo is not None:
        message.add_attachment(report.photo.data, maintype="image", subtype=report.photo.subtype,
                               filename=report.photo.filename)
    return message
