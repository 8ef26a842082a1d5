"""The docs and the CLI agree.

Every ``binsite ...`` command line in ``README.md`` and ``docs/*.md`` (in
fenced code blocks and in inline code) must name a command that exists,
whose ``--help`` works, and use only options that command accepts. And every
command of the CLI must be mentioned somewhere in the docs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from binsite.cli import load_commands, main

load_commands()  # commands load lazily; the docs test walks all of them

REPO = Path(__file__).resolve().parents[1]
DOC_FILES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])


# Fenced blocks in these languages are not shell or CI text: never scanned.
SKIP_LANGUAGES = {"text", "markdown", "md", "html", "jinja", "output", "ini", "nginx", "dns", "zone"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Words that may stand before the program on a command line.
PREFIX_WORDS = {"sudo", "env", "exec", "time", "eval", "command", "nohup", "run:", "-", "$", "#", ">"}
# A placeholder such as <gebied>, AREA, REF, ... or {x}.
PLACEHOLDER = re.compile(r"^(<[^>]*>|[A-Z][A-Z0-9_]*|\.\.\.|\{.*\})$")
SEGMENT_BREAKS = {"&&", "||", ";", "|", "&", "(", ")", ";;"}
REDIRECTS = {">", ">>", "<", "2>", "2>&1", "&>"}


@dataclass(frozen=True)
class DocCommand:
    """One ``binsite`` invocation found in the docs."""

    where: str                  # "docs/beheer.md:42"
    text: str                   # the command as written, from ``binsite`` on
    tokens: tuple[str, ...]     # the arguments after ``binsite``

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def _is_binsite(word: str) -> bool:
    return word == "binsite" or word.endswith("/binsite")


def _segments(line: str) -> list[list[str]]:
    """Shell words of ``line``, split into simple commands; ``$(...)`` inside is its own line."""
    found: list[list[str]] = []
    for inner in SUBSTITUTION.findall(line):
        found += _segments(inner)
    line = SUBSTITUTION.sub(" SUBST ", line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # unbalanced quotes: fall back on plain splitting
        words = line.split()
    segment: list[str] = []
    for word in words:
        if word in SEGMENT_BREAKS:
            found.append(segment)
            segment = []
        else:
            segment.append(word)
    found.append(segment)
    return found


def _command_in(segment: list[str]) -> list[str] | None:
    """The arguments after ``binsite`` when ``segment`` runs binsite, else None."""
    index = 0
    while index < len(segment):
        word = segment[index]
        if word in PREFIX_WORDS or ASSIGNMENT.match(word):
            index += 1
            continue
        break
    rest = segment[index:]
    if rest[:1] and _is_binsite(rest[0]):
        args = rest[1:]
    elif len(rest) >= 3 and rest[0].rsplit("/", 1)[-1].startswith("python") and rest[1] == "-m" and rest[2] == "binsite":
        args = rest[3:]
    else:
        return None
    for cut, word in enumerate(args):
        if word in REDIRECTS or word.startswith("#"):
            return args[:cut]
    return args


def _commands_in_text(text: str, where: str) -> list[DocCommand]:
    commands = []
    for segment in _segments(text):
        args = _command_in(segment)
        if args is not None:
            clean = tuple(a.strip("[]") for a in args if a.strip("[]"))
            commands.append(DocCommand(where, " ".join(["binsite", *clean]), clean))
    return commands


def doc_commands(path: Path) -> list[DocCommand]:
    """Every binsite command in a Markdown file, with its file and line."""
    rel = path.relative_to(REPO).as_posix()
    commands: list[DocCommand] = []
    fence: str | None = None
    language = ""
    pending_line = ""      # a shell line continued with a backslash
    pending_number = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence, language = opened.group(2), opened.group(3).lower()
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
                continue
            if language in SKIP_LANGUAGES:
                continue
            if line.rstrip().endswith("\\"):
                pending_number = pending_number or number
                pending_line += line.rstrip()[:-1] + " "
                continue
            text, start = pending_line + line, pending_number or number
            pending_line, pending_number = "", 0
            commands += _commands_in_text(text, f"{rel}:{start}")
            continue
        for match in INLINE_CODE.finditer(line):
            commands += _commands_in_text(match.group(2), f"{rel}:{number}")
    return commands


ALL_DOC_COMMANDS = [command for path in DOC_FILES for command in doc_commands(path)]


def cli_commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    """``(path, command)`` for every command of the CLI, groups included."""
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from cli_commands(command, prefix + (name,))


def _option_names(command: click.Command) -> dict[str, click.Option]:
    names: dict[str, click.Option] = {}
    for param in command.params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                names[name] = param
    names.setdefault("--help", None)
    names.setdefault("-h", None)
    return names


@dataclass(frozen=True)
class Resolved:
    path: tuple[str, ...]
    command: click.Command
    problems: tuple[str, ...]
    missing: str | None = None      # the first word that is not a command


def _takes_value(option: click.Option | None) -> bool:
    return option is not None and not option.is_flag and not option.count


def _check_options(command: click.Command, words: list[str], problems: list[str], *, stop_at_word: bool) -> list[str]:
    """Check options at the front (or everywhere) of ``words``; return what is left."""
    names = _option_names(command)
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-") and word not in ("-", "--") and not PLACEHOLDER.match(word):
            name = word.split("=", 1)[0]
            if name not in names:
                problems.append(f"option {name} is not accepted by `{command.name}`")
            elif "=" not in word and _takes_value(names[name]):
                index += 1
            index += 1
            continue
        if stop_at_word:
            return words[index:]
        index += 1
    return []


def resolve(tokens: tuple[str, ...]) -> Resolved:
    """Walk the CLI along ``tokens``: global options, the command path, its options."""
    problems: list[str] = []
    words = _check_options(main, list(tokens), problems, stop_at_word=True)
    command: click.Command = main
    path: tuple[str, ...] = ()
    while words and isinstance(command, click.Group):
        word = words[0]
        if word in command.commands:
            command = command.commands[word]
            path += (word,)
            words = _check_options(command, words[1:], problems, stop_at_word=True)
            continue
        has_arguments = any(isinstance(p, click.Argument) for p in command.params)
        if not has_arguments and not PLACEHOLDER.match(word):
            return Resolved(path, command, tuple(problems), missing=word)
        break
    _check_options(command, words, problems, stop_at_word=False)
    return Resolved(path, command, tuple(problems))


# --- The parser itself -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("binsite check", [("check",)]),
    ("binsite --root /tmp/x check --strict", [("--root", "/tmp/x", "check", "--strict")]),
    ('eval "$(binsite local-mailman start)"', [("local-mailman", "start")]),
    ("binsite lists sync && binsite send --dry-run", [("lists", "sync"), ("send", "--dry-run")]),
    ("BINSITE_LANG=en binsite check  # in English", [("check",)]),
    ("binsite stats --format csv > out.csv", [("stats", "--format", "csv")]),
    (".venv/bin/binsite build [--out DIR]", [("build", "--out", "DIR")]),
    ("pip install binsite", []),
    ("binsite.yaml", []),
    ("- run: binsite check", [("check",)]),
])
def test_parser_finds_commands(text, expected):
    assert [c.tokens for c in _commands_in_text(text, "x.md:1")] == expected


def test_parser_reads_fenced_blocks_and_inline_code(tmp_path, monkeypatch):
    doc = tmp_path / "docs" / "x.md"
    doc.parent.mkdir()
    doc.write_text("Run `binsite check` first.\n\n```sh\nbinsite build \\\n  --out public\n```\n\n"
                   "```text\nbinsite is a tool\n```\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    found = [(c.where, c.tokens) for c in doc_commands(doc)]
    assert found == [("docs/x.md:1", ("check",)), ("docs/x.md:4", ("build", "--out", "public"))]


def test_resolve_catches_unknown_commands_and_options():
    assert resolve(("chek",)).missing == "chek"
    assert resolve(("check", "--strickt")).problems
    assert resolve(("--root", "DIR", "check", "--strict")).problems == ()
    assert resolve(("new", "<gebied>", "Titel", "--category", "inbraak")).problems == ()


# --- The docs against the CLI ---------------------------------------------------------------------


def test_docs_mention_commands():
    assert DOC_FILES and ALL_DOC_COMMANDS


@pytest.mark.parametrize("command", ALL_DOC_COMMANDS, ids=str)
def test_documented_command_exists_with_its_options(command: DocCommand):
    resolved = resolve(command.tokens)
    assert resolved.missing is None, f"{command}: no command {resolved.missing!r} under `binsite {' '.join(resolved.path)}`"
    assert not resolved.problems, f"{command}: " + "; ".join(resolved.problems)
    result = CliRunner().invoke(main, [*resolved.path, "--help"])
    assert result.exit_code == 0, f"{command}: `binsite {' '.join(resolved.path)} --help` failed:\n{result.output}"


def _documented_paths() -> set[tuple[str, ...]]:
    paths = set()
    for command in ALL_DOC_COMMANDS:
        resolved = resolve(command.tokens)
        for end in range(1, len(resolved.path) + 1):
            paths.add(resolved.path[:end])
    return paths


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in cli_commands()])
def test_every_cli_command_is_documented(path: str):
    assert tuple(path.split()) in _documented_paths(), \
        f"`binsite {path}` is not mentioned in README.md or docs/*.md"


# --- The README's commands work as written, and the handbook's table of contents -----------------


def _fenced_shell_lines(path: Path) -> list[tuple[int, str]]:
    lines, inside, language = [], False, ""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        fence = FENCE.match(line)
        if fence:
            inside, language = (not inside), (fence.group(3) if not inside else "")
            continue
        if inside and language not in SKIP_LANGUAGES:
            lines.append((number, line.strip()))
    return lines


def test_readme_puts_binsite_on_the_path_before_its_first_bare_binsite():
    """After `make demo` binsite lives in .venv/bin: the README must say how to
    reach it before it first tells the reader to type `binsite ...`."""
    lines = _fenced_shell_lines(REPO / "README.md")
    activate = next(n for n, line in lines if line.startswith(". .venv/bin/activate"))
    env = next(n for n, line in lines if line.startswith(". .binsite/local.env"))
    first_bare = next(n for n, line in lines if line.split()[:1] == ["binsite"])
    assert activate < first_bare and env < first_bare
    # And the Makefile's demo writes the file the README tells to source.
    assert re.search(r"local-mailman start (--env-file |> ?)\.binsite/local\.env", (REPO / "Makefile").read_text(encoding="utf-8"))


def test_readme_activation_line_works_as_written(tmp_path):
    """Run the README's own line in a shell with an empty PATH for binsite: after
    it, a bare `binsite` is found and runs."""
    import os
    import subprocess

    line = next(line for _, line in _fenced_shell_lines(REPO / "README.md") if line.startswith(". .venv/bin/activate"))
    command = line.split("#", 1)[0].strip()
    result = subprocess.run(["bash", "-c", f"{command} && command -v binsite && binsite --version"], cwd=REPO,
                            capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    assert result.returncode == 0, result.stderr
    assert "binsite, version" in result.stdout


def test_handbook_has_a_table_of_contents_that_resolves():
    from binsite.render.pages import handbook_html
    from markdown.extensions.toc import slugify

    text = (REPO / "docs" / "handleiding-binco.md").read_text(encoding="utf-8")
    toc = text.split("\n## Inhoudsopgave\n", 1)[1].split("\n## ", 1)[0]
    targets = re.findall(r"\]\(#([^)]+)\)", toc)
    headings = [line[3:] for line in text.split("\n") if line.startswith("## ") and line != "## Inhoudsopgave"]
    assert {slugify(h.replace("`", ""), "-") for h in headings} <= set(targets)
    html = str(handbook_html(text))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert set(targets) <= ids, set(targets) - ids
    # The page's own ids (main is "inhoud", the skip link's target) are not taken by a heading.
    assert "inhoud" not in ids
    # Every in-page link of the handbook lands somewhere.
    assert set(re.findall(r'href="#([^"]+)"', html)) <= ids
