"""Writing a built tree to disk: atomic, only what changed, nothing stale left.

Each file is written to a temporary file beside it and moved into place with
``os.replace``, so a reader (a web server, a browser during ``serve``) never
sees half a file. Files that an earlier build wrote and that no longer belong
are removed; a file whose bytes are unchanged is not touched.
"""

from __future__ import annotations

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


def write_tree(out: Path, files: dict[str, bytes]) -> WriteReport:
    """Make ``out`` hold exactly ``files``. Refuses to clean a folder binsite did not make."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise BinsiteError(t(
            "de map {o} bestaat al en is niet door binsite gemaakt; kies een lege map met --out, of maak deze leeg",
            "folder {o} exists and was not made by binsite; choose an empty folder with --out, or empty it", o=out))
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Built by binsite; files here are replaced on every build.\n", encoding="utf-8")
    written = unchanged = removed = 0
    for rel, data in files.items():
        target = out / rel
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                unchanged += 1
                continue
        except OSError:
            pass
        atomic_write(target, data)
        written += 1
    wanted = set(files) | {MARKER}
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out).as_posix()
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel not in wanted:
            path.unlink()
            removed += 1
    return WriteReport(written=written, unchanged=unchanged, removed=removed)
