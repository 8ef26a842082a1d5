"""The HTML e-mail of a bulletin, rendered in the same Chromium: no axe-core
violations of the WCAG 2.0/2.1 A and AA rules that apply to a message body
(language, title, contrast, headings, lists, link names), and no request to
anywhere (mail clients block remote content; the message must not need it).

Rules switched off, and why: ``bypass`` (2.4.1, a way to skip blocks repeated
on many pages) has nothing to act on in a single message with no site
navigation. Landmark rules such as ``region`` are best practice, not WCAG
tags, so axe does not run them here in any case.
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest

from browser_support import HEIGHT, WIDTHS, describe, run_axe

pytestmark = pytest.mark.browser
NOT_FOR_EMAIL = ("bypass",)


@pytest.fixture(scope="session")
def bulletin_email_html(example_site) -> str:
    """The text/html part of the e-mail for the newest urgent public bulletin of the example BIN."""
    compose = pytest.importorskip("binsite.mailing.compose", reason="binsite has no e-mail composer yet")
    from binsite.mailing.plan import PlannedMessage, targets
    from binsite.site import is_public, load_valid_site

    site, _ = load_valid_site(example_site.parent)
    bulletin = max((b for b in site.bulletins if b.urgent and is_public(b) and not b.draft), key=lambda b: b.date)
    message = compose.compose(PlannedMessage(bulletin, targets(bulletin, site)[0]), site)
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None, "the e-mail has no text/html part"
    return html.get_content()


@pytest.mark.parametrize("width", WIDTHS)
def test_bulletin_email_has_no_axe_violations(width, bulletin_email_html, browser, axe_source, screenshots):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]}, locale="nl-NL")
    try:
        requested: list[str] = []

        def route(route):
            requested.append(route.request.url)
            route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_content(bulletin_email_html, wait_until="load")
        page.screenshot(path=screenshots / f"email-{width}.png", full_page=True)
        violations = run_axe(page, axe_source, disable=NOT_FOR_EMAIL)
        assert violations == [], f"e-mail at {width}px:\n{describe(violations)}"
        assert requested == [], f"the e-mail loads remote content: {requested}"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the e-mail scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()
