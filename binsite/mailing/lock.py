"""One ``send`` or ``lists sync`` at a time per ledger folder.

Two runs on one ledger (two CI pipelines for two quick commits, or a person
running ``send`` while the schedule runs) would each read the ledger before
the other wrote to it, and send everything twice. An exclusive
``fcntl.flock`` on ``.binsite.lock`` in the ledger's folder, held for the
whole run, makes the second run wait; after ``wait`` seconds it stops and
changes nothing. The kernel drops the lock when the holder exits, however
it exits (kill -9 included), so a crash never leaves a stale lock.

The file stays (empty but for who holds it); it is harmless to commit.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from binsite.errors import BinsiteError
from binsite.i18n import t

log = logging.getLogger(__name__)

LOCK_FILE = ".binsite.lock"
DEFAULT_WAIT = 60.0


class LedgerBusy(BinsiteError):
    """Another run holds the ledger folder's lock."""


@contextmanager
def ledger_lock(folder: Path, *, what: str, wait: float = DEFAULT_WAIT, poll: float = 0.1) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (made when missing) for the ``with`` block.

    ``what`` names the run in the lock file (``send``, ``lists sync``), for
    the message another run shows while it waits."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    log.warning("%s is locked by %s; waiting up to %.0f s", path, _holder(path) or "another run", wait)
                    told = True
                if time.monotonic() >= deadline:
                    raise LedgerBusy(t(
                        "het verzendlogboek in {d} is in gebruik door een andere binsite-run ({h}); na {s} s wachten "
                        "gestopt, er is niets veranderd. Probeer het later opnieuw, of wacht langer met --wait.",
                        "the ledger in {d} is in use by another binsite run ({h}); stopped after waiting {s} s, "
                        "nothing was changed. Try again later, or wait longer with --wait.",
                        d=folder, h=_holder(path) or "?", s=f"{wait:g}")) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what} pid {os.getpid()} on {socket.gethostname()} since "
                      f"{datetime.now().astimezone().isoformat(timespec='seconds')}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing drops the lock


def _holder(path: Path) -> str:
    try:
        return " ".join(path.read_text(encoding="utf-8", errors="replace").split())[:200]
    except OSError:
        return ""
