"""The statistics page on a phone (375 px), measured in a real Chromium:
chart text readable, every key-figure column on the screen, the running
month marked as incomplete."""

from __future__ import annotations

import pytest

from browser_pages import page_path

pytestmark = pytest.mark.browser


def test_stats_page_reads_on_a_phone(example_site, open_page, screenshots):
    page, watch = open_page(page_path(example_site, "statistics"), 375)
    page.screenshot(path=screenshots / "statistics-phone.png", full_page=True)
    # Every chart label as rendered: at least 12 px high text (it was about 7).
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('.chart svg text')]
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a))""")
    assert smallest >= 12, f"chart text is {smallest:.1f} px on a phone"
    # The five key-figure columns all fit: the table's region does not need to scroll.
    region = page.evaluate("""() => { const r = document.querySelector('.table-scroll');
        return [r.scrollWidth, r.clientWidth]; }""")
    assert region[0] <= region[1], f"the key figures are {region[0]} px wide in a {region[1]} px column"
    last_column = page.evaluate("""() => document.querySelector('.stats-table thead th:last-child')
        .getBoundingClientRect().right""")
    assert last_column <= 375
    # Built on 28 November: November is still running, and the page says so.
    note = page.locator("#grafiek-per-maand .chart-note")
    assert note.is_visible() and "loopt nog" in note.inner_text()
    watch.assert_clean()
