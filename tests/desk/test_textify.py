"""HTML e-mail as readable text; nothing in it is run."""

from __future__ import annotations

import pytest

from binsite.desk.textify import html_to_text

CASES = [
    ("<p>Er staat <b>een</b>\n   auto.</p>", "Er staat een auto.\n"),
    ("<p>een</p><p>twee</p>", "een\n\ntwee\n"),
    ("regel 1<br>regel 2<br/>regel 3", "regel 1\nregel 2\nregel 3\n"),
    ("<ul><li>een</li><li>twee<ul><li>drie</li></ul></li></ul>", "- een\n- twee\n  - drie\n"),
    ("<ol><li>een</li></ol>", "- een\n"),
    ('Zie <a href="https://politie.nl/x">de politie</a>.', "Zie de politie (https://politie.nl/x).\n"),
    ('<a href="https://politie.nl">https://politie.nl</a>', "https://politie.nl\n"),
    ('<a href="javascript:alert(1)">klik</a>', "klik\n"),
    ("<script>alert('x')</script><style>p{color:red}</style>tekst", "tekst\n"),
    ("<html><head><title>Titel</title></head><body>tekst</body></html>", "tekst\n"),
    ('<img src="https://tracker.example/x.gif" alt="foto van het busje">', "[foto van het busje]\n"),
    ('<img src="https://tracker.example/x.gif">', ""),
    ("&lt;b&gt; &amp; &eacute;&nbsp;&#8364;", "<b> & é €\n"),
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a\tb\nc\td\n"),
    ("<blockquote>oud<br>bericht</blockquote>nieuw", "> oud\n> bericht\n\nnieuw\n"),
    ("<pre>a\n  b</pre>", "a\n  b\n"),
    ("<p>onafgesloten <b>tag", "onafgesloten tag\n"),
    ("<h1>Kop</h1><hr><p>tekst</p>", "Kop\n\n----\n\ntekst\n"),
    ("", ""),
]


@pytest.mark.parametrize("html, text", CASES)
def test_html_to_text(html, text):
    assert html_to_text(html) == text
