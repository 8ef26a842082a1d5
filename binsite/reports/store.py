"""Reports waiting for the reporter's confirmation: the one seam where they are kept.

``PendingReports`` is what the web service uses: ``add`` a report (its id
back), ``take`` it when the confirmation link is used (exactly one caller
gets it, however many confirm at once), ``put_back`` when it could not be
handed to Mailman, ``done`` once it was. ``DatabasePendingReports`` keeps them
in the service's database (``binsite.store``, table ``pending_reports``), so a
confirmation link works on any instance: taking is one conditional update, so
two confirmations at once (on two instances) give one held message. Reports not
confirmed within ``max_age`` seconds are removed on the next ``add``; at most
``max_pending`` wait at once (a burst fills no disk).

Before the database, ``FilePendingReports`` kept them in ``state/web-reports/``
(``binsite.paths.pending_reports_dir``): one JSON file of mode 0600 per
report, taken by an atomic rename, in a folder with a ``.gitignore`` of ``*``.
Such files are read in once (``binsite.store.files``).

The photo kept here is the rebuilt one (``binsite.reports.form.clean_photo``):
the original bytes are never written anywhere.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from binsite.reports.form import Photo, Report

if TYPE_CHECKING:
    from binsite.store import Store

SUFFIX = ".json"
TAKEN = ".taken"


class StoreFull(Exception):
    """Too many reports wait for confirmation; nothing was stored."""


class PendingReports(Protocol):
    def add(self, report: Report) -> str: ...
    def take(self, report_id: str) -> Report | None: ...
    def put_back(self, report_id: str) -> None: ...
    def done(self, report_id: str) -> None: ...


def new_id() -> str:
    return secrets.token_hex(16)


def valid_id(report_id: str) -> bool:
    return len(report_id) == 32 and all(c in "0123456789abcdef" for c in report_id)


def encode(report: Report) -> bytes:
    record = {"area": report.area_id, "address": report.address, "what": report.what,
              "when": report.when.isoformat(), "where": report.where}
    if report.photo is not None:
        record["photo"] = {"format": report.photo.format, "data": base64.b64encode(report.photo.data).decode("ascii")}
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def decode(data: bytes) -> Report:
    record = json.loads(data.decode("utf-8"))
    photo = None
    if record.get("photo"):
        photo = Photo(base64.b64decode(record["photo"]["data"]), str(record["photo"]["format"]))
    return Report(str(record["area"]), str(record["address"]), str(record["what"]),
                  datetime.fromisoformat(record["when"]), str(record["where"]), photo)


class DatabasePendingReports:
    """The pending reports in the service's database, shared by every instance."""

    def __init__(self, store: "Store", *, max_age: float, max_pending: int = 2_000):
        self.store = store
        self.max_age = max_age
        self.max_pending = max_pending

    def add(self, report: Report) -> str:
        report_id = new_id()
        if not self.store.report_add(report_id, encode(report).decode("utf-8"), max_age=self.max_age,
                                     max_pending=self.max_pending):
            raise StoreFull()
        return report_id

    def take(self, report_id: str) -> Report | None:
        """The report, now taken (no other caller gets it), or None: unknown, expired or taken before."""
        if not valid_id(report_id):
            return None
        data = self.store.report_take(report_id, max_age=self.max_age)
        if data is None:
            return None
        try:
            return decode(data.encode("utf-8"))
        except (ValueError, KeyError, TypeError):
            self.store.report_done(report_id)
            return None

    def put_back(self, report_id: str) -> None:
        if valid_id(report_id):
            self.store.report_put_back(report_id)

    def done(self, report_id: str) -> None:
        if valid_id(report_id):
            self.store.report_done(report_id)

    def count(self) -> int:
        return self.store.reports_pending()


class FilePendingReports:
    def __init__(self, folder: Path, *, max_age: float, max_pending: int = 2_000):
        self.folder = folder
        self.max_age = max_age
        self.max_pending = max_pending

    def _path(self, report_id: str, suffix: str = SUFFIX) -> Path:
        return self.folder / f"{report_id}{suffix}"

    def _prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")

    def _expire(self) -> int:
        """Remove what waited too long (a taken one too: its process died); the number left."""
        left = 0
        limit = time.time() - self.max_age
        for entry in os.scandir(self.folder):
            if entry.name.startswith("."):
                continue
            try:
                if entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
                else:
                    left += 1
            except FileNotFoundError:
                continue
        return left

    def add(self, report: Report) -> str:
        self._prepare()
        if self._expire() >= self.max_pending:
            raise StoreFull()
        report_id = new_id()
        tmp = self.folder / f".{report_id}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            data = memoryview(encode(report))
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        os.replace(tmp, self._path(report_id))
        return report_id

    def take(self, report_id: str) -> Report | None:
        """The report, now taken (no other caller gets it), or None: unknown, expired or taken before."""
        if not valid_id(report_id):
            return None
        path, taken = self._path(report_id), self._path(report_id, TAKEN)
        try:
            os.rename(path, taken)
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            if time.time() - taken.stat().st_mtime > self.max_age:
                taken.unlink(missing_ok=True)
                return None
            return decode(taken.read_bytes())
        except (ValueError, KeyError, TypeError, OSError):
            taken.unlink(missing_ok=True)
            return None

    def put_back(self, report_id: str) -> None:
        if valid_id(report_id):
            try:
                os.rename(self._path(report_id, TAKEN), self._path(report_id))
            except FileNotFoundError:
                pass

    def done(self, report_id: str) -> None:
        if valid_id(report_id):
            self._path(report_id, TAKEN).unlink(missing_ok=True)

    def count(self) -> int:
        try:
            return sum(1 for e in os.scandir(self.folder) if not e.name.startswith("."))
        except FileNotFoundError:
            return 0
