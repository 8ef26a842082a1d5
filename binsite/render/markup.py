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
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from binsite.i18n import Text, t, ui
from binsite.render.media_tree import MediaExtension

# ``::: leden`` (or ``::: members``) opens a members-only passage; ``:::`` closes it.
MEMBERS_WORDS = ("leden", "members", "alleen-leden")
# How deep members-only passages, and lists and quotes, may nest. Deeper is an
# error at its line (Python-Markdown recurses per level: 400 levels of list
# were a RecursionError), and the text is flattened to this depth before it
# is rendered, so that an error never stops the other files' checks.
MAX_PASSAGE_DEPTH = 3
MAX_NESTING = 16
# Python-Markdown's indentation unit for nesting.
TAB = 4

# A marker line: optional indentation and quote signs (``>``), two or more
# colons, a word. Only ``:::`` + a members word, and ``:::`` alone, are markers.
_MARKER_LINE = re.compile(r"^[ \t]*(?:>[ \t]*)*(:{2,})[ \t]*(.*?)[ \t]*$")
# What else reads as a marker attempt: a list bullet before it, or ``::``
# followed by a members word further along the line (``zie ::: leden``).
_MARKER_IN_ITEM = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+:{2,}")
_MARKER_INLINE = re.compile(r":{2,}[ \t]*(?:alleen[ \t-]*)?(?:leden|members)\b", re.IGNORECASE)
# Characters NFKC does not fold but a hurried or hostile writer uses for a colon.
_COLONS = str.maketrans({"\u02d0": ":", "\u02f8": ":", "\u0589": ":", "\u05c3": ":", "\u2236": ":",
                          "\ua789": ":", "\ufe13": ":", "\ufe55": ":", "\uff1a": ":", "\u1361": ":"})
_COLON_LIKE = re.compile("[\u02d0\u02f8\u0589\u05c3\u2236\ua789\ufe13\ufe55\uff1a\u1361\ufe30\u0703\u0704]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class MarkupIssue:
    """A problem with a body's structure: 0-based line index, 1-based column, message."""

    line: int
    col: int
    message: Text


@dataclass(frozen=True)
class Passages:
    """The members-only passages of a body, as the one parser binsite has
    finds them: every renderer and the privacy guard read this.

    ``ranges``: 0-based ``(first, last)`` line indexes of each outermost
    passage, markers included. An unclosed passage runs to the end (and is
    an issue): text after a broken marker is never published."""

    ranges: tuple[tuple[int, int], ...]
    issues: tuple[MarkupIssue, ...]

    def members_only(self, index: int) -> bool:
        """Whether line ``index`` (0-based) belongs to a members-only passage."""
        return any(first <= index <= last for first, last in self.ranges)


def _marker_text(line: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", line).translate(_COLONS))


def marker_kind(line: str) -> str | None:
    """``"open"``, ``"close"``, ``"bad"`` (looks like a marker, is not one) or None."""
    if ":" not in line and (line.isascii() or not _COLON_LIKE.search(line)):
        return None
    text = _marker_text(line)
    match = _MARKER_LINE.match(text)
    if match:
        colons, rest = match.groups()
        if colons == ":::" and not rest:
            return "close"
        if colons == ":::" and rest.lower() in MEMBERS_WORDS:
            return "open"
        return "bad"
    if _MARKER_IN_ITEM.match(text) or _MARKER_INLINE.search(text):
        return "bad"
    return None


def _bad_marker(line: str) -> Text:
    shown = " ".join(line.split())[:60]
    return t("{m!r} lijkt op een leden-markering maar is het niet; schrijf '::: leden' (drie dubbele punten, "
             "een spatie, 'leden') op een eigen regel en sluit af met ':::' op een eigen regel",
             "{m!r} looks like a members-only marker but is not one; write '::: leden' (three colons, "
             "a space, 'leden') on a line of its own and close with ':::' on a line of its own", m=shown)


def find_passages(body: str | list[str]) -> Passages:
    """The members-only passages of ``body`` (text or its lines), and every
    marker problem. A marker counts wherever it stands on a line of its own:
    after a paragraph without a blank line, indented in a list item, after
    ``>`` in a quote, inside raw HTML."""
    joined = body if isinstance(body, str) else "\n".join(body)
    # Every marker, and every near miss, has two colons (after NFKC): most bodies have none.
    if "::" not in joined and (joined.isascii() or not _COLON_LIKE.search(joined)):
        return _NO_PASSAGES
    lines = body.split("\n") if isinstance(body, str) else body
    ranges: list[tuple[int, int]] = []
    issues: list[MarkupIssue] = []
    depth = 0
    start = 0
    for index, line in enumerate(lines):
        kind = marker_kind(line)
        if kind is None:
            continue
        col = len(line) - len(line.lstrip()) + 1
        if kind == "bad":
            issues.append(MarkupIssue(index, col, _bad_marker(line)))
            # Whatever it meant, it hides nothing: it is an error, and an
            # opening-like one is taken as opening so nothing after it leaks.
            if re.search(r"leden|members", _marker_text(line), re.IGNORECASE):
                kind = "open"
            elif depth and set(line.strip()) <= {":"}:
                kind = "close"
            else:
                continue
        if kind == "open":
            if depth == 0:
                start = index
            depth += 1
            if depth == MAX_PASSAGE_DEPTH + 1:
                issues.append(MarkupIssue(index, col, t(
                    "leden-blokken zijn hier meer dan {n} diep genest; een '::: leden' binnen een leden-blok is "
                    "niet nodig: sluit elk blok met ':::' voor u een nieuw opent",
                    "members-only passages nest more than {n} deep here; a '::: leden' inside one is not "
                    "needed: close each passage with ':::' before opening another", n=MAX_PASSAGE_DEPTH)))
        elif depth == 0:
            issues.append(MarkupIssue(index, col, t(
                "':::' sluit een leden-blok, maar er is hier geen open; haal de regel weg of zet '::: leden' "
                "op een eigen regel boven de tekst die alleen voor leden is",
                "':::' closes a members-only passage, but none is open here; remove the line or put "
                "'::: leden' on a line of its own above the members-only text")))
        else:
            depth -= 1
            if depth == 0:
                ranges.append((start, index))
    if depth:
        issues.append(MarkupIssue(start, len(lines[start]) - len(lines[start].lstrip()) + 1, t(
            "leden-blok wordt niet gesloten; zet ':::' op een eigen regel na de tekst die alleen voor leden is "
            "(tot die tijd komt niets na deze regel op de website)",
            "members-only passage is not closed; put ':::' on a line of its own after the members-only text "
            "(until then nothing after this line is published)")))
        ranges.append((start, len(lines) - 1))
    return Passages(tuple(ranges), tuple(issues))


_NO_PASSAGES = Passages((), ())


def members_only_ranges(body: str) -> list[tuple[int, int]]:
    """0-based ``(first, last)`` line indexes of every members-only passage in ``body``,
    markers included. An unclosed passage runs to the end."""
    return list(find_passages(body).ranges)


_NEST_STEP = re.compile(r"[ ]{0,3}(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?")


def _nesting(line: str) -> tuple[int, int]:
    """How deep ``line`` nests (indentation units, quote signs and list
    bullets at its start) and where that prefix ends."""
    depth = index = 0
    while True:
        spaces = 0
        while index + spaces < len(line) and line[index + spaces] in " \t":
            spaces += TAB if line[index + spaces] == "\t" else 1
            if spaces >= TAB:
                depth += 1
                index += spaces if line[index + spaces - 1] == "\t" else TAB
                spaces = 0
        match = _NEST_STEP.match(line, index)
        if not match:
            return depth, index
        depth += 1
        index = match.end()


_DEEP_PREFIX = re.compile(r"^[ \t>*+\-0-9.)]{%d,}" % MAX_NESTING, re.MULTILINE)


def body_issues(body: str) -> list[MarkupIssue]:
    """Every structural problem of ``body``: marker problems and nesting
    too deep, by line."""
    issues = list(find_passages(body).issues)
    # Only a line with many nesting characters in front can nest too deep.
    for suspect in _DEEP_PREFIX.finditer(body):
        line = body[suspect.start():body.find("\n", suspect.start()) % (len(body) + 1)]
        if _nesting(line)[0] > MAX_NESTING:  # the first such line only: one fix flattens the rest
            issues.append(MarkupIssue(body.count("\n", 0, suspect.start()), 1, t(
                "lijsten, citaten of inspringing zijn hier meer dan {n} niveaus diep; maak de tekst platter",
                "lists, quotes or indentation nest more than {n} levels deep here; make the text flatter",
                n=MAX_NESTING)))
            break
    return sorted(issues, key=lambda issue: (issue.line, issue.col))


def _flatten(line: str) -> str:
    """``line`` with its nesting cut to ``MAX_NESTING`` levels."""
    if len(line) - len(line.lstrip(" \t>-*+")) < MAX_NESTING:
        return line
    depth, end = _nesting(line)
    if depth <= MAX_NESTING:
        return line
    return "    " * MAX_NESTING + line[end:]


# Private-use characters stand in for passages while Markdown runs; the same
# characters typed by a writer are removed first, so text cannot forge one.
_SENTINELS = re.compile("[\ue000-\ue003]")
NOTE_SENTINEL = "\ue000\ue001"
OPEN_SENTINEL = "\ue000\ue002"
CLOSE_SENTINEL = "\ue000\ue003"


class _MembersOnlyPreprocessor(Preprocessor):
    """Applies ``find_passages`` to the lines before any other parsing (and
    before raw HTML is set aside), so that what the renderer publishes and
    what the guard knows are one reading. Public: a passage becomes one
    note. Mail: its markers become sentinels that ``_MembersOnlyTree`` turns
    into a ``div.members-only``."""

    def __init__(self, md, *, keep: bool):
        super().__init__(md)
        self.keep = keep

    def run(self, lines):
        self.md.binsite_passages = False
        joined = "\n".join(lines)
        if not joined.isascii() and _SENTINELS.search(joined):
            lines = [_SENTINELS.sub("", line) for line in lines]
        if _DEEP_PREFIX.search(joined):
            lines = [_flatten(line) for line in lines]
        passages = find_passages(lines)
        if not passages.ranges:
            return lines
        self.md.binsite_passages = True
        out: list[str] = []
        position = 0
        for first, last in passages.ranges:
            out += lines[position:first]
            if self.keep:
                out += ["", OPEN_SENTINEL, ""]
                for line in lines[first + 1:last]:
                    kind = marker_kind(line)
                    out.append("" if kind in ("open", "close", "bad") else line)
                closed = marker_kind(lines[last]) == "close" and last != first
                out += ["", CLOSE_SENTINEL, ""] if closed else ["", lines[last], "", CLOSE_SENTINEL, ""]
            else:
                out += ["", NOTE_SENTINEL, ""]
            position = last + 1
        return out + lines[position:]


class _MembersOnlyTree(Treeprocessor):
    """Sentinel paragraphs into the public note, or (mail) the elements
    between an opening and a closing sentinel into a labelled div."""

    def __init__(self, md, *, lang: str):
        super().__init__(md)
        self.lang = lang

    def run(self, root):
        if not getattr(self.md, "binsite_passages", True):
            return
        for parent in list(root.iter()):
            children = list(parent)
            if not any(child.tag == "p" and (child.text or "").strip() in (NOTE_SENTINEL, OPEN_SENTINEL)
                       for child in children):
                continue
            div = None
            for child in children:
                text = (child.text or "").strip() if child.tag == "p" else None
                if text == NOTE_SENTINEL and len(child) == 0:
                    child.set("class", "members-only-note")
                    child.text = ui("members_only_note", self.lang)
                elif text == OPEN_SENTINEL and div is None:
                    index = list(parent).index(child)
                    parent.remove(child)
                    div = etree.Element("div", {"class": "members-only"})
                    label = etree.SubElement(div, "p", {"class": "members-only-label"})
                    label.text = ui("members_only_label", self.lang)
                    parent.insert(index, div)
                elif text == CLOSE_SENTINEL and div is not None:
                    parent.remove(child)
                    div = None
                elif div is not None:
                    parent.remove(child)
                    div.append(child)


class _SentinelText(Postprocessor):
    """Sentinels Markdown did not make a paragraph of (inside raw HTML, a
    list item) become the note or the labels as text."""

    def __init__(self, md, *, lang: str):
        super().__init__(md)
        self.lang = lang

    def run(self, text):
        if "\ue000" not in text:
            return text
        return (text.replace(NOTE_SENTINEL, html.escape(ui("members_only_note", self.lang)))
                .replace(OPEN_SENTINEL, "--- " + html.escape(ui("members_only_label", self.lang)) + " ---")
                .replace(CLOSE_SENTINEL, "---"))


def members_only_elements(root: etree.Element) -> set[int]:
    """The ``id()`` of every element inside a members-only passage of a
    rendered tree (for another extension's treeprocessor, registered below
    priority 25, that must not publish what is inside: an image, a file).
    In the public rendition this is always empty: passages are removed
    before Markdown parses, so nothing of them is in the tree at all."""
    inside: set[int] = set()
    for element in root.iter("div"):
        if "members-only" in (element.get("class") or "").split():
            inside.update(id(e) for e in element.iter() if e is not element)
    return inside


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
        # After NormalizeWhitespace (30: line ends, tabs), before raw HTML is
        # set aside (20): a marker inside an HTML block is a marker too.
        md.preprocessors.register(_MembersOnlyPreprocessor(md, keep=self.keep_members_only), "binsite_members_only", 25)
        md.treeprocessors.register(_MembersOnlyTree(md, lang=self.lang), "binsite_members_only", 25)
        md.postprocessors.register(_SentinelText(md, lang=self.lang), "binsite_members_only", 25)
        md.treeprocessors.register(_ShiftHeadings(md), "binsite_shift_headings", 5)
        md.treeprocessors.register(_GatedInlineProcessor(md), "inline", 20)


# A plain relative path: no scheme, no host, not rooted, no backslash, no
# percent-encoded or character-referenced trick that a browser would undo.
_PLAIN_RELATIVE = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9._~!$&'()*+,;=:@/%-]*")
_ENCODED_SLASH = re.compile(r"%(?:2f|5c|25|3a|09|0a|0d|00)", re.IGNORECASE)


def plain_relative(value: str) -> bool:
    """Whether an image source is a plain relative path (``foto.jpg``,
    ``../media/x.png``): never ``/x``, ``//host``, ``/\\host``, ``\\\\host``,
    ``data:``, ``http:``, nor an encoded form of those."""
    value = html.unescape(value).strip()
    if not value or not _PLAIN_RELATIVE.fullmatch(value) or ":" in value.split("/", 1)[0]:
        return False
    if _ENCODED_SLASH.search(value):
        return False
    return not ("//" in value or value.startswith(("/", ".:")))


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = " ".join(c for c in value.split() if c in _ALLOWED_CLASSES)
        return kept or None
    if tag == "img" and attribute == "src":
        # Only images that live with the site: nothing is loaded from elsewhere.
        if not plain_relative(value):
            return None
    if attribute == "href":
        # A scheme with spaces or control characters inside ("java   script:") is no URL scheme to
        # ammonia, but a lenient mail reader may read past them: only the allowed schemes stay.
        plain = "".join(c for c in html.unescape(value) if ord(c) > 0x20 and c != "\x7f").lower()
        scheme = _SCHEME.match(plain)
        if scheme is not None and scheme.group(1) not in URL_SCHEMES:
            return None
    return value


_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


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
                        BinsiteExtension(keep_members_only=keep_members_only, lang=lang),
                        MediaExtension(public=not keep_members_only)],
            output_format="html",
        )
    return md.reset()


def to_html(body: str, *, lang: str, keep_members_only: bool, media: dict | None = None) -> str:
    """Markdown to sanitised HTML. ``media``: the bulletin's files by name
    (``binsite.source.media``), whose references get their sizes and links."""
    return _convert(body, lang, keep_members_only, media)[0]


def _convert(body: str, lang: str, keep_members_only: bool, media: dict | None) -> tuple[str, tuple]:
    """Sanitised HTML and the references to the bulletin's files in this rendition."""
    md = _converter(lang, keep_members_only)
    # No image and no link without a "]": most bulletins skip the tree walk.
    md.binsite_media = media if "]" in body else None
    try:
        html_text = sanitize(md.convert(body))
        return html_text, tuple(md.binsite_media_refs)
    except RecursionError:
        # Nesting is flattened before parsing, so this is a construct not
        # foreseen; the text is still shown (and checked), as plain paragraphs,
        # without its members-only passages (and without pictures).
        _CONVERTERS.clear()
        lines = body.split("\n")
        if not keep_members_only:
            for first, last in reversed(find_passages(lines).ranges):
                lines[first:last + 1] = [ui("members_only_note", lang)]
        return "".join(f"<p>{html.escape(line)}</p>\n" for line in lines if line.strip()), ()
    finally:
        md.binsite_media = None  # the next document brings its own


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|tr|blockquote|pre|div|dd|dt|table)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html_text: str) -> str:
    """Readable plain text from our own sanitised HTML (for search and previews)."""
    # A line break inside a block is a space to the reader (and must be one to
    # the privacy guard, which reads this text: "06-\n12345678" is a number).
    text = _BLOCK_END.sub("\n", html_text.replace("\n", " "))
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def mail_text(body: str, *, lang: str) -> str:
    """The Markdown source as the text/plain part: it already reads well as text.
    Members-only markers (as ``find_passages`` reads them) become visible
    labels; trailing spaces go."""
    lines = body.strip("\n").split("\n")
    passages = find_passages(lines)
    out: list[str] = []
    for index, line in enumerate(lines):
        kind = marker_kind(line) if passages.members_only(index) else None
        if kind == "open":
            out.append(f"--- {ui('members_only_label', lang)} ---")
        elif kind == "close":
            out.append("---")
        else:
            out.append(line.rstrip())
    return "\n".join(out) + "\n"


def fold(text: str) -> str:
    """Lower case without accents, for matching ``café`` with ``cafe``."""
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


def search_text(text: str) -> str:
    """What the offline search (``assets/search.js``) holds of a bulletin: its public text as
    a reader reads it, on one line. The browser folds it to match words, ranks by how well
    they match, and shows and marks the passage that matched."""
    return " ".join(text.split())


@dataclass(frozen=True)
class RenderedBody:
    """A bulletin's body in every form the outputs need."""

    public_html: str
    mail_html: str
    public_text: str
    mail_text: str
    has_members_only: bool
    # References to the bulletin's files (``binsite.source.media.Ref``) that each rendition holds.
    public_media: tuple = ()
    mail_media: tuple = ()


def render_body(body: str, *, lang: str, media: dict | None = None) -> RenderedBody:
    has_members_only = bool(find_passages(body).ranges)
    public_html, public_media = _convert(body, lang, False, media)
    if has_members_only or public_media:
        # Images differ too: the page links each to its large version, the mail does not.
        mail_html, mail_media = _convert(body, lang, True, media)
    else:
        mail_html, mail_media = public_html, public_media
    return RenderedBody(
        public_html=public_html,
        mail_html=mail_html,
        public_text=html_to_text(public_html),
        mail_text=mail_text(body, lang=lang),
        has_members_only=has_members_only,
        public_media=public_media,
        mail_media=mail_media,
    )
