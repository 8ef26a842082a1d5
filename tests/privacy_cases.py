"""True and false cases for the privacy guard: text -> the kinds ``scan`` must find.

Every case is ``(text, expected kinds in order)``; an empty tuple means "no
finding" (a false positive to avoid). Role addresses of the test site are
``ALLOWED_ADDRESSES`` / ``ALLOWED_DOMAINS``.
"""

from __future__ import annotations

ALLOWED_ADDRESSES = frozenset({"binco.maaspoort@gmail.com", "wijkagent.maaspoort@politie.nl"})
ALLOWED_DOMAINS = frozenset({"bin.example.org"})

FOUND: list[tuple[str, tuple[str, ...]]] = [
    # e-mail
    ("Mail jan.jansen@gmail.com voor info", ("e-mail",)),
    ("[mail mij](mailto:piet@hotmail.nl)", ("e-mail",)),
    ("Stuur het naar jan(at)gmail.com.", ("e-mail",)),
    ("piet [at] ziggo [dot] nl", ("e-mail",)),
    ("J.Jansen+bin@Example.COM.", ("e-mail",)),
    ("iemand@bin.example.org.evil.nl", ("e-mail",)),
    # telefoon
    ("Bel 06-12345678", ("telefoon",)),
    ("Bel 06 1234 5678", ("telefoon",)),
    ("Bel 0612345678.", ("telefoon",)),
    ("Bel 06 - 12 34 56 78", ("telefoon",)),
    ("Tel. 073-1234567", ("telefoon",)),
    ("Tel. 073 123 45 67", ("telefoon",)),
    ("020-1234567 of (073) 123 45 67", ("telefoon", "telefoon")),
    ("+31 6 12345678", ("telefoon",)),
    ("+31(0)73-1234567", ("telefoon",)),
    ("+31 (0)6 1234 5678", ("telefoon",)),
    ("0031 6 12345678", ("telefoon",)),
    ("+31 06 12345678", ("telefoon",)),
    ("[bel](tel:+31612345678)", ("telefoon",)),
    ("Belgisch nummer +32 470 12 34 56", ("telefoon",)),
    ("0612345678 0612345679", ("telefoon", "telefoon")),
    ("Op 10-12-2025 belde 06 12 34 56 78", ("telefoon",)),
    # kenteken, all side codes
    ("Auto met kenteken AB-12-34", ("kenteken",)),
    ("kenteken 12-34-AB", ("kenteken",)),
    ("kenteken 12-AB-34", ("kenteken",)),
    ("kenteken AB-12-CD", ("kenteken",)),
    ("kenteken GH-JK-12", ("kenteken",)),
    ("kenteken 12-GH-JK", ("kenteken",)),
    ("kenteken 12-GHJ-3", ("kenteken",)),
    ("kenteken 1-GHJ-23", ("kenteken",)),
    ("kenteken GV-123-B", ("kenteken",)),
    ("kenteken N-001-SB", ("kenteken",)),
    ("kenteken GHJ-12-K", ("kenteken",)),
    ("kenteken L-12-BBB", ("kenteken",)),
    ("kenteken 1-BB-123", ("kenteken",)),
    ("kenteken 123-BB-1", ("kenteken",)),
    ("een grijze bus, gh12jk? nee: gh-12-jk", ("kenteken",)),
    ("kenteken GH12JK", ("kenteken",)),
    ("kenteken 12GHJ3", ("kenteken",)),
    ("kenteken XR 12 BT", ("kenteken",)),
    # postcode-huisnummer
    ("Adres: 5223 AB 12", ("postcode-huisnummer",)),
    ("Adres: 5223AB 12", ("postcode-huisnummer",)),
    ("Adres: 5223 AB, nr 12", ("postcode-huisnummer",)),
    ("Adres: 5223 AB 12a", ("postcode-huisnummer",)),
    ("Kerkstraat 12, 5223 AB Den Bosch", ("postcode-huisnummer",)),
    ("Kerkstraat 12\n5223 AB 's-Hertogenbosch", ("postcode-huisnummer",)),
    # iban
    ("Maak over naar NL91 ABNA 0417 1643 00", ("iban",)),
    ("NL91ABNA0417164300.", ("iban",)),
    ("Belgisch: BE68 5390 0754 7034", ("iban",)),
    ("Duits: DE89 3704 0044 0532 0130 00", ("iban",)),
    # street + house number
    ("Bij Kerkstraat 12 is een fiets gestolen", ("adres",)),
    ("Inbraak aan de De Hambaken 7.", ("adres",)),
    ("hoek kerkstraat 3a en de markt", ("adres",)),
    ("Burgemeester Loeffplein 70 om 12 uur", ("adres",)),
    ("Kerkstraat nr. 12 werd bezocht", ("adres",)),
    # obfuscated e-mail
    ("jan{at}example.nl", ("e-mail",)),
    ("mail jan at example dot nl", ("e-mail",)),
    ("jan%40example.nl", ("e-mail",)),
    ("jan(a)example.nl", ("e-mail",)),
    ("jan @ example . nl", ("e-mail",)),
    ("jan apenstaartje ziggo punt nl", ("e-mail",)),
    # more phone and plate and postcode forms
    ("Bel 06.12.34.56.78", ("telefoon",)),
    ("Bel 06\u00a012\u00a034\u00a056\u00a078", ("telefoon",)),
    ("Bel 06\u201112345678", ("telefoon",)),
    ("Bel 06\u200b-12345678", ("telefoon",)),
    ("kenteken gh12jk", ("kenteken",)),
    ("nummerbord: ab 12 cd", ("kenteken",)),
    ("auto gh.12.jk", ("kenteken",)),
    ("Adres: 5223ab 12", ("postcode-huisnummer",)),
    ("Adres: 5223 ab 12", ("postcode-huisnummer",)),
    ("NL 91 ABNA 041 716 4300", ("iban",)),
    ("nl91-abna-0417-1643-00", ("iban",)),
    ("BSN 111 222 333", ("bsn",)),
    ("bsn 111.222.333", ("bsn",)),
    # more profiles
    ("fb.me/jan.jansen", ("social-media",)),
    ("instagr.am/piet_p", ("social-media",)),
    ("t.me/klaas", ("social-media",)),
    ("https://www.youtube.com/@marie", ("social-media",)),
    ("volg @jan@mastodon.social", ("social-media",)),
    ("https://mastodon.nl/@jan", ("social-media",)),
    ("https://bsky.app/profile/jan.example", ("social-media",)),
    ("jan.bsky.social", ("social-media",)),
    ("app mij: https://wa.me/31612345678", ("social-media",)),
    ("kenteken xr 12 bt, reed weg", ("kenteken",)),
    # round two (issue 31): separators, splits, confusables, spelled out, glued, O for 0
    ("Bel 06\u00b712\u00b734\u00b756\u00b778", ("telefoon",)),
    ("Bel 06_12345678", ("telefoon",)),
    ("Bel 0 6 1 2 3 4 5 6 7 8", ("telefoon",)),
    ("Bel 06 12\n34 56 78", ("telefoon",)),
    ("Het nummer begint met 06 12 en eindigt op 34 56 78.", ("telefoon",)),
    ("kenteken \u0425\u0412-34-\u041a\u041c", ("kenteken",)),
    ("mail j\u0430n@gmail.com", ("e-mail",)),
    ("auto \u1d0b\u029c-12-\u0299\u0299", ("kenteken",)),
    ("auto G-H-1-2-J-K", ("kenteken",)),
    ("op nummer 14 van de Kerkstraat", ("adres",)),
    ("Kerkstraat een-en-twintig", ("adres",)),
    ("Maaspoortweg nummer twaalf", ("adres",)),
    ("bel nul zes twaalf vierendertig zesenvijftig achtenzeventig", ("telefoon",)),
    ("Adres 5224KL3", ("postcode-huisnummer",)),
    ("Maak over naar NL91 ABNA O417 1643 OO", ("iban",)),
    # round two, second part: a street and its number on two lines, the number first, "plus" and "een en dertig"
    ("Kerkstraat\n12", ("adres",)),
    ("Inbraak op 14 Kerkstraat.", ("adres",)),
    ("op 14a kerkstraat", ("adres",)),
    ("Kerkstraat een en dertig", ("adres",)),
    ("bel plus een-en-dertig zes twaalf vierendertig zesenvijftig achtenzeventig", ("telefoon",)),
    ("bel plus 31 6 12345678", ("telefoon",)),
    ("bel pLus 31 6 12345678", ("telefoon",)),  # a hurried shift key
    ("Bel PLUS 31 612345678", ("telefoon",)),
    ("bel nul zes 12345678", ("telefoon",)),
    # bsn
    ("BSN 111222333", ("bsn",)),
    ("bsn: 123456782", ("bsn",)),
    ("bsn: 1234.56.782", ("bsn",)),
    # social-media
    ("https://facebook.com/jan.jansen", ("social-media",)),
    ("zie www.facebook.com/profile.php?id=100012345", ("social-media",)),
    ("instagram.com/piet_p.", ("social-media",)),
    ("https://twitter.com/jantje/status/123", ("social-media",)),
    ("https://x.com/jantje", ("social-media",)),
    ("tiktok.com/@klaas", ("social-media",)),
    ("[profiel](https://www.linkedin.com/in/marie-de-vries)", ("social-media",)),
    # several in one text, in order of position
    ("Jan (06-12345678, jan@gmail.com) reed AB-12-CD", ("telefoon", "e-mail", "kenteken")),
]

NOT_FOUND: list[str] = [
    # dates, times, years, prices, amounts
    "Op 03-10-2026 om 14:30 uur",
    "Op 2026-10-03 rond 14.30 uur",
    "Van 06.30 - 07.30 uur en van 09:00-17:00",
    "In 2025 is 12 keer ingebroken",
    "Schade: € 12,50 en €1.250,00",
    "03-10-2026 12 mensen kwamen",
    "nummer 123456789 (geen geldig BSN)",
    "rekeningnummer 12345678901 (te lang voor een BSN)",
    # emergency and service numbers
    "Bij spoed: bel 112. Geen spoed: 0900-8844.",
    "Anoniem melden: Meld Misdaad Anoniem 0800-7000",
    "Gemeente: 14 073",
    "Fraudehelpdesk 088-7867372 of 0800-1234567 of 0900 1234567",
    # a postcode alone
    "In de wijk 5223 AB is het rustig",
    "Postcode 5223AB",
    # plate-like words and codes
    "COVID-19, MP3, A2, N279, de A59 en de E40",
    "OM 12 UUR LET OP",
    "NL-Alert om 12:00",
    "Ab-12-cd (gemengde hoofdletters)",
    # numbers too short or too long for a phone, numbers inside longer numbers
    "06-1234567 is te kort, 06-123456789 te lang",
    "versie 1.0612345678, order #0612345678",
    "NL91 ABNA 0417 1643 01 (klopt niet)",
    # web addresses that are not personal profiles
    "https://www.facebook.com/politie",
    "https://www.facebook.com/groups/buurtpreventie",
    "x.com/PolitieDenBosch en instagram.com/gemeentedenbosch",
    "https://www.linkedin.com/company/politie",
    "https://x.com/i/status/1",
    "netflix.com/jan en box.com/piet",
    "https://www.politie.nl/nieuws/2026/123456782/0612345678.html",
    # dates, times and counts after a street-like word; house numbers without a street
    "Op de Markt 12 kramen en 3 kraampjes",
    "Groep 8 van de basisschool, artikel 12 en lijn 3",
    "Zondag 12 oktober om 14.30 uur",
    "Bij huisnummer 12 en nummer 14 brandde licht",
    "Wijkagent Maaspoort en BINCO Empel zijn bereikbaar",
    "Politiebureau Meijerijstraat 1 is open van 9 tot 17 uur",
    "De Muntel 3 keer genoemd",
    "Prijs: 12,50 euro; 2 x 3 meter",
    # ordinals and stop, platform or route numbers after a street-like name (issue 31)
    "De werkzaamheden aan de Maaspoortweg 1e fase",
    "Halte Maaspoort 2 vervalt, gebruik halte 4",
    "Aan de Kerkstraat 2e etappe vanaf maandag",
    "De Hoofdstraat 3de deel is klaar",
    "Het Kerkplein 1ste verdieping is open",
    "Perron Maaspoort 3 is verplaatst",
    "Buslijn Maaspoortweg 5 rijdt om",
    "Bij bushalte Kerkstraat 12 staat een bank",
    # a number before a street's name, or a street's name and a number on two lines, that is no address
    "14 dagen afgesloten, daarna de 3 Kerkstraten en de 2 Hoofdstraten",
    "Op 14 oktober 2026 om 14.30 uur in de Kerkstraat",
    "In 2025 Kerkstraat en Hoofdstraat opnieuw bestraat",
    "Lijn 3 Maaspoortweg rijdt om, halte 4 Kerkstraat vervalt",
    "Van 9 tot 17 Kerkstraat dicht, om 12 Hoofdstraat open",
    "Kerkstraat\n14 dagen afgesloten",
    "Hoofdstraat\n14 oktober weer open",
    "Inbraken in de Kerkstraat.\n12 meldingen dit jaar",
    "Kerkstraat 14 oktober dicht",
    "Om 12.00 Kerkstraat dicht, 3 Markt-kramen",
    "Plus 3 meldingen in de Kerkstraat; twee plus twee is vier",
    "Twee en dertig fietsen in de Kerkstraat, de Kerkstraat een en twintig keer afgezet",
    # numbers written out that are counts, and "een" as an article
    "In de Kerkstraat een inbraak en in de Hoofdstraat zes meldingen",
    "De Kerkstraat twee keer afgezet",
    "Drie fietsen en twee scooters",
    # the BIN's own role addresses
    "Mail de BINCO: binco.maaspoort@gmail.com",
    "Reageer via maaspoort@bin.example.org of lists.bin.example.org: info@lists.bin.example.org",
    "Wijkagent: Wijkagent.Maaspoort@politie.nl",
]


# --- Attacks on a whole site ----------------------------------------------------------------
# ``(class, body, line, sentinel)``: ``body`` is the Markdown of a public
# bulletin whose front matter is 5 lines, so body line 1 is file line 6.
# ``line``: the file line ``binsite check`` must fail at; None: the site must
# build, and ``sentinel`` must be in no output file (in any encoding).
ATTACKS: list[tuple[str, str, int | None, str]] = [
    # members-only markers where a BINCO writes them: the passage is never published
    ("marker", "Publiek.\n::: leden\nGeheim Zwaluwstaart1.\n:::\nNa.\n", None, "Zwaluwstaart1"),
    ("marker", "- een\n- twee\n  ::: leden\n  Geheim Zwaluwstaart2.\n  :::\n- drie\n", None, "Zwaluwstaart2"),
    ("marker", "<div>\n::: leden\nGeheim Zwaluwstaart3.\n:::\n</div>\n", None, "Zwaluwstaart3"),
    ("marker", "> Citaat\n> ::: leden\n> Geheim Zwaluwstaart4.\n> :::\n", None, "Zwaluwstaart4"),
    ("marker", "Tekst\n\t::: LEDEN\nGeheim Zwaluwstaart5.\n\t:::\n", None, "Zwaluwstaart5"),
    # mistyped markers: an error at the marker's line
    ("mistyped", "Publiek.\n\n::: leden:\nGeheim Zwaluwstaart6.\n:::\n", 8, "Zwaluwstaart6"),
    ("mistyped", "Publiek.\n\n:: leden\nGeheim Zwaluwstaart7.\n:::\n", 8, "Zwaluwstaart7"),
    ("mistyped", "Publiek.\n\n::: alleen leden\nGeheim Zwaluwstaart8.\n:::\n", 8, "Zwaluwstaart8"),
    ("mistyped", "Publiek.\n\n::::leden\nGeheim Zwaluwstaart9.\n:::\n", 8, "Zwaluwstaart9"),
    ("mistyped", "Publiek.\n\n::: leden\nGeheim Zwaluwstaart10.\n", 8, "Zwaluwstaart10"),
    ("mistyped", "Publiek.\n- ::: leden\nGeheim Zwaluwstaart11.\n:::\n", 7, "Zwaluwstaart11"),
    ("mistyped", "Publiek.\n\n\uff1a\uff1a\uff1a leden:\nGeheim Zwaluwstaart12.\n:::\n", 8, "Zwaluwstaart12"),
    # what rendering does to the text is what is judged
    ("rendering", "Bel 06&#45;12345678 gerust.\n", 6, "12345678"),
    ("rendering", "Mail jan&#64;example.nl.\n", 6, "jan"),
    ("rendering", "Tekst.\n\nBel 06<!-- x -->-56789012.\n", 8, "56789012"),
    ("rendering", "Bel 06\\-34567890 nu.\n", 6, "34567890"),
    ("rendering", "Bel **06**-23456789.\n", 6, "23456789"),
    ("rendering", "[hier](mailto:piet%40example.nl)\n", 6, "piet"),
    ("rendering", "Bel 0&#x36;-45678901.\n", 6, "45678901"),
    ("rendering", "[bel](https://example.org/?tel=0645678912&x=1)\n", 6, "45678912"),
    ("rendering", "[mail](https://example.org/?to=piet%40example.nl)\n", 6, "piet%40"),
    # normalisation
    ("normalise", "Bel 06\u00a012\u00a034\u00a056\u00a078.\n", 6, "56"),
    ("normalise", "Bel \uff10\uff16-12345678.\n", 6, "12345678"),
    ("normalise", "Bel 06\u200b-1234\u00ad5678.\n", 6, "5678"),
    ("normalise", "Kenteken GH\u201112\u2011JK gezien.\n", 6, "JK"),
    # street + house number, and names in structure
    ("street", "Ingebroken aan de Kerkstraat 12.\n", 6, "Kerkstraat"),
    ("street", "Tekst\n\nBij *De Hambaken* 7 gezien.\n", 8, "Hambaken"),
    ("street", "- Hoofdstraat 3b, achterom\n", 6, "Hoofdstraat"),
]

# Round two (issue 31): what a reader still reads as one number, letters that
# look like others, numbers written out or before the street, glued forms.
ATTACKS += [
    ("separator", "Bel 06\u00b712\u00b734\u00b756\u00b778 na zes uur.\n", 6, "345678"),
    ("separator", "Bel 06\u202712345678.\n", 6, "0612345678"),
    ("separator", "Bel 06\u202212\u202234\u202256\u202278.\n", 6, "345678"),
    ("separator", "Bel 06_1234_5678.\n", 6, "12345678"),
    ("separator", "Bel 0 6 1 2 3 4 5 6 7 8 gerust.\n", 6, "12345678"),
    ("separator", "Tekst.\n\nBel 06 \u00b7 23 \u00b7 45 \u00b7 67 \u00b7 89.\n", 8, "23456789"),
    ("split", "Bel:\n\n- 06 12\n- 34 56 78\n", 8, "345678"),
    ("split", "Bel 06 12<br>34 56 78.\n", 6, "345678"),
    ("split", "Bel 06-1234  \n5678 gerust.\n", 6, "12345678"),
    ("split", "Het nummer begint met 06 12 en eindigt op 34 56 78.\n", 6, "345678"),
    ("split", "Tekst.\n\nHet eindigt op 56 78, en het begint met 06 12 34.\n", 8, "5678"),
    ("split", "1. 06\n2. 12345678\n", 6, "12345678"),
    ("confusable", "Kenteken \u0425\u0412-34-\u041a\u041c gezien.\n", 6, "34"),
    ("confusable", "Kenteken \u03a7\u0392-34-\u039a\u039c gezien.\n", 6, "34"),
    ("confusable", "Mail j\u0430n.jansen@gmail.com.\n", 6, "jansen"),
    ("confusable", "Mail pi\u0435t@h\u043etmail.com.\n", 6, "tmail"),
    ("confusable", "Auto \u1d0b\u029c-12-\u0299\u0299 reed weg.\n", 6, "12"),
    ("confusable", "Kenteken G-H-1-2-J-K.\n", 6, "GH12JK"),
    ("confusable", "Bel \u0660\u0666-12345678.\n", 6, "12345678"),
    ("spelled", "Inbraak op nummer 14 van de Kerkstraat.\n", 6, "14"),
    ("spelled", "Inbraak in de Kerkstraat een-en-twintig.\n", 6, "eenentwintig"),
    ("spelled", "Fiets weg bij de Maaspoortweg nummer twaalf.\n", 6, "twaalf"),
    ("spelled", "Tekst.\n\nSchade aan de Kerkstraat drie\u00ebntwintig.\n", 8, "drie"),
    ("spelled", "Bel nul zes twaalf vierendertig zesenvijftig achtenzeventig.\n", 6, "vierendertig"),
    ("spelled", "Bel nul zes een twee drie vier vijf zes zeven acht.\n", 6, "vijfzes"),
    ("glued", "Adres 5224KL3.\n", 6, "5224KL3"),
    ("glued", "Woning 5224 kl12a staat leeg.\n", 6, "5224kl12a"),
    ("glued", "IBAN NL91 ABNA O417 1643 OO.\n", 6, "ABNA"),
    ("glued", "Maak over: NL91ABNAO4171643OO.\n", 6, "ABNA"),
    ("glued", "Rekening nl91 abna 0417 1643 oo graag.\n", 6, "abna"),
]

# Round two, second part: a street and its number split over two lines or
# list items, the number before the street, numbers written out with "plus"
# or "een en dertig".
ATTACKS += [
    ("split-street", "Inbraak bij:\n\n- Kerkstraat\n- 12\n", 8, "Kerkstraat12"),
    ("split-street", "Inbraak aan de Kerkstraat<br>14.\n", 6, "Kerkstraat14"),
    ("split-street", "Adres Hoofdstraat  \n3b, achterom.\n", 6, "Hoofdstraat3b"),
    ("split-street", "Tekst.\n\n1. Maaspoortweg\n2. 7\n", 8, "Maaspoortweg7"),
    ("split-street", "Fiets weg bij De Hambaken\n\n7\n", 6, "Hambaken7"),
    ("split-street", "| straat | nr |\n| --- | --- |\n| Kerkstraat | 21 |\n", 8, "Kerkstraat21"),
    ("number-first", "Inbraak op 14 Kerkstraat.\n", 6, "14Kerkstraat"),
    ("number-first", "14 Kerkstraat: fiets weg.\n", 6, "14Kerkstraat"),
    ("number-first", "Tekst.\n\nIngebroken bij 7b Hoofdstraat gisteren.\n", 8, "7bHoofdstraat"),
    ("number-first", "Schade op 3 Burgemeester Loeffplein.\n", 6, "3Burgemeester"),
    ("number-first", "- fiets weg op 12 kerkstraat\n", 6, "12kerkstraat"),
    ("number-first", "Inbraak op nummer 14 Kerkstraat.\n", 6, "14Kerkstraat"),
    ("spelled-plus", "Bel plus een-en-dertig zes twaalf vierendertig zesenvijftig achtenzeventig.\n", 6, "vierendertig"),
    ("spelled-plus", "Inbraak in de Kerkstraat eenendertig.\n", 6, "Kerkstraateenendertig"),
    ("spelled-plus", "Inbraak in de Kerkstraat een-en-dertig.\n", 6, "Kerkstraateenendertig"),
    ("spelled-plus", "Schade aan de Hoofdstraat een en dertig.\n", 6, "Hoofdstraateenendertig"),
    ("spelled-plus", "Bel plus eenendertig zes 12345678.\n", 6, "12345678"),
    ("spelled-plus", "Bel plus 31 6 12345678.\n", 6, "12345678"),
    ("spelled-plus", "Tekst.\n\nBel nul zes 23456789.\n", 8, "23456789"),
]

# PDFs beside a bulletin: ``(pages, body, line, page)``. The bulletin links
# ``brief.pdf``; ``line`` is the file line of that link, ``page`` the page
# number the error names.
PDF_ATTACKS: list[tuple[tuple[str, ...], str, int, int]] = [
    (("Bel 06-12345678 voor de sleutel.",), "Lees [de brief](brief.pdf).\n", 6, 1),
    (("Mail piet.jansen@gmail.com",), "Tekst.\n\nLees [de brief](brief.pdf).\n", 8, 1),
    (("Inleiding", "Ingebroken aan de Kerkstraat 12."), "Zie [bijlage](brief.pdf)\n", 6, 2),
    (("Kenteken GH-12-JK gezien",), "- een\n- [de brief](brief.pdf)\n", 7, 1),
    (("Maak over naar", "iets", "NL91 ABNA 0417 1643 00"), "[brief](brief.pdf)\n", 6, 3),
    (("Adres: 5223 AB 12",), "Tekst.\n\n[brief][b]\n\n[b]: brief.pdf\n", 10, 1),  # where the name is
    (("Bel 06\u00b712\u00b734\u00b756\u00b778",), "[brief](brief.pdf)\n", 6, 1),
]

# Person names and base64 in a public bulletin's PDF: a warning at the link's
# line, naming the page, as in the body. ``(pages, body, line, page, word)``:
# ``word`` is in the warning ("persoon" for a name, "base64" for an encoding).
PDF_WARNINGS: list[tuple[tuple[str, ...], str, int, int, str]] = [
    (("Aangifte gedaan door Jan Jansen.",), "Lees [de brief](brief.pdf).\n", 6, 1, "persoon"),
    (("Inleiding", "Getuige: Marieke van der Berg"), "Tekst.\n\n[bijlage](brief.pdf)\n", 8, 2, "persoon"),
    (("Overleg", "met", "Piet de Vries en de wijkagent"), "- [brief](brief.pdf)\n", 6, 3, "persoon"),
    (("Code: S2Vya3N0cmFhdCAxMg==",), "[brief](brief.pdf)\n", 6, 1, "base64"),
    (("Inleiding", "MDYtMTIzNDU2NzggYmVsbGVu"), "Zie [de brief](brief.pdf).\n", 6, 2, "base64"),
    (("UGlldCBKYW5zZW4sIEhvb2Zkc3RyYWF0IDM",), "Tekst.\n\n[brief][b]\n\n[b]: brief.pdf\n", 10, 1, "base64"),
]

# Text made unreadable on purpose in a public body: a warning at the line
# (the site still builds). ``(body, line)``.
ENCODED: list[tuple[str, int]] = [
    ("Code: S2Vya3N0cmFhdCAxMg==\n", 6),                     # "Kerkstraat 12"
    ("Tekst.\n\nMDYtMTIzNDU2NzggYmVsbGVu\n", 8),            # "06-12345678 bellen"
    ("Zie `amFuQGdtYWlsLmNvbSBtYWls`.\n", 6),                # "jan@gmail.com mail", in code
    ("[link](https://example.org/?q=S2Vya3N0cmFhdCAxMg)\n", 6),  # in a link, without padding
    ("- een\n- UGlldCBKYW5zZW4sIEhvb2Zkc3RyYWF0IDM\n", 7),   # "Piet Jansen, Hoofdstraat 3"
    ("Tekst SG9vZmRzdHJhYXQgMyA-Pj4_ hier\n", 6),            # base64url: "Hoofdstraat 3 >>>?"
]
NOT_ENCODED = [
    "Donderdagavondwandelingen en Buurtpreventievergadering",
    "Commit 3f9a2c1e4b5d6a7f8e9d0c1b2a3f4e5d6c7b8a9f en uuid 123e4567-e89b-12d3-a456-426614174000",
    "https://www.politie.nl/nieuws/2026/oktober/12-inbraakgolf-maaspoort.html",
    "Kijk op www.youtube.com/watch?v=dQw4w9WgXcQ",
    "Hoofdlettergebruik: ABCDEFGHIJKLMNOPQRSTUVWXYZ",
]

# Ordinary sentences that build with no privacy finding and are published as written.
MUST_PASS = [
    "De werkzaamheden aan de Maaspoortweg 1e fase",
    "Halte Maaspoort 2 vervalt, gebruik halte 4",
    "14 dagen afgesloten, daarna de 3 Kerkstraten",
    "Op 14 oktober 2026 om 14.30 uur in de Kerkstraat",
    "In 2025 Kerkstraat en Hoofdstraat opnieuw bestraat",
    "Van 9 tot 17 Kerkstraat dicht",
]

# Image sources that must never reach a page (the whole image is dropped).
EVIL_IMAGES = [
    '<img src="/\\evil.example/x.png" alt="x">',
    "![x](//evil.example/x.png)",
    '<img src="\\\\evil.example\\x.png" alt="x">',
    '<img src="&#47;&#47;evil.example/x.png" alt="x">',
    "![x](https://evil.example/x.png)",
    '<img src="data:image/png;base64,ZXZpbC5leGFtcGxl" alt="x">',
    '<img src="%2F%2Fevil.example/x.png" alt="x">',
    '<img src=" //evil.example/x.png" alt="x">',
]
