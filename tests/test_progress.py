"""Progress of long work: counted by the library, drawn by the CLI.

In place on a terminal (a pseudo-terminal here, as a BINCO's), plain lines
without one (CI), nothing extra for a small incremental build.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from binsite.cli.progress import ProgressLine
from binsite.progress import ANALYSE, PAGES, report, reporting
from sitekit import write

BULLETIN = "---\ntitle: Bericht {n}\ndate: 2026-10-{d:02d}\ncategory: nieuws\n---\nTekst van bericht {n} over de buurt.\n"


def _many(root: Path, count: int) -> None:
    for n in range(count):
        write(root / f"content/noord/2026-10-{n % 28 + 1:02d}-bericht-{n}.md", BULLETIN.format(n=n, d=n % 28 + 1))


def test_plain_lines_without_a_terminal():
    out = io.StringIO()
    line = ProgressLine("nl", out, tty=False, min_items=10)
    for done in range(1, 1001):
        line(ANALYSE, done, 1000)
    line(PAGES, 1, 5)      # a short phase: nothing
    line.finish()
    assert out.getvalue().splitlines() == ["Berichten analyseren: 1/1.000", "Berichten analyseren: 250/1.000",
                                           "Berichten analyseren: 500/1.000", "Berichten analyseren: 750/1.000",
                                           "Berichten analyseren: 1.000/1.000"]


def test_in_place_on_a_terminal_throttled_and_ending_with_the_count():
    out = io.StringIO()
    ticks = iter(i * 0.05 for i in range(10_000))
    line = ProgressLine("en", out, tty=True, clock=lambda: next(ticks), min_items=10)
    for done in range(1, 201):
        line(PAGES, done, 200)
    line.finish()
    text = out.getvalue()
    assert "\n" not in text[:-1] and text.endswith("\r\x1b[KWriting pages: 200/200\n")
    # Redrawn in place, at most every 0.1 s (here: every other report), not 200 times.
    assert 60 <= text.count("\r\x1b[K") <= 110


def test_report_reaches_only_the_installed_callback():
    seen: list[tuple] = []
    report(ANALYSE, 1, 2)            # nobody listens: nothing happens
    with reporting(lambda *args: seen.append(args)):
        report(ANALYSE, 1, 2)
    report(ANALYSE, 2, 2)
    assert seen == [(ANALYSE, 1, 2)]


def _build(root: Path, *args: str, tty: bool = False) -> tuple[int, str]:
    command = [sys.executable, "-m", "binsite", "--root", str(root), "build", "--now", "2026-11-10T12:00", *args]
    env = {**os.environ, "BINSITE_LANG": "nl"}
    if not tty:
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        return result.returncode, result.stderr
    main, child = pty.openpty()
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return process.wait(), b"".join(chunks).decode()


def test_a_cold_build_of_many_bulletins_shows_its_phases_in_ci(mini_root: Path):
    _many(mini_root, 700)
    status, stderr = _build(mini_root, "--no-cache")
    assert status == 0, stderr
    lines = stderr.splitlines()
    analysis = [l for l in lines if l.startswith("Berichten analyseren: ")]
    pages = [l for l in lines if l.startswith("Pagina's schrijven: ")]
    assert analysis and analysis[-1].endswith("/710") and analysis[-1].split(": ")[1].split("/")[0] == "710"
    assert len(pages) >= 2 and pages[-1].split(": ")[1].split("/")[0] == pages[-1].split("/")[1]
    assert "\r" not in stderr  # plain lines, no terminal codes in a CI log


def test_on_a_terminal_the_count_is_updated_in_place(mini_root: Path):
    _many(mini_root, 700)
    status, output = _build(mini_root, "--no-cache", tty=True)
    assert status == 0, output
    assert "\r\x1b[KBerichten analyseren: " in output and "Berichten analyseren: 710/710" in output
    assert "\r\x1b[KPagina's schrijven: " in output


def test_a_small_build_prints_no_progress(mini_root: Path):
    status, stderr = _build(mini_root)
    assert status == 0 and "analyseren" not in stderr and "schrijven" not in stderr


def test_work_of_unknown_length_shows_once_it_is_long():
    out = io.StringIO()
    line = ProgressLine("nl", out, tty=False, min_items=50)
    for done in range(1, 40):
        line("sync", done)
    line.finish()
    assert out.getvalue() == ""  # a short sync: only its summary, printed by the command
    for done in range(1, 264):
        line("sync", done)
    line.finish()
    assert out.getvalue().splitlines() == ["Mailman bijwerken: 50", "Mailman bijwerken: 263"]
