"""Reading in the state files that the service kept before the store (once, nothing doubled).

Before the store, the service kept in files what it now keeps in the database:

- ``state/desk.jsonl``, the logbook: every whole line becomes a logbook row, in
  order; its ``login`` lines carry the digest of a used login link's nonce
  (``once``): they become claims too, so a link used before the move is still
  used after it;
- ``state/desk-sessions.jsonl``: sessions logged out, and "everywhere" moments;
- ``.binsite/web-spool/``: one-click unsubscribes answered and not yet done;
- ``state/desk-partners.jsonl``: the partners' door's records (forwarded
  reports, answers, statuses, notices, decisions), every whole line in order;
- ``state/member-moves.jsonl``: where residents' memberships moved;
- ``state/web-reports/``: web reports waiting for their confirmation (one file
  each; one a process had taken is waiting again), keyed by their id like the
  spool, and removed once read in.

Each source is read in one transaction that also records it in ``imported``:
a second start (or ``binsite web migrate-state`` again) finds it there and reads
nothing; two instances starting at once take turns (the upgrade lock) and the
second finds the first's record. Spool entries keep their file name as a unique
key, so a crash after the commit and before the files are removed does not
double them; they are removed only after the commit, so nothing is lost.
The other files are left in place, as history: nothing writes them any more.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from binsite.desk import logbook
from binsite.desk.sessions import read_lines as read_session_lines
from binsite.store import Store, schema

log = logging.getLogger(__name__)

LOGBOOK = "desk.jsonl"
LOGINS = "desk.jsonl:login"
SESSIONS = "desk-sessions.jsonl"
SPOOL = "web-spool"
PARTNERS = "desk-partners.jsonl"
MOVES = "member-moves.jsonl"
REPORTS = "web-reports"


@dataclass(frozen=True)
class Imported:
    logins: int = 0
    sessions: int = 0
    spooled: int = 0
    already: tuple[str, ...] = ()
    lines: int = 0
    partner_records: int = 0
    moves: int = 0
    reports: int = 0

    @property
    def total(self) -> int:
        return self.lines + self.logins + self.sessions + self.spooled + self.partner_records + self.moves + \
            self.reports


def import_site(store: Store, root: Path, environ: Mapping[str, str] = os.environ) -> Imported:
    """Every state file of the site in ``root`` that the store has not read yet."""
    from binsite.desk.partners import store_path
    from binsite.paths import desk_log, desk_sessions, member_moves, pending_reports_dir, web_spool_dir

    return import_state(store, log_path=desk_log(root), sessions_path=desk_sessions(root),
                        spool_dir=web_spool_dir(root, environ), partners_path=store_path(root),
                        moves_path=member_moves(root), reports_dir=pending_reports_dir(root))


def import_state(store: Store, *, log_path: Path, sessions_path: Path, spool_dir: Path,
                 partners_path: Path | None = None, moves_path: Path | None = None,
                 reports_dir: Path | None = None) -> Imported:
    """Read in what the files hold and the store has not read yet (see the module's text)."""
    counts: dict[str, int] = {}
    already: list[str] = []
    files: list[Path] = []
    with store._upgrade_lock():
        with store._transaction() as conn:
            done = {row[0] for row in conn.execute(sa.select(schema.imported.c.source))}
            for source, path, read in ((PARTNERS, partners_path, _partners), (MOVES, moves_path, _moves)):
                if path is None:
                    continue
                if source in done:
                    already.append(source)
                else:
                    counts[source] = read(conn, path)
                    _mark(conn, source, counts[source])
            if reports_dir is not None:
                counts[REPORTS], files = _reports(conn, reports_dir)
            if LOGBOOK in done:
                already.append(LOGBOOK)
            else:
                counts[LOGBOOK] = _logbook(conn, log_path)
                _mark(conn, LOGBOOK, counts[LOGBOOK])
            if LOGINS in done:
                already.append(LOGINS)
            else:
                counts[LOGINS] = _logins(conn, log_path)
                _mark(conn, LOGINS, counts[LOGINS])
            if SESSIONS in done:
                already.append(SESSIONS)
            else:
                counts[SESSIONS] = _sessions(conn, sessions_path)
                _mark(conn, SESSIONS, counts[SESSIONS])
            counts[SPOOL], spooled = _spool(conn, spool_dir)
            files += spooled
        for path in files:  # only once the rows are committed
            path.unlink(missing_ok=True)
    result = Imported(counts.get(LOGINS, 0), counts.get(SESSIONS, 0), counts[SPOOL], tuple(already),
                      counts.get(LOGBOOK, 0), counts.get(PARTNERS, 0), counts.get(MOVES, 0), counts.get(REPORTS, 0))
    if result.total:
        log.info("state files read into the store: %d logbook lines, %d login claims, %d ended sessions, "
                 "%d unsubscribes, %d partner records, %d membership moves, %d pending reports",
                 result.lines, result.logins, result.sessions, result.spooled, result.partner_records,
                 result.moves, result.reports)
    return result


def _mark(conn: sa.Connection, source: str, items: int) -> None:
    conn.execute(schema.imported.insert().values(source=source, items=items, at=time.time()))


def _logbook(conn: sa.Connection, path: Path) -> int:
    rows = [{"line": logbook.line_of(values), "at": str(values["at"]), "action": str(values["action"])}
            for values in logbook.read(path)]
    if rows:
        conn.execute(schema.logbook.insert(), rows)
    return len(rows)


def _logins(conn: sa.Connection, path: Path) -> int:
    seen: dict[str, float] = {}
    for values in logbook.read(path):
        once = values.get("once")
        if values.get("action") in (logbook.LOGIN, logbook.PARTNER_LOGIN) and isinstance(once, str) and once:
            seen.setdefault(once, _moment(values.get("at")))
    have = {row[0] for row in conn.execute(sa.select(schema.claims.c.digest).where(schema.claims.c.kind == "login"))}
    rows = [{"kind": "login", "digest": once, "at": at} for once, at in seen.items() if once not in have]
    if rows:
        conn.execute(schema.claims.insert(), rows)
    return len(rows)


def _sessions(conn: sa.Connection, path: Path) -> int:
    rows = [{"kind": kind, "digest": value, "at": at} for kind, value, at in read_session_lines(path)]
    if rows:
        conn.execute(schema.ended_sessions.insert(), rows)
    return len(rows)


def _spool(conn: sa.Connection, folder: Path) -> tuple[int, list[Path]]:
    """Every request file (queued or claimed by a process that is gone now); their names."""
    try:
        paths = sorted(p for p in folder.iterdir() if ".json" in p.name and not p.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return 0, []
    have = {row[0] for row in conn.execute(sa.select(schema.spool.c.name))}
    rows, files = [], []
    for path in paths:
        name = path.name.split(".json", 1)[0][:64]
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            row = {"name": name, "list_id": str(record["list_id"]), "member_id": str(record["member_id"]),
                   "added": _added(path)}
        except (OSError, ValueError, KeyError, TypeError):
            log.error("unreadable spool entry %s left in place", path.name)
            continue
        files.append(path)
        if name not in have:
            rows.append(row)
            have.add(name)
    if rows:
        conn.execute(schema.spool.insert(), rows)
    return len(rows), files


def _partners(conn: sa.Connection, path: Path) -> int:
    from binsite.desk.partners import FileStore

    rows = [{"kind": str(values.get("kind", ""))[:16], "key": str(values.get("key", ""))[:64],
             "record": json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))}
            for values in FileStore(path)._lines()]
    if rows:
        conn.execute(schema.partner_records.insert(), rows)
    return len(rows)


def _moves(conn: sa.Connection, path: Path) -> int:
    from binsite.mailman.moves import read

    rows = [{"from_list": old[0], "from_member": old[1], "to_list": new[0], "to_member": new[1]}
            for old, new in read(path).items()]
    if rows:
        conn.execute(schema.member_moves.insert(), rows)
    return len(rows)


def _reports(conn: sa.Connection, folder: Path) -> tuple[int, list[Path]]:
    """Every pending report's file (a taken one too: its process is gone); their names."""
    from binsite.reports.store import SUFFIX, TAKEN, valid_id

    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix in (SUFFIX, TAKEN) and valid_id(p.stem))
    except (FileNotFoundError, NotADirectoryError):
        return 0, []
    have = {row[0] for row in conn.execute(sa.select(schema.pending_reports.c.id))}
    rows, files = [], []
    for path in paths:
        try:
            data = path.read_bytes().decode("utf-8")
            json.loads(data)
            added = path.stat().st_mtime
        except (OSError, ValueError):
            log.error("unreadable pending report %s left in place", path.name)
            continue
        files.append(path)
        if path.stem not in have:
            rows.append({"id": path.stem, "data": data, "added": added})
            have.add(path.stem)
    if rows:
        conn.execute(schema.pending_reports.insert(), rows)
    return len(rows), files


def _added(path: Path) -> float:
    """When the request was taken: the nanoseconds its name begins with (web/spool.py's
    names), else the file's time (so retention counts from the request, not the move)."""
    stamp = path.name.split("-", 1)[0]
    if stamp.isdigit() and len(stamp) >= 19:
        return int(stamp) / 1e9
    return path.stat().st_mtime


def _moment(value: object) -> float:
    from datetime import datetime
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return time.time()
