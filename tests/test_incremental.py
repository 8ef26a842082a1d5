"""Incremental builds equal clean builds, byte for byte, after any edit.

Each scenario edits a copy of the fixture site step by step; after every
step the cached build in one folder is compared with a clean build (no
cache, empty folder). A corrupt or foreign cache must be ignored.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from binsite.build import build
from binsite.paths import CACHE_DIR
from sitekit import MINI_NOW, leaky_jpeg, leaky_pdf, leaky_png, write


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_incremental_equals_clean(root: Path, out: Path, tmp: Path, now=MINI_NOW, drafts=False):
    build(root, out, now=now, drafts=drafts)
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, now=now, drafts=drafts, cache=False)
    incremental, fresh = tree(out), tree(clean)
    assert sorted(incremental) == sorted(fresh)
    assert [p for p in fresh if fresh[p] != incremental[p]] == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


BULLETIN = "content/noord/2026-11-01-fiets-gestolen.md"


def rename(root: Path, old: str, new: str) -> None:
    """Rename a bulletin and the follow-up that points at it."""
    (root / old).rename(root / new)
    edit(root / "content/noord/2026-11-03-fiets-terecht.md", "noord/2026-11-01-fiets-gestolen", "noord/2026-11-01-fiets-weg")

NOTICE = "content/notices/2026-11-02-donkere-dagen.md"
NOTICE_FILES = "content/notices/2026-11-02-donkere-dagen"


def add_picture(root: Path) -> None:
    (root / NOTICE_FILES / "kaart.png").write_bytes(leaky_png(50, 30))
    edit(root / NOTICE, "Meer tips staan", "![Kaart van de wijk](kaart.png)\n\nMeer tips staan")


def remove_picture(root: Path) -> None:
    (root / NOTICE_FILES / "lamp.jpg").unlink()
    edit(root / NOTICE, "![Een buitenlamp met tijdschakelaar naast de voordeur](lamp.jpg)", "")


STEPS = {
    "change a body": lambda r: edit(r / BULLETIN, "Let op uw eigendommen.", "Let goed op uw eigendommen."),
    "change a title": lambda r: edit(r / BULLETIN, "title: Fiets gestolen bij de school", "title: Twee fietsen gestolen"),
    "add a bulletin": lambda r: write(r / "content/zuid/2026-11-08-nieuw.md",
                                      "---\ntitle: Nieuw bericht\ndate: 2026-11-08\ncategory: overlast\n---\nNieuwe tekst.\n"),
    "delete a bulletin": lambda r: (r / "content/zuid/2026-11-04-straatverlichting.md").unlink(),
    "rename a bulletin": lambda r: rename(r, BULLETIN, "content/noord/2026-11-01-fiets-weg.md"),
    "change a template": lambda r: write(r / "templates/bulletin.html",
                                         "{% extends 'base.html' %}{% block content %}<h1>{{ entry.title }}</h1>{{ entry.html }}{% endblock %}"),
    "change the stylesheet": lambda r: write(r / "templates/assets/style.css", "body { color: #000; }\n"),
    "change config": lambda r: edit(r / "binsite.yaml", "title: BIN Testdorp", "title: BIN Testdorp en omstreken"),
    "change per_page": lambda r: edit(r / "binsite.yaml", "per_page: 2", "per_page: 3"),
    "change an area": lambda r: edit(r / "lists/zuid.yaml", "name: Zuid", "name: Zuidkant"),
    "make one partners-only": lambda r: edit(r / BULLETIN, "category: inbraak", "category: inbraak\naudience: partners"),
    "publish the draft": lambda r: edit(r / "content/noord/2026-11-06-concept.md", "draft: true", "draft: false"),
    "touch without change": lambda r: (r / BULLETIN).write_bytes((r / BULLETIN).read_bytes()),
    "change a picture": lambda r: (r / NOTICE_FILES / "lamp.jpg").write_bytes(leaky_jpeg(80, 50)),
    "add a picture": add_picture,
    "remove a picture": remove_picture,
    "change a PDF": lambda r: (r / NOTICE_FILES / "folder.pdf").write_bytes(leaky_pdf("Nieuw")),
}


@pytest.mark.parametrize("name", list(STEPS))
def test_single_edit(mini_root, tmp_path, name):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    STEPS[name](mini_root)
    assert_incremental_equals_clean(mini_root, out, tmp_path)


def test_sequence_of_edits(mini_root, tmp_path):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    # Renaming last: the other steps edit the bulletin under its first name.
    for name in sorted(STEPS, key=lambda n: n == "rename a bulletin"):
        STEPS[name](mini_root)
        assert_incremental_equals_clean(mini_root, out, tmp_path)


def test_clock_moves_so_things_expire_and_become_due(mini_root, tmp_path):
    out = tmp_path / "out"
    for days in (0, 20, 60, 400):
        now = MINI_NOW + timedelta(days=days)
        assert_incremental_equals_clean(mini_root, out, tmp_path, now=now)
    assert (out / "noord/2026-12-24-kerst/index.html").exists()  # became due


def test_drafts_flag_toggles(mini_root, tmp_path):
    out = tmp_path / "out"
    assert_incremental_equals_clean(mini_root, out, tmp_path, drafts=True)
    assert_incremental_equals_clean(mini_root, out, tmp_path, drafts=False)


def test_no_change_renders_nothing(mini_root, tmp_path):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    again = build(mini_root, out, now=MINI_NOW)
    assert again.rendered == 0 and again.report.written == 0


def test_template_change_does_not_reconvert_markdown(mini_root, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    STEPS["change a template"](mini_root)
    import binsite.render.markup

    def fail(*args, **kwargs):
        raise AssertionError("Markdown was converted again")
    monkeypatch.setattr(binsite.render.markup, "render_body", fail)
    result = build(mini_root, out, now=MINI_NOW, workers=1)
    assert result.rendered > 0


def test_one_changed_bulletin_rerenders_only_its_neighbourhood(mini_root, tmp_path):
    out = tmp_path / "out"
    first = build(mini_root, out, now=MINI_NOW)
    STEPS["change a body"](mini_root)
    second = build(mini_root, out, now=MINI_NOW)
    assert 0 < second.rendered < first.rendered / 2


def test_edited_output_file_is_restored(mini_root, tmp_path):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    (out / "index.html").write_text("vandalised")
    assert_incremental_equals_clean(mini_root, out, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip", "flip-digest", "foreign-version", "sqlite-garbage",
                                    "delta-garbage", "delta-flip", "delta-of-another-state"])
def test_corrupt_or_foreign_cache_is_ignored(mini_root, tmp_path, damage):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    state = mini_root / CACHE_DIR / "state.pickle"
    data = state.read_bytes()
    if damage == "garbage":
        state.write_bytes(b"not a cache at all")
    elif damage == "truncate":
        state.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # one byte of the payload
        middle = len(data) // 2
        state.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "flip-digest":
        state.write_bytes(data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:])
    elif damage == "foreign-version":
        state.write_bytes(data.replace(b"|0.1.0|", b"|0.0.9|", 1))
    elif damage == "sqlite-garbage":
        (mini_root / CACHE_DIR / "bodies.sqlite").write_bytes(b"garbage" * 100)
    elif damage.startswith("delta"):
        _make_delta(mini_root, out)
        delta = mini_root / CACHE_DIR / "state.delta.pickle"
        if damage == "delta-garbage":
            delta.write_bytes(b"garbage")
        elif damage == "delta-flip":
            raw = delta.read_bytes()
            delta.write_bytes(raw[:len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0xFF]) + raw[len(raw) // 2 + 1:])
        else:  # a delta left beside a full state it was not written for
            import binsite.incremental.cache

            old_delta = delta.read_bytes()
            saved, binsite.incremental.cache.DELTA_SHARE = binsite.incremental.cache.DELTA_SHARE, 0.0
            try:
                STEPS["change a title"](mini_root)
                build(mini_root, out, now=MINI_NOW)
            finally:
                binsite.incremental.cache.DELTA_SHARE = saved
            assert not delta.exists()
            delta.write_bytes(old_delta)
    STEPS["change a body"](mini_root)
    assert_incremental_equals_clean(mini_root, out, tmp_path)


def test_no_change_shortcut_notices_a_changed_binsite(mini_root, tmp_path):
    """In development binsite's version stays the same while its code
    changes: the shortcut must not reuse output made by other code."""
    import os

    import binsite.render.markup
    from binsite.incremental import fastpath
    from binsite.locations import default_templates_dir

    before = fastpath.input_signature(mini_root, default_templates_dir())
    module = Path(binsite.render.markup.__file__)
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert fastpath.input_signature(mini_root, default_templates_dir()) != before
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fastpath.input_signature(mini_root, default_templates_dir()) == before


def _make_delta(root: Path, out: Path) -> None:
    """One small edit and a build: saved as a delta beside the full state."""
    import binsite.incremental.cache

    saved = binsite.incremental.cache.DELTA_SHARE
    binsite.incremental.cache.DELTA_SHARE = 1.0  # the mini site is small: any change counts as small
    try:
        STEPS["add a bulletin"](root)
        build(root, out, now=MINI_NOW)
    finally:
        binsite.incremental.cache.DELTA_SHARE = saved
    assert (root / CACHE_DIR / "state.delta.pickle").exists()


def test_small_change_writes_a_delta_and_equals_a_clean_build(mini_root, tmp_path, monkeypatch):
    import binsite.incremental.cache

    monkeypatch.setattr(binsite.incremental.cache, "DELTA_SHARE", 1.0)
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    state = mini_root / CACHE_DIR / "state.pickle"
    full = state.read_bytes()
    for step in ("change a body", "add a bulletin", "delete a bulletin"):
        STEPS[step](mini_root)
        assert_incremental_equals_clean(mini_root, out, tmp_path)
        assert state.read_bytes() == full, "a small change rewrote the full state"
        assert (mini_root / CACHE_DIR / "state.delta.pickle").exists()
    # Over the share, the full state is written again and the delta goes.
    monkeypatch.setattr(binsite.incremental.cache, "DELTA_SHARE", 0.0)
    STEPS["change a title"](mini_root)
    assert_incremental_equals_clean(mini_root, out, tmp_path)
    assert state.read_bytes() != full
    assert not (mini_root / CACHE_DIR / "state.delta.pickle").exists()


def test_two_workers_build_what_one_builds(mini_root, tmp_path):
    """Enough bulletins that analysis and rendering go through the forked
    workers (``binsite.incremental.workers``): the result is byte for byte the one of a
    single process, cold and after an edit."""
    from binsite.incremental.analyse import POOL_THRESHOLD as ANALYSIS_POOL
    from binsite.build import POOL_THRESHOLD as RENDER_POOL

    count = max(ANALYSIS_POOL, RENDER_POOL // 2) + 20
    for n in range(count):
        area = ("noord", "zuid")[n % 2]
        write(mini_root / f"content/{area}/2026-10-{1 + n % 28:02d}-melding-{n}.md",
              f"---\ntitle: Melding {n}\ndate: 2026-10-{1 + n % 28:02d}\ncategory: overlast\n---\n"
              f"Tekst van melding {n}, met *nadruk* en een [link](https://example.org/{n}).\n")
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    result = build(mini_root, parallel, now=MINI_NOW, workers=2)
    assert result.rendered >= RENDER_POOL
    build(mini_root, single, now=MINI_NOW, workers=1, cache=False)
    assert tree(parallel) == tree(single)
    edit(mini_root / BULLETIN, "Let op uw eigendommen.", "Let goed op uw eigendommen.")
    build(mini_root, parallel, now=MINI_NOW, workers=2)
    shutil.rmtree(single)
    build(mini_root, single, now=MINI_NOW, workers=1, cache=False)
    assert tree(parallel) == tree(single)


def test_search_index_batches_from_the_cache_equal_clean(mini_root, tmp_path, monkeypatch):
    """The search index reuses encoded batches of unchanged entries: with a
    batch of two entries, every edit must still give the clean build's index."""
    import binsite.render.pages as pages

    monkeypatch.setattr(pages, "INDEX_BATCH", 2)
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    for name in ("change a title", "change a body", "add a bulletin", "change an area", "delete a bulletin"):
        STEPS[name](mini_root)
        assert_incremental_equals_clean(mini_root, out, tmp_path)


def test_render_jobs_only_read_the_body_store(mini_root, tmp_path, monkeypatch):
    """Render jobs are pure: the search index's batches are encoded and kept
    by the build loop before the pages render, never written to the cache
    from a render job (in the build process or a forked worker)."""
    import binsite.build
    import binsite.render.pages as pages
    from binsite.build import POOL_THRESHOLD as RENDER_POOL
    from binsite.incremental.cache import SqliteBodies

    for n in range(RENDER_POOL // 2 + 20):
        write(mini_root / f"content/noord/2026-10-{1 + n % 28:02d}-melding-{n}.md",
              f"---\ntitle: Melding {n}\ndate: 2026-10-{1 + n % 28:02d}\n---\nTekst {n}.\n")
    monkeypatch.setattr(pages, "INDEX_BATCH", 7)
    writes = tmp_path / "writes"
    rendering = {"now": False}   # forked workers inherit it
    render = binsite.build._render

    def marked_render(*args, **kwargs):
        rendering["now"] = True
        try:
            return render(*args, **kwargs)
        finally:
            rendering["now"] = False
    monkeypatch.setattr(binsite.build, "_render", marked_render)

    def recording(name):
        original = getattr(SqliteBodies, name)

        def record(self, *args, **kwargs):
            with open(writes, "a") as f:
                f.write(f"{name} {'while rendering' if rendering['now'] else 'before'}\n")
            return original(self, *args, **kwargs)
        return record
    for name in ("put_fragment", "keep_fragments", "put_serialized", "put_words"):
        monkeypatch.setattr(SqliteBodies, name, recording(name))
    out = tmp_path / "out"
    result = build(mini_root, out, now=MINI_NOW, workers=2)
    assert result.rendered >= RENDER_POOL
    lines = writes.read_text().splitlines()
    assert sum(line.startswith("put_fragment") for line in lines) >= 2
    assert [line for line in lines if line.endswith("while rendering")] == []
    assert_incremental_equals_clean(mini_root, out, tmp_path)


def test_body_store_drops_bodies_no_bulletin_needs(mini_root, tmp_path, monkeypatch):
    """Edited bulletins leave their old bodies behind only until the store
    holds a good share more than needed: then they go, and builds still
    equal clean ones."""
    import sqlite3

    import binsite.incremental.cache

    def rows(table: str) -> int:
        with sqlite3.connect(mini_root / CACHE_DIR / "bodies.sqlite") as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    needed = rows("bodies")
    for n in range(3):  # below the threshold: old bodies stay
        edit(mini_root / BULLETIN, "Let op" if n == 0 else f"Let {n - 1} op", f"Let {n} op")
        build(mini_root, out, now=MINI_NOW)
    assert rows("bodies") == needed + 3
    monkeypatch.setattr(binsite.incremental.cache, "PRUNE_SHARE", 0)
    monkeypatch.setattr(binsite.incremental.cache, "PRUNE_SLACK", 0)
    edit(mini_root / BULLETIN, "Let 2 op", "Let op")
    assert_incremental_equals_clean(mini_root, out, tmp_path)
    assert rows("bodies") == needed and rows("words") == needed


def test_a_resident_cache_builds_what_a_fresh_one_builds(mini_root, tmp_path, monkeypatch):
    """``binsite serve`` keeps the build cache open between rebuilds: after
    every edit its output equals a clean build, and the cache is not loaded
    again."""
    from binsite.incremental.cache import BuildCache

    resident = BuildCache.open(mini_root)
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW, resident=resident)

    def no_reload(cls, root):
        raise AssertionError("the build cache was loaded again")
    monkeypatch.setattr(BuildCache, "open", classmethod(no_reload))
    for name in ("change a body", "add a bulletin", "change a template", "change config", "delete a bulletin"):
        STEPS[name](mini_root)
        build(mini_root, out, now=MINI_NOW, resident=resident)
        clean = tmp_path / f"clean-{len(name)}-{name[:6]}"
        build(mini_root, clean, now=MINI_NOW, cache=False)
        assert tree(out) == tree(clean), name
