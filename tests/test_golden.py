"""The fixture site built and compared byte for byte with a stored tree.

When a change to templates or rendering is intended, regenerate with
``make golden`` (``python tests/regen_golden.py``) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "mini"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".binsite-output"}


def test_build_matches_golden_tree(mini_built):
    built, golden = tree(mini_built), tree(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ; run `make golden` if intended"
    changed = [rel for rel in built if built[rel] != golden[rel]]
    assert changed == [], f"content differs in {changed}; run `make golden` if intended"
