"""Where a resident's membership went when they changed lists, so that links in older mail keep working.

A link in a mail (unsubscribe, preferences; ``binsite.tokens``) names one membership:
a list and Mailman's member id. Choosing the weekly overview moves the resident to the
area's other list (``binsite.mailman.preferences``), a new membership with a new id, and
the old one is gone: the links in every mail received before would find nothing. So
each move is recorded here as ``(list id, old member id) -> (list id, new member id)``,
one JSON line each, and a link whose membership is gone follows the record to where the
resident is now (moved back and forth: to the last one).

The moves live in the service's database (``binsite.store``, table ``member_moves``), so
every instance follows the same ones: ``record`` and ``follow`` take the store. Before
the database they were lines of ``state/member-moves.jsonl`` (0600), which ``record``
and ``read`` still write and read when given a path; such a file is read in once
(``binsite.store.files``). Either holds Mailman's opaque ids only, never an address
(Mailman alone knows whose they are). Following never leaves the link's area: a
record that leads to another area's list is not followed (``residents.read_member_link``
checks that).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

# A link follows at most this many moves (a chain that long is a resident who changed
# their mind often; a loop in a damaged file ends here too).
MAX_HOPS = 50
# Only the file's last part is read: a service that ran for years reads a bounded amount.
READ_LIMIT = 8 * 1024 * 1024

Membership = tuple[str, str]  # (list id, member id)


class MovesStore(Protocol):
    """Where moves are kept (``binsite.store.Store``)."""

    def move_add(self, old: Membership, new: Membership) -> None: ...

    def moves(self) -> dict[Membership, Membership]: ...


Moves = Path | MovesStore


def record(path: Moves, old: Membership, new: Membership) -> None:
    """Record one move, durable before returning (in a file: appended, mode 0600 from the
    start). Member ids as REST 3.1 spells them (``residents.normalise_member_id``)."""
    if not isinstance(path, Path):
        path.move_add(old, new)
        return
    line = json.dumps({"from": list(old), "to": list(new)}, separators=(",", ":")) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))  # one write of one line: appends of two workers never interleave
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> dict[Membership, Membership]:
    """Every recorded move, the later one winning; an unreadable line is skipped."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - READ_LIMIT))
            data = handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return {}
    if size > READ_LIMIT:
        data = data.split(b"\n", 1)[-1]  # the first line read may be cut
    moves: dict[Membership, Membership] = {}
    for raw in data.splitlines():
        try:
            item = json.loads(raw)
            old = (str(item["from"][0]), str(item["from"][1]).lower())
            new = (str(item["to"][0]), str(item["to"][1]).lower())
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        moves[old] = new
    return moves


def follow(path: Moves, membership: Membership) -> list[Membership]:
    """Where ``membership`` moved to, nearest first (empty when it never moved)."""
    moves = read(path) if isinstance(path, Path) else path.moves()
    seen = {membership}
    chain: list[Membership] = []
    current = membership
    while current in moves and len(chain) < MAX_HOPS:
        current = moves[current]
        if current in seen:
            break
        seen.add(current)
        chain.append(current)
    return chain
