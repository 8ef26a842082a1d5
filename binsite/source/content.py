"""Bulletins and notices: Markdown files with YAML front matter.

``content/<area>/<YYYY-MM-DD>-<slug>.md`` is a bulletin for one area;
``content/notices/<YYYY-MM-DD>-<slug>.md`` is a notice of the municipality or
police for the areas in its ``areas:`` key. Parsing is pure: the files are
read by ``binsite.incremental.analyse`` (cached, on all cores).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, NamedTuple
from zoneinfo import ZoneInfo

from binsite.source.config import SiteConfig
from binsite.source.encoding import decode_text
from binsite.errors import Problem, error, warning
from binsite.i18n import Text, t
from binsite.source.yamlfile import load_mapping

CONTENT_DIR = "content"
NOTICES = "notices"
AUDIENCES = ("members", "partners", "all")
FILENAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
KNOWN_KEYS = frozenset({"title", "date", "category", "author", "audience", "public", "draft", "expires",
                        "follow_up_of", "urgent", "areas", "received", "privacy", "summary"})
# The Dutch a BINCO may type for a key (``datum:`` for ``date:``): an error
# with the right key, not a silently ignored value.
DUTCH_KEYS = {
    "titel": "title", "datum": "date", "tijd": "date", "categorie": "category", "soort": "category",
    "auteur": "author", "afzender": "author", "schrijver": "author", "doelgroep": "audience",
    "publiek": "public", "openbaar": "public", "concept": "draft", "klad": "draft",
    "verloopt": "expires", "vervalt": "expires", "verloop": "expires", "vervolg_op": "follow_up_of",
    "vervolg": "follow_up_of", "spoed": "urgent", "dringend": "urgent", "gebieden": "areas", "gebied": "areas",
    "wijken": "areas", "ontvangen": "received", "samenvatting": "summary",
}


def near_key(key: str) -> str | None:
    """The known key a mistyped or Dutch one most likely means, or None."""
    typed = key.strip().lower().replace("-", "_").replace(" ", "_")
    if typed in KNOWN_KEYS:
        return typed
    if typed in DUTCH_KEYS:
        return DUTCH_KEYS[typed]
    close = difflib.get_close_matches(typed, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
    return close[0] if close else None


def in_asset_folder(rel: str, bulletin_stems: set[str] | frozenset[str]) -> bool:
    """``content/<area>/<stem>/photo.jpg`` next to ``content/<area>/<stem>.md``:
    a bulletin's own folder for images and PDFs."""
    parts = rel.split("/")
    return len(parts) >= 4 and "/".join(parts[:3]) in bulletin_stems


def stray_files(rels: Iterable[str]) -> list[Problem]:
    """Errors for files in content/ that are neither a bulletin (``.md``) nor in
    a bulletin's own folder: a ``fiets.txt`` or ``bericht.MD`` would otherwise
    be left out of the archive while the check stays green."""
    rels = list(rels)
    stems = {rel[:-3] for rel in rels if rel.endswith(".md")}
    problems = []
    for rel in rels:
        if rel.endswith(".md") or in_asset_folder(rel, stems):
            continue
        if rel.lower().endswith((".md", ".markdown", ".txt")) or "." not in rel.rsplit("/", 1)[-1]:
            how = t("hernoem het naar een naam die op .md eindigt (kleine letters), bijvoorbeeld 2026-10-03-fiets-gestolen.md",
                    "rename it to a name ending in .md (lower case), for example 2026-10-03-bike-stolen.md")
        else:
            how = t("verwijder het, of zet het in de map van het bericht waar het bij hoort "
                    "(content/<gebied>/<bestandsnaam-zonder-.md>/)",
                    "remove it, or put it in the folder of the bulletin it belongs to "
                    "(content/<area>/<file-name-without-.md>/)")
        problems.append(error(rel, None, Text(
            f"geen bericht: alleen .md-bestanden worden gepubliceerd, dit bestand zou ontbreken; {how.nl}",
            f"not a bulletin: only .md files are published, this file would be missing; {how.en}"), code="stray"))
    return problems


@dataclass(frozen=True)
class Source:
    """A content file's path relative to the site root and its raw bytes."""

    rel: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Author:
    role: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Bulletin:
    """One bulletin or notice, parsed and valid on its own.

    Cross-file facts (does ``follow_up_of`` exist, are ids unique, what does
    ``areas: all`` mean) are settled when the site is assembled.
    """

    id: str                     # "maaspoort/2026-10-03-fiets-gestolen" or "notices/..."
    kind: str                   # "bulletin" | "notice"
    source: str                 # path relative to the site root
    slug: str
    title: str
    date: datetime              # aware, in the site's time zone
    area: str | None            # the area of a bulletin; None for a notice
    areas: tuple[str, ...]      # as written: (area,) for a bulletin; ids or ("all",) for a notice
    category: str | None
    author: Author | None
    audience: str               # members | partners | all
    public: bool
    draft: bool
    expires: date | None
    follow_up_of: str | None    # a bulletin id, resolved
    urgent: bool
    received: datetime | None
    summary: str
    # The Markdown body is not here (``parse_bulletin`` hands it over beside
    # the bulletin; rendered, it lives in the body store): only where it starts.
    body_line: int              # 1-based line of the body's first line in the file
    privacy_allow: tuple[str, ...]
    privacy_reason: str
    key_lines: tuple[tuple[str, int], ...]  # front matter key -> line
    to_all: bool = False        # a notice with ``areas: all`` (areas resolved at assembly)
    content_hash: str = ""      # what a reader receives (see ``content_hash``); a change after sending is a correction
    photos_checked: bool = False  # ``privacy: {photos_checked: true}``: a person looked at the photos

    @property
    def is_notice(self) -> bool:
        return self.kind == "notice"

    def line_of(self, key: str) -> int:
        return dict(self.key_lines).get(key, 1)


def content_hash(title: str, body: str, audience: str, areas: tuple[str, ...], category: str | None) -> str:
    """A digest of what a reader receives, with ``areas: all`` resolved to the area ids."""
    digest = hashlib.sha256()
    for part in (title, body, audience, ",".join(areas), category or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """``(front_matter, body, body_line)`` or None when the file has no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None


def parse_datetime(value: Any, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date or date-time as written in front matter, in the site's time zone.

    Accepts ``2026-10-03``, ``2026-10-03 14:30``, ``2026-10-03T14:30:00`` and an
    explicit offset. Raises ValueError with a reason.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min, tzinfo=tz)
    text = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?\Z", text)
    if not match:
        raise ValueError("format")
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("impossible") from None
    if hour is None:
        return datetime.combine(day_value, time.max if end_of_day else time.min, tzinfo=tz)
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        raise ValueError("impossible")
    moment = datetime(day_value.year, day_value.month, day_value.day, int(hour), int(minute), int(second or 0))
    if offset:
        return datetime.fromisoformat(moment.isoformat() + ("+00:00" if offset == "Z" else offset)).astimezone(tz)
    return moment.replace(tzinfo=tz)


def slugify(text: str) -> str:
    """``Fiets gestolen bij de Brede School!`` -> ``fiets-gestolen-bij-de-brede-school``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "bericht"


class Parsed(NamedTuple):
    """A content file as parsed: its bulletin (None when the file has an
    error), its Markdown body ("" when it has none), and the problems, which
    point at its lines. The bulletin holds no body: the analysis renders it
    and keeps it in the body store."""

    bulletin: Bulletin | None
    body: str
    problems: list[Problem]


def parse_bulletin(source: Source, config: SiteConfig, area_ids: frozenset[str]) -> Parsed:
    """Parse one content file; problems point at its lines."""
    rel = source.rel
    parts = rel.split("/")
    problems: list[Problem] = []
    folder = parts[1] if len(parts) == 3 else None
    if folder is None:
        return Parsed(None, "", [error(rel, None, t(
            "bericht staat niet in een gebiedsmap: zet het in content/<gebied>/ of content/notices/",
            "bulletin is not in an area folder: put it in content/<area>/ or content/notices/"))])
    kind = "notice" if folder == NOTICES else "bulletin"
    if kind == "bulletin" and folder not in area_ids:
        problems.append(error(rel, None, t(
            "onbekend gebied {a!r} (map content/{a}/); bekende gebieden: {known}. Hernoem de map of voeg lists/{a}.yaml toe",
            "unknown area {a!r} (folder content/{a}/); known areas: {known}. Rename the folder or add lists/{a}.yaml",
            a=folder, known=", ".join(sorted(area_ids)))))
    name_match = FILENAME.match(parts[2])
    if not name_match:
        problems.append(error(rel, None, t(
            "bestandsnaam moet JJJJ-MM-DD-korte-naam.md zijn, in kleine letters, bijvoorbeeld 2026-10-03-fiets-gestolen.md",
            "file name must be YYYY-MM-DD-short-name.md in lower case, for example 2026-10-03-bike-stolen.md")))
    else:
        try:
            date(int(name_match.group(1)), int(name_match.group(2)), int(name_match.group(3)))
        except ValueError:
            problems.append(error(rel, None, t("de datum in de bestandsnaam bestaat niet", "the date in the file name does not exist")))
            name_match = None
    text, bad = decode_text(rel, source.data)
    if text is None:
        return Parsed(None, "", problems + [bad])
    split = split_front_matter(text)
    if split is None:
        return Parsed(None, "", problems + [error(rel, 1, t(
            "front matter ontbreekt: begin het bestand met een regel '---', dan title: en date:, en sluit af met '---'",
            "front matter missing: start the file with a line '---', then title: and date:, and close with '---'"))])
    front, body, body_line = split
    doc, more = load_mapping(front, rel, line_offset=1)
    problems += more
    if doc is None:
        return Parsed(None, "", problems)
    values = doc.values

    def err(key: str, nl: str, en: str, **kw: object) -> None:
        problems.append(error(rel, doc.line(key), t(nl, en, **kw)))

    for key in values:
        meant = None if key in KNOWN_KEYS else near_key(key)
        if meant is not None:
            problems.append(error(rel, doc.line(key), t(
                "onbekende sleutel {k!r}; bedoelt u {m!r}? Schrijf {m}: (zo wordt de waarde niet gebruikt)",
                "unknown key {k!r}; did you mean {m!r}? Write {m}: (as it is, the value is not used)", k=key, m=meant)))
        elif key not in KNOWN_KEYS:
            problems.append(warning(rel, doc.line(key), t(
                "onbekende sleutel {k!r} wordt genegeerd; bekend zijn: {known}",
                "unknown key {k!r} is ignored; known keys: {known}", k=key, known=", ".join(sorted(KNOWN_KEYS)))))

    title = values.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        err("title", "'title' ontbreekt of is leeg: geef het bericht een titel", "'title' is missing or empty: give the bulletin a title")
        title = ""
    elif not isinstance(title, str):
        title = str(title)
    if _CONTROL.search(title.strip()):
        err("title", "de titel bevat een regeleinde of stuurteken: schrijf de titel op één regel",
            "the title holds a line break or control character: write the title on one line")
    title = title.strip()

    tz = config.tz
    when: datetime | None = None
    if "date" not in values or values["date"] in (None, ""):
        err("date", "'date' ontbreekt: geef de datum, bijvoorbeeld date: 2026-10-03 of date: 2026-10-03 14:30",
            "'date' is missing: give the date, for example date: 2026-10-03 or date: 2026-10-03 14:30")
    else:
        try:
            when = parse_datetime(values["date"], tz)
        except ValueError as exc:
            if str(exc) == "impossible":
                err("date", "datum {v!r} bestaat niet", "date {v!r} does not exist", v=str(values["date"]))
            else:
                err("date", "datum {v!r} niet begrepen; schrijf JJJJ-MM-DD of JJJJ-MM-DD UU:MM",
                    "date {v!r} not understood; write YYYY-MM-DD or YYYY-MM-DD HH:MM", v=str(values["date"]))
    if when is not None and name_match is not None:
        file_day = date(int(name_match.group(1)), int(name_match.group(2)), int(name_match.group(3)))
        if when.date() != file_day:
            problems.append(warning(rel, doc.line("date"), t(
                "de datum {d} verschilt van de datum in de bestandsnaam ({f})",
                "the date {d} differs from the date in the file name ({f})", d=when.date(), f=file_day)))

    category = values.get("category")
    if category is not None:
        category = str(category)
        if category not in config.category_ids:
            err("category", "onbekende categorie {c!r}; kies uit: {known}", "unknown category {c!r}; choose from: {known}",
                c=category, known=", ".join(c.id for c in config.categories))

    author: Author | None = None
    raw_author = values.get("author")
    if isinstance(raw_author, dict):
        role = str(raw_author.get("role") or "").strip().lower()
        if not role:
            err("author", "'author' heeft geen 'role' (binco, politie, gemeente, ...)", "'author' has no 'role' (binco, politie, gemeente, ...)")
        author = Author(role or "binco", str(raw_author.get("name") or "").strip())
    elif isinstance(raw_author, str) and raw_author.strip():
        author = Author(raw_author.strip().lower())
    elif raw_author is not None:
        err("author", "'author' moet een rol zijn, of role: en name:", "'author' must be a role, or role: and name:")

    audience = values.get("audience", "members")
    if audience not in AUDIENCES:
        err("audience", "'audience' moet members, partners of all zijn, niet {v!r}",
            "'audience' must be members, partners or all, not {v!r}", v=audience)
        audience = "members"

    def flag(key: str, default: bool) -> bool:
        value = values.get(key, default)
        if not isinstance(value, bool):
            err(key, "{k!r} moet true of false zijn", "{k!r} must be true or false", k=key)
            return default
        return value

    public = flag("public", audience != "partners")
    if audience == "partners" and public:
        err("public", "een bericht voor alleen partners kan niet openbaar zijn: haal 'public: true' weg",
            "a partners-only bulletin cannot be public: remove 'public: true'")
        public = False
    draft = flag("draft", False)
    urgent = flag("urgent", False)

    expires: date | None = None
    if values.get("expires") not in (None, ""):
        try:
            expires = parse_datetime(values["expires"], tz).date()
        except ValueError:
            err("expires", "'expires' {v!r} is geen geldige datum (JJJJ-MM-DD)", "'expires' {v!r} is not a valid date (YYYY-MM-DD)",
                v=str(values["expires"]))
        else:
            if when is not None and expires < when.date():
                err("expires", "'expires' ligt vóór de datum van het bericht", "'expires' is before the bulletin's date")

    received: datetime | None = None
    if values.get("received") not in (None, ""):
        try:
            received = parse_datetime(values["received"], tz)
        except ValueError:
            err("received", "'received' {v!r} is geen geldige datum", "'received' {v!r} is not a valid date", v=str(values["received"]))

    follow_up_of = values.get("follow_up_of")
    if follow_up_of is not None:
        follow_up_of = str(follow_up_of).strip().removesuffix(".md")
        if "/" not in follow_up_of:
            follow_up_of = f"{folder}/{follow_up_of}"

    areas: tuple[str, ...] = ()
    raw_areas = values.get("areas")
    if kind == "notice":
        if raw_areas in (None, "", []):
            err("areas", "een mededeling heeft 'areas' nodig: een lijst van gebieden of 'all'",
                "a notice needs 'areas': a list of areas or 'all'")
        elif raw_areas in ("all", "alle"):
            areas = ("all",)
        else:
            if isinstance(raw_areas, str):
                raw_areas = [raw_areas]
            if not isinstance(raw_areas, list):
                err("areas", "'areas' moet een lijst van gebieden zijn of 'all'", "'areas' must be a list of areas or 'all'")
                raw_areas = []
            for index, area_id in enumerate(raw_areas):
                if str(area_id) not in area_ids:
                    problems.append(error(rel, doc.line(f"areas.{index}") if f"areas.{index}" in doc.lines else doc.line("areas"), t(
                        "onbekend gebied {a!r}; bekende gebieden: {known}", "unknown area {a!r}; known areas: {known}",
                        a=area_id, known=", ".join(sorted(area_ids)))))
            areas = tuple(dict.fromkeys(str(a) for a in raw_areas))
    else:
        if raw_areas is not None:
            err("areas", "'areas' hoort alleen bij mededelingen in content/notices/; een bericht hoort bij zijn map",
                "'areas' belongs only to notices in content/notices/; a bulletin belongs to its folder")
        areas = (folder,)

    privacy_allow: tuple[str, ...] = ()
    privacy_reason = ""
    photos_checked = False
    raw_privacy = values.get("privacy")
    if raw_privacy is not None:
        if not isinstance(raw_privacy, dict):
            err("privacy", "'privacy' moet 'allow:' en 'reason:' hebben", "'privacy' must have 'allow:' and 'reason:'")
        else:
            allow = raw_privacy.get("allow") or []
            if isinstance(allow, str):
                allow = [allow]
            privacy_allow = tuple(str(a) for a in allow)
            privacy_reason = str(raw_privacy.get("reason") or "").strip()
            photos_checked = raw_privacy.get("photos_checked", False)
            if not isinstance(photos_checked, bool):
                err("privacy", "'privacy.photos_checked' moet true of false zijn", "'privacy.photos_checked' must be true or false")
                photos_checked = False
            if privacy_allow and not privacy_reason:
                err("privacy", "'privacy.allow' vraagt een 'reason:' die uitlegt waarom dit openbaar mag",
                    "'privacy.allow' needs a 'reason:' explaining why this may be public")

    if not body.strip():
        problems.append(warning(rel, body_line - 1, t("het bericht heeft geen tekst", "the bulletin has no text")))

    if any(p.is_error for p in problems) or when is None or name_match is None:
        return Parsed(None, "", problems)
    slug = name_match.group(4)
    stem = parts[2][:-3]
    bulletin = Bulletin(
        id=f"{folder}/{stem}",
        kind=kind,
        source=rel,
        slug=slug,
        title=title,
        date=when,
        area=None if kind == "notice" else folder,
        areas=areas,
        category=category,
        author=author,
        audience=audience,
        public=public,
        draft=draft,
        expires=expires,
        follow_up_of=follow_up_of,
        urgent=urgent,
        received=received,
        summary=str(values.get("summary") or "").strip(),
        body_line=body_line,
        privacy_allow=privacy_allow,
        privacy_reason=privacy_reason,
        key_lines=tuple(sorted(doc.lines.items())),
        # As assembly will resolve it: ``areas: all`` means every area, sorted.
        content_hash=content_hash(title, body, audience,
                                  tuple(sorted(area_ids)) if kind == "notice" and areas == ("all",) else areas,
                                  category),
        photos_checked=photos_checked,
    )
    return Parsed(bulletin, body, problems)


def expiry_date(bulletin: Bulletin, config: SiteConfig) -> date | None:
    """The last day a bulletin is public: its own ``expires`` or its date plus its category's retention."""
    if bulletin.expires is not None:
        return bulletin.expires
    days = config.retention_days(bulletin.category)
    if days is None:
        return None
    return bulletin.date.date() + timedelta(days=days)
