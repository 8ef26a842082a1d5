"""A small rate limiter: at most ``limit`` hits per ``window`` seconds per key.

Keys are whatever the caller counts by: a client address (``1.2.3.4``), a
hashed e-mail address (``login:3f2a...``), or both (``login:3f2a...|1.2.3.4``).
The interface is two calls, ``hit(key)`` and ``reset()``; the counting itself
sits behind one seam, a ``Store`` (``MemoryStore`` here). A store shared by
several processes (a database table of ``(bucket, key, moment)``) replaces
it without touching a caller.

``MemoryStore`` keeps the counts in this process only: with N gunicorn
workers or instances behind a proxy, a client gets up to N times the limit
(``docs/beheer.md`` says so, and suggests the proxy's own limit in front for
a hard ceiling). Its memory is bounded: at most ``max_keys`` keys are kept,
the oldest dropped first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol


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

    def reset(self) -> None:
        self.store.clear()
