"""HTML e-mail as readable plain text, with the standard library's parser.

Nothing in the HTML is run or fetched: scripts, styles and the head are
dropped, images become their alt text, links keep their address after the
text (``tekst (https://...)``) so the reader sees where a link goes. Block
elements start new lines, list items get a dash, table cells a tab.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg", "math"})
_BLOCK = frozenset({"p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote",
                    "pre", "form", "fieldset", "table", "ul", "ol", "dl", "dt", "dd", "address", "figure",
                    "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "center"})
# Placeholders for whitespace that must survive the collapsing of spaces.
_INDENT = "\x00IN\x00"
_SPACE = "\x00SP\x00"
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.links: list[str | None] = []
        self.list_depth = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if self.skip_depth:
            return
        values = dict(attrs)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n----\n\n")
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            if alt:
                self.parts.append(f"[{alt}]")
        elif tag == "li":
            self.parts.append("\n" + _INDENT * max(0, self.list_depth - 1) + "- ")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag == "tr":
            self.parts.append("\n")
        elif tag == "a":
            href = (values.get("href") or "").strip()
            self.links.append(href if href.lower().startswith(("http://", "https://", "mailto:")) else None)
        elif tag in _BLOCK and not (tag in ("ul", "ol") and self.list_depth):
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\x00QS\x00")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                shown = href[7:] if href.lower().startswith("mailto:") else href
                text_so_far = "".join(self.parts[-3:])
                if shown not in text_so_far:
                    self.parts.append(f" ({shown})")
        elif tag in ("ul", "ol"):
            self.list_depth = max(0, self.list_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\x00QE\x00")
        if tag in _BLOCK and not (tag in ("ul", "ol") and self.list_depth):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            self.parts.append(data.replace("\n", "\x00NL\x00").replace(" ", _SPACE))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable text from an HTML document or fragment. Pure; never fails on bad HTML."""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient; keep what was parsed so far
        pass
    text = "".join(parser.parts)
    lines: list[str] = []
    quote = 0
    for raw in text.split("\n"):
        # Blockquote markers may sit anywhere on a line; count them to prefix "> ".
        opened = raw.count("\x00QS\x00")
        closed = raw.count("\x00QE\x00")
        line = raw.replace("\x00QS\x00", "").replace("\x00QE\x00", "")
        quote += opened
        line = line.replace("\x00NL\x00", "\n").replace("\xa0", " ")
        for piece in line.split("\n"):
            piece = piece.rstrip() if "\t" in piece else " ".join(piece.split(" ")).strip(" ")
            piece = re.sub(r" {2,}", " ", piece) if "\t" not in piece else piece.strip()
            piece = piece.replace(_INDENT, "  ").replace(_SPACE, " ")
            lines.append(("> " * quote if piece else "") + piece)
        quote = max(0, quote - closed)
    result = "\n".join(lines)
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result.strip("\n").strip() + ("\n" if result.strip() else "")
