"""``binsite check``: everything that can be wrong before a build or a send.

Runs the loaders' validation (YAML, dates, areas, categories, follow-ups),
the personal-data guard on every bulletin, and lists bulletins that leave the
public archive within a week. Pure but for reading the site's files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from binsite import privacy
from binsite.content import expiry_date
from binsite.errors import InvalidSite, Problem, Severity, note, sort_problems
from binsite.i18n import t
from binsite.site import Site, is_expired, is_public, load_site

EXPIRY_NOTICE_DAYS = 7


@dataclass(frozen=True)
class CheckResult:
    site: Site | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def privacy_problems(site: Site) -> list[Problem]:
    """The guard over every bulletin: errors where public, warnings elsewhere."""
    allowed_addresses = frozenset(
        {site.config.mail.sender, site.config.contact}
        | {a for area in site.areas for a in area.coordinators}
        | {p.address for area in site.areas for p in area.partners}
        | {area.members_list(site.config.mail.domain) for area in site.areas}
    ) - {""}
    allowed_domains = frozenset({site.config.mail.domain})
    problems: list[Problem] = []
    for bulletin in site.bulletins:
        problems += privacy.check_bulletin(
            bulletin, public=is_public(bulletin) and not bulletin.draft,
            allowed_addresses=allowed_addresses, allowed_domains=allowed_domains)
    return problems


def expiring_soon(site: Site, now: datetime) -> list[Problem]:
    """Notes for public bulletins that leave the archive within a week."""
    notes: list[Problem] = []
    today = now.astimezone(site.config.tz).date()
    for bulletin in site.bulletins:
        last_day = expiry_date(bulletin, site.config)
        if (last_day is None or not is_public(bulletin) or bulletin.draft
                or is_expired(bulletin, site.config, now)):
            continue
        if last_day - today < timedelta(days=EXPIRY_NOTICE_DAYS):
            notes.append(note(bulletin.source, bulletin.line_of("date"), t(
                "verdwijnt na {d} uit het openbare archief (bewaartermijn); zet 'expires:' later als dat nodig is",
                "leaves the public archive after {d} (retention); set a later 'expires:' if needed", d=last_day.isoformat()),
                code="retention"))
    return notes


def check_site(root: Path, now: datetime) -> CheckResult:
    site, problems = load_site(root)
    if site is not None:
        problems = problems + privacy_problems(site) + expiring_soon(site, now)
    return CheckResult(site=site, problems=tuple(sort_problems(problems)))


def valid_site(root: Path, now: datetime) -> tuple[Site, list[Problem]]:
    """The checked site for a build or a send; raises ``InvalidSite`` on any error.

    Returns the warnings and notes, for the caller to show."""
    result = check_site(root, now)
    if result.site is None or result.errors:
        raise InvalidSite(list(result.problems))
    return result.site, list(result.problems)
