"""The send ledger, ``state/sent.jsonl``: one JSON line per message Mailman accepted.

Human-readable and meant to be committed with the content, so a fresh clone
(or the CI runner) knows what went out. A line is appended and fsynced after
Mailman accepted the message and before the next one is sent: whatever
happens, the file never claims a message that was not accepted.

Every line is one message. Two optional fields besides the five required:

- ``list_made``: when Mailman made the list (its ``created_at``), as Mailman
  said at the time of sending. It binds the ledger to that Mailman
  (``binsite.mailing.binding``): the same list name on another Mailman, or
  a list made again, has another moment.
- ``status: "uncertain"``: Mailman took the whole message but its answer
  never came (the connection broke after DATA). It counts as sent (it is
  not sent again on its own) and is reported until ``binsite send resolve``
  settles it, rewriting that line: ``--sent`` drops the status, ``--resend``
  removes the line.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from binsite.errors import Problem, error, warning
from binsite.i18n import t

log = logging.getLogger(__name__)

_FIELDS = ("bulletin", "list", "message_id", "content_hash", "sent_at")
UNCERTAIN = "uncertain"
SENT, RESEND = "sent", "resend"


class LedgerEntry(NamedTuple):
    """One accepted message. A named tuple: a full ledger at 10,000 bulletins
    holds tens of thousands, and a tuple is made about three times faster than a
    frozen dataclass."""

    bulletin: str            # the bulletin's id, e.g. "noord/2026-11-01-fiets-gestolen"
    list: str                # the list's address
    message_id: str          # with angle brackets, as in the header
    content_hash: str        # Bulletin.content_hash when it was sent
    sent_at: str             # ISO 8601 with offset
    correction_of: str | None = None  # the first Message-ID this corrects
    status: str | None = None        # None: accepted; "uncertain": the answer after DATA was lost
    list_made: str | None = None     # the list's created_at at Mailman when this was sent

    @property
    def uncertain(self) -> bool:
        return self.status == UNCERTAIN

    def to_json(self) -> str:
        values = {k: v for k, v in self._asdict().items() if v is not None}
        return json.dumps(values, ensure_ascii=False, sort_keys=False)


@dataclass(frozen=True)
class Ledger:
    """Every accepted (or uncertain) message."""

    entries: tuple[LedgerEntry, ...] = ()
    # (bulletin, list) -> entries, oldest first: planning asks once per
    # bulletin and list, so a scan per question would be quadratic.
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = self._index
        for entry in self.entries:
            key = entry[:2]  # (bulletin, list)
            found = index.get(key)
            if found is None:
                index[key] = [entry]
            else:
                found.append(entry)

    def sent(self, bulletin_id: str, list_address: str) -> tuple[LedgerEntry, ...]:
        """Every message of this bulletin to this list, oldest first (uncertain ones too)."""
        return tuple(self._index.get((bulletin_id, list_address), ()))

    @property
    def uncertain(self) -> tuple[LedgerEntry, ...]:
        """Messages whose outcome is not known and not settled yet, oldest first."""
        return tuple(e for e in self.entries if e.status == UNCERTAIN)

    @property
    def lists(self) -> set[str]:
        return {e.list for e in self.entries}


def _entry(values: dict) -> LedgerEntry:
    status = values.get("status")
    correction_of = values.get("correction_of")
    made = values.get("list_made")
    return LedgerEntry(*(values[k] for k in _FIELDS), correction_of=correction_of if isinstance(correction_of, str) else None,
                       status=status if isinstance(status, str) else None, list_made=made if isinstance(made, str) else None)


def _is_entry(values: object) -> bool:
    return (isinstance(values, dict) and all(isinstance(values.get(k), str) for k in _FIELDS)
            and isinstance(values.get("status"), (str, type(None))))


def _assemble(records: list[dict]) -> Ledger:
    return Ledger(tuple(_entry(values) for values in records))


def parse_ledger(text: str, rel: str) -> tuple[Ledger, list[Problem]]:
    """Parse the ledger's lines. A broken line in the middle is an error (sending
    on could repeat that message); a torn last line, left by a crash while
    writing, is only a warning."""
    fast = _parse_whole(text)
    if fast is not None:
        return _assemble(fast), []
    records: list[dict] = []
    problems: list[Problem] = []
    lines = text.split("\n")
    last = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    for number, line in enumerate(lines[:last], start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
            if not _is_entry(values):
                raise ValueError("fields")
            records.append(values)
        except (ValueError, TypeError, RecursionError):
            torn = number == last and not text.endswith("\n")
            if torn:
                problems.append(warning(rel, number, t(
                    "laatste regel is afgebroken (het versturen werd onderbroken); deze regel telt niet",
                    "last line is cut off (sending was interrupted); this line does not count")))
            else:
                problems.append(error(rel, number, t(
                    "deze regel is geen geldige verzendregel (JSON met bulletin, list, message_id, content_hash, sent_at); "
                    "herstel of verwijder hem (een merge-conflict?)",
                    "this line is not a valid send record (JSON with bulletin, list, message_id, content_hash, sent_at); "
                    "repair or remove it (a merge conflict?)")))
    return _assemble(records), problems


def _parse_whole(text: str) -> list[dict] | None:
    """Every record of a ledger that is entirely sound, parsed as one JSON
    array (ten times faster than line by line); None when any line is not,
    for the line-by-line parse to say which."""
    if not text.endswith("\n"):
        return None
    lines = [line for line in text.split("\n") if line.strip()]
    if not all(line.startswith("{") for line in lines):
        return None
    try:
        records = json.loads("[" + ",".join(lines) + "]")
    except (ValueError, RecursionError):
        return None
    if len(records) != len(lines):
        return None
    for values in records:
        if type(values) is not dict:
            return None
        get = values.get
        fields = (get("bulletin"), get("list"), get("message_id"), get("content_hash"), get("sent_at"))
        if not (type(fields[0]) is type(fields[1]) is type(fields[2]) is type(fields[3]) is type(fields[4]) is str
                and isinstance(get("correction_of"), (str, type(None)))
                and isinstance(get("status"), (str, type(None)))):
            return None
    return records


def read_ledger(path: Path, rel: str | None = None) -> tuple[Ledger, list[Problem]]:
    """The ledger at ``path``; a missing file is an empty ledger."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger(), []
    except UnicodeDecodeError:
        return Ledger(), [error(rel or str(path), None, t("bestand is geen UTF-8", "file is not UTF-8"))]
    return parse_ledger(text, rel or str(path))


def append_entry(path: Path, entry: LedgerEntry) -> None:
    """Append one line and make it durable before returning."""
    append_line(path, entry.to_json())


def rewrite_entries(path: Path, entries: list[LedgerEntry] | tuple[LedgerEntry, ...]) -> None:
    """Replace the ledger with ``entries`` (temp file, fsync, rename): how an
    uncertain entry is settled. Only under the ledger's lock."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _file_mode(path.parent)), "wb") as out:
        out.write("".join(entry.to_json() + "\n" for entry in entries).encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _file_mode(folder: Path) -> int:
    """A new ledger file in a folder only its owner may enter (the demo's ``.binsite/local/ledger``,
    0700) is its owner's only too (0600); elsewhere the usual mode (the umask decides)."""
    try:
        private = not folder.stat().st_mode & 0o077
    except OSError:
        private = False
    return 0o600 if private else 0o666


def append_line(path: Path, line: str) -> None:
    """Append one JSON line and make it durable before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists()
    if not is_new:
        _drop_torn_tail(path)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _file_mode(path.parent)), "ab") as out:
        out.write((line + "\n").encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())
    if is_new:
        # The new file's name must survive a crash too.
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _drop_torn_tail(path: Path) -> None:
    """Cut off a last line without a newline: a record whose write was cut short
    by a crash, never made durable, so it never counted."""
    with open(path, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        start = max(0, size - 65536)
        handle.seek(start)
        tail = handle.read()
        cut = start + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
        log.warning("%s: dropping a cut-off last line (an interrupted write)", path)
        handle.truncate(cut)
        handle.flush()
        os.fsync(handle.fileno())
