"""Desk sessions that ended before their cookie expired.

A BINCO's session is a signed cookie (``binsite.web.desk``): the address, a
random session id and the moment of login. The cookie alone would stay valid
until it expires, wherever a copy of it is. So:

- **logging out** records that session's id: the same cookie, replayed from a
  copy, no longer logs anyone in;
- **logging out everywhere** records the moment before which every session
  of that address ends (the phone left logged in, a borrowed computer);
- **an idle session** ends too: every request of a session notes that it was
  seen (at most once a minute: the session's digest, the address's digest and
  the device, such as "Firefox op Android"), and a session not seen for
  ``IDLE_SECONDS`` (30 minutes) counts as ended; the account page
  (``binsite.web.factors``) lists the sessions still active and ends each one.

Both live in the service's store (``binsite.store``: one database shared by
every instance), as digests and times only, never an address or a session id.
Before the store they were lines in ``state/desk-sessions.jsonl``;
``read_lines`` reads such a file once into the store (``binsite.store.files``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from binsite.store import Store

log = logging.getLogger(__name__)


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"binsite-session\x1f{kind}\x1f{value}".encode()).hexdigest()[:32]


def _address(address: str) -> str:
    return _digest("address", address.strip().lower())


def end_session(store: Store, session_id: str, *, at: float) -> None:
    """This session (logged out) is over."""
    store.end_session(_digest("id", session_id), at=round(at, 3))


def end_every_session(store: Store, address: str, *, at: float) -> None:
    """Every session of ``address`` that began before ``at`` is over."""
    store.end_every_session(_address(address), at=round(at, 3))


def has_ended(store: Store, address: str, session_id: str, started: float, *, now: float, lifetime: float,
              idle: float | None = None) -> bool:
    """Whether the session ``session_id`` of ``address``, begun at ``started``, was ended (logged
    out, out everywhere, or, with ``idle``, not seen for that long)."""
    key = _digest("id", session_id)
    if idle is not None:
        last = max(started, store.session_last_seen(key) or started)
        if now - last > idle:
            return True
    return store.has_ended(key, _address(address), started, since=now - lifetime)


IDLE_SECONDS = 30 * 60  # the default; binsite.yaml's desk_idle_minutes
SEEN_EVERY = 60.0  # a session's "seen" at most this often


def session_key(session_id: str) -> str:
    """The digest the store knows a session by (the account page's handle for ending it)."""
    return _digest("id", session_id)


def end_session_key(store: Store, key: str, *, at: float) -> None:
    """The session with digest ``key`` (one of ``active``'s) is over."""
    store.end_session(key, at=round(at, 3))


def seen(store: Store, address: str, session_id: str, device: str, *, at: float) -> None:
    """This session was used now (from ``device``, a short description of the browser)."""
    store.session_seen(_digest("id", session_id), _address(address), device[:60], at=round(at, 3))


def last_seen(store: Store, session_id: str) -> float | None:
    return store.session_last_seen(_digest("id", session_id))


@dataclass(frozen=True)
class Active:
    key: str          # the session's digest (``end_session_key``)
    device: str
    last_seen: float


def active(store: Store, address: str, *, now: float, lifetime: float, idle: float) -> list[Active]:
    """The sessions of ``address`` still going: seen within ``idle``, not ended; latest first."""
    who = _address(address)
    return [Active(key, device, last) for key, device, first, last in store.sessions_seen_of(who, since=now - idle)
            if not store.has_ended(key, who, first, since=now - lifetime)]


# An old sessions file is read in once; only its end matters (a line is under 100
# bytes and only the last working day's lines count).
READ_AT_MOST = 4 * 1024 * 1024


def read_lines(path: Path) -> Iterator[tuple[str, str, float]]:
    """``(kind, digest, at)`` of every whole line of an old ``desk-sessions.jsonl``: kind
    ``ended`` (a session id's digest) or ``before`` (an address's digest). A torn line, a
    folder or a device in the file's place gives nothing."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if not stat.S_ISREG(info.st_mode):
        log.error("%s is not a file: nothing read from it", path.name)
        return
    try:
        with open(path, "rb") as handle:
            if info.st_size > READ_AT_MOST:
                handle.seek(info.st_size - READ_AT_MOST)
                handle.readline()  # the rest of a line cut by the seek
            data = handle.read(READ_AT_MOST)
    except OSError as exc:
        log.error("%s cannot be read (%s)", path.name, type(exc).__name__)
        return
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            values = json.loads(line)
            at = float(values["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn line of a writer that was killed
        for kind in ("ended", "before"):
            if isinstance(values.get(kind), str) and len(values[kind]) <= 64:
                yield kind, values[kind], at
                break
