"""Offline search in the browser: a word from a public bulletin finds it and
the result opens it; words that only a partners-only bulletin or a draft
contains find nothing, because those never enter the public index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from browser_support import REPO

pytestmark = pytest.mark.browser

CONTENT = REPO / "content"
# A word of one public bulletin, and the bulletin it finds.
PUBLIC_WORD = "babbeltruc"
PUBLIC_TITLE = "Waarschuwing: babbeltruc bij oudere bewoners"
PUBLIC_PATH = "binnenstad/2026-11-25-babbeltruc-bij-oudere-bewoners/"
# Words that only a bulletin kept out of the archive contains, and why it is kept out.
PRIVATE_WORDS = {
    "jongerenwerk": "partners",      # maaspoort: afstemming hangplek bij het sportpark
    "wietlucht": "partners",         # kruiskamp-schutskamp: signalen van handel bij een portiek
    "volgeboekt": "draft",           # rosmalen-noord: concept-jaaroverzicht
    "jaaroverzicht": "draft",
}


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}


def files_with(word: str) -> list[Path]:
    return [p for p in sorted(CONTENT.rglob("*.md")) if word in p.read_text(encoding="utf-8").lower()]


@pytest.fixture
def search_page(open_page):
    page, watch = open_page("zoeken/", 375)
    yield page
    page.context.set_offline(False)
    watch.assert_clean()


def type_query(page, word: str) -> None:
    # Offline from here on: the search must need nothing but the page itself.
    page.context.set_offline(True)
    box = page.get_by_label("Zoek in de berichten")
    box.click()
    box.press_sequentially(word)


def test_a_public_word_lists_the_bulletin_and_the_result_opens_it(search_page, base_url):
    page = search_page
    assert files_with(PUBLIC_WORD), f"no content file contains {PUBLIC_WORD!r}: pick another word"
    type_query(page, PUBLIC_WORD)
    result = page.locator("#zoek-resultaten a", has_text=PUBLIC_TITLE)
    result.wait_for()
    assert page.locator("#zoek-status").inner_text() == "1 bericht gevonden."
    # Enter keeps the results and puts the query in the address, so it can be shared.
    page.keyboard.press("Enter")
    assert page.url.endswith(f"zoeken/?q={PUBLIC_WORD}")
    assert page.locator("#zoek-resultaten li").count() == 1
    page.context.set_offline(False)
    result.click()
    page.wait_for_url(base_url + PUBLIC_PATH)
    assert page.locator("h1").inner_text() == PUBLIC_TITLE


@pytest.mark.parametrize("word", sorted(PRIVATE_WORDS))
def test_a_word_only_in_a_partners_bulletin_or_a_draft_finds_nothing(word, search_page, example_site):
    sources = files_with(word)
    assert sources, f"no content file contains {word!r}: pick another word"
    for source in sources:  # the word must not also be in a public bulletin, or the test proves nothing
        meta = front_matter(source)
        reason = "draft" if meta.get("draft") else meta.get("audience")
        assert reason == PRIVATE_WORDS[word], f"{source.relative_to(REPO)} is {reason!r}, expected {PRIVATE_WORDS[word]}"
    assert word not in (example_site / "zoeken" / "index.js").read_text(encoding="utf-8").lower()

    page = search_page
    type_query(page, word)
    page.wait_for_function("document.getElementById('zoek-status').textContent !== ''")
    status = page.locator("#zoek-status").inner_text()
    assert status.startswith("Geen berichten gevonden. Tip: probeer een ander of korter woord")
    assert page.locator("#zoek-resultaten li").count() == 0


def test_many_results_use_the_same_sentence_form_as_one(search_page, example_site):
    """"13 berichten gevonden." beside "1 bericht gevonden.", never "13 resultaten."."""
    page = search_page
    type_query(page, "buurt")
    page.wait_for_function("document.getElementById('zoek-status').textContent !== ''")
    status = page.locator("#zoek-status").inner_text()
    count = page.locator("#zoek-resultaten li").count()
    assert count > 1
    assert status == f"{count} berichten gevonden."


def _results(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('#zoek-resultaten li')].map(li => ({
        title: li.querySelector('h2').innerText, excerpt: li.querySelector('.excerpt').innerText,
        marks: [...li.querySelectorAll('mark')].map(m => m.textContent)}))""")


def test_results_are_ranked_by_match_with_the_matched_passage_marked(search_page, example_site):
    """"slot" is in two titles and in the text of newer bulletins: the titles come first
    (not the newest), each result shows the passage with the word and marks it."""
    titled = sorted(yaml.safe_load(f"[{line.split(':', 1)[1]}]")[0] for path in files_with("slot")
                    for line in path.read_text(encoding="utf-8").splitlines()[:3]
                    if line.startswith("title:") and re.search(r"\bslot\b", line.lower()))
    assert len(titled) == 2, titled
    page = search_page
    type_query(page, "slot")
    page.wait_for_function("document.querySelectorAll('#zoek-resultaten li').length > 3")
    results = _results(page)
    assert sorted(r["title"] for r in results[:2]) == titled
    for result in results:
        assert "slot" in [m.lower() for m in result["marks"]], result
    # A result whose title lacks the word shows a passage from its text that has it, not its start.
    body_only = [r for r in results if "slot" not in r["title"].lower()]
    assert body_only and all(re.search(r"\bslot", r["excerpt"].lower()) for r in body_only)
    assert any(r["excerpt"].startswith("… ") for r in body_only)


def test_a_query_without_accents_marks_the_word_as_written(search_page):
    """"COORDINATOR" finds "coördinator" and marks it as written (the accent kept)."""
    page = search_page
    type_query(page, "COORDINATOR")
    page.locator("#zoek-resultaten mark", has_text="coördinator").first.wait_for()
    results = _results(page)
    assert results and all("coördinator" in r["marks"] and "coördinator" in r["excerpt"] for r in results)


def test_a_phrase_ranks_the_bulletin_with_the_words_side_by_side_first(search_page):
    page = search_page
    type_query(page, "dubbel op slot")
    page.wait_for_function("document.querySelectorAll('#zoek-resultaten li').length > 0")
    first = _results(page)[0]
    assert first["title"] == "Veel fietsendiefstal rond de Markt: zet uw fiets dubbel op slot"
    assert first["marks"][:3] == ["dubbel", "op", "slot"]
