"""The partners' door: police and municipality at the desk (``binsite.web.partner``).

**Who is a partner.** An address declared in ``lists/<area>.yaml``
``partners:`` (authority: that area), or in ``binsite.yaml`` ``partners:``
(the central senders: ``areas: all`` or a list). Nothing else grants it
(``account``).

**What a partner does here.**

- *notices*: a partner writes a notice for one or more of their areas. For an
  area with ``partner_notices: direct`` it is published at once; for the
  others (``approve``, the default) it waits (``submit_notice``) until a
  BINCO of the area approves it (``decide``). One BINCO's approval publishes
  it for that BINCO's areas only; a waiting notice is nowhere in git, so not
  in the archive, the feeds, the search or a mail. The decision is taken
  under one lock (check, publish, record), so two BINCOs approving at once
  publish it once.
- *forwarded reports*: when a BINCO forwards a report to an area's partners
  (``binsite.desk.inbox.forward``) its anonymised text is recorded here
  (``record_forward``), keyed by the desk's report key. A partner reads it,
  answers (``answer``: the answer waits at the BINCO's desk, tied to the
  report) and marks it *in behandeling* / *afgehandeld* (``mark``): the
  reporter gets a short mail from the BIN's address, without the partner's
  name.

**Storage.** Everything sits behind ``Store`` (one seam): ``DatabaseStore``
keeps one JSON record per row in the service's database (``binsite.store``,
table ``partner_records``), so every instance and the command line share it;
``exclusive`` is the store's lock across instances. A forwarded report's
record holds the reporter's address, to send the status mail, and that is the
only place it is read. Before the database, ``FileStore`` kept the same
records as JSON lines in ``state/desk-partners.jsonl`` (0600); such a file is
read in once (``binsite.store.files``). What a partner sees is made by
``PartnerReport.for_partner``, which never carries the reporter.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from binsite.desk import logbook
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailing.compose import one_line
from binsite.paths import state_dir
from binsite.source.areas import Area
from binsite.source.config import SiteConfig

if TYPE_CHECKING:
    from binsite.store import Store as SiteStore

MAX_ANSWER = 20_000
MAX_LINE = 512 * 1024
IN_PROGRESS = "in_behandeling"
DONE = "afgehandeld"
STATUSES = (IN_PROGRESS, DONE)
APPROVE = "approve"
REJECT = "reject"
_ROLE_LABELS = {"politie": ("Wijkagent", "Community officer"), "wijkagent": ("Wijkagent", "Community officer"),
                "gemeente": ("Gemeente", "Municipality"), "wijkmanager": ("Wijkmanager", "Neighbourhood manager")}


class NotYours(BinsiteError):
    """A partner acting on what is not theirs: the web layer answers 403."""

    def __init__(self) -> None:
        super().__init__(t("dit hoort niet bij uw gebieden", "this is not one of your areas"))


def store_path(root: Path) -> Path:
    return state_dir(root) / "desk-partners.jsonl"


# --- who is a partner ------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """A partner as the door knows them: their areas are exactly where they are declared."""

    address: str
    role: str
    name: str
    areas: tuple[Area, ...]

    @property
    def area_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.areas)

    @property
    def actor(self) -> logbook.Actor:
        return logbook.partner(self.address)


def account(config: SiteConfig, areas: Iterable[Area], address: str) -> Account | None:
    """The partner at ``address`` with their areas, or None when they are declared nowhere."""
    wanted = address.strip().lower()
    if not wanted:
        return None
    areas = tuple(areas)
    own: dict[str, Area] = {}
    role = name = ""
    for central in config.partners:
        if central.address == wanted:
            role, name = central.role, central.name
            for area in areas:
                if central.areas is None or area.id in central.areas:
                    own[area.id] = area
    for area in areas:
        for partner in area.partners:
            if partner.address.strip().lower() == wanted:
                own.setdefault(area.id, area)
                role, name = role or partner.role, name or partner.name
    if not own:
        return None
    return Account(wanted, role or "partner", name, tuple(a for a in areas if a.id in own))


def role_label(role: str, lang: str) -> str:
    labels = _ROLE_LABELS.get(role.lower())
    return labels[lang == "en"] if labels else role.capitalize()


def author_name(who: Account, area_ids: Iterable[str], *, lang: str = "nl") -> str:
    """How a notice and its commit name the partner: a role, never the address
    (``Wijkagent Maaspoort``, ``Gemeente Noord / Zuid``; the declared ``name`` when there is one)."""
    if who.name:
        return who.name
    names = {a.id: a.name for a in who.areas}
    return f"{role_label(who.role, lang)} " + " / ".join(names.get(a, a) for a in area_ids)


def author_for(notice: "Notice", area_ids: tuple[str, ...], names: Mapping[str, str], *, lang: str = "nl") -> str:
    """The author of the part of ``notice`` published for ``area_ids`` (one BINCO approved):
    the role with those areas' names, or the partner's declared name."""
    label = role_label(notice.role, lang)
    if notice.author != f"{label} " + " / ".join(names.get(a, a) for a in notice.areas):
        return notice.author  # a declared name
    return f"{label} " + " / ".join(names.get(a, a) for a in area_ids)


# --- what is stored ------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    text: str
    by: str          # the partner's digest (logbook.partner)
    role: str
    at: str


@dataclass(frozen=True)
class PartnerReport:
    """A report forwarded to an area's partners, and what the partners did with it."""

    key: str                 # the desk's report key (inbox.report_key)
    ref: str                 # the reference the forward mail showed
    area: str
    subject: str
    text: str                # anonymised, as forwarded
    forwarded_at: str
    reporter: str = ""       # only for the status mail; never shown (see for_partner)
    answers: tuple[Answer, ...] = ()
    status: str = ""
    status_at: str = ""

    def for_partner(self) -> "PartnerReport":
        """The report as a partner may see it: without the reporter."""
        return replace(self, reporter="")


@dataclass(frozen=True)
class Notice:
    """A partner's notice; ``decisions``: per area, approve or reject (and the file it became)."""

    id: str
    by: str
    role: str
    author: str
    title: str
    body: str
    areas: tuple[str, ...]
    category: str | None
    urgent: bool
    at: str
    decisions: Mapping[str, tuple[str, str]] = field(default_factory=dict)   # area -> (decision, rel)

    def waiting(self, area_ids: Iterable[str] = ()) -> tuple[str, ...]:
        """The areas (of ``area_ids``, or all) still waiting for a BINCO."""
        wanted = set(area_ids)
        return tuple(a for a in self.areas if a not in self.decisions and (not wanted or a in wanted))


@dataclass(frozen=True)
class State:
    reports: Mapping[str, PartnerReport]
    notices: Mapping[str, Notice]


class Store(Protocol):
    """Where the door keeps its records: the one seam for another storage."""

    def read(self) -> State: ...

    def add(self, record: dict[str, object]) -> None: ...

    def exclusive(self) -> AbstractContextManager[State]: ...


class FileStore:
    """JSON lines in the state folder, appended under a lock (0600): what an older version kept,
    read in once (``binsite.store.files``)."""

    def __init__(self, path: Path):
        self.path = path

    def add(self, record: dict[str, object]) -> None:
        logbook.append(self.path, {"v": 1, **record}, max_line=MAX_LINE, mode=0o600)

    def read(self) -> State:
        return _fold(self._lines())

    @contextmanager
    def exclusive(self) -> Iterator[State]:
        """The state, read and held under a lock for a check-then-act (two BINCOs at once)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self.read()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _lines(self) -> Iterator[dict[str, object]]:
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            yield from _records(raw for raw in handle if raw.endswith(b"\n"))


class DatabaseStore:
    """The records in the service's database, one JSON record per row."""

    def __init__(self, store: "SiteStore"):
        self.store = store

    def add(self, record: dict[str, object]) -> None:
        line = json.dumps({"v": 1, **record}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if len(line) > MAX_LINE:
            raise ValueError("partner record too long")
        self.store.partner_add(str(record.get("kind", "")), str(record.get("key", "")), line)

    def read(self) -> State:
        return _fold(_records(self.store.partner_records()))

    @contextmanager
    def exclusive(self) -> Iterator[State]:
        """The state, read and held under the store's lock for a check-then-act (two BINCOs at
        once, on two instances)."""
        with self.store.exclusive("desk-partners"):
            yield self.read()


def _records(raws: Iterable[str | bytes]) -> Iterator[dict[str, object]]:
    for raw in raws:
        try:
            values = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue  # a torn line of a writer that was killed
        if isinstance(values, dict) and values.get("v") == 1:
            yield values


def open_store(root: Path) -> Store:
    from binsite.store import site_store
    return DatabaseStore(site_store(root))


def _text(values: Mapping[str, object], key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


def _fold(lines: Iterable[dict[str, object]]) -> State:
    reports: dict[str, PartnerReport] = {}
    notices: dict[str, Notice] = {}
    for v in lines:
        kind, key = v.get("kind"), _text(v, "key")
        if kind == "forward" and key:
            old = reports.get(key)
            reports[key] = PartnerReport(key, _text(v, "ref"), _text(v, "area"), _text(v, "subject"), _text(v, "text"),
                                         _text(v, "at"), _text(v, "reporter"),
                                         old.answers if old else (), old.status if old else "",
                                         old.status_at if old else "")
        elif kind == "answer" and key in reports:
            report = reports[key]
            reports[key] = replace(report, answers=report.answers + (
                Answer(_text(v, "text"), _text(v, "by"), _text(v, "role"), _text(v, "at")),))
        elif kind == "status" and key in reports and v.get("status") in STATUSES:
            reports[key] = replace(reports[key], status=str(v["status"]), status_at=_text(v, "at"))
        elif kind == "notice" and key:
            areas = v.get("areas")
            notices[key] = Notice(key, _text(v, "by"), _text(v, "role"), _text(v, "author"), _text(v, "title"),
                                  _text(v, "body"), tuple(str(a) for a in areas) if isinstance(areas, list) else (),
                                  _text(v, "category") or None, v.get("urgent") is True, _text(v, "at"))
        elif kind == "decision" and key in notices and v.get("decision") in (APPROVE, REJECT):
            notice = notices[key]
            area = _text(v, "area")
            if area in notice.areas and area not in notice.decisions:
                notices[key] = replace(notice, decisions={**notice.decisions, area: (str(v["decision"]),
                                                                                     _text(v, "rel"))})
    return State(reports, notices)


def _now(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


# --- forwarded reports -----------------------------------------------------------------------

def record_forward(store: Store, *, key: str, ref: str, area: str, subject: str, text: str, reporter: str,
                   now: datetime | None = None) -> None:
    """A report forwarded to ``area``'s partners (called by ``inbox.forward``)."""
    store.add({"kind": "forward", "key": key, "ref": ref, "area": area, "subject": subject[:300],
               "text": text[:200_000], "reporter": reporter.strip().lower(), "at": _now(now)})


def reports_for(store: Store, who: Account) -> list[PartnerReport]:
    """The reports forwarded to this partner's areas, newest first, without the reporter."""
    state = store.read()
    found = [r.for_partner() for r in state.reports.values() if r.area in who.area_ids]
    return sorted(found, key=lambda r: r.forwarded_at, reverse=True)


def report_for(store: Store, who: Account, key: str) -> PartnerReport:
    """One forwarded report of this partner's areas (``NotYours`` for any other key)."""
    report = store.read().reports.get(key) if isinstance(key, str) else None
    if report is None or report.area not in who.area_ids:
        raise NotYours()
    return report.for_partner()


def reports_of_area(store: Store, area_id: str) -> list[PartnerReport]:
    """For the BINCO's desk: the area's forwarded reports with the partners' answers."""
    found = [r for r in store.read().reports.values() if r.area == area_id]
    return sorted(found, key=lambda r: r.forwarded_at, reverse=True)


def report_of_area(store: Store, area_id: str, key: str) -> PartnerReport | None:
    report = store.read().reports.get(key)
    return report if report is not None and report.area == area_id else None


def answer(store: Store, who: Account, key: str, text: str, *, root: Path, now: datetime | None = None) -> Answer:
    """The partner's answer to a forwarded report: it waits at the BINCO's desk, tied to the report."""
    from binsite.desk.message import safe_text

    report = report_for(store, who, key)
    own = safe_text(text).strip()
    if not own:
        raise BinsiteError(t("schrijf eerst een antwoord", "write an answer first"))
    if len(own) > MAX_ANSWER:
        raise BinsiteError(t("het antwoord is te lang (meer dan {n} tekens)", "the answer is too long (over {n} characters)",
                             n=MAX_ANSWER))
    done = Answer(own, who.actor.id, who.role, _now(now))
    store.add({"kind": "answer", "key": report.key, "text": done.text, "by": done.by, "role": done.role,
               "at": done.at})
    logbook.record(root, who.actor, logbook.PARTNER_ANSWER, area=report.area, report=report.key, at=now)
    return done


def status_message(config: SiteConfig, report: PartnerReport, status: str, *, now: datetime) -> EmailMessage:
    """The short mail to the reporter that a partner took the report up or finished it. Pure.
    From the BIN's address; no partner's name or address."""
    lang = config.language
    if not report.reporter:
        raise BinsiteError(t("van deze melding is geen afzender bekend; er is niets verstuurd",
                             "this report has no known sender; nothing was sent"))
    said = {IN_PROGRESS: t("Uw melding {r} is in behandeling bij een partner van de BIN (politie of gemeente).",
                           "Your report {r} is being handled by a partner of the BIN (police or municipality).",
                           r=report.ref),
            DONE: t("Uw melding {r} is afgehandeld door een partner van de BIN (politie of gemeente).",
                    "Your report {r} has been dealt with by a partner of the BIN (police or municipality).",
                    r=report.ref)}[status].get(lang)
    body = said + "\n\n" + t(
        "Dank u voor uw melding. Heeft u nog iets aan te vullen? Beantwoord dan deze e-mail; uw BINCO leest mee.\n"
        "Bij spoed altijd 112, of 0900-8844 voor de politie.",
        "Thank you for your report. Anything to add? Answer this e-mail; your BINCO reads it.\n"
        "In an emergency always 112, or 0900-8844 for the police.").get(lang) + f"\n\n-- \n{config.title}\n"
    subject = {IN_PROGRESS: t("Uw melding {r}: in behandeling", "Your report {r}: being handled", r=report.ref),
               DONE: t("Uw melding {r}: afgehandeld", "Your report {r}: dealt with", r=report.ref)}[status].get(lang)
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=one_line(config.mail.sender_name), addr_spec=config.mail.sender)
    message["To"] = Address(addr_spec=report.reporter)
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<desk.status.{report.key.lower()}.{status}@{config.mail.domain}>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = lang
    return message


def mark(store: Store, who: Account, key: str, status: str, *, config: SiteConfig, root: Path,
         send: Callable[[EmailMessage], None], now: datetime | None = None) -> bool:
    """Mark a forwarded report; the reporter gets ``status_message``. False (nothing sent) when
    the report already has this status (a double click, a colleague was quicker)."""
    if status not in STATUSES:
        raise BinsiteError(t("onbekende status {s!r}", "unknown status {s!r}", s=status))
    report_for(store, who, key)  # NotYours before anything else
    moment = now or datetime.now(config.tz)
    with store.exclusive() as state:
        report = state.reports[key]
        if report.status == status or (report.status == DONE and status == IN_PROGRESS):
            return False
        send(status_message(config, report, status, now=moment))
        store.add({"kind": "status", "key": key, "status": status, "by": who.actor.id, "at": _now(moment)})
    logbook.record(root, who.actor, logbook.PARTNER_STATUS, area=report.area, report=key, status=status, at=now)
    return True


# --- notices ---------------------------------------------------------------------------------

Publish = Callable[[Notice, tuple[str, ...]], tuple[str, str]]   # (notice, areas) -> (rel, commit)


def check_areas(who: Account, area_ids: Iterable[str]) -> tuple[str, ...]:
    """The areas a notice is for, all of them this partner's (``NotYours`` otherwise)."""
    wanted = tuple(dict.fromkeys(a for a in area_ids if isinstance(a, str)))
    if any(a not in who.area_ids for a in wanted):
        raise NotYours()
    return wanted


def submit_notice(store: Store, who: Account, *, title: str, body: str, area_ids: Iterable[str],
                  category: str | None, urgent: bool, root: Path, publish: Publish,
                  now: datetime | None = None, lang: str = "nl") -> tuple[Notice, tuple[str, str] | None]:
    """A partner's notice: published at once for its ``direct`` areas (``publish``), waiting for the
    BINCOs for the others. Returns the notice and, when some went at once, ``(rel, commit)``."""
    wanted = check_areas(who, area_ids)
    if not wanted:
        raise BinsiteError(t("kies minstens één gebied", "choose at least one area"))
    by_id = {a.id: a for a in who.areas}
    direct = tuple(a for a in wanted if by_id[a].partner_notices == "direct")
    notice = Notice(secrets.token_hex(6), who.actor.id, who.role, author_name(who, wanted, lang=lang), title, body,
                    wanted, category, urgent, _now(now))
    # The direct areas first: when that publication fails, nothing is recorded and nothing waits.
    published = publish(notice, direct) if direct else None
    store.add({"kind": "notice", "key": notice.id, "by": notice.by, "role": notice.role, "author": notice.author,
               "title": title, "body": body, "areas": list(wanted), "category": category, "urgent": urgent,
               "at": notice.at})
    for area in wanted:
        logbook.record(root, who.actor, logbook.PARTNER_NOTICE, area=area, notice=notice.id, at=now)
    for area in direct:
        store.add({"kind": "decision", "key": notice.id, "area": area, "decision": APPROVE, "by": "direct",
                   "rel": published[0], "at": _now(now)})
        logbook.record(root, who.actor, logbook.PUBLISH, area=area, notice=notice.id, bulletin=published[0],
                       commit=published[1][:12], at=now)
    return store.read().notices[notice.id], published


def waiting_notices(store: Store, area_ids: Iterable[str]) -> list[Notice]:
    """Notices waiting for a BINCO of any of ``area_ids``, oldest first."""
    wanted = set(area_ids)
    return sorted((n for n in store.read().notices.values() if n.waiting(wanted)), key=lambda n: n.at)


def notices_by(store: Store, who: Account) -> list[Notice]:
    return sorted((n for n in store.read().notices.values() if n.by == who.actor.id), key=lambda n: n.at,
                  reverse=True)


def decide(store: Store, notice_id: str, area_ids: Iterable[str], decision: str, *, actor: logbook.Actor,
           root: Path, publish: Publish, now: datetime | None = None) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """A BINCO approves or rejects a waiting notice for their own ``area_ids`` (only those).
    Returns the areas decided and ``(rel, commit)`` of what was published. Nothing left to
    decide (another BINCO was quicker): a clear error, nothing changed."""
    areas, published = _decide(store, notice_id, tuple(area_ids), decision, by=actor.id, publish=publish, now=now)
    for area in areas:
        logbook.record(root, actor, logbook.NOTICE_APPROVE if decision == APPROVE else logbook.NOTICE_REJECT,
                       area=area, notice=notice_id, bulletin=published[0] if published else None,
                       commit=published[1][:12] if published else None, at=now)
        if published:
            logbook.record(root, actor, logbook.PUBLISH, area=area, notice=notice_id, bulletin=published[0],
                           commit=published[1][:12], at=now)
    return areas, published


def _decide(store: Store, notice_id: str, area_ids: tuple[str, ...], decision: str, *, by: str, publish: Publish,
            now: datetime | None) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    if decision not in (APPROVE, REJECT):
        raise ValueError(decision)
    with store.exclusive() as state:
        notice = state.notices.get(notice_id)
        areas = notice.waiting(area_ids) if notice is not None and area_ids else ()
        if notice is None or not areas:
            raise BinsiteError(t(
                "dit bericht van een partner wacht niet (meer) op u: een andere BINCO was u voor, of het is al "
                "afgehandeld. Er is niets veranderd.",
                "this partner's notice no longer waits for you: another BINCO was quicker, or it was handled "
                "already. Nothing was changed."))
        published = publish(notice, areas) if decision == APPROVE else None
        for area in areas:
            store.add({"kind": "decision", "key": notice_id, "area": area, "decision": decision, "by": by,
                       "rel": published[0] if published else "", "at": _now(now)})
    return areas, published


def notice_rel(notice: Notice, area_ids: tuple[str, ...], when: datetime) -> str:
    """The file a notice becomes for ``area_ids``: one folder per area, or ``content/notices/``;
    the notice's id in the name, so that each BINCO's approval has its own file."""
    from binsite.source.content import CONTENT_DIR, NOTICES, slugify

    folder = area_ids[0] if len(area_ids) == 1 else NOTICES
    slug = (slugify(notice.title) or "bericht")[:80].strip("-") or "bericht"
    return f"{CONTENT_DIR}/{folder}/{when:%Y-%m-%d}-{slug}-{notice.id}.md"


# --- figures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartnerMonth:
    area: str
    month: str
    notices: int
    answers: int
    median_answer_hours: float | None   # from the forward to the partners to the first answer


def partner_figures(lines: Iterable[dict[str, object]], tz, *, area_ids: Iterable[str] = ()) -> dict[tuple[str, str],
                                                                                                      PartnerMonth]:
    """Per (area, month): partners' notices, answers, and the median hours from forward to first
    answer (counted in the month of the answer). Pure, from the logbook's lines."""
    wanted = set(area_ids)
    forwarded: dict[str, datetime] = {}
    first_answer: dict[str, tuple[str, datetime]] = {}
    notices: dict[tuple[str, str], set[str]] = {}
    answers: dict[tuple[str, str], int] = {}
    for line in lines:
        area, action = line.get("area"), line.get("action")
        try:
            at = datetime.fromisoformat(str(line.get("at")))
        except ValueError:
            continue
        if not isinstance(area, str) or at.tzinfo is None or (wanted and area not in wanted):
            continue
        month = at.astimezone(tz).strftime("%Y-%m")
        report = line.get("report")
        if action == logbook.FORWARD and isinstance(report, str) and str(line.get("to", "")).split("@")[0].endswith(
                "-partners"):
            forwarded.setdefault(report, at)
        elif action == logbook.PARTNER_NOTICE:
            notices.setdefault((area, month), set()).add(str(line.get("notice")))
        elif action == logbook.PARTNER_ANSWER and isinstance(report, str):
            answers[(area, month)] = answers.get((area, month), 0) + 1
            if report not in first_answer:
                first_answer[report] = (area, at)
    hours: dict[tuple[str, str], list[float]] = {}
    for report, (area, at) in first_answer.items():
        start = forwarded.get(report)
        if start is not None:
            hours.setdefault((area, at.astimezone(tz).strftime("%Y-%m")), []).append(
                max(0.0, (at - start).total_seconds()) / 3600)
    found = {}
    for key in set(notices) | set(answers):
        spans = hours.get(key, [])
        found[key] = PartnerMonth(key[0], key[1], len(notices.get(key, ())), answers.get(key, 0),
                                  round(statistics.median(spans), 1) if spans else None)
    return found


_KEY = re.compile(r"^[A-Z2-7]{16}\Z")


def is_key(value: str) -> bool:
    """A report key as the desk makes them (16 base32 characters)."""
    return bool(_KEY.match(value or ""))
