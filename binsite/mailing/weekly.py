"""The weekly overview: one message per area and week to its weekly list. Pure.

Residents who chose "een wekelijks overzicht, spoed meteen" are on the
area's weekly list (``binsite.mailman.preferences``). Urgent bulletins reach
them at once (``plan.targets``); everything for the area's members that
week comes together here, in the order it appeared, as the members list
received it: the mail rendition, members-only passages included. Pictures
stay out (the message would carry every photo of the week); each bulletin's
own mail and the archive have them. Headers and footer come from
``compose.py``, as for every other message binsite sends to a list.

When it goes, and exactly once, is the plan's and the ledger's business
(``plan.plan_overviews``, ``run.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import jinja2
from markupsafe import Markup

from binsite.i18n import author_label, format_date, format_datetime
from binsite.mailing.compose import address_headers, footer, one_line
from binsite.mailing.plan import PlannedOverview
from binsite.model.site import Site, is_public
from binsite.model.urls import bulletin_path
from binsite.render.environment import make_environment
from binsite.render.markup import RenderedBody

HTML_TEMPLATE = "email/weekly.html"
TEXT_TEMPLATE = "email/weekly.txt"
OVERVIEW_HEADER = "X-Binsite-Overview"

# Sanitised mail HTML (binsite.render.markup): an image is one well-formed
# element whose alt text the sanitiser kept.
_IMAGE = re.compile(r"<img\b[^>]*?>", re.IGNORECASE)
_ALT = re.compile(r'\balt="([^"]*)"')


def _without_images(html: str) -> str:
    def alt(match: re.Match[str]) -> str:
        found = _ALT.search(match.group(0))
        return f"[{found.group(1)}]" if found and found.group(1) else ""
    return _IMAGE.sub(alt, html)


def overview_message_id(overview: PlannedOverview, domain: str) -> str:
    """``<overzicht.noord.2026-W48.noord-overzicht.1a2b...@bin.example.org>``: the same
    area, week and bulletins always give the same Message-ID."""
    local = overview.target.list.split("@", 1)[0]
    return f"<{overview.key.replace('/', '.')}.{local}.{overview.content_hash}@{domain}>"


def overview_subject(overview: PlannedOverview, site: Site) -> str:
    lang = site.config.language
    week = overview.week
    last_day = week.end.date() - timedelta(days=1)
    title = ("Weekly overview, week {n} ({a} to {b})" if lang == "en" else "Weekoverzicht week {n} ({a} t/m {b})")
    return one_line(title.format(n=week.number, a=format_date(week.start, lang), b=format_date(last_day, lang)))


def overview_context(overview: PlannedOverview, site: Site, bodies: Callable[[object], RenderedBody]
                     ) -> dict[str, object]:
    lang = site.config.language
    items = []
    for bulletin in overview.bulletins:
        body = bodies(bulletin)
        category = site.config.category(bulletin.category) if bulletin.category else None
        items.append({
            "title": one_line(bulletin.title),
            "date_text": format_datetime(bulletin.date, lang),
            "category": category.label(lang) if category else None,
            "author": author_label(bulletin.author.name, bulletin.author.role, lang) if bulletin.author else None,
            "urgent": bulletin.urgent,
            # Sanitised by binsite.render.markup; pictures left out (see the module's docstring).
            "body_html": Markup(_without_images(body.mail_html)),
            "body_text": body.mail_text,
            "archive_url": site.config.absolute_url(bulletin_path(bulletin)) if is_public(bulletin) else None,
        })
    return {
        "config": site.config,
        "area": site.area(overview.area),
        "title": overview_subject(overview, site),
        "week": overview.week,
        "items": items,
        "count": len(items),
    }


def compose_overview(overview: PlannedOverview, site: Site, *, bodies: Callable[[object], RenderedBody],
                     environment: jinja2.Environment | None = None, sent_at: datetime | None = None) -> EmailMessage:
    """The overview e-mail; ``bodies`` gives each bulletin's rendered body; ``Date:`` is
    ``sent_at`` (the moment of sending, like a bulletin's), else the overview's due moment."""
    lang = site.config.language
    env = environment or make_environment(site.root, lang)
    context = overview_context(overview, site, bodies)
    context["footer"] = footer(site, overview.target.list)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    html = env.get_template(HTML_TEMPLATE).render(context)
    message = EmailMessage(policy=SMTP)
    address_headers(message, site, overview.target, subject_text=str(context["title"]), date=sent_at or overview.due,
                    message_id_text=overview_message_id(overview, site.config.mail.domain))
    message[OVERVIEW_HEADER] = overview.key
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = lang
    return message

