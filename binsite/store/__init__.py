"""The web edge's store: one database that every instance of the service shares.

What it holds (``schema.py``): the desk's logbook, login claims (a login link
works once), desk sessions that ended early, the one-click spool, rate-limit
hits, and which old state files were read in. It is SQLAlchemy 2 Core behind ``BINSITE_DATABASE_URL``;
the schema is made and moved on by Alembic (``migrations/``) when the store is
opened. Without the variable it is an SQLite file in the state folder
(``state/web.sqlite``, never committed), enough for one server. Several
instances on several servers share one PostgreSQL database
(``postgresql+psycopg://user@host/binsite``).

Every method is one short transaction. Writers are serialised where a check and
a write belong together: on SQLite each transaction begins IMMEDIATE (one
writer at a time, readers go on in WAL mode); on PostgreSQL a rate-limit key
takes a transaction-level advisory lock, and spool entries are claimed with
``FOR UPDATE SKIP LOCKED``. A database that cannot be reached raises
``StoreUnavailable`` (the service answers with a Dutch 503 page; nothing was
half-done, since the transaction did not commit).

The send ledger is not here: it is the BIN's record and stays a committed file.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import functools
import hashlib
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from binsite.errors import BinsiteError, StoreUnavailable
from binsite.i18n import t
from binsite.paths import state_dir
from binsite.store import schema

log = logging.getLogger(__name__)

URL_VAR = "BINSITE_DATABASE_URL"
SQLITE_NAME = "web.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"
# A spool entry claimed longer ago than this is taken over (its process died);
# longer than one Mailman call with its retries (client timeout 10 s, 2 attempts).
SPOOL_LEASE = 60.0
LEASE_VAR = "BINSITE_SPOOL_LEASE"
# Every this many counted hits, a process forgets what no longer counts (``Store.tidy``).
TIDY_EVERY = 1000
DAY = 86400.0
# Advisory lock number of the schema upgrade on PostgreSQL (any constant of binsite's own).
_UPGRADE_LOCK = 0x62696E73


def database_url(root: Path, environ: Mapping[str, str] = os.environ) -> str:
    """``BINSITE_DATABASE_URL``, else the SQLite file in the state folder."""
    url = environ.get(URL_VAR, "").strip()
    if url:
        return url
    return "sqlite:///" + str((state_dir(root) / SQLITE_NAME).resolve())


def digest(value: str) -> str:
    """What the store keeps instead of a key that may name someone (a client address)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SpoolEntry:
    id: int
    list_id: str
    member_id: str


class Store:
    """One database; thread-safe (a connection pool), one per process (after a fork: ``dispose``)."""

    def __init__(self, url: str, *, lease: float = SPOOL_LEASE):
        try:
            self.url = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            raise BinsiteError(t("{v} is geen database-adres: schrijf bijvoorbeeld {e}",
                                 "{v} is not a database URL: write for example {e}",
                                 v=URL_VAR, e="postgresql+psycopg://binsite@db/binsite")) from None
        self.lease = lease
        self._hits = 0
        self._writer: _Writer | contextlib.nullcontext = contextlib.nullcontext()
        self._names_lock = threading.Lock()
        self.owner = f"{os.uname().nodename[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.sqlite = self.url.get_backend_name() == "sqlite"
        if self.sqlite:
            self._writer = _Writer(self.url.database or "")
        try:
            self.engine = _engine(self.url)
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise BinsiteError(t("de database-driver voor {v} ontbreekt ({e}): installeer binsite[postgresql]",
                                 "the database driver for {v} is missing ({e}): install binsite[postgresql]",
                                 v=URL_VAR, e=type(exc).__name__)) from None
        # gunicorn forks its workers: a child never uses its parent's connections or locks.
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _after_fork(ref))

    def __repr__(self) -> str:  # never the password
        return f"Store({self.url.render_as_string(hide_password=True)})"

    @classmethod
    def open(cls, root: Path, environ: Mapping[str, str] = os.environ, *, upgrade: bool = True) -> "Store":
        """The site's store, its schema brought up to date (``upgrade``)."""
        url = database_url(root, environ)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///"):].partition("?")[0])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Made private before SQLite makes it (its -wal and -shm files take its mode).
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            except OSError as exc:
                raise _unavailable(exc) from None
        lease = environ.get(LEASE_VAR, "").strip()
        try:
            seconds = float(lease) if lease else SPOOL_LEASE
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= 3600:
            raise BinsiteError(t("{v} moet een aantal seconden zijn (1 tot 3600)",
                                 "{v} must be a number of seconds (1 to 3600)", v=LEASE_VAR))
        store = cls(url, lease=seconds)
        if upgrade:
            store.upgrade()
        return store

    def dispose(self) -> None:
        self.engine.dispose()

    # --- schema ---------------------------------------------------------------------

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; two instances starting at once take turns."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._upgrade_lock():
            with self._connect(read=False) as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self._connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _upgrade_lock(self) -> contextlib.AbstractContextManager[None]:
        return self._held(".lock", _UPGRADE_LOCK)

    @contextmanager
    def _held(self, suffix: str, number: int) -> Iterator[None]:
        """One holder at a time across processes: on SQLite a file lock beside the database
        (``suffix``), on PostgreSQL the session advisory lock ``number``."""
        if self.sqlite:
            database = self.url.database or ""
            if not database or database == ":memory:":
                with self._names_lock:
                    yield
                return
            try:
                fd = os.open(database + suffix, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise _unavailable(exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)
            return
        with self._connect() as conn:
            with _reached():
                conn.execute(sa.text("SELECT pg_advisory_lock(:n)"), {"n": number})
                conn.commit()
            try:
                yield
            finally:
                with _reached():
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:n)"), {"n": number})
                    conn.commit()

    # --- transactions -----------------------------------------------------------------

    @contextmanager
    def _connect(self, *, read: bool = True) -> Iterator[Connection]:
        """A connection for reading (on SQLite a deferred transaction: it waits for no writer)."""
        with _reached(), self.engine.connect() as conn:
            _done.set(0)
            if read:
                conn.execution_options(binsite_read=True)
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One write transaction. On SQLite the writers of every process queue for it here
        (``_Writer``: a thread lock, then a file lock), woken the moment the one before is
        done, instead of in SQLite's busy handler (which lets a waiting writer sleep up to
        100 ms a round while others come first)."""
        with self._writer, _reached(), self.engine.begin() as conn:
            _done.set(0)
            yield conn

    # --- login claims -----------------------------------------------------------------

    def claim(self, kind: str, key: str, *, at: float | None = None) -> bool:
        """Record that ``key`` (a digest: a login link's nonce) of ``kind`` was used; False when it
        was already (on any instance). Of two claims at once exactly one wins."""
        values = {"kind": kind, "digest": key, "at": time.time() if at is None else at}
        try:
            with self._transaction() as conn:
                conn.execute(schema.claims.insert().values(**values))
        except sa.exc.IntegrityError:
            return False
        return True

    # --- ended sessions ---------------------------------------------------------------

    def end_session(self, id_digest: str, *, at: float) -> None:
        self._insert(schema.ended_sessions, kind="ended", digest=id_digest, at=at)

    def end_every_session(self, address_digest: str, *, at: float) -> None:
        self._insert(schema.ended_sessions, kind="before", digest=address_digest, at=at)

    def has_ended(self, id_digest: str, address_digest: str, started: float, *, since: float) -> bool:
        """Whether that session was logged out, or every session of that address begun at or
        before ``started`` was ended (only what happened after ``since`` counts)."""
        table = schema.ended_sessions
        query = sa.select(sa.func.count()).select_from(table).where(
            table.c.at >= since,
            sa.or_(sa.and_(table.c.kind == "ended", table.c.digest == id_digest),
                   sa.and_(table.c.kind == "before", table.c.digest == address_digest, table.c.at >= started)))
        with self._connect() as conn:
            return bool(conn.execute(query).scalar())

    # --- rate limits ------------------------------------------------------------------

    def hit(self, key: str, limit: int, window: float, *, now: float | None = None) -> bool:
        """Count one hit of ``key`` if fewer than ``limit`` were counted in the last ``window``
        seconds, on any instance; False (and not counted) when over."""
        now = time.time() if now is None else now
        with self._transaction() as conn:
            counted = self._count(conn, key, limit, window, now)
        if counted:
            self._counted(now)
        return counted

    def _count(self, conn: Connection, key: str, limit: int, window: float, now: float) -> bool:
        key = digest(key)
        table = schema.rate_hits
        if not self.sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})
        conn.execute(table.delete().where(table.c.key == key, table.c.at <= now - window))
        count = conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.key == key)).scalar()
        if count >= limit:
            return False
        conn.execute(table.insert().values(key=key, at=now))
        return True

    def _counted(self, now: float) -> None:
        self._hits += 1
        if self._hits % TIDY_EVERY == 0:
            self.tidy(now=now)

    def hits(self, key: str, window: float, *, now: float | None = None) -> int:
        """How many hits of ``key`` were counted in the last ``window`` seconds (none counted now)."""
        now = time.time() if now is None else now
        table = schema.rate_hits
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.key == digest(key), table.c.at > now - window)).scalar() or 0)

    # --- sessions seen (device, last use) ---------------------------------------------

    def session_seen(self, id_digest: str, address_digest: str, device: str, *, at: float) -> None:
        table = schema.sessions_seen
        with self._transaction() as conn:
            done = conn.execute(table.update().where(table.c.session == id_digest).values(last=at, device=device[:64]))
            if not done.rowcount:
                conn.execute(table.insert().values(session=id_digest, address=address_digest, device=device[:64],
                                                   first=at, last=at))

    def session_last_seen(self, id_digest: str) -> float | None:
        table = schema.sessions_seen
        with self._connect() as conn:
            return conn.execute(sa.select(table.c.last).where(table.c.session == id_digest)).scalar()

    def sessions_seen_of(self, address_digest: str, *, since: float) -> list[tuple[str, str, float, float]]:
        """``(session digest, device, first, last)`` of the sessions of that address used since ``since``."""
        table = schema.sessions_seen
        with self._connect() as conn:
            rows = conn.execute(sa.select(table.c.session, table.c.device, table.c.first, table.c.last)
                                .where(table.c.address == address_digest, table.c.last >= since)
                                .order_by(table.c.last.desc()))
            return [(r[0], r[1], float(r[2]), float(r[3])) for r in rows]

    # --- second factors -----------------------------------------------------------------

    def factor_read(self, person: str) -> str | None:
        table = schema.second_factors
        with self._connect() as conn:
            return conn.execute(sa.select(table.c.data).where(table.c.person == person)).scalar()

    @contextmanager
    def factor_document(self, person: str) -> Iterator[dict]:
        """One person's document (``binsite.desk.factors``), read, changed by the caller and written
        back in one transaction (the one writer on SQLite, an advisory lock on PostgreSQL): of two
        changes at once, each sees the other's. Emptied: the row is removed."""
        import json

        table = schema.second_factors
        with self._transaction() as conn:
            if not self.sqlite:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": person})
            old = conn.execute(sa.select(table.c.data).where(table.c.person == person)).scalar()
            try:
                data = json.loads(old) if old is not None else {}
            except ValueError:
                data = {"broken": True}
            if not isinstance(data, dict):
                data = {"broken": True}
            before = json.dumps(data, sort_keys=True)
            yield data
            new = json.dumps(data, sort_keys=True, separators=(",", ":"))
            if json.dumps(data, sort_keys=True) == before and old is not None:
                return
            if not data:
                conn.execute(table.delete().where(table.c.person == person))
            elif old is None:
                conn.execute(table.insert().values(person=person, data=new, updated=time.time()))
            else:
                conn.execute(table.update().where(table.c.person == person).values(data=new, updated=time.time()))

    def tidy(self, *, now: float | None = None) -> None:
        """Forget what no longer counts: hits older than a day (the longest window is an
        hour), sessions ended more than two days ago (a session lives a working day), login
        claims older than a day (a link lives 15 minutes)."""
        now = time.time() if now is None else now
        with self._transaction() as conn:
            conn.execute(schema.rate_hits.delete().where(schema.rate_hits.c.at < now - DAY))
            conn.execute(schema.ended_sessions.delete().where(schema.ended_sessions.c.at < now - 2 * DAY))
            conn.execute(schema.claims.delete().where(schema.claims.c.at < now - DAY))
            conn.execute(schema.sessions_seen.delete().where(schema.sessions_seen.c.last < now - 2 * DAY))

    def reset_hits(self) -> None:
        """Forget every hit (tests; an operator after a false alarm)."""
        with self._transaction() as conn:
            conn.execute(schema.rate_hits.delete())

    # --- the one-click spool ------------------------------------------------------------

    def spool_add(self, list_id: str, member_id: str, *, name: str | None = None, at: float | None = None,
                  limit: tuple[str, int, float] | None = None) -> bool:
        """Record one unsubscribe request (committed before the caller answers). With ``limit``
        (key, hits, window): the rate-limit hit is counted in the same transaction, one commit
        for both; False when over the limit (nothing recorded, nothing counted)."""
        at = time.time() if at is None else at
        with self._transaction() as conn:
            if limit is not None and not self._count(conn, limit[0], limit[1], limit[2], at):
                return False
            conn.execute(schema.spool.insert().values(
                name=name or f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}", list_id=list_id, member_id=member_id,
                added=at))
        if limit is not None:
            self._counted(at)
        return True

    def spool_pending(self) -> int:
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.spool)).scalar() or 0)

    def spool_take(self, *, now: float | None = None, limit: int = 20) -> list[SpoolEntry]:
        """Claim up to ``limit`` entries no live process holds (never claimed, released, or claimed
        longer ago than the lease) for this process."""
        now = time.time() if now is None else now
        table = schema.spool
        free = sa.or_(table.c.owner.is_(None), table.c.claimed < now - self.lease)
        with self._transaction() as conn:
            ids = [row[0] for row in conn.execute(
                sa.select(table.c.id).where(free).order_by(table.c.id).limit(limit).with_for_update(skip_locked=True))]
            if not ids:
                return []
            conn.execute(table.update().where(table.c.id.in_(ids))
                         .values(owner=self.owner, claimed=now, tries=table.c.tries + 1))
            rows = conn.execute(sa.select(table.c.id, table.c.list_id, table.c.member_id)
                                .where(table.c.id.in_(ids)).order_by(table.c.id))
            return [SpoolEntry(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def spool_done(self, entry: SpoolEntry) -> None:
        """The entry is done (or refused for good): gone from the spool."""
        with self._transaction() as conn:
            conn.execute(schema.spool.delete().where(schema.spool.c.id == entry.id))

    def spool_release(self, entry: SpoolEntry) -> None:
        """Mailman could not take it now: back to the queue for any instance."""
        with self._transaction() as conn:
            conn.execute(schema.spool.update().where(schema.spool.c.id == entry.id, schema.spool.c.owner == self.owner)
                         .values(owner=None, claimed=None))

    # --- the desk's logbook -------------------------------------------------------------

    def log_append(self, line: str, *, at: str, action: str) -> None:
        self._insert(schema.logbook, line=line, at=at, action=action)

    def log_lines(self, *, action: str | None = None) -> Iterator[str]:
        """Every logbook line in the order written (or only those of ``action``)."""
        query = sa.select(schema.logbook.c.line).order_by(schema.logbook.c.id)
        if action is not None:
            query = query.where(schema.logbook.c.action == action)
        with self._connect() as conn:
            lines = [row[0] for row in conn.execute(query)]
        yield from lines

    # --- the partners' door's records ----------------------------------------------------

    def partner_add(self, kind: str, key: str, record: str) -> None:
        self._insert(schema.partner_records, kind=kind[:16], key=key[:64], record=record)

    def partner_records(self) -> list[str]:
        """Every record in the order written."""
        table = schema.partner_records
        with self._connect() as conn:
            return [row[0] for row in conn.execute(sa.select(table.c.record).order_by(table.c.id))]

    def partner_rewrite(self, keep: Callable[[str], str | None], *, kind: str | None = None) -> int:
        """Like ``log_rewrite``, over the partners' records (of ``kind`` only, when given)."""
        table = schema.partner_records
        return self._rewrite(table, table.c.record, keep, None if kind is None else table.c.kind == kind)

    def exclusive(self, name: str) -> contextlib.AbstractContextManager[None]:
        """One holder at a time of ``name`` across every instance and the command line, for a
        check-then-act that spans other transactions (and slow work: a git push). SQLite: a file
        lock beside the database (one server); PostgreSQL: a session advisory lock."""
        number = int.from_bytes(hashlib.sha256(f"binsite:{name}".encode()).digest()[:8], "big", signed=True)
        return self._held(f".{name}.lock", number)

    # --- membership moves -----------------------------------------------------------------

    def move_add(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        self._insert(schema.member_moves, from_list=old[0], from_member=old[1], to_list=new[0], to_member=new[1])

    def moves(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Every recorded move, the later one winning (``binsite.mailman.moves``)."""
        table = schema.member_moves
        with self._connect() as conn:
            rows = conn.execute(sa.select(table.c.from_list, table.c.from_member, table.c.to_list, table.c.to_member)
                                .order_by(table.c.id))
            return {(str(a), str(b).lower()): (str(c), str(d).lower()) for a, b, c, d in rows}

    # --- web reports waiting for confirmation ------------------------------------------------

    def report_add(self, report_id: str, data: str, *, max_age: float, max_pending: int,
                   now: float | None = None) -> bool:
        """Keep one pending report; what waited longer than ``max_age`` goes first. False (nothing
        kept) when ``max_pending`` wait already."""
        now = time.time() if now is None else now
        table = schema.pending_reports
        with self._transaction() as conn:
            conn.execute(table.delete().where(table.c.added < now - max_age))
            if (conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0) >= max_pending:
                return False
            conn.execute(table.insert().values(id=report_id, data=data, added=now))
        return True

    def report_take(self, report_id: str, *, max_age: float, now: float | None = None) -> str | None:
        """The report's data, now taken by this caller only; None when unknown, expired or taken."""
        now = time.time() if now is None else now
        table = schema.pending_reports
        with self._transaction() as conn:
            taken = conn.execute(table.update().where(table.c.id == report_id, table.c.taken.is_(None),
                                                      table.c.added >= now - max_age).values(taken=now))
            if taken.rowcount != 1:
                return None
            return conn.execute(sa.select(table.c.data).where(table.c.id == report_id)).scalar()

    def report_put_back(self, report_id: str) -> None:
        with self._transaction() as conn:
            conn.execute(schema.pending_reports.update().where(schema.pending_reports.c.id == report_id)
                         .values(taken=None))

    def report_done(self, report_id: str) -> None:
        with self._transaction() as conn:
            conn.execute(schema.pending_reports.delete().where(schema.pending_reports.c.id == report_id))

    def reports_drop_before(self, at: float) -> int:
        """Forget the pending reports added before ``at`` (their links no longer work)."""
        with self._transaction() as conn:
            return conn.execute(schema.pending_reports.delete().where(schema.pending_reports.c.added < at)).rowcount

    def reports(self) -> list[tuple[str, str]]:
        """``(id, data)`` of every pending report (AVG inzage)."""
        table = schema.pending_reports
        with self._connect() as conn:
            return [(str(a), str(b)) for a, b in conn.execute(sa.select(table.c.id, table.c.data).order_by(table.c.added))]

    def reports_pending(self) -> int:
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.pending_reports)).scalar() or 0)

    # --- what concerns one address (AVG: inzage, wissen), retention ------------------------

    def log_rewrite(self, keep: Callable[[str], str | None]) -> int:
        """Rewrite the logbook row by row in one transaction: ``keep(line)`` returns the line
        to keep (changed or not) or None to drop it. Returns how many rows changed."""
        return self._rewrite(schema.logbook, schema.logbook.c.line, keep, None)

    def _rewrite(self, table: sa.Table, column: sa.Column, keep: Callable[[str], str | None],
                 where: sa.ColumnElement[bool] | None) -> int:
        query = sa.select(table.c.id, column).order_by(table.c.id)
        if where is not None:
            query = query.where(where)
        changed = 0
        with self._transaction() as conn:
            for row_id, text in conn.execute(query).all():
                new = keep(text)
                if new == text:
                    continue
                changed += 1
                if new is None:
                    conn.execute(table.delete().where(table.c.id == row_id))
                else:
                    conn.execute(table.update().where(table.c.id == row_id).values({column.name: new}))
        return changed

    def log_drop_before(self, at: str) -> int:
        """Drop the logbook rows written before ``at`` (UTC ISO 8601 as the lines hold it)."""
        with self._transaction() as conn:
            return conn.execute(schema.logbook.delete().where(schema.logbook.c.at < at)).rowcount

    def sessions_of(self, address_digest: str) -> int:
        """How many "ended everywhere" rows name this address digest."""
        table = schema.ended_sessions
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)
                                    .where(table.c.digest == address_digest)).scalar() or 0)

    def sessions_forget(self, address_digest: str) -> int:
        table, seen = schema.ended_sessions, schema.sessions_seen
        with self._transaction() as conn:
            conn.execute(seen.delete().where(seen.c.address == address_digest))
            return conn.execute(table.delete().where(table.c.digest == address_digest)).rowcount

    def sessions_drop_before(self, at: float) -> int:
        table, seen = schema.ended_sessions, schema.sessions_seen
        with self._transaction() as conn:
            conn.execute(seen.delete().where(seen.c.last < at))
            return conn.execute(table.delete().where(table.c.at < at)).rowcount

    def spool_of(self, member_ids: Iterable[str]) -> list[SpoolEntry]:
        """The spool entries of these Mailman member ids."""
        wanted = sorted(set(member_ids))
        if not wanted:
            return []
        table = schema.spool
        with self._connect() as conn:
            rows = conn.execute(sa.select(table.c.id, table.c.list_id, table.c.member_id)
                                .where(table.c.member_id.in_(wanted)).order_by(table.c.id))
            return [SpoolEntry(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def spool_forget(self, ids: Iterable[int]) -> int:
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        with self._transaction() as conn:
            return conn.execute(schema.spool.delete().where(schema.spool.c.id.in_(wanted))).rowcount

    def spool_drop_before(self, at: float) -> int:
        with self._transaction() as conn:
            return conn.execute(schema.spool.delete().where(schema.spool.c.added < at)).rowcount

    def compact(self) -> str:
        """After an erasure: what was deleted leaves no bytes behind. SQLite deletes with
        ``secure_delete`` (pages zeroed), then ``VACUUM`` rewrites the file and the WAL is
        checkpointed and truncated (its frames held the old pages); PostgreSQL ``VACUUM``s the
        tables, so dead rows are freed for reuse. Returns what was compacted (for the report)."""
        tables = [t.name for t in schema.metadata.sorted_tables]
        with _reached(), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            if self.sqlite:
                with self._writer:
                    raw.execute("VACUUM")
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return str(self.url.database)
            previous = raw.autocommit
            raw.autocommit = True
            try:
                cursor = raw.cursor()
                for name in tables:
                    cursor.execute(f'VACUUM "{name}"')
                cursor.close()
            finally:
                raw.autocommit = previous
        return self.url.render_as_string(hide_password=True)

    # --- helpers ------------------------------------------------------------------------

    def _insert(self, table: sa.Table, **values: object) -> None:
        with self._transaction() as conn:
            conn.execute(table.insert().values(**values))


_sites: dict[Path, Store] = {}
_sites_lock = threading.Lock()


def site_store(root: Path, environ: Mapping[str, str] = os.environ) -> Store:
    """The store of the site in ``root`` for this process: the one the web service opened for it
    (``use``), else opened now from ``environ`` (the command line), its schema up to date and
    the old state files read in once."""
    key = root.resolve()
    with _sites_lock:
        store = _sites.get(key)
        if store is None:
            from binsite.store.files import import_site

            store = Store.open(root, environ)
            import_site(store, root, environ)
            _sites[key] = store
    return store


def use(root: Path, store: Store) -> None:
    """``store`` is the site's store in this process (``create_app``)."""
    with _sites_lock:
        _sites[root.resolve()] = store


def _after_fork(ref: "weakref.ref[Store]") -> None:
    store = ref()
    if store is not None:
        store.engine.dispose(close=False)
        if store.sqlite:
            store._writer = _Writer(store.url.database or "")  # its own open file: its own lock


class _Writer:
    """SQLite's one writer at a time, queued: the threads of this process on a lock, the
    processes (gunicorn's workers, the command line) on ``flock`` of a file beside the
    database, which wakes a waiter as soon as the holder lets go."""

    def __init__(self, database: str):
        self._thread = threading.Lock()
        self._path = f"{database}.writer" if database and database != ":memory:" else ""
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread.acquire()
        if not self._path:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError as exc:
            self._thread.release()
            raise _unavailable(exc) from None

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread.release()


def _engine(url: sa.engine.URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        args: dict[str, object] = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
        # No pre-ping (a round trip before every transaction): a connection the server closed
        # meanwhile fails its first statement, and that transaction runs once more (``_once_more``).
        engine = sa.create_engine(url, pool_size=5, max_overflow=10, connect_args=args)

        @sa.event.listens_for(engine, "after_cursor_execute")
        def _executed(*_args) -> None:
            _done.set(_done.get() + 1)

        return engine
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's recipe: we say BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA secure_delete=ON")  # a deleted row's bytes are zeroed (AVG: erasure)
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # A write: one writer at a time, a check and its write together. A read: deferred.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("binsite_read") else "BEGIN IMMEDIATE")

    return engine


# Statements of this thread's current transaction that the server answered.
_done: contextvars.ContextVar[int] = contextvars.ContextVar("binsite_store_done", default=0)


class _Stale(StoreUnavailable):
    """A pooled connection the server had closed failed before any statement was answered:
    nothing of the transaction happened, so it may run once more on a fresh connection."""


@contextmanager
def _reached() -> Iterator[None]:
    """A database that cannot be reached, is read-only or full: ``StoreUnavailable`` (the
    transaction did not commit). A broken constraint stays what it is (a claim already made)."""
    try:
        yield
    except sa.exc.IntegrityError:
        raise
    except sa.exc.DBAPIError as exc:
        if exc.connection_invalidated and _done.get() == 0:
            log.warning("database connection closed by the server; once more on a fresh one")
            raise _Stale(_unavailable_text()) from None
        raise _unavailable(exc) from None


def _once_more(method: Callable) -> Callable:
    """Run a store method once more when its transaction met a stale pooled connection (``_Stale``)."""
    @functools.wraps(method)
    def run(self: "Store", *args: object, **kwargs: object) -> object:
        try:
            return method(self, *args, **kwargs)
        except _Stale:
            return method(self, *args, **kwargs)
    return run


for _name in ("claim", "end_session", "end_every_session", "has_ended", "hit", "tidy", "reset_hits", "spool_add",
              "spool_pending", "spool_take", "spool_done", "spool_release", "log_append", "log_rewrite",
              "log_drop_before", "partner_add", "partner_records", "partner_rewrite", "move_add", "moves",
              "report_add", "report_take", "report_put_back", "report_done", "reports", "reports_pending",
              "reports_drop_before",
              "sessions_of", "sessions_forget", "sessions_drop_before", "spool_of", "spool_forget",
              "spool_drop_before", "revision", "hits", "session_seen", "session_last_seen", "sessions_seen_of",
              "factor_read"):
    setattr(Store, _name, _once_more(getattr(Store, _name)))


def _unavailable_text():
    return t("de database van de dienst is niet bereikbaar ({v}); er is niets veranderd",
             "the service's database cannot be reached ({v}); nothing was changed", v=URL_VAR)


def _unavailable(exc: Exception) -> StoreUnavailable:
    log.error("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
    return StoreUnavailable(_unavailable_text())
