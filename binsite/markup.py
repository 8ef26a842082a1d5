"""Markdown to safe HTML and to plain text, in the two renditions a bulletin has.

* ``public``: for the archive (pages, feeds, search). Members-only passages
  (``::: leden`` ... ``:::``) are replaced by a short note.
* ``mail``: for members' and partners' e-mail; members-only passages stay.

The HTML is sanitised after rendering with nh3 (ammonia): an allow-list of
tags and attributes, no scripts, no event handlers, no ``javascript:`` URLs.
Images are kept only with a relative source, so no page ever loads anything
from elsewhere.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from binsite.i18n import ui

# ``::: leden`` (or ``::: members``) opens a members-only passage; ``:::`` closes it.
MEMBERS_OPEN = re.compile(r"^:::\s*(leden|members|alleen-leden)\s*$", re.IGNORECASE)
MEMBERS_CLOSE = re.compile(r"^:::\s*$")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
    "a", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "code", "pre", "kbd",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "img", "abbr", "div", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "div": {"class"},
    "p": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_ALLOWED_CLASSES = {"members-only", "members-only-note", "members-only-label"}


def members_only_ranges(body: str) -> list[tuple[int, int]]:
    """0-based ``(first, last)`` line indexes of every members-only passage in ``body``,
    markers included. An unclosed passage runs to the end."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if start is None and MEMBERS_OPEN.match(line.strip()):
            start = index
        elif start is not None and MEMBERS_CLOSE.match(line.strip()):
            ranges.append((start, index))
            start = None
    if start is not None:
        ranges.append((start, len(lines) - 1))
    return ranges


def strip_members_only(body: str, replacement: str = "") -> str:
    """``body`` with every members-only passage replaced by ``replacement``."""
    lines = body.split("\n")
    for first, last in reversed(members_only_ranges(body)):
        lines[first:last + 1] = [replacement] if replacement else []
    return "\n".join(lines)


class _MembersOnlyBlock(BlockProcessor):
    """A ``::: leden`` ... ``:::`` passage: kept in a div, or replaced by a note."""

    def __init__(self, parser, *, keep: bool, lang: str):
        super().__init__(parser)
        self.keep = keep
        self.lang = lang

    def test(self, parent, block):
        return bool(MEMBERS_OPEN.match(block.split("\n", 1)[0].strip()))

    def run(self, parent, blocks):
        first = blocks.pop(0).split("\n", 1)
        inner: list[str] = [first[1]] if len(first) > 1 else []
        while True:
            # Find the closing marker in this block or a following one.
            lines = inner[-1].split("\n") if inner else []
            close = next((i for i, line in enumerate(lines) if MEMBERS_CLOSE.match(line.strip())), None)
            if close is not None:
                inner[-1] = "\n".join(lines[:close])
                rest = "\n".join(lines[close + 1:])
                if rest.strip():
                    blocks.insert(0, rest)
                break
            if not blocks:
                break
            inner.append(blocks.pop(0))
        if self.keep:
            div = etree.SubElement(parent, "div", {"class": "members-only"})
            label = etree.SubElement(div, "p", {"class": "members-only-label"})
            label.text = ui("members_only_label", self.lang)
            self.parser.parseBlocks(div, [b for b in inner if b.strip()])
        else:
            note = etree.SubElement(parent, "p", {"class": "members-only-note"})
            note.text = ui("members_only_note", self.lang)
        return True


class _ShiftHeadings(Treeprocessor):
    """The page's title is the only h1: the body's highest heading becomes h2,
    the others keep their distance to it."""

    def run(self, root):
        headings = [e for e in root.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
        if not headings:
            return
        shift = 2 - min(int(e.tag[1]) for e in headings)
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


# The characters without which an inline pattern cannot match (by the
# pattern's name in Python-Markdown's registry). Patterns not listed always run.
INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
}
assert all(1 <= len(chars) <= 2 for chars in INLINE_TRIGGERS.values())  # what the check below reads


class _GatedInlineProcessor(InlineProcessor):
    """Python-Markdown's inline pass, skipping each pattern whose trigger
    characters are not in the text. Two thirds of conversion time went to
    trying patterns that could not match; the output is the same (a test
    compares both), because a match only ever replaces text with a
    placeholder made of letters, digits and control characters."""

    def __init__(self, md):
        super().__init__(md)
        self._triggers: list[tuple[str, ...]] = []

    def run(self, tree, ancestors=None):
        self.inlinePatterns._sort()  # the order integer indexes follow
        self._triggers = [INLINE_TRIGGERS.get(item.name, ()) for item in self.inlinePatterns._priority]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, AtomicString):
            startIndex = 0
            patterns = self.inlinePatterns
            triggers = self._triggers
            count = len(patterns)
            while patternIndex < count:
                needed = triggers[patternIndex]
                if needed and needed[0] not in data and (len(needed) == 1 or needed[1] not in data):
                    # As after a pattern that did not match: the next starts at 0.
                    patternIndex += 1
                    startIndex = 0
                    continue
                data, matched, startIndex = self._InlineProcessor__applyPattern(
                    patterns[patternIndex], data, patternIndex, startIndex)
                if not matched:
                    patternIndex += 1
        return data


class BinsiteExtension(Extension):
    def __init__(self, *, keep_members_only: bool, lang: str):
        super().__init__()
        self.keep_members_only = keep_members_only
        self.lang = lang

    def extendMarkdown(self, md):
        md.parser.blockprocessors.register(
            _MembersOnlyBlock(md.parser, keep=self.keep_members_only, lang=self.lang), "binsite_members_only", 105)
        md.treeprocessors.register(_ShiftHeadings(md), "binsite_shift_headings", 5)
        md.treeprocessors.register(_GatedInlineProcessor(md), "inline", 20)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = " ".join(c for c in value.split() if c in _ALLOWED_CLASSES)
        return kept or None
    if tag == "img" and attribute == "src":
        # Only images that live with the site: nothing is loaded from elsewhere.
        if re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.IGNORECASE):
            return None
    return value


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize(html_text: str) -> str:
    cleaned = nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute_filter,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image whose source was removed (it pointed elsewhere) is dropped whole.
    return _IMG_WITHOUT_SRC.sub("", cleaned)


_CONVERTERS: dict[tuple[str, bool], markdown.Markdown] = {}


def _converter(lang: str, keep_members_only: bool) -> markdown.Markdown:
    """One Markdown instance per rendition and process, ``reset()`` before each
    document: building an instance cost as much as converting a bulletin."""
    key = (lang, keep_members_only)
    md = _CONVERTERS.get(key)
    if md is None:
        md = _CONVERTERS[key] = markdown.Markdown(
            # No "smarty": it doubled the conversion time for typography nobody asked for.
            # Extensions as objects, not names: a name is looked up among every
            # installed package's entry points, which cost 10 ms per process.
            extensions=[TableExtension(), SaneListExtension(),
                        BinsiteExtension(keep_members_only=keep_members_only, lang=lang)],
            output_format="html",
        )
    return md.reset()


def to_html(body: str, *, lang: str, keep_members_only: bool) -> str:
    """Markdown to sanitised HTML."""
    return sanitize(_converter(lang, keep_members_only).convert(body))


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|tr|blockquote|pre|div|dd|dt|table)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html_text: str) -> str:
    """Readable plain text from our own sanitised HTML (for search and previews)."""
    text = _BLOCK_END.sub("\n", html_text)
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def mail_text(body: str, *, lang: str) -> str:
    """The Markdown source as the text/plain part: it already reads well as text.
    Members-only markers become visible labels; trailing spaces go."""
    out: list[str] = []
    for line in body.strip("\n").split("\n"):
        stripped = line.strip()
        if MEMBERS_OPEN.match(stripped):
            out.append(f"--- {ui('members_only_label', lang)} ---")
        elif MEMBERS_CLOSE.match(stripped):
            out.append("---")
        else:
            out.append(line.rstrip())
    return "\n".join(out) + "\n"


def fold(text: str) -> str:
    """Lower case without accents, for matching ``café`` with ``cafe``."""
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


# After ``fold`` the text is ASCII: every character but a-z and 0-9 separates
# words. A translation and a split find them in two thirds of the time of a
# regular expression.
_SEPARATORS = str.maketrans({code: " " for code in range(128) if not ("a" <= chr(code) <= "z" or "0" <= chr(code) <= "9")})


def search_words(text: str) -> str:
    """The distinct words (runs of a-z and 0-9) of ``text``, folded and
    sorted, space-separated."""
    return " ".join(sorted(set(fold(text).translate(_SEPARATORS).split())))


@dataclass(frozen=True)
class RenderedBody:
    """A bulletin's body in every form the outputs need."""

    public_html: str
    mail_html: str
    public_text: str
    mail_text: str
    has_members_only: bool


def render_body(body: str, *, lang: str) -> RenderedBody:
    has_members_only = bool(members_only_ranges(body))
    public_html = to_html(body, lang=lang, keep_members_only=False)
    mail_html = to_html(body, lang=lang, keep_members_only=True) if has_members_only else public_html
    return RenderedBody(
        public_html=public_html,
        mail_html=mail_html,
        public_text=html_to_text(public_html),
        mail_text=mail_text(body, lang=lang),
        has_members_only=has_members_only,
    )
