"""Where binsite keeps what it must remember between runs: the one module
that knows these places.

* ``state/`` (committed): the send ledger (``sent.jsonl``) and the
  member-count history (``members.jsonl``), the bounces per month
  (``bounces.jsonl``). The files an older web service kept here (the desk's
  logbook ``desk.jsonl``, ``desk-sessions.jsonl``, ``desk-partners.jsonl``,
  ``member-moves.jsonl``, ``web-reports/``) are only read, once, into the
  store (``binsite.store.files``).
  ``BINSITE_STATE_DIR`` points
  elsewhere (relative to the site root, or absolute), e.g. for the demo, so
  that trying things never touches the repository's own ledger.
* ``state/web.sqlite`` (never committed): the web service's store when
  ``BINSITE_DATABASE_URL`` names no other database (``binsite.store``).
* ``.binsite/web-spool/`` (never committed; ``BINSITE_WEB_SPOOL`` elsewhere):
  where one-click unsubscribes waited before the store: read in once.
* ``.binsite/cache/`` (never committed): the build cache (``state.pickle``,
  ``bodies.sqlite``, processed media, compiled templates), the no-change
  record of each output folder, and the marks of runs in progress.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STATE_DIR = "state"
CACHE_DIR = ".binsite/cache"


def state_dir(root: Path) -> Path:
    return root / os.environ.get("BINSITE_STATE_DIR", DEFAULT_STATE_DIR)


def sent_ledger(root: Path) -> Path:
    return state_dir(root) / "sent.jsonl"


def members_log(root: Path) -> Path:
    return state_dir(root) / "members.jsonl"


def bounces_log(root: Path) -> Path:
    """The bounces Mailman counted, per list and month (``binsite.mailman.bounces.record_bounces``)."""
    return state_dir(root) / "bounces.jsonl"


def web_spool_dir(root: Path, environ: "os._Environ[str] | dict[str, str] | None" = None) -> Path:
    env = os.environ if environ is None else environ
    return root / env.get("BINSITE_WEB_SPOOL", ".binsite/web-spool")


def desk_log(root: Path) -> Path:
    return state_dir(root) / "desk.jsonl"


def desk_sessions(root: Path) -> Path:
    """Where the desk's ended sessions were kept before the store: read in once
    (``binsite.store.files``)."""
    return state_dir(root) / "desk-sessions.jsonl"


def pending_reports_dir(root: Path) -> Path:
    """Web reports waiting for their reporter's confirmation (``binsite.reports.store``;
    never committed: the folder holds its own ``.gitignore``)."""
    return state_dir(root) / "web-reports"


def member_moves(root: Path) -> Path:
    """Where residents' memberships moved between an area's lists (``binsite.mailman.moves``):
    Mailman's ids only, so that links in older mail keep working."""
    return state_dir(root) / "member-moves.jsonl"


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def shown(path: Path, root: Path) -> str:
    """``path`` as messages name it: relative to the site when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
