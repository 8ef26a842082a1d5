"""The accessibility statement at /toegankelijkheid/: made from binsite.yaml in the parts of
the Dutch model statement; a wrong setting is an error at its line and nothing is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from binsite.build import build
from binsite.errors import InvalidSite
from sitekit import MINI_NOW


def _configure(root: Path, block: str) -> None:
    with (root / "binsite.yaml").open("a", encoding="utf-8") as config:
        config.write(block)


def test_the_statement_says_what_binsite_yaml_says(mini_root: Path) -> None:
    _configure(mini_root, "accessibility:\n  status: c\n  drawn_up: 2026-12-01\n  answer_days: 10\n"
                          "  problems:\n    - De kaart bij een mededeling heeft geen tekstversie.\n")
    out = mini_root / "_site"
    build(mini_root, out, now=MINI_NOW)
    html = (out / "toegankelijkheid" / "index.html").read_text(encoding="utf-8")
    for part in ("Nalevingsstatus", "Hoe dit is onderzocht", "Bekende problemen", "Terugmelden en contact",
                 "Handhavingsprocedure"):
        assert f">{part}</h2>" in html
    assert "Status C: eerste maatregelen zijn genomen" in html
    assert "<li>De kaart bij een mededeling heeft geen tekstversie.</li>" in html
    assert "binnen 10 dagen antwoord" in html and '<time datetime="2026-12-01">' in html
    assert 'href="toegankelijkheid/"' in (out / "index.html").read_text(encoding="utf-8")
    assert "toegankelijkheid/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("block", "line", "words"), [
    ("accessibility:\n  status: Z\n", 2, "status is A, B, C, D of E"),
    ("accessibility:\n  answer_days: 0\n", 2, "answer_days 1 tot 90"),
    ("accessibility:\n  drawn_up: gisteren\n", 2, "drawn_up een datum"),
    ("accessibility: ja\n", 1, "moet status, drawn_up"),
])
def test_a_wrong_setting_is_an_error_at_its_line(mini_root: Path, block: str, line: int, words: str) -> None:
    before = len((mini_root / "binsite.yaml").read_text(encoding="utf-8").splitlines())
    _configure(mini_root, block)
    with pytest.raises(InvalidSite) as raised:
        build(mini_root, mini_root / "_site", now=MINI_NOW)
    found = [p for p in raised.value.problems if p.path == "binsite.yaml" and words in p.format("nl")]
    assert [p.line for p in found] == [before + line]
    assert not (mini_root / "_site" / "toegankelijkheid").exists()
