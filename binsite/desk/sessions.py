"""Desk sessions that ended before their cookie expired.

A BINCO's session is a signed cookie (``binsite.web.desk``): the address, a
random session id and the moment of login. The cookie alone would stay valid
until it expires, wherever a copy of it is. So:

- **logging out** records that session's id here: the same cookie, replayed
  from a copy, no longer logs anyone in;
- **logging out everywhere** records the moment before which every session
  of that address ends (the phone left logged in, a borrowed computer).

- **an idle session** ends too: every request of a session notes that it was
  seen (at most once a minute: a line with the session's digest, the
  address's digest and the device, such as "Firefox op Android"), and a
  session not seen for ``IDLE_SECONDS`` (30 minutes) counts as ended; the
  account page lists the sessions still active and can end each one.

The file (``paths.desk_sessions``: ``state/desk-sessions.jsonl``) is appended
under a lock and fsynced like the logbook, and holds digests and times only,
never an address or a session id. Instances of the service that share the
state folder share it; each reads it again when it changes. Lines older than a
session's lifetime no longer matter and are skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from binsite.desk import logbook

log = logging.getLogger(__name__)


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"binsite-session\x1f{kind}\x1f{value}".encode()).hexdigest()[:32]


def _address(address: str) -> str:
    return _digest("address", address.strip().lower())


def end_session(path: Path, session_id: str, *, at: float) -> None:
    """This session (logged out) is over."""
    logbook.append(path, {"at": round(at, 3), "ended": _digest("id", session_id)})


def session_key(session_id: str) -> str:
    """The digest the file knows a session by (the account page's handle for ending it)."""
    return _digest("id", session_id)


def end_session_key(path: Path, key: str, *, at: float) -> None:
    """The session with digest ``key`` (one of ``active``'s) is over."""
    logbook.append(path, {"at": round(at, 3), "ended": key})


IDLE_SECONDS = 30 * 60
SEEN_EVERY = 60.0  # a session's "seen" line at most this often


def seen(path: Path, address: str, session_id: str, device: str, *, at: float) -> None:
    """This session was used now (from ``device``, a short description of the browser)."""
    logbook.append(path, {"at": round(at, 3), "seen": _digest("id", session_id), "who": _address(address),
                          "device": device[:60]})


def last_seen(path: Path, session_id: str, *, now: float, lifetime: float) -> float | None:
    entry = _read(path, since=now - lifetime).seen.get(_digest("id", session_id))
    return entry[1] if entry else None


@dataclass(frozen=True)
class Active:
    key: str          # the session's digest (``end_session_key``)
    device: str
    last_seen: float


def active(path: Path, address: str, *, now: float, lifetime: float, idle: float) -> list[Active]:
    """The sessions of ``address`` still going: seen within ``idle``, not ended; latest first."""
    ended = _read(path, since=now - lifetime)
    who = _address(address)
    everywhere = ended.before.get(who, float("-inf"))
    found = [Active(key, device, last) for key, (person, last, device, first) in ended.seen.items()
             if person == who and key not in ended.ids and last >= now - idle and first > everywhere]
    return sorted(found, key=lambda a: -a.last_seen)


def end_every_session(path: Path, address: str, *, at: float) -> None:
    """Every session of ``address`` that began before ``at`` is over."""
    logbook.append(path, {"at": round(at, 3), "before": _address(address)})


@dataclass(frozen=True)
class _Ended:
    ids: frozenset[str]
    before: dict[str, float]   # address digest -> the latest "everywhere"
    # session digest -> (address digest, last seen, device, first seen)
    seen: dict[str, tuple[str, float, str, float]] = field(default_factory=dict)


_cache: dict[str, tuple[tuple[int, int], _Ended]] = {}
_lock = threading.Lock()


# Only the end of the file is read: a line is under 100 bytes and only the
# last working day's lines count, so this holds tens of thousands of logouts.
READ_AT_MOST = 4 * 1024 * 1024
_NOTHING = _Ended(frozenset(), {})


def _read(path: Path, *, since: float) -> _Ended:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _NOTHING
    except OSError as exc:
        log.error("%s cannot be read (%s): no session counts as ended", path.name, type(exc).__name__)
        return _NOTHING
    if not stat.S_ISREG(info.st_mode):
        # Not a file (a folder, a device): no logout can have been written there either.
        log.error("%s is not a file: no session counts as ended", path.name)
        return _NOTHING
    key = (info.st_mtime_ns, info.st_size)
    with _lock:
        cached = _cache.get(str(path))
        if cached is not None and cached[0] == key:
            return cached[1]
    try:
        with open(path, "rb") as handle:
            if info.st_size > READ_AT_MOST:
                handle.seek(info.st_size - READ_AT_MOST)
                handle.readline()  # the rest of a line cut by the seek
            data = handle.read(READ_AT_MOST)
    except OSError as exc:
        log.error("%s cannot be read (%s): no session counts as ended", path.name, type(exc).__name__)
        return _NOTHING
    ids: set[str] = set()
    before: dict[str, float] = {}
    seen_at: dict[str, tuple[str, float, str, float]] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            values = json.loads(line)
            at = float(values["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn line of a writer that was killed
        if at < since:
            continue
        if isinstance(values.get("ended"), str):
            ids.add(values["ended"])
        elif isinstance(values.get("before"), str):
            before[values["before"]] = max(at, before.get(values["before"], 0.0))
        elif isinstance(values.get("seen"), str) and isinstance(values.get("who"), str):
            earlier = seen_at.get(values["seen"])
            seen_at[values["seen"]] = (values["who"], at, str(values.get("device", ""))[:60],
                                       earlier[3] if earlier else at)
    ended = _Ended(frozenset(ids), before, seen_at)
    with _lock:
        _cache[str(path)] = (key, ended)
    return ended


def has_ended(path: Path, address: str, session_id: str, started: float, *, now: float, lifetime: float,
              idle: float | None = None) -> bool:
    """Whether the session ``session_id`` of ``address``, begun at ``started``, was ended
    (logged out, out everywhere, or, with ``idle``, not seen for that long)."""
    ended = _read(path, since=now - lifetime)
    key = _digest("id", session_id)
    if key in ended.ids:
        return True
    if idle is not None:
        last = max(started, ended.seen[key][1] if key in ended.seen else started)
        if now - last > idle:
            return True
    return started <= ended.before.get(_address(address), float("-inf"))
