"""``binsite members import``: an existing member list into an area's members list.

Read (``read_member_file``: bytes -> rows with their line) -> preview
(``preview_import``: new, already a member, invalid, duplicate; one roster
request) -> import (``import_members``: the new ones, pre-approved, with or
without Mailman's welcome mail). The CLI and the browser desk call the same
three functions.

A member list comes from a shared mailbox's address book (Outlook: "First
Name", "Last Name", "E-mail Address"; Gmail: "Name", "E-mail 1 - Value"), a
spreadsheet saved as CSV (Excel in the Netherlands writes semicolons and
Windows-1252), or a plain list of addresses. So: UTF-8 with or without BOM,
UTF-16 with BOM, else Windows-1252; comma, semicolon or tab; a header row or
none. The file is bounded (``MAX_BYTES``, ``MAX_ROWS``) before anything is
parsed, so a wrong file gives a clear error in bounded time.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parseaddr

from binsite.desk.desk import Desk
from binsite.desk.message import safe_line
from binsite.errors import BinsiteError, InvalidSite, Problem, error, warning
from binsite.i18n import t
from binsite.mailman.client import MailmanClient
from binsite.progress import IMPORT, report
from binsite.source.areas import MEMBERS, RESIDENT_KINDS
from binsite.source.config import is_address

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_NAME = 100
# Parallel subscriptions: two overlap the client's and the server's work. More do
# not help: Mailman's REST server handles one request at a time with its usual
# single worker and SQLite (measured: 200 addresses, 1 or 4 workers, the same
# 177 ms each on a loaded machine; see benchmarks/README.md).
WORKERS = 2

# Header words (normalised: lower case, no accents, letters and digits only).
_EMAIL_HEADERS = {"email", "emailadres", "emailaddress", "mail", "mailadres", "adres", "address", "e", "email1value",
                  "emailaddresses", "primaryemail", "eadres", "emailadress"}
_NAME_HEADERS = {"naam", "name", "displayname", "weergavenaam", "volledigenaam", "fullname", "contact"}
_FIRST_HEADERS = {"voornaam", "firstname", "givenname", "roepnaam"}
_LAST_HEADERS = {"achternaam", "lastname", "familyname", "surname", "tussenvoegselachternaam"}
_MIDDLE_HEADERS = {"tussenvoegsel", "middlename", "additionalname"}


@dataclass(frozen=True)
class Row:
    line: int
    address: str     # as typed, cleaned of spaces and brackets
    name: str


@dataclass(frozen=True)
class Invalid:
    line: int
    text: str        # what the line held where the address belongs (control characters removed)
    why: str         # stable id: not_address | empty


@dataclass(frozen=True)
class MemberFile:
    """What a member list file holds, before Mailman is asked anything."""

    name: str
    rows: tuple[Row, ...]
    invalid: tuple[Invalid, ...]
    header: bool
    delimiter: str
    encoding: str


@dataclass(frozen=True)
class Entry:
    line: int
    address: str     # lower case
    name: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    address: str
    first_line: int


@dataclass(frozen=True)
class ImportPreview:
    area: str
    list: str
    file: MemberFile
    new: tuple[Entry, ...]
    already: tuple[Entry, ...]
    invalid: tuple[Invalid, ...]
    duplicates: tuple[Duplicate, ...]

    def problems(self) -> list[Problem]:
        """The invalid and duplicate lines as ``file:line: waarschuwing: ...`` for the CLI."""
        found = [warning(self.file.name, bad.line, t(
            "{x!r} is geen e-mailadres; deze regel wordt overgeslagen (verbeter het adres en importeer opnieuw)",
            "{x!r} is not an e-mail address; this line is skipped (correct the address and import again)", x=bad.text)
            if bad.why == "not_address" else t(
            "geen e-mailadres op deze regel; hij wordt overgeslagen",
            "no e-mail address on this line; it is skipped")) for bad in self.invalid]
        found += [warning(self.file.name, dup.line, t(
            "{a} staat al op regel {f}; deze regel wordt overgeslagen",
            "{a} is already on line {f}; this line is skipped", a=dup.address, f=dup.first_line))
            for dup in self.duplicates]
        return sorted(found, key=lambda p: p.line or 0)


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    added: tuple[Entry, ...]
    already: tuple[Entry, ...]     # members before the import, or who became one meanwhile
    failed: tuple[tuple[Entry, str], ...] = field(default=())
    welcome: bool = False


# --- reading -------------------------------------------------------------------------

def decode(raw: bytes, name: str) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 (Excel's 'CSV')."""
    if raw.startswith(codecs.BOM_UTF8):
        return _strict(raw[3:], "utf-8", name), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(raw, "utf-16", name), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 leaves five bytes undefined; latin-1 takes them (they are control characters, removed later).
    return raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else raw.decode("latin-1"), "windows-1252"


def _strict(raw: bytes, encoding: str, name: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1 if encoding != "utf-16" else None
        raise InvalidSite([error(name, line, t(
            "het bestand begint als {e} maar is het niet helemaal (byte {b}); sla het opnieuw op als 'CSV UTF-8'",
            "the file starts as {e} but is not entirely (byte {b}); save it again as 'CSV UTF-8'",
            e=encoding.upper(), b=exc.start))]) from None


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _key(header: str) -> str:
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]", "", folded)


SINGLE_COLUMN = "\x1f"  # no separator: one address per line


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the first lines most consistently (comma, semicolon or tab);
    one that only a few lines have is a typo in an address (``jan@example,org``), not a column."""
    sample = [line for line in lines[:50] if line.strip()]
    best, best_score = SINGLE_COLUMN, -1
    for candidate in (";", ",", "\t"):
        counts = [line.count(candidate) for line in sample]
        if sum(1 for c in counts if c) * 2 < len(sample):
            continue
        # Lines that have the separator, and how alike they are.
        score = sum(1 for c in counts if c) * 10 - len(set(counts))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _clean_address(cell: str) -> str:
    cell = safe_line(cell).strip().strip("\"'").strip()
    if cell.lower().startswith("mailto:"):
        cell = cell[7:]
    if "<" in cell and ">" in cell:
        cell = parseaddr(cell)[1] or cell
    return "".join(cell.split()).strip(".,;")


def _clean_name(*parts: str) -> str:
    name = " ".join(" ".join(safe_line(p).split()) for p in parts if p and p.strip())
    return name[:MAX_NAME].strip()


def _looks_like_address(cell: str) -> bool:
    return "@" in cell


def read_member_file(raw: bytes, name: str) -> MemberFile:
    """The rows of a member list (pure). Raises ``InvalidSite`` (at the file's line) when it
    is too large, undecodable, or has no column of e-mail addresses."""
    if len(raw) > MAX_BYTES:
        raise InvalidSite([error(name, None, t(
            "het bestand is {n} MB; een ledenlijst van meer dan {m} MB is vast niet de goede (splits hem op)",
            "the file is {n} MB; a member list over {m} MB is surely not the right file (split it)",
            n=round(len(raw) / 1024 / 1024, 1), m=MAX_BYTES // 1024 // 1024))])
    if b"\0" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidSite([error(name, None, t(
            "dit is geen tekstbestand (CSV); sla de lijst op als 'CSV UTF-8' of 'CSV (puntkomma's)'",
            "this is not a text file (CSV); save the list as 'CSV UTF-8' or 'CSV (semicolon delimited)'"))])
    text, encoding = decode(raw, name)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise InvalidSite([error(name, MAX_ROWS + 1, t(
            "meer dan {m} regels; importeer een lijst van hoogstens {m} adressen per keer",
            "more than {m} lines; import a list of at most {m} addresses at a time", m=MAX_ROWS))])
    delimiter = _delimiter(lines)
    # Line numbers as an editor shows them, also when a quoted cell spans lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', skipinitialspace=True)
    records: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for cells in reader:
            records.append((line, [c.strip() for c in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidSite([error(name, reader.line_num, t(
            "deze regel is geen geldige CSV ({e}); controleer de aanhalingstekens",
            "this line is not valid CSV ({e}); check the quotes", e=exc))]) from None
    records = [(n, cells) for n, cells in records if any(cells)]
    if not records:
        raise InvalidSite([error(name, None, t("het bestand is leeg; er staat geen e-mailadres in",
                                               "the file is empty; it holds no e-mail address"))])
    header = False
    first_line, first = records[0]
    keys = [_key(c) for c in first]
    email_col = next((i for i, k in enumerate(keys) if k in _EMAIL_HEADERS or (k.startswith("email") and "type" not in k)),
                     None)
    if email_col is not None and not any(_looks_like_address(c) for c in first):
        header = True
        records = records[1:]
    else:
        keys = []
        width = max(len(cells) for _, cells in records[:200])
        votes = [sum(1 for _, cells in records[:200] if i < len(cells) and _looks_like_address(cells[i]))
                 for i in range(width)]
        email_col = max(range(width), key=lambda i: (votes[i], -i))
        if not votes[email_col]:
            raise InvalidSite([error(name, first_line, t(
                "geen kolom met e-mailadressen gevonden; zet de adressen in een kolom met de kop 'e-mail'",
                "no column of e-mail addresses found; put the addresses in a column headed 'e-mail'"))])
    name_of = _name_reader(keys, email_col)
    rows: list[Row] = []
    invalid: list[Invalid] = []
    for line, cells in records:
        cell = cells[email_col] if email_col < len(cells) else ""
        address = _clean_address(cell)
        if not address:
            invalid.append(Invalid(line, "", "empty"))
            continue
        if not is_address(address) or ".." in address or address.startswith(".") or "@." in address:
            invalid.append(Invalid(line, safe_line(cell)[:120], "not_address"))
            continue
        rows.append(Row(line, address, name_of(cells)))
    return MemberFile(name, tuple(rows), tuple(invalid), header, delimiter, encoding)


def _name_reader(keys: list[str], email_col: int) -> Callable[[list[str]], str]:
    """How to find the name in a row: a name column, first/middle/last columns, or, without a
    header, the other cells of a two-column list."""
    def cell(cells: list[str], i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    def find(wanted: set[str]) -> int | None:
        return next((i for i, k in enumerate(keys) if k in wanted and i != email_col), None)

    if keys:
        whole, first, middle, last = find(_NAME_HEADERS), find(_FIRST_HEADERS), find(_MIDDLE_HEADERS), find(_LAST_HEADERS)
        if whole is not None:
            return lambda cells: _clean_name(cell(cells, whole))
        if first is not None or last is not None:
            return lambda cells: _clean_name(cell(cells, first), cell(cells, middle), cell(cells, last))
        return lambda cells: ""
    # No header: the name is whatever else the line holds that is not an address.
    return lambda cells: _clean_name(*[c for i, c in enumerate(cells) if i != email_col and not _looks_like_address(c)][:3])


# --- preview and import -----------------------------------------------------------------

def preview_import(desk: Desk, area_id: str, member_file: MemberFile) -> ImportPreview:
    """What importing ``member_file`` into the area's members list would do (one roster request)."""
    area = desk.area(area_id)
    lists = desk.lists_of([area], RESIDENT_KINDS)
    list_address = next(address for _area, kind, address in lists if kind == MEMBERS)
    # Whoever chose the weekly overview is a member too: never subscribed to the members list again.
    members = {m.address.lower() for _area, _kind, address in lists for m in desk.client.roster(address, "member")}
    seen: dict[str, int] = {}
    new: list[Entry] = []
    already: list[Entry] = []
    duplicates: list[Duplicate] = []
    for row in member_file.rows:
        address = row.address.lower()
        if address in seen:
            duplicates.append(Duplicate(row.line, address, seen[address]))
            continue
        seen[address] = row.line
        (already if address in members else new).append(Entry(row.line, address, row.name))
    return ImportPreview(area.id, list_address, member_file, tuple(new), tuple(already), member_file.invalid,
                         tuple(duplicates))


def import_members(desk: Desk, preview: ImportPreview, *, welcome: bool = False,
                   workers: int = WORKERS) -> ImportResult:
    """Subscribe the preview's new addresses: pre-approved, no confirmation mail, Mailman's
    welcome mail only when ``welcome``. Someone who became a member meanwhile counts as
    already a member; one address Mailman refuses does not stop the others."""
    entries = preview.new
    total = len(entries)
    clients = [desk.client] + [MailmanClient(desk.settings, timeout=desk.client.timeout) for _ in range(max(0, workers - 1))]
    chunks = [entries[i::len(clients)] for i in range(len(clients))]
    added: list[Entry] = []
    already: list[Entry] = list(preview.already)
    failed: list[tuple[Entry, str]] = []
    done = 0

    def subscribe_all(client: MailmanClient, chunk: tuple[Entry, ...]) -> list[tuple[Entry, str | None]]:
        outcome: list[tuple[Entry, str | None]] = []
        for entry in chunk:
            try:
                client.subscribe(preview.list, entry.address, entry.name, pre_approved=True,
                                 send_welcome_message=welcome)
                outcome.append((entry, None))
            except BinsiteError as exc:
                outcome.append((entry, exc.message("en")))
        return outcome

    report(IMPORT, 0, total)
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        for outcome in pool.map(subscribe_all, clients, chunks):
            for entry, failure in outcome:
                done += 1
                if failure is None:
                    added.append(entry)
                elif "409" in failure or "already" in failure.lower():
                    already.append(entry)
                else:
                    failed.append((entry, failure))
            report(IMPORT, done, total)
    by_line = lambda e: e.line  # noqa: E731
    log.info("imported %d of %d new addresses into %s (%d failed)", len(added), total, preview.list, len(failed))
    desk.log("members_import", area=preview.area, list=preview.list, count=len(added))
    return ImportResult(preview, tuple(sorted(added, key=by_line)), tuple(sorted(already, key=by_line)),
                        tuple(sorted(failed, key=lambda f: f[0].line)), welcome)
