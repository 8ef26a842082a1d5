"""The command line: help everywhere, exit codes, messages that point at lines."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from binsite.cli import load_commands, main

load_commands()  # commands load lazily; these tests walk all of them
from sitekit import REPO, write


def all_commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


def test_there_are_commands():
    names = {" ".join(path) for path, _ in all_commands()}
    assert {"check", "build", "new", "serve"} <= names


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in all_commands()])
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(main, [*path.split(), "--help"], env={"BINSITE_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Example" in result.output or "Examples" in result.output, path


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in all_commands()])
def test_help_is_dutch_by_default_and_english_with_binsite_lang(path):
    """Every command's help and every option's, in the BINCO's language."""
    from binsite.cli.help_nl import COMMANDS, OPTIONS

    command = dict(all_commands())[tuple(path.split())]
    assert path in COMMANDS, f"`binsite {path}` has no Dutch help in binsite/cli/help_nl.py"
    for option in command.params:
        if isinstance(option, click.Option) and getattr(option, "_binsite_help_en", option.help):
            assert f"{path} {option.opts[0]}" in OPTIONS, f"`binsite {path} {option.opts[0]}` has no Dutch help"
    dutch = CliRunner().invoke(main, [*path.split(), "--help"], env={"BINSITE_LANG": None}).output
    assert dutch.startswith("Gebruik: ") and "Opties:" in dutch and "Toon deze hulp en stop." in dutch
    assert "Voorbeeld" in dutch and "Show this message" not in dutch and "Usage:" not in dutch
    english = CliRunner().invoke(main, [*path.split(), "--help"], env={"BINSITE_LANG": "en"}).output
    assert english.startswith("Usage: ") and "Show this message and exit." in english and "Voorbeeld" not in english


def test_dutch_help_has_no_entry_for_a_command_that_does_not_exist():
    from binsite.cli.help_nl import COMMANDS, OPTIONS

    paths = {" ".join(p) for p, _ in all_commands()} | {""}
    assert set(COMMANDS) <= paths
    options = {f"{' '.join(p)} {o.opts[0]}" for p, c in [((), main), *all_commands()] for o in c.params
               if isinstance(o, click.Option)}
    assert set(OPTIONS) - {" --root", " -v", " --version", "build --progress"} <= options


def test_check_broken_bulletin_names_file_and_line_and_exits_1(mini_root):
    write(mini_root / "content/noord/2026-11-08-kapot.md", "---\ntitle: Kapot\ndate: 2026-11-08\ncategory: fietz\n---\nT\n")
    result = subprocess.run([sys.executable, "-m", "binsite", "--root", str(mini_root), "check"],
                            capture_output=True, text=True, env={"PATH": "", "BINSITE_LANG": "nl"})
    assert result.returncode == 1
    assert "content/noord/2026-11-08-kapot.md:4: fout: onbekende categorie 'fietz'" in result.stderr


def test_check_ok_exits_0(mini_root):
    result = CliRunner().invoke(main, ["--root", str(mini_root), "check", "--now", "2026-11-10"])
    assert result.exit_code == 0, result.output
    assert "In orde" in result.output


def test_strict_turns_warnings_into_failure(mini_root):
    write(mini_root / "content/noord/2026-11-08-a.md", "---\ntitle: A\ndate: 2026-11-08\nonbekend: 1\n---\nT\n")
    runner = CliRunner()
    assert runner.invoke(main, ["--root", str(mini_root), "check", "--now", "2026-11-10"]).exit_code == 0
    assert runner.invoke(main, ["--root", str(mini_root), "check", "--strict", "--now", "2026-11-10"]).exit_code == 1


def test_english_messages(mini_root):
    write(mini_root / "content/noord/2026-11-08-kapot.md", "---\ntitle: Kapot\ndate: 2026-11-08\ncategory: fietz\n---\nT\n")
    result = CliRunner().invoke(main, ["--root", str(mini_root), "check"], env={"BINSITE_LANG": "en"})
    assert "unknown category 'fietz'" in result.output


def test_new_writes_a_valid_bulletin(mini_root):
    runner = CliRunner()
    result = runner.invoke(main, ["--root", str(mini_root), "new", "noord", "Fiets gestolen: bij de Brede School!",
                                  "--category", "inbraak", "--date", "2026-11-09 10:00"])
    assert result.exit_code == 0, result.output
    rel = result.output.strip()
    assert rel == "content/noord/2026-11-09-fiets-gestolen-bij-de-brede-school.md"
    text = (mini_root / rel).read_text()
    assert "title: 'Fiets gestolen: bij de Brede School!'" in text
    # Untouched, the template is an error (an empty bulletin is never mailed) ...
    check = runner.invoke(main, ["--root", str(mini_root), "check", "--now", "2026-11-10"])
    assert check.exit_code == 1 and f"{rel}:11: fout: dit is nog de voorbeeldtekst" in check.output
    # ... written, it is valid.
    body_start = text.index("\nSchrijf hier")
    (mini_root / rel).write_text(text[:body_start] + "\nBij de school is een fiets gestolen.\n")
    check = runner.invoke(main, ["--root", str(mini_root), "check", "--now", "2026-11-10"])
    assert check.exit_code == 0, check.output


def test_new_refuses_unknown_area(mini_root):
    result = CliRunner().invoke(main, ["--root", str(mini_root), "new", "nroth", "Titel"])
    assert result.exit_code == 1 and "nroth" in result.output


def test_root_is_found_upwards(mini_root, monkeypatch):
    result = subprocess.run([sys.executable, "-m", "binsite", "check", "--now", "2026-11-10"],
                            cwd=mini_root / "content" / "noord", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_root_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "binsite", "check"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and "binsite.yaml" in result.stderr


def test_build_command(mini_root, tmp_path):
    result = CliRunner().invoke(main, ["--root", str(mini_root), "build", "--out", str(tmp_path / "o"), "--now", "2026-11-10"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "index.html").is_file()


def test_example_network_checks_clean():
    """The repository's own example BIN is valid."""
    result = CliRunner().invoke(main, ["--root", str(REPO), "check", "--now", "2026-11-28T12:00"])
    assert result.exit_code == 0, result.output


def test_send_counts_name_what_a_list_holds():
    from binsite.cli.mail import _recipients

    assert _recipients(3, "partners", "nl") == "3 partners"
    assert _recipients(1, "partners", "en") == "1 partner"
    assert _recipients(1, "members", "nl") == "1 lid"
    assert _recipients(12, "members", "nl") == "12 leden"
    assert _recipients("?", "members", "en") == "? members"


def test_sync_summary_counts_each_kind_of_change_in_dutch_and_english():
    from binsite.cli.mail import sync_summary
    from binsite.mailman.sync import Change

    changes = ([Change("create-list", f"l{i}@x") for i in range(8)]
               + [Change("set", "l0@x", f"k{i}", 1, 0) for i in range(96)] + [Change("add-owner", "l0@x", "a@x")])
    assert sync_summary(changes, "nl") == "8 lijsten aangemaakt, 96 instellingen gezet, 1 eigenaar toegevoegd"
    assert sync_summary(changes, "en", planned=True) == "8 lists to create, 96 settings to set, 1 owner to add"


def test_check_summary_says_one_error_and_many_warnings_in_words(mini_root):
    write(mini_root / "content/noord/2026-11-08-kapot.md", "---\ntitle: Kapot\ndate: 2026-11-08\ncategory: fietz\n---\nT\n")
    result = subprocess.run([sys.executable, "-m", "binsite", "--root", str(mini_root), "check"],
                            capture_output=True, text=True, env={"PATH": "", "BINSITE_LANG": "nl"})
    assert result.returncode == 1
    assert "1 fout, 0 waarschuwingen. Herstel de genoemde regels" in result.stdout + result.stderr
    assert "(en)" not in result.stdout + result.stderr
