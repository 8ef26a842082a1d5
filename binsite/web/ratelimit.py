"""A small in-process rate limiter: at most ``limit`` hits per ``window`` seconds per key.

Keys are whatever the caller counts by: a client address (``client:1.2.3.4``)
or a hashed e-mail address (``address:3f2a...``). The counts live in this
process only: with N gunicorn workers or instances behind a proxy, a client
gets up to N times the limit (``docs/beheer.md`` says so, and suggests the
proxy's own limit in front for a hard ceiling). Memory is bounded: at most
``max_keys`` keys are kept, the oldest dropped first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


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
