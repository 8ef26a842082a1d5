"""The audit trail of the desk: privileged actions per person and month, from the logbook.

``binsite stats --desk --audit`` lists, per person (a role and the short digest
the logbook knows them by, never an address) and month, how often each
privileged action (``logbook.AUDITED``: logins and their second step, factors
added, removed, reset or refused, publishing, approving, forwarding, erasing,
imports and member changes) happened. The steering group's page
(``audit_counts``) shows counts per month and action only, no person. Pure:
the reading is the caller's.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from binsite.desk.logbook import AUDITED
from binsite.i18n import t
from binsite.stats.desk import _moment


@dataclass(frozen=True)
class AuditRow:
    person: str     # "binco 1a2b3c4d", "partner 5e6f7a8b", "operator"
    month: str      # YYYY-MM in the site's time zone
    action: str
    count: int


def _person(by: object) -> str:
    if not isinstance(by, dict):
        return "?"
    role, ident = str(by.get("role", "?"))[:20], str(by.get("id", ""))[:16]
    return f"{role} {ident}".strip()


def audit_rows(lines: Iterable[dict[str, object]], tz: ZoneInfo, *, since: str | None = None,
               until: str | None = None) -> list[AuditRow]:
    """Per (person, month, action) how often; sorted by person, month, action."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for line in lines:
        action, at = line.get("action"), _moment(line.get("at"))
        if action not in AUDITED or at is None:
            continue
        month = at.astimezone(tz).strftime("%Y-%m")
        if (since and month < since) or (until and month > until):
            continue
        counts[(_person(line.get("by")), month, str(action))] += 1
    return [AuditRow(p, m, a, n) for (p, m, a), n in sorted(counts.items())]


def audit_counts(lines: Iterable[dict[str, object]], tz: ZoneInfo) -> list[tuple[str, str, int]]:
    """``(month, action, count)`` over everyone: what the steering group sees (no persons)."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in audit_rows(lines, tz):
        counts[(row.month, row.action)] += row.count
    return [(m, a, n) for (m, a), n in sorted(counts.items())]


def render_audit(rows: list[AuditRow], fmt: str, *, lang: str) -> str:
    """The rows as a table (reading), CSV (spreadsheets) or JSON (other tools)."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
    labels = [h.get(lang) for h in (t("persoon", "person"), t("maand", "month"), t("handeling", "action"),
                                    t("aantal", "count"))]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(labels)
        for r in rows:
            writer.writerow([r.person, r.month, r.action, r.count])
        return out.getvalue()
    if not rows:
        return t("Het logboek van de balie heeft nog geen handelingen om te controleren.\n",
                 "The desk's logbook holds no actions to audit yet.\n").get(lang)
    table = [labels] + [[r.person, r.month, r.action, str(r.count)] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = []
    for index, row in enumerate(table):
        lines.append("  ".join(c.rjust(widths[i]) if i == 3 else c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def load_audit(root, *, since: str | None = None, until: str | None = None) -> list[AuditRow]:
    from binsite.desk.logbook import lines
    from binsite.source.network import load_network
    from binsite.stats.desk import _month

    network = load_network(root).raise_for_errors()
    return audit_rows(lines(root), network.config.tz, since=_month(since, "--since"),
                      until=_month(until, "--until"))
