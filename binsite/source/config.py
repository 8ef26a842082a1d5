"""The site's configuration, ``binsite.yaml``, as a typed, validated schema.

All problems are collected and reported at once; unknown keys are warnings.
Secrets never live here: Mailman's address and credentials come from the
environment (see ``binsite.mailman.settings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from binsite.errors import Problem, error, warning
from binsite.i18n import LANGUAGES, t
from binsite.source.encoding import decode_text
from binsite.source.yamlfile import Located, load_mapping

CONFIG_FILE = "binsite.yaml"

DEFAULT_CATEGORIES: dict[str, tuple[str, str]] = {
    "inbraak": ("Inbraak", "Burglary"),
    "verdacht-gedrag": ("Verdacht gedrag", "Suspicious behaviour"),
    "vernieling": ("Vernieling", "Vandalism"),
    "verloedering": ("Verloedering", "Neglect and litter"),
    "oplichting": ("Oplichting", "Fraud"),
    "overlast": ("Overlast", "Nuisance"),
    "verkeer": ("Verkeer", "Traffic"),
    "vermissing": ("Vermissing", "Missing person or pet"),
    "preventietip": ("Preventietip", "Prevention tip"),
    "oproep": ("Oproep", "Appeal"),
    "nieuws": ("Nieuws", "News"),
}

# Paths at the top of the site that an area id may not take.
RESERVED_IDS = frozenset({
    "notices", "mededelingen", "categorie", "zoeken", "over", "statistieken",
    "assets", "feed", "handleiding", "pagina", "state", "templates", "lists", "content",
})

_DURATION = re.compile(
    r"^\s*(\d+)\s*(d|day|days|dag|dagen|w|week|weeks|weken|m|month|months|maand|maanden|y|year|years|jaar)\s*\Z",
    re.IGNORECASE,
)
_FOREVER = {"forever", "altijd", "never", "nooit", "onbeperkt"}
_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "dag": 1, "dagen": 1,
              "w": 7, "week": 7, "weeks": 7, "weken": 7,
              "m": 30, "month": 30, "months": 30, "maand": 30, "maanden": 30,
              "y": 365, "year": 365, "years": 365, "jaar": 365}
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\Z")


def parse_duration(value: Any) -> int | None:
    """Days in ``"90 days"`` / ``"12 weken"`` / ``"forever"`` (None). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text in _FOREVER:
        return None
    match = _DURATION.match(text)
    if not match:
        raise ValueError(value)
    return int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]


def is_address(value: Any) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.match(value))


@dataclass(frozen=True)
class Category:
    id: str
    label_nl: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl


@dataclass(frozen=True)
class MailConfig:
    domain: str
    sender: str
    sender_name: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    description: str = ""
    organisation: str = ""
    contact: str = ""
    mail: MailConfig = MailConfig("bin.example.org", "bulletin@bin.example.org", "BIN")
    categories: tuple[Category, ...] = ()
    # Days a bulletin of a category stays public; None means forever.
    retention: tuple[tuple[str, int | None], ...] = ()
    default_retention_days: int | None = 365
    send_window_days: int = 7
    per_page: int = 20
    source: str = CONFIG_FILE
    # Pictures and documents beside bulletins (``media:``): the largest file,
    # and the largest mail (also Mailman's limit, set by ``lists sync``).
    media_max_file: int = 10 * 1_000_000
    media_max_mail: int = 10 * 1_000_000
    # The residents' web service (``binsite web``), full URL with a trailing
    # slash; empty when the BIN runs none (mail then carries only mailto:).
    web_url: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always with a trailing slash: ``/archief/``."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"

    @property
    def category_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.categories)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def retention_days(self, category_id: str | None) -> int | None:
        for cat, days in self.retention:
            if cat == category_id:
                return days
        return self.default_retention_days

    def absolute_url(self, path: str) -> str:
        """``path`` relative to the site root (no leading slash) as a full URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


_KNOWN_KEYS = {"title", "base_url", "language", "timezone", "description", "organisation", "contact",
               "mail", "categories", "retention", "send_window", "per_page", "media", "web_url"}
_MAIL_KEYS = {"domain", "sender", "sender_name"}
_MEDIA_KEYS = {"max_file_mb", "max_mail_mb"}
MB = 1_000_000


def load_config(root: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """Read and validate ``binsite.yaml`` under ``root``."""
    path = root / CONFIG_FILE
    rel = CONFIG_FILE
    if not path.is_file():
        return None, [error(rel, None, t(
            "geen binsite.yaml gevonden in {root}; maak er een (zie README) of geef --root op",
            "no binsite.yaml found in {root}; create one (see README) or pass --root", root=root))]
    text, bad = decode_text(rel, path.read_bytes())
    if text is None:
        return None, [bad]
    located, problems = load_mapping(text, rel)
    if located is None:
        return None, problems
    config, more = parse_config(located, rel)
    return config, problems + more


def parse_config(doc: Located, rel: str) -> tuple[SiteConfig | None, list[Problem]]:
    values = doc.values
    problems: list[Problem] = []

    def err(key: str, nl: str, en: str, **kw: object) -> None:
        problems.append(error(rel, doc.line(key), t(nl, en, **kw)))

    for key in values:
        if key not in _KNOWN_KEYS:
            problems.append(warning(rel, doc.line(key), t(
                "onbekende instelling {k!r}; bekende instellingen: {known}",
                "unknown setting {k!r}; known settings: {known}", k=key, known=", ".join(sorted(_KNOWN_KEYS)))))

    title = values.get("title")
    if not isinstance(title, str) or not title.strip():
        err("title", "'title' ontbreekt of is leeg: geef de naam van de site", "'title' is missing or empty: give the site's name")
        title = ""
    if re.search(r"[\r\n\t\v\f]", title.strip()):
        err("title", "'title' moet op één regel staan, zonder regeleinden of tabs",
            "'title' must be one line, without line breaks or tabs")
        title = " ".join(title.split())
    base_url = values.get("base_url")
    if not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+(/\S*)?\Z", base_url or ""):
        err("base_url", "'base_url' moet een volledig adres zijn, zoals https://bin.example.org/archief/",
            "'base_url' must be a full address such as https://bin.example.org/archief/")
        base_url = "http://localhost/"
    elif not base_url.endswith("/"):
        base_url += "/"
    language = values.get("language", "nl")
    if language not in LANGUAGES:
        err("language", "'language' moet 'nl' of 'en' zijn, niet {v!r}", "'language' must be 'nl' or 'en', not {v!r}", v=language)
        language = "nl"
    timezone = values.get("timezone", "Europe/Amsterdam")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        err("timezone", "onbekende tijdzone {v!r}; bijvoorbeeld Europe/Amsterdam",
            "unknown time zone {v!r}; for example Europe/Amsterdam", v=timezone)
        timezone = "Europe/Amsterdam"

    mail_values = values.get("mail") or {}
    if not isinstance(mail_values, dict):
        err("mail", "'mail' moet domain, sender en sender_name bevatten", "'mail' must hold domain, sender and sender_name")
        mail_values = {}
    for key in mail_values:
        if key not in _MAIL_KEYS:
            problems.append(warning(rel, doc.line(f"mail.{key}"), t(
                "onbekende instelling mail.{k}", "unknown setting mail.{k}", k=key)))
    domain = mail_values.get("domain")
    if not isinstance(domain, str) or not re.match(r"^[a-z0-9.-]+\.[a-z]{2,}\Z", domain or ""):
        err("mail.domain" if "domain" in mail_values else "mail",
            "'mail.domain' moet een maildomein zijn, zoals bin.example.org",
            "'mail.domain' must be a mail domain such as bin.example.org")
        domain = "bin.example.org"
    sender = mail_values.get("sender", f"bulletin@{domain}")
    if not is_address(sender):
        err("mail.sender", "'mail.sender' is geen e-mailadres: {v!r}", "'mail.sender' is not an e-mail address: {v!r}", v=sender)
        sender = f"bulletin@{domain}"
    sender_name = str(mail_values.get("sender_name") or title or "BIN")
    if re.search(r"[\r\n\t\v\f]", sender_name.strip()):
        err("mail.sender_name", "'mail.sender_name' moet op één regel staan", "'mail.sender_name' must be one line")
        sender_name = " ".join(sender_name.split())

    categories: list[Category] = []
    raw_categories = values.get("categories")
    if raw_categories is None:
        categories = [Category(k, nl, en) for k, (nl, en) in DEFAULT_CATEGORIES.items()]
    elif isinstance(raw_categories, list):
        for index, item in enumerate(raw_categories):
            if not isinstance(item, str) or not re.match(r"^[a-z0-9][a-z0-9-]*\Z", item):
                err(f"categories.{index}", "categorie {v!r} mag alleen kleine letters, cijfers en streepjes bevatten",
                    "category {v!r} may hold only lower-case letters, digits and dashes", v=item)
                continue
            nl, en = DEFAULT_CATEGORIES.get(item, (item.replace("-", " ").capitalize(),) * 2)
            categories.append(Category(item, nl, en))
    elif isinstance(raw_categories, dict):
        for key, label in raw_categories.items():
            if not re.match(r"^[a-z0-9][a-z0-9-]*\Z", str(key)):
                err(f"categories.{key}", "categorie {v!r} mag alleen kleine letters, cijfers en streepjes bevatten",
                    "category {v!r} may hold only lower-case letters, digits and dashes", v=key)
                continue
            if isinstance(label, dict):
                nl, en = str(label.get("nl", key)), str(label.get("en", label.get("nl", key)))
            else:
                nl = str(label) if label else DEFAULT_CATEGORIES.get(key, (key,))[0]
                en = DEFAULT_CATEGORIES.get(key, (nl, nl))[1]
            categories.append(Category(str(key), nl, en))
    else:
        err("categories", "'categories' moet een lijst van categorieën zijn", "'categories' must be a list of categories")
    category_ids = {c.id for c in categories}

    retention: list[tuple[str, int | None]] = []
    default_retention: int | None = 365
    raw_retention = values.get("retention") or {}
    if not isinstance(raw_retention, dict):
        err("retention", "'retention' moet per categorie een termijn geven, zoals 'verdacht-gedrag: 90 days'",
            "'retention' must give a period per category, such as 'verdacht-gedrag: 90 days'")
        raw_retention = {}
    for key, value in raw_retention.items():
        try:
            days = parse_duration(value)
        except ValueError:
            err(f"retention.{key}", "bewaartermijn {v!r} niet begrepen; schrijf bijvoorbeeld '90 days', '12 weeks', '1 year' of 'forever'",
                "retention {v!r} not understood; write for example '90 days', '12 weeks', '1 year' or 'forever'", v=value)
            continue
        if key == "default":
            default_retention = days
        elif key not in category_ids:
            err(f"retention.{key}", "bewaartermijn voor onbekende categorie {k!r}", "retention for unknown category {k!r}", k=key)
        else:
            retention.append((str(key), days))

    send_window = 7
    if "send_window" in values:
        try:
            send_window = parse_duration(values["send_window"])
        except ValueError:
            send_window = None
        if send_window is None:
            err("send_window", "'send_window' moet een termijn zijn, zoals '7 days'", "'send_window' must be a period such as '7 days'")
            send_window = 7

    per_page = values.get("per_page", 20)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 500:
        err("per_page", "'per_page' moet een getal van 1 tot 500 zijn", "'per_page' must be a number from 1 to 500")
        per_page = 20

    media_limits = {"max_file_mb": 10, "max_mail_mb": 10}
    media_values = values.get("media") or {}
    if not isinstance(media_values, dict):
        err("media", "'media' moet max_file_mb en max_mail_mb bevatten", "'media' must hold max_file_mb and max_mail_mb")
        media_values = {}
    for key, value in media_values.items():
        if key not in _MEDIA_KEYS:
            problems.append(warning(rel, doc.line(f"media.{key}"), t(
                "onbekende instelling media.{k}; bekend zijn: {known}", "unknown setting media.{k}; known: {known}",
                k=key, known=", ".join(sorted(_MEDIA_KEYS)))))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1000:
            problems.append(error(rel, doc.line(f"media.{key}"), t(
                "'media.{k}' moet een aantal megabytes zijn, groter dan 0 en hooguit 1000, zoals 10",
                "'media.{k}' must be a number of megabytes, above 0 and at most 1000, such as 10", k=key)))
        else:
            media_limits[key] = value

    web_url = values.get("web_url", "")
    if web_url in (None, ""):
        web_url = ""
    elif not isinstance(web_url, str) or not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?\Z", web_url):
        err("web_url", "'web_url' moet het volledige adres van de webdienst zijn, zoals https://bin.example.org/dienst/",
            "'web_url' must be the web service's full address, such as https://bin.example.org/dienst/")
        web_url = ""
    elif not web_url.endswith("/"):
        web_url += "/"

    config = SiteConfig(
        title=str(title),
        base_url=base_url,
        language=language,
        timezone=str(timezone),
        description=str(values.get("description") or ""),
        organisation=str(values.get("organisation") or ""),
        contact=str(values.get("contact") or ""),
        mail=MailConfig(domain=domain, sender=sender, sender_name=sender_name),
        categories=tuple(categories),
        retention=tuple(sorted(retention)),
        default_retention_days=default_retention,
        send_window_days=send_window,
        per_page=per_page,
        source=rel,
        media_max_file=int(media_limits["max_file_mb"] * MB),
        media_max_mail=int(media_limits["max_mail_mb"] * MB),
        web_url=web_url,
    )
    return config, problems
