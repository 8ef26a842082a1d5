"""The steering group's figures as text: a table for the terminal, CSV for
spreadsheets, JSON for other tools (``render`` picks one of ``FORMATS``). Pure."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from binsite.errors import BinsiteError
from binsite.i18n import format_date, format_datetime, format_month, format_number, t
from binsite.stats import FORMATS
from binsite.stats.figures import AreaStats, Median, Stats

CSV_COLUMNS = ("figure", "area", "month", "group", "value")
JSON_VERSION = 1


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
        for month, bounces in zip(stats.months, s.bounces):
            if bounces:
                rows.append(("bounces", s.area, month, s.list, bounces))
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
                           "pending": {m: n for m, n in zip(stats.months, s.pending) if n is not None},
                           "bounces": {m: n for m, n in zip(stats.months, s.bounces) if n}}
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

    section(say("Verzonden e-mails per lijst per maand (uit {f})", "Messages sent per list per month (from {f})", f=stats.sent_from),
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
            f=stats.members_from, w=format_datetime(stats.members_at, lang)))
    else:
        out.extend(["", say(
            "Geen ledentallen: {f} ontbreekt of is leeg (het wordt bijgewerkt bij elke send en lists sync).",
            "No member figures: {f} is missing or empty (it is updated at every send and lists sync).",
            f=stats.members_from)])
    with_bounces = [s for s in stats.lists if sum(s.bounces)]
    if with_bounces:
        section(say("Bounces per lijst per maand (uit {f}; hoogstens één per lid per dag, zoals Mailman telt)",
                    "Bounces per list per month (from {f}; at most one per member per day, as Mailman counts)",
                    f=stats.bounces_from),
                [say("Lijst", "List"), *months, say("Totaal", "Total")],
                [[s.list, *map(num, s.bounces), num(sum(s.bounces))] for s in with_bounces])
    else:
        out.extend(["", say("Geen bounces geteld in {f} (bijgewerkt bij elke send en lists sync).",
                            "No bounces counted in {f} (updated at every send and lists sync).",
                            f=stats.bounces_from)])
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
