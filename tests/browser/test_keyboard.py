"""Keyboard use: the skip link is the first Tab stop and moves focus to the
content; every link and control is reached with Tab, in order, and shows a
visible focus indicator when it has focus."""

from __future__ import annotations

import pytest

from browser_pages import KINDS, expected_status, page_path

pytestmark = pytest.mark.browser

# Everything a keyboard user can Tab to, marked with its place in document order.
MARK_TABBABLES = """() => {
  const selector = 'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]),' +
    ' select:not([disabled]), textarea:not([disabled]), summary, iframe, [tabindex]:not([tabindex="-1"])';
  const shown = el => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return (box.width > 0 || box.height > 0) && style.visibility !== 'hidden' && !el.closest('[hidden], [inert]');
  };
  const list = [...document.querySelectorAll(selector)].filter(shown);
  list.forEach((el, i) => el.dataset.tabStop = i);
  return list.map(el => el.outerHTML.slice(0, 90));
}"""

# The focus indicator's parts, so focused and unfocused can be compared.
STYLE_OF = """el => {
  const s = getComputedStyle(el);
  return {outline: s.outlineStyle === 'none' ? 'none' : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
          outlineWidth: parseFloat(s.outlineWidth) || 0, shadow: s.boxShadow,
          background: s.backgroundColor, color: s.color, border: s.borderBottomColor + ' ' + s.borderBottomWidth};
}"""

# Record, at the moment of each focus, which tab stop got it and how it looks.
RECORD_FOCUS = """styleOf => {
  const styleFn = eval(styleOf);
  window.__focusLog = [];
  document.addEventListener('focusin', event => {
    const el = event.target;
    window.__focusLog.push({stop: el.dataset.tabStop === undefined ? null : Number(el.dataset.tabStop),
                            id: el.id, tag: el.tagName, style: styleFn(el), top: el.getBoundingClientRect().top});
  });
}"""


def visible_change(before: dict, after: dict) -> bool:
    """A focus indicator a sighted keyboard user can see: an outline of at least
    2px, a box shadow, or a changed background, text or border colour."""
    return ((after["outline"] != "none" and after["outlineWidth"] >= 2 and after["outline"] != before["outline"])
            or (after["shadow"] != "none" and after["shadow"] != before["shadow"])
            or after["background"] != before["background"]
            or (after["border"] != before["border"] and after["color"] != before["color"]))


def walk_with_tab(page) -> tuple[list[str], list[dict]]:
    tabbables = page.evaluate(MARK_TABBABLES)
    unfocused = page.evaluate(f"() => [...document.querySelectorAll('[data-tab-stop]')].map({STYLE_OF})")
    page.evaluate(RECORD_FOCUS, STYLE_OF)
    for _ in range(len(tabbables)):
        page.keyboard.press("Tab")
    log = page.evaluate("window.__focusLog")
    for entry in log:
        if entry["stop"] is not None:
            entry["unfocused"] = unfocused[entry["stop"]]
    return tabbables, log


KEYBOARD_CASES = [(kind, 1280) for kind in KINDS] + [(kind, 375) for kind in ("home", "bulletin", "search")]


@pytest.mark.parametrize(("kind", "width"), KEYBOARD_CASES, ids=[f"{k}-{w}" for k, w in KEYBOARD_CASES])
def test_every_link_and_control_is_reached_with_tab_and_shows_focus(kind, width, example_site, open_page):
    path = page_path(example_site, kind)
    assert path is not None, f"the example site has no {kind} page"
    page, watch = open_page(path, width, expect_status=expected_status(kind))
    if kind == "search":
        page.locator("#zoek-resultaten li").first.wait_for()
    tabbables, log = walk_with_tab(page)
    stops = [entry["stop"] for entry in log]
    assert stops == list(range(len(tabbables))), (
        f"/{path}: Tab reached {stops}, expected every one of {len(tabbables)} stops in order")
    assert "skip-link" in tabbables[0], f"/{path}: the first Tab stop is {tabbables[0]}, not the skip link"
    invisible = [tabbables[e["stop"]] for e in log if not visible_change(e["unfocused"], e["style"])]
    assert invisible == [], f"/{path}: no visible focus style on {invisible}"
    watch.assert_clean()


@pytest.mark.parametrize("width", (375, 1280))
@pytest.mark.parametrize("kind", ("home", "bulletin", "search"))
def test_skip_link_moves_focus_to_the_content(kind, width, example_site, open_page):
    path = page_path(example_site, kind)
    page, _ = open_page(path, width)
    page.keyboard.press("Tab")
    skip = page.evaluate("() => { const el = document.activeElement, box = el.getBoundingClientRect();"
                         " return {cls: el.className, top: box.top, bottom: box.bottom, text: el.textContent}; }")
    assert skip["cls"] == "skip-link", f"first Tab stop: {skip}"
    assert 0 <= skip["top"] and skip["bottom"] <= page.viewport_size["height"], f"skip link not on screen when focused: {skip}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    # The next Tab continues inside the content, past the header's menu.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')"), "Tab after the skip link left the content"
