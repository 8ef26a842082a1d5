"""Bad input is a clear error, in bounded time and memory: each case runs
``binsite check`` in a process of its own with 200 MB of address space and
a 5 second limit, and must name the file and line."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit import copy_fixture

PROJECT = Path(__file__).resolve().parents[1]
LIMIT = 200 * 2 ** 20

BOMB = "\n".join([
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *[f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)],
])
BULLETIN = "content/noord/2026-11-01-fiets-gestolen.md"


def check(root: Path) -> subprocess.CompletedProcess:
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    env = {**os.environ, "PYTHONPATH": str(PROJECT), "BINSITE_LANG": "nl"}
    return subprocess.run([sys.executable, "-m", "binsite", "--root", str(root), "check"], env=env,
                          preexec_fn=limits, capture_output=True, text=True, timeout=5)


def front_matter(extra: str) -> str:
    return f"---\ntitle: Fiets gestolen\ndate: 2026-11-01 09:30\ncategory: inbraak\n{extra}---\nTekst.\n"


def assert_error_at(result: subprocess.CompletedProcess, path: str, line: int | None, *words: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    where = re.escape(path) + (rf":{line}(:\d+)?" if line is not None else r"(:\d+)*")
    assert re.search(rf"^{where}: fout: ", result.stderr, re.MULTILINE), result.stderr  # Dutch: "fout", English: "error"
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("where", ["front matter", "lists", "binsite.yaml"])
def test_an_alias_bomb_is_refused_at_its_line(tmp_path: Path, where: str) -> None:
    root = copy_fixture("mini", tmp_path)
    if where == "front matter":
        (root / BULLETIN).write_text(front_matter(BOMB.replace("a: &a", "extra: &a", 1) + "\n"), encoding="utf-8")
        path, line = BULLETIN, 5
    elif where == "lists":
        (root / "lists/noord.yaml").write_text((root / "lists/noord.yaml").read_text() + BOMB + "\n", encoding="utf-8")
        path, line = "lists/noord.yaml", 13
    else:
        (root / "binsite.yaml").write_text((root / "binsite.yaml").read_text() + BOMB + "\n", encoding="utf-8")
        path, line = "binsite.yaml", len((root / "binsite.yaml").read_text().splitlines()) - 8
    assert_error_at(check(root), path, line, "alias")


@pytest.mark.parametrize("nesting", [
    "deep: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "deep:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "v: 1\n",
    "deep: " + "- " * 3000 + "x\n",
])
def test_deep_nesting_is_a_clear_error(tmp_path: Path, nesting: str) -> None:
    root = copy_fixture("mini", tmp_path)
    (root / BULLETIN).write_text(front_matter(nesting), encoding="utf-8")
    assert_error_at(check(root), BULLETIN, None)


def test_a_key_given_twice_is_an_error_and_never_publishes(tmp_path: Path) -> None:
    root = copy_fixture("mini", tmp_path)
    (root / BULLETIN).write_text(front_matter("draft: true\ndraft: false\n"), encoding="utf-8")
    assert_error_at(check(root), BULLETIN, 6, "twee keer", "regel 5")


def test_a_key_given_twice_in_lists_and_settings(tmp_path: Path) -> None:
    root = copy_fixture("mini", tmp_path)
    (root / "lists/noord.yaml").write_text((root / "lists/noord.yaml").read_text() + "name: Nogmaals\n")
    (root / "binsite.yaml").write_text((root / "binsite.yaml").read_text() + "title: Ander BIN\n")
    result = check(root)
    assert_error_at(result, "lists/noord.yaml", 13, "'name'")
    assert_error_at(result, "binsite.yaml", len((root / "binsite.yaml").read_text().splitlines()), "'title'")


def test_an_area_file_named_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    root = copy_fixture("mini", tmp_path)
    (root / "lists/noord.yaml").rename(root / "lists/noord\n.yaml")
    result = check(root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "noord\n" not in result.stdout


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\x1b", "\u200f", "\ufeff", "\x07"])
@pytest.mark.parametrize("field", ["title", "area name", "subject prefix", "join", "site title", "sender name",
                                   "author"])
def test_invisible_and_control_characters_are_errors_in_every_field(tmp_path: Path, char: str, field: str) -> None:
    root = copy_fixture("mini", tmp_path)
    escaped = char.encode("unicode_escape").decode()
    if field == "title":
        (root / BULLETIN).write_text(front_matter("").replace("title: Fiets gestolen", f'title: "Fiets{escaped}gestolen"'))
        path, line = BULLETIN, 2
    elif field == "author":
        (root / BULLETIN).write_text(front_matter(f'author: {{role: binco, name: "BINCO{escaped}Noord"}}\n'))
        path, line = BULLETIN, 5
    elif field in ("area name", "subject prefix"):
        text = (root / "lists/noord.yaml").read_text().replace("name: Noord", f'name: "No{escaped}ord"')
        (root / "lists/noord.yaml").write_text(text)
        path, line = "lists/noord.yaml", 1
    elif field == "join":
        text = (root / "lists/noord.yaml").read_text().replace("join: Stuur", f'join: "Stuur{escaped}"\nx_: Stuur')
        (root / "lists/noord.yaml").write_text(text.replace("\nx_: Stuur een e-mail naar de BINCO.", ""))
        path, line = "lists/noord.yaml", 12
    elif field == "site title":
        text = (root / "binsite.yaml").read_text().replace("title: BIN Testdorp", f'title: "BIN{escaped}Testdorp"')
        (root / "binsite.yaml").write_text(text)
        path, line = "binsite.yaml", 1
    else:
        text = (root / "binsite.yaml").read_text().replace("sender_name: BIN Testdorp", f'sender_name: "BIN{escaped}"')
        (root / "binsite.yaml").write_text(text)
        path, line = "binsite.yaml", 10
    assert_error_at(check(root), path, line)
