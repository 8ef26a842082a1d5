"""Removing a resident's identity from a report, before police, municipality
or the public archive read it.

The BIN promises residents that partners do not learn who reported. What
identifies a resident in an e-mail, and what is done about it here:

- the headers (From, Reply-To, Sender, Received, DKIM, X-...): a forwarded
  report is a new message with none of them (``binsite.desk.inbox``);
- a signature block: everything from a ``-- `` line, a sign-off such as
  "Met vriendelijke groet," or a "Sent from my iPhone" line on, is cut;
- quoted earlier mail: "Op ... schreef ...:" and "On ... wrote:" lines,
  lines starting with ``>``, and everything from an Outlook-style
  "-----Oorspronkelijk bericht-----" or "Van: ... Verzonden: ..." block on;
- the name and address anywhere else: the address, the display name and
  its parts, and the parts of the address's local part are replaced by
  ``[naam]`` / ``[e-mailadres]``; every other e-mail address, phone
  number, street or postcode with house number (``[adres]``) and likely
  person name (a known first name and a surname) in the text too, with the
  privacy guard's detectors (``binsite.privacy``).

Known limits: a name that is neither in the From header, the address nor
the first-name list (a nickname, "de buurvrouw van nr. 12") is not
recognised; the BINCO reads the result before it goes out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from binsite.privacy import names, scan

NAME = "[naam]"
ADDRESS = "[e-mailadres]"
PHONE = "[telefoonnummer]"
STREET_ADDRESS = "[adres]"
_MASKS = {"e-mail": ADDRESS, "telefoon": PHONE, "adres": STREET_ADDRESS, "postcode-huisnummer": STREET_ADDRESS}

# Name particles that say nothing on their own and are ordinary words too.
_PARTICLES = frozenset({"de", "den", "der", "van", "het", "ten", "ter", "te", "op", "in", "aan", "bij", "uit",
                        "la", "le", "du", "da", "di", "von", "vd", "v.d.", "v/d", "'t", "’t", "en", "of", "and",
                        "mr", "mrs", "ms", "dr", "ir", "ing", "drs", "mevr", "dhr", "fam", "familie"})
_MIN_PART = 3

# Sign-offs that start a signature: the line holds the sign-off, optionally a
# comma or full stop and a short name. Everything from there on is cut.
_SIGN_OFFS = (
    r"(?:met\s+)?(?:vriendelijke|hartelijke|beste|lieve|warme|sportieve|zonnige|fijne)\s+groet(?:en|jes)?",
    r"(?:met\s+)?groet(?:en|jes)?", r"groetjes", r"gr(?:oet)?\.?", r"m\.?\s?v\.?\s?g\.?", r"mvg", r"vr\.?\s?gr\.?",
    r"hoogachtend", r"alvast\s+bedankt", r"bij\s+voorbaat\s+dank",
    r"(?:kind|best|warm)\s+regards", r"regards", r"best\s+wishes", r"cheers", r"yours\s+(?:sincerely|truly)",
    r"sincerely",
)
# After the sign-off: at most a name of up to five words ("Groet, Jan de Vries").
_NAME_WORD = r"[^\W\d_][\w'’.\-]*"
_SIGN_OFF_LINE = re.compile(r"^\s*(?:" + "|".join(_SIGN_OFFS) + r")\s*[,.!:;-]?\s*(?:" + _NAME_WORD
                            + r"(?:\s+" + _NAME_WORD + r"){0,4})?\s*[,.!]?\s*$", re.IGNORECASE)
_SIGNATURE_MARK = re.compile(r"^(?:-- ?|--|__+|—+)\s*$")
_SENT_FROM = re.compile(r"^\s*(?:verzonden\s+(?:vanaf|met|via)|sent\s+from|get\s+outlook\s+for|"
                        r"verstuurd\s+(?:vanaf|met|via)|download\s+outlook)\b", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(?:oorspronkelijk\s+bericht|original\s+message|doorgestuurd\s+bericht|"
                       r"forwarded\s+message|origineel\s+bericht)\s*-{2,}\s*$", re.IGNORECASE)
_HEADER_BLOCK_START = re.compile(r"^\s*\*?(?:van|from)\s*:\*?\s", re.IGNORECASE)
_HEADER_BLOCK_NEXT = re.compile(r"^\s*\*?(?:verzonden|sent|datum|date|aan|to|onderwerp|subject|cc)\s*:", re.IGNORECASE)
# "Op wo 4 nov. 2026 om 10:12 schreef Jan <jan@x.nl>:" (may wrap over two lines)
_QUOTE_HEADER = re.compile(r"^\s*(?:op|on|am|le)\s.{0,300}?\b(?:schreef|wrote|schrieb|a\s+écrit)\b.{0,200}?:\s*$",
                           re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


@dataclass(frozen=True)
class Identity:
    """Who sent a message, as far as the message says."""

    address: str
    display_name: str = ""

    @property
    def local_part(self) -> str:
        return self.address.split("@", 1)[0] if "@" in self.address else ""

    def phrases(self) -> list[str]:
        """Every piece of text that names this resident, longest first."""
        found: set[str] = set()
        for whole in (self.display_name, self.local_part):
            whole = " ".join(whole.replace('"', " ").split())
            if len(whole) >= _MIN_PART - 1:
                found.add(whole)
        # "Jan de Vries" -> Jan, Vries; "de Vries, Jan" too; "jan.devries+bin" -> jan, devries, bin.
        for part in re.split(r"[\s,;()\"]+", self.display_name):
            part = part.strip(".'’-")
            if len(part) >= 2 and part.lower() not in _PARTICLES:
                found.add(part)
        for part in re.split(r"[._+\-\d]+", self.local_part):
            if len(part) >= _MIN_PART and part.lower() not in _PARTICLES:
                found.add(part)
        # "Jan de Vries" also as "de Vries" / "Vries" (done), and as "J. de Vries" when written so.
        # "Henriëtte" is also written "Henriette".
        found |= {_fold(p) for p in found}
        unique = {p.lower(): p for p in sorted(found)}
        return sorted(unique.values(), key=lambda p: (-len(p), p.lower()))


def _fold(text: str) -> str:
    """``Henriëtte`` -> ``Henriette``: without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def mask_address(address: str) -> str:
    """``jan.devries@example.org`` -> ``j***@example.org``: enough to tell senders apart, not to name one."""
    local, at, domain = address.strip().partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def strip_quotes(text: str) -> str:
    """Without quoted earlier mail: quote headers, ``>`` lines, and forwarded/Outlook blocks to the end."""
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _ORIGINAL.match(line):
            break
        if _HEADER_BLOCK_START.match(line) and any(_HEADER_BLOCK_NEXT.match(n) for n in lines[index + 1:index + 5]):
            break
        if line.lstrip().startswith(">"):
            index += 1
            continue
        two = line + " " + lines[index + 1] if index + 1 < len(lines) else None
        if _QUOTE_HEADER.match(line):
            index += 1
            continue
        if two is not None and re.match(r"^\s*(?:op|on)\s", line, re.IGNORECASE) and _QUOTE_HEADER.match(two) \
                and not line.rstrip().endswith((".", "!", "?")):
            index += 2
            continue
        kept.append(line)
        index += 1
    return "\n".join(kept)


def strip_signature(text: str) -> str:
    """Everything before the signature: cut at ``-- ``, a sign-off line, or "Verzonden vanaf mijn ..."."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _SIGNATURE_MARK.match(line) or _SENT_FROM.match(line):
            return "\n".join(lines[:index])
        if line.strip() and _SIGN_OFF_LINE.match(line) and index > 0:
            return "\n".join(lines[:index])
    return text


def scrub(text: str, identity: Identity | None) -> str:
    """``text`` with the resident's address, name and name parts, and every e-mail address
    and phone number, replaced by placeholders."""
    if identity is not None and identity.address:
        text = re.sub(re.escape(identity.address), ADDRESS, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(ADDRESS, text)
    # The privacy guard's detectors (the same ``binsite check`` uses): e-mail
    # addresses in every spelling, phone numbers, street + house number and
    # postcode + house number, and likely person names (first name + surname).
    for finding in reversed([f for f in scan(text) if f.kind in _MASKS]):
        text = text[:finding.start] + _MASKS[finding.kind] + text[finding.end:]
    for finding in reversed(names(text)):
        text = text[:finding.start] + NAME + text[finding.end:]
    if identity is not None:
        for phrase in identity.phrases():
            pattern = r"(?<![\w])" + r"\s+".join(re.escape(word) for word in phrase.split()) + r"(?![\w])"
            text = re.sub(pattern, NAME, text, flags=re.IGNORECASE)
        # Collapse what a name with initials and particles leaves: "J. de [naam]", "[naam] van der [naam]".
        particles = r"(?:van|de|der|den|ten|ter|te|het|'t|’t|von|la|le|du|da|di)"
        text = re.sub(r"\[naam\](?:\s+" + particles + r")*\s+\[naam\]", NAME, text, flags=re.IGNORECASE)
        text = re.sub(r"(?<!\w)(?:[A-Z]\.\s?)*(?:" + particles + r"\s+)*(?=\[naam\])", "", text, flags=re.IGNORECASE)
    return text


def anonymize_text(text: str, identity: Identity | None) -> str:
    """The report's own words without anything that tells who wrote it."""
    text = text.replace("\r\n", "\n")
    text = strip_quotes(text)
    text = strip_signature(text)
    text = scrub(text, identity)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""


_SUBJECT_TAGS = re.compile(r"^\s*(?:(?:re|fw|fwd|wg|antw|doorst)\s*:\s*|\[[^\]]{0,60}\]\s*)+", re.IGNORECASE)


def clean_subject(subject: str, identity: Identity | None) -> str:
    """The subject without "Re:"/"Fwd:"/"[BIN ...]" tags and without the resident's identity."""
    subject = _SUBJECT_TAGS.sub("", subject)
    return " ".join(scrub(subject, identity).split())
