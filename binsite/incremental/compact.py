"""Keeping tens of thousands of small records cheaply: fast, small pickles
for the frozen records of the build cache, and the garbage-collector setting
for making many of them (``many_objects``).

A slotted dataclass pickles through ``dataclasses.fields()`` per object,
which cost more than half a second per build at 10,000 bulletins. The
records ``register``ed here (by ``binsite.incremental.analyse``, which hands
them to the cache) pickle as their class and a tuple of their field values
instead, and unpickle through ``__init__``.

Values are made canonical on the way: short strings are interned and equal
tuples shared, so that pickle's memo writes "bulletin", "members" or a
front-matter layout once for the whole cache instead of once per bulletin.
The cache is then smaller and loads faster; the values are equal either way.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import gc
import sys
from contextlib import contextmanager
from operator import attrgetter
from typing import Any, Callable

_GETTERS: dict[type, Callable[[Any], tuple]] = {}
_TUPLES: dict[tuple, tuple] = {}
_SHORT = 48


def canonical(value: Any) -> Any:
    """``value``, or an equal object shared by every equal value."""
    kind = type(value)
    if kind is str:
        return sys.intern(value) if len(value) <= _SHORT else value
    if kind is tuple and value:
        try:
            shared = _TUPLES.get(value)  # most tuples (layouts, areas) were seen before
        except TypeError:  # holds something unhashable: never shared
            return value
        if shared is not None:
            return shared
        if all(_plain(item) for item in value):
            _TUPLES[value] = value
    return value


def _plain(item: Any) -> bool:
    """Strings, numbers and tuples of them: what ids and layouts are made of
    (never problems or other records, so the table stays small)."""
    kind = type(item)
    if kind is str or kind is int:
        return True
    return kind is tuple and all(type(x) is str or type(x) is int for x in item)


def register(*classes: type) -> None:
    """Pickle each of ``classes`` (frozen slotted dataclasses whose fields
    are all ``__init__`` parameters) as its class and its canonical field
    values. Registered with ``copyreg`` from here, so the domain types stay
    plain records that know nothing of how the cache keeps them; unpickling
    needs no registration (it calls the class)."""
    for cls in classes:
        if cls in _GETTERS:
            continue
        names = [f.name for f in dataclasses.fields(cls)]
        single = attrgetter(names[0])
        getter = _GETTERS[cls] = attrgetter(*names) if len(names) > 1 else (lambda obj, single=single: (single(obj),))
        copyreg.pickle(cls, functools.partial(_reduce, cls, getter))


def _reduce(cls: type, getter: Callable[[Any], tuple], obj: Any) -> tuple[type, tuple]:
    return cls, tuple(map(canonical, getter(obj)))


@contextmanager
def many_objects():
    """Collect cyclic garbage less often while tens of thousands of records
    are made: the collector otherwise walks them again and again, which cost
    a third of loading the build cache. They hold no reference cycles."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
