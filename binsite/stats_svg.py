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

from binsite.i18n import format_month, format_number, t
from binsite.stats import AreaStats, Stats, format_share, short_month

WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
# Colours with at least 3:1 against white for marks (WCAG 1.4.11) and
# 4.5:1 for text; the page's own brand and text colours.
INK = "#1a1a1a"
MARK = "#0b4f7c"
GRID = "#767676"
LABEL_WIDTH = 190
ROW = 30
BAR = 20
MAX_LABEL = 26


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


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(chart_id: str, *, title: str, desc: str, label_head: str, value_head: str,
              items: Sequence[tuple[str, int]], lang: str) -> Chart:
    """Horizontal bars, one per item, each with its label and value written out."""
    biggest = max((v for _, v in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 56   # leave space for the value after the longest bar
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
               months: Sequence[str], values: Sequence[int], lang: str) -> Chart:
    """A line over the months, with a marker and the value at every month."""
    height, left, right, top, bottom = 260, 56, WIDTH - 40, 28, 260 - 44
    axis_top, step = _nice_top(max(values, default=0))
    span = max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + (right - left) * (index / span if len(months) > 1 else 0.5), 1)

    def y_of(value: int) -> float:
        return round(bottom - (bottom - top) * value / axis_top, 1)

    points = tuple(Point(x=x_of(i), y=y_of(v), value_text=format_number(v, lang), label_y=round(y_of(v) - 9, 1))
                   for i, v in enumerate(values))
    every = max(1, math.ceil(len(months) / 8))  # keep month names from running into each other
    x_ticks = tuple(Tick(x_of(i), short_month(m, lang), bottom + 24) for i, m in enumerate(months) if i % every == 0)
    y_ticks = tuple(Tick(y_of(v), format_number(v, lang), left - 8) for v in range(0, axis_top + 1, step))
    rows = tuple(Row(format_month(int(m[:4]), int(m[5:]), lang), format_number(v, lang)) for m, v in zip(months, values))
    return Chart(id=chart_id, kind="line", title=title, desc=desc, label_head=label_head, value_head=value_head,
                 rows=rows, width=WIDTH, height=height, points=points if len(points) <= 24 else (),
                 polyline=" ".join(f"{p.x},{p.y}" for p in points), y_ticks=y_ticks, x_ticks=x_ticks,
                 plot_left=left, plot_right=right, plot_top=top, plot_bottom=bottom)


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
    month_chart = line_chart(
        "grafiek-per-maand", title=say("Berichten per maand", "Bulletins per month"),
        desc=_month_desc(say("Alle gebieden", "All areas"), stats.months, stats.city.per_month, lang),
        label_head=month_head, value_head=count_head, months=stats.months, values=stats.city.per_month,
        lang=lang) if has_months else None
    per_area = [(a.name, a.bulletins) for a in stats.areas]
    area_chart = bar_chart(
        "grafiek-per-gebied", title=say("Berichten per gebied", "Bulletins per area"),
        desc=_ranking_desc(say("Berichten per gebied", "Bulletins per area"), per_area, lang),
        label_head=say("Gebied", "Area"), value_head=count_head, items=per_area, lang=lang) if has_months else None
    per_category = [(c.label.get(lang), c.value) for c in stats.categories]
    category_chart = bar_chart(
        "grafiek-per-categorie", title=say("Berichten en mededelingen per categorie", "Bulletins and notices per category"),
        desc=_ranking_desc(say("Per categorie", "Per category"), per_category, lang),
        label_head=say("Categorie", "Category"), value_head=say("Aantal", "Count"),
        items=per_category, lang=lang) if per_category else None
    per_role = [(r.label.get(lang), r.value) for r in stats.roles]
    role_chart = bar_chart(
        "grafiek-per-afzender", title=say("Berichten en mededelingen per afzender", "Bulletins and notices per author"),
        desc=_ranking_desc(say("Per afzender", "Per author"), per_role, lang),
        label_head=say("Afzender", "Author"), value_head=say("Aantal", "Count"),
        items=per_role, lang=lang) if per_role else None
    sections = tuple(
        AreaSection(a, line_chart(
            f"grafiek-gebied-{a.area}", title=say("Berichten per maand in {n}", "Bulletins per month in {n}", n=a.name),
            desc=_month_desc(a.name, stats.months, a.per_month, lang),
            label_head=month_head, value_head=count_head, months=stats.months, values=a.per_month, lang=lang)
            if has_months and a.bulletins else None)
        for a in stats.areas)
    return StatsPage(stats=stats, built=built, csv_path=csv_path, lang=lang, month_chart=month_chart, area_chart=area_chart, category_chart=category_chart,
                     role_chart=role_chart, areas=sections)
