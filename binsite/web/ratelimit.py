"""Rate limits: at most ``limit`` hits per ``window`` seconds per key (a sliding window).

Keys are whatever the caller counts by: a client address (``client:1.2.3.4``)
or a hashed e-mail address (``address:3f2a...``).

``SharedRateLimiter`` is what the service uses: the hits live in the service's
store (``binsite.store``: the database every instance shares), so two gunicorn
workers on two servers count one limit together. Why the same database and not
Flask-Limiter: its storage backends (the ``limits`` library) are memory, Redis,
Memcached and MongoDB; one of those would be one more server to run, secure and
back up beside the PostgreSQL the BIN already has, while the count is one
small, exact transaction there. The store keeps a keyed digest of each key
(HMAC with the service's secret), never a client's address, and forgets hits older than a day (``Store.tidy``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from binsite.store import Store


class SharedRateLimiter:
    """At most ``limit`` hits of a key in ``window`` seconds, counted in the store across every
    instance; ``bucket`` keeps the limits apart (one store holds them all)."""

    def __init__(self, store: Store, bucket: str, limit: int, window: float, *, secret: bytes = b"",
                 clock: Callable[[], float] = time.time):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.store = store
        self.secret = secret
        self.bucket = bucket
        self.limit = limit
        self.window = window
        self._clock = clock

    def hit(self, key: str) -> bool:
        """Count one hit for ``key``; False when it is over the limit (the hit is then not counted).
        ``StoreUnavailable`` when the store cannot be reached (the request is then refused)."""
        # Keyed: a client's address is a small space, a plain hash of it would give it away.
        keyed = hmac.new(self.secret, f"{self.bucket}\x1f{key}".encode(), hashlib.sha256).hexdigest()
        return self.store.hit(keyed, self.limit, self.window, now=self._clock())

    def reset(self) -> None:
        """Forget every count of every bucket (tests)."""
        self.store.reset_hits()
