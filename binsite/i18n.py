"""Dutch and English text for everything a BINCO or a resident reads.

Messages are written where they are raised, in both languages at once::

    t("onbekende categorie {c!r}", "unknown category {c!r}", c=value)

which keeps the Dutch and English side by side for review. Interface strings
used by templates live in ``UI`` below. Dutch is the default everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


@dataclass(frozen=True)
class Text:
    """One message in every supported language."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl

    def __str__(self) -> str:  # the default language, for logs and repr
        return self.get(current_language())


def t(nl: str, en: str, /, **params: object) -> Text:
    """Build a two-language message; ``params`` fill ``{name}`` fields in both."""
    return Text(nl.format(**params), en.format(**params))


# The one emergency line of the archive, the web service and the mails Mailman sends.
EMERGENCY = Text("Bij spoed of gevaar: bel 112. Geen spoed, wel politie: 0900-8844.",
                 "In an emergency: call 112. Police, no emergency: 0900-8844.")


def counted(n: int, one_nl: str, many_nl: str, one_en: str, many_en: str) -> Text:
    """``n`` and its noun, singular for exactly one: "1 aanmelding", "2 aanmeldingen", "0 leden"."""
    return Text(f"{n} {one_nl if n == 1 else many_nl}", f"{n} {one_en if n == 1 else many_en}")


def current_language() -> str:
    """The language for CLI output: BINSITE_LANG, else Dutch."""
    lang = os.environ.get("BINSITE_LANG", DEFAULT_LANGUAGE).strip().lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


MONTHS = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli",
           "augustus", "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"],
}
WEEKDAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def format_date(value: date | datetime, lang: str) -> str:
    """``28 november 2026`` in Dutch, ``28 November 2026`` in English."""
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def format_datetime(value: datetime, lang: str) -> str:
    """The date, and the time when it is not midnight: ``28 november 2026, 14:05``."""
    text = format_date(value, lang)
    if (value.hour, value.minute) != (0, 0):
        text += f", {value.hour:02d}:{value.minute:02d}"
    return text


def format_month(year: int, month: int, lang: str) -> str:
    return f"{MONTHS[lang][month - 1]} {year}"


def format_number(value: int | float, lang: str) -> str:
    """Thousands separated as readers expect: 1.234 in Dutch, 1,234 in English."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


# Interface strings for templates: ``{{ _("home") }}``.
UI: dict[str, Text] = {
    key: Text(nl, en)
    for key, nl, en in [
        ("skip_to_content", "Naar de inhoud", "Skip to content"),
        ("home", "Start", "Home"),
        ("areas", "Gebieden", "Areas"),
        ("area", "Gebied", "Area"),
        ("latest", "Laatste berichten", "Latest bulletins"),
        ("bulletins", "Berichten", "Bulletins"),
        ("notices", "Mededelingen", "Notices"),
        ("notice", "Mededeling", "Notice"),
        ("notice_for", "Mededeling voor", "Notice for"),
        ("all_areas", "alle gebieden", "all areas"),
        ("category", "Categorie", "Category"),
        ("categories", "Categorieën", "Categories"),
        ("author", "Afzender", "From"),
        ("date", "Datum", "Date"),
        ("urgent", "Spoed", "Urgent"),
        ("draft", "Concept", "Draft"),
        ("draft_page", "Concept: alleen in de voorvertoning, niet gepubliceerd en niet verstuurd",
         "Draft: only in the preview, not published and not sent"),
        ("emergency_label", "Spoed", "Emergency"),
        ("follow_up", "Vervolg", "Follow-up"),
        ("follow_ups", "Vervolgberichten", "Follow-ups"),
        ("earlier_message", "Eerder bericht", "Earlier bulletin"),
        ("previous", "Vorige", "Previous"),
        ("next", "Volgende", "Next"),
        ("previous_in_area", "Vorig bericht in dit gebied", "Previous bulletin in this area"),
        ("next_in_area", "Volgend bericht in dit gebied", "Next bulletin in this area"),
        ("page", "Pagina", "Page"),
        ("page_of", "Pagina {page} van {pages}", "Page {page} of {pages}"),
        ("pagination", "Paginering", "Pagination"),
        ("newer", "Nieuwere berichten", "Newer bulletins"),
        ("older", "Oudere berichten", "Older bulletins"),
        ("search", "Zoeken", "Search"),
        ("search_label", "Zoek in de berichten", "Search the bulletins"),
        ("search_button", "Zoek", "Search"),
        ("search_noscript", "Zoeken werkt met JavaScript. Zonder JavaScript vindt u alle berichten via de gebieden en categorieën.",
         "Search needs JavaScript. Without it, find every bulletin through the areas and categories."),
        ("about", "Over het BIN", "About the BIN"),
        ("statistics", "Statistieken", "Statistics"),
        ("feed", "Atom-feed", "Atom feed"),
        ("feed_of", "Atom-feed van {name}", "Atom feed of {name}"),
        ("feed_all", "Atom-feed van alle gebieden", "Atom feed of all areas"),
        ("join", "Lid worden", "Join"),
        ("how_to_join", "Hoe word ik lid?", "How do I join?"),
        ("join_form_link", "Meld u aan met het formulier", "Sign up with the form"),
        ("report_form_link", "Iets gezien? Meld het aan de BINCO met het formulier (is het nu aan de hand: bel 112)",
         "Seen something? Report it to the BINCO with the form (happening now: call 112)"),
        ("join_form_intro", "Of meld u meteen aan met het formulier: kies uw gebied.", "Or sign up at once with the form: choose your area."),
        ("coordinator", "Coördinator (BINCO)", "Coordinator (BINCO)"),
        ("district", "Wijk", "District"),
        ("no_bulletins", "Er zijn nog geen berichten.", "There are no bulletins yet."),
        ("members_only_label", "Alleen voor leden (niet in het openbare archief)", "Members only (not in the public archive)"),
        ("members_only_note", "Een deel van dit bericht is alleen voor leden.", "Part of this bulletin is for members only."),
        ("emergency", EMERGENCY.nl, EMERGENCY.en),
        ("not_found_title", "Pagina niet gevonden", "Page not found"),
        ("not_found_text", "Deze pagina bestaat niet (meer). Oudere berichten worden na een tijd verwijderd.",
         "This page does not exist (any more). Older bulletins are removed after a while."),
        ("back_home", "Naar de startpagina", "Go to the home page"),
        ("in_area", "in", "in"),
        ("breadcrumb", "Kruimelpad", "Breadcrumb"),
        ("main_nav", "Hoofdmenu", "Main menu"),
        ("footer_text", "Een samenwerking van bewoners, politie en gemeente.",
         "A cooperation of residents, police and municipality."),
        ("view_archive", "Bekijk dit bericht in het archief", "View this bulletin in the archive"),
        ("correction", "Correctie", "Correction"),
        ("email_footer", "U ontvangt dit bericht omdat u lid bent van het Buurt Informatie Netwerk.",
         "You receive this message because you are a member of the Buurt Informatie Netwerk."),
        ("partners_only", "Alleen voor partners", "Partners only"),
        # Search (templates/search.html, assets/search.js): one sentence form for 1 and for many.
        ("result_many", "{n} berichten gevonden.", "{n} bulletins found."),
        ("result_one", "1 bericht gevonden.", "1 bulletin found."),
        ("results_capped", "De eerste {shown} staan hieronder; typ meer woorden om te verfijnen.",
         "The first {shown} are shown below; type more words to narrow it down."),
        ("no_results", "Geen berichten gevonden.", "No bulletins found."),
        ("no_results_tip", "Tip: probeer een ander of korter woord, of zoek via de gebieden en categorieën. Oudere berichten zijn na hun bewaartermijn uit het archief gehaald.",
         "Tip: try another or shorter word, or browse the areas and categories. Older bulletins leave the archive after their retention period."),
        ("privacy", "Privacy", "Privacy"),
        ("accessibility", "Toegankelijkheid", "Accessibility"),
        ("contact", "Contact", "Contact"),
        ("join_intro", "Woont u in een van deze gebieden? Kies uw gebied om te lezen hoe u lid wordt. Leden krijgen de berichten per e-mail en kunnen zelf meldingen doen.",
         "Do you live in one of these areas? Choose your area to read how to join. Members receive the bulletins by e-mail and can send reports themselves."),
        ("notices_intro", "Mededelingen van gemeente en politie voor een of meer gebieden.",
         "Notices of the municipality and police for one or more areas."),
        ("follow_up_of_text", "Eerder bericht:", "Earlier bulletin:"),
        ("more_in_area", "Meer berichten in dit gebied", "More bulletins in this area"),
        ("retention_caption", "Bewaartermijnen per categorie", "Retention per category"),
        ("retention_period", "Blijft in het archief", "Stays in the archive"),
        ("retention_forever", "onbeperkt", "without limit"),
        ("retention_days", "{days} dagen", "{days} days"),
        # The statistics page (binsite.stats.figures, templates/stats.html).
        ("stats_intro", "Cijfers over de berichten die op {date} in het openbare archief staan. Berichten die alleen voor partners zijn of niet openbaar, tellen hier niet mee.",
         "Figures about the bulletins in the public archive on {date}. Partners-only and non-public bulletins are not counted here."),
        ("stats_no_tracking", "Deze cijfers worden bij het bouwen van de site uit de berichten zelf berekend. De site telt geen bezoekers, plaatst geen cookies en laadt geen grafiekdienst.",
         "These figures are computed from the bulletins themselves when the site is built. The site counts no visitors, sets no cookies and loads no chart service."),
        ("stats_download", "Download de cijfers (CSV)", "Download the figures (CSV)"),
        ("stats_no_data", "Er staan nog geen berichten in het archief.", "There are no bulletins in the archive yet."),
        ("stats_city", "Alle gebieden", "All areas"),
        ("stats_per_area", "Per gebied", "Per area"),
        ("stats_key_figures", "Kerncijfers per gebied", "Key figures per area"),
        ("stats_total", "Totaal", "Total"),
        ("stats_urgent_share", "Aandeel urgent", "Share urgent"),
        ("stats_followed_up", "Meldingen met terugkoppeling", "Reports followed up"),
        ("stats_of", "{part} van {whole}", "{part} of {whole}"),
        ("stats_notes", "Een mededeling telt mee in elk gebied waarvoor ze is, en in het totaal één keer. Het aandeel urgent is berekend over berichten en mededelingen samen.",
         "A notice counts in every area it is for, and once in the total. The urgent share is taken over bulletins and notices together."),
        ("stats_area_summary", "{bulletins} berichten, {notices} mededelingen, {urgent} urgent, {follow_ups} vervolgberichten.",
         "{bulletins} bulletins, {notices} notices, {urgent} urgent, {follow_ups} follow-ups."),
        ("stats_to_area", "Naar de berichten van {name}", "To the bulletins of {name}"),
        ("stats_table_of", "Cijfers bij de grafiek: {title}", "Figures of the chart: {title}"),
        # Printed pages (templates/base.html): where a printed bulletin can be read online.
        ("print_source", "Online te lezen op", "Read online at"),
        ("chart_figures", "Toon de cijfers als tabel", "Show the figures as a table"),
    ]
}

ROLES: dict[str, Text] = {
    "binco": Text("BINCO", "BINCO"),
    "politie": Text("Politie", "Police"),
    "gemeente": Text("Gemeente", "Municipality"),
    "bewoner": Text("Bewoner", "Resident"),
    "partner": Text("Partner", "Partner"),
}


def ui(key: str, lang: str, **params: object) -> str:
    text = UI[key].get(lang)
    return text.format(**params) if params else text


def role_text(role: str) -> Text:
    """A role's label in both languages; a role binsite does not know as written, capitalised."""
    if role in ROLES:
        return ROLES[role]
    label = role.replace("-", " ").capitalize()
    return Text(label, label)


def role_label(role: str, lang: str) -> str:
    return role_text(role).get(lang)


def author_label(name: str, role: str, lang: str) -> str:
    """``Wijkagent Jansen (Politie)``, but ``BINCO Maaspoort``, not ``BINCO Maaspoort (BINCO)``."""
    label = role_label(role, lang)
    if not name:
        return label
    return name if label.lower() in name.lower() else f"{name} ({label})"
