"""The CLI's help in Dutch, the BINCO's language; English with BINSITE_LANG=en.

Click reads help texts when a module is imported; the language is chosen
when a command runs. So the English texts stay where the commands are
declared (next to the code, for developers) and their Dutch lives here,
keyed by command path (``"inbox show"``) and option (``"inbox show --show-senders"``).
``localise`` swaps them in before help is formatted; a test checks that
every command and option has its Dutch.
"""

from __future__ import annotations

import click

from binsite.i18n import current_language

_EXAMPLE = "\b\nVoorbeeld:\n"
_EXAMPLES = "\b\nVoorbeelden:\n"

COMMANDS: dict[str, str] = {
    "": "binsite: de berichten van een Buurt Informatie Netwerk, als openbaar archief en als e-mail.\n\n"
        + _EXAMPLES
        + "  binsite check                 controleer elk bericht, elke lijst en elke instelling\n"
          "  binsite build                 bouw het openbare archief in _site/\n"
          "  binsite new maaspoort \"Fiets gestolen bij de school\"\n"
          "  binsite send --dry-run        laat zien wat er gemaild zou worden\n"
          "  binsite inbox                 wat leden stuurden en op de BINCO wacht\n\n"
          "Zet BINSITE_LANG=en voor Engelse meldingen.",
    "avg": "De AVG: wat binsite over een adres bewaart, een adres wissen, bewaartermijnen.\n\n"
           + _EXAMPLES
           + "  binsite avg inzage jan@example.org\n"
             "  binsite avg inzage jan@example.org --format json --volledig\n"
             "  binsite avg wissen jan@example.org\n"
             "  binsite avg opruimen\n"
             "  binsite avg termijnen",
    "avg inzage": "Alles wat binsite en zijn Mailman over ADRES bewaren, en waar (AVG art. 15).\n\n"
                  "Lidmaatschappen, aanmeldingen, vastgehouden berichten, het adresrecord van Mailman, regels in "
                  "logboek en sessies, afmeldingen in de wachtrij, en berichten of instellingen die het adres "
                  "noemen. Verandert niets.\n\n"
                  + _EXAMPLE + "  binsite avg inzage jan@example.org --format json",
    "avg wissen": "Wis ADRES overal waar binsite en zijn Mailman het bewaren (AVG art. 17).\n\n"
                  "Verwijdert vastgehouden berichten en aanmeldingen, elk lidmaatschap (zonder afscheidsmail), "
                  "het adres en de gebruiker bij Mailman, de wachtrij en het kenmerk in het logboek, en legt vast "
                  "dat er gewist is (nooit het adres). Berichten die het adres noemen worden nooit aangepast: ze "
                  "worden genoemd en de eindstatus is 1 tot ze veranderd zijn. Veilig om te herhalen. Met "
                  "BINSITE_MAILMAN_DB wordt de SQLite-database van Mailman gecomprimeerd.\n\n"
                  + _EXAMPLE + "  binsite avg wissen jan@example.org",
    "desk": "De balie van BINCO's en partners beheren (de webdienst, binsite web).\n\n"
            + _EXAMPLE + "  binsite desk reset-2fa agent@politie.example.nl",
    "desk reset-2fa": "Herstel de tweede factor van ADRES: verwijder diens passkeys, code-app en herstelcodes "
                      "aan beide deuren (BINCO en partner) en beëindig elke sessie van dat adres. Daarna logt de "
                      "persoon in met alleen de link uit de e-mail en stelt een nieuwe tweede factor in. Het "
                      "herstel staat in het logboek (door de beheerder, met het kenmerk van de persoon, nooit "
                      "het adres). Controleer eerst wie er vraagt, buiten de e-mail om (telefoon, persoonlijk).\n\n"
                      + _EXAMPLE + "  binsite desk reset-2fa agent@politie.example.nl",
    "avg opruimen": "Verwijder wat ouder is dan zijn bewaartermijn (retention: in binsite.yaml).\n\n"
                    "Vastgehouden berichten (standaard 30 dagen; de BINCO krijgt eerst bericht, via "
                    "BINSITE_SMTP_HOST/PORT), regels van logboek en sessies (12 maanden), afmeldingen in de "
                    "wachtrij van de webdienst (30 dagen). Draait ook aan het eind van elke 'binsite send'.\n\n"
                    + _EXAMPLE + "  binsite avg opruimen",
    "avg termijnen": "Elke bewaartermijn van de site op één plek (gegevens, dan het archief per categorie).\n\n"
                     + _EXAMPLE + "  binsite avg termijnen",
    "build": "Bouw het openbare archief: pagina's, feeds, zoeken, sitemap.\n\n"
             "Er wordt niets geschreven zolang een bericht een fout heeft (draai `binsite check`).\n\n"
             + _EXAMPLE + "  binsite build --out public/",
    "check": "Controleer instellingen, lijsten en elk bericht; meld ALLE problemen als bestand:regel.\n\n"
             "Eindstatus 1 bij een fout (of, met --strict, een waarschuwing).\n\n"
             + _EXAMPLE + "  binsite check --strict",
    "new": "Schrijf een nieuw berichtbestand met de kop al ingevuld, en toon het pad.\n\n"
           "AREA is een gebied (een bestandsnaam in lists/) of `notices`.\n\n"
           + _EXAMPLE + "  binsite new maaspoort \"Fiets gestolen bij de school\" --category inbraak",
    "web": "Draai de webdienst voor bewoners op http://127.0.0.1:PORT/ (in productie: gunicorn, zie docs/beheer.md).\n\n"
           "Vraagt BINSITE_SECRET_KEY, de Mailman-variabelen en BINSITE_SMTP_HOST/PORT; BINSITE_DATABASE_URL "
           "voor een database die meer instanties delen.\n\n"
           + _EXAMPLE + "  binsite web --port 8050\n"
                        "  binsite web migrate-state",
    "web migrate-state": "Maak of werk de database van de dienst bij en lees de oude statusbestanden er één keer in.\n\n"
                         "De database is BINSITE_DATABASE_URL, anders state/web.sqlite. De dienst doet hetzelfde bij "
                         "zijn eerste start; dit doet het bewust, vooraf (een tweede keer leest niets: niets dubbel).\n\n"
                         + _EXAMPLE + "  BINSITE_DATABASE_URL=postgresql+psycopg://binsite@db/binsite "
                                      "binsite web migrate-state",
    "serve": "Voorvertoning van de site op http://127.0.0.1:PORT/, opnieuw gebouwd en herladen bij elke wijziging.\n\n"
             + _EXAMPLE + "  binsite serve --port 8080",
    "stats": "Cijfers voor de stuurgroep: berichten per gebied, maand, categorie en afzender, aandeel urgent, "
             "vervolgberichten, verstuurde berichten, doorlooptijden, leden en bounces per lijst per maand.\n\n"
             "Telt elk verschenen bericht, ook die voor alleen partners en niet-openbare, uit content/, "
             "state/sent.jsonl, state/members.jsonl en state/bounces.jsonl. Vraagt Mailman niets: leden- en "
             "bouncecijfers zijn zo recent als de laatste send of lists sync.\n\n"
             "Met --desk: per gebied en maand uit het logboek van de balie (in de database van de dienst): "
             "binnengekomen "
             "meldingen, doorgestuurd, beantwoord, gepubliceerde berichten, de mediane tijd van binnenkomst tot "
             "eerste afhandeling, en de berichten en antwoorden van partners met de mediane tijd van doorsturen "
             "tot hun eerste antwoord.\n\n"
             + _EXAMPLE + "  binsite stats --since 2026-09-01 --area maaspoort --area empel\n"
                          "  binsite stats --format csv > bin-statistieken.csv\n"
                          "  binsite stats --desk --since 2026-09-01",
    "send": "Mail elk bericht dat aan de beurt is en nog niet verstuurd werd naar zijn lijsten, precies één keer.\n\n"
            "Eén send (of lists sync) tegelijk per map met een verzendlogboek: een tweede wacht hoogstens --wait "
            "seconden en stopt dan zonder iets te veranderen. Een bericht waarvan niet zeker is of het aankwam, "
            "wordt nooit vanzelf opnieuw verstuurd: leg de uitkomst vast met 'binsite send resolve'.\n\n"
            + _EXAMPLE + "  binsite send --dry-run\n  binsite send\n  binsite send resolve K3QF7A --sent",
    "send resolve": "Leg de uitkomst vast van een bericht dat 'binsite send' als onzeker meldde.\n\n"
                    "Kijk eerst op de lijst of het aankwam (bij een lid, of in het logboek van Mailman).\n\n"
                    + _EXAMPLE + "  binsite send resolve K3QF7A --sent\n  binsite send resolve K3QF7A --resend",
    "mail-config": "Schrijf de instellingen van Postfix en OpenDKIM en de DNS-records voor het lijstdomein.\n\n"
                   "Dezelfde bestanden als in het hoofdstuk over de productiemail in docs/beheer.md (de tests "
                   "draaien Postfix en OpenDKIM ermee): Postfix geeft lijstpost aan Mailman en ondertekent alles "
                   "wat vertrekt met DKIM, List-Unsubscribe en List-Unsubscribe-Post binnen de handtekening.\n\n"
                   + _EXAMPLE + "  binsite mail-config --out /tmp/mail-config --selector bin2026",
    "lists": "De Mailman-lijsten van elk gebied, zoals beschreven in lists/*.yaml.\n\n"
             + _EXAMPLE + "  binsite lists sync --dry-run",
    "lists sync": "Laat Mailman kloppen met lists/ en binsite.yaml: lijsten, instellingen, eigenaars, partners.\n\n"
                  "Bewoners op de ledenlijsten worden nooit aangeraakt. Vraagt BINSITE_MAILMAN_URL, "
                  "BINSITE_MAILMAN_USER, BINSITE_MAILMAN_PASSWORD en BINSITE_LMTP. Met -v elke wijziging apart.\n\n"
                  + _EXAMPLE + "  binsite lists sync --dry-run",
    "local-mailman": "Een eigen, echte Mailman 3 met een SMTP-opvang op deze computer, om binsite uit te proberen.\n\n"
                     + _EXAMPLE + "  eval \"$(binsite local-mailman start)\"\n"
                                  "  binsite lists sync && binsite send\n"
                                  "  binsite local-mailman stop",
    "local-mailman start": "Start Mailman en de opvang, wacht tot ze klaar zijn, en toon de variabelen om te exporteren.\n\n"
                           "De eerste keer wordt Mailman Core in .binsite/mailman-venv geïnstalleerd (ongeveer een halve "
                           "minuut). De variabelen bevatten BINSITE_STATE_DIR: wat naar deze eigen Mailman gaat, komt in "
                           "een eigen verzendlogboek, nooit in state/ van de repository. Met --database postgresql "
                           "bewaart Mailman zijn gegevens in een eigen PostgreSQL (Debians pakket postgresql) op "
                           "127.0.0.1, in postgres/ van de statusmap (als root: een eigen map in /tmp, want PostgreSQL draait dan als "
                           "nobody), zoals in productie; stop stopt die ook.\n\n"
                           + _EXAMPLE + "  eval \"$(binsite local-mailman start)\"\n"
                                        "  binsite local-mailman start --env-file .binsite/local.env\n"
                                        "  binsite local-mailman start --database postgresql",
    "local-mailman status": "Zeg of de lokale Mailman draait, waar, en waar zijn mail heen gaat.\n\n"
                            + _EXAMPLE + "  binsite local-mailman status",
    "local-mailman stop": "Stop de lokale Mailman en de opvang (de afgeleverde mail blijft bewaard).\n\n"
                          + _EXAMPLE + "  binsite local-mailman stop",
    "inbox": "Berichten die op de BINCO wachten op de leden- en partnerlijsten.\n\n"
             "Zonder subopdracht: de vastgehouden berichten van de genoemde gebieden (standaard: alle), nieuwste "
             "eerst, één regel per bericht, met een korte referentie (REF) die gelijk blijft tot het bericht is "
             "afgehandeld. Een gebied dat heet als een subopdracht: 'binsite inbox -- GEBIED'.\n\n"
             + _EXAMPLES + "  binsite inbox                     alles wat wacht, nieuwste eerst\n"
                           "  binsite inbox maaspoort empel     twee gebieden\n"
                           "  binsite inbox --show-senders      met de adressen van de afzenders voluit\n"
                           "  binsite inbox show K3F9QA         lees één bericht\n"
                           "  binsite inbox forward K3F9QA      naar de partners, zonder de naam van de bewoner",
    "inbox accept": "Bezorg het bericht op de lijst waar het naartoe gestuurd werd.\n\n"
                    + _EXAMPLE + "  binsite inbox accept K3F9QA",
    "inbox discard": "Gooi het bericht weg zonder de afzender iets te laten weten (spam, dubbele berichten).\n\n"
                     + _EXAMPLE + "  binsite inbox discard K3F9QA",
    "inbox draft": "Maak van een melding een conceptbericht in content/<gebied>/, zonder wie het stuurde.\n\n"
                   "Bewerk het, haal 'draft: true' weg, controleer, leg vast en publiceer zoals altijd.\n\n"
                   + _EXAMPLE + "  binsite inbox draft K3F9QA",
    "inbox answer": "Antwoord de bewoner die de melding deed, vanaf het adres van de BIN, en gooi daarna de vastgehouden "
                    "melding weg.\n\n"
                    "Het antwoord is een reactie op de melding; het antwoord van een partner gaat mee als citaat, zonder "
                    "wie de partner is. Vraagt BINSITE_SMTP_HOST en BINSITE_SMTP_PORT (de SMTP-server van de BIN).\n\n"
                    + _EXAMPLE + "  binsite inbox answer K3F9QA --text \"Dank voor uw melding; de wijkagent is gaan kijken.\"\n"
                    "  binsite inbox answer K3F9QA --text-file antwoord.txt --partner-reply wijkagent.txt",
    "inbox forward": "Stuur de melding door ZONDER wie de bewoner is, en gooi daarna het vastgehouden origineel weg.\n\n"
                     "Het nieuwe bericht komt van de afzender van binsite en draagt de referentie; adres, naam, "
                     "ondertekening, geciteerde mail en bijlagen van de bewoner blijven weg. Antwoorden gaan naar de BINCO.\n\n"
                     + _EXAMPLE + "  binsite inbox forward K3F9QA --to partners --keep",
    "inbox reject": "Weiger het bericht; de afzender krijgt de reden per e-mail.\n\n"
                    + _EXAMPLE + "  binsite inbox reject K3F9QA --reason \"Dit is geen buurtveiligheid; meld het bij de gemeente.\"",
    "inbox show": "Het hele bericht als tekst: HTML als leesbare tekst, bijlagen genoemd (nooit geopend of opgeslagen).\n\n"
                  + _EXAMPLE + "  binsite inbox show K3F9QA",
    "members": "Bewoners per gebied: aantallen, aanmeldingen, en met de hand toevoegen en verwijderen.\n\n"
               "Zonder subopdracht: leden, wachtende aanmeldingen en vastgehouden berichten per gebied "
               "(standaard: alle); adressen alleen met --show-addresses. Partners worden hier niet beheerd "
               "maar in lists/<gebied>.yaml (binsite lists sync).\n\n"
               + _EXAMPLES + "  binsite members                       aantallen per gebied\n"
                             "  binsite members maaspoort --show-addresses\n"
                             "  binsite members pending --show-addresses\n"
                             "  binsite members approve AB12CD\n"
                             "  binsite members add maaspoort jan@example.org --name \"Jan\"",
    "members add": "Voeg een bewoner toe die zich op papier aanmeldde: goedgekeurd, zonder bevestigingsmail.\n\n"
                   + _EXAMPLE + "  binsite members add maaspoort jan@example.org --name \"Jan Jansen\"",
    "members approve": "Keur een aanmelding goed: de bewoner wordt lid.\n\n"
                       + _EXAMPLE + "  binsite members approve AB12CD",
    "members import": "Importeer een bestaande ledenlijst (CSV: e-mailadres en eventueel naam) in de ledenlijst van GEBIED.\n\n"
                      "Leest bestanden met komma's, puntkomma's of tabs, UTF-8 (met of zonder BOM) of Windows-1252 zoals "
                      "Excel ze schrijft, met of zonder kopregel. Toont eerst wat het zou doen: nieuw, al lid, ongeldig, "
                      "dubbel. Met --yes schrijft het de nieuwe adressen in, goedgekeurd, zonder bevestigingsmail, en "
                      "alleen met --welcome met het welkomstbericht van Mailman. Ongeldige en dubbele regels worden "
                      "overgeslagen en met hun regelnummer genoemd.\n\n"
                      + _EXAMPLES + "  binsite members import maaspoort leden.csv            proefdraai\n"
                                    "  binsite members import maaspoort leden.csv --yes      importeren, geen mail",
    "members pending": "Aanmeldingen die op de BINCO wachten, elk met een referentie.\n\n"
                       "Een aanmelding beoordeelt u op wie het vraagt, dus adressen en namen staan hier.\n\n"
                       + _EXAMPLE + "  binsite members pending maaspoort",
    "members reject": "Wijs een aanmelding af; Mailman laat het de aanvrager weten.\n\n"
                      + _EXAMPLE + "  binsite members reject AB12CD --reason \"U woont niet in dit gebied.\"",
    "members remove": "Haal een bewoner van de ledenlijst van het gebied.\n\n"
                      + _EXAMPLE + "  binsite members remove maaspoort jan@example.org",
}

OPTIONS: dict[str, str] = {
    " --root": "Map van het BIN (met binsite.yaml). Standaard: de dichtstbijzijnde naar boven vanaf hier.",
    " -v": "Vertel wat er gebeurt, met elke stap apart.",
    " --version": "Toon de versie en stop.",
    "avg inzage --format": "text (leesbaar) of json.",
    "avg inzage --volledig": "Toon ook de tekst van vastgehouden berichten.",
    "avg opruimen --now": "Doe alsof het dit moment is (bijvoorbeeld 2026-11-28T14:00).",
    "build --out": "Uitvoermap (standaard: _site/ in de map van het BIN).",
    "build --drafts": "Neem concepten mee (voor een voorvertoning; publiceer dit nooit).",
    "build --now": "Bouw alsof het dit moment is: wat aan de beurt is, wat verlopen is.",
    "build --cache": "Gebruik .binsite/cache om alleen te herdoen wat veranderd is (standaard: aan).",
    "build --progress": "Toon de voortgang per fase (standaard: op een terminal ter plekke bijgewerkt, anders regels).",
    "check --strict": "Behandel waarschuwingen als fouten.",
    "check --now": "Controleer alsof het dit moment is (bijvoorbeeld 2026-11-28T14:00).",
    "new --category": "Categorie uit binsite.yaml, bijvoorbeeld inbraak.",
    "new --audience": "Wie het per e-mail krijgt (members, partners of all).",
    "new --date": "Datum van het bericht (standaard: nu).",
    "serve --port": "Poort op 127.0.0.1.",
    "web --port": "Poort op 127.0.0.1.",
    "local-mailman start --database": "De database van Mailman: SQLite, of een eigen PostgreSQL in de statusmap "
                                      "(zoals in productie).",
    "serve --drafts": "Toon concepten tijdens het schrijven.",
    "stats --since": "Eerste dag die meetelt, bijvoorbeeld 2026-09-01.",
    "stats --until": "Laatste dag die meetelt, bijvoorbeeld 2026-11-30.",
    "stats --area": "Alleen dit gebied (herhaal voor meer).",
    "stats --format": "table om te lezen, csv voor spreadsheets, json voor andere programma's.",
    "stats --now": "Tel alsof het dit moment is (wat er verschenen is).",
    "stats --audit": "Met --desk: het controlespoor, handelingen met extra rechten (inloggen, tweede factor, "
                     "publiceren, toelaten, doorsturen, wissen, importeren, ledenwijzigingen) per persoon en maand.",
    "stats --desk": "De cijfers van de balie: meldingen, doorgestuurd, beantwoord, gepubliceerd, mediane behandeltijd, "
                    "berichten en antwoorden van partners.",
    "send --dry-run": "Laat alleen zien wat er verstuurd zou worden.",
    "send --now": "Verstuur alsof het dit moment is (bijvoorbeeld 2026-11-28T14:00).",
    "send --include-older": "Verstuur ook berichten die ouder zijn dan het verzendvenster.",
    "send --resend-changed": "Verstuur berichten die na het versturen bewerkt zijn opnieuw, als correctie.",
    "send --ledger": "Het verzendlogboek (standaard: state/sent.jsonl).",
    "send --wait": "Hoe lang te wachten op een andere send of lists sync met dezelfde logboekmap.",
    "send --rebind": "Neem deze site en deze Mailman aan als die van het logboek (na een verhuizing van een van "
                     "beide; kijk eerst met --dry-run).",
    "send --adopt": "Verstuur ook naar lijsten met berichten die dit logboek niet kent (een nieuw logboek voor een "
                    "netwerk dat al berichten heeft; zet liever het oude logboek terug als dat er is; kijk eerst met "
                    "--dry-run).",
    "send resolve --sent": "Het kwam wel aan: verstuur het nooit opnieuw.",
    "send resolve --resend": "Het kwam niet aan: de volgende send verstuurt het opnieuw.",
    "send resolve --wait": "Hoe lang te wachten op een andere send of lists sync met dezelfde logboekmap.",
    "mail-config --out": "Map waarin postfix/, opendkim/ en dns.txt komen.",
    "mail-config --hostname": "De naam van de mailserver (standaard: lists.<mail.domain>).",
    "mail-config --selector": "De DKIM-selector (de naam van de sleutel in DNS).",
    "mail-config --key-dir": "Waar opendkim-genkey de sleutel zette: <key-dir>/<domein>/<selector>.private.",
    "lists sync --wait": "Hoe lang te wachten op een send of een andere lists sync met dezelfde logboekmap.",
    "local-mailman start --env-file": "Schrijf de variabelen ook naar dit bestand (alleen voor u leesbaar), "
                                      "bijvoorbeeld .binsite/local.env.",
    "lists sync --dry-run": "Laat alleen zien wat er zou veranderen.",
    "local-mailman start --state-dir": "Map voor de gegevens van Mailman en de afgeleverde mail (standaard: .binsite/local/).",
    "local-mailman start --force": "Stop eerst een half draaiende of vastgelopen Mailman.",
    "local-mailman status --state-dir": "Map voor de gegevens van Mailman en de afgeleverde mail (standaard: .binsite/local/).",
    "local-mailman stop --state-dir": "Map voor de gegevens van Mailman en de afgeleverde mail (standaard: .binsite/local/).",
    "inbox --show-senders": "Toon de adressen van de afzenders voluit (standaard: gemaskeerd, b…1·7c2e@example.org).",
    "inbox show --show-senders": "Toon de adressen van de afzenders voluit (standaard: gemaskeerd, b…1·7c2e@example.org).",
    "inbox answer --text": "Uw antwoord aan de bewoner.",
    "inbox answer --text-file": "Een bestand met uw antwoord ('-': standaardinvoer), voor een langere tekst.",
    "inbox answer --partner-reply": "Een bestand met het antwoord van de partner, geciteerd zonder naam, adres, "
                                    "telefoonnummer of ondertekening.",
    "inbox forward --keep": "Houd de melding in de inbox, om de bewoner later te antwoorden (binsite inbox answer).",
    "inbox forward --to": "De lijst van het gebied waar de melding heen gaat.",
    "inbox reject --reason": "Waarom; de afzender krijgt deze tekst.",
    "members --show-addresses": "Toon adressen voluit (standaard: geen, of gemaskeerd).",
    "members add --name": "De naam van de bewoner zoals Mailman die toont.",
    "members add --welcome": "Stuur het welkomstbericht van Mailman (standaard: helemaal geen mail).",
    "members import --welcome": "Stuur elk nieuw lid het welkomstbericht van Mailman (standaard: geen mail).",
    "members import --yes": "Importeer (--yes), of toon alleen wat een import zou doen (--dry-run, de standaard).",
    "members import --show-addresses": "Toon ook de adressen van de nieuwe en bestaande leden.",
    "members pending --show-addresses": "Toon wie het vraagt (standaard), of maskeer de adressen als anderen het scherm zien.",
    "members reject --reason": "Waarom; de aanvrager krijgt deze tekst.",
}

HELP_OPTION = {"nl": "Toon deze hulp en stop.", "en": "Show this message and exit."}
HEADINGS = {"Options": "Opties", "Commands": "Opdrachten", "Arguments": "Argumenten"}


def localise(command: click.Command, lang: str, path: str = "") -> None:
    """Give ``command`` and everything under it the help of ``lang``."""
    if not hasattr(command, "_binsite_help_en"):
        command._binsite_help_en = command.help  # type: ignore[attr-defined]
    command.help = COMMANDS.get(path, command._binsite_help_en) if lang == "nl" else command._binsite_help_en
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        if not hasattr(param, "_binsite_help_en"):
            param._binsite_help_en = param.help  # type: ignore[attr-defined]
        key = f"{path} {param.opts[0]}" if path else f" {param.opts[0]}"
        param.help = OPTIONS.get(key, param._binsite_help_en) if lang == "nl" else param._binsite_help_en
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            localise(sub, lang, f"{path} {name}".strip())


class LocalFormatter(click.HelpFormatter):
    """Click's headings ("Usage:", "Options") in the CLI's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and current_language() == "nl":
            prefix = "Gebruik: "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if current_language() == "nl":
            heading = HEADINGS.get(heading, heading)
        super().write_heading(heading)


class LocalContext(click.Context):
    formatter_class = LocalFormatter


class _HelpOption:
    """The built-in --help option's own text, in the CLI's language."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION[current_language()]
        return option


class LocalisedCommand(_HelpOption, click.Command):
    context_class = LocalContext


class LocalisedGroup(_HelpOption, click.Group):
    context_class = LocalContext
    command_class = LocalisedCommand


LocalisedGroup.group_class = LocalisedGroup
