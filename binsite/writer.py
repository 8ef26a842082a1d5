"""Writing the built site to disk: atomic, only what changed, nothing stale left.

Each file is written to a temporary file beside it and moved into place with
``os.replace``, so a reader (a web server, a browser during ``serve``) never
sees half a file. A file whose bytes are unchanged is not touched. Files
that no longer belong are removed, but only in a folder that binsite made
(it holds a marker file), so a wrong ``--out`` never empties someone's folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from binsite.errors import BinsiteError
from binsite.i18n import t

MARKER = ".binsite-output"


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class Written:
    """What is on disk for one output file, as recorded in the build manifest."""

    digest: str
    size: int
    mtime_ns: int
    changed: bool


# Folders this process made or wrote to: one makedirs per folder, not per
# file. Should one disappear meanwhile, the failed create makes it again.
_FOLDERS: set[str] = set()


def atomic_write(path: Path, data: bytes | tuple[bytes, ...]) -> os.stat_result:
    """Write ``data`` (or its parts, one after the other: no copy of a large
    whole) to ``path`` via a temp file and rename; the new file's stat."""
    folder = os.path.dirname(path) or "."
    prefix = f".{os.path.basename(path)}."
    if folder not in _FOLDERS:
        os.makedirs(folder, exist_ok=True)
        _FOLDERS.add(folder)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:  # many small parts: few system calls
            os.fchmod(fd, 0o644)
            for part in (data,) if isinstance(data, bytes) else data:
                handle.write(part)
            handle.flush()
            stat = os.fstat(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return stat


def _same_bytes(path: Path, parts: tuple[bytes, ...] | list[bytes]) -> bool:
    """The file holds exactly ``parts``, one after the other (read a part at
    a time: a large file is never in memory twice)."""
    with open(path, "rb") as handle:
        for part in parts:
            if handle.read(len(part)) != part:
                return False
        return handle.read(1) == b""


def write_if_changed(path: Path, data: bytes | tuple[bytes, ...] | list[bytes]) -> Written:
    """Write ``data`` (bytes, or parts to write one after the other) unless
    the file already holds exactly that."""
    parts = (data,) if isinstance(data, bytes) else tuple(data)
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part)
    digest = hasher.hexdigest()[:32]
    size = sum(len(part) for part in parts)
    try:
        stat = os.stat(path)
        if stat.st_size == size and _same_bytes(path, parts):
            return Written(digest, stat.st_size, stat.st_mtime_ns, False)
    except FileNotFoundError:
        pass
    stat = atomic_write(path, parts)
    return Written(digest, stat.st_size, stat.st_mtime_ns, True)


def claim(out: Path) -> None:
    """Make ``out`` ours, refusing a non-empty folder binsite did not make."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise BinsiteError(t(
            "de map {o} bestaat al en is niet door binsite gemaakt; kies een lege map met --out, of maak deze leeg",
            "folder {o} exists and was not made by binsite; choose an empty folder with --out, or empty it", o=out))
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    if not marker.exists():
        marker.write_text("Built by binsite; files here are replaced on every build.\n", encoding="utf-8")


def remove_stale(out: Path, wanted: set[str]) -> int:
    """Remove files under ``out`` that are not in ``wanted``, and empty folders."""
    removed = 0
    for folder, dirs, files in os.walk(out, topdown=False):
        base = Path(folder)
        for name in files:
            rel = (base / name).relative_to(out).as_posix()
            if rel != MARKER and rel not in wanted:
                (base / name).unlink()
                removed += 1
        if base != out and not os.listdir(base):
            base.rmdir()
    return removed


def remove_listed(out: Path, paths: list[str]) -> int:
    """Remove these files under ``out`` (and folders they leave empty)."""
    removed = 0
    for rel in sorted(paths):
        path = out / rel
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        folder = path.parent
        while folder != out and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


def write_tree(out: Path, files: dict[str, bytes]) -> WriteReport:
    """Make ``out`` hold exactly ``files``."""
    claim(out)
    written = [write_if_changed(out / rel, data).changed for rel, data in files.items()]
    removed = remove_stale(out, set(files))
    return WriteReport(written=sum(written), unchanged=len(written) - sum(written), removed=removed)
