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
from pathlib import Path

import pytest

from browser_support import EXAMPLE_NOW, HEIGHT, WIDTHS, describe, run_axe

pytestmark = pytest.mark.browser
NOT_FOR_EMAIL = ("bypass",)


@pytest.fixture(scope="session")
def bulletin_email_html(example_site) -> str:
    """The text/html part of the e-mail for the newest urgent public bulletin of the example BIN."""
    compose = pytest.importorskip("binsite.mailing.compose", reason="binsite has no e-mail composer yet")
    from binsite.mailing.plan import PlannedMessage, targets
    from binsite.load import load_site
    from binsite.model.site import is_public

    loaded = load_site(example_site.parent, EXAMPLE_NOW).raise_for_errors()
    site = loaded.site
    bulletin = max((b for b in site.bulletins if b.urgent and is_public(b) and not b.draft), key=lambda b: b.date)
    message = compose.compose(PlannedMessage(bulletin, targets(bulletin, site)[0]), site, body=loaded.body(bulletin))
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None, "the e-mail has no text/html part"
    return html.get_content()


def check_email(html: str, width: int, browser, axe_source, screenshot: Path, inspect=None) -> None:
    """No axe violations, no request anywhere, no sideways scrolling at ``width``;
    ``inspect(page)`` may look further before the page is closed."""
    context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]}, locale="nl-NL")
    try:
        requested: list[str] = []

        def route(route):
            requested.append(route.request.url)
            route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_content(html, wait_until="load")
        page.screenshot(path=screenshot, full_page=True)
        if inspect is not None:
            inspect(page)
        violations = run_axe(page, axe_source, disable=NOT_FOR_EMAIL)
        assert violations == [], f"e-mail at {width}px:\n{describe(violations)}"
        assert requested == [], f"the e-mail loads remote content: {requested}"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the e-mail scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_bulletin_email_has_no_axe_violations(width, bulletin_email_html, browser, axe_source, screenshots):
    check_email(bulletin_email_html, width, browser, axe_source, screenshots / f"email-{width}.png")


@pytest.fixture(scope="session")
def overview_email_html(example_site) -> str:
    """The text/html part of the example BIN's fullest weekly overview (the week before ``EXAMPLE_NOW``)."""
    from binsite.load import load_site
    from binsite.mailing.ledger import Ledger
    from binsite.mailing.plan import plan_overviews
    from binsite.mailing.weekly import compose_overview

    loaded = load_site(example_site.parent, EXAMPLE_NOW).raise_for_errors()
    overview = max(plan_overviews(loaded.site, Ledger(), EXAMPLE_NOW), key=lambda o: len(o.bulletins))
    assert len(overview.bulletins) >= 2
    message = compose_overview(overview, loaded.site, bodies=loaded.body)
    html = message_from_bytes(message.as_bytes(), policy=default).get_body(preferencelist=("html",))
    assert html is not None, "the overview has no text/html part"
    return html.get_content()


@pytest.mark.parametrize("width", WIDTHS)
def test_weekly_overview_email_has_no_axe_violations(width, overview_email_html, browser, axe_source, screenshots):
    def one_heading_per_bulletin(page):
        assert page.evaluate("document.querySelectorAll('h1').length") == 1
        assert page.evaluate("document.querySelectorAll('h2').length") >= 2

    check_email(overview_email_html, width, browser, axe_source, screenshots / f"email-overview-{width}.png",
                one_heading_per_bulletin)


@pytest.fixture(scope="module")
def delivered_picture_email_html(local_mailman, tmp_path_factory) -> str:
    """The text/html part of a bulletin with a photo and a map as a resident
    receives it from the real Mailman, with each ``cid:`` image shown from its
    MIME part, as a mail client does."""
    import base64

    from binsite.mailing.run import send
    from binsite.mailman.sync import sync
    from browser_support import REPO
    from tests.mailman_fixtures import new_domain
    from sitekit import area, bulletin_text, write_bulletin, write_site

    local_mailman.settle()
    domain = new_domain()
    root = write_site(tmp_path_factory.mktemp("picture-mail") / "site", domain, {"noord": area("Noord", domain, "noord")})
    sync(root, local_mailman.settings)
    local_mailman.client().subscribe(f"noord@{domain}", f"bewoner@res.{domain}")
    write_bulletin(root, "noord/2026-11-27-afsluiting.md", bulletin_text(
        "Afsluiting en een goed slot", "2026-11-27 10:00",
        "De weg is afgesloten.\n\n![Kaart: de afsluiting in rood, de omleiding in blauw](kaart.png)\n\n"
        "Een goed slot ziet er zo uit:\n\n![Een voordeur met veiligheidsbeslag om de cilinder](slot.jpg)\n",
        privacy={"photos_checked": True}))
    folder = root / "content/noord/2026-11-27-afsluiting"
    folder.mkdir()
    (folder / "kaart.png").write_bytes(
        (REPO / "content/notices/2026-11-25-afsluiting-maaspoortweg/kaart-omleiding.png").read_bytes())
    (folder / "slot.jpg").write_bytes(
        (REPO / "content/rosmalen-noord/2026-10-30-gratis-check-hang-en-sluitwerk/veiligheidsbeslag.jpg").read_bytes())

    assert len(send(root, now=EXAMPLE_NOW, settings=local_mailman.settings).sent) == 1
    [delivered] = local_mailman.wait_for_deliveries(domain, 1)
    message = delivered.message
    html = message.get_body(preferencelist=("html",)).get_content()
    images = [p for p in message.walk() if p.get_content_maintype() == "image"]
    assert len(images) == 2
    for part in images:
        cid = part["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
        data = base64.b64encode(part.get_payload(decode=True)).decode()
        html = html.replace(f'src="cid:{cid}"', f'src="data:{part.get_content_type()};base64,{data}"')
    return html


@pytest.mark.mailman
@pytest.mark.parametrize("width", WIDTHS)
def test_delivered_email_with_inline_pictures_has_no_axe_violations(width, delivered_picture_email_html, browser,
                                                                    axe_source, screenshots):
    def pictures_shown_within_the_width(page):
        shown = page.evaluate("[...document.images].map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
        assert len(shown) == 2 and all(natural > 0 for natural, _ in shown), shown
        assert all(drawn <= width for _, drawn in shown), shown

    check_email(delivered_picture_email_html, width, browser, axe_source,
                screenshots / f"email-pictures-{width}.png", pictures_shown_within_the_width)
