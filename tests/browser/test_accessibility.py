"""axe-core in a real Chromium: zero WCAG 2.0/2.1 A and AA violations on every
kind of page of the example site, at phone and desktop width, no sideways
scrolling, no request off this machine and no console error (a CSP violation
is one), with a screenshot of each for a person to look at
(test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest

from browser_pages import KINDS, expected_status, page_path
from browser_support import WIDTHS, describe, run_axe

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_page_has_no_axe_violations(kind, width, example_site, open_page, screenshots):
    path = page_path(example_site, kind)
    assert path is not None, f"the example site has no {kind} page"
    page, watch = open_page(path, width, expect_status=expected_status(kind), axe=True)
    if kind == "search":
        page.locator("#zoek-resultaten li").first.wait_for()
    page.screenshot(path=screenshots / f"{kind}-{width}.png", full_page=True)
    violations = run_axe(page)
    assert violations == [], f"{kind} page /{path} at {width}px:\n{describe(violations)}"
    # WCAG 1.4.10 Reflow: nothing wider than a phone's screen (a wide table scrolls in its own region).
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{kind} page /{path} scrolls sideways by {overflow}px at {width}px"
    watch.assert_clean()
