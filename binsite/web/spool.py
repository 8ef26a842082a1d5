"""One-click unsubscribes, recorded durably before the answer and done at Mailman just after.

Why: an RFC 8058 POST comes from a mail provider's machine, which wants a
quick answer, and Mailman's REST API removes about five members a second
(one REST worker on SQLite; measured in benchmarks/README.md). Waiting for it
in the request made the answer take seconds under load. So the view records
the request here (one small file per request, written and fsynced before the
200 answer: a request once answered is never lost), and a worker thread in
every process of the service removes the membership within moments, after
checking again that the member id belongs to the token's list.

The spool is a folder (``binsite.paths.web_spool_dir``), shared safely by
every worker process of one instance: an entry is claimed by an atomic
rename to ``<name>.<pid>.claimed``; a claim whose process died goes back to
the queue. An entry Mailman could not take (unreachable) stays and is tried
again with back-off; one whose membership is gone already is done. This is
not a database of members: it holds only requests not yet done, and is
empty when the service is idle.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from binsite.errors import BinsiteError, MailmanUnavailable

log = logging.getLogger(__name__)

SUFFIX = ".json"
CLAIMED = ".claimed"


class Spool:
    def __init__(self, folder: Path, perform: Callable[[str, str], None], *, idle: float = 0.05,
                 retry: float = 2.0):
        """``perform(list_id, member_id)`` removes the membership (or finds it gone); raising
        ``MailmanUnavailable`` leaves the entry for a later try."""
        self.folder = folder
        self.perform = perform
        self.idle = idle
        self.retry = retry
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # --- recording (in the request) --------------------------------------------------

    def add(self, list_id: str, member_id: str) -> None:
        """Record one request durably (file fsynced, then renamed into place, then the folder fsynced)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"
        tmp = self.folder / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, json.dumps({"list_id": list_id, "member_id": member_id}).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.folder / (name + SUFFIX))
        _fsync_dir(self.folder)
        self.start()
        self._wake.set()

    def pending(self) -> int:
        """Requests not yet done (claimed ones included)."""
        try:
            return sum(1 for p in self.folder.iterdir() if SUFFIX in p.name and not p.name.startswith("."))
        except FileNotFoundError:
            return 0

    # --- doing (a worker thread per process) ------------------------------------------

    def start(self) -> None:
        """The worker thread of this process (again after a fork: gunicorn forks its workers)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="binsite-unsubscribe-spool", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                worked = self.drain_once()
            except Exception:  # never let the worker die: log, wait, go on
                log.exception("unsubscribe spool")
                worked = False
            if not worked:
                self._wake.wait(self.retry if self.pending() else 5.0)
                self._wake.clear()

    def drain_once(self) -> bool:
        """Do every entry that can be claimed now; True when any was done."""
        self._release_dead_claims()
        try:
            entries = sorted(p for p in self.folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith("."))
        except FileNotFoundError:
            return False
        done = False
        for entry in entries:
            claimed = entry.with_name(f"{entry.name}.{os.getpid()}{CLAIMED}")
            try:
                os.rename(entry, claimed)
            except FileNotFoundError:
                continue  # another worker took it
            try:
                record = json.loads(claimed.read_text())
                self.perform(str(record["list_id"]), str(record["member_id"]))
            except MailmanUnavailable:
                log.warning("Mailman unreachable: unsubscribes wait in the spool and are tried again")
                os.rename(claimed, entry)
                return done
            except BinsiteError as exc:  # Mailman refused this one (not a 404: that is "gone", done)
                log.error("unsubscribe refused by Mailman, dropped: %s", exc)
            except (ValueError, KeyError, TypeError):
                log.error("unreadable spool entry %s dropped", claimed.name)
            claimed.unlink(missing_ok=True)
            done = True
        return done

    def _release_dead_claims(self) -> None:
        try:
            claims = [p for p in self.folder.iterdir() if p.name.endswith(CLAIMED)]
        except FileNotFoundError:
            return
        for claim in claims:
            base, _, pid_text = claim.name[: -len(CLAIMED)].rpartition(".")
            if pid_text.isdigit() and not _alive(int(pid_text)):
                try:
                    os.rename(claim, claim.with_name(base))
                except FileNotFoundError:
                    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
