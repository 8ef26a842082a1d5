"""The figures for the steering group (``binsite stats``) and the public
statistics page: pure functions of the site, the bulletins that count and the
records read from the state files (``binsite.stats.sources``), so the same
input gives the same figures. The output formats are in ``report``.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from binsite.source.content import Bulletin
from binsite.i18n import Text, role_text, t
from binsite.model.site import Site, is_due, on_public_site
from binsite.paths import DEFAULT_STATE_DIR

# Where the state files are when ``BINSITE_STATE_DIR`` is not set: what a
# ``Stats`` says it was counted from unless ``sources.load_stats`` says otherwise.
SENT_LEDGER = f"{DEFAULT_STATE_DIR}/sent.jsonl"
MEMBERS_HISTORY = f"{DEFAULT_STATE_DIR}/members.jsonl"
BOUNCES_LOG = f"{DEFAULT_STATE_DIR}/bounces.jsonl"


# --- Records read from the state files (by ``sources``) ---------------------

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


@dataclass(frozen=True)
class BounceRecord:
    """Bounces Mailman counted for one member of a list, at its last bounce (never an address)."""

    list: str
    at: datetime
    bounces: int


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
    bounces: tuple[int, ...] = ()          # aligned with ``Stats.months`` (``state/bounces.jsonl``)


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
    # The state files counted from, as messages name them (``BINSITE_STATE_DIR`` moves them).
    sent_from: str = SENT_LEDGER
    members_from: str = MEMBERS_HISTORY
    bounces_from: str = BOUNCES_LOG

    def area(self, area_id: str) -> AreaStats:
        return next(a for a in self.areas if a.area == area_id)

    @property
    def has_sends(self) -> bool:
        return any(sum(s.messages) for s in self.lists)

    @property
    def has_bounces(self) -> bool:
        return any(sum(s.bounces) for s in self.lists)

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
            bounces: Iterable[BounceRecord] = (),
            since: date | None = None, until: date | None = None, area_ids: Sequence[str] | None = None,
            public: bool = False) -> Stats:
    """All figures from bulletins that count (chosen by the caller), open drafts,
    the send ledger, the member history and the bounces, for a period and a choice of areas."""
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
    list_order: dict[str, int] = {}  # within an area: members, weekly, partners
    for area in site.areas:
        for order, (_kind, address) in enumerate(area.lists(config.mail.domain)):
            list_area[address.lower()] = area.id
            list_order[address.lower()] = order

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
    bounced = [b for b in bounces if wanted_list(b.list) and _in_period(b.at, since, until, tz)]

    month_keys = [_month(b.date.astimezone(tz)) for b in selected]
    month_keys += [_month(r.sent_at.astimezone(tz)) for r in sends]
    month_keys += [_month(c.at.astimezone(tz)) for c in history]
    month_keys += [_month(b.at.astimezone(tz)) for b in bounced]
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
    addresses = sorted({r.list for r in sends} | {c.list for c in history} | {b.list for b in bounced},
                       key=lambda l: (list_area.get(l) is None, area_order.get(list_area.get(l, ""), 0),
                                      list_order.get(l, 0), l))
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
        bounce_counts = [0] * len(months)
        for record in bounced:
            if record.list == address:
                bounce_counts[index[_month(record.at.astimezone(tz))]] += record.bounces
        series.append(ListSeries(address, list_area.get(address, ""), tuple(messages), tuple(members), tuple(pending),
                                 tuple(bounce_counts)))

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
                   member_counts: Iterable[MemberCount] = (), bounces: Iterable[BounceRecord] = (),
                   since: date | None = None,
                   until: date | None = None, area_ids: Sequence[str] | None = None) -> Stats:
    """The steering group's figures: every published bulletin, public or not."""
    counted = [b for b in site.bulletins if not b.draft and is_due(b, now)]
    drafts = [b for b in site.bulletins if b.draft]
    return compute(site, counted, drafts=drafts, sent=sent, member_counts=member_counts, bounces=bounces,
                   since=since, until=until, area_ids=area_ids)
