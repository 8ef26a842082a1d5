"""Writing output: only changed bytes, atomically, from bytes or from parts made one at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from binsite.writer import MARKER, remove_stale, write_if_changed


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def parts(*chunks: bytes):
    yield from chunks  # a generator: consumed once, never whole in memory


@pytest.mark.parametrize("as_parts", [False, True], ids=["bytes", "parts"])
def test_writes_new_keeps_same_replaces_different(tmp_path, as_parts):
    path = tmp_path / "a" / "b" / "index.html"

    def write(data: bytes):
        return write_if_changed(path, parts(data[:3], data[3:]) if as_parts else data)

    first = write(b"hello world")
    assert first.changed and path.read_bytes() == b"hello world" and first.size == 11
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    same = write(b"hello world")
    assert not same.changed and path.stat().st_mtime_ns == 1_000_000_000 == same.mtime_ns
    assert same.digest == first.digest
    for other in (b"hello world!", b"hello", b"jello world"):  # longer, shorter, same length
        written = write(other)
        assert written.changed and path.read_bytes() == other and written.digest != first.digest
    assert leftovers(tmp_path) == []


def test_a_failing_generator_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "index.js"
    write_if_changed(path, b"old contents")

    def broken():
        yield b"new "
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        write_if_changed(path, broken())
    assert path.read_bytes() == b"old contents"
    assert leftovers(tmp_path) == []


def test_remove_stale_keeps_wanted_and_marker_and_removes_empty_folders(tmp_path):
    out = tmp_path / "out"
    for rel in ("index.html", "noord/index.html", "noord/oud/index.html", "weg/pagina/2/index.html", MARKER):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("x")
    removed = remove_stale(out, {"index.html", "noord/index.html"})
    assert removed == 2
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [MARKER, "index.html", "noord",
                                                                               "noord/index.html"]
