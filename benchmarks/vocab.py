"""Dutch vocabulary for the benchmark corpus: places, streets, sentences.

Everything here is invented or generic: no real persons, no addresses with
house numbers, no licence plates, no phone numbers, no postcodes (binsite's
privacy guard rightly rejects those in public bulletins, and the benchmark
must build, not fail).
"""

from __future__ import annotations

TOWNS = (
    "Rosmalen", "Empel", "Vught", "Boxtel", "Oss", "Berlicum", "Nuland", "Heeswijk", "Schijndel",
    "Veghel", "Zaltbommel", "Waalwijk", "Drunen", "Heusden", "Sint-Michielsgestel", "Maren",
)
WIJKEN = (
    "Maaspoort", "De Muntel", "Het Zand", "Kruiskamp", "Graafsepoort", "Hintham", "De Kruiskamp",
    "Deuteren", "Orthen", "Vliert", "Vinkel", "Bokhoven", "Engelen", "Het Hooghuis", "De Groote Wielen",
    "Binnenstad", "Centrum", "Noord", "Oost", "West", "Zuid", "De Haren", "Molenhoek", "Kattenbosch",
    "De Brand", "Sparrenburg", "Hooge Hees", "Overlangel", "Het Kwadrant", "De Kleine Aa",
    "Aawijk", "Bethaniestraat", "De Donk", "Rijkevoort", "Het Bosje", "Ruwaard", "Schadewijk",
    "Oijen", "Lith", "Teeffelen", "De Brabantse Poort", "Zandhoek",
)
DISTRICTS = ("Noord", "Oost", "Zuid", "West", "Centrum", "Buitengebied")

STREETS = (
    "Kerkstraat", "Molenweg", "Lindelaan", "Dorpsstraat", "Beukenlaan", "Schoolstraat", "Stationsweg",
    "Julianastraat", "Wilhelminalaan", "Eikenlaan", "Havenkade", "Sportlaan", "Kastanjelaan",
    "Populierenlaan", "Nieuwstraat", "Meidoornstraat", "Vlasakker", "Hoefstraat", "Rietvink",
    "Zonnebloemstraat", "Koolmees", "Esdoornlaan", "Graaf Willemlaan", "Vlietdijk", "Pastoor van Erpstraat",
    "Oude Baan", "Hertogweg", "Kloosterpad", "Brugstraat", "Akkerweg", "Bredeweg", "Wielewaal",
)
PLACES = (
    "de speeltuin", "het winkelcentrum", "de basisschool", "het wijkcentrum", "de sporthal",
    "het parkeerterrein bij de supermarkt", "de bushalte", "het fietspad langs het kanaal", "het park",
    "de ingang van het zwembad", "de kinderboerderij", "de brievenbus bij de bakker", "het trapveldje",
    "de garageboxen", "de achterpaden", "het hondenuitlaatveld", "de rotonde", "de kerk",
)
TIMES = ("rond 22.15 uur", "in de nacht van zaterdag op zondag", "tussen 13.00 en 15.00 uur",
         "vroeg in de ochtend", "aan het eind van de middag", "rond etenstijd", "na middernacht",
         "in de loop van de avond", "tijdens het weekend", "rond 7.30 uur")
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
THINGS = ("een elektrische fiets", "een scooter", "een tuinset", "gereedschap uit een schuur",
          "een aanhangwagen", "een bakfiets", "een grasmaaier", "een pakketje", "een laptop",
          "een portemonnee", "sieraden", "een spelcomputer")
DESCRIPTIONS = ("een man met een donkere jas en een rugzak", "twee jongens op een scooter",
                "een persoon in een grijs trainingspak", "een vrouw met een opvallende gele regenjas",
                "een bestelbus zonder opschrift", "een donkere personenauto", "een persoon met een capuchon")
ANIMALS = ("een rode kater", "een zwarte labrador", "een grijze kat met een wit befje",
           "een kleine terriër", "een cyperse poes", "een bruine konijn")

ROLES = {
    "binco": ("BINCO", 70),
    "politie": ("Wijkagent", 18),
    "gemeente": ("Gemeente", 8),
    "boa": ("Handhaving", 4),
}
FIRST_NAMES = ("Anouk", "Bram", "Daan", "Eva", "Fleur", "Joris", "Lotte", "Milan", "Noor", "Ruben",
               "Sanne", "Thijs", "Iris", "Koen", "Femke", "Sem", "Jasmijn", "Wout", "Lieke", "Stijn")

# Category -> (weight, title templates).
CATEGORIES = {
    "inbraak": (18, ("Inbraak in woning aan de {street}", "Poging tot inbraak aan de {street}",
                     "Inbraak in schuur bij {place}", "Ingebroken in bedrijfspand aan de {street}")),
    "verdacht-gedrag": (20, ("Verdachte situatie bij {place}", "Verdacht persoon aan de {street}",
                             "Deurklinkers gezien aan de {street}", "Onbekende auto rijdt rondjes bij {place}")),
    "vernieling": (8, ("Vernielingen bij {place}", "Autoruiten ingeslagen aan de {street}",
                       "Bushokje vernield bij {place}")),
    "verloedering": (5, ("Zwerfafval en dumping bij {place}", "Graffiti op de muur van {place}")),
    "oplichting": (10, ("Let op: nepcollectanten in de wijk", "Babbeltruc aan de deur aan de {street}",
                        "Valse berichten over een pakketje", "Oplichters bellen ouderen in de wijk")),
    "overlast": (8, ("Geluidsoverlast bij {place}", "Overlast van jongeren bij {place}",
                     "Hinderlijk geparkeerde auto's aan de {street}")),
    "verkeer": (6, ("Wegwerkzaamheden aan de {street}", "Te hard gereden aan de {street}",
                    "Aangepaste verkeerssituatie bij {place}")),
    "vermissing": (6, ("Vermist: {animal} rond de {street}", "Gevonden: {animal} bij {place}")),
    "preventietip": (9, ("Preventietip: sluit uw schuur goed af", "Preventietip: licht aan tegen inbrekers",
                         "Preventietip: registreer uw fiets", "Preventietip: de vakantie komt eraan")),
    "oproep": (5, ("Oproep: getuigen gezocht na incident aan de {street}", "Oproep: camerabeelden gezocht",
                   "Oproep: wie zag iets bij {place}?")),
    "nieuws": (5, ("Nieuws uit het BIN {area}", "Terugblik op de buurtavond in {area}",
                   "Nieuwe BINCO voor {area}", "Jaaroverzicht van het BIN {area}")),
}

OPENINGS = (
    "Op {day} {time} is er {what} gemeld aan de {street}.",
    "Een oplettende buurtbewoner meldde ons op {day} {time} {what} in de buurt van {place}.",
    "Via de app kregen wij op {day} het bericht dat er {time} {what} was bij {place}.",
    "Wij willen u graag informeren over {what} aan de {street}, {time} op {day}.",
    "De politie heeft ons gevraagd u te informeren over {what} bij {place}.",
)
WHATS = {
    "inbraak": ("een inbraak", "een poging tot inbraak", "een inbraak in een schuur"),
    "verdacht-gedrag": ("een verdachte situatie", "verdacht gedrag van {desc}", "{desc} die bij deuren aanbelde"),
    "vernieling": ("een vernieling", "schade aan geparkeerde auto's", "vernieling van een bushokje"),
    "verloedering": ("gedumpt afval", "een flinke hoeveelheid zwerfafval", "nieuwe graffiti"),
    "oplichting": ("een babbeltruc", "een poging tot oplichting", "een nepcollectant"),
    "overlast": ("geluidsoverlast", "overlast van een groep jongeren", "hinderlijk parkeren"),
    "verkeer": ("een gevaarlijke verkeerssituatie", "hardrijders", "een afgesloten weg"),
    "vermissing": ("de vermissing van {animal}", "een weggelopen huisdier", "{animal} die is zoekgeraakt"),
    "preventietip": ("een toename van inbraken in schuren", "een reeks fietsdiefstallen", "een seizoensgebonden risico"),
    "oproep": ("een incident waarbij getuigen worden gezocht", "een aanrijding", "een diefstal van {thing}"),
    "nieuws": ("nieuws uit het netwerk", "de buurtavond", "de resultaten van het afgelopen jaar"),
}
SENTENCES = (
    "Daarbij werd {thing} meegenomen.",
    "Er is aangifte gedaan en de politie onderzoekt de zaak.",
    "Volgens getuigen ging het om {desc}.",
    "De persoon liep daarna in de richting van {place}.",
    "Er raakte gelukkig niemand gewond.",
    "De wijkagent is op de hoogte en rijdt de komende dagen vaker een extra ronde.",
    "Het is niet de eerste keer dat er in deze buurt iets dergelijks gebeurt.",
    "Bewoners van de {street} hebben de afgelopen week vaker iets vreemds gezien.",
    "Wij vragen u alert te zijn en verdachte situaties direct te melden.",
    "Ook de gemeente is geïnformeerd en kijkt naar extra verlichting bij {place}.",
    "De dader kwam vermoedelijk binnen via een openstaand raam aan de achterkant.",
    "Op camerabeelden van een buurtbewoner is {desc} te zien.",
    "Het is belangrijk dat u altijd aangifte doet, ook als het om iets kleins gaat.",
    "Hoe meer meldingen er binnenkomen, hoe beter de politie kan bepalen waar zij moet surveilleren.",
    "Wij danken de buurtbewoners die zo snel hebben gereageerd.",
    "Houd vooral de achterpaden en de garageboxen in de gaten.",
    "De eigenaar hoopt dat iemand iets heeft gezien en vraagt u uw schuur of garage te controleren.",
    "Het buurtpreventieteam loopt deze week op {day} een extra ronde.",
    "Twijfelt u? Bel dan liever één keer te vaak dan te weinig.",
    "Het gaat om een landelijk bekende werkwijze die ook in andere wijken voorkomt.",
    "Laat nooit zomaar onbekenden binnen, ook niet als zij een legitimatiebewijs laten zien.",
    "Meer informatie vindt u op de website van de gemeente en bij de wijkagent.",
    "Kinderen van de basisschool hebben ook al iets opgemerkt bij {place}.",
    "Sinds de vorige melding is het gelukkig een stuk rustiger geworden rond {place}.",
)
HEADINGS = ("Wat is er gebeurd?", "Wat kunt u doen?", "Signalement", "Tips van de wijkagent",
            "Meer weten?", "Achtergrond", "Hoe meldt u iets?", "Wat doet de politie?")
TIPS = (
    "Sluit ramen en deuren, ook als u maar even weg bent.",
    "Laat 's avonds een lamp branden als u niet thuis bent.",
    "Zet uw fiets altijd op slot, het liefst met een tweede slot.",
    "Bel **112** bij een heterdaadje of een levensbedreigende situatie.",
    "Noteer een signalement: kleding, lengte, vervoermiddel en looprichting.",
    "Doe aangifte, ook van een poging.",
    "Bewaar camerabeelden en geef ze door aan de politie.",
    "Praat met uw buren en let op elkaars huis tijdens de vakantie.",
    "Geef nooit uw pincode of bankgegevens aan iemand die u belt.",
    "Controleer het legitimatiebewijs van iemand die aan de deur komt.",
    "Hang een bordje van het BIN bij uw voordeur.",
    "Registreer uw waardevolle spullen en maak er een foto van.",
)
LINKS = (
    ("aangifte doen bij de politie", "https://www.politie.nl/aangifte-of-melding-doen"),
    ("Meld Misdaad Anoniem", "https://www.meldmisdaadanoniem.nl/"),
    ("tips van het CCV", "https://hetccv.nl/"),
    ("Maak je huis inbraakproof", "https://www.maakhetzeniettemakkelijk.nl/"),
    ("melding openbare ruimte", "https://www.example.nl/melding-openbare-ruimte"),
    ("de Fraudehelpdesk", "https://www.fraudehelpdesk.nl/"),
    ("ons privacybeleid", "https://bin.example.org/over/"),
)
EMPHASES = ("*Let op:*", "**Belangrijk:**", "*Goed om te weten:*", "**Tip:**")
TABLE_HEADERS = (
    ("Dag", "Tijd", "Plaats"),
    ("Datum", "Soort melding", "Aantal"),
    ("Week", "Meldingen", "Opgelost"),
)
NOTICE_TITLES = (
    "Mededeling: extra surveillance in de wijken", "Mededeling van de gemeente: storing straatverlichting",
    "Waarschuwing voor nepagenten aan de deur", "Oproep: doe mee met de buurtpreventie",
    "Mededeling: nieuwe wijkagenten stellen zich voor", "Jaarwisseling: afspraken en tips",
    "Mededeling: donkere dagen offensief", "Waarschuwing: phishing via de mail",
)
