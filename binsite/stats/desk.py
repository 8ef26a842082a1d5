"""The desk's figures per area and month, from the logbook (``binsite.desk.logbook``).

The "nulmeting": how many reports came in, how many were forwarded to the
partners, answered (terugkoppeling to the resident), how many bulletins were
published, and the median time from a report's arrival to its first
handling (forward, accept, reject, discard or answer). A report counts in the
month it arrived, whatever month it was handled; a bulletin in the month it
was published. Pure: ``desk_figures(lines, tz)``; the reading is the caller's.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from binsite.errors import BinsiteError
from binsite.i18n import t

HANDLING = ("forward", "accept", "reject", "discard", "answer")


@dataclass(frozen=True)
class DeskMonth:
    area: str
    month: str                  # YYYY-MM, in the site's time zone
    reports: int
    forwarded: int
    answered: int
    published: int
    handled: int
    median_hours: float | None  # from arrival to first handling, of the reports handled
    # The partners' door (binsite.desk.partners): notices written, answers given, and the
    # median time from the forward to the partners to their first answer.
    partner_notices: int = 0
    partner_answers: int = 0
    median_answer_hours: float | None = None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def desk_figures(lines: Iterable[dict[str, object]], tz: ZoneInfo, *, area_ids: Iterable[str] = (),
                 since: str | None = None, until: str | None = None) -> list[DeskMonth]:
    """Per (area, month) the desk's figures, sorted by area then month. ``since``/``until``
    are months (``YYYY-MM``), inclusive."""
    from binsite.desk.partners import partner_figures

    lines = list(lines)
    wanted = set(area_ids)
    by_partners = partner_figures(lines, tz, area_ids=wanted)
    reports: dict[str, dict[str, object]] = {}   # report -> area, received, first handled, forwarded, answered
    published: dict[tuple[str, str], set[str]] = {}
    for line in lines:
        area = line.get("area")
        at = _moment(line.get("at"))
        if not isinstance(area, str) or at is None or (wanted and area not in wanted):
            continue
        action = line.get("action")
        if action == "publish":
            key = (area, at.astimezone(tz).strftime("%Y-%m"))
            published.setdefault(key, set()).add(str(line.get("bulletin") or line.get("commit") or at.isoformat()))
            continue
        report = line.get("report")
        if not isinstance(report, str):
            continue
        state = reports.setdefault(report, {"area": area, "received": None, "handled": None,
                                            "forwarded": False, "answered": False})
        received = _moment(line.get("received"))
        if received is not None and (state["received"] is None or received < state["received"]):  # type: ignore[operator]
            state["received"] = received
        if action in HANDLING and (state["handled"] is None or at < state["handled"]):  # type: ignore[operator]
            state["handled"] = at
        state["forwarded"] = state["forwarded"] or action == "forward"
        state["answered"] = state["answered"] or action == "answer"
    months: dict[tuple[str, str], dict[str, object]] = {}

    def month_of(key: tuple[str, str]) -> dict[str, object]:
        return months.setdefault(key, {"reports": 0, "forwarded": 0, "answered": 0, "handled": 0, "hours": []})

    for state in reports.values():
        arrived = state["received"] or state["handled"]
        if arrived is None:
            continue
        figures = month_of((str(state["area"]), arrived.astimezone(tz).strftime("%Y-%m")))  # type: ignore[union-attr]
        figures["reports"] += 1  # type: ignore[operator]
        figures["forwarded"] += int(bool(state["forwarded"]))  # type: ignore[operator]
        figures["answered"] += int(bool(state["answered"]))  # type: ignore[operator]
        if state["handled"] is not None and state["received"] is not None:
            figures["handled"] += 1  # type: ignore[operator]
            seconds = max(0.0, (state["handled"] - state["received"]).total_seconds())  # type: ignore[operator]
            figures["hours"].append(seconds / 3600)  # type: ignore[union-attr]
    for key in [*published, *by_partners]:
        month_of(key)
    found = []
    for (area, month), figures in sorted(months.items()):
        if (since and month < since) or (until and month > until):
            continue
        hours = figures["hours"]
        partners = by_partners.get((area, month))
        found.append(DeskMonth(area, month, int(figures["reports"]), int(figures["forwarded"]),  # type: ignore[arg-type]
                               int(figures["answered"]), len(published.get((area, month), ())),  # type: ignore[arg-type]
                               int(figures["handled"]),  # type: ignore[arg-type]
                               round(statistics.median(hours), 1) if hours else None,  # type: ignore[arg-type]
                               partners.notices if partners else 0, partners.answers if partners else 0,
                               partners.median_answer_hours if partners else None))
    return found


def load_desk_figures(root: Path, *, area_ids: Iterable[str] = (), since: str | None = None,
                      until: str | None = None) -> list[DeskMonth]:
    """The figures of the logbook of the site at ``root`` (``since``/``until``: a date or a month)."""
    from binsite.desk.logbook import lines
    from binsite.source.network import load_network

    network = load_network(root).raise_for_errors()
    known = {a.id for a in network.areas}
    unknown = [a for a in area_ids if a not in known]
    if unknown:
        raise BinsiteError(t("onbekend gebied {a!r}; bekende gebieden: {k}", "unknown area {a!r}; known areas: {k}",
                             a=unknown[0], k=", ".join(sorted(known))))
    return desk_figures(lines(root), network.config.tz, area_ids=area_ids,
                        since=_month(since, "--since"), until=_month(until, "--until"))


def _month(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        raise BinsiteError(t("{o} {v!r}: geef een datum als 2026-09-01 of een maand als 2026-09",
                             "{o} {v!r}: give a date like 2026-09-01 or a month like 2026-09", o=option, v=value))
    return text[:7]


def hours_text(hours: float | None, lang: str) -> str:
    """``45 min``, ``3,5 uur``, ``2,1 dagen`` (``3.5 h``, ``2.1 days`` in English)."""
    if hours is None:
        return "-"
    if hours < 1:
        return f"{round(hours * 60)} min"
    value, unit = (hours, ("uur", "h")) if hours < 48 else (hours / 24, ("dagen", "days"))
    number = f"{value:.1f}"
    return f"{number} {unit[1]}" if lang == "en" else f"{number.replace('.', ',')} {unit[0]}"


def render_desk(rows: list[DeskMonth], fmt: str, *, lang: str) -> str:
    """The figures as a table (reading), CSV (spreadsheets) or JSON (other tools)."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
    heads = [t("gebied", "area"), t("maand", "month"), t("meldingen", "reports"), t("doorgestuurd", "forwarded"),
             t("beantwoord", "answered"), t("gepubliceerd", "published"), t("mediane behandeltijd", "median time to handle"),
             t("berichten partners", "partners' notices"), t("antwoorden partners", "partners' answers"),
             t("mediaan tot antwoord partner", "median time to partner's answer")]
    labels = [h.get(lang) for h in heads]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(labels[:6] + [t("mediane behandeltijd (uren)", "median time to handle (hours)").get(lang)]
                        + labels[7:9] + [t("mediaan tot antwoord partner (uren)",
                                           "median time to partner's answer (hours)").get(lang)])
        for r in rows:
            writer.writerow([r.area, r.month, r.reports, r.forwarded, r.answered, r.published,
                             "" if r.median_hours is None else r.median_hours, r.partner_notices, r.partner_answers,
                             "" if r.median_answer_hours is None else r.median_answer_hours])
        return out.getvalue()
    if not rows:
        return t("Het logboek van de balie is nog leeg: er is nog niets afgehandeld.\n",
                 "The desk's logbook is still empty: nothing has been handled yet.\n").get(lang)
    table = [labels] + [[r.area, r.month, str(r.reports), str(r.forwarded), str(r.answered), str(r.published),
                         hours_text(r.median_hours, lang), str(r.partner_notices), str(r.partner_answers),
                         hours_text(r.median_answer_hours, lang)] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(labels))]
    lines = []
    for index, row in enumerate(table):
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
