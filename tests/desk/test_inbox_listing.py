"""How the inbox listing shows a held message: masked sender, preview (pure)."""

from __future__ import annotations

import pytest

from binsite.desk.inbox import mask_sender, preview


@pytest.mark.parametrize("text, expected", [
    ("Hallo BINCO,\n\nEr staat een auto met draaiende motor.\n", "Er staat een auto met draaiende motor."),
    ("Beste buurtcoördinator!\nDe lantaarn is kapot.", "De lantaarn is kapot."),
    ("Goedemorgen allemaal\n\nInbraak in de schuur.", "Inbraak in de schuur."),
    ("Hoi,\n> quoted\nOp 3 mei 2026 schreef Jan <jan@example.org>:\nTekst", "Tekst"),
    ("Hallo, er is ingebroken bij nummer 3.", "Hallo, er is ingebroken bij nummer 3."),
    ("Dear BINCO,\n\nA car has been parked here for days.", "A car has been parked here for days."),
    ("Hallo BINCO,\n", ""),
])
def test_the_preview_skips_greetings_and_quotes(text, expected):
    assert preview(text) == expected


def test_the_mask_tells_senders_of_one_domain_apart_and_is_stable():
    a, b = mask_sender("bewoner1@example.org"), mask_sender("bewoner2@example.org")
    assert a != b and a.startswith("b…1·") and b.startswith("b…2·") and a.endswith("@example.org")
    assert mask_sender("Bewoner1@Example.org") == mask_sender("bewoner1@example.org")
    assert "bewoner" not in a and mask_sender("x@example.org").startswith("x·")
