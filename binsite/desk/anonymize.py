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
- the name and address anywhere else: the address and the display name as
  a phrase are replaced by ``[e-mailadres]`` / ``[naam]``; so is each part
  of the name or of the address's local part that is no ordinary word. A
  part that is an ordinary word (one of the 500 most frequent Dutch words or
  the guard's common words: a sender called "Een" or "Wijkagent Jansen") or a
  role ("wijkagent", "BINCO") is masked only where a name stands:
  capitalised, after "meneer"/"mevrouw", after a greeting, or next to another
  capitalised part of the name. Every other e-mail address, phone number,
  street or postcode with house number (``[adres]``) and likely person name
  (a known first name and a surname, a capitalised word after "meneer",
  "mevrouw" or a greeting) in the text too, with the privacy guard's
  detectors (``binsite.privacy``).

Known limits: a name that is neither in the From header, the address nor
the first-name list and stands in no name position (a nickname, a first name
alone in a sentence, "de buurvrouw van nr. 12") is not recognised; the BINCO
reads the result before it goes out. ``tests/desk/anonymize_cases.py`` holds
real-looking reports with the exact result, and what is measured on them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from binsite.privacy import ROLE_WORDS, fold, names, ordinary_words, scan

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
        """The pieces of text that name this resident wherever they stand, longest first: the
        display name as a phrase, the local part, and each part that is no ordinary word."""
        return _longest_first({p for p in self._pieces() if not _ordinary(p) or " " in p.strip()})

    def name_parts(self) -> list[str]:
        """The parts that are ordinary words or roles ("Een", "Wijkagent"): a name only where a name stands."""
        return _longest_first({p for p in self._pieces() if _ordinary(p) and " " not in p.strip()})

    def particles(self) -> list[str]:
        """The name's particles as written ("van der" of "Jan van der Berg"), or none."""
        words = self.display_name.replace(",", " ").split()
        found, run = [], []
        for word in words + [""] if len(words) > 1 else ():
            if word.lower() in _PARTICLES:
                run.append(word)
            elif run:
                found.append(" ".join(run))
                run = []
        return found

    def _pieces(self) -> set[str]:
        found: set[str] = set()
        # "Wijkagent Jansen": the phrase is the name without its role, which stays readable.
        words = self.display_name.replace('"', " ").split()
        while words and fold(words[0].strip(",.:")).lower() in _TITLES:
            words.pop(0)
        while words and fold(words[-1].strip(",.:")).lower() in _TITLES:
            words.pop()
        for whole in (" ".join(words), self.local_part):
            whole = " ".join(whole.split())
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
        # "Henriëtte" is also written "Henriette".
        return found | {_fold(p) for p in found}


def _longest_first(found: set[str]) -> list[str]:
    unique = {p.lower(): p for p in sorted(found)}
    return sorted(unique.values(), key=lambda p: (-len(p), p.lower()))


# Roles and forms of address: never a name on their own ("Wijkagent Jansen" names Jansen).
_ROLES = ROLE_WORDS | frozenset({
    "agent", "agente", "politieagent", "wijkagente", "buurtbewoner", "buurtbewoners", "bewoner", "bewoners",
    "bewoonster", "buurman", "buurvrouw", "buren", "meneer", "mevrouw", "heer", "dame", "juffrouw", "familie",
    "allen", "iedereen", "collega", "collegas", "beheerder", "secretaris", "voorzitter", "moderator", "melder",
    "anoniem", "onbekend", "info", "contact", "noreply", "bureau", "balie", "redactie", "partner", "partners",
    "wijkteam", "buurtteam", "wijkmanagers", "toezichthouder", "medewerker", "bin",
})
# Job titles a partner's display name may start or end with ("Wijkagent P. Jansen").
_TITLES = frozenset({"wijkagent", "wijkagente", "agent", "politie", "wijkmanager", "binco", "gemeente", "boa",
                     "handhaver", "handhaving", "coordinator", "coördinator", "toezichthouder", "medewerker",
                     "buurtbewoner", "bewoner", "wijkteam", "buurtpreventie"})
# Words after which a capitalised word is a person's name.
_ADDRESS_FORMS = r"(?:meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|heer|juffrouw|mr\.|fam\.?|familie)"
_GREETINGS = r"(?:beste|hoi|hallo|hai|hey|hi|dag|goedemorgen|goedemiddag|goedenavond|geachte|lieve|beste\s+heer)"
_CAP_WORD = r"[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?"
_AFTER_FORM = re.compile(r"(?<![\w])(" + _ADDRESS_FORMS + r")\s+((?:" + "|".join(
    ("van", "de", "der", "den", "ter", "ten", "te", "van de", "van der", "van den")) + r")\s+)?(" + _CAP_WORD + r")(?![\w])",
                         re.IGNORECASE)
_AFTER_GREETING = re.compile(r"(?m)^(\s*" + _GREETINGS + r")\s+(" + _CAP_WORD + r")(?=\s*[,!:\n]|\s*$)", re.IGNORECASE)


def _ordinary(word: str) -> bool:
    folded = fold(word.strip(".'’-")).lower()
    return folded in ordinary_words() or folded in _ROLES or folded in _PARTICLES


def _positioned_names(text: str) -> list[tuple[int, int]]:
    """Capitalised words after "meneer"/"mevrouw" (no role) or a greeting (no ordinary word or role)."""
    found = []
    for match in _AFTER_FORM.finditer(text):
        word = match.group(3)
        # "mevrouw Bakker", "meneer De Groot": a surname may be an ordinary word; a role is not.
        if word[:1].isupper() and not _ordinary_role(word):
            found.append((match.start(2) if match.group(2) else match.start(3), match.end(3)))
    for match in _AFTER_GREETING.finditer(text):
        word = match.group(2)
        if word[:1].isupper() and not _ordinary(word):
            found.append((match.start(2), match.end(2)))
    return found


def _in_name_position(text: str, start: int, end: int, parts: set[str], particles: list[str]) -> bool:
    """Whether the capitalised word at ``text[start:end]`` stands where a name stands."""
    before = text[:start].rstrip(" \t")
    for run in particles:  # "De Wit", "Van der Berg": after the name's own particles, capitalised
        found = re.search(r"(?:^|\W)(" + r"\s+".join(re.escape(w) for w in run.split()) + r")$", before, re.IGNORECASE)
        if found and found.group(1)[:1].isupper():
            return True
    previous = re.search(r"([\w.]+)\W*$", before)
    previous_word = previous.group(1).lower() if previous else ""
    if re.fullmatch(_ADDRESS_FORMS, previous_word, re.IGNORECASE):
        return True
    line_start = before[before.rfind("\n") + 1:]
    if re.fullmatch(r"\s*" + _GREETINGS, line_start, re.IGNORECASE):
        return True
    # Next to another capitalised part of this name ("Een Bakker", "Jansen, Een").
    neighbours = (re.search(r"(\w+)\W{1,3}$", before), re.match(r"\W{1,3}(\w+)", text[end:]))
    return any(n is not None and n.group(1)[:1].isupper() and n.group(1).lower() in parts for n in neighbours)


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
    for start, end in reversed(_positioned_names(text)):
        text = text[:start] + NAME + text[end:]
    if identity is not None:
        for phrase in identity.phrases():
            pattern = r"(?<![\w])" + r"\s+".join(re.escape(word) for word in phrase.split()) + r"(?![\w])"
            text = re.sub(pattern, lambda m: m.group(0) if _a_noun_here(text, m) else NAME, text, flags=re.IGNORECASE)
        parts = {p.lower() for p in identity.phrases() + identity.name_parts()} | {NAME.lower()}
        for part in identity.name_parts():
            # An ordinary word in the name ("Een", "Wijkagent"): only capitalised, where a name stands.
            for match in reversed(list(re.finditer(r"(?<![\w])" + re.escape(part) + r"(?![\w])", text, re.IGNORECASE))):
                word = match.group(0)
                if word[:1].isupper() and not _ordinary_role(word) and \
                        _in_name_position(text, match.start(), match.end(), parts, identity.particles()):
                    text = text[:match.start()] + NAME + text[match.end():]
        # Collapse what a name with initials and particles leaves: "J. de [naam]", "[naam] van der [naam]".
        particles = r"(?:van|de|der|den|ten|ter|te|het|'t|’t|von|la|le|du|da|di)"
        text = re.sub(r"\[naam\](?:\s+" + particles + r")*\s+\[naam\]", NAME, text, flags=re.IGNORECASE)
        for run in identity.particles():
            # "de [naam]" for "Jan de Vries": the particle is part of the name.
            text = re.sub(r"(?<![\w])" + r"\s+".join(re.escape(w) for w in run.split()) + r"\s+(?=\[naam\])", "", text,
                          flags=re.IGNORECASE)
        text = re.sub(r"(?<![\w.])(?:[A-Z]\.\s?)+(?:" + particles + r"\s+)*(?=\[naam\])", "", text)
    return text


# A lowercase word right after one of these is a noun ("bij de bakker", "de roos"), not a name.
_DETERMINERS = frozenset("de het een die deze dat dit mijn onze ons uw jouw je zijn haar hun elke iedere geen welke "
                         "'t ’t the a an my".split())


def _a_noun_here(text: str, match: re.Match[str]) -> bool:
    """Whether a single-word part found in lowercase stands as a noun: after an article or determiner."""
    word = match.group(0)
    if " " in word or not word.islower():
        return False
    previous = re.search(r"([\w'’]+)\s+$", text[:match.start()])
    return previous is not None and previous.group(1).lower() in _DETERMINERS


def _ordinary_role(word: str) -> bool:
    """A role ("Wijkagent", "BINCO") is never masked, in any position."""
    return fold(word).lower() in _ROLES


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
