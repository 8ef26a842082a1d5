"""Removing a resident's identity: signatures, sign-offs, quoted mail, name and address in the text."""

from __future__ import annotations

import difflib
import re

import pytest

from binsite.desk.anonymize import Identity, anonymize_text, clean_subject, mask_address, scrub
from tests.desk.anonymize_cases import CASES

JAN = Identity("jan.devries@res.example.org", "Jan de Vries")
REPORT = "Er stond vannacht een busje met draaiende motor bij de school."


@pytest.mark.parametrize("address, masked", [
    ("jan.devries@example.org", "j***@example.org"),
    ("J@example.org", "J***@example.org"),
    ("geen-adres", "***"),
    ("", "***"),
])
def test_mask_address(address, masked):
    assert mask_address(address) == masked


# (what the resident wrote after the report, what must be gone)
SIGNATURES = [
    ("-- \nJan de Vries\nKerkstraat 12\n06-12345678", "Kerkstraat"),
    ("--\nJ. de Vries, Kerkstraat 12", "Kerkstraat"),
    ("Met vriendelijke groet,\nJan de Vries\nKerkstraat 12", "Kerkstraat"),
    ("Met vriendelijke groeten,\n\nJan\nKerkstraat 12", "Kerkstraat"),
    ("Vriendelijke groet,\nBewoner Kerkstraat 12", "Kerkstraat"),
    ("Hartelijke groet, Jan\nKerkstraat 12", "Kerkstraat"),
    ("Groeten,\nJan (Kerkstraat 12)", "Kerkstraat"),
    ("Groet Jan\nKerkstraat 12", "Kerkstraat"),
    ("Groetjes,\nJantje van nr. 12", "Jantje"),
    ("Mvg,\nJ.d.V.\nKerkstraat 12", "Kerkstraat"),
    ("M.v.g. Jan de Vries", "M.v.g."),
    ("Gr. Jan\nKerkstraat 12", "Kerkstraat"),
    ("Hoogachtend,\nmr. J. de Vries", "mr."),
    ("Alvast bedankt,\nJan\nKerkstraat 12", "Kerkstraat"),
    ("Kind regards,\nJohn Smith\nMain Street 1", "Smith"),
    ("Verzonden vanaf mijn iPhone", "iPhone"),
    ("Sent from my Galaxy", "Galaxy"),
    ("______\nJan de Vries | Kerkstraat 12", "Kerkstraat"),
]


@pytest.mark.parametrize("signature, gone", SIGNATURES)
def test_signatures_and_sign_offs_are_cut(signature, gone):
    result = anonymize_text(f"Hoi BINCO,\n\n{REPORT}\n\n{signature}\n", JAN)
    assert REPORT in result
    assert gone.lower() not in result.lower()
    assert "jan" not in result.lower() and "vries" not in result.lower()


QUOTES = [
    "Op wo 4 nov. 2026 om 10:12 schreef Jan de Vries <jan.devries@res.example.org>:\n> Eerder bericht\n> van Jan",
    "Op wo 4 nov. 2026 om 10:12 schreef Jan de Vries <\njan.devries@res.example.org>:\n\n> Eerder bericht",
    "On Wed, Nov 4, 2026 at 10:12 AM Jan de Vries <jan.devries@res.example.org> wrote:\n> Earlier",
    "-----Oorspronkelijk bericht-----\nVan: Jan de Vries\nVerzonden: woensdag 4 november 2026\nAan: BIN\nEerder bericht",
    "-----Original Message-----\nFrom: Jan\nEarlier",
    "________________________________\nVan: Jan de Vries <jan.devries@res.example.org>\nVerzonden: woensdag\n"
    "Aan: noord@bin.example.org\nOnderwerp: Busje\n\nEerder bericht van Kerkstraat 12",
    "---------- Forwarded message ---------\nFrom: Jan <jan.devries@res.example.org>\nDate: Wed\nSubject: x\n\nKerkstraat 12",
]


@pytest.mark.parametrize("quote", QUOTES)
def test_quoted_mail_and_its_headers_are_removed(quote):
    result = anonymize_text(f"{REPORT}\n\n{quote}\n", JAN)
    assert result.strip() == REPORT
    assert "schreef" not in result and "wrote" not in result


def test_quoted_lines_go_but_interleaved_answers_stay():
    text = "> Heeft iemand iets gezien?\nJa, om 23:00 een busje.\n> Welke kleur?\nWit, zonder opschrift.\n"
    assert anonymize_text(text, JAN) == "Ja, om 23:00 een busje.\nWit, zonder opschrift.\n"


# (text, identity, expected)
SCRUBS = [
    ("Ik, Jan de Vries, zag het.", JAN, "Ik, [naam], zag het."),
    ("Ik (Jan) zag het.", JAN, "Ik ([naam]) zag het."),
    ("J. de Vries zag het.", JAN, "[naam] zag het."),
    ("J. De Vries zag het.", JAN, "[naam] zag het."),
    # A particle that is not the name's own stays: only "de" belongs to "Jan de Vries".
    ("Ik hoorde het van Jan, via de buurvrouw.", JAN, "Ik hoorde het van [naam], via de buurvrouw."),
    ("Fam. de Vries zag het.", JAN, "Fam. [naam] zag het."),
    ("JAN DE VRIES zag het.", JAN, "[naam] zag het."),
    ("Mail jan.devries@res.example.org of JAN.DEVRIES@RES.EXAMPLE.ORG.", JAN, "Mail [e-mailadres] of [e-mailadres]."),
    ("Mijn account heet jan.devries.", JAN, "Mijn account heet [naam]."),
    ("Schrijf naar devries.", JAN, "Schrijf naar [naam]."),
    ("Bel 06-12345678 of 073 612 34 56.", JAN, "Bel [telefoonnummer] of [telefoonnummer]."),
    ("Ook piet@example.org zag het.", JAN, "Ook [e-mailadres] zag het."),
    ("Henriette en Henriëtte zagen het.", Identity("h.z@res.example.org", "Henriëtte Zwaluw"), "[naam] en [naam] zagen het."),
    ("de Vries, Jan zag het.", Identity("x@res.example.org", "Vries, Jan de"), "[naam], [naam] zag het."),
    # Whole words only: other names and ordinary words stay.
    ("Jansen en januari en Vriesland.", JAN, "Jansen en januari en Vriesland."),
    ("Op de hoek van de straat.", JAN, "Op de hoek van de straat."),
    ("Geen afzender bekend.", None, "Geen afzender bekend."),
]


@pytest.mark.parametrize("text, identity, expected", SCRUBS)
def test_the_name_and_address_are_replaced_anywhere_in_the_text(text, identity, expected):
    assert scrub(text, identity) == expected


def test_ordinary_sentences_are_kept():
    text = ("Op de hoek van de Kerkstraat stond een busje.\nBedankt voor de snelle reactie van vorige week.\n"
            "Groeten uit de buurt zijn er niet: het is onrustig sinds de braderie, vooral 's avonds.\n")
    assert anonymize_text(text, JAN) == text


@pytest.mark.parametrize("subject, expected", [
    ("Re: [BIN Noord] Busje gezien", "Busje gezien"),
    ("Fwd: WG: Busje gezien door Jan de Vries", "Busje gezien door [naam]"),
    ("Antw: Inbraak bij jan.devries@res.example.org", "Inbraak bij [e-mailadres]"),
    ("", ""),
])
def test_clean_subject(subject, expected):
    assert clean_subject(subject, JAN) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Piet Bakker van Kerkstraat 12 belde 06-12345678.", "[naam] van [adres] belde [telefoonnummer]."),
    ("Mail Marieke van der Berg: marieke{at}ziggo.nl", "Mail [naam]: [e-mailadres]"),
    ("Het was bij De Hambaken 7 of bij 5223 ab 7.", "Het was bij [adres] of bij [adres]."),
    ("Wijkagent Maaspoort is ingelicht.", "Wijkagent Maaspoort is ingelicht."),
])
def test_guard_detectors_mask_other_people(text, expected):
    assert scrub(text, None) == expected


# --- the table of real-looking reports (tests/desk/anonymize_cases.py) ----------------------------

def _words(text: str) -> list[str]:
    return re.findall(r"\[naam\]|[^\W_]+", text)


def measure(anonymize, cases=CASES) -> dict[str, int]:
    """Over the table: names, names missed (still in the result), words, and ordinary words
    masked (an input word outside every name that the result lost to ``[naam]``)."""
    figures = {"cases": len(cases), "names": 0, "missed": 0, "words": 0, "false_masks": 0}
    for address, display, text, names_in, _expected in cases:
        result = anonymize(text, Identity(address, display))
        figures["names"] += len(names_in)
        figures["missed"] += sum(bool(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", result)) for n in names_in)
        name_words = {w.lower() for n in names_in for w in _words(n)}
        before, after = _words(text), _words(result)
        figures["words"] += len(before)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if tag in ("replace", "delete") and "[naam]" in after[j1:j2]:
                figures["false_masks"] += sum(w.lower() not in name_words for w in before[i1:i2])
    return figures


@pytest.mark.parametrize("address, display, text, names_in, expected", CASES,
                         ids=[f"{n:02d}" for n in range(len(CASES))])
def test_a_real_report_is_masked_exactly_so(address, display, text, names_in, expected):
    assert anonymize_text(text, Identity(address, display)) == expected


def test_the_table_measures_no_false_mask_and_one_known_miss():
    assert len(CASES) >= 30
    figures = measure(anonymize_text)
    print(f"\nanonymize table: {figures['cases']} cases, {figures['words']} words, {figures['names']} names; "
          f"false masks {figures['false_masks']}, missed names {figures['missed']}")
    assert figures["false_masks"] == 0
    # The one miss: "Piet" alone in a sentence (a first name in no name position, see the module's limits).
    assert figures["missed"] == 1
    # The measure itself sees a false mask and a miss when there is one.
    assert measure(lambda text, identity: text.replace("een", "[naam]"))["false_masks"] > 0
    assert measure(lambda text, identity: text)["missed"] == figures["names"]


def test_an_ordinary_word_or_a_role_in_the_name_is_masked_only_where_a_name_stands():
    een = Identity("een@res.example.org", "Een")
    assert scrub("Ik zag een man en een vrouw. Een uur later: niets.", een) == \
        "Ik zag een man en een vrouw. Een uur later: niets."
    assert scrub("Groeten aan mevrouw Een.", een) == "Groeten aan mevrouw [naam]."
    agent = Identity("p.jansen@politie.example.org", "Wijkagent Jansen")
    assert scrub("De wijkagent, Wijkagent Jansen, belt u.", agent) == "De wijkagent, Wijkagent [naam], belt u."
    assert scrub("Wijkagent", agent) == "Wijkagent"
