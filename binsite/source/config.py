"""The site's configuration, ``binsite.yaml``, as a typed, validated schema.

All problems are collected and reported at once; unknown keys are warnings.
Secrets never live here: Mailman's address and credentials come from the
environment (see ``binsite.mailman.settings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
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
    "notices", "mededelingen", "categorie", "zoeken", "over", "statistieken", "toegankelijkheid",
    "assets", "feed", "handleiding", "pagina", "state", "templates", "lists", "content", "beveiliging", "tweede-stap",
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
# ``22:00-07:00``: two times of day, hours and minutes, a dash between (spaces
# and an en dash allowed); nothing else, so that ``22.00-7`` is caught, not guessed.
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_CLOCK_RANGE = re.compile(rf"^\s*{_CLOCK}\s*[-\u2013]\s*{_CLOCK}\s*\Z")
_CLOCK_ONLY = re.compile(rf"^\s*{_CLOCK}\s*\Z")
_OFF = {"off", "uit", "geen", "none", "no", "nee"}
WEEKDAYS = (("maandag", "monday"), ("dinsdag", "tuesday"), ("woensdag", "wednesday"), ("donderdag", "thursday"),
            ("vrijdag", "friday"), ("zaterdag", "saturday"), ("zondag", "sunday"))
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


def parse_clock(value: Any) -> time:
    """``"07:00"`` as a time of day. Raises ValueError."""
    match = _CLOCK_ONLY.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


def parse_quiet_hours(value: Any) -> tuple[time, time] | None:
    """``"22:00-07:00"`` as (start, end); ``off`` (YAML's false too) as None. Raises ValueError."""
    if value is False or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    match = _CLOCK_RANGE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(value)
    start, end = time(int(match.group(1)), int(match.group(2))), time(int(match.group(3)), int(match.group(4)))
    if start == end:
        raise ValueError(value)
    return start, end


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


ACCESSIBILITY_STATUS = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class Accessibility:
    """The accessibility statement's own facts (the rest comes from the site's settings)."""

    status: str = "B"              # the model statement's A (fully) ... E (no measures yet); B: partially
    drawn_up: str = ""             # the day the statement was drawn up, ISO (e.g. 2026-12-01)
    problems: tuple[str, ...] = ()  # known problems, as a visitor would notice them
    answer_days: int = 14          # how soon a visitor who reports a problem gets an answer


@dataclass(frozen=True)
class CentralPartner:
    """A partner declared in ``binsite.yaml`` ``partners:`` (the municipality's or the police's
    central sender): ``areas`` None means every area."""

    address: str
    role: str
    name: str = ""
    areas: tuple[str, ...] | None = None
    line: int | None = None   # where it is declared, for errors found against lists/


PARTNER_KEYS = {"address", "role", "name", "areas"}


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
    # What binsite keeps about people beside the archive (``retention:`` keys of
    # RECORD_RETENTION; enforced by ``binsite avg opruimen`` and every ``binsite send``).
    # Days; None means forever.
    record_retention: tuple[tuple[str, int | None], ...] = ()
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
    # ``quiet_hours``: (start, end) in the site's time zone, None when off. A
    # non-urgent bulletin due in them waits for the first send after the end.
    quiet_hours: tuple[time, time] | None = (time(22, 0), time(7, 0))
    # ``weekly``: the weekly overview of a week goes at the first run from this
    # weekday (0 = Monday) and time on, after the week ended.
    weekly_day: int = 0
    weekly_time: time = time(7, 0)
    # ``partners:``: central senders who may use the partners' door (``binsite.web.partner``).
    partners: tuple[CentralPartner, ...] = ()
    # ``accessibility:`` the statement at /toegankelijkheid/ (the Dutch model statement):
    # compliance status A-E, the day it was drawn up, known problems, days to answer.
    accessibility: Accessibility = Accessibility()
    # ``administrators:`` addresses that may log in at ``/beheer/`` (``binsite.web.admin``):
    # inzage and wissen across every area. Lower case; an address may also be a BINCO's or a
    # partner's: each role has its own door and its own session.
    administrators: tuple[str, ...] = ()

    def is_administrator(self, address: str) -> bool:
        return address.strip().lower() in self.administrators
    # ``second_factor:`` per role, ``required`` or ``optional`` (``binsite.web.factors``): a
    # partner's desk and the administrator's door ask for a passkey or an app code by default,
    # a BINCO's only when set.
    second_factor: tuple[tuple[str, str], ...] = (("administrators", "required"), ("bincos", "optional"),
                                                  ("partners", "required"))

    # ``desk_idle_minutes``: a desk session unused this long ends (besides the 10 hours).
    desk_idle_minutes: int = 30

    def second_factor_of(self, role: str) -> str:
        """``required`` or ``optional`` for ``bincos``, ``partners`` or ``administrators``."""
        return dict(self.second_factor).get(role, "required")

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

    def kept_days(self, record: str) -> int | None:
        """How many days binsite keeps ``record`` (a key of RECORD_RETENTION); None: forever."""
        for key, days in self.record_retention:
            if key == record:
                return days
        return RECORD_RETENTION[record]

    def absolute_url(self, path: str) -> str:
        """``path`` relative to the site root (no leading slash) as a full URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


# ``retention:`` keys that are not categories: what binsite keeps about people, and for
# how many days by default (held messages a month, the desk's logbook and ended
# sessions a year, one-click requests that could not be done a month).
RECORD_RETENTION: dict[str, int | None] = {"held-messages": 30, "logbook": 365, "sessions": 365, "web-spool": 30}

_KNOWN_KEYS = {"title", "base_url", "language", "timezone", "description", "organisation", "contact",
               "mail", "categories", "retention", "send_window", "per_page", "media", "web_url",
               "quiet_hours", "weekly", "partners", "accessibility", "administrators", "second_factor",
               "desk_idle_minutes"}
# ``second_factor:``: the roles and the two policies.
SECOND_FACTOR_ROLES = ("bincos", "partners", "administrators")
SECOND_FACTOR_POLICIES = ("required", "optional")
_ACCESSIBILITY_KEYS = {"status", "drawn_up", "problems", "answer_days"}
_WEEKLY_KEYS = {"day", "time"}
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
    record_retention: list[tuple[str, int | None]] = []
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
        elif key in RECORD_RETENTION and key not in category_ids:
            if days is None and key == "held-messages":
                err(f"retention.{key}", "vastgehouden berichten kunnen niet 'forever' bewaard worden; geef een termijn, zoals '30 days'",
                    "held messages cannot be kept 'forever'; give a period, such as '30 days'")
                continue
            record_retention.append((str(key), days))
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

    idle = values.get("desk_idle_minutes", 30)
    if not isinstance(idle, int) or isinstance(idle, bool) or not 5 <= idle <= 600:
        err("desk_idle_minutes", "'desk_idle_minutes' moet een getal van 5 tot 600 zijn (minuten zonder gebruik "
            "waarna een sessie op de balie eindigt; standaard 30)",
            "'desk_idle_minutes' must be a number from 5 to 600 (minutes unused after which a desk session ends; "
            "default 30)")
        idle = 30

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

    quiet_hours: tuple[time, time] | None = (time(22, 0), time(7, 0))
    if "quiet_hours" in values:
        raw = values["quiet_hours"]
        try:
            quiet_hours = parse_quiet_hours(raw)
        except ValueError:
            hint_nl = hint_en = ""
            if isinstance(raw, int) and not isinstance(raw, bool):
                hint_nl = " (YAML las een getal: zet de tijden tussen aanhalingstekens)"
                hint_en = " (YAML read a number: put the times in quotes)"
            err("quiet_hours", "'quiet_hours' {v!r} niet begrepen{h}: schrijf twee tijden met een streepje, zoals "
                "\"22:00-07:00\" (uren 0-23, minuten 00-59, begin en einde verschillend), of 'off' voor geen stille uren",
                "'quiet_hours' {v!r} not understood{h_en}: write two times with a dash, such as \"22:00-07:00\" "
                "(hours 0-23, minutes 00-59, start and end different), or 'off' for no quiet hours",
                v=raw, h=hint_nl, h_en=hint_en)

    weekly_day, weekly_time = 0, time(7, 0)
    weekly_values = values.get("weekly")
    if weekly_values is not None and not isinstance(weekly_values, dict):
        err("weekly", "'weekly' moet day en time bevatten, zoals {{day: monday, time: \"07:00\"}}",
            "'weekly' must hold day and time, such as {{day: monday, time: \"07:00\"}}")
        weekly_values = {}
    for key, value in (weekly_values or {}).items():
        where = doc.line(f"weekly.{key}")
        if key not in _WEEKLY_KEYS:
            problems.append(warning(rel, where, t("onbekende instelling weekly.{k}; bekend zijn: day, time",
                                                  "unknown setting weekly.{k}; known: day, time", k=key)))
        elif key == "day":
            names = [i for i, pair in enumerate(WEEKDAYS) if str(value).strip().lower() in pair]
            if not names:
                problems.append(error(rel, where, t(
                    "'weekly.day' {v!r} is geen dag van de week: schrijf bijvoorbeeld maandag (of monday)",
                    "'weekly.day' {v!r} is not a day of the week: write for example monday (or maandag)", v=value)))
            else:
                weekly_day = names[0]
        else:
            try:
                weekly_time = parse_clock(value)
            except ValueError:
                problems.append(error(rel, where, t(
                    "'weekly.time' {v!r} is geen tijd: schrijf uren en minuten tussen aanhalingstekens, zoals \"07:00\"",
                    "'weekly.time' {v!r} is not a time: write hours and minutes in quotes, such as \"07:00\"", v=value)))

    partners = _parse_partners(doc, rel, problems)
    administrators = _parse_administrators(doc, rel, problems)
    accessibility = _accessibility(values.get("accessibility"), doc, rel, problems)
    second_factor = _second_factor(doc, rel, problems)

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
        record_retention=tuple(sorted(record_retention)),
        send_window_days=send_window,
        per_page=per_page,
        source=rel,
        media_max_file=int(media_limits["max_file_mb"] * MB),
        media_max_mail=int(media_limits["max_mail_mb"] * MB),
        web_url=web_url,
        quiet_hours=quiet_hours,
        weekly_day=weekly_day,
        weekly_time=weekly_time,
        partners=partners,
        accessibility=accessibility,
        administrators=administrators,
        second_factor=second_factor,
        desk_idle_minutes=idle,
    )
    return config, problems


def _second_factor(doc: Located, rel: str, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """``second_factor: {bincos: optional, partners: required, administrators: required}`` (any
    key may be left out), or one word for every role."""
    policy = dict(SiteConfig.second_factor)
    raw = doc.values.get("second_factor")
    if raw is None:
        return tuple(sorted(policy.items()))
    if isinstance(raw, str) and raw in SECOND_FACTOR_POLICIES:
        return tuple((role, raw) for role in SECOND_FACTOR_ROLES)
    if not isinstance(raw, dict):
        problems.append(error(rel, doc.line("second_factor"), t(
            "'second_factor' moet per rol 'required' of 'optional' zeggen, zoals: second_factor: "
            "{{partners: required, bincos: optional}}",
            "'second_factor' must say 'required' or 'optional' per role, such as: second_factor: "
            "{{partners: required, bincos: optional}}")))
        return tuple(sorted(policy.items()))
    for role, value in raw.items():
        where = doc.line(f"second_factor.{role}") or doc.line("second_factor")
        if role not in SECOND_FACTOR_ROLES:
            problems.append(error(rel, where, t(
                "'second_factor' kent de rol {r!r} niet: alleen 'bincos', 'partners' en 'administrators'",
                "'second_factor' has no role {r!r}: only 'bincos', 'partners' and 'administrators'",
                r=str(role)[:40])))
        elif value not in SECOND_FACTOR_POLICIES:
            problems.append(error(rel, where, t(
                "'second_factor.{r}' moet 'required' (verplicht) of 'optional' (mag) zijn, niet {v!r}",
                "'second_factor.{r}' must be 'required' or 'optional', not {v!r}", r=role, v=str(value)[:40])))
        else:
            policy[role] = value
    return tuple(sorted(policy.items()))


def _parse_partners(doc: Located, rel: str, problems: list[Problem]) -> tuple[CentralPartner, ...]:
    """``partners: [{address, role, name, areas: all | [ids]}]``; whether the areas exist is
    checked against ``lists/`` by ``binsite.source.network``."""
    raw = doc.values.get("partners")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(error(rel, doc.line("partners"), t(
            "'partners' moet een lijst zijn, zoals: partners: [{address: communicatie@gemeente.nl, role: gemeente, "
            "areas: all}]",
            "'partners' must be a list, such as: partners: [{address: communicatie@gemeente.nl, role: gemeente, "
            "areas: all}]")))
        return ()
    found: list[CentralPartner] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = doc.line(f"partners.{index}")
        if not isinstance(item, dict) or not is_address(item.get("address")):
            problems.append(error(rel, where, t("partner heeft geen geldig 'address'", "partner has no valid 'address'")))
            continue
        for key in item:
            if key not in PARTNER_KEYS:
                problems.append(warning(rel, doc.line(f"partners.{index}.{key}"), t(
                    "onbekende instelling {k!r} bij een partner; bekend: {known}",
                    "unknown setting {k!r} of a partner; known: {known}", k=key, known=", ".join(sorted(PARTNER_KEYS)))))
        address = str(item["address"]).strip().lower()
        role = item.get("role")
        if not isinstance(role, str) or not re.fullmatch(r"[a-z][a-z-]{1,30}", role.strip()):
            problems.append(error(rel, doc.line(f"partners.{index}.role") or where, t(
                "partner {a}: 'role' ontbreekt of is ongeldig; bijvoorbeeld politie of gemeente",
                "partner {a}: 'role' is missing or invalid; for example politie or gemeente", a=address)))
            continue
        areas = item.get("areas", "all")
        area_ids: tuple[str, ...] | None
        if areas == "all":
            area_ids = None
        elif isinstance(areas, list) and areas and all(isinstance(a, str) and a.strip() for a in areas):
            area_ids = tuple(dict.fromkeys(a.strip() for a in areas))
        else:
            problems.append(error(rel, doc.line(f"partners.{index}.areas") or where, t(
                "partner {a}: 'areas' moet 'all' zijn of een lijst van gebieden, zoals [noord, zuid]",
                "partner {a}: 'areas' must be 'all' or a list of areas, such as [noord, zuid]", a=address)))
            continue
        if address in seen:
            problems.append(error(rel, where, t("partner {a} staat er twee keer in", "partner {a} is listed twice",
                                                a=address)))
            continue
        seen.add(address)
        name = " ".join(str(item.get("name") or "").split())[:100]
        found.append(CentralPartner(address, role.strip(), name, area_ids, where))
    return tuple(found)


def _parse_administrators(doc: Located, rel: str, problems: list[Problem]) -> tuple[str, ...]:
    """``administrators: [address, ...]``: each a whole address, once. Being a BINCO or a
    partner as well is allowed (separate doors, separate sessions)."""
    raw = doc.values.get("administrators")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(error(rel, doc.line("administrators"), t(
            "'administrators' moet een lijst van e-mailadressen zijn, zoals: administrators: [beheer@bin.example.org]",
            "'administrators' must be a list of e-mail addresses, such as: administrators: [beheer@bin.example.org]")))
        return ()
    found: list[str] = []
    for index, item in enumerate(raw):
        where = doc.line(f"administrators.{index}") or doc.line("administrators")
        if not is_address(item):
            problems.append(error(rel, where, t(
                "beheerder {v!r} is geen geldig e-mailadres; schrijf het hele adres, zoals beheer@bin.example.org",
                "administrator {v!r} is not a valid e-mail address; write the whole address, such as "
                "beheer@bin.example.org", v=item)))
            continue
        address = str(item).strip().lower()
        if address in found:
            problems.append(error(rel, where, t("beheerder {a} staat er twee keer in", "administrator {a} is listed twice",
                                                a=address)))
            continue
        found.append(address)
    return tuple(found)


def _accessibility(raw: Any, doc: Any, rel: str, problems: list[Problem]) -> Accessibility:
    """``accessibility:`` (status, drawn_up, problems, answer_days); every mistake at its line."""
    if raw is None:
        return Accessibility()
    if not isinstance(raw, dict):
        problems.append(error(rel, doc.line("accessibility"), t(
            "'accessibility' moet status, drawn_up, problems en answer_days bevatten, zoals {{status: B, drawn_up: 2026-12-01}}",
            "'accessibility' must hold status, drawn_up, problems and answer_days, such as {{status: B, drawn_up: 2026-12-01}}")))
        return Accessibility()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = doc.line(f"accessibility.{key}")
        if key not in _ACCESSIBILITY_KEYS:
            problems.append(warning(rel, where, t(
                "onbekende instelling accessibility.{k}; bekend zijn: {known}",
                "unknown setting accessibility.{k}; known: {known}", k=key, known=", ".join(sorted(_ACCESSIBILITY_KEYS)))))
        elif key == "status" and str(value).strip().upper() in ACCESSIBILITY_STATUS:
            values["status"] = str(value).strip().upper()
        elif key == "drawn_up" and re.match(r"^\d{4}-\d{2}-\d{2}\Z", str(value).strip()):
            values["drawn_up"] = str(value).strip()
        elif key == "problems" and isinstance(value, list) and all(isinstance(p, str) for p in value):
            values["problems"] = tuple(" ".join(p.split()) for p in value if p.strip())
        elif key == "answer_days" and isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 90:
            values["answer_days"] = value
        else:
            problems.append(error(rel, where, t(
                "'accessibility.{k}' {v!r} niet begrepen: status is A, B, C, D of E (zoals in de modelverklaring), "
                "drawn_up een datum (2026-12-01), problems een lijst van zinnen, answer_days 1 tot 90",
                "'accessibility.{k}' {v!r} not understood: status is A, B, C, D or E (as in the model statement), "
                "drawn_up a date (2026-12-01), problems a list of sentences, answer_days 1 to 90", k=key, v=value)))
    return Accessibility(**values)
