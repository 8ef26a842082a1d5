"""YAML mistakes a BINCO makes, said in plain Dutch with the line and the fix.

Each case runs through both PyYAML parsers (libyaml and the pure-Python one
word their errors differently) and through a real bulletin file, where the
message must name the file's line, not the front matter's.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from binsite.load import load_site
from binsite.source.yamlerrors import explain
from binsite.source.yamlfile import load_mapping
from sitekit import MINI_NOW

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

# (front matter, 1-based line within it, words the Dutch message must hold)
CASES = [
    ("title: x\n\tdate: 2026-11-01\n", 2, "regel 2 begint met een tab; gebruik spaties"),
    ("title: x\nauthor:\n\trole: binco\n", 3, "regel 3 begint met een tab"),
    ('title: "Fiets gestolen\ndate: 2026-11-01\n', 1, 'aanhalingsteken " op regel 1 wordt niet gesloten'),
    ("title: 'Fiets gestolen\ndate: 2026-11-01\n", 1, "aanhalingsteken ' op regel 1 wordt niet gesloten"),
    ("title: Terugkoppeling: fiets terecht\n", 1, "tweede dubbele punt"),
    ("title:Fiets\ndate: 2026-11-01\n", 1, "na de dubbele punt hoort een spatie; schrijf title:"),
    ("date: 2026-11-01\ntitle:Fiets\n", 2, "na de dubbele punt hoort een spatie"),
    ("title Fiets\ndate: 2026-11-01\n", 1, "regel 1 heeft geen dubbele punt"),
    ("author:\n  role: binco\n name: Piet\n", 3, "regel 3 is anders ingesprongen"),
    ("title: x\n  date: 2026-11-01\n", 2, "regel 2 springt verder in"),
    ("areas: [maaspoort, rosmalen\ntitle: x\n", 1, "de [ op regel 1 wordt niet goed gesloten"),
    ("author: {role: binco\n", 1, "de { op regel 1 wordt niet goed gesloten"),
    ("author: {role: binco name: x}\n", 1, "zet komma's tussen de delen"),
    ('title: "Fiets" gestolen\n', 1, "na het sluitende aanhalingsteken staat nog tekst"),
    ("title: x\n- maaspoort\n", 2, "een lijst-item"),
    ("areas: - maaspoort\n", 1, "een lijst-item ('- ...') begint op een eigen regel"),
    ("title: @buurt\n", 1, "een waarde kan niet met @ beginnen"),
    ("title: `x`\n", 1, "een waarde kan niet met ` beginnen"),
    ("title: %x\n", 1, "een waarde kan niet met % beginnen"),
    ("title: *x\n", 1, "met & of * begint"),
    ("title: &\n", 1, "met & of * begint"),
    ("title: !x y\n", 1, "met ! begint"),
    ('title: "C:\\qbuurt"\n', 1, "tussen dubbele aanhalingstekens heeft een \\ een betekenis"),
    ("areas: [a, b]]\n", 1, "sluitend haakje ]"),
    ("title: |x\n", 1, "na | of > mag op die regel niets meer staan"),
    ("title: x\n---\nb: 1\n", 2, "tweede deel ('---')"),
    ("title: x\n...\nb: 1\n", 3, "regel 3 hoort niet hier"),
]

JARGON = re.compile(r"token|scalar|mapping|stream|block|flow|expected|found|anchor|alias|constructor", re.I)


def _error(loader, text: str) -> yaml.MarkedYAMLError:
    parser = loader(text)
    try:
        node = parser.get_single_node()
        if node is not None:
            parser.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return exc
    finally:
        parser.dispose()
    raise AssertionError(f"{loader.__name__} accepted {text!r}")


@pytest.mark.parametrize("loader", LOADERS, ids=lambda l: l.__name__)
@pytest.mark.parametrize("text, line, words", CASES)
def test_every_parser_message_is_plain_dutch(loader, text, line, words):
    said = explain(_error(loader, text), text)
    assert said.line + 1 == line
    assert words in said.message.nl
    assert not JARGON.search(said.message.nl), said.message.nl
    assert said.message.en and said.message.en != said.message.nl


# In a bulletin a line '---' or '...' closes the front matter: those two cases are lists/ files' only.
# Anchors and aliases are refused before parsing, with yamlfile's own message
# (binsite allows none): those cases are the pure explain() test's only.
IN_BULLETIN = [case for case in CASES if "\n---\n" not in case[0] and "\n...\n" not in case[0]
               and "met & of * begint" not in case[2]]


@pytest.mark.parametrize("text, line, words", IN_BULLETIN)
def test_message_names_the_file_line_in_a_bulletin(mini_root: Path, text, line, words):
    root = mini_root
    rel = "content/noord/2026-11-01-a.md"
    (root / rel).write_text("---\n" + text + "---\nTekst.\n", encoding="utf-8")
    problems = load_site(root, MINI_NOW).problems
    mine = [p for p in problems if p.path == rel and p.is_error]
    assert len(mine) == 1, [p.format("nl") for p in mine]
    formatted = mine[0].format("nl")
    # The front matter starts on the file's line 2: both the location and the
    # sentence say the file's line.
    assert formatted.startswith(f"{rel}:{line + 1}")
    assert f"regel {line + 1}" in formatted
    assert "YAML-fout" not in formatted and not JARGON.search(formatted)


def test_the_tab_example_of_the_issue(mini_root: Path):
    root = mini_root
    rel = "content/noord/2026-11-01-a.md"
    (root / rel).write_text("---\ntitle: A\ndate: 2026-11-01\ncategory: inbraak\nauthor:\n\trole: binco\n---\nT\n",
                            encoding="utf-8")
    problems = load_site(root, MINI_NOW).problems
    assert any(p.format("nl").startswith(f"{rel}:6:") and "regel 6 begint met een tab; gebruik spaties" in p.format("nl")
               for p in problems)


def test_english_with_binsite_lang():
    said = explain(_error(LOADERS[-1], "title: x\n\tdate: 1\n"), "title: x\n\tdate: 1\n")
    assert said.message.en.startswith("line 2 starts with a tab; indent with spaces")


def test_control_character_is_named_with_its_line():
    located, problems = load_mapping("title: x\ndate: a\x07b\n", "lists/noord.yaml")
    assert located is None
    text = problems[0].format("nl")
    assert text.startswith("lists/noord.yaml:2:") and "U+0007" in text and "regel 2" in text


def test_hurried_typos_never_leak_parser_jargon():
    """Mutate a valid front matter one keystroke at a time (a seeded sample of
    insertions, deletions and swaps): whatever the parsers say, the BINCO reads
    plain Dutch naming a line that exists."""
    good = ("title: \"Fiets gestolen: terecht\"\ndate: 2026-11-01 14:30\ncategory: inbraak\n"
            "author: {role: binco, name: BINCO Noord}\nareas:\n  - noord\n  - zuid\nprivacy:\n  allow: [kenteken]\n"
            "  reason: 'politie vraagt het'\n")
    rng = random.Random(21)
    keys = "\t :\"'[]{}-#&*!|>%@`,?\n\\ax"
    seen = 0
    for _ in range(1500):
        chars = list(good)
        for _ in range(rng.randint(1, 2)):
            where = rng.randrange(len(chars))
            action = rng.random()
            if action < 0.5:
                chars.insert(where, rng.choice(keys))
            elif action < 0.8:
                del chars[where]
            else:
                chars[where] = rng.choice(keys)
        text = "".join(chars)
        for loader in LOADERS:
            try:
                exc = _error(loader, text)
            except (AssertionError, yaml.YAMLError):
                continue  # still valid YAML, or not a syntax error (a control character)
            said = explain(exc, text)
            seen += 1
            assert 0 <= said.line <= text.count("\n"), (text, said)
            assert f"regel {said.line + 1}" in said.message.nl, (text, said.message.nl)
            assert not JARGON.search(said.message.nl), (text, exc, said.message.nl)
            assert len(said.message.nl) < 300
    assert seen > 300
