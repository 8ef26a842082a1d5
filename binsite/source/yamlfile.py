"""YAML with line numbers: every key of a mapping remembers where it stood.

PyYAML's composer gives node marks; we construct plain Python values from the
nodes but keep the line of each key (and of each list item), so that a
semantic error ("unknown area") can point at the user's line, not only a
syntax error.

Hostile or careless YAML is refused here, for every file binsite reads
(front matter, ``lists/*.yaml``, ``binsite.yaml``), before any value is
built: anchors and aliases (ten lines of nested aliases make gigabytes),
nesting deeper than ``MAX_DEPTH``, a key given twice in one mapping (the
last would silently win: ``draft: true`` then ``draft: false``), and, in
any text value, control characters, bidi overrides and zero-width
characters (they reach pages, subjects and Mailman settings and can make
text read other than it is). Every such error is made by ``_problem``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from binsite.errors import Problem, error
from binsite.i18n import t
from binsite.source.yamlerrors import explain, explain_reader


@dataclass(frozen=True)
class Located:
    """A YAML mapping's values with the 1-based line of each key.

    ``lines`` maps ``"key"`` and nested ``"key.sub"`` / ``"key.0"`` to lines.
    """

    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    start_line: int = 1

    def line(self, key: str) -> int:
        return self.lines.get(key, self.start_line)


# libyaml's parser when PyYAML was built with it (it is, in the wheels): about
# ten times faster, with the same marks.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps timestamps as strings: we parse dates ourselves,
    in the site's time zone, with our own error messages."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_DEPTH = 40
# Characters no text field may hold: C0 and C1 controls (tab and line breaks
# are allowed in multi-line text), DEL, bidi embeddings, overrides and
# isolates, zero-width characters, the BOM, line and paragraph separators.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
                       "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]")
_NAMES = {"\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
          "\u200e": "left-to-right mark", "\u200f": "right-to-left mark", "\u202e": "right-to-left override",
          "\u202d": "left-to-right override", "\ufeff": "byte order mark", "\x1b": "escape (ESC)"}
# Cheap signs that a text may hold anchors, aliases or deep nesting; only
# then are its events read one by one (linear, and never recursive).
# An anchor or alias starts a node: at a line's start, after "key: ", "- ",
# "? ", a tag, or "[", "{", "," (a "&" inside a title is no anchor). Any that
# slips past is still caught, in linear time, where the nodes are walked.
_SUSPECT = re.compile(r"(?:^[ \t]*|[:?\-][ \t]+|![^ \t]*[ \t]+|[\[{,][ \t]*)[&*][^ \t\r\n]"
                      r"|(?:[-?][ \t]+){8}|^[ \t]{%d}" % MAX_DEPTH, re.MULTILINE)


def _problem(path: str, line: int, message, *, col: int | None = None) -> Problem:
    """Every error this module reports is made here (one place to word them)."""
    return error(path, line, message, col=col, code="yaml")


def _alias_problem(path: str, mark, offset: int) -> Problem:
    return _problem(path, (mark.line + 1 + offset) if mark else offset + 1, t(
        "YAML-anker of -alias (&naam of *naam): binsite staat die niet toe; schrijf de waarde voluit",
        "YAML anchor or alias (&name or *name): binsite does not allow them; write the value out in full"),
        col=(mark.column + 1) if mark else None)


def char_name(char: str) -> str:
    return _NAMES.get(char, f"U+{ord(char):04X}")


def _scan_events(loader_text: str, path: str, offset: int) -> Problem | None:
    """Anchors, aliases and nesting depth, from the parser's events."""
    loader = _Loader(loader_text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            mark = event.start_mark
            where = dict(line=(mark.line + 1 + offset) if mark else offset + 1, col=(mark.column + 1) if mark else None)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return _alias_problem(path, mark, offset)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _problem(path, where["line"], t(
                        "YAML is hier dieper genest dan {n} niveaus; maak de structuur platter",
                        "YAML is nested deeper than {n} levels here; make the structure flatter", n=MAX_DEPTH),
                        col=where["col"])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


def _rough_flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


class _Alias(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


def _record_lines(node: yaml.Node, prefix: str, offset: int, lines: dict[str, int], path: str,
                  problems: list[Problem], seen_nodes: set[int] | None = None) -> None:
    """The line of every key and item; duplicate keys and forbidden characters as problems.
    A node met twice is an alias (raises ``_Alias``): the walk never repeats a subtree."""
    if seen_nodes is None:
        seen_nodes = set()
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in seen_nodes:
            raise _Alias(node)
        seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            line = key_node.start_mark.line + 1 + offset
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    problems.append(_problem(path, line, t(
                        "sleutel {k!r} staat twee keer in dit blok (eerst op regel {f}); houd er één",
                        "key {k!r} is given twice in this block (first on line {f}); keep one",
                        k=key_node.value, f=seen[key_node.value]), col=key_node.start_mark.column + 1))
                else:
                    seen[key_node.value] = line
                _check_text(key_node, offset, path, problems)
            lines.setdefault(key, line)
            _record_lines(value_node, key + ".", offset, lines, path, problems, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}{index}"
            lines.setdefault(key, item.start_mark.line + 1 + offset)
            _record_lines(item, key + ".", offset, lines, path, problems, seen_nodes)
    elif isinstance(node, yaml.ScalarNode):
        _check_text(node, offset, path, problems)


def _check_text(node: yaml.ScalarNode, offset: int, path: str, problems: list[Problem]) -> None:
    found = FORBIDDEN.search(node.value)
    if found is None:
        return
    mark = node.start_mark
    problems.append(_problem(path, mark.line + 1 + offset, t(
        "onzichtbaar of stuurteken {c} in deze tekst; verwijder het (typ de tekst opnieuw als u het niet ziet)",
        "invisible or control character {c} in this text; remove it (retype the text if you cannot see it)",
        c=char_name(found.group())), col=mark.column + 1))


def load_mapping(text: str, path: str, *, line_offset: int = 0) -> tuple[Located | None, list[Problem]]:
    """Parse ``text`` as a YAML mapping. ``line_offset`` is added to every line
    (front matter starts after the opening ``---``).

    Returns ``(None, problems)`` when the text is not valid YAML or not a mapping.
    """
    if _SUSPECT.search(text) or _rough_flow_depth(text) > MAX_DEPTH:
        try:
            found = _scan_events(text, path, line_offset)
        except yaml.YAMLError:
            found = None  # a syntax error: reported with its mark below
        if found is not None:
            return None, [found]
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            value = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        said = explain(exc, text, line_offset)
        return None, [error(path, said.line + 1 + line_offset, said.message, col=said.col, code="yaml")]
    except yaml.reader.ReaderError as exc:
        said = explain_reader(exc, text, line_offset)
        return None, [error(path, said.line + 1 + line_offset, said.message, col=said.col, code="yaml")]
    except yaml.YAMLError as exc:
        return None, [error(path, line_offset + 1, t("YAML-fout: {e}", "YAML error: {e}", e=exc), code="yaml")]
    if value is None:
        return Located({}, {}, line_offset + 1), []
    if not isinstance(value, dict):
        return None, [error(path, line_offset + 1, t(
            "verwacht 'sleutel: waarde'-regels (een YAML-mapping), maar vond iets anders",
            "expected 'key: value' lines (a YAML mapping), found something else"), code="yaml")]
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        _record_lines(node, "", line_offset, lines, path, problems)
    except _Alias as alias:
        return None, [_alias_problem(path, alias.node.start_mark, line_offset)]
    bad_keys = [k for k in value if not isinstance(k, str)]
    problems += [error(path, line_offset + 1, t("sleutel {k!r} is geen tekst", "key {k!r} is not text", k=k), code="yaml")
                 for k in bad_keys]
    values = {str(k): v for k, v in value.items()}
    return Located(values, lines, line_offset + 1), problems
