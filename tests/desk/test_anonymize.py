"""Removing a resident's identity: signatures, sign-offs, quoted mail, name and address in the text."""

from __future__ import annotations

import pytest

from binsite.desk.anonymize import Identity, anonymize_text, clean_subject, mask_address, scrub

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
