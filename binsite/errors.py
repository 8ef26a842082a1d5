"""Problems found in a user's files, and the errors the library raises.

Every problem points at a file (relative to the site root), a line and, where
known, a column, so that messages read like a compiler's:
``content/maaspoort/2026-10-03-fiets.md:4: fout: onbekende categorie 'fietz'`` (``error:`` in English).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from binsite.i18n import Text, current_language


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    def label(self, lang: str) -> str:
        """As the reader says it: ``fout``, ``waarschuwing``, ``opmerking`` in Dutch."""
        return self.value if lang == "en" else _DUTCH_SEVERITY[self.value]


_DUTCH_SEVERITY = {"error": "fout", "warning": "waarschuwing", "note": "opmerking"}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about one place in the user's files."""

    path: str
    line: int | None
    message: Text
    severity: Severity = Severity.ERROR
    col: int | None = None
    # A short machine-readable tag, e.g. "privacy", "yaml", "date".
    code: str = ""

    def format(self, lang: str | None = None) -> str:
        """``path:line[:col]: severity: message`` in ``lang`` (default: CLI language),
        the severity too: ``fout``/``error``, ``waarschuwing``/``warning``, ``opmerking``/``note``."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.says(lang)}"

    def says(self, lang: str | None = None) -> str:
        """``severity: message`` as ``format`` words it, without the place (the desk shows the field's line)."""
        lang = lang or current_language()
        text = self.message.get(lang)
        if self.code == "privacy":
            text = f"privacy: {text}"
        return f"{self.severity.label(lang)}: {text}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: str, line: int | None, message: Text, *, col: int | None = None, code: str = "") -> Problem:
    return Problem(path, line, message, Severity.ERROR, col, code)


def warning(path: str, line: int | None, message: Text, *, col: int | None = None, code: str = "") -> Problem:
    return Problem(path, line, message, Severity.WARNING, col, code)


def note(path: str, line: int | None, message: Text, *, col: int | None = None, code: str = "") -> Problem:
    return Problem(path, line, message, Severity.NOTE, col, code)


def sort_problems(problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0, p.message.en))


class BinsiteError(Exception):
    """A failure the user can act on; the CLI prints it and exits non-zero.

    ``text`` carries the message in both languages; ``str(err)`` is English
    for logs and tracebacks.
    """

    def __init__(self, text: Text | str):
        self.text = text if isinstance(text, Text) else Text(text, text)
        super().__init__(self.text.en)

    def message(self, lang: str | None = None) -> str:
        return self.text.get(lang or current_language())


class InvalidSite(BinsiteError):
    """The site's files hold errors; nothing was built or sent."""

    def __init__(self, problems: list[Problem]):
        self.problems = sort_problems(problems)
        errors = [p for p in self.problems if p.is_error]
        n = len(errors)
        super().__init__(Text(f"{n} fout(en) in de bestanden van de site; er is niets gebouwd of verstuurd.",
                              f"{n} error(s) in the site's files; nothing was built or sent."))


class MailmanUnavailable(BinsiteError):
    """Mailman's REST API or LMTP intake could not be reached."""


class StoreUnavailable(BinsiteError):
    """The service's database (``BINSITE_DATABASE_URL``) could not be reached or written."""
