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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_if_changed(path: Path, data: bytes) -> Written:
    digest = hashlib.sha256(data).hexdigest()[:32]
    changed = True
    try:
        stat = path.stat()
        if stat.st_size == len(data) and path.read_bytes() == data:
            changed = False
    except FileNotFoundError:
        pass
    if changed:
        atomic_write(path, data)
        stat = path.stat()
    return Written(digest, stat.st_size, stat.st_mtime_ns, changed)


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
