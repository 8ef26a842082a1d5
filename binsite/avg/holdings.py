"""Everything binsite and its Mailman hold about one address, and where (AVG art. 15).

``find`` asks Mailman once for every membership of the address in any role
(``members/find``, not a walk over the rosters: 50 lists of 1,000 members
answer in one query), then reads each of the site's lists' held messages and
pending requests, Mailman's address record, and binsite's own records: the desk
logbook and the ended sessions (matched through the same digest they store)
and the web spool (through the member ids), in the service's database
(``binsite.store``) and in the state files older versions wrote (left in place
after they were read in: they are erased and tidied too), and the site's own texts
(bulletins under ``content/``, ``lists/*.yaml``, ``binsite.yaml``) line by
line. The result is a frozen ``Holdings``; ``text.render``/``text.as_json``
show it. Nothing is changed here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from binsite.avg import normalise
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.desk import logbook, sessions
from binsite.mailman.client import MailmanClient, list_id
from binsite.paths import desk_log, desk_sessions, shown, web_spool_dir
from binsite.source.areas import Area
from binsite.store import Store, site_store

log = logging.getLogger(__name__)

# Kinds of holding, in the order they are shown.
ADDRESS = "address"           # Mailman's address record (and its user)
MEMBERSHIP = "membership"     # a role on a list
REQUEST = "request"           # a join request waiting for the BINCO
HELD = "held"                 # a message from the address waiting for the BINCO
LOGBOOK = "logbook"           # desk logbook lines by this address (a BINCO's digest)
SESSION = "session"           # "log out everywhere" lines of this address
SPOOL = "spool"               # a one-click leave not yet done at Mailman
PARTNER = "partner"           # a report of the address forwarded to the partners (its address kept for the status mail)
REPORT = "report"             # a web report from the address waiting for its confirmation
BOUNCE = "bounce"             # Mailman's bounce records (erased with BINSITE_MAILMAN_DB)
BULLETIN = "bulletin"         # a bulletin that names the address (published: never edited by binsite)
SETTING = "setting"           # binsite.yaml or lists/*.yaml names it (a BINCO, a partner, the contact)
KINDS = (ADDRESS, MEMBERSHIP, REQUEST, HELD, LOGBOOK, SESSION, SPOOL, PARTNER, REPORT, BOUNCE, BULLETIN, SETTING)
ERASED = "erase"              # the logbook's action for an erasure (binsite.avg.erase)


@dataclass(frozen=True)
class Holding:
    """One thing held about the address: what kind, where it lives, its details."""

    kind: str
    where: str                                  # "Mailman: noord@bin.example.org", "state/desk.jsonl", "content/x.md:4"
    details: tuple[tuple[str, str], ...] = ()   # label -> value, in order
    text: str = ""                              # a held message's text, with --volledig only
    # What erasure needs to act on it (never shown).
    ref: tuple[str, ...] = field(default=(), compare=False)

    def detail(self, name: str) -> str:
        return next((value for key, value in self.details if key == name), "")

    def as_json(self) -> dict[str, object]:
        values: dict[str, object] = {"kind": self.kind, "where": self.where, **dict(self.details)}
        if self.text:
            values["text"] = self.text
        return values


@dataclass(frozen=True)
class Holdings:
    address: str
    items: tuple[Holding, ...]
    erasures: tuple[str, ...] = ()   # when an erasure of this address was recorded before

    def of(self, kind: str) -> tuple[Holding, ...]:
        return tuple(h for h in self.items if h.kind == kind)

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def mailman_items(self) -> tuple[Holding, ...]:
        return tuple(h for h in self.items if h.kind in (ADDRESS, MEMBERSHIP, REQUEST, HELD))


def erasure_digest(address: str) -> str:
    """What the logbook stores for an erasure: a digest of its own kind, so it is not one of
    the digests binsite's other records are matched through."""
    import hashlib
    return hashlib.sha256(b"binsite-erasure\x1f" + normalise(address).encode("utf-8")).hexdigest()[:16]


def site_lists(client: MailmanClient, domain: str, areas: Iterable[Area] | None) -> list[str]:
    """The lists to look at: the given areas' (a BINCO's own), or every list of the site's
    mail domain at Mailman (the administrator's: lists of areas since removed too)."""
    existing = client.lists()
    if areas is None:
        return sorted(a for a in existing if a.lower().endswith("@" + domain.lower()))
    wanted = [address for area in areas for _, address in area.lists(domain)]
    return [a for a in wanted if a in existing]


def find(root: Path, client: MailmanClient, address: str, *, domain: str, areas: Iterable[Area] | None = None,
         full: bool = False, texts: bool = True) -> Holdings:
    """What binsite and Mailman hold about ``address``. ``areas``: only these areas' lists
    (a BINCO's view; the site's own files are then left out); None: everything."""
    wanted = normalise(address)
    area_list = None if areas is None else tuple(areas)
    lists = site_lists(client, domain, area_list)
    ids = {list_id(a): a for a in lists}
    items: list[Holding] = []

    everywhere = client.find_memberships(wanted)
    memberships = [m for m in everywhere if str(m.get("list_id")) in ids]
    member_ids = set()
    for m in sorted(memberships, key=lambda m: (str(m.get("list_id")), str(m.get("role")))):
        member_ids.add(str(m["member_id"]))
        details = [("lijst", ids[str(m["list_id"])]), ("rol", str(m.get("role", ""))),
                   ("adres", str(m.get("email", "")))]
        if m.get("display_name"):
            details.append(("naam", str(m["display_name"])))
        if m.get("role") == "member":
            details.append(("bezorging", str(m.get("delivery_mode", ""))))
            details.append(("bouncescore", str(m.get("bounce_score", 0))))
            if m.get("last_bounce_received"):
                details.append(("laatste bounce", str(m["last_bounce_received"])))
        items.append(Holding(MEMBERSHIP, f"Mailman: {ids[str(m['list_id'])]}", tuple(details),
                             ref=(ids[str(m["list_id"])], str(m["member_id"]), str(m.get("role", "")))))

    for fqdn in lists:
        for request in client.requests(fqdn):
            if request.address.lower() == wanted:
                items.append(Holding(REQUEST, f"Mailman: {fqdn}", (
                    ("lijst", fqdn), ("aangevraagd", request.request_date), ("wacht op", request.token_owner),
                    *((("naam", request.display_name),) if request.display_name else ())), ref=(fqdn, request.token)))
        for held in client.held(fqdn):
            if held.sender.strip().lower() == wanted:
                items.append(Holding(HELD, f"Mailman: {fqdn}", (
                    ("lijst", fqdn), ("onderwerp", held.subject), ("ontvangen", held.hold_date),
                    ("reden", held.reason)), text=_held_text(held.raw) if full else "",
                    ref=(fqdn, str(held.request_id), held.message_id)))

    # Mailman's address record is this site's to show when the site's lists hold the address,
    # or when no list anywhere does (a record left behind); not when only another site's lists
    # (another domain on the same Mailman) hold it.
    if items or (area_list is None and not everywhere):
        record = client.address_record(wanted)
        if record:
            others = [a for a in (client.user_addresses(wanted) or []) if a != wanted]
            details = [("adres", str(record.get("email", wanted)))]
            for key, label in (("display_name", "naam"), ("registered_on", "geregistreerd"),
                               ("verified_on", "bevestigd")):
                if record.get(key):
                    details.append((label, str(record[key])))
            if others:
                details.append(("andere adressen van dezelfde gebruiker", str(len(others))))
            items.append(Holding(ADDRESS, "Mailman: adressen en gebruikers", tuple(details)))

    items += _spool(root, member_ids)
    if area_list is None:
        items += _logbook(root, wanted)
        items += _sessions(root, wanted)
        items += _partner_records(root, wanted)
        items += _pending_reports(root, wanted)
    if texts:
        # A BINCO's view names the settings too (a BINCO's or partner's address is never
        # erased from the desk), but not bulletins of other areas.
        items += [h for h in _texts(root, wanted) if area_list is None or h.kind == SETTING]
    erasures = tuple(str(v.get("at")) for v in logbook.lines(root, action=ERASED)
                     if v.get("erased") == erasure_digest(wanted))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return Holdings(wanted, tuple(sorted(items, key=lambda h: order[h.kind])), erasures)


class OutsideAreas(BinsiteError):
    """The address has nothing in these areas but something elsewhere: not this BINCO's to see."""


def find_in_areas(root: Path, client: MailmanClient, address: str, *, domain: str, areas: Iterable[Area],
                  full: bool = False) -> Holdings:
    """A BINCO's view: what the given areas' lists hold about ``address``. ``OutsideAreas``
    when they hold nothing and other areas do (the desk answers 403 and changes nothing)."""
    found = find(root, client, address, domain=domain, areas=areas, full=full)
    if not found.mailman_items and find(root, client, address, domain=domain, texts=False).mailman_items:
        raise OutsideAreas(t("dit adres hoort niet bij uw gebieden", "this address is not in your areas"))
    return found


def _held_text(raw: str) -> str:
    from binsite.desk.message import view
    return view(raw).text


def database(root: Path, store: Store) -> str:
    """Where the store is, as a holding names it: the SQLite file relative to the site, or the
    database URL without its password."""
    if store.sqlite:
        return shown(Path(str(store.url.database)), root)
    return store.url.render_as_string(hide_password=True)


def _spool(root: Path, member_ids: set[str]) -> list[Holding]:
    store = site_store(root)
    found = [Holding(SPOOL, f"{database(root, store)}: spool", (("lijst", entry.list_id),
                                                                ("verzoek", "afmelden met één klik")),
                     ref=("store", str(entry.id))) for entry in store.spool_of(member_ids)]
    folder = web_spool_dir(root)
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if ".json" not in entry.name or entry.name.startswith("."):
            continue
        try:
            values = json.loads(entry.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(values, dict) and str(values.get("member_id")) in member_ids:
            found.append(Holding(SPOOL, shown(entry, root), (("lijst", str(values.get("list_id", ""))),
                                                            ("verzoek", "afmelden met één klik")),
                                 ref=("file", str(entry))))
    return found


def _logbook(root: Path, address: str) -> list[Holding]:
    digest = logbook.binco(address).id

    def holding(where: str, values: Iterable[dict[str, object]], ref: tuple[str, ...]) -> list[Holding]:
        lines = [v for v in values if isinstance(v.get("by"), dict) and v["by"].get("id") == digest]
        if not lines:
            return []
        return [Holding(LOGBOOK, where, (
            ("regels", str(len(lines))), ("als", "BINCO (kenmerk " + digest + ")"),
            ("eerste", str(lines[0].get("at", ""))), ("laatste", str(lines[-1].get("at", "")))), ref=ref)]
    return (holding(f"{database(root, site_store(root))}: logbook", logbook.lines(root), ("store",)) +
            holding(shown(desk_log(root), root), logbook.read(desk_log(root)), ("file", str(desk_log(root)))))


def _sessions(root: Path, address: str) -> list[Holding]:
    digest = sessions._address(address)
    found = []
    store = site_store(root)
    rows = store.sessions_of(digest)
    if rows:
        found.append(Holding(SESSION, f"{database(root, store)}: ended_sessions",
                             (("regels", str(rows)), ("wat", "overal uitgelogd")), ref=("store",)))
    path = desk_sessions(root)
    try:
        lines = [line for line in path.read_text("utf-8", errors="replace").splitlines() if digest in line]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return found
    if lines:
        found.append(Holding(SESSION, shown(path, root), (("regels", str(len(lines))), ("wat", "overal uitgelogd")),
                             ref=("file", str(path))))
    return found


def _partner_records(root: Path, address: str) -> list[Holding]:
    """Forwarded reports whose reporter is the address (the partners never see it; the door
    keeps it for the status mail), in the database and in a file an older version left."""
    from binsite.desk.partners import FileStore, _records, store_path

    store = site_store(root)

    def holdings(where: str, records: Iterable[dict[str, object]], ref: tuple[str, ...]) -> list[Holding]:
        return [Holding(PARTNER, where, (("melding", str(v.get("ref", ""))), ("gebied", str(v.get("area", ""))),
                                         ("onderwerp", str(v.get("subject", ""))), ("doorgestuurd", str(v.get("at", "")))),
                        ref=ref) for v in records if v.get("kind") == "forward" and v.get("reporter") == address]
    return (holdings(f"{database(root, store)}: partner_records", _records(store.partner_records()), ("store",)) +
            holdings(shown(store_path(root), root), FileStore(store_path(root))._lines(), ("file", str(store_path(root)))))


def _pending_reports(root: Path, address: str) -> list[Holding]:
    store = site_store(root)
    found = []
    for report_id, data in store.reports():
        try:
            values = json.loads(data)
        except ValueError:
            continue
        if isinstance(values, dict) and str(values.get("address", "")).strip().lower() == address:
            found.append(Holding(REPORT, f"{database(root, store)}: pending_reports", (
                ("gebied", str(values.get("area", ""))), ("wanneer", str(values.get("when", ""))),
                ("foto", "ja" if values.get("photo") else "nee")), ref=("store", report_id)))
    return found


def _texts(root: Path, address: str) -> list[Holding]:
    """Lines of the site's own texts that hold the address (bulletins, list settings, binsite.yaml)."""
    found = []
    paths = [root / "binsite.yaml", *sorted((root / "lists").glob("*.yaml")), *sorted((root / "content").rglob("*.md"))]
    for path in paths:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        rel = shown(path, root)
        kind = BULLETIN if rel.startswith("content/") else SETTING
        for number, line in enumerate(lines, 1):
            if _names(line.lower(), address):
                found.append(Holding(kind, f"{rel}:{number}", (("regel", line.strip()[:200]),)))
    return found


def _names(line: str, address: str) -> bool:
    """Whether ``line`` holds ``address`` as a whole address (not inside a longer one:
    ``jan@x.nl`` is not found in ``marijan@x.nl`` or ``jan@x.nl.example``)."""
    start = line.find(address)
    while start != -1:
        before = line[start - 1] if start else " "
        end = start + len(address)
        after = line[end] if end < len(line) else " "
        if not (before.isalnum() or before in "._%+-'\"") and not (after.isalnum() or after in "_-@" or
                                                                  (after == "." and end + 1 < len(line) and line[end + 1].isalnum())):
            return True
        start = line.find(address, start + 1)
    return False
