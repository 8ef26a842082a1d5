"""Desk sessions that ended before their cookie expired.

A BINCO's session is a signed cookie (``binsite.web.desk``): the address, a
random session id and the moment of login. The cookie alone would stay valid
until it expires, wherever a copy of it is. So:

- **logging out** records that session's id here: the same cookie, replayed
  from a copy, no longer logs anyone in;
- **logging out everywhere** records the moment before which every session
  of that address ends (the phone left logged in, a borrowed computer).

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
from dataclasses import dataclass
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


def end_every_session(path: Path, address: str, *, at: float) -> None:
    """Every session of ``address`` that began before ``at`` is over."""
    logbook.append(path, {"at": round(at, 3), "before": _address(address)})


@dataclass(frozen=True)
class _Ended:
    ids: frozenset[str]
    before: dict[str, float]   # address digest -> the latest "everywhere"


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
    ended = _Ended(frozenset(ids), before)
    with _lock:
        _cache[str(path)] = (key, ended)
    return ended


def has_ended(path: Path, address: str, session_id: str, started: float, *, now: float, lifetime: float) -> bool:
    """Whether the session ``session_id`` of ``address``, begun at ``started``, was ended."""
    ended = _read(path, since=now - lifetime)
    if _digest("id", session_id) in ended.ids:
        return True
    return started <= ended.before.get(_address(address), float("-inf"))
