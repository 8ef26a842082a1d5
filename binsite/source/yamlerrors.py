"""PyYAML's parser messages, said in plain words with what to do.

A BINCO who types ``title:x``, indents with a tab or forgets a closing quote
gets PyYAML's "found character that cannot start any token". ``explain``
turns every scanner, parser and composer error a hand-written file can meet
into a sentence in Dutch (and English) that names the line and the fix. It is
pure: the exception and the text that was parsed in, a message out. Lines
here are 0-based, as in PyYAML's marks; the caller adds its own offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from binsite.i18n import Text, t


@dataclass(frozen=True)
class Explained:
    """Where the problem is (0-based line, 1-based column or None) and what to say."""

    line: int
    col: int | None
    message: Text


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _first_tab_line(lines: list[str], upto: int) -> int | None:
    """The first line at or before ``upto`` whose indentation holds a tab."""
    for index, line in enumerate(lines[: upto + 1]):
        if "\t" in _indent(line) and line.strip():
            return index
    return None


def _previous_content_line(lines: list[str], index: int) -> int | None:
    for before in range(index - 1, -1, -1):
        stripped = lines[before].strip()
        if stripped and not stripped.startswith("#"):
            return before
    return None


def _char(lines: list[str], line: int, col: int) -> str:
    if 0 <= line < len(lines) and 0 <= col < len(lines[line]):
        return lines[line][col]
    return ""


def _key_of(line: str) -> str:
    head = line.strip().split(":", 1)[0].strip()
    return head or "sleutel"


def _no_colon(index: int, offset: int) -> Explained:
    return Explained(index, None, t(
        "regel {n} heeft geen dubbele punt; schrijf sleutel: waarde, bijvoorbeeld title: Fiets gestolen",
        "line {n} has no colon; write key: value, for example title: Bike stolen", n=index + 1 + offset))


def _indented_further(index: int, offset: int) -> Explained:
    return Explained(index, 1, t(
        "regel {n} springt verder in dan de regel erboven; zet sleutels van hetzelfde niveau precies onder elkaar "
        "(met evenveel spaties ervoor)",
        "line {n} is indented further than the line above; put keys of the same level exactly under each other "
        "(with as many spaces before them)", n=index + 1 + offset))


def _missing_space(line: str, index: int, offset: int) -> Explained | None:
    """``title:x``: a colon with no space after it; None when the line is fine or has no colon."""
    body = line.strip()
    if not body or body.startswith(("#", "-", '"', "'")):
        return None
    if ":" not in body:
        return _no_colon(index, offset)
    key, _, rest = body.partition(":")
    if rest and not rest[0].isspace() and " " not in key.strip():
        return Explained(index, len(_indent(line)) + len(key) + 2, t(
            "regel {n}: na de dubbele punt hoort een spatie; schrijf {k}: en dan de waarde",
            "line {n}: the colon needs a space after it; write {k}: and then the value", n=index + 1 + offset, k=key.strip()))
    return None


def explain_reader(exc: yaml.reader.ReaderError, text: str, line_offset: int = 0) -> Explained:
    """An unacceptable character (a control character pasted from elsewhere)."""
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position)
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    return Explained(line, col, t(
        "regel {n} bevat een onzichtbaar stuurteken ({c}), vaak meegekopieerd uit een ander programma; "
        "typ de regel opnieuw",
        "line {n} holds an invisible control character ({c}), often copied along from another program; "
        "retype the line", n=line + 1 + line_offset, c=code))


def explain(exc: yaml.MarkedYAMLError, text: str, line_offset: int = 0) -> Explained:
    """Say what a YAML syntax error means for the person who typed ``text``.

    ``line_offset``: the file line before ``text`` (front matter starts on line
    2), so that the message names the line of the file, as the mark does."""
    lines = _lines(text)
    problem = (exc.problem or "").lower()
    context = (exc.context or "").lower()
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark is not None else 0
    col0 = mark.column if mark is not None else 0
    start = exc.context_mark
    start_line = start.line if start is not None else line

    def at(index: int, nl: str, en: str, col: int | None = None, **params: object) -> Explained:
        return Explained(index, col, t(nl, en, n=index + 1 + line_offset, **params))

    # A tab anywhere in the indentation up to here is the cause whatever the
    # parser makes of it (PyYAML and libyaml word it differently).
    tab = _first_tab_line(lines, max(line, start_line))
    if tab is not None or "tab" in problem or "'\\t'" in problem:
        index = tab if tab is not None else line
        text_line = lines[index] if 0 <= index < len(lines) else ""
        col = text_line.index("\t") + 1 if "\t" in text_line else None
        if tab is None:
            return at(index, "regel {n} bevat een tab; gebruik spaties (YAML staat hier geen tabs toe)",
                      "line {n} holds a tab; use spaces (YAML does not allow tabs here)", col)
        return at(index, "regel {n} begint met een tab; gebruik spaties om in te springen (YAML staat geen tabs toe)",
                  "line {n} starts with a tab; indent with spaces (YAML does not allow tabs)", col)

    if "quoted scalar" in context:
        if "escape" in problem:
            return at(line, "regel {n}: tussen dubbele aanhalingstekens heeft een \\ een betekenis; "
                      "gebruik enkele aanhalingstekens ('...') of schrijf \\\\",
                      "line {n}: inside double quotes a \\ has a meaning; use single quotes ('...') or write \\\\",
                      col0 + 1)
        quote = _char(lines, start_line, start.column) if start is not None else '"'
        return at(start_line, "het aanhalingsteken {q} op regel {n} wordt niet gesloten; zet aan het eind van de "
                  "waarde hetzelfde teken {q}",
                  "the quote {q} on line {n} is never closed; end the value with the same {q}",
                  (start.column + 1) if start is not None else None, q=quote or '"')

    if "flow sequence" in context or "flow mapping" in context:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        example = ("areas: [maaspoort, rosmalen]" if opening == "[" else "author: {role: binco, name: BINCO Maaspoort}")
        return at(start_line, "de {o} op regel {n} wordt niet goed gesloten: zet komma's tussen de delen en sluit af "
                  "met {c} op dezelfde regel, bijvoorbeeld {e}",
                  "the {o} on line {n} is not closed properly: put commas between the parts and end with {c} on the "
                  "same line, for example {e}", (start.column + 1) if start is not None else None,
                  o=opening, c=closing, e=example)

    if "mapping values are not allowed" in problem:
        here = lines[line] if line < len(lines) else ""
        first = here.find(": ")
        if first != -1 and first < col0 and here[:first].strip():
            return at(line, "regel {n} heeft een tweede dubbele punt. Zet de waarde tussen aanhalingstekens, "
                      "bijvoorbeeld title: \"Terugkoppeling: fiets terecht\"",
                      "line {n} has a second colon. Put the value in quotes, "
                      "for example title: \"Follow-up: bike found\"", col0 + 1)
        previous = _previous_content_line(lines, line)
        if previous is not None:
            above = lines[previous]
            missing = _missing_space(above, previous, line_offset)
            if missing is None and len(_indent(here)) > len(_indent(above)) and not above.rstrip().endswith(":"):
                return _indented_further(line, line_offset)
            if missing is not None:
                return missing
        return at(line, "regel {n}: de dubbele punt staat op een plek waar geen sleutel kan beginnen. Schrijf "
                  "sleutel: waarde (met een spatie na de dubbele punt) of zet de waarde tussen aanhalingstekens",
                  "line {n}: the colon stands where no key can start. Write key: value (with a space after the "
                  "colon) or put the value in quotes", col0 + 1)

    if "could not find expected ':'" in problem or "simple key" in context:
        missing = _missing_space(lines[start_line] if start_line < len(lines) else "", start_line, line_offset)
        if missing is not None:
            return missing
        return _no_colon(start_line, line_offset)

    if "sequence entries are not allowed" in problem:
        return at(line, "regel {n}: een lijst-item ('- ...') begint op een eigen regel, ingesprongen onder de sleutel "
                  "(areas: en op de regel eronder   - maaspoort)",
                  "line {n}: a list item ('- ...') starts on its own line, indented under the key "
                  "(areas: and on the line below   - maaspoort)", col0 + 1)

    if "block mapping" in context or "block sequence" in context or "block end" in problem or "expected key" in problem:
        char = _char(lines, line, col0)
        here = lines[line] if line < len(lines) else ""
        before = here[:col0].rstrip()
        if char == "-":
            return at(line, "regel {n}: een lijst-item ('- ...') staat hier waar een sleutel: waarde hoort; "
                      "zet het ingesprongen onder de sleutel waar het bij hoort",
                      "line {n}: a list item ('- ...') stands where a key: value belongs; indent it under its key",
                      col0 + 1)
        if char in "]}":
            return at(line, "regel {n}: een sluitend haakje {c} zonder openend haakje; haal het weg",
                      "line {n}: a closing {c} without an opening one; remove it", col0 + 1, c=char)
        if before.endswith(('"', "'")):
            return at(line, "regel {n}: na het sluitende aanhalingsteken staat nog tekst; zet de hele waarde tussen "
                      "aanhalingstekens",
                      "line {n}: there is text after the closing quote; put the whole value in quotes", col0 + 1)
        return at(line, "regel {n} is anders ingesprongen dan de regels erboven; zet sleutels van hetzelfde niveau "
                  "precies onder elkaar (met evenveel spaties ervoor)",
                  "line {n} is indented differently from the lines above; put keys of the same level exactly under "
                  "each other (with as many spaces before them)", col0 + 1)

    if "cannot start any token" in problem:
        char = _char(lines, line, col0)
        return at(line, "regel {n}: een waarde kan niet met {c} beginnen; zet de waarde tussen aanhalingstekens, "
                  "bijvoorbeeld title: \"{c}...\"",
                  "line {n}: a value cannot start with {c}; put the value in quotes, for example title: \"{c}...\"",
                  col0 + 1, c=char or "dit teken")

    if "anchor" in context or "alias" in context or "alias" in problem:
        return at(line, "regel {n}: een waarde die met & of * begint, zet u tussen aanhalingstekens",
                  "line {n}: put a value that starts with & or * in quotes", col0 + 1)

    if "tag" in context or "tag" in problem:
        return at(line, "regel {n}: een waarde die met ! begint, zet u tussen aanhalingstekens",
                  "line {n}: put a value that starts with ! in quotes", col0 + 1)

    if "block scalar" in context:
        return at(line, "regel {n}: na | of > mag op die regel niets meer staan; zet de tekst op de regels eronder, "
                  "ingesprongen, of zet de waarde tussen aanhalingstekens",
                  "line {n}: nothing may follow | or > on its line; put the text on the lines below, indented, or "
                  "put the value in quotes", col0 + 1)

    if "another document" in problem or "single document" in context:
        return at(line, "op regel {n} begint een tweede deel ('---'); een bestand heeft er één: haal die regel weg",
                  "a second part ('---') starts on line {n}; a file has one: remove that line")

    if "document start" in problem or "directive" in context:
        return at(line, "regel {n} hoort niet hier: haal een regel '...' of een regel die met % begint erboven weg",
                  "line {n} does not belong here: remove a line '...' or a line starting with % above it")

    if "end of stream" in problem:
        return at(start_line, "het bestand houdt op midden in wat op regel {n} begint; maak die regel af",
                  "the file ends in the middle of what starts on line {n}; finish that line")

    return at(line, "regel {n} is geen geldige YAML: controleer of u met spaties inspringt (geen tabs), of na elke "
              "dubbele punt een spatie staat en of elk aanhalingsteken gesloten wordt",
              "line {n} is not valid YAML: check that you indent with spaces (no tabs), that every colon has a space "
              "after it and that every quote is closed", col0 + 1 if mark is not None else None)
