"""What a killed build leaves behind, and how the next one clears it.

Every file binsite writes goes through a temporary file beside it
(``.NAME.PID[.X].tmp``, then ``os.replace``). A process killed between the
two leaves that temporary file: in the output folder it would be deployed
with the site, in the cache it would stay for good. So a run that writes
marks itself in the cache folder (``running-PID.json``, naming its output
folder) and removes the mark when it ends, however it ends short of a kill.
The next run of any kind (build, serve, check, send, lists sync) looks for
marks of processes that are gone: then it removes the temporary files in
the cache and in that output folder. Files of a process that still runs
are never touched. When no mark is found nothing is walked, so the
no-change build stays as fast as it was.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from binsite.paths import cache_dir

log = logging.getLogger(__name__)

_MARK = re.compile(r"^running-(\d+)\.json\Z")
# binsite's own temporary files carry the writing process's id.
_OURS = re.compile(r"^\..+\.(\d+)(?:\.[A-Za-z0-9_]+)?\.tmp\Z")


def _start_time(pid: int) -> str | None:
    """The process's start time (``/proc``), to tell a reused pid from the original; None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    if fields and fields[0] in ("Z", "X"):
        return None
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int, started: str | None = None) -> bool:
    now = _start_time(pid)
    return now is not None and (not started or not now or now == started)


@contextmanager
def in_progress(root: Path, out: Path | None = None) -> Iterator[None]:
    """Mark this process as writing to the cache (and ``out``) for the ``with`` block."""
    folder = cache_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    mark = folder / f"running-{os.getpid()}.json"
    if mark.exists():  # nested (serve's builds, a build's check): the outer mark covers it
        yield
        return
    record = {"pid": os.getpid(), "started": _start_time(os.getpid()) or "",
              "out": str(out.resolve()) if out is not None else None}
    mark.write_text(json.dumps(record), encoding="utf-8")
    try:
        yield
    finally:
        mark.unlink(missing_ok=True)


def sweep(root: Path) -> int:
    """Remove what killed runs left; returns how many files. Cheap when there is nothing."""
    folder = cache_dir(root)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    dead: list[tuple[Path, dict]] = []
    live = 0
    for name in names:
        match = _MARK.match(name)
        if not match:
            continue
        path = folder / name
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
        pid = int(match.group(1))
        started = str(record.get("started") or "") if isinstance(record, dict) else ""
        if pid == os.getpid() and started == (_start_time(pid) or ""):
            continue  # our own (an outer run of this process)
        if pid != os.getpid() and _alive(pid, started):
            live += 1
        else:
            dead.append((path, record if isinstance(record, dict) else {}))
    if not dead:
        return 0
    removed = 0
    folders = [folder] + [Path(str(r["out"])) for _, r in dead if r.get("out")]
    for target in dict.fromkeys(folders):
        removed += _remove_temps(target, everything=not live, in_cache=target == folder)
    for path, _ in dead:
        path.unlink(missing_ok=True)
    if removed:
        log.warning("removed %d temporary file(s) left by a killed binsite run", removed)
    return removed


def _remove_temps(folder: Path, *, everything: bool, in_cache: bool) -> int:
    """binsite's temporary files under ``folder`` of processes that are gone.
    With ``everything`` (no other binsite run is writing) all of binsite's,
    whatever their pid (a pid may have been reused), and in the cache any
    ``*.tmp`` (Jinja's compiled templates carry no pid)."""
    removed = 0
    for current, _dirs, files in os.walk(folder):
        for name in files:
            if not name.endswith(".tmp"):
                continue
            match = _OURS.match(name)
            if match is not None:
                pid = int(match.group(1))
                if not everything and pid != os.getpid() and _alive(pid):
                    continue
            elif not (everything and in_cache):
                continue
            try:
                os.unlink(os.path.join(current, name))
                removed += 1
            except FileNotFoundError:
                pass
    return removed
