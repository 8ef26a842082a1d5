"""YAML with line numbers: every key of a mapping remembers where it stood.

PyYAML's composer gives node marks; we construct plain Python values from the
nodes but keep the line of each key (and of each list item), so that a
semantic error ("unknown area") can point at the user's line, not only a
syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from binsite.errors import Problem, error
from binsite.i18n import t


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


def _record_lines(node: yaml.Node, prefix: str, offset: int, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            lines.setdefault(key, key_node.start_mark.line + 1 + offset)
            _record_lines(value_node, key + ".", offset, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}{index}"
            lines.setdefault(key, item.start_mark.line + 1 + offset)
            _record_lines(item, key + ".", offset, lines)


def load_mapping(text: str, path: str, *, line_offset: int = 0) -> tuple[Located | None, list[Problem]]:
    """Parse ``text`` as a YAML mapping. ``line_offset`` is added to every line
    (front matter starts after the opening ``---``).

    Returns ``(None, problems)`` when the text is not valid YAML or not a mapping.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            value = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An error found only at the end of the text (an unclosed bracket or
        # quote) is better shown where the construct began.
        if exc.context_mark is not None and (mark is None or mark.line >= text.count("\n")):
            mark = exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        col = (mark.column + 1) if mark else None
        what = exc.problem or "syntax error"
        if "mapping values are not allowed" in what:
            message = t(
                "YAML-fout: een tweede dubbele punt op deze regel. Zet de waarde tussen aanhalingstekens, "
                "bijvoorbeeld title: \"Terugkoppeling: fiets terecht\"",
                "YAML error: a second colon on this line. Put the value in quotes, "
                "for example title: \"Follow-up: bike found\"")
        else:
            message = t(
                "YAML-fout: {what}. Controleer inspringing, dubbele punten en aanhalingstekens op deze regel.",
                "YAML error: {what}. Check indentation, colons and quotes on this line.", what=what)
        return None, [error(path, line, message, col=col, code="yaml")]
    except yaml.YAMLError as exc:
        return None, [error(path, line_offset + 1, t("YAML-fout: {e}", "YAML error: {e}", e=exc), code="yaml")]
    if value is None:
        return Located({}, {}, line_offset + 1), []
    if not isinstance(value, dict):
        return None, [error(path, line_offset + 1, t(
            "verwacht 'sleutel: waarde'-regels (een YAML-mapping), maar vond iets anders",
            "expected 'key: value' lines (a YAML mapping), found something else"), code="yaml")]
    lines: dict[str, int] = {}
    _record_lines(node, "", line_offset, lines)
    bad_keys = [k for k in value if not isinstance(k, str)]
    problems = [error(path, line_offset + 1, t("sleutel {k!r} is geen tekst", "key {k!r} is not text", k=k), code="yaml")
                for k in bad_keys]
    values = {str(k): v for k, v in value.items()}
    return Located(values, lines, line_offset + 1), problems
