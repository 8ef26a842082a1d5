"""Rate limits: at most ``limit`` hits per ``window`` seconds per key (a sliding window).

Keys are whatever the caller counts by: a client address (``client:1.2.3.4``)
or a hashed e-mail address (``address:3f2a...``).

``SharedRateLimiter`` is what the service uses: the hits live in the service's
store (``binsite.store``: the database every instance shares), so two gunicorn
workers on two servers count one limit together. Why the same database and not
Flask-Limiter: its storage backends (the ``limits`` library) are memory, Redis,
Memcached and MongoDB; one of those would be one more server to run, secure and
back up beside the PostgreSQL the BIN already has, while the count is one
small, exact transaction there. The store keeps a digest of each key, never a
client's address.

``RateLimiter`` counts in this process only (memory bounded: at most
``max_keys`` keys, the oldest dropped first); for tools and tests that have no
store.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from binsite.store import Store


class RateLimiter:
    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one hit for ``key``; False when it is over the limit (the hit is then not counted)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class SharedRateLimiter:
    """The same promise as ``RateLimiter``, counted in the store across every instance."""

    def __init__(self, store: Store, bucket: str, limit: int, window: float, *,
                 clock: Callable[[], float] = time.time):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.store = store
        self.bucket = bucket
        self.limit = limit
        self.window = window
        self._clock = clock

    def hit(self, key: str) -> bool:
        """Count one hit for ``key``; False when it is over the limit (the hit is then not counted).
        ``StoreUnavailable`` when the store cannot be reached (the request is then refused)."""
        return self.store.hit(f"{self.bucket}\x1f{key}", self.limit, self.window, now=self._clock())

    def reset(self) -> None:
        """Forget every count of every bucket (tests)."""
        self.store.reset_hits()
