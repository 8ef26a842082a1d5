"""Where binsite keeps what it must remember between runs, under ``state/``:
the send ledger (``sent.jsonl``) and the member-count history
(``members.jsonl``). Both are meant to be committed.

``BINSITE_STATE_DIR`` points elsewhere (relative to the site root, or
absolute), e.g. for the demo, so that trying things never touches the
repository's own ledger.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STATE_DIR = "state"


def state_dir(root: Path) -> Path:
    return root / os.environ.get("BINSITE_STATE_DIR", DEFAULT_STATE_DIR)


def sent_ledger(root: Path) -> Path:
    return state_dir(root) / "sent.jsonl"


def members_log(root: Path) -> Path:
    return state_dir(root) / "members.jsonl"


def shown(path: Path, root: Path) -> str:
    """``path`` as messages name it: relative to the site when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
