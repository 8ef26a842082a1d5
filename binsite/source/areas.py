"""Areas and their lists, declared in ``lists/<area>.yaml`` (the file name is the area id)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from binsite.source.config import RESERVED_IDS, SiteConfig, is_address
from binsite.errors import Problem, error, warning
from binsite.i18n import t
from binsite.source.encoding import decode_text
from binsite.source.yamlfile import load_mapping

LISTS_DIR = "lists"
AREA_ID = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
_KNOWN_KEYS = {"name", "district", "description", "coordinators", "partners", "join", "reports", "partner_notices"}
# Who may report on the web form (/melden/<area>/): only members of the area, or anyone;
# either way the address confirms the report by a mailed link first.
REPORTS_MEMBERS = "members"
REPORTS_ANYONE = "anyone"
REPORT_POLICIES = (REPORTS_MEMBERS, REPORTS_ANYONE)
# ``partner_notices``: a partner's notice for this area waits for the BINCO (approve) or goes at once (direct).
PARTNER_NOTICES = ("approve", "direct")
# The three lists of every area: its members (residents who get every
# bulletin at once), the residents who chose the weekly overview (urgent
# bulletins at once, the rest once a week), and its partners.
MEMBERS = "members"
PARTNERS = "partners"
WEEKLY = "weekly"
LIST_KINDS = (MEMBERS, WEEKLY, PARTNERS)
# The residents' lists: a resident is on exactly one of them per area.
RESIDENT_KINDS = (MEMBERS, WEEKLY)
# The local part after the area id: noord@, noord-overzicht@, noord-partners@.
_SUFFIX = {MEMBERS: "", WEEKLY: "-overzicht", PARTNERS: "-partners"}


@dataclass(frozen=True)
class Partner:
    address: str
    role: str = "partner"
    name: str = ""


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    district: str
    description: str
    coordinators: tuple[str, ...]
    partners: tuple[Partner, ...]
    join: str
    source: str
    reports: str = REPORTS_MEMBERS
    partner_notices: str = "approve"

    def members_list(self, domain: str) -> str:
        return f"{self.id}@{domain}"

    def partners_list(self, domain: str) -> str:
        return f"{self.id}-partners@{domain}"

    def weekly_list(self, domain: str) -> str:
        """The list of residents who chose the weekly overview."""
        return f"{self.id}-overzicht@{domain}"

    def list_address(self, kind: str, domain: str) -> str:
        return f"{self.id}{_SUFFIX[kind]}@{domain}"

    def lists(self, domain: str) -> tuple[tuple[str, str], ...]:
        """``(kind, address)`` of the area's three lists: members, weekly, partners."""
        return tuple((kind, self.list_address(kind, domain)) for kind in LIST_KINDS)


def list_addresses(areas: tuple[Area, ...], domain: str) -> list[str]:
    """Every list of the network, area by area: members, weekly, partners."""
    return [address for area in areas for _, address in area.lists(domain)]


def load_areas(root: Path, config: SiteConfig | None) -> tuple[tuple[Area, ...], list[Problem]]:
    """Read every ``lists/*.yaml``, sorted by id."""
    folder = root / LISTS_DIR
    problems: list[Problem] = []
    if not folder.is_dir():
        return (), [error(LISTS_DIR, None, t(
            "map lists/ ontbreekt: maak per gebied een bestand lists/<gebied>.yaml",
            "folder lists/ is missing: create one file lists/<area>.yaml per area"))]
    areas: list[Area] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        rel = f"{LISTS_DIR}/{path.name}"
        if path.suffix not in (".yaml", ".yml"):
            problems.append(warning(rel, None, t("geen .yaml-bestand; wordt overgeslagen", "not a .yaml file; skipped")))
            continue
        area, more = _load_area(path, rel)
        problems += more
        if area is not None:
            areas.append(area)
    problems += _list_clashes(areas)
    if not areas and not problems:
        problems.append(error(LISTS_DIR, None, t("geen gebieden: voeg lists/<gebied>.yaml toe",
                                                 "no areas: add lists/<area>.yaml")))
    return tuple(areas), problems


def _list_clashes(areas: list[Area]) -> list[Problem]:
    """An area named like another area's weekly or partners list (``noord-overzicht``
    beside ``noord``) would share a Mailman list with it."""
    # Whatever order the files come in: a members list (the area id itself)
    # against every other list's address.
    owner = {address: area for area in areas for kind, address in area.lists("x") if kind != MEMBERS}
    problems = []
    for area in areas:
        other = owner.get(area.members_list("x"))
        if other is not None:
            problems.append(error(area.source, None, t(
                "het gebied {a!r} krijgt dezelfde lijst als een lijst van gebied {o!r} ({l}); kies een andere "
                "bestandsnaam (niet eindigend op -overzicht of -partners)",
                "area {a!r} would get the same list as a list of area {o!r} ({l}); choose another file name (not "
                "ending in -overzicht or -partners)", a=area.id, o=other.id, l=area.id + "@")))
    return problems


def _load_area(path: Path, rel: str) -> tuple[Area | None, list[Problem]]:
    area_id = path.stem
    problems: list[Problem] = []
    if not AREA_ID.match(area_id) or area_id in RESERVED_IDS:
        problems.append(error(rel, None, t(
            "bestandsnaam {n!r} is geen geldige gebiedsnaam: gebruik kleine letters, cijfers en streepjes (en niet {r})",
            "file name {n!r} is not a valid area id: use lower-case letters, digits and dashes (and none of {r})",
            n=path.name, r=", ".join(sorted(RESERVED_IDS)))))
        return None, problems
    text, bad = decode_text(rel, path.read_bytes())
    if text is None:
        return None, [bad]
    doc, problems = load_mapping(text, rel)
    if doc is None:
        return None, problems
    values = doc.values
    for key in values:
        if key not in _KNOWN_KEYS:
            problems.append(warning(rel, doc.line(key), t(
                "onbekende sleutel {k!r}; bekend zijn: {known}", "unknown key {k!r}; known keys: {known}",
                k=key, known=", ".join(sorted(_KNOWN_KEYS)))))
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(error(rel, doc.line("name"), t("'name' ontbreekt: geef de naam van het gebied",
                                                       "'name' is missing: give the area's name")))
        name = area_id
    # Shown as one line on every page and in every subject and Mailman setting.
    for key in ("name", "district"):
        value = values.get(key)
        if isinstance(value, str) and re.search(r"[\r\n\t\v\f]", value.strip()):
            problems.append(error(rel, doc.line(key), t(
                "{k!r} moet op één regel staan, zonder regeleinden of tabs", "{k!r} must be one line, without line "
                "breaks or tabs", k=key)))
            if key == "name":
                name = " ".join(value.split())
    coordinators = values.get("coordinators") or []
    if isinstance(coordinators, str):
        coordinators = [coordinators]
    if not isinstance(coordinators, list) or not coordinators:
        problems.append(error(rel, doc.line("coordinators"), t(
            "'coordinators' ontbreekt: geef minstens één adres van de BINCO",
            "'coordinators' is missing: give at least one address of the BINCO")))
        coordinators = []
    for index, address in enumerate(coordinators):
        if not is_address(address):
            problems.append(error(rel, doc.line(f"coordinators.{index}"), t(
                "{v!r} is geen e-mailadres", "{v!r} is not an e-mail address", v=address)))
    partners: list[Partner] = []
    raw_partners = values.get("partners") or []
    if not isinstance(raw_partners, list):
        problems.append(error(rel, doc.line("partners"), t("'partners' moet een lijst zijn", "'partners' must be a list")))
        raw_partners = []
    for index, item in enumerate(raw_partners):
        if isinstance(item, str):
            item = {"address": item}
        if not isinstance(item, dict) or not is_address(item.get("address")):
            problems.append(error(rel, doc.line(f"partners.{index}"), t(
                "partner heeft geen geldig 'address'", "partner has no valid 'address'")))
            continue
        partners.append(Partner(str(item["address"]).lower(), str(item.get("role") or "partner"), str(item.get("name") or "")))
    seen: set[str] = set()
    for index, partner in enumerate(partners):
        if partner.address in seen:
            problems.append(error(rel, doc.line(f"partners.{index}"), t(
                "partner {a} staat er twee keer in", "partner {a} is listed twice", a=partner.address)))
        seen.add(partner.address)
    reports = values.get("reports", REPORTS_MEMBERS)
    if reports is None:
        reports = REPORTS_MEMBERS
    if reports not in REPORT_POLICIES:
        problems.append(error(rel, doc.line("reports"), t(
            "'reports' moet 'members' (alleen leden melden via de website) of 'anyone' (iedereen) zijn, niet {v!r}",
            "'reports' must be 'members' (only members report on the website) or 'anyone', not {v!r}", v=reports)))
        reports = REPORTS_MEMBERS
    partner_notices = values.get("partner_notices", "approve")
    if partner_notices not in PARTNER_NOTICES:
        problems.append(error(rel, doc.line("partner_notices"), t(
            "'partner_notices' moet 'approve' (de BINCO keurt berichten van partners goed) of 'direct' zijn, niet {v!r}",
            "'partner_notices' must be 'approve' (the BINCO approves partners' notices) or 'direct', not {v!r}",
            v=partner_notices)))
        partner_notices = "approve"
    area = Area(
        id=area_id,
        name=name.strip(),
        district=str(values.get("district") or ""),
        description=str(values.get("description") or "").strip(),
        coordinators=tuple(str(c).lower() for c in coordinators if is_address(c)),
        partners=tuple(partners),
        join=str(values.get("join") or "").strip(),
        source=rel,
        reports=reports,
        partner_notices=str(partner_notices),
    )
    return area, problems
