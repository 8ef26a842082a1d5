"""The build cache under ``.binsite/cache/``: what was parsed, checked and
rendered before, so that a rebuild redoes only what changed.

Three files:

* ``state.pickle``: per content file its stat signature and digest, per
  (digest, context) the parsed bulletin with its problems, and per output
  folder the manifest of pages (page key, bytes digest, size, mtime).
  It starts with a header naming the cache format, binsite's and Python's
  versions and ends with a SHA-256 of the payload: a foreign-version or
  corrupt file is ignored (and replaced), never trusted.
* ``state.delta.pickle``: the entries changed since ``state.pickle`` was
  written, in the same format and bound to it by its SHA-256, so that a
  rebuild after one edit writes kilobytes instead of every bulletin. A
  damaged or unbound delta is ignored (the full state alone is older but
  consistent: every file and output is still checked against it).
* ``bodies.sqlite``: rendered Markdown bodies and search words by key, read
  on demand so that memory stays flat at tens of thousands of bulletins.

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
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from binsite import __version__
from binsite.paths import cache_dir

if TYPE_CHECKING:
    from binsite.render.markup import RenderedBody

log = logging.getLogger(__name__)

CACHE_FORMAT = 5
MAGIC = b"binsite-cache"


def _header() -> bytes:
    return f"{CACHE_FORMAT}|{__version__}|{sys.version_info[:3]}".encode()


def serialize_body(body: RenderedBody) -> str:
    # Without members-only passages the public and mail renditions are the
    # same: each is then stored once (a quarter less to write at a cold build).
    mail_html = None if body.mail_html == body.public_html else body.mail_html
    mail_text = None if body.mail_text == body.public_text else body.mail_text
    fields = [body.public_html, mail_html, body.public_text, mail_text, body.has_members_only]
    if body.public_media or body.mail_media:
        fields += [[[r.tag, r.name, r.alt] for r in refs] for refs in (body.public_media, body.mail_media)]
    return json.dumps(fields)


def deserialize_body(data: str) -> RenderedBody:
    from binsite.render.markup import RenderedBody  # Markdown is imported only where bodies are

    public_html, mail_html, public_text, mail_text, has_members_only, *media = json.loads(data)
    refs: list[tuple] = [(), ()]
    if media:
        from binsite.source.media import Ref

        refs = [tuple(Ref(*r) for r in part) for part in media]
    return RenderedBody(public_html, public_html if mail_html is None else mail_html, public_text,
                        public_text if mail_text is None else mail_text, has_members_only, *refs)


class BodyStore:
    """Rendered bodies by key. In memory; ``SqliteBodies`` keeps them on disk."""

    def __init__(self) -> None:
        self._bodies: dict[str, RenderedBody] = {}
        self._words: dict[str, str] = {}
        self._fragments: dict[str, bytes] = {}

    def get(self, key: str) -> RenderedBody:
        return self._bodies[key]

    def has(self, key: str) -> bool:
        return key in self._bodies

    def put_many(self, items: list[tuple[str, RenderedBody]]) -> None:
        self._bodies.update(items)

    def put_serialized(self, items: list[tuple[str, str]]) -> None:
        """Bodies as ``serialize_body`` wrote them (in a worker process)."""
        self.put_many([(key, deserialize_body(data)) for key, data in items])

    # Search words per bulletin (``binsite.incremental.analyse.words_key``): only the
    # search index needs them, all at once.
    def has_words(self, key: str) -> bool:
        return key in self._words

    def put_words(self, items: list[tuple[str, str]]) -> None:
        self._words.update(items)

    def words(self, keys: list[str]) -> dict[str, str]:
        return {key: self._words[key] for key in keys}

    def forget_known_keys(self) -> None:
        """Let go of what ``has`` and ``has_words`` keep to answer quickly."""

    def prune_if_stale(self, needed: int, keys: Callable[[], tuple[set[str], set[str]]]) -> int:
        """Drop the bodies and words not among ``keys()`` (``needed`` bodies)
        once they are a good part of the store; the number of entries dropped."""
        bodies, words = keys()
        stale = self._bodies.keys() - bodies
        stale_words = self._words.keys() - words
        for key in stale:
            del self._bodies[key]
        for key in stale_words:
            del self._words[key]
        return len(stale) + len(stale_words)

    # Encoded batches of the search index by key (``binsite.render.pages.search_batches``),
    # kept by the build (``binsite.build``): only the latest build's.
    def fragment(self, key: str) -> bytes | None:
        return self._fragments.get(key)

    def fragment_keys(self) -> set[str]:
        return set(self._fragments)

    def put_fragment(self, key: str, data: bytes) -> None:
        self._fragments[key] = data

    def keep_fragments(self, keys: list[str]) -> None:
        self._fragments = {key: self._fragments[key] for key in keys if key in self._fragments}


# The body store is pruned when it holds this share more bodies than the
# bulletins need (plus a few): rarely, and never at a cold build.
PRUNE_SHARE = 0.2
PRUNE_SLACK = 200


class SqliteBodies(BodyStore):
    """Bodies in SQLite: one connection per process (safe after fork)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self._pid = -1
        self._conn: sqlite3.Connection | None = None
        self._known: set[str] | None = None
        self._known_words: set[str] | None = None
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
            # A write-ahead log without a sync per commit: a crash may lose the
            # last bodies written (they are then made again), never corrupt the rest.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, data TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS words (key TEXT PRIMARY KEY, words TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()
            if row is None:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('header', ?)", (_header().decode(),))
                conn.commit()
            elif row[0] != _header().decode():
                conn.execute("DELETE FROM bodies")
                conn.execute("DELETE FROM words")
                conn.execute("DELETE FROM fragments")
                conn.execute("UPDATE meta SET value = ? WHERE key = 'header'", (_header().decode(),))
                conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get(self, key: str) -> RenderedBody:
        row = self._connection().execute("SELECT data FROM bodies WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return deserialize_body(row[0])

    def has(self, key: str) -> bool:
        if self._known is None:
            self._known = self._all_keys("bodies")
        return key in self._known

    def _all_keys(self, table: str) -> set[str]:
        """Every key of ``table`` (hex digests: no spaces), as one joined
        string: half the time of a row per key."""
        joined = self._connection().execute(f"SELECT group_concat(key, ' ') FROM {table}").fetchone()[0]
        return set(joined.split(" ")) if joined else set()

    def prune_if_stale(self, needed: int, keys: Callable[[], tuple[set[str], set[str]]]) -> int:
        """Delete the bodies and words not among ``keys()`` when the store
        holds ``PRUNE_SHARE`` more than the ``needed`` bodies (told by the
        key sets ``has`` loaded, so the check costs nothing). Edited
        bulletins otherwise leave their old bodies behind for ever; SQLite
        reuses the freed pages, so the file stops growing."""
        if self._known is None or self._known_words is None:
            return 0
        if len(self._known) <= needed * (1 + PRUNE_SHARE) + PRUNE_SLACK:
            return 0
        bodies, words = keys()
        conn = self._connection()
        with conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_keys (key TEXT PRIMARY KEY)")
            dropped = 0
            for table, keep in (("bodies", bodies), ("words", words)):
                conn.execute("DELETE FROM keep_keys")
                conn.executemany("INSERT OR IGNORE INTO keep_keys VALUES (?)", ((key,) for key in keep))
                dropped += conn.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keep_keys)").rowcount
            conn.execute("DELETE FROM keep_keys")
        self._known = self._known & bodies
        self._known_words = self._known_words & words
        log.info("body store: %d entries no bulletin needs any more removed", dropped)
        return dropped

    def forget_known_keys(self) -> None:
        # Two sets of every key (2.5 MB at 10,000 bulletins): made again if asked.
        self._known = self._known_words = None

    def has_words(self, key: str) -> bool:
        if self._known_words is None:
            self._known_words = self._all_keys("words")
        return key in self._known_words

    def put_words(self, items: list[tuple[str, str]]) -> None:
        self._insert("words", items, self._known_words)

    def words(self, keys: list[str]) -> dict[str, str]:
        """The words of ``keys`` (ask a few hundred at a time)."""
        found: dict[str, str] = {}
        conn = self._connection()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(conn.execute(f"SELECT key, words FROM words WHERE key IN ({','.join('?' * len(chunk))})",
                                      chunk))
        missing = set(keys) - found.keys()
        if missing:
            raise KeyError(sorted(missing)[0])
        return found

    def put_many(self, items: list[tuple[str, RenderedBody]]) -> None:
        self.put_serialized([(key, serialize_body(body)) for key, body in items])

    def fragment(self, key: str) -> bytes | None:
        row = self._connection().execute("SELECT data FROM fragments WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def fragment_keys(self) -> set[str]:
        return {key for (key,) in self._connection().execute("SELECT key FROM fragments")}

    def put_fragment(self, key: str, data: bytes) -> None:
        conn = self._connection()
        with conn:
            conn.execute("INSERT OR REPLACE INTO fragments VALUES (?, ?)", (key, data))

    def keep_fragments(self, keys: list[str]) -> None:
        conn = self._connection()
        with conn:
            conn.execute(f"DELETE FROM fragments WHERE key NOT IN ({','.join('?' * len(keys))})", keys)

    def put_serialized(self, items: list[tuple[str, str]]) -> None:
        self._insert("bodies", items, self._known)

    def _insert(self, table: str, items: list[tuple[str, str]], known: set[str] | None) -> None:
        """Rows of (key, value) into ``table`` (``bodies`` or ``words``), in one transaction."""
        if not items:
            return
        conn = self._connection()
        with conn:
            conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", items)
        if known is not None:
            known.update(key for key, _ in items)


class Section(dict):
    """A part of the cache state that remembers which keys changed since the
    last full save (set or deleted with ``[]`` and ``del``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.changed: set[Any] = set()

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed.add(key)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self.changed.add(key)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("change a cache section with [] and del, so that the change is saved")

    pop = popitem = setdefault = update = clear = _refuse


_DELETED = "\0deleted"
# A small change is saved as a delta beside the full state, up to this share
# of the entries; beyond it the full state is written again.
DELTA_SHARE = 0.05


class BuildCache:
    """Load with ``BuildCache.open(root)``; change sections; ``save()``.

    On disk: ``state.pickle``, the full state, and ``state.delta.pickle``, the
    entries changed since (bound to the full state by its digest). A rebuild
    after an edit writes only the delta: a few kilobytes, not every bulletin."""

    def __init__(self, folder: Path, state: dict[str, Section], bodies: BodyStore, *, base_digest: bytes = b""):
        self.folder = folder
        self.state = state
        self.bodies = bodies
        self.base_digest = base_digest
        # Saving costs a pickle of every bulletin: skip it when nothing changed.
        self.dirty = not state

    @classmethod
    def open(cls, root: Path) -> "BuildCache":
        folder = cache_dir(root)
        base, digest = _load_state(folder / STATE_FILE)
        state = {name: Section(section) for name, section in base.items() if isinstance(section, dict)}
        if state:
            delta, _ = _load_state(folder / DELTA_FILE)
            sections = delta.get("sections")
            if delta.get("base") == digest and isinstance(sections, dict):
                for name, changes in sections.items():
                    section = state.setdefault(name, Section())
                    for key, value in changes.items():
                        if isinstance(value, str) and value == _DELETED:
                            dict.pop(section, key, None)
                        else:
                            dict.__setitem__(section, key, value)
                    # Still changed since the full state: the next delta holds them too.
                    section.changed = set(changes)
        return cls(folder, state, SqliteBodies(folder / "bodies.sqlite"), base_digest=digest if state else b"")

    @classmethod
    def memory(cls) -> "BuildCache":
        """A cache that lives only as long as the process (no files)."""
        return cls(Path(), {}, BodyStore())

    @property
    def persistent(self) -> bool:
        return isinstance(self.bodies, SqliteBodies)

    def section(self, name: str) -> Section:
        if name not in self.state:
            self.state[name] = Section()
        return self.state[name]

    def save(self) -> None:
        if not self.persistent or not self.dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        changed = sum(len(section.changed) for section in self.state.values())
        entries = sum(len(section) for section in self.state.values())
        if self.base_digest and changed <= DELTA_SHARE * entries:
            delta = {"base": self.base_digest, "sections": {
                name: {key: section.get(key, _DELETED) for key in section.changed}
                for name, section in self.state.items() if section.changed}}
            _write_state(self.folder / DELTA_FILE, delta)
        else:
            (self.folder / DELTA_FILE).unlink(missing_ok=True)
            self.base_digest = _write_state(self.folder / STATE_FILE, {k: dict(v) for k, v in self.state.items()})
            for section in self.state.values():
                section.changed = set()
        self.dirty = False


STATE_FILE = "state.pickle"
DELTA_FILE = "state.delta.pickle"


def _write_state(path: Path, state: dict[str, Any]) -> bytes:
    """Pickle ``state`` straight into ``path`` (atomically), through a hash:
    the payload is never in memory as one bytes object. The digest goes last
    and is returned."""
    # Named with the pid, as every temporary file of binsite (binsite.incremental.leftovers clears them after a kill).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + b"\n" + _header() + b"\n")
            hashing = _HashingWriter(handle)
            pickle.dump(state, hashing, protocol=pickle.HIGHEST_PROTOCOL)
            digest = hashing.hasher.hexdigest().encode()
            handle.write(b"\n" + digest)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


class _HashingWriter:
    """A file-like object that hashes what it passes on."""

    def __init__(self, handle: Any):
        self.handle = handle
        self.hasher = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        return self.handle.write(data)


def _load_state(path: Path) -> tuple[dict[str, Any], bytes]:
    """The state in ``path`` and its digest; empty when missing, foreign or
    damaged: a cache is never trusted blindly."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, b""
    except OSError as exc:
        log.warning("build cache %s unreadable (%s); rebuilding everything", path, exc)
        return {}, b""
    # Two header lines, the payload, a newline and its SHA-256 (read through
    # a view: no copy of the payload).
    parts = data[:1024].split(b"\n", 2)
    if len(parts) != 3 or parts[0] != MAGIC or len(data) < 66:
        log.warning("build cache %s is not a binsite cache; ignored", path)
        return {}, b""
    if parts[1] != _header():
        log.info("build cache %s is from another version (%s); ignored", path, parts[1].decode(errors="replace"))
        return {}, b""
    payload = memoryview(data)[len(parts[0]) + len(parts[1]) + 2:-65]
    if data[-65:-64] != b"\n" or hashlib.sha256(payload).hexdigest().encode() != data[-64:]:
        log.warning("build cache %s is corrupt (checksum); ignored", path)
        return {}, b""
    try:
        state = pickle.loads(payload)
    except Exception as exc:  # a cache must never stop a build
        log.warning("build cache %s could not be read (%s); ignored", path, exc)
        return {}, b""
    return (state, bytes(data[-64:])) if isinstance(state, dict) else ({}, b"")
