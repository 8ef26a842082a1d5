"""The Markdown renderer's shortcut: skipping inline patterns that cannot
match must never change a byte of the output."""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest
from markdown.treeprocessors import InlineProcessor

from binsite.render import markup

REPO = Path(__file__).resolve().parent.parent

# Every inline construct, nested and next to each other, and the cases where
# a pattern matches but its handler declines (emphasis inside code, a link
# around emphasis, escaped markers, an unclosed bracket).
TRICKY = [
    "a `code` \\*x\\* [l](http://x) ![i](a.png) <http://a.b> <a@b.c> x  \ny <b>t</b> &amp; *e* _f_ **s** __t__",
    "[r][1] and [r] and ![i][1]\n\n[1]: http://r",
    "\\\\`x` and \\`y\\`",
    "*a `b*` c* and **b `c**` d**",
    "[a *b](c)* d and [x **y**](z) **[p](q)**",
    "x &copy; y & z &#35; &#x41; &nope",
    "foo_bar_baz * lone star _ lone underscore",
    "<span>*x*</span> and <!-- c --> and <b class=\"x\">y</b>",
    "line  \nbreak and line \nno break",
    "- **Geen spoed**, wel [politie](https://www.politie.nl/)? Bel **0900-8844**.",
    "[unclosed *em* and `code` and **strong**",
    "***both*** and ___both___ and **_mixed_** and *__mixed__*",
    "| a | *b* |\n|---|---|\n| `c` | [d](e) |",
    "::: leden\n**geheim** en [link](x)\n:::\n\nna *afloop*",
]


def _ungated(keep: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists", markup.BinsiteExtension(keep_members_only=keep, lang="nl")],
                           output_format="html")
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    return md


def _random_texts(count: int) -> list[str]:
    """Random mixes of markers and words: the shortcut must agree even on nonsense."""
    rng = random.Random(7)
    atoms = ["*", "**", "_", "__", "`", "[", "]", "(", ")", "!", "<", ">", "&", ";", "\\", "  \n", "\n", "http://a.b",
             "a@b.c", "woord", "twee woorden", "#", "amp", "x", " "]
    return ["".join(rng.choice(atoms) for _ in range(rng.randint(3, 40))) for _ in range(count)]


def _documents() -> list[str]:
    files = sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests" / "fixtures").rglob("*.md"))
    return [path.read_text(encoding="utf-8") for path in files] + TRICKY + _random_texts(1500)


@pytest.mark.parametrize("keep", [False, True])
def test_gated_inline_pass_renders_exactly_like_python_markdown(keep):
    plain, gated = _ungated(keep), markup._converter("nl", keep)
    differing = [text for text in _documents() if plain.reset().convert(text) != gated.reset().convert(text)]
    assert differing == []


def test_every_gated_pattern_still_exists():
    """A pattern renamed or dropped in a Markdown upgrade would leave a stale trigger."""
    names = {item.name for item in markup._converter("nl", False).inlinePatterns._priority}
    assert set(markup.INLINE_TRIGGERS) <= names


def test_shortcut_is_in_use():
    assert isinstance(markup._converter("nl", False).treeprocessors["inline"], markup._GatedInlineProcessor)


def test_the_search_text_is_the_public_text_as_read_on_one_line():
    """The browser shows the passage that matched: the text keeps its words, case and accents."""
    assert markup.search_text("Café ‘De Zon’:\n\n  twee fietsen\tgestolen.\n") == "Café ‘De Zon’: twee fietsen gestolen."
