"""The build cache under ``.binsite/cache/``: what was parsed, checked and
rendered before, so that a rebuild redoes only what changed.

Two files:

* ``state.pickle``: per content file its stat signature and digest, per
  (digest, context) the parsed bulletin with its problems, and per output
  folder the manifest of pages (page key, bytes digest, size, mtime).
  It starts with a header naming the cache format, binsite's and Python's
  versions and a SHA-256 of the payload: a foreign-version or corrupt file
  is ignored (and replaced), never trusted.
* ``bodies.sqlite``: rendered Markdown bodies by key, read on demand so
  that memory stays flat at tens of thousands of bulletins.

The cache only ever saves work: deleting ``.binsite/cache`` is always safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sqlite3
import sys
from pathlib import Path
from typing import Any

from binsite import __version__
from binsite.markup import RenderedBody
from binsite.writer import atomic_write

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
MAGIC = b"binsite-cache"
CACHE_DIR = ".binsite/cache"


def _header() -> bytes:
    return f"{CACHE_FORMAT}|{__version__}|{sys.version_info[:3]}".encode()


def serialize_body(body: RenderedBody) -> str:
    return json.dumps([body.public_html, body.mail_html, body.public_text, body.mail_text, body.has_members_only])


def deserialize_body(data: str) -> RenderedBody:
    return RenderedBody(*json.loads(data))


class BodyStore:
    """Rendered bodies by key. In memory; ``SqliteBodies`` keeps them on disk."""

    def __init__(self) -> None:
        self._bodies: dict[str, RenderedBody] = {}

    def get(self, key: str) -> RenderedBody:
        return self._bodies[key]

    def has(self, key: str) -> bool:
        return key in self._bodies

    def put_many(self, items: list[tuple[str, RenderedBody]]) -> None:
        self._bodies.update(items)

    def put_serialized(self, items: list[tuple[str, str]]) -> None:
        """Bodies as ``serialize_body`` wrote them (in a worker process)."""
        self.put_many([(key, deserialize_body(data)) for key, data in items])


class SqliteBodies(BodyStore):
    """Bodies in SQLite: one connection per process (safe after fork)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self._pid = -1
        self._conn: sqlite3.Connection | None = None
        self._known: set[str] | None = None
        try:
            self._connection()
        except sqlite3.DatabaseError as exc:
            log.warning("body cache %s unreadable (%s); starting afresh", path, exc)
            self._reset()

    def _reset(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._connection()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, data TEXT NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()
            if row is None:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('header', ?)", (_header().decode(),))
                conn.commit()
            elif row[0] != _header().decode():
                conn.execute("DELETE FROM bodies")
                conn.execute("UPDATE meta SET value = ? WHERE key = 'header'", (_header().decode(),))
                conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get(self, key: str) -> RenderedBody:
        if key in self._bodies:
            return self._bodies[key]
        row = self._connection().execute("SELECT data FROM bodies WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return deserialize_body(row[0])

    def has(self, key: str) -> bool:
        if self._known is None:
            self._known = {r[0] for r in self._connection().execute("SELECT key FROM bodies")}
        return key in self._known or key in self._bodies

    def put_many(self, items: list[tuple[str, RenderedBody]]) -> None:
        self.put_serialized([(key, serialize_body(body)) for key, body in items])

    def put_serialized(self, items: list[tuple[str, str]]) -> None:
        if not items:
            return
        conn = self._connection()
        with conn:
            conn.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", items)
        if self._known is not None:
            self._known.update(key for key, _ in items)


class BuildCache:
    """Load with ``BuildCache.open(root)``; change ``state``; ``save()``."""

    def __init__(self, folder: Path, state: dict[str, Any], bodies: BodyStore):
        self.folder = folder
        self.state = state
        self.bodies = bodies
        # Saving costs a pickle of every bulletin: skip it when nothing changed.
        self.dirty = not state

    @classmethod
    def open(cls, root: Path) -> "BuildCache":
        folder = root / CACHE_DIR
        return cls(folder, _load_state(folder / "state.pickle"), SqliteBodies(folder / "bodies.sqlite"))

    @classmethod
    def memory(cls) -> "BuildCache":
        """A cache that lives only as long as the process (no files)."""
        return cls(Path(), {}, BodyStore())

    @property
    def persistent(self) -> bool:
        return isinstance(self.bodies, SqliteBodies)

    def section(self, name: str) -> dict[str, Any]:
        return self.state.setdefault(name, {})

    def save(self) -> None:
        if not self.persistent or not self.dirty:
            return
        payload = pickle.dumps(self.state, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest().encode()
        atomic_write(self.folder / "state.pickle", MAGIC + b"\n" + _header() + b"\n" + digest + b"\n" + payload)
        self.dirty = False


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("build cache %s unreadable (%s); rebuilding everything", path, exc)
        return {}
    parts = data.split(b"\n", 3)
    if len(parts) != 4 or parts[0] != MAGIC:
        log.warning("build cache %s is not a binsite cache; ignored", path)
        return {}
    if parts[1] != _header():
        log.info("build cache %s is from another version (%s); ignored", path, parts[1].decode(errors="replace"))
        return {}
    if hashlib.sha256(parts[3]).hexdigest().encode() != parts[2]:
        log.warning("build cache %s is corrupt (checksum); ignored", path)
        return {}
    try:
        state = pickle.loads(parts[3])
    except Exception as exc:  # a cache must never stop a build
        log.warning("build cache %s could not be read (%s); ignored", path, exc)
        return {}
    return state if isinstance(state, dict) else {}
