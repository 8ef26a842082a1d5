"""Work spread over both cores, the parent process one of the workers.

``fork_map(func, items, workers=2)`` runs ``func`` on every item in the
parent and in ``workers - 1`` forked children. Each process takes the next
chunk of items from a shared counter until none is left, so a slow chunk
never holds up the rest.

Why not ``multiprocessing.Pool``: a pool's parent waits while its workers
work, and every worker holds its own copy of the pages of the model it
touches (reference counts write to them). With the parent working as one of
the workers, a build on two cores has one such copy, not two: at 10,000
bulletins that is about 40 MB less at the peak, for the same speed.

Children inherit ``func`` and ``items`` through ``fork`` (nothing is
pickled on the way in); results come back pickled, a chunk at a time, and
are read by a thread in the parent so that a child never waits for the
parent to finish its own chunk. An exception in any process stops them all
and is raised in the parent.
"""

from __future__ import annotations

import functools
import gc
import os
import queue
import threading
import traceback
from typing import TYPE_CHECKING, Callable, Iterator, Sequence, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

Item = TypeVar("Item")
Result = TypeVar("Result")

_DONE = "done"
_CHUNK = "chunk"
_ERROR = "error"


def fork_map(func: Callable[[Item], Result], items: Sequence[Item], *, workers: int,
             chunksize: int, release: bool = False) -> Iterator[Result]:
    """``func(item)`` for every item, in no particular order. Runs in this
    process alone when ``workers < 2`` or there is no more than one chunk.

    ``release``: each process hands freed memory back to the system after
    each chunk (``release_free_memory``), for work that makes large
    short-lived strings, like rendering pages: they otherwise leave the C
    heap of each process some 20 MB larger than it needs to be."""
    chunks = [items[start:start + chunksize] for start in range(0, len(items), chunksize)]
    if workers < 2 or len(chunks) < 2 or not hasattr(os, "fork"):
        for chunk in chunks:
            yield from map(func, chunk)
        return
    import multiprocessing  # only when forking: a rebuild of a few pages never does

    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)

    def claim() -> int | None:
        with claimed.get_lock():
            index = claimed.value
            if index >= len(chunks):
                return None
            claimed.value = index + 1
            return index

    children: list[BaseProcess] = []
    readers: list[Connection] = []
    receiver: threading.Thread | None = None
    # The parent's objects move out of the collector's sight while children
    # run, so that a child's collections do not walk them and copy the pages
    # it shares with the parent.
    gc.freeze()
    release_free_memory()
    try:
        for _ in range(min(workers, len(chunks)) - 1):
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(func, chunks, claim, writer, release, os.getpid()),
                                    daemon=True)
            child.start()
            writer.close()
            children.append(child)
            readers.append(reader)
        arrived: queue.SimpleQueue = queue.SimpleQueue()
        receiver = threading.Thread(target=_receive, args=(readers, arrived), daemon=True)
        receiver.start()
        running = len(readers)
        while True:
            index = claim()
            if index is not None:
                yield from map(func, chunks[index])
                if release:
                    release_free_memory()
            while running and (index is None or not arrived.empty()):
                kind, payload = arrived.get()
                if kind == _CHUNK:
                    yield from payload
                elif kind == _DONE:
                    running -= 1
                else:
                    raise payload
            if index is None and not running:
                break
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
        if receiver is not None:
            receiver.join()  # it ends once every child's pipe is closed
        for reader in readers:
            reader.close()
        gc.unfreeze()


def release_free_memory() -> None:
    """Hand the C library's free heap pages back to the system (glibc's
    ``malloc_trim``; elsewhere nothing). Freed Python objects otherwise stay
    resident: at 10,000 bulletins the file contents read for the analysis
    leave about 20 MB, which children would inherit and write into."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return getattr(ctypes.CDLL(None), "malloc_trim", None)  # the C library the interpreter uses
    except (OSError, TypeError):
        return None


def die_with_parent(parent: int) -> None:
    """In a forked child: exit when the parent dies, however it dies (kill -9
    included). Without it a child blocked on a full pipe waits for ever,
    holding the build cache open. Linux: ``PR_SET_PDEATHSIG``; then, for the
    moment before that took effect and for other systems, a look at the
    parent's pid, and a thread that keeps looking."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError, TypeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        import time

        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="binsite-parent-watch").start()


def _child(func: Callable, chunks: list[Sequence], claim: Callable[[], int | None], writer: Connection,
           release: bool, parent: int) -> None:
    die_with_parent(parent)
    try:
        while (index := claim()) is not None:
            writer.send((_CHUNK, [func(item) for item in chunks[index]]))
            if release:
                release_free_memory()
        writer.send((_DONE, None))
    except BaseException as exc:  # reported to the parent, which raises it
        try:
            writer.send((_ERROR, exc))
        except Exception:  # an exception that does not pickle
            writer.send((_ERROR, RuntimeError("".join(traceback.format_exception(exc)))))
    finally:
        writer.close()


def _receive(readers: list[Connection], arrived: queue.SimpleQueue) -> None:
    """In a thread of the parent: every child's messages, until each is done
    (or gone: a child that died without a word is reported as an error)."""
    from multiprocessing.connection import wait

    open_readers = list(readers)
    while open_readers:
        for reader in wait(open_readers):
            try:
                message = reader.recv()
            except (EOFError, OSError):
                message = (_ERROR, RuntimeError("a worker process stopped unexpectedly"))
            arrived.put(message)
            if message[0] != _CHUNK:
                open_readers.remove(reader)
