"""One-click unsubscribes, recorded durably before the answer and done at Mailman just after.

Why: an RFC 8058 POST comes from a mail provider's machine, which wants a
quick answer, and Mailman's REST API removes about five members a second
(one REST worker on SQLite; measured in benchmarks/README.md). Waiting for it
in the request made the answer take seconds under load. So the view records
the request in the service's store (``binsite.store``: committed before the 200
answer, so a request once answered is never lost), and a worker thread in
every process of every instance removes the membership within moments, after
checking again that the member id belongs to the token's list.

Every instance shares the store's spool table: a process claims entries
(``Store.spool_take``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one writer at
a time on SQLite) and deletes each when done. A claim held longer than the
lease (``binsite.store.SPOOL_LEASE``: its process was killed, its server went
down) is taken over by any instance, or by the same one on restart. An entry
Mailman could not take (unreachable) is released and tried again with
back-off; one whose membership is gone already is done: removing twice is
harmless, so a request is done exactly once even when a claim is taken over.
The store unreachable: the worker waits and tries again; the view refuses the
request with a 503 page (nothing recorded, nothing lost silently).
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable

from binsite.errors import BinsiteError, MailmanUnavailable, StoreUnavailable
from binsite.store import Store

log = logging.getLogger(__name__)

# How long an idle worker waits before it looks again (an add wakes it at once).
IDLE_WAIT = 5.0


class Spool:
    def __init__(self, store: Store, perform: Callable[[str, str], None], *, idle: float = 0.05,
                 retry: float = 2.0):
        """``perform(list_id, member_id)`` removes the membership (or finds it gone); raising
        ``MailmanUnavailable`` leaves the entry for a later try."""
        self.store = store
        self.perform = perform
        self.idle = idle
        self.retry = retry
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # --- recording (in the request) --------------------------------------------------

    def add(self, list_id: str, member_id: str, *, limit: tuple[str, int, float] | None = None) -> bool:
        """Record one request durably (committed); ``StoreUnavailable`` when it could not be.
        With ``limit`` the rate-limit hit is counted in the same transaction (one commit per
        unsubscribe); False when over it (nothing recorded)."""
        if not self.store.spool_add(list_id, member_id, limit=limit):
            return False
        self.start()
        self._wake.set()
        return True

    def pending(self) -> int:
        """Requests not yet done, on every instance (claimed ones included)."""
        return self.store.spool_pending()

    # --- doing (a worker thread per process) ------------------------------------------

    def start(self) -> None:
        """The worker thread of this process (again after a fork: gunicorn forks its workers).
        It ends when the spool is gone (an application a test made and dropped)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=_work, args=(weakref.ref(self), self._wake),
                                            name="binsite-unsubscribe-spool", daemon=True)
            self._thread.start()

    def round(self) -> float:
        """One round of the worker: what can be done now is done; how long to wait then."""
        try:
            if self.drain_once():
                return 0.0
            return self.retry if self.pending() else IDLE_WAIT
        except StoreUnavailable:
            return self.retry
        except Exception:  # never let the worker die: log, wait, go on
            log.exception("unsubscribe spool")
            return self.retry

    def drain_once(self) -> bool:
        """Do every entry that can be claimed now; True when any was done."""
        done = False
        if not self.store.spool_pending():  # a read: an idle spool takes no write lock
            return False
        while True:
            entries = self.store.spool_take()
            if not entries:
                return done
            for index, entry in enumerate(entries):
                try:
                    self.perform(entry.list_id, entry.member_id)
                except MailmanUnavailable:
                    log.warning("Mailman unreachable: unsubscribes wait in the spool and are tried again")
                    for rest in entries[index:]:
                        self.store.spool_release(rest)
                    return done
                except BinsiteError as exc:  # Mailman refused this one (not a 404: that is "gone", done)
                    log.error("unsubscribe refused by Mailman, dropped: %s", exc)
                self.store.spool_done(entry)
                done = True


def _work(ref: "weakref.ref[Spool]", wake: threading.Event) -> None:
    while True:
        spool = ref()
        if spool is None:
            return
        wait = spool.round()
        del spool  # held only while working
        if wait:
            wake.wait(wait)
            wake.clear()
