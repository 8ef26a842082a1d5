"""Figures for the steering group (``binsite stats``) and the public statistics page.

Everything is counted from files the repository already holds: the
bulletins, the send ledger ``state/sent.jsonl`` and the member counts
``state/members.jsonl``. Nothing asks Mailman and nothing counts visitors.

Reading the two state files is the only I/O (``read_sent_ledger``,
``read_member_history``, and ``load_stats`` which gathers for the CLI);
``compute`` and the formatters are pure, so the same files and the same
``now`` give byte-identical output.

What counts where:

* ``binsite stats`` counts every bulletin that is not a draft and whose date
  has come, public or not, expired or not (it is for the steering group).
* The public page counts only what the archive shows at the build's ``now``
  (``on_public_site``) and uses neither the ledger nor the member counts, so
  a partners-only or non-public bulletin can never change it.

A *bulletin* belongs to its area; a *notice* counts in every area it names
and once city-wide. "Bulletins per month" counts bulletins only; category,
author role and the urgent share count bulletins and notices together. A
*report* is a bulletin that is not itself a follow-up; it *got a follow-up*
when a counted bulletin names it in ``follow_up_of`` (at any time, also after
the period).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from binsite.source.content import Bulletin, parse_datetime
from binsite.errors import BinsiteError, Problem, warning
from binsite.i18n import Text, format_date, format_datetime, format_month, format_number, role_text, t
from binsite.model.site import Site, is_due, on_public_site
from binsite.stats import FORMATS
from binsite.paths import DEFAULT_STATE_DIR, members_log, sent_ledger, shown

log = logging.getLogger(__name__)

SENT_LEDGER = f"{DEFAULT_STATE_DIR}/sent.jsonl"
MEMBERS_HISTORY = f"{DEFAULT_STATE_DIR}/members.jsonl"
CSV_COLUMNS = ("figure", "area", "month", "group", "value")
JSON_VERSION = 1


# --- Records from the state files -------------------------------------------

@dataclass(frozen=True)
class SentRecord:
    """One message Mailman accepted, as the send ledger records it."""

    bulletin_id: str
    list: str
    sent_at: datetime
    message_id: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class MemberCount:
    """The counts of one list at one moment (never an address)."""

    list: str
    at: datetime
    members: int
    pending: int


def _moment(value: object, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return parse_datetime(value, tz)
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _json_lines(path: Path) -> Iterable[tuple[int, dict | None]]:
    """``(line number, record or None when unreadable)`` for each non-blank line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            yield number, None
            continue
        yield number, record if isinstance(record, dict) else None


def read_sent_ledger(root: Path, tz: ZoneInfo, *, rel: str = SENT_LEDGER) -> tuple[tuple[SentRecord, ...], list[Problem]]:
    """The send ledger, read with the sender's own parser (``binsite.mailing.ledger``).

    Tolerant where sending is strict: a missing file is an empty ledger, and a
    line that cannot be read (a merge conflict, a torn last line) is skipped
    with a warning that names it, because figures must not stop on it."""
    from binsite.mailing.ledger import read_ledger

    ledger, found = read_ledger(root / rel, rel)
    problems = [warning(p.path, p.line, _skipped(p.message)) for p in found]
    records: list[SentRecord] = []
    uncertain = ledger.uncertain
    if uncertain:
        from binsite.mailing.run import uncertain_refs

        problems.append(warning(rel, None, t(
            "{n} bericht(en) met onzekere afloop (niet meegeteld): {x}. Kijk of ze aankwamen en leg het vast met "
            "'binsite send resolve REF --sent' of '--resend'",
            "{n} message(s) with an uncertain outcome (not counted): {x}. Check whether they arrived and record it "
            "with 'binsite send resolve REF --sent' or '--resend'", n=len(uncertain),
            x=", ".join(f"{ref} ({e.bulletin} -> {e.list})" for ref, e in uncertain_refs(ledger))), code="uncertain"))
    for entry in ledger.entries:
        if entry.status is not None:
            continue
        try:
            sent_at = _moment(entry.sent_at, tz)
        except ValueError:
            problems.append(warning(rel, None, t(
                "verzending van {b} naar {l} heeft een onleesbare sent_at {v!r}; overgeslagen in de statistieken",
                "send of {b} to {l} has an unreadable sent_at {v!r}; skipped in the statistics",
                b=entry.bulletin, l=entry.list, v=entry.sent_at)))
            continue
        records.append(SentRecord(bulletin_id=entry.bulletin, list=entry.list.lower(), sent_at=sent_at,
                                  message_id=entry.message_id, content_hash=entry.content_hash))
    return tuple(records), problems


def _skipped(message: Text) -> Text:
    return Text(f"{message.nl} (overgeslagen in de statistieken)", f"{message.en} (skipped in the statistics)")


def read_member_history(root: Path, tz: ZoneInfo, *, rel: str = MEMBERS_HISTORY) -> tuple[tuple[MemberCount, ...], list[Problem]]:
    """``state/members.jsonl`` (one line per list per ``send`` or ``lists sync``), tolerantly."""
    path = root / rel
    if not path.is_file():
        return (), []
    counts: list[MemberCount] = []
    problems: list[Problem] = []
    for number, record in _json_lines(path):
        try:
            if record is None or not isinstance(record.get("list"), str):
                raise ValueError(record)
            members, pending = record.get("members"), record.get("pending", 0)
            if not isinstance(members, int) or not isinstance(pending, int) or isinstance(members, bool):
                raise ValueError(record)
            counts.append(MemberCount(list=record["list"].lower(), at=_moment(record.get("at"), tz),
                                      members=members, pending=pending))
        except ValueError:
            problems.append(warning(rel, number, t(
                "regel niet leesbaar als ledentelling (at, list, members, pending); overgeslagen",
                "line not readable as a member count (at, list, members, pending); skipped")))
    return tuple(counts), problems


# --- The figures -------------------------------------------------------------

@dataclass(frozen=True)
class Median:
    """How many intervals were measured and their median, in hours (one decimal)."""

    count: int
    hours: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Median:
        if not seconds:
            return cls(0, None)
        import statistics  # here: it imports decimal and fractions, a cost for every build

        return cls(len(seconds), round(statistics.median(seconds) / 3600, 1))


@dataclass(frozen=True)
class AreaStats:
    """The figures of one area, or city-wide (``area == ""``) where each
    bulletin and notice counts once."""

    area: str
    name: str
    per_month: tuple[int, ...]     # bulletins, aligned with ``Stats.months``
    notices: int
    urgent: int                    # bulletins and notices marked urgent
    items: int                     # bulletins and notices (the urgent share's base)
    reports: int                   # bulletins that are not a follow-up
    followed_up: int               # reports with at least one follow-up
    follow_ups: int
    send_delay: Median             # bulletin date -> first send
    publication_delay: Median      # resident's report (``received``) -> bulletin date
    open_reports: int              # drafts with ``received`` not yet published

    @property
    def bulletins(self) -> int:
        return sum(self.per_month)

    @property
    def urgent_share(self) -> float | None:
        return round(self.urgent / self.items, 3) if self.items else None

    @property
    def followed_up_share(self) -> float | None:
        return round(self.followed_up / self.reports, 3) if self.reports else None


@dataclass(frozen=True)
class Count:
    key: str      # a category id or author role; "" when none was given
    value: int
    label: Text


@dataclass(frozen=True)
class ListSeries:
    """One mailing list over the months: messages sent, and the last member counts."""

    list: str
    area: str                              # "" when the list is not of a known area
    messages: tuple[int, ...]              # aligned with ``Stats.months``
    members: tuple[int | None, ...]        # last count in the month; None when none was recorded
    pending: tuple[int | None, ...]


@dataclass(frozen=True)
class Stats:
    title: str
    public: bool                   # the public page's figures (public bulletins only)
    since: date | None
    until: date | None
    months: tuple[str, ...]        # "YYYY-MM", every month from the first to the last
    city: AreaStats
    areas: tuple[AreaStats, ...]
    categories: tuple[Count, ...]  # most first, then in the configured order
    roles: tuple[Count, ...]       # most first, then by name
    lists: tuple[ListSeries, ...]
    members_at: datetime | None    # the last member count read from the history

    def area(self, area_id: str) -> AreaStats:
        return next(a for a in self.areas if a.area == area_id)

    @property
    def has_sends(self) -> bool:
        return any(sum(s.messages) for s in self.lists)

    @property
    def has_members(self) -> bool:
        return self.members_at is not None


def _month(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _month_range(first: str, last: str) -> tuple[str, ...]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _in_period(moment: datetime, since: date | None, until: date | None, tz: ZoneInfo) -> bool:
    day = moment.astimezone(tz).date()
    return (since is None or day >= since) and (until is None or day <= until)


def _category_label(site: Site, key: str) -> Text:
    category = site.config.category(key) if key else None
    if category is not None:
        return Text(category.label_nl, category.label_en)
    return Text(key, key) if key else t("(geen categorie)", "(no category)")


def _role_label(role: str) -> Text:
    return role_text(role) if role else t("(onbekend)", "(unknown)")


def compute(site: Site, counted: Iterable[Bulletin], *, drafts: Iterable[Bulletin] = (),
            sent: Iterable[SentRecord] = (), member_counts: Iterable[MemberCount] = (),
            since: date | None = None, until: date | None = None, area_ids: Sequence[str] | None = None,
            public: bool = False) -> Stats:
    """All figures from bulletins that count (chosen by the caller), open drafts,
    the send ledger and the member history, for a period and a choice of areas."""
    config, tz = site.config, site.config.tz
    chosen = tuple(a.id for a in site.areas if area_ids is None or a.id in area_ids)
    chosen_set = frozenset(chosen)
    counted = tuple(counted)

    def touches(b: Bulletin) -> bool:
        return bool(chosen_set.intersection(b.areas))

    selected = [b for b in counted if touches(b) and _in_period(b.date, since, until, tz)]
    open_drafts = [b for b in drafts if b.received is not None and touches(b)
                   and _in_period(b.received, since, until, tz)]
    followed = frozenset(b.follow_up_of for b in counted if b.follow_up_of)
    list_area: dict[str, str] = {}
    for area in site.areas:
        list_area[area.members_list(config.mail.domain).lower()] = area.id
        list_area[area.partners_list(config.mail.domain).lower()] = area.id

    def wanted_list(address: str) -> bool:
        area = list_area.get(address, "")
        return area in chosen_set if area else area_ids is None

    sends = sorted((r for r in sent if wanted_list(r.list) and _in_period(r.sent_at, since, until, tz)),
                   key=lambda r: (r.sent_at, r.list, r.bulletin_id))
    # First send of each bulletin over all lists and all time: a send before
    # the period still makes the later resends no "first".
    first_send: dict[str, datetime] = {}
    for record in sorted(sent, key=lambda r: r.sent_at):
        first_send.setdefault(record.bulletin_id, record.sent_at)
    history = sorted((c for c in member_counts if wanted_list(c.list) and _in_period(c.at, since, until, tz)),
                     key=lambda c: (c.at, c.list))

    month_keys = [_month(b.date.astimezone(tz)) for b in selected]
    month_keys += [_month(r.sent_at.astimezone(tz)) for r in sends]
    month_keys += [_month(c.at.astimezone(tz)) for c in history]
    first = _month(since) if since else min(month_keys, default=None)
    last = _month(until) if until else max(month_keys, default=None)
    months = _month_range(first, last) if first and last and first <= last else ()
    index = {m: i for i, m in enumerate(months)}

    def area_stats(area_id: str, name: str, items: list[Bulletin], area_drafts: list[Bulletin]) -> AreaStats:
        per_month = [0] * len(months)
        for b in items:
            if not b.is_notice:
                per_month[index[_month(b.date.astimezone(tz))]] += 1
        reports = [b for b in items if not b.is_notice and not b.follow_up_of]
        send_delays = [(first_send[b.id] - b.date).total_seconds() for b in items if b.id in first_send]
        publication = [(b.date - b.received).total_seconds() for b in items if b.received is not None]
        return AreaStats(
            area=area_id, name=name, per_month=tuple(per_month),
            notices=sum(1 for b in items if b.is_notice),
            urgent=sum(1 for b in items if b.urgent),
            items=len(items),
            reports=len(reports),
            followed_up=sum(1 for b in reports if b.id in followed),
            follow_ups=sum(1 for b in items if b.follow_up_of),
            send_delay=Median.of(send_delays),
            publication_delay=Median.of(publication),
            open_reports=len(area_drafts),
        )

    # One pass to group by area: a filter per area was quadratic at city scale.
    selected_by_area: dict[str, list[Bulletin]] = {}
    drafts_by_area: dict[str, list[Bulletin]] = {}
    for grouped, source in ((selected_by_area, selected), (drafts_by_area, open_drafts)):
        for b in source:
            for area_id in dict.fromkeys(b.areas):
                grouped.setdefault(area_id, []).append(b)
    areas = tuple(
        area_stats(a.id, a.name, selected_by_area.get(a.id, []), drafts_by_area.get(a.id, []))
        for a in site.areas if a.id in chosen_set)
    city = area_stats("", config.title, selected, open_drafts)

    order = {c.id: i for i, c in enumerate(config.categories)}
    category_counts: dict[str, int] = {}
    role_counts: dict[str, int] = {}
    for b in selected:
        category_counts[b.category or ""] = category_counts.get(b.category or "", 0) + 1
        role = b.author.role if b.author else ""
        role_counts[role] = role_counts.get(role, 0) + 1
    categories = tuple(Count(k, v, _category_label(site, k)) for k, v in sorted(
        category_counts.items(), key=lambda kv: (-kv[1], kv[0] == "", order.get(kv[0], len(order)), kv[0])))
    roles = tuple(Count(k, v, _role_label(k)) for k, v in sorted(
        role_counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])))

    area_order = {a.id: i for i, a in enumerate(site.areas)}
    addresses = sorted({r.list for r in sends} | {c.list for c in history},
                       key=lambda l: (list_area.get(l) is None, area_order.get(list_area.get(l, ""), 0),
                                      l.split("@")[0].endswith("-partners"), l))
    series = []
    for address in addresses:
        messages = [0] * len(months)
        for record in sends:
            if record.list == address:
                messages[index[_month(record.sent_at.astimezone(tz))]] += 1
        members: list[int | None] = [None] * len(months)
        pending: list[int | None] = [None] * len(months)
        for count in history:  # oldest first: the month keeps its last count
            if count.list == address:
                slot = index[_month(count.at.astimezone(tz))]
                members[slot], pending[slot] = count.members, count.pending
        series.append(ListSeries(address, list_area.get(address, ""), tuple(messages), tuple(members), tuple(pending)))

    return Stats(
        title=config.title, public=public, since=since, until=until, months=months, city=city, areas=areas,
        categories=categories, roles=roles, lists=tuple(series),
        members_at=history[-1].at if history else None,
    )


def public_stats(site: Site, now: datetime) -> Stats:
    """The public page's figures: only what the public archive shows at ``now``."""
    shown = [b for b in site.bulletins if on_public_site(b, site.config, now)]
    return compute(site, shown, public=True)


def steering_stats(site: Site, now: datetime, *, sent: Iterable[SentRecord] = (),
                   member_counts: Iterable[MemberCount] = (), since: date | None = None,
                   until: date | None = None, area_ids: Sequence[str] | None = None) -> Stats:
    """The steering group's figures: every published bulletin, public or not."""
    counted = [b for b in site.bulletins if not b.draft and is_due(b, now)]
    drafts = [b for b in site.bulletins if b.draft]
    return compute(site, counted, drafts=drafts, sent=sent, member_counts=member_counts,
                   since=since, until=until, area_ids=area_ids)


def parse_day(value: str | None, tz: ZoneInfo, *, option: str) -> date | None:
    """``--since``/``--until`` as a date; BinsiteError when not understood."""
    if value is None:
        return None
    try:
        return parse_datetime(value, tz).date()
    except ValueError:
        raise BinsiteError(t("{o} {v!r} niet begrepen; schrijf een datum als 2026-10-01",
                             "{o} {v!r} not understood; write a date such as 2026-10-01", o=option, v=value)) from None


def load_stats(root: Path, *, now: datetime, since: str | None = None, until: str | None = None,
               area_ids: Sequence[str] = ()) -> tuple[Stats, list[Problem]]:
    """Read the site and the state files and compute the steering group's figures.

    Raises ``InvalidSite`` when the site has errors and ``BinsiteError`` for a bad
    option; returns the state files' warnings. Never contacts Mailman."""
    from binsite.load import load_site, site_cache  # the guard comes with it; only the CLI needs it

    with site_cache(root) as cache:
        site = load_site(root, now, cache=cache).raise_for_errors().site
    tz = site.config.tz
    unknown = [a for a in area_ids if a not in site.area_ids]
    if unknown:
        raise BinsiteError(t("onbekend gebied {a}; bekende gebieden: {known}", "unknown area {a}; known areas: {known}",
                             a=", ".join(unknown), known=", ".join(sorted(site.area_ids))))
    start, end = parse_day(since, tz, option="--since"), parse_day(until, tz, option="--until")
    if start and end and start > end:
        raise BinsiteError(t("--since ligt na --until", "--since is after --until"))
    # Where ``send`` and ``lists sync`` keep them (``BINSITE_STATE_DIR``, e.g. the demo's).
    sent, problems = read_sent_ledger(root, tz, rel=shown(sent_ledger(root), root))
    members, more = read_member_history(root, tz, rel=shown(members_log(root), root))
    stats = steering_stats(site, now, sent=sent, member_counts=members, since=start, until=end,
                           area_ids=list(area_ids) or None)
    return stats, problems + more


# --- Output: table, CSV, JSON -------------------------------------------------

def _rows(stats: Stats) -> list[tuple[str, str, str, str, object]]:
    """The figures as long ("tidy") rows: figure, area, month, group, value."""
    rows: list[tuple[str, str, str, str, object]] = []
    for a in (stats.city, *stats.areas):
        for month, n in zip(stats.months, a.per_month):
            rows.append(("bulletins", a.area, month, "", n))
    for a in (stats.city, *stats.areas):
        rows += [
            ("notices", a.area, "", "", a.notices),
            ("urgent", a.area, "", "", a.urgent),
            ("urgent_share", a.area, "", "", a.urgent_share),
            ("reports", a.area, "", "", a.reports),
            ("reports_followed_up", a.area, "", "", a.followed_up),
            ("follow_ups", a.area, "", "", a.follow_ups),
        ]
        if not stats.public:
            rows += [
                ("send_delay_count", a.area, "", "", a.send_delay.count),
                ("send_delay_median_hours", a.area, "", "", a.send_delay.hours),
                ("publication_delay_count", a.area, "", "", a.publication_delay.count),
                ("publication_delay_median_hours", a.area, "", "", a.publication_delay.hours),
                ("open_reports", a.area, "", "", a.open_reports),
            ]
    rows += [("category", "", "", c.key, c.value) for c in stats.categories]
    rows += [("author_role", "", "", r.key, r.value) for r in stats.roles]
    for s in stats.lists:
        for month, sent, members, pending in zip(stats.months, s.messages, s.members, s.pending):
            rows.append(("messages", s.area, month, s.list, sent))
            if members is not None:
                rows.append(("members", s.area, month, s.list, members))
                rows.append(("pending", s.area, month, s.list, pending))
    return rows


def as_csv(stats: Stats) -> str:
    """Long format with a fixed header (``figure,area,month,group,value``): an
    empty area is city-wide; shares are fractions (0.25), durations hours."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for figure, area, month, group, value in _rows(stats):
        writer.writerow((figure, area, month, group, "" if value is None else value))
    return buffer.getvalue()


def _median_json(m: Median) -> dict:
    return {"count": m.count, "median_hours": m.hours}


def as_dict(stats: Stats) -> dict:
    def area(a: AreaStats) -> dict:
        out = {
            "bulletins": a.bulletins, "per_month": dict(zip(stats.months, a.per_month)),
            "notices": a.notices, "urgent": a.urgent, "urgent_share": a.urgent_share,
            "reports": a.reports, "reports_followed_up": a.followed_up, "follow_ups": a.follow_ups,
        }
        if not stats.public:
            out |= {"send_delay": _median_json(a.send_delay), "publication_delay": _median_json(a.publication_delay),
                    "open_reports": a.open_reports}
        return out

    return {
        "version": JSON_VERSION,
        "title": stats.title,
        "public_only": stats.public,
        "since": stats.since.isoformat() if stats.since else None,
        "until": stats.until.isoformat() if stats.until else None,
        "months": list(stats.months),
        "city": area(stats.city),
        "areas": {a.area: area(a) for a in stats.areas},
        "categories": {c.key: c.value for c in stats.categories},
        "author_roles": {r.key: r.value for r in stats.roles},
        "lists": {s.list: {"area": s.area, "messages": dict(zip(stats.months, s.messages)),
                           "members": {m: n for m, n in zip(stats.months, s.members) if n is not None},
                           "pending": {m: n for m, n in zip(stats.months, s.pending) if n is not None}}
                  for s in stats.lists},
        "members_recorded_at": stats.members_at.isoformat() if stats.members_at else None,
        "members_may_be_stale": True,
    }


def as_json(stats: Stats) -> str:
    return json.dumps(as_dict(stats), ensure_ascii=False, indent=2) + "\n"


def short_month(month: str, lang: str) -> str:
    """``2026-11`` -> ``nov 2026`` (for column heads and chart axes)."""
    return format_month(int(month[:4]), int(month[5:]), lang)[:3] + " " + month[:4]


def _text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers."""
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def format_hours(hours: float | None, lang: str) -> str:
    if hours is None:
        return "–"
    if hours >= 48:
        return t("{d} dagen", "{d} days", d=format_number(round(hours / 24, 1), lang)).get(lang)
    return t("{h} uur", "{h} h", h=format_number(hours, lang)).get(lang)


def format_share(share: float | None, lang: str) -> str:
    return "–" if share is None else format_number(round(share * 100, 1), lang) + "%"


def as_table(stats: Stats, *, lang: str) -> str:
    """The figures as plain-text tables a steering group can read in a terminal."""
    def say(nl: str, en: str, **kw: object) -> str:
        return t(nl, en, **kw).get(lang)

    def num(value: int | None) -> str:
        return "–" if value is None else format_number(value, lang)

    everyone = (stats.city, *stats.areas)
    city_name = say("Totaal", "Total")
    out = [say("Statistieken {s}", "Statistics {s}", s=stats.title)]
    period = say("alles", "everything")
    if stats.since or stats.until:
        period = " – ".join([format_date(stats.since, lang) if stats.since else "…",
                             format_date(stats.until, lang) if stats.until else "…"])
    out.append(say("Periode: {p}. Gebieden: {a}.", "Period: {p}. Areas: {a}.", p=period,
                   a=", ".join(a.name for a in stats.areas)))
    out.append(say("Geteld: alle verschenen berichten, ook die niet openbaar zijn; concepten en geplande berichten niet.",
                   "Counted: every bulletin that appeared, also non-public ones; no drafts or scheduled bulletins."))

    def section(title: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        out.extend(["", title, *_text_table(head, rows)])

    months = [short_month(m, lang) for m in stats.months]
    section(say("Berichten per gebied per maand (zonder mededelingen)", "Bulletins per area per month (without notices)"),
            [say("Gebied", "Area"), *months, say("Totaal", "Total")],
            [[a.name, *map(num, a.per_month), num(a.bulletins)] for a in stats.areas]
            + [[city_name, *map(num, stats.city.per_month), num(stats.city.bulletins)]])
    section(say("Per gebied", "Per area"),
            [say("Gebied", "Area"), say("Berichten", "Bulletins"), say("Mededelingen", "Notices"),
             say("Urgent", "Urgent"), say("% urgent", "% urgent"), say("Meldingen", "Reports"),
             say("Met terugkoppeling", "Followed up"), say("Vervolgberichten", "Follow-ups")],
            [[a.name if a.area else city_name, num(a.bulletins), num(a.notices), num(a.urgent),
              format_share(a.urgent_share, lang), num(a.reports),
              f"{num(a.followed_up)} ({format_share(a.followed_up_share, lang)})", num(a.follow_ups)]
             for a in (*stats.areas, stats.city)])
    section(say("Per categorie (berichten en mededelingen)", "Per category (bulletins and notices)"),
            [say("Categorie", "Category"), say("Aantal", "Count")],
            [[c.label.get(lang), num(c.value)] for c in stats.categories])
    section(say("Per afzender", "Per author"),
            [say("Afzender", "Author"), say("Aantal", "Count")],
            [[r.label.get(lang), num(r.value)] for r in stats.roles])
    if stats.public:
        return "\n".join(out) + "\n"

    section(say("Verzonden e-mails per lijst per maand (uit {f})", "Messages sent per list per month (from {f})", f=SENT_LEDGER),
            [say("Lijst", "List"), *months, say("Totaal", "Total")],
            [[s.list, *map(num, s.messages), num(sum(s.messages))] for s in stats.lists if sum(s.messages)]
            or [[say("(nog niets verzonden)", "(nothing sent yet)"), *([""] * (len(months) + 1))]])
    section(say("Doorlooptijden (mediaan)", "Lead times (median)"),
            [say("Gebied", "Area"), say("Datum → eerste e-mail", "Date → first e-mail"), say("n", "n"),
             say("Melding → publicatie", "Report → publication"), say("n", "n"), say("Open concepten", "Open drafts")],
            [[a.name if a.area else city_name, format_hours(a.send_delay.hours, lang), num(a.send_delay.count),
              format_hours(a.publication_delay.hours, lang), num(a.publication_delay.count), num(a.open_reports)]
             for a in (*stats.areas, stats.city)])
    with_members = [s for s in stats.lists if any(n is not None for n in s.members)]
    if with_members:
        section(say("Leden per lijst (laatste telling in de maand; aanmeldingen in afwachting tussen haakjes)",
                    "Members per list (last count in the month; pending requests in brackets)"),
                [say("Lijst", "List"), *months],
                [[s.list, *("–" if m is None else f"{num(m)} ({num(p)})" for m, p in zip(s.members, s.pending))]
                 for s in with_members])
        out.append(say(
            "Ledentallen komen uit {f} (laatste telling {w}), bijgewerkt bij elke send en lists sync. "
            "binsite stats vraagt Mailman niets: de cijfers kunnen verouderd zijn.",
            "Member figures come from {f} (last count {w}), updated at every send and lists sync. "
            "binsite stats does not ask Mailman: the figures may be stale.",
            f=MEMBERS_HISTORY, w=format_datetime(stats.members_at, lang)))
    else:
        out.extend(["", say(
            "Geen ledentallen: {f} ontbreekt of is leeg (het wordt bijgewerkt bij elke send en lists sync).",
            "No member figures: {f} is missing or empty (it is updated at every send and lists sync).",
            f=MEMBERS_HISTORY)])
    return "\n".join(out) + "\n"


def render(stats: Stats, fmt: str, *, lang: str) -> str:
    """``stats`` as ``table``, ``csv`` or ``json``."""
    if fmt == "csv":
        return as_csv(stats)
    if fmt == "json":
        return as_json(stats)
    if fmt == "table":
        return as_table(stats, lang=lang)
    raise BinsiteError(t("onbekend formaat {f!r}; kies uit {k}", "unknown format {f!r}; choose from {k}",
                         f=fmt, k=", ".join(FORMATS)))
