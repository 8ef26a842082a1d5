"""``fork_map``: every item once, the parent working too, errors raised in the parent."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter

import pytest

from binsite.incremental.workers import fork_map, release_free_memory

PARENT = 0
# Set by each side when it runs its first item; inherited through fork.
# Each waits for the other before going on, so that both processes surely
# work, however slowly the machine starts the child (no sleeps).
_FORK = multiprocessing.get_context("fork")
PARENT_RUNS, CHILD_RUNS = _FORK.Event(), _FORK.Event()
HANDSHAKE_TIMEOUT = 60.0


@pytest.fixture(autouse=True)
def parent_pid():
    """The test's own process: children compare their pid with it."""
    global PARENT
    PARENT = os.getpid()
    PARENT_RUNS.clear()
    CHILD_RUNS.clear()


def in_child() -> bool:
    """Whether this is a child, once the parent and a child both run an item."""
    child = os.getpid() != PARENT
    mine, other = (CHILD_RUNS, PARENT_RUNS) if child else (PARENT_RUNS, CHILD_RUNS)
    mine.set()
    assert other.wait(HANDSHAKE_TIMEOUT), "the other process never ran an item"
    return child


def with_pid(item: int) -> tuple[int, int]:
    return item, os.getpid()


def with_pid_from_both(item: int) -> tuple[int, int]:
    in_child()  # neither goes on before the other has taken its share
    return item, os.getpid()


def test_every_item_once_from_both_processes():
    results = list(fork_map(with_pid_from_both, range(300), workers=2, chunksize=7))
    assert Counter(item for item, _ in results) == Counter(range(300))
    pids = {pid for _, pid in results}
    assert PARENT in pids and len(pids) == 2  # the parent is one of the two workers
    assert multiprocessing.active_children() == []


def test_one_worker_or_one_chunk_stays_in_this_process():
    assert {pid for _, pid in fork_map(with_pid, range(50), workers=1, chunksize=5)} == {PARENT}
    assert {pid for _, pid in fork_map(with_pid, range(5), workers=2, chunksize=5)} == {PARENT}
    assert list(fork_map(with_pid, [], workers=2, chunksize=5)) == []


def fails_in_child(item: int) -> int:
    if in_child():  # the child runs before the parent has done everything
        raise ValueError(f"bad item {item}")
    return item


def test_an_error_in_the_child_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="bad item"):
        list(fork_map(fails_in_child, range(400), workers=2, chunksize=4))
    assert multiprocessing.active_children() == []


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def unpicklable_in_child(item: int) -> int:
    if in_child():  # the child runs before the parent has done everything
        raise Unpicklable("kept as text")
    return item


def test_an_error_that_does_not_pickle_arrives_as_its_traceback():
    with pytest.raises(RuntimeError, match="Unpicklable: kept as text"):
        list(fork_map(unpicklable_in_child, range(400), workers=2, chunksize=4))


def dies_in_child(item: int) -> int:
    if in_child():  # the child runs before the parent has done everything
        os._exit(3)
    return item


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        list(fork_map(dies_in_child, range(400), workers=2, chunksize=4))


def fails_in_parent(item: int) -> int:
    if not in_child():  # the child runs before the parent fails
        raise KeyError("parent")
    return item


def test_an_error_in_the_parent_stops_the_child():
    with pytest.raises(KeyError):
        list(fork_map(fails_in_parent, range(400), workers=2, chunksize=4))
    assert multiprocessing.active_children() == []


def test_stopping_early_stops_the_child():
    results = fork_map(with_pid, range(10_000), workers=2, chunksize=10)
    first = next(results)
    results.close()
    assert first[0] in range(10_000)
    assert multiprocessing.active_children() == []


def test_release_free_memory_is_safe_to_call():
    release_free_memory()
    release_free_memory()
    assert list(fork_map(with_pid, range(100), workers=2, chunksize=5, release=True))
