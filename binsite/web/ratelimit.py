"""A small rate limiter: at most ``limit`` hits per ``window`` seconds per key.

Keys are whatever the caller counts by: a client address (``1.2.3.4``), a
hashed e-mail address (``login:3f2a...``), or both (``login:3f2a...|1.2.3.4``).
The interface is two calls, ``hit(key)`` and ``reset()``; the counting itself
sits behind one seam, a ``Store``.

``SharedCounts`` is what the service uses: the hits live in the service's
database (``binsite.store``, shared by every instance), so two gunicorn
workers on two servers count one limit together. Why the same database and
not Flask-Limiter: its storage backends (the ``limits`` library) are memory,
Redis, Memcached and MongoDB; one of those would be one more server to run,
secure and back up beside the PostgreSQL the BIN already has, while the count
is one small, exact transaction there (a sliding window, as here). It keeps
a keyed digest of each key (HMAC with the service's secret), never a client's
address, and forgets hits older than a day (``binsite.store.Store.tidy``).

``MemoryStore`` keeps the counts in this process only (for tools and tests
without a database). Its memory is bounded: at most ``max_keys`` keys are
kept, the oldest dropped first.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

from binsite.store import Store as Database


class Store(Protocol):
    """Where a limiter's hits are counted: one atomic count-if-allowed, and a clear."""

    def hit(self, key: str, limit: int, window: float, now: float) -> bool:
        """Count a hit of ``key`` at ``now`` unless ``limit`` hits lie within ``window`` before it; whether counted."""

    def clear(self) -> None:
        """Forget every count."""


class MemoryStore:
    """Counts in this process's memory, at most ``max_keys`` keys (the least recently hit go first)."""

    def __init__(self, *, max_keys: int = 100_000):
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float, now: float) -> bool:
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def __len__(self) -> int:
        return len(self._hits)


class SharedCounts:
    """Counts in the service's database, one count for every instance; ``bucket`` keeps the
    limits apart there (one table holds them all)."""

    def __init__(self, database: Database, bucket: str, *, secret: bytes):
        self.database, self.bucket, self.secret = database, bucket, secret

    def keyed(self, key: str) -> str:
        # Keyed: a client's address is a small space, a plain hash of it would give it away.
        return hmac.new(self.secret, f"{self.bucket}\x1f{key}".encode(), hashlib.sha256).hexdigest()

    def hit(self, key: str, limit: int, window: float, now: float) -> bool:
        """``StoreUnavailable`` when the database cannot be reached (the request is then refused)."""
        return self.database.hit(self.keyed(key), limit, window, now=now)

    def clear(self) -> None:
        """Forget every count, of every bucket (tests)."""
        self.database.reset_hits()


class RateLimiter:
    def __init__(self, limit: int, window: float, *, store: Store | None = None, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.store: Store = store if store is not None else MemoryStore(max_keys=max_keys)
        self._clock = clock

    def hit(self, key: str) -> bool:
        """Count one hit for ``key``; False when it is over the limit (the hit is then not counted)."""
        return self.store.hit(key, self.limit, self.window, self._clock())

    def in_database(self, key: str) -> tuple[str, int, float] | None:
        """What the database needs to count a hit of ``key`` inside another transaction of its
        own (``binsite.store.Store.spool_add``); None when this limiter counts elsewhere."""
        if isinstance(self.store, SharedCounts):
            return self.store.keyed(key), self.limit, self.window
        return None

    def reset(self) -> None:
        self.store.clear()
