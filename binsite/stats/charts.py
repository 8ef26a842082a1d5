"""Charts for the public statistics page, laid out at build time (pure).

Python computes the geometry; ``templates/partials/chart.html`` writes it as
inline SVG with presentation attributes only (the site's CSP allows no inline
``style``), so the page needs no JavaScript and no chart service. Every chart
has one colour for one series and its values written next to the marks, a
title and a text alternative, and the template puts a data table beside it:
no meaning rests on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from binsite.i18n import format_date, format_month, format_number, t
from binsite.stats.figures import AreaStats, Stats
from binsite.stats.report import format_share, short_month

# Laid out for a phone: the SVG scales to the screen, so 400 units on a
# 343 px column keep 15-unit text at about 13 px (at 640 units it was 7 px).
# On a wide screen CSS caps the chart's width (32rem), so text stays ~19 px.
WIDTH = 400
FONT_SIZE = 15
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
# Colours with at least 3:1 against white for marks (WCAG 1.4.11) and
# 4.5:1 for text; the page's own brand and text colours.
INK = "#1a1a1a"
MARK = "#0b4f7c"
GRID = "#767676"
LABEL_WIDTH = 150
ROW = 30
BAR = 20
MAX_LABEL = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float            # top of the bar
    width: float
    text_y: float       # baseline of the label and value
    value_x: float      # where the value is written, after the bar


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value_text: str
    label_y: float      # baseline of the value written above the point
    partial: bool = False   # the month is not over: drawn hollow


@dataclass(frozen=True)
class Tick:
    at: float           # y for the value axis, x for the month axis
    text: str
    text_at: float      # the other coordinate of its label: x for values, y for months


@dataclass(frozen=True)
class Row:
    """One row of the data table beside a chart."""

    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    id: str
    kind: str                       # "bar" (horizontal) | "line"
    title: str
    desc: str                       # the text alternative: what the chart says
    label_head: str                 # the data table's column heads
    value_head: str
    rows: tuple[Row, ...]
    width: int
    height: int
    font: str = FONT
    font_size: int = FONT_SIZE
    ink: str = INK
    mark: str = MARK
    grid: str = GRID
    # bar charts
    bars: tuple[Bar, ...] = ()
    bar_x: float = LABEL_WIDTH
    label_x: float = LABEL_WIDTH - 8
    bar_height: float = BAR
    # line charts
    points: tuple[Point, ...] = ()
    polyline: str = ""
    y_ticks: tuple[Tick, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    plot_left: float = 0
    plot_right: float = 0
    plot_top: float = 0
    plot_bottom: float = 0
    # the month still running: its segment dashed, its marker hollow, and this note
    partial_polyline: str = ""
    partial_note: str = ""


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(chart_id: str, *, title: str, desc: str, label_head: str, value_head: str,
              items: Sequence[tuple[str, int]], lang: str) -> Chart:
    """Horizontal bars, one per item, each with its label and value written out."""
    biggest = max((v for _, v in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 48   # leave space for the value after the longest bar
    bars = []
    for index, (label, value) in enumerate(items):
        top = 8 + index * ROW
        bars.append(Bar(label=_short(label), value_text=format_number(value, lang), y=top,
                        width=round(room * value / biggest, 1), text_y=top + BAR - 5,
                        value_x=round(LABEL_WIDTH + room * value / biggest + 6, 1)))
    rows = tuple(Row(label, format_number(value, lang)) for label, value in items)
    return Chart(id=chart_id, kind="bar", title=title, desc=desc, label_head=label_head, value_head=value_head,
                 rows=rows, width=WIDTH, height=16 + ROW * max(len(items), 1), bars=tuple(bars))


def _nice_top(biggest: int) -> tuple[int, int]:
    """An axis maximum and step: 0, step, 2*step, ... with at most 5 steps."""
    if biggest <= 0:
        return 1, 1
    for magnitude in (10 ** k for k in range(0, 12)):
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(biggest / step) <= 5:
                return step * math.ceil(biggest / step), step
    raise AssertionError(biggest)


def line_chart(chart_id: str, *, title: str, desc: str, label_head: str, value_head: str,
               months: Sequence[str], values: Sequence[int], lang: str, partial_until: datetime | None = None) -> Chart:
    """A line over the months, with a marker and the value at every month.

    ``partial_until``: the last month is still running (counted up to this
    day): a reader must not take its low value for a collapse, so its
    segment is dashed, its marker hollow, and a note and the table say so."""
    height, left, right, top, bottom = 260, 44, WIDTH - 36, 28, 260 - 44
    axis_top, step = _nice_top(max(values, default=0))
    span = max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + (right - left) * (index / span if len(months) > 1 else 0.5), 1)

    def y_of(value: int) -> float:
        return round(bottom - (bottom - top) * value / axis_top, 1)

    partial = partial_until is not None and bool(months)
    last = len(values) - 1
    points = tuple(Point(x=x_of(i), y=y_of(v), value_text=format_number(v, lang), label_y=round(y_of(v) - 9, 1),
                         partial=partial and i == last)
                   for i, v in enumerate(values))
    every = max(1, math.ceil(len(months) / 4))  # keep month names from running into each other on a phone
    shown = [i for i in range(len(months)) if i % every == 0]
    if partial and last not in shown:  # the running month always has its label (and its asterisk)
        if shown and last - shown[-1] < every:
            shown.pop()
        shown.append(last)
    x_ticks = tuple(Tick(x_of(i), short_month(months[i], lang) + ("*" if partial and i == last else ""), bottom + 24)
                    for i in shown)
    y_ticks = tuple(Tick(y_of(v), format_number(v, lang), left - 8) for v in range(0, axis_top + 1, step))
    note = ""
    if partial:
        running = format_month(int(months[-1][:4]), int(months[-1][5:]), lang)
        note = t("* {m} loopt nog: geteld tot en met {d}. Een lage waarde is nog geen daling.",
                 "* {m} is still running: counted up to {d}. A low value is not yet a fall.",
                 m=running, d=format_date(partial_until, lang)).get(lang)
    rows = tuple(Row(format_month(int(m[:4]), int(m[5:]), lang)
                     + (t(" (loopt nog)", " (still running)").get(lang) if partial and i == last else ""),
                     format_number(v, lang)) for i, (m, v) in enumerate(zip(months, values)))
    solid = points[:-1] if partial and len(points) > 1 else points
    return Chart(id=chart_id, kind="line", title=title, desc=desc + (" " + note.lstrip("* ") if note else ""),
                 label_head=label_head, value_head=value_head,
                 rows=rows, width=WIDTH, height=height, points=points if len(points) <= 24 else (),
                 polyline=" ".join(f"{p.x},{p.y}" for p in solid), y_ticks=y_ticks, x_ticks=x_ticks,
                 plot_left=left, plot_right=right, plot_top=top, plot_bottom=bottom,
                 partial_polyline=" ".join(f"{p.x},{p.y}" for p in points[-2:]) if partial and len(points) > 1 else "",
                 partial_note=note)


# --- The page ----------------------------------------------------------------

@dataclass(frozen=True)
class AreaSection:
    figures: AreaStats
    chart: Chart | None


@dataclass(frozen=True)
class StatsPage:
    stats: Stats
    built: datetime
    csv_path: str
    lang: str
    month_chart: Chart | None
    area_chart: Chart | None
    category_chart: Chart | None
    role_chart: Chart | None
    areas: tuple[AreaSection, ...]

    def share(self, value: float | None) -> str:
        return format_share(value, self.lang)


def _month_desc(name: str, months: Sequence[str], values: Sequence[int], lang: str) -> str:
    total = sum(values)
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    first, last = (format_month(int(m[:4]), int(m[5:]), lang) for m in (months[0], months[-1]))
    peak_month = format_month(int(months[peak][:4]), int(months[peak][5:]), lang)
    return t("{n}: {total} berichten van {a} tot en met {b}; de meeste in {p} ({v}).",
             "{n}: {total} bulletins from {a} to {b}; most in {p} ({v}).",
             n=name, total=format_number(total, lang), a=first, b=last, p=peak_month,
             v=format_number(values[peak], lang)).get(lang)


def _ranking_desc(what: str, items: Sequence[tuple[str, int]], lang: str) -> str:
    listed = "; ".join(f"{label} {format_number(value, lang)}" for label, value in items)
    return f"{what}: {listed}."


def stats_page(stats: Stats, *, built: datetime, csv_path: str, lang: str) -> StatsPage:
    """The charts of the public statistics page, city-wide and per area."""
    def say(nl: str, en: str, **kw: object) -> str:
        return t(nl, en, **kw).get(lang)

    month_head, count_head = say("Maand", "Month"), say("Berichten", "Bulletins")
    has_months = bool(stats.months) and stats.city.bulletins > 0
    # The month the site is built in is not over: its bar would read as a collapse.
    running = built if stats.months and stats.months[-1] == f"{built.year:04d}-{built.month:02d}" else None
    month_chart = line_chart(
        "grafiek-per-maand", title=say("Berichten per maand", "Bulletins per month"),
        desc=_month_desc(say("Alle gebieden", "All areas"), stats.months, stats.city.per_month, lang),
        label_head=month_head, value_head=count_head, months=stats.months, values=stats.city.per_month,
        lang=lang, partial_until=running) if has_months else None
    def ranking(chart_id: str, title: str, what: str, label_head: str, value_head: str,
                items: list[tuple[str, int]]) -> Chart:
        return bar_chart(chart_id, title=title, desc=_ranking_desc(what, items, lang), label_head=label_head,
                         value_head=value_head, items=items, lang=lang)

    per_area = [(a.name, a.bulletins) for a in stats.areas]
    area_chart = ranking("grafiek-per-gebied", say("Berichten per gebied", "Bulletins per area"),
                         say("Berichten per gebied", "Bulletins per area"), say("Gebied", "Area"), count_head,
                         per_area) if has_months else None
    per_category = [(c.label.get(lang), c.value) for c in stats.categories]
    category_chart = ranking(
        "grafiek-per-categorie", say("Berichten en mededelingen per categorie", "Bulletins and notices per category"),
        say("Per categorie", "Per category"), say("Categorie", "Category"), say("Aantal", "Count"),
        per_category) if per_category else None
    per_role = [(r.label.get(lang), r.value) for r in stats.roles]
    role_chart = ranking(
        "grafiek-per-afzender", say("Berichten en mededelingen per afzender", "Bulletins and notices per author"),
        say("Per afzender", "Per author"), say("Afzender", "Author"), say("Aantal", "Count"),
        per_role) if per_role else None
    sections = tuple(
        AreaSection(a, line_chart(
            f"grafiek-gebied-{a.area}", title=say("Berichten per maand in {n}", "Bulletins per month in {n}", n=a.name),
            desc=_month_desc(a.name, stats.months, a.per_month, lang),
            label_head=month_head, value_head=count_head, months=stats.months, values=a.per_month, lang=lang,
            partial_until=running) if has_months and a.bulletins else None)
        for a in stats.areas)
    return StatsPage(stats=stats, built=built, csv_path=csv_path, lang=lang, month_chart=month_chart, area_chart=area_chart, category_chart=category_chart,
                     role_chart=role_chart, areas=sections)
