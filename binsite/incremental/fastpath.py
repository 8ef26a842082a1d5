"""The no-change shortcut of ``binsite build``: standard library only.

A full build records, per output folder, a signature of every input (stat
of content, lists, templates, config, handbook; binsite's version), the
window of time in which the clock changes nothing (no bulletin becomes due
or expires, same day), and the size and mtime of every file it left. When a
later build finds the same signature, a clock inside that window and every
output file untouched, it has nothing to do and stops before loading
anything else. Any doubt means a full (incremental) build. The record of
each output folder is a file of its own, ``.binsite/cache/last-build-*.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from binsite import __version__
from binsite.paths import cache_dir

# What a build reads besides content/ (folders are walked, files stat'ed).
INPUTS = ("binsite.yaml", "lists", "templates", "docs/handleiding-binco.md")


def walk_files(folder: str, links: list[str] | None = None):
    """``(path below folder, starting with a separator, stat)`` of every file
    under ``folder`` that is not hidden. String operations only: pathlib costs
    more than the stat at 10,000 files. Symbolic links are never followed
    nor listed: ``links``, when given, receives their paths (below folder)."""
    prefix = len(folder)
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                if links is not None:
                    links.append(entry.path[prefix:])
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield entry.path[prefix:], entry.stat(follow_symlinks=False)


def _files(name: str, folder: str, links: list[str] | None = None) -> list[tuple[str, os.stat_result]]:
    """``(name/relative, stat)`` of every file under ``folder``, with ``/``."""
    return [(name + rel.replace(os.sep, "/"), stat) for rel, stat in walk_files(folder, links)]


def _lines(files: list[tuple[str, os.stat_result]]) -> list[str]:
    """Signature lines, ``path|mtime|size|inode``, sorted."""
    return sorted(f"{rel}|{stat.st_mtime_ns}|{stat.st_size}|{stat.st_ino}" for rel, stat in files)


def input_signature(root: Path, default_templates: Path,
                    listing: list[tuple[str, os.stat_result]] | None = None) -> str:
    """A digest of the stat of every file a build reads. ``listing``, when
    given, receives the site's content files as ``binsite.incremental.analyse.content_files``
    lists them, so that the build does not walk them twice."""
    lines: list[str] = [__version__]
    for base in (root, default_templates.parent):
        for name in ("content", *INPUTS):
            path = base / name
            if path.is_file():
                stat = path.stat()
                lines.append(f"{name}|{stat.st_mtime_ns}|{stat.st_size}|{stat.st_ino}")
            elif path.is_dir():
                links: list[str] = []
                found = _files(name, str(path), links)
                # A new symbolic link must not pass for "nothing changed": the
                # check that refuses it has to run.
                lines.extend(f"{name}{rel}|link" for rel in sorted(links))
                if listing is not None and base == root and name == "content":
                    listing.extend(found)
                lines.extend(_lines(found))
        if default_templates.parent == root:
            break
    # binsite's own code: a changed binsite (even with the same version, as
    # in development) must never reuse the last build's output.
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the binsite package
    lines.extend(_lines([(rel, stat) for rel, stat in _files("binsite", package) if rel.endswith(".py")]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _record_path(root: Path, out: Path) -> Path:
    """One record file per output folder: a build reads and writes its own only."""
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return cache_dir(root) / f"last-build-{name}.json"


def _record(root: Path, out: Path) -> dict:
    try:
        data = json.loads((_record_path(root, out)).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != __version__ or data.get("out") != str(out.resolve()):
        return {}
    return data


def unchanged(root: Path, out: Path, *, signature: str, now: datetime, drafts: bool) -> dict | None:
    """The last build's record when nothing it depends on has changed, else None."""
    record = _record(root, out)
    if record.get("signature") != signature or record.get("drafts") != drafts:
        return None
    try:
        if not datetime.fromisoformat(record["valid_from"]) <= now < datetime.fromisoformat(record["valid_until"]):
            return None
        prefix = str(out) + os.sep
        for rel, (size, mtime_ns) in record["outputs"].items():
            stat = os.stat(prefix + rel)
            if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
                return None
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return record


def remember(root: Path, out: Path, record: dict) -> None:
    """Store a finished build's record (atomically) for the next one."""
    from binsite.writer import atomic_write

    record = {"version": __version__, "out": str(out.resolve()), **record}
    atomic_write(_record_path(root, out), json.dumps(record, separators=(",", ":")).encode("utf-8"))
