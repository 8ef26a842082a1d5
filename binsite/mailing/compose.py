"""One bulletin as one e-mail to one list: pure, from the same Markdown as the archive.

``multipart/alternative`` with a ``text/plain`` part (the Markdown, which
reads well as text) and a ``text/html`` part, both rendered through
``templates/email/bulletin.txt`` and ``bulletin.html`` (a site overrides them
in its own ``templates/email/``). The subject is the title, on one line
whatever it holds, so it can never add a header; Mailman adds the list's
prefix. The Message-ID is deterministic per bulletin, list and content, so a
repeated message is recognisable, and a correction is a new message that
refers to the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import jinja2
from markupsafe import Markup

from binsite.i18n import format_datetime as format_datetime_text
from binsite.i18n import author_label, t, ui
from binsite.mailing.plan import MEMBERS, PARTNERS, PlannedMessage, Target
from binsite.mailman.templates import PREFERENCES_MARK, UNSUBSCRIBE_MARK
from binsite.render.markup import RenderedBody
from binsite.source.media import MailFile, mail_html, mail_text_list
from binsite.render.environment import make_environment
from binsite.model.site import Site, is_public
from binsite.model.urls import bulletin_path

HTML_TEMPLATE = "email/bulletin.html"
TEXT_TEMPLATE = "email/bulletin.txt"
BULLETIN_HEADER = "X-Binsite-Bulletin"

# Anything that could end a header line or confuse a reader: CR, LF, other C0
# and C1 controls, DEL, Unicode line and paragraph separators.
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


# Python's email package decodes an RFC 2047 encoded word found in a header
# value it is given and writes the decoded text out: a title written as
# "=?utf-8?q?Hi=0D=0ABcc=3A_x=40y?=" would become a real Bcc: header. An
# invisible word joiner after "=" keeps such text literal.
_ENCODED_WORD_START = "=?"


def one_line(text: str) -> str:
    """``text`` as a single header-safe line that no decoder turns into more lines."""
    flat = " ".join(_UNSAFE_IN_HEADER.sub(" ", text).split())
    return flat.replace(_ENCODED_WORD_START, "=\u2060?")


def message_id(planned: PlannedMessage, domain: str) -> str:
    """``<noord.2026-11-01-fiets-gestolen.noord.3f2a...@bin.example.org>``: the same
    bulletin, list and content always give the same Message-ID."""
    bulletin = planned.bulletin
    local = planned.target.list.split("@", 1)[0]
    return f"<{bulletin.id.replace('/', '.')}.{local}.{bulletin.content_hash}@{domain}>"


def subject(planned: PlannedMessage, lang: str) -> str:
    title = one_line(planned.bulletin.title)
    return f"{ui('correction', lang)}: {title}" if planned.is_correction else title


@dataclass(frozen=True)
class Footer:
    """The end of every message binsite sends to a list, as text and as HTML.

    The personal links carry placeholders that the delivery class in Mailman's
    environment (``binsite.mta``) replaces per recipient with a token for that
    member of that list. They lead to the web service's confirmation page, never
    to a one-click action: members forward mail, and a neighbour who clicks must
    not unsubscribe them. Without a web service (``web_url`` empty) the footer
    says how to leave by e-mail."""

    text: str
    html: Markup
    unsubscribe_url: str | None
    preferences_url: str | None


def footer(site: Site, list_address: str, kind: str = MEMBERS) -> Footer:
    """The footer of a message to ``list_address`` (a list of ``kind``): the one
    place it is written, for bulletins, notices and the weekly overview alike.
    A partners' list is managed in ``lists/`` by the BINCO: its footer says so
    and carries no links to the residents' service. Pure."""
    from markupsafe import escape

    config = site.config
    lang = config.language
    local, _, domain = list_address.partition("@")
    leave_address = f"{local}-leave@{domain}"
    owner_address = f"{local}-owner@{domain}"
    partners = kind == PARTNERS
    why = t("U ontvangt dit bericht als partner van het Buurt Informatie Netwerk in dit gebied.",
            "You receive this message as a partner of the Buurt Informatie Netwerk in this area.").get(lang) \
        if partners else ui("email_footer", lang)
    binco = t("De BINCO van uw gebied bereikt u via {o}.", "You reach the BINCO of your area at {o}.",
              o=owner_address).get(lang)
    unsubscribe = preferences = report = None
    if config.web_url and not partners:
        base = config.web_url if config.web_url.endswith("/") else config.web_url + "/"
        unsubscribe = f"{base}afmelden/{UNSUBSCRIBE_MARK}"
        preferences = f"{base}voorkeuren/{PREFERENCES_MARK}"
        area_id = next((a.id for a in site.areas for k, address in a.lists(domain) if address == list_address), None)
        if area_id is not None:
            report = f"{base}melden/{area_id}/"
    if partners:
        mail_leave = t("De BINCO houdt deze lijst bij: wie hem niet meer moet krijgen, of wie hem voortaan wel "
                       "krijgt, geeft dat door via {o}.",
                       "The BINCO keeps this list: who should no longer get it, or who gets it from now on, "
                       "is passed on at {o}.", o=owner_address).get(lang)
    else:
        mail_leave = t("Afmelden per e-mail: stuur een leeg bericht naar {a}.",
                       "To leave by e-mail: send an empty message to {a}.", a=leave_address).get(lang)
    report_label = t("Iets gezien? Meld het", "Seen something? Report it").get(lang)
    leave_label = t("Afmelden", "Unsubscribe").get(lang)
    prefs_label = t("Voorkeuren wijzigen", "Change preferences").get(lang)
    lines = ["-- ", config.title, ui("emergency", lang), why, binco]
    if report:
        lines.append(f"{report_label}: {report}")
    if unsubscribe:
        lines += [f"{leave_label}: {unsubscribe}", f"{prefs_label}: {preferences}"]
    lines.append(mail_leave)
    text = "\n".join(lines) + "\n"
    link_style = "color:#0b4f8a;"
    html = [f'<p style="margin:0;color:#555555;font-size:13px;">{escape(config.title)}<br>'
            f"{escape(ui('emergency', lang))}<br>{escape(why)}<br>{escape(binco)}</p>"]
    if report:
        html.append(f'<p style="margin:8px 0 0;color:#555555;font-size:13px;">'
                    f'<a href="{escape(report)}" style="{link_style}">{escape(report_label)}</a></p>')
    if unsubscribe:
        html.append(f'<p style="margin:8px 0 0;color:#555555;font-size:13px;">'
                    f'<a href="{escape(unsubscribe)}" style="{link_style}">{escape(leave_label)}</a> · '
                    f'<a href="{escape(preferences)}" style="{link_style}">{escape(prefs_label)}</a></p>')
    html.append(f'<p style="margin:8px 0 0;color:#555555;font-size:13px;">{escape(mail_leave)}</p>')
    return Footer(text, Markup("\n".join(html)), unsubscribe, preferences)


def archive_url(planned: PlannedMessage, site: Site) -> str | None:
    """The bulletin's page in the public archive, when it has one."""
    if not is_public(planned.bulletin):
        return None
    return site.config.absolute_url(bulletin_path(planned.bulletin))


def address_headers(message: EmailMessage, site: Site, target: Target, *, subject_text: str, date: datetime,
                    message_id_text: str) -> None:
    """From, To, Subject, Date and Message-ID: the same for every message binsite composes to a list."""
    config = site.config
    message["From"] = Address(display_name=one_line(config.mail.sender_name), addr_spec=config.mail.sender)
    message["To"] = Address(addr_spec=target.list)
    message["Subject"] = subject_text
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id_text


def template_context(planned: PlannedMessage, site: Site, body: RenderedBody) -> dict[str, object]:
    bulletin = planned.bulletin
    lang = site.config.language
    category = site.config.category(bulletin.category) if bulletin.category else None
    author = None
    if bulletin.author is not None:
        author = author_label(bulletin.author.name, bulletin.author.role, lang)
    area_names = ui("all_areas", lang) if bulletin.to_all else ", ".join(site.area(a).name for a in bulletin.areas)
    return {
        "config": site.config,
        "bulletin": bulletin,
        "title": one_line(bulletin.title),
        "date_text": format_datetime_text(bulletin.date, lang),
        "area_names": area_names,
        "area": site.area(planned.target.area),
        "category": category.label(lang) if category else None,
        "author": author,
        "urgent": bulletin.urgent,
        "correction": planned.is_correction,
        "partners_list": planned.target.kind == PARTNERS,
        # Sanitised by binsite.render.markup; this is the one place it becomes Markup.
        "body_html": Markup(body.mail_html),
        "body_text": body.mail_text,
        "archive_url": archive_url(planned, site),
        "footer": footer(site, planned.target.list, planned.target.kind),
    }


def compose(planned: PlannedMessage, site: Site, *, body: RenderedBody, environment: jinja2.Environment | None = None,
            media: "tuple[MailFile, ...]" = (), sent_at: datetime | None = None) -> EmailMessage:
    """The e-mail for ``planned`` with its rendered ``body`` (``LoadedSite.body``);
    ``environment`` may be passed in to reuse it. ``media``: the files the mail
    carries (``binsite.source.media.mail_files``): images inline
    (``multipart/related``, ``cid:``), PDFs attached. ``sent_at``: the ``Date:``,
    the moment of sending (now when not given), not the bulletin's date: the
    Message-ID alone identifies the message across retries."""
    config = site.config
    lang = config.language
    env = environment or make_environment(site.root, lang)
    rendered = body
    context = template_context(planned, site, rendered)
    if media:
        context["body_html"] = Markup(mail_html(rendered.mail_html, media))
        context["body_text"] = rendered.mail_text + "\n" + mail_text_list(media, lang)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    html = env.get_template(HTML_TEMPLATE).render(context)

    # policy=SMTP: CRLF line ends and RFC 2047 encoding of non-ASCII headers.
    message = EmailMessage(policy=SMTP)
    address_headers(message, site, planned.target, subject_text=subject(planned, lang),
                    date=sent_at or datetime.now(config.tz), message_id_text=message_id(planned, config.mail.domain))
    if planned.is_correction:
        message["In-Reply-To"] = planned.corrects[0]
        message["References"] = " ".join(planned.corrects)
    message[BULLETIN_HEADER] = planned.bulletin.id
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if media:
        html_part = message.get_payload()[1]
        for item in media:
            maintype, subtype = item.mime.split("/")
            if item.is_image:
                html_part.add_related(item.data, maintype, subtype, cid=f"<{item.cid}>", disposition="inline",
                                      filename=item.name)
        for item in media:
            if not item.is_image:
                maintype, subtype = item.mime.split("/")
                message.add_attachment(item.data, maintype, subtype, filename=item.name, cid=f"<{item.cid}>")
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = lang
    return message
