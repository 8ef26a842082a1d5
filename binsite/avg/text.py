"""Holdings and erasures as the CLI shows them: readable text (Dutch, or English) and JSON (pure)."""

from __future__ import annotations

import json

from binsite.avg.erase import Erasure
from binsite.avg.holdings import Holdings

KIND_LABELS = {
    "address": ("Adres bij Mailman", "Address at Mailman"),
    "membership": ("Lidmaatschap", "Membership"),
    "request": ("Aanmelding die wacht", "Join request waiting"),
    "held": ("Vastgehouden bericht", "Held message"),
    "logbook": ("Logboek van de balie", "Desk logbook"),
    "session": ("Sessies van de balie", "Desk sessions"),
    "spool": ("Afmelding die nog wacht", "Leave request waiting"),
    "partner": ("Melding doorgestuurd aan partners", "Report forwarded to partners"),
    "report": ("Melding via de website die op bevestiging wacht", "Web report waiting for confirmation"),
    "bounce": ("Bouncegegevens", "Bounce records"),
    "bulletin": ("Bericht dat het adres noemt", "Bulletin naming the address"),
    "setting": ("Instelling die het adres noemt", "Setting naming the address"),
}


def render(found: Holdings, lang: str = "nl") -> str:
    en = lang == "en"
    if found.empty:
        lines = [(f"binsite and its Mailman hold nothing about {found.address}." if en else
                  f"binsite en zijn Mailman bewaren niets over {found.address}.")]
    else:
        lines = [(f"What binsite and its Mailman hold about {found.address} ({len(found.items)} items):" if en else
                  f"Wat binsite en zijn Mailman bewaren over {found.address} ({len(found.items)} onderdelen):"), ""]
        for item in found.items:
            lines.append(f"- {KIND_LABELS[item.kind][en]} — {item.where}")
            for key, value in item.details:
                lines.append(f"    {key}: {value}")
            if item.text:
                lines.append("    tekst:" if not en else "    text:")
                lines += ["      " + line for line in item.text.splitlines()]
    for at in found.erasures:
        lines.append(f"(An erasure of this address was recorded at {at}.)" if en else
                     f"(Een wissing van dit adres is vastgelegd op {at}.)")
    return "\n".join(lines)


def as_json(found: Holdings) -> str:
    return json.dumps({"address": found.address, "items": [item.as_json() for item in found.items],
                       "erasures": list(found.erasures)}, ensure_ascii=False, indent=2)


def render_erasure(erasure: Erasure, lang: str = "nl") -> str:
    en = lang == "en"
    if erasure.nothing_found:
        return (f"Nothing is left about {erasure.address}: nothing was erased." if en else
                f"Er is niets meer over {erasure.address}: er is niets gewist.")
    lines = []
    if erasure.done:
        lines.append(f"Erased for {erasure.address}:" if en else f"Gewist voor {erasure.address}:")
        lines += [f"- {KIND_LABELS[item.kind][en]} — {item.where}" for item in erasure.done]
    if erasure.store_compacted:
        lines.append(f"The service's database compacted: {erasure.store_compacted}" if en else
                     f"Database van de dienst gecomprimeerd: {erasure.store_compacted}")
    if erasure.compacted:
        lines.append(f"Mailman's database compacted (VACUUM): {erasure.compacted}" if en else
                     f"Database van Mailman gecomprimeerd (VACUUM): {erasure.compacted}")
    if erasure.bulletins:
        lines.append("These bulletins name the address; binsite never edits a bulletin by itself. Remove the address "
                     "there (binsite check, commit), then erase again:" if en else
                     "Deze berichten noemen het adres; binsite past een bericht nooit zelf aan. Haal het adres daar "
                     "weg (binsite check, commit) en wis dan opnieuw:")
        lines += [f"  {item.where}: {item.detail('regel')}" for item in erasure.bulletins]
    return "\n".join(lines)
