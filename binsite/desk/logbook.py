"""The desk's logbook: one JSON line per desk action, in the service's store.

Belgian BIN guidance has the coordinator keep a log of reports and feedback as
the basis for evaluation; ``binsite stats --desk`` reads it back per area and
month (``binsite.stats.desk``). What a line holds: who acted (a role: an area's
BINCO, told apart from a co-BINCO by a short digest of their coordinator
address, or the operator at the command line), when, what, on which area,
list, report (a digest of list and Message-ID, never the Message-ID itself,
which can carry the resident's name) or bulletin (its path). Never message
content, never a resident's address, never a reason typed for a resident.

The lines live in the site's store (``binsite.store``: ``BINSITE_DATABASE_URL``,
else ``state/web.sqlite``), so every instance of the service and the command
line write one logbook, in one order, with many writers at once. Before the
store they were lines of ``state/desk.jsonl``: ``read`` reads such a file (a torn
or foreign line skipped), once, into the store (``binsite.store.files``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from binsite.errors import BinsiteError
from binsite.store import site_store

log = logging.getLogger(__name__)

VERSION = 1
MAX_LINE = 4096

# Actions. Those that handle a report (first one: the report's handling time).
RECEIVED = "received"
FORWARD = "forward"
ACCEPT = "accept"
REJECT = "reject"
DISCARD = "discard"
DRAFT = "draft"
ANSWER = "answer"
PUBLISH = "publish"
SAVE_DRAFT = "save_draft"
EDIT = "edit"
APPROVE = "approve"
REJECT_REQUEST = "reject_request"
MEMBER_ADD = "member_add"
MEMBER_REMOVE = "member_remove"
MEMBERS_IMPORT = "members_import"
LOGIN = "login"
# The partners' door (``binsite.desk.partners``): a partner's login, notice, answer and status mark;
# a BINCO's decision on a notice that waits.
PARTNER_LOGIN = "partner_login"
PARTNER_NOTICE = "partner_notice"
PARTNER_ANSWER = "partner_answer"
PARTNER_STATUS = "partner_status"
NOTICE_APPROVE = "notice_approve"
NOTICE_REJECT = "notice_reject"
ADMIN_LOGIN = "admin_login"  # the administrator's door (``binsite.web.admin``)
ERASE = "erase"      # an address erased (binsite.avg.erase): a digest of its own kind, never the address
RETENTION = "retention"  # records past their retention period removed (binsite.avg.retention)
# The second step of a desk login (``binsite.web.factors``): a factor (passkey, app,
# recovery codes) added or removed by its owner, reset by the administrator, a login's
# second step passed, or refused (with the reason: a replay, another site, a counter that went
# back, a code used before, a wrong code, too many wrong codes: the field ``refusal``).
FACTOR_ADD = "factor_add"
FACTOR_REMOVE = "factor_remove"
FACTOR_RESET = "factor_reset"
FACTOR_LOGIN = "factor_login"
FACTOR_REFUSED = "factor_refused"
SESSION_END = "session_end"   # one session ended from the account page
RECOVERY_NEW = "recovery_new"  # new recovery codes made from the account page (the old ones no longer work)
FACTOR_KINDS = ("passkey", "app", "recovery")
REFUSED_REASONS = ("replay", "origin", "counter", "used", "wrong", "limit", "unknown")
HANDLING = frozenset({FORWARD, ACCEPT, REJECT, DISCARD, ANSWER})
ACTIONS = frozenset({RECEIVED, FORWARD, ACCEPT, REJECT, DISCARD, DRAFT, ANSWER, PUBLISH, SAVE_DRAFT, EDIT, APPROVE,
                     REJECT_REQUEST, MEMBER_ADD, MEMBER_REMOVE, MEMBERS_IMPORT, LOGIN, PARTNER_LOGIN, PARTNER_NOTICE,
                     PARTNER_ANSWER, PARTNER_STATUS, NOTICE_APPROVE, NOTICE_REJECT, ADMIN_LOGIN, ERASE, RETENTION, FACTOR_ADD, FACTOR_REMOVE, FACTOR_RESET, FACTOR_LOGIN,
                     FACTOR_REFUSED, SESSION_END, RECOVERY_NEW})
# What the audit trail (``binsite stats --desk --audit``) counts: the privileged actions.
AUDITED = frozenset({LOGIN, PARTNER_LOGIN, ADMIN_LOGIN, FACTOR_ADD, FACTOR_REMOVE, FACTOR_RESET, FACTOR_LOGIN, FACTOR_REFUSED,
                     SESSION_END, RECOVERY_NEW, PUBLISH, EDIT, SAVE_DRAFT, APPROVE, REJECT_REQUEST, FORWARD, ACCEPT, REJECT, DISCARD,
                     ANSWER, ERASE, MEMBERS_IMPORT, MEMBER_ADD, MEMBER_REMOVE, NOTICE_APPROVE, NOTICE_REJECT,
                     PARTNER_NOTICE, PARTNER_ANSWER, PARTNER_STATUS})
# The only fields a line may carry besides v, at, by, action: nothing free-form.
FIELDS = frozenset({"area", "list", "to", "report", "received", "bulletin", "count", "answer_to", "commit", "once", "notice",
                    "status", "erased", "kept", "factor", "refusal", "person", "door"})
# Fields whose values come from a fixed list (never typed text).
CHOICES = {"factor": FACTOR_KINDS, "refusal": REFUSED_REASONS, "door": ("binco", "partner", "beheer")}


@dataclass(frozen=True)
class Actor:
    """Who acts: ``binco``, ``partner`` or ``administrator`` (with a digest of their address) or ``operator``."""

    role: str
    id: str = ""

    def as_json(self) -> dict[str, str]:
        return {"role": self.role, **({"id": self.id} if self.id else {})}


OPERATOR = Actor("operator")


def operator() -> Actor:
    return OPERATOR


def binco(address: str) -> Actor:
    """A BINCO, named by a short digest of the coordinator address (co-BINCOs told apart,
    no address in the log)."""
    return Actor("binco", hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:8])


def partner(address: str) -> Actor:
    """A partner (police, municipality), named like a BINCO by a short digest of their address."""
    return Actor("partner", hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:8])


def administrator(address: str) -> Actor:
    """An administrator (``administrators:`` in binsite.yaml), named like a BINCO by a short digest."""
    return Actor("administrator", hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:8])


def entry(actor: Actor, action: str, *, at: datetime | None = None, **fields: object) -> dict[str, object]:
    """One logbook line as a dict (pure); unknown actions and fields are programming errors."""
    if action not in ACTIONS:
        raise ValueError(f"unknown logbook action {action!r}")
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"logbook fields not allowed: {sorted(unknown)}")
    for key, allowed in CHOICES.items():
        if key in fields and fields[key] not in allowed:
            raise ValueError(f"logbook field {key!r} takes one of {allowed}")
    moment = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    values: dict[str, object] = {"v": VERSION, "at": moment.isoformat(timespec="seconds"), "by": actor.as_json(),
                                 "action": action}
    for key, value in fields.items():
        if value is None:
            continue
        values[key] = value.astimezone(timezone.utc).isoformat(timespec="seconds") if isinstance(value, datetime) \
            else value
    return values


def line_of(values: dict[str, object], *, max_line: int = MAX_LINE) -> str:
    """The line a logbook entry is kept as (canonical JSON, one line, bounded)."""
    line = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if "\n" in line or len(line) > max_line:
        raise ValueError("logbook line too long")
    return line


def append(path: Path, values: dict[str, object], *, max_line: int = MAX_LINE, mode: int = 0o640) -> None:
    """Append one line to a JSON-lines file: locked, a torn last line closed off first, fsynced
    (the partners' door's records, ``binsite.desk.partners.FileStore``)."""
    line = line_of(values, max_line=max_line)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_locked(path, mode)
    try:
        try:
            size = os.fstat(fd).st_size
            prefix = b""
            if size:
                last = os.pread(fd, 1, size - 1)
                if last != b"\n":
                    prefix = b"\n"  # a writer died mid-line: its fragment stays one unreadable line
            data = prefix + line.encode("utf-8") + b"\n"
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_locked(path: Path, mode: int = 0o640) -> int:
    """The file opened for append and locked; opened again when it was replaced while this
    writer waited for the lock (``rewrite`` replaces it), so no line goes to a removed file."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, mode)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def rewrite(path: Path, keep: "Callable[[bytes], bytes | None]") -> int:
    """Rewrite the file line by line under its lock: ``keep(line)`` returns the line to keep
    (changed or not) or None to drop it. Written to a temporary file, fsynced, renamed into
    place, so a crash leaves the old file or the new one. Returns how many lines changed."""
    if not path.is_file():
        return 0
    fd = _open_locked(path)
    try:
        with os.fdopen(os.dup(fd), "rb") as handle:
            handle.seek(0)
            old = handle.read()
        lines = old.splitlines(keepends=True)
        kept: list[bytes] = []
        changed = 0
        for line in lines:
            new = keep(line)
            if new != line:
                changed += 1
            if new is not None:
                kept.append(new if new.endswith(b"\n") else new + b"\n")
        if changed:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, os.stat(path).st_mode & 0o777)
            try:
                os.write(out, b"".join(kept))
                os.fsync(out)
            finally:
                os.close(out)
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return changed
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def claim(path: Path, values: dict[str, object]) -> bool:
    """Append ``values`` unless a line with the same action and ``once`` key is there already;
    the check and the append under one lock, so of two claims at once exactly one wins.
    What makes a login link work once without a database (``binsite.web.desk``)."""
    key, action = values.get("once"), values.get("action")
    if not isinstance(key, str) or not key:
        raise ValueError("a claim needs a 'once' key")
    line = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_locked(path)
    try:
        try:
            with os.fdopen(os.dup(fd), "rb") as handle:
                handle.seek(0)
                for raw in handle:
                    if b'"once":' not in raw:
                        continue
                    try:
                        seen = json.loads(raw)
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        continue
                    if isinstance(seen, dict) and seen.get("once") == key and seen.get("action") == action:
                        return False
            size = os.fstat(fd).st_size
            prefix = b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""
            os.write(fd, prefix + line.encode("utf-8") + b"\n")
            os.fsync(fd)
            return True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def record(root: Path, actor: Actor, action: str, *, at: datetime | None = None, **fields: object) -> dict[str, object]:
    """Add a desk action to the site's logbook; a logbook that cannot be written is
    logged, never a reason to undo what the BINCO just did."""
    values = entry(actor, action, at=at, **fields)
    line = line_of(values)
    try:
        site_store(root).log_append(line, at=str(values["at"]), action=action)
    except BinsiteError as exc:
        log.error("desk logbook not written: %s", exc)
    return values


def lines(root: Path, *, action: str | None = None) -> Iterator[dict[str, object]]:
    """Every line of the site's logbook in the order written (or only those of ``action``)."""
    for raw in site_store(root).log_lines(action=action):
        values = _whole(raw)
        if values is not None:
            yield values


def _whole(raw: str | bytes) -> dict[str, object] | None:
    try:
        values = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(values, dict) and values.get("v") == VERSION and values.get("action") in ACTIONS:
        return values
    return None


def read(path: Path) -> Iterator[dict[str, object]]:
    """Every whole line of an old logbook file (a torn or foreign line is skipped)."""
    try:
        handle = path.open("rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return
    with handle:
        for raw in handle:
            if not raw.endswith(b"\n") or len(raw) > MAX_LINE + 1:
                continue
            values = _whole(raw)
            if values is not None:
                yield values


def known_reports(root: Path) -> set[str]:
    """Reports the logbook already has a ``received`` line for."""
    return {str(v["report"]) for v in lines(root, action=RECEIVED) if v.get("report")}


def note_received(root: Path, actor: Actor, reports: list[tuple[str, str, str, datetime | None]]) -> int:
    """Log ``received`` once for each ``(report, area, list, received)`` not logged before."""
    known = known_reports(root)
    added = 0
    for report, area, list_address, received in reports:
        if report in known:
            continue
        record(root, actor, RECEIVED, area=area, list=list_address, report=report, received=received)
        known.add(report)
        added += 1
    return added
