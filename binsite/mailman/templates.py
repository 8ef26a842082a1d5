"""binsite's own text for every template Mailman uses for a BIN list.

Mailman sends some messages itself: the hold notice, the join confirmation,
the welcome, the rejection, the goodbye, the BINCO's notices, and it adds a
header and footer to every post. Its stock texts speak of passwords, a web UI
and a dashboard a BIN does not have. ``list_templates`` gives each of those
templates binsite's text (pure); ``TemplateStore`` writes them as files named
by their content, and ``lists sync`` points each list's template URI at its
file through Mailman's REST API (``PATCH /3.1/lists/<list-id>/uris``).

A file's name holds a digest of its text, so a changed text is a new URI:
Mailman caches what it fetched per URI, and a new URI is fetched at once.

The member header and footer are empty: binsite's own text and HTML parts
carry the footer (``binsite.mailing.compose.footer``), and an empty Mailman
footer adds no part. ``$name`` placeholders are Mailman's own, filled in when
it sends; ``$`` in the site's own text is written ``$$``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from binsite.i18n import EMERGENCY, t
from binsite.source.areas import MEMBERS, Area

# Every list template of Mailman 3.3.10 (mailman/interfaces/template.py, ALL_TEMPLATES).
TEMPLATE_NAMES = (
    "list:admin:action:post",
    "list:admin:action:subscribe",
    "list:admin:action:unsubscribe",
    "list:admin:notice:disable",
    "list:admin:notice:increment",
    "list:admin:notice:pending",
    "list:admin:notice:removal",
    "list:admin:notice:subscribe",
    "list:admin:notice:unrecognized",
    "list:admin:notice:unsubscribe",
    "list:member:digest:footer",
    "list:member:digest:header",
    "list:member:digest:masthead",
    "list:member:regular:footer",
    "list:member:regular:header",
    "list:user:action:invite",
    "list:user:action:subscribe",
    "list:user:action:unsubscribe",
    "list:user:notice:goodbye",
    "list:user:notice:hold",
    "list:user:notice:no-more-today",
    "list:user:notice:post",
    "list:user:notice:probe",
    "list:user:notice:refuse",
    "list:user:notice:rejected",
    "list:user:notice:warning",
    "list:user:notice:welcome",
)
# Empty on purpose: Mailman then adds no part (binsite's parts carry the footer).
EMPTY = frozenset({"list:member:digest:footer", "list:member:digest:header",
                   "list:member:regular:footer", "list:member:regular:header"})

# Placeholders the web service's links carry in a message body; the delivery
# class in Mailman's environment (binsite.mta) replaces them per recipient.
UNSUBSCRIBE_MARK = "BINSITE-AFMELDEN-TOKEN"
PREFERENCES_MARK = "BINSITE-VOORKEUREN-TOKEN"

TEMPLATES_DIR_VAR = "BINSITE_MAILMAN_TEMPLATES"
TEMPLATES_URL_VAR = "BINSITE_MAILMAN_TEMPLATES_URL"
DEFAULT_TEMPLATES_DIR = ".binsite/mailman-templates"


def _dollar(text: str) -> str:
    return text.replace("$", "$$")


def desk(web_url: str, lang: str) -> str:
    """Where a BINCO handles what waits: the web desk when there is one, else the CLI desk."""
    if web_url:
        return t("Handel dit af aan de balie: {u}binco/", "Handle this at the BINCO desk: {u}binco/",
                 u=web_url if web_url.endswith("/") else web_url + "/").get(lang)
    return t("Handel dit af met binsite op de opdrachtregel: binsite inbox (berichten) of "
             "binsite members (aanmeldingen); zie de handleiding voor BINCO's.",
             "Handle this with the BINCO desk on the command line: binsite inbox (messages) or binsite members "
             "(subscriptions); see the BINCO handbook.").get(lang)


def leave_text(web_url: str, lang: str, *, personal: bool) -> str:
    """How a member leaves: the personal link (filled in per recipient) and the mailto route."""
    mail = t("Afmelden kan ook per e-mail: stuur een leeg bericht naar $short_listname-leave@$domain.",
             "You can also leave by e-mail: send an empty message to $short_listname-leave@$domain.").get(lang)
    if not web_url or not personal:
        return t("Afmelden: stuur een leeg bericht naar $short_listname-leave@$domain.",
                 "To leave: send an empty message to $short_listname-leave@$domain.").get(lang)
    base = web_url if web_url.endswith("/") else web_url + "/"
    return t("Afmelden of uw voorkeuren wijzigen (u bevestigt eerst op de pagina):\n"
             "  afmelden:   {b}afmelden/{u}\n  voorkeuren: {b}voorkeuren/{p}\n{m}",
             "Leave or change your preferences (you confirm on the page first):\n"
             "  leave:       {b}afmelden/{u}\n  preferences: {b}voorkeuren/{p}\n{m}",
             b=base, u=UNSUBSCRIBE_MARK, p=PREFERENCES_MARK, m=mail).get(lang)


def list_templates(area: Area, kind: str, *, title: str, language: str, web_url: str) -> dict[str, str]:
    """Template name -> text for one list of ``area``. Pure."""
    lang = "en" if language == "en" else "nl"
    members = kind == MEMBERS
    bin_name = _dollar(title)
    what = t(
        "{b} is een Buurt Informatie Netwerk: bewoners, politie en gemeente delen per e-mail informatie over "
        "veiligheid in de buurt. Een bewoner, de BINCO, coördineert het gebied {a} en leest elk bericht eerst.",
        "{b} is a Buurt Informatie Netwerk (neighbourhood information network): residents, police and "
        "municipality share information about safety in the neighbourhood by e-mail. A resident, the BINCO, "
        "coordinates the area {a} and reads every message first.",
        b=bin_name, a=_dollar(area.name)).get(lang)
    # Mailman fills every paragraph of its notices into running text (mailman.utilities.string.wrap),
    # except indented lines: the rules are indented, so each stays on its own line.
    rules = t(
        "Spelregels:\n"
        "  - Beschrijf wat u zag (gedrag, tijd, plek), niet wie: geen namen, kentekens of telefoonnummers.\n"
        "  - Uw bericht gaat eerst naar de BINCO; die beslist of het naar de leden gaat.\n"
        "  - Ga zelf niet achter iemand aan en deel berichten niet op sociale media.",
        "House rules:\n"
        "  - Describe what you saw (behaviour, time, place), not who: no names, licence plates or phone numbers.\n"
        "  - Your message goes to the BINCO first, who decides whether it goes to the members.\n"
        "  - Never go after anyone yourself and do not share messages on social media.").get(lang)
    # The archive's and the service's emergency line, word for word.
    emergency = _dollar(EMERGENCY.get(lang)) + " " + t("Het BIN is geen alarmnummer.", "The BIN is not an emergency number.").get(lang)
    coordinator = t("De BINCO van {a} bereikt u via $owner_email.", "You reach the BINCO of {a} at $owner_email.",
                    a=_dollar(area.name)).get(lang)
    leave = leave_text(web_url, lang, personal=True)
    leave_plain = leave_text(web_url, lang, personal=False)
    binco_desk = desk(web_url, lang)
    sign = bin_name
    L = lambda nl, en: t(nl, en).get(lang)  # noqa: E731 (one line per text, side by side)

    texts = {
        "list:admin:action:post": L(
            "Er wacht een bericht op uw beoordeling als BINCO:\n\n    Lijst:     $listname\n    Van:       "
            "$sender_email\n    Onderwerp: $subject\n\nHet wacht omdat:\n\n$reasons\n\n",
            "A message waits for your review as BINCO:\n\n    List:    $listname\n    From:    $sender_email\n"
            "    Subject: $subject\n\nIt is held because:\n\n$reasons\n\n") + binco_desk,
        "list:admin:action:subscribe": L(
            "Er wacht een aanmelding op uw goedkeuring als BINCO:\n\n    Voor:  $member\n    Lijst: $listname\n\n",
            "A subscription waits for your approval as BINCO:\n\n    For:  $member\n    List: $listname\n\n") + binco_desk,
        "list:admin:action:unsubscribe": L(
            "Er wacht een afmelding op uw goedkeuring als BINCO:\n\n    Voor:  $member\n    Lijst: $listname\n\n",
            "An unsubscription waits for your approval as BINCO:\n\n    For:  $member\n    List: $listname\n\n") + binco_desk,
        "list:admin:notice:disable": L(
            "De bezorging aan $member op $listname is stopgezet: er kwam te vaak mail onbestelbaar terug.\n"
            "Het bericht van de ontvangende server zit erbij, als dat er was.",
            "Delivery to $member on $listname was stopped: too much mail bounced.\n"
            "The receiving server's report is attached, when there was one."),
        "list:admin:notice:increment": L(
            "Er kwam mail aan $member op $listname onbestelbaar terug. Het bericht zit erbij, als dat er was.",
            "Mail to $member on $listname bounced. The report is attached, when there was one."),
        "list:admin:notice:pending": L(
            "Op $listname wachten $count verzoeken op de BINCO.\n\n$data\n",
            "$count requests wait for the BINCO on $listname.\n\n$data\n") + binco_desk,
        "list:admin:notice:removal": L(
            "$member is afgemeld van $listname: er kwam te vaak mail onbestelbaar terug.",
            "$member was removed from $listname: too much mail bounced."),
        "list:admin:notice:subscribe": L("$member is nu lid van $display_name.",
                                         "$member is now a member of $display_name."),
        "list:admin:notice:unrecognized": L(
            "Dit bericht kwam binnen als onbestelbaar, maar er was geen lid in te herkennen. Het zit erbij.",
            "This message arrived as a bounce, but no member could be found in it. It is attached."),
        "list:admin:notice:unsubscribe": L("$member is afgemeld van $display_name.",
                                           "$member has left $display_name."),
        "list:member:digest:masthead": L(
            "Verzamelbericht van $display_name.\nDe BINCO bereikt u via $owner_email.\n",
            "Digest of $display_name.\nYou reach the BINCO at $owner_email.\n") + leave_plain,
        "list:user:action:invite": L(
            "U bent uitgenodigd voor $display_name ($listname).\n\nWilt u meedoen? Beantwoord dit bericht, of stuur "
            "een bericht naar $request_email met alleen deze regel:\n\n    confirm $token\n\n"
            "Wilt u niet meedoen? Dan hoeft u niets te doen.\n\n",
            "You are invited to $display_name ($listname).\n\nTo join, reply to this message, or send a message to "
            "$request_email with only this line:\n\n    confirm $token\n\n"
            "If you do not want to join, do nothing.\n\n") + what + "\n\n" + emergency,
        "list:user:action:subscribe": L(
            "Bevestig uw aanmelding bij $display_name\n\nWe kregen een aanmelding voor het adres\n\n    $user_email\n\n"
            "Bevestig dat dit uw adres is door dit bericht te beantwoorden, of stuur een bericht naar "
            "$request_email met alleen deze regel:\n\n    confirm $token\n\n"
            "Daarna beoordeelt de BINCO uw aanmelding. Heeft u zich niet aangemeld? Dan hoeft u niets te doen.\n\n",
            "Confirm your subscription to $display_name\n\nWe received a subscription for the address\n\n    $user_email\n\n"
            "Confirm that this is your address by replying to this message, or send a message to $request_email "
            "with only this line:\n\n    confirm $token\n\n"
            "The BINCO then reviews your subscription. If you did not subscribe, do nothing.\n\n")
        + what + "\n\n" + coordinator + "\n\n" + emergency,
        "list:user:action:unsubscribe": L(
            "Bevestig uw afmelding bij $display_name\n\nWe kregen een afmelding voor het adres\n\n    $user_email\n\n"
            "Bevestig door dit bericht te beantwoorden, of stuur een bericht naar $request_email met alleen deze "
            "regel:\n\n    confirm $token\n\nWilt u lid blijven? Dan hoeft u niets te doen.\n\n",
            "Confirm leaving $display_name\n\nWe received a request to remove the address\n\n    $user_email\n\n"
            "Confirm by replying to this message, or send a message to $request_email with only this line:\n\n"
            "    confirm $token\n\nIf you want to stay, do nothing.\n\n") + coordinator,
        "list:user:notice:goodbye": L(
            "U bent afgemeld van $display_name en ontvangt geen berichten meer van deze lijst.\n"
            "Wilt u later weer meedoen? Neem contact op met de BINCO via $owner_email.\n\n",
            "You have left $display_name and will receive no more messages from this list.\n"
            "To join again later, contact the BINCO at $owner_email.\n\n") + emergency,
        "list:user:notice:hold": L(
            "Uw bericht aan $listname met het onderwerp\n\n    $subject\n\nwacht op de BINCO. Die leest het en "
            "beslist of het naar de leden gaat.\n\nReden: $reasons\n\nU hoort het als de BINCO het bericht niet "
            "doorstuurt.\n\n",
            "Your message to $listname with the subject\n\n    $subject\n\nwaits for the BINCO, who reads it and "
            "decides whether it goes to the members.\n\nReason: $reasons\n\nYou will hear if the BINCO does not pass "
            "it on.\n\n") + emergency,
        "list:user:notice:no-more-today": L(
            "We kregen van <$sender_email> weer een verzoek om een automatisch antwoord van $listname (vandaag al "
            "$count). Om een lus tussen automaten te voorkomen, antwoorden we vandaag niet meer. Vragen? "
            "$owner_email.",
            "We received another request for an automatic answer from $listname from <$sender_email> ($count today). "
            "To avoid a loop between robots we will not answer again today. Questions? $owner_email."),
        "list:user:notice:post": L("Uw bericht\n\n    $subject\n\nis ontvangen door $display_name.",
                                   "Your message\n\n    $subject\n\nwas received by $display_name."),
        "list:user:notice:probe": L(
            "Dit is een controlebericht; u hoeft er niets mee te doen.\n\nMail van $listname aan $sender_email kwam "
            "een paar keer onbestelbaar terug. Een voorbeeld zit erbij. Vragen? $owner_email.",
            "This is a test message; you need not do anything.\n\nMail from $listname to $sender_email bounced a "
            "few times. A sample is attached. Questions? $owner_email."),
        "list:user:notice:refuse": L(
            "Uw bericht of verzoek aan $listname is niet goedgekeurd door de BINCO. De reden:\n\n\"$reason\"\n\n",
            "Your message or request to $listname was not approved by the BINCO. The reason:\n\n\"$reason\"\n\n")
        + coordinator,
        "list:user:notice:rejected": L(
            "Uw bericht aan $listname is niet doorgestuurd naar de leden. De BINCO schreef:\n\n$reasons\n\n"
            "Uw oorspronkelijke bericht zit erbij.\n\n",
            "Your message to $listname was not passed on to the members. The BINCO wrote:\n\n$reasons\n\n"
            "Your original message is attached.\n\n") + rules + "\n\n" + emergency,
        "list:user:notice:warning": L(
            "De bezorging van $listname aan $sender_email is stopgezet: mail kwam te vaak onbestelbaar terug. "
            "Vragen? $owner_email.",
            "Delivery of $listname to $sender_email was stopped: mail bounced too often. Questions? $owner_email."),
        "list:user:notice:welcome": L("Welkom bij $display_name!\n\n", "Welcome to $display_name!\n\n")
        + what + "\n\n" + rules + "\n\n" + coordinator + "\n\n" + (leave if members else leave_plain) + "\n\n"
        # The BIN's name on a line of its own: a "-- " line would lose its space in Mailman's filling
        # and run into the name ("--  name").
        + emergency + "\n\n" + sign,
    }
    for name in EMPTY:
        texts[name] = ""
    assert set(texts) == set(TEMPLATE_NAMES), set(TEMPLATE_NAMES) ^ set(texts)
    return {name: texts[name] for name in TEMPLATE_NAMES}


def file_name(list_id: str, name: str, text: str) -> str:
    """``<list-id>/<name>.<digest>.txt``: a changed text is a new name (and a new URI)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{list_id}/{name.replace(':', '_')}.{digest}.txt"


@dataclass(frozen=True)
class TemplateStore:
    """Where ``lists sync`` writes the templates and where Mailman reads them.

    ``folder`` is written by binsite; ``base_url`` is the same folder as
    Mailman sees it: ``file://`` when Mailman runs on this machine (the
    default), or an ``https://`` address where the folder is served."""

    folder: Path
    base_url: str

    def uri(self, relative: str) -> str:
        return self.base_url.rstrip("/") + "/" + relative

    def holds(self, relative: str, text: str) -> bool:
        try:
            return (self.folder / relative).read_bytes() == text.encode("utf-8")
        except OSError:
            return False

    def write(self, relative: str, text: str) -> None:
        """Temp file then rename, readable by Mailman (0644: no secret in it)."""
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(text.encode("utf-8"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)


def store_from_env(root: Path, environ: "os._Environ[str] | dict[str, str] | None" = None) -> TemplateStore:
    env = os.environ if environ is None else environ
    folder = Path(env.get(TEMPLATES_DIR_VAR, "").strip() or root / DEFAULT_TEMPLATES_DIR)
    if not folder.is_absolute():
        folder = root / folder
    folder = folder.resolve()
    base_url = env.get(TEMPLATES_URL_VAR, "").strip() or folder.as_uri()
    return TemplateStore(folder, base_url)
