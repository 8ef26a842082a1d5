"""Reading a user's text file: UTF-8, any line ending, or a clear error.

BINCOs save files in the git host's web editor, Notepad and TextEdit. A
Latin-1 (Windows-1252) or UTF-16 file names the character and its line and
how to save it as UTF-8 in each; Windows (CR LF) and old-Mac (CR) line
endings read as Unix ones, so line numbers are the editor's.
"""

from __future__ import annotations

from binsite.errors import Problem, error
from binsite.i18n import Text, t


def decode_text(rel: str, data: bytes) -> tuple[str | None, Problem | None]:
    """``(text, None)`` with LF line endings and no BOM, or ``(None, problem)``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, not_utf8(rel, data, exc)
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), None


SAVE_AS_UTF8 = t(
    "Sla het op als UTF-8: in de webeditor van GitLab of GitHub typt u het teken opnieuw en legt u het vast "
    "(de webeditor bewaart altijd UTF-8); in Kladblok kiest u Bestand > Opslaan als > Codering: UTF-8; "
    "in TextEdit kiest u Archief > Bewaar en bij Platte-tekstcodering: Unicode (UTF-8)",
    "Save it as UTF-8: in GitLab's or GitHub's web editor retype the character and commit "
    "(the web editor always saves UTF-8); in Notepad choose File > Save As > Encoding: UTF-8; "
    "in TextEdit choose File > Save and Plain Text Encoding: Unicode (UTF-8)")


def _line_of(data: bytes, position: int) -> int:
    """1-based line of a byte position, with LF, CR LF or old-Mac CR endings."""
    head = data[:position]
    return head.count(b"\n") + head.replace(b"\r\n", b"").count(b"\r") + 1


def not_utf8(rel: str, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """Which character is not UTF-8, on which line, and how to save the file as UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\0") > 10:
        return error(rel, 1, Text(
            "bestand is opgeslagen als UTF-16 (in Kladblok heet dat 'Unicode' of 'UTF-16 LE'), niet als UTF-8. "
            + SAVE_AS_UTF8.nl,
            "file is saved as UTF-16 (Notepad calls it 'Unicode' or 'UTF-16 LE'), not as UTF-8. " + SAVE_AS_UTF8.en),
            code="encoding")
    start = exc.start
    line = _line_of(data, start)
    line_start = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
    col = len(data[line_start:start].decode("utf-8", "replace")) + 1
    char = data[start:start + 1].decode("cp1252", "replace")
    shown = char if char.isprintable() and char != "\ufffd" else f"byte 0x{data[start]:02x}"
    others = sum(1 for b in data if b >= 0x80) - 1
    more = Text(f" (en nog {others} andere tekens zoals dit)" if others > 0 else "",
                f" (and {others} more characters like it)" if others > 0 else "")
    return error(rel, line, Text(
        f"bestand is geen UTF-8: het teken {shown!r} op regel {line}{more.nl} is in een andere codering opgeslagen "
        f"(waarschijnlijk Windows-1252 of Latin-1). " + SAVE_AS_UTF8.nl,
        f"file is not UTF-8: the character {shown!r} on line {line}{more.en} is saved in another encoding "
        f"(probably Windows-1252 or Latin-1). " + SAVE_AS_UTF8.en), col=col, code="encoding")


