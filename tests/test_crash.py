"""Crash safety: a worker never outlives its build, and what a kill -9 leaves
in the output or the cache is gone after the next build of any kind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from binsite.build import build
from sitekit import MINI_NOW, copy_fixture, poll

PROJECT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[-1].split()
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


SLOW_WORK = textwrap.dedent("""
    import sys, time
    from binsite.incremental.workers import fork_map

    def slow(item):
        time.sleep(0.2)   # 100 items: the worker alone would be busy for ten seconds
        return item

    print("started", flush=True)
    for _ in fork_map(slow, range(100), workers=2, chunksize=1):
        pass
""")


def test_a_worker_exits_when_its_parent_is_killed() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    parent = subprocess.Popen([sys.executable, "-c", SLOW_WORK], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "started"
        poll(lambda: _children(parent.pid), timeout=10, what="a forked worker")
        [worker] = _children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        # Far sooner than the worker's own ten seconds of work.
        poll(lambda: not _alive(worker), timeout=1.5, what="the worker gone after its parent was killed")
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_worker_exits_when_the_parent_of_a_real_build_is_killed(tmp_path: Path) -> None:
    root = copy_fixture("mini", tmp_path)
    for n in range(260):
        (root / "content" / "noord" / f"2026-10-{n % 28 + 1:02d}-bericht-{n}.md").write_text(
            f"---\ntitle: Bericht {n}\ndate: 2026-10-{n % 28 + 1:02d} 10:00\ncategory: inbraak\n---\n"
            + "Een zin over de buurt. " * 200 + "\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import time, sys
        from pathlib import Path
        from datetime import datetime
        from zoneinfo import ZoneInfo
        from binsite import render
        import binsite.render.pages as pages
        from binsite.build import build
        original = pages.Job.render if hasattr(pages, "Job") else None
        # Each page takes a while to render: the worker is surely busy when the parent dies.
        def slow_render(self, _original=original):
            time.sleep(0.05)
            return _original(self)
        pages.Job.render = slow_render
        build(Path({str(root)!r}), Path({str(tmp_path / "out")!r}), now=datetime(2026, 11, 10, 12, tzinfo=ZoneInfo("Europe/Amsterdam")), workers=2)
    """)
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        poll(lambda: _children(parent.pid), timeout=60, what="a forked worker")
        workers = _children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        poll(lambda: not any(_alive(w) for w in workers), timeout=1.5, what="no worker left after the parent was killed")
    finally:
        if parent.poll() is None:
            parent.kill()


KILL_AT = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    root, out, name, what = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        # The process dies hard with its temporary file written, just before the rename.
        if os.path.basename(str(dst)) == name:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace
    now = datetime(2026, 11, 10, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))
    if what == "build":
        from binsite.build import build
        build(root, out, now=now, workers=1)
    else:
        from binsite.load import load_site, site_cache
        with site_cache(root) as cache:
            load_site(root, now, cache=cache)
""")


def _killed(root: Path, out: Path, name: str, what: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run([sys.executable, "-c", KILL_AT, str(root), str(out), name, what], env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def _temps(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.tmp"))


def _built_then_edited(tmp_path: Path) -> tuple[Path, Path]:
    """A built site, with one published bulletin edited since."""
    root = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    bulletin = next(p for p in sorted((root / "content" / "noord").glob("*.md")) if "draft" not in p.read_text())
    bulletin.write_text(bulletin.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    return root, out


def test_a_temp_file_left_in_the_output_by_a_kill_is_gone_after_the_next_incremental_build(tmp_path: Path) -> None:
    root, out = _built_then_edited(tmp_path)
    _killed(root, out, "index.html", "build")
    assert [p.name for p in _temps(out)], "the kill left a temporary file in the output"
    assert all(p.name.startswith(".") and ".index.html." in p.name for p in _temps(out))

    build(root, out, now=MINI_NOW)
    assert _temps(out) == [] and _temps(root / ".binsite") == []
    # And the next build, with nothing changed, still has nothing to do.
    assert build(root, out, now=MINI_NOW).rendered == 0


def test_a_temp_file_left_in_the_cache_by_a_kill_is_gone_after_the_next_run(tmp_path: Path) -> None:
    root, out = _built_then_edited(tmp_path)
    _killed(root, out, "state.pickle", "check")
    assert _temps(root / ".binsite" / "cache"), "the kill during the cache save left a temporary file"
    # A build with nothing to render (the fast path) clears it too.
    build(root, out, now=MINI_NOW)
    assert _temps(root / ".binsite") == []
