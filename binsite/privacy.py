"""The privacy guard: personal data that must not reach the public archive.

``scan`` finds e-mail addresses, phone numbers, licence plates, postcodes
with a house number, IBANs, BSNs and links to personal social-media profiles
in a piece of text. ``check_bulletin`` runs it over what a bulletin shows the
public (title, summary and body, minus ``::: leden`` passages) and turns
every finding into a ``Problem`` at the exact file line and column. Pure: no
I/O.

The scanner reads the Markdown *source*, not the rendered HTML, so that a
column points at what the coordinator typed; link targets are text like any
other, so ``[mail](mailto:jan@example.nl)`` is an e-mail finding.

Precision is preferred where a pattern is weak on its own (licence plates
without dashes, BSNs); everything that is found can be kept only through an
explicit, reviewable ``privacy: {allow: [...], reason: "..."}`` in the
bulletin's front matter. Known limits are noted in the comments at each
detector: findings split by Markdown markup (``**06**-12345678``), plates in
mixed case or lower case without dashes, bare ``@handles``, and personal
data the patterns do not cover at all (names, photos) are not found.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from binsite.content import Bulletin
from binsite.errors import Problem, error, warning
from binsite.i18n import Text, t
from binsite.markup import members_only_ranges

# The kinds of personal data, with Dutch ids (used in ``privacy.allow``).
KINDS: dict[str, Text] = {
    "e-mail": Text("e-mailadres", "e-mail address"),
    "telefoon": Text("telefoonnummer", "phone number"),
    "kenteken": Text("kenteken van een voertuig", "vehicle licence plate"),
    "postcode-huisnummer": Text("postcode met huisnummer (een precies adres)",
                                "postcode with house number (an exact address)"),
    "iban": Text("bankrekeningnummer (IBAN)", "bank account number (IBAN)"),
    "bsn": Text("burgerservicenummer (BSN)", "citizen service number (BSN)"),
    "social-media": Text("link naar een persoonlijk social-mediaprofiel", "link to a personal social-media profile"),
}

# What to do instead, per kind: the first half of every message's fix.
_ADVICE: dict[str, Text] = {
    "e-mail": Text("verwijs naar het adres van de BINCO of de politie, niet naar iemands eigen adres",
                   "refer to the BINCO's or the police's address, not to someone's own address"),
    "telefoon": Text("verwijs naar 112, 0900-8844 of Meld Misdaad Anoniem (0800-7000), niet naar iemands eigen nummer",
                     "refer to 112, 0900-8844 or Meld Misdaad Anoniem (0800-7000), not to someone's own number"),
    "kenteken": Text("beschrijf gedrag, geen herkenbare personen of voertuigen",
                     "describe behaviour, not recognisable people or vehicles"),
    "postcode-huisnummer": Text("noem de straat of de buurt, geen precies adres",
                                "name the street or the neighbourhood, not an exact address"),
    "iban": Text("noem geen rekeningnummers; meld oplichting bij de bank en de politie",
                 "do not name account numbers; report fraud to the bank and the police"),
    "bsn": Text("een BSN hoort nooit in een bericht", "a BSN never belongs in a bulletin"),
    "social-media": Text("link niet naar persoonlijke profielen", "do not link to personal profiles"),
}

# Social-media accounts of public bodies that a bulletin may link to. A
# handle is official when it equals one of OFFICIAL_ACCOUNTS or starts with
# one of OFFICIAL_ACCOUNT_PREFIXES (case-insensitive; "Politie_DenBosch",
# "gemeentedenbosch", "WijkagentMaaspoort"). Community officers' accounts
# are public role accounts, so "wijkagent..." is allowed too.
OFFICIAL_ACCOUNTS = frozenset({
    "politie", "rijksoverheid", "mma", "burgernet", "nlalert", "ggd", "rdw", "belastingdienst",
    "fraudehelpdesk", "slachtofferhulp", "veiligthuis", "112nederland",
})
OFFICIAL_ACCOUNT_PREFIXES = ("politie", "gemeente", "wijkagent", "brandweer", "veiligheidsregio",
                             "meldmisdaadanoniem", "handhaving", "burgernet")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, the text as written, and ``text[start:end]``."""

    kind: str
    text: str
    start: int
    end: int


# --- E-mail ------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})(?![\w-])")
# "jan [at] example [dot] nl", "jan(at)example.nl": written to dodge spam bots, still an address.
_SEP_DOT = r"(?:\.|\s?[\[(]\s?(?:dot|punt)\s?[\])]\s?)"
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*\s?[\[(]\s?(?:at|@|apenstaartje)\s?[\])]\s?"
    r"((?:[A-Za-z0-9-]+" + _SEP_DOT + r")+[A-Za-z]{2,})(?![\w-])", re.IGNORECASE)


def _normal_domain(domain: str) -> str:
    return re.sub(r"\s?[\[(]\s?(?:dot|punt)\s?[\])]\s?", ".", domain, flags=re.IGNORECASE).lower()


def _address_allowed(address: str, domain: str, allowed_addresses: frozenset[str], allowed_domains: frozenset[str]) -> bool:
    if address.lower() in allowed_addresses:
        return True
    # A sub-domain of an allowed domain (lists.bin.example.org) is the BIN's own too.
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in allowed_domains)


# Cheap gates: a detector whose gate finds nothing cannot match, and is not
# run (the full patterns scan every position and cost most of a check).
_EMAIL_GATE = re.compile(r"@|[\[(]\s?(?:at|apenstaartje)\s?[\])]", re.IGNORECASE)


def _emails(text: str, allowed_addresses: frozenset[str], allowed_domains: frozenset[str]) -> list[Finding]:
    found: list[Finding] = []
    if "@" not in text and not (("(" in text or "[" in text) and _EMAIL_GATE.search(text)):
        return found
    for pattern in (_EMAIL, _EMAIL_OBFUSCATED):
        for match in pattern.finditer(text):
            domain = _normal_domain(match.group(1))
            local = re.split(r"\s?[\[(]", match.group(0), maxsplit=1)[0].split("@")[0]
            if not _address_allowed(f"{local}@{domain}", domain, allowed_addresses, allowed_domains):
                found.append(Finding("e-mail", match.group(0), match.start(), match.end()))
    return found


# --- Links: social-media profiles, and other URLs ----------------------------

_URL = re.compile(r"(?:\bhttps?://|(?<![\w.@/-])www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_SOCIAL = re.compile(
    r"(?:https?://|(?<![\w.@/-]))(?:(?:www|m|mobile|web|nl|nl-nl|touch)\.)?"
    r"(?P<site>facebook\.com|fb\.com|instagram\.com|twitter\.com|x\.com|tiktok\.com|linkedin\.com|threads\.net)"
    r"/(?P<path>[^\s<>()\[\]\"'`]*)", re.IGNORECASE)
# First path segments that are not a person's profile.
_NOT_PROFILE = {
    "facebook": {"groups", "pages", "events", "watch", "share", "sharer", "sharer.php", "hashtag", "help", "policies",
                 "privacy", "login", "login.php", "marketplace", "gaming", "business", "ads", "legal", "about", "photo.php",
                 "story.php", "permalink.php", "reel", "fundraisers", "places", "search"},
    "instagram": {"p", "reel", "reels", "explore", "tv", "accounts", "about", "developer", "legal", "direct"},
    "x": {"i", "search", "hashtag", "home", "intent", "share", "explore", "settings", "tos", "privacy", "login",
          "signup", "notifications", "messages"},
}


def _official(handle: str) -> bool:
    name = handle.lower().lstrip("@")
    return name in OFFICIAL_ACCOUNTS or name.startswith(OFFICIAL_ACCOUNT_PREFIXES)


def _profile_handle(site: str, path: str) -> str | None:
    """The personal handle a social-media link points at, or None."""
    site = site.lower().split(".")[0]
    segments = [s for s in re.split(r"[/?#]", path) if s]
    if not segments:
        return None
    first = segments[0]
    if site in ("facebook", "fb"):
        if first.lower() == "profile.php":
            return path if re.search(r"[?&]id=\d", path) else None
        if first.lower() == "people" and len(segments) > 1:
            return segments[1]
        return None if first.lower() in _NOT_PROFILE["facebook"] else first
    if site == "instagram":
        if first.lower() == "stories" and len(segments) > 1:
            return segments[1]
        return None if first.lower() in _NOT_PROFILE["instagram"] else first
    if site in ("twitter", "x"):
        return None if first.lower() in _NOT_PROFILE["x"] else first
    if site in ("tiktok", "threads"):
        return first if first.startswith("@") and len(first) > 1 else None
    if site == "linkedin":
        return segments[1] if first.lower() in ("in", "pub") and len(segments) > 1 else None
    return None


_SOCIAL_GATE = re.compile(r"\.(?:com|net)/", re.IGNORECASE)


def _social(text: str) -> list[Finding]:
    found: list[Finding] = []
    if not _SOCIAL_GATE.search(text):
        return found
    for match in _SOCIAL.finditer(text):
        handle = _profile_handle(match.group("site"), match.group("path"))
        if handle is None or _official(handle):
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?":  # sentence punctuation after a bare link
            end -= 1
        found.append(Finding("social-media", text[match.start():end], match.start(), end))
    return found


# --- IBAN ----------------------------------------------------------------------

# Lengths of the IBANs readers in the Netherlands meet most; others are
# accepted at any valid length (15-34) when the checksum holds.
_IBAN_LENGTH = {"NL": 18, "BE": 16, "DE": 22, "LU": 20, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "AT": 20,
                "CH": 21, "PL": 28, "PT": 25, "IE": 22, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "LT": 20}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])")


def iban_valid(compact: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN without spaces."""
    compact = compact.upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _ibans(text: str) -> list[Finding]:
    found: list[Finding] = []
    position = 0
    for match in _IBAN_START.finditer(text):
        if match.start() < position:
            continue
        country = match.group(0)[:2].upper()
        wanted = _IBAN_LENGTH.get(country)
        compact, index, best = match.group(0), match.end(), None
        # Walk on over characters and single spaces; keep the longest valid stop at a word boundary.
        while index < len(text) and len(compact) < 34:
            if text[index] == " " and index + 1 < len(text) and text[index + 1].isalnum():
                index += 1
            if not text[index].isalnum() or not text[index].isascii():
                break
            compact += text[index]
            index += 1
            at_boundary = index == len(text) or not text[index].isalnum()
            if at_boundary and (wanted is None or len(compact) == wanted) and iban_valid(compact):
                best = index
            if wanted is not None and len(compact) >= wanted:
                break
        if best is not None:
            found.append(Finding("iban", text[match.start():best], match.start(), best))
            position = best
    return found


# --- Phone numbers ---------------------------------------------------------------

# A phone number starts with +, 00 or 0 (possibly inside "(0"), not inside a
# word, a longer number, a URL path or an amount.
# Zero-width, so that "(06-12345678" is tried again at the 0 when "(06" is no area code.
_PHONE_START = re.compile(r"(?<![\w+@/=#€$%&])(?<!\d[.,-])(?=\+[ \t]?\d|\(?0\d)")
_PHONE_SEP = re.compile(r"[ \t]?[-.–/][ \t]?|[ \t]")
_DIGITS = re.compile(r"\d+")
# Numbers that reach an organisation, never a person: 0800 (free), 0900/0906/0909
# (paid information numbers, e.g. police 0900-8844), 088 (company numbers) and
# 097 (machine-to-machine). 112, 14 0xx (municipalities) and 116 xxx never match
# the grammar of a personal number anyway.
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909", "088", "097")


def _read_groups(text: str, index: int, target: int, digits: int) -> tuple[int, list[tuple[str, str]]] | None:
    """Read digit groups from ``index`` until ``digits`` reaches ``target`` exactly.

    Returns the end and the groups with the separator before each, or None.
    """
    groups: list[tuple[str, str]] = []
    separator = ""
    while True:
        match = _DIGITS.match(text, index)
        if not match:
            return None
        digits += len(match.group(0))
        groups.append((separator, match.group(0)))
        index = match.end()
        if digits == target:
            return index, groups
        if digits > target:
            return None
        sep = _PHONE_SEP.match(text, index)
        if not sep or not text[sep.end():sep.end() + 1].isdigit():
            return None
        separator = sep.group(0).strip() or " "
        index = sep.end()


def _looks_like_date_or_time(groups: list[tuple[str, str]]) -> bool:
    lengths = [len(g) for _, g in groups]
    # 03-10-2026 12 ... : day, month and year in front.
    if lengths[:3] == [2, 2, 4] and groups[1][0] == groups[2][0] and groups[1][0] in "-./":
        return int(groups[0][1]) <= 31 and int(groups[1][1]) <= 12
    # 06.30 07.30 ...: times written with dots.
    return lengths[:2] == [2, 2] and groups[1][0] == "." and int(groups[1][1]) <= 59


def _phone_at(text: str, start: int) -> tuple[int, str] | None:
    """``(end, national number)`` of a phone number starting at ``start``."""
    index = start
    if text[index] == "+" or text.startswith("00", index):
        index += 1 if text[index] == "+" else 2
        while index < len(text) and text[index] in " \t":
            index += 1
        if text.startswith("31", index):
            index += 2
            trunk = re.compile(r"[ \t-]*(?:\(0\)[ \t-]*)?").match(text, index)
            index = trunk.end()
            # "+31 06 12345678" is wrong but common: the 0 is then written twice.
            target = 10 if text.startswith("0", index) else 9
            result = _read_groups(text, index, target, 0)
            if result is None:
                return None
            end, groups = result
            national = "".join(g for _, g in groups)
            return end, national if target == 10 else "0" + national
        # Another country: its code and a subscriber number, 9 to 15 digits in all.
        for target in range(15, 8, -1):
            result = _read_groups(text, index, target, 0)
            if result is not None:
                return result[0], "+" + "".join(g for _, g in result[1])
        return None
    if text[index] == "(":
        area = re.compile(r"\((0\d{1,3})\)[ \t]?-?[ \t]?").match(text, index)
        if not area:
            return None
        result = _read_groups(text, area.end(), 10, len(area.group(1)))
        if result is None:
            return None
        return result[0], area.group(1) + "".join(g for _, g in result[1])
    result = _read_groups(text, index, 10, 0)
    if result is None:
        return None
    end, groups = result
    if _looks_like_date_or_time(groups):
        return None
    return end, "".join(g for _, g in groups)


def _may_hold_phone(text: str) -> bool:
    """False only when ``_PHONE_START`` cannot match: no "+" and no "0"
    followed by a digit. A search with ``str.find`` is ten times quicker than
    the pattern's scan, and most bulletins hold no such pair."""
    if "+" in text:
        return True
    index = text.find("0")
    while index != -1:
        if text[index + 1:index + 2].isdecimal():
            return True
        index = text.find("0", index + 1)
    return False


def _phones(text: str) -> list[Finding]:
    if not _may_hold_phone(text):
        return []
    found: list[Finding] = []
    position = 0
    for match in _PHONE_START.finditer(text):
        start = match.start()
        if start < position:
            continue
        result = _phone_at(text, start)
        if result is None:
            continue
        end, number = result
        if end < len(text) and (text[end].isalnum() or text[end] == "_"):
            continue
        if number.startswith("0") and (number[1] == "0" or number.startswith(_SERVICE_PREFIXES)):
            continue
        found.append(Finding("telefoon", text[start:end], start, end))
        position = end
    return found


# --- Postcode with house number ----------------------------------------------------

# A Dutch postcode: 4 digits (not starting with 0) and 2 letters, never SA, SD or SS.
# Capitals only: "in 2025 is 12 keer" must not read as postcode "2025 is" plus 12.
_POSTCODE = r"[1-9]\d{3}[ \t]?(?!SA|SD|SS)[A-Z]{2}"
_HOUSE_NUMBER = r"\d{1,5}(?:-?[A-Za-z]{1,2}(?!\w)|-\d{1,4}(?!\w)|[ \t](?:hs|bis|I{1,3})(?!\w))?"
# "5223 AB 12", "5223AB 12", "5223 AB, nr 12", "5223 AB, huisnummer 12a".
_POSTCODE_THEN_NUMBER = re.compile(
    r"(?<![\w-])" + _POSTCODE + r"(?:[ \t]+|,[ \t]*|[ \t]*,?[ \t]*(?:nr\.?|nummer|huisnummer|no\.?)[ \t]*)"
    + _HOUSE_NUMBER + r"(?![\w:]|[.,]\d)")
# "Kerkstraat 12, 5223 AB" and an address block over two lines.
_NUMBER_THEN_POSTCODE = re.compile(
    r"(?<![\w-])[A-Za-zÀ-ÿ][\w'À-ÿ.-]*[ \t]+" + _HOUSE_NUMBER + r"(?=[ \t,\n])[ \t]*,?[ \t]*(?:\n[ \t]*)?"
    + _POSTCODE + r"(?![\w-])")


# Both address patterns hold a postcode: a text without one is done at once.
_POSTCODE_GATE = re.compile(_POSTCODE)


def _addresses(text: str) -> list[Finding]:
    if not _POSTCODE_GATE.search(text):
        return []
    return [Finding("postcode-huisnummer", m.group(0), m.start(), m.end())
            for pattern in (_POSTCODE_THEN_NUMBER, _NUMBER_THEN_POSTCODE) for m in pattern.finditer(text)]


# --- Licence plates ---------------------------------------------------------------------

# The RDW's side codes 1-14 (L = letter, D = digit).
SIDECODES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
             "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D")
# Letters on plates since side code 4: no vowels, no C, Q or Y. Written without
# dashes a plate must use only these letters, in capitals, which keeps words
# such as "OM 12 UUR" and codes with vowels out.
_PLATE_LETTERS = "BDFGHJKLMNPRSTVWXZ"


def _plate_pattern(code: str, separator: str, letters: str) -> str:
    groups = [f"{letters}{{{len(g)}}}" if g[0] == "L" else rf"\d{{{len(g)}}}" for g in code.split("-")]
    return separator.join(groups)


# Dashed: any letters, any case (the dashes are signal enough); the case must
# be the same throughout, checked below.
_PLATE_DASHED = re.compile(
    r"(?<![\w/-])(?:" + "|".join(_plate_pattern(c, "-", "[A-Za-z]") for c in SIDECODES) + r")(?![\w/]|-\w)")
_PLATE_SPACED = re.compile(
    r"(?<![\w/-])(?:" + "|".join(_plate_pattern(c, " ", f"[{_PLATE_LETTERS}]") for c in SIDECODES) + r")(?![\w/-])")
# Without separators "5223AB" is a postcode, so side code 2 is not read that way.
_PLATE_BARE = re.compile(
    r"(?<![\w/-])(?:" + "|".join(_plate_pattern(c, "", f"[{_PLATE_LETTERS}]") for c in SIDECODES if c != "DD-DD-LL")
    + r")(?![\w/-])")


# Every plate has a letter next to a digit, with at most its separator between.
# Each gate starts at a digit and looks both ways: much faster than an
# alternation that tries every position for a letter.
_PLATE_GATES = (
    (re.compile(r"\d(?:-[A-Za-z]|(?<=[A-Za-z]-\d))"), _PLATE_DASHED),
    (re.compile(f"\\d(?: [{_PLATE_LETTERS}]|(?<=[{_PLATE_LETTERS}] \\d))"), _PLATE_SPACED),
    (re.compile(f"\\d(?:[{_PLATE_LETTERS}]|(?<=[{_PLATE_LETTERS}]\\d))"), _PLATE_BARE),
)


def _plates(text: str) -> list[Finding]:
    found: list[Finding] = []
    for gate, pattern in _PLATE_GATES:
        if not gate.search(text):
            continue
        for match in pattern.finditer(text):
            letters = [ch for ch in match.group(0) if ch.isalpha()]
            if not (all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)):
                continue
            found.append(Finding("kenteken", match.group(0), match.start(), match.end()))
    return found


# --- BSN -------------------------------------------------------------------------------

_BSN = re.compile(r"(?<![\w.,/+-])(?<!\d[ \t])(?:\d{9}|\d{4}\.\d{2}\.\d{3})(?!\w|[.,/-]\d|[ \t]\d)")


def bsn_valid(number: str) -> bool:
    """The eleven-test of a burgerservicenummer (9 digits)."""
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8])) - digits[8]
    return total % 11 == 0


_BSN_GATE = re.compile(r"\d{4}")


def _bsns(text: str) -> list[Finding]:
    if not _BSN_GATE.search(text):
        return []
    return [Finding("bsn", m.group(0), m.start(), m.end()) for m in _BSN.finditer(text) if bsn_valid(m.group(0))]


# --- All together ------------------------------------------------------------------------------

# When findings overlap, the first kind here wins: an IBAN's digits are not a
# BSN, a phone number's are not a licence plate.
_PRIORITY = ("e-mail", "social-media", "iban", "telefoon", "postcode-huisnummer", "kenteken", "bsn")
# Inside an ordinary web address long numbers are ids, not phone numbers or
# BSNs; inside something shaped like an IBAN whose checksum fails they are a
# mistyped account number, not a phone number ("NL91 ABNA 0417 1643 01").
_NOT_IN_URLS = {"telefoon", "bsn"}
_IBAN_SHAPE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")


@functools.lru_cache(maxsize=8)
def _normalised(allowed_addresses: frozenset[str], allowed_domains: frozenset[str]
                ) -> tuple[frozenset[str], frozenset[str]]:
    """The allow-lists in the form ``_emails`` compares with; the same lists
    come with every call of a build, so this is done once."""
    return (frozenset(a.lower() for a in allowed_addresses),
            frozenset(d.lower().lstrip("@") for d in allowed_domains))


def scan(text: str, *, allowed_addresses: frozenset[str] | set[str] = frozenset(),
         allowed_domains: frozenset[str] | set[str] = frozenset()) -> list[Finding]:
    """Every piece of personal data in ``text``, in order of position.

    ``allowed_addresses`` (whole addresses) and ``allowed_domains`` (and
    their sub-domains) are the BIN's own role addresses: not findings.
    """
    if not text:
        return []
    addresses, domains = _normalised(frozenset(allowed_addresses), frozenset(allowed_domains))
    candidates = (_emails(text, addresses, domains) + _social(text) + _ibans(text) + _phones(text)
                  + _addresses(text) + _plates(text) + _bsns(text))
    if not candidates:
        return []
    if any(f.kind in _NOT_IN_URLS for f in candidates):
        urls = [(m.start(), m.end()) for pattern in (_URL, _IBAN_SHAPE) for m in pattern.finditer(text)]
        candidates = [f for f in candidates
                      if f.kind not in _NOT_IN_URLS or not any(s <= f.start and f.end <= e for s, e in urls)]
    candidates.sort(key=lambda f: (_PRIORITY.index(f.kind), f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in candidates:
        if not any(finding.start < other.end and other.start < finding.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end))


# --- Bulletins -------------------------------------------------------------------------------------

def _public_body(body: str) -> str:
    """``body`` with members-only passages blanked, line numbers unchanged."""
    lines = body.split("\n")
    for first, last in members_only_ranges(body):
        for index in range(first, last + 1):
            lines[index] = ""
    return "\n".join(lines)


def _message(finding: Finding, *, public: bool) -> Text:
    advice = _ADVICE[finding.kind]
    where_nl = "een openbaar bericht" if public else "een bericht dat niet openbaar is"
    where_en = "a public bulletin" if public else "a bulletin that is not public"
    allow = f'privacy: {{allow: [{finding.kind}], reason: "..."}}'
    return t('{kind} "{text}" in {where}; {advice}. Haal het weg, zet het in een ::: leden-blok, of sta het toe met {allow}',
             '{kind} "{text}" in {where_en}; {advice_en}. Remove it, put it in a ::: leden block, or allow it with {allow}',
             kind=finding.kind, text=" ".join(finding.text.split()), where=where_nl, where_en=where_en,
             advice=advice.nl, advice_en=advice.en, allow=allow)


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def check_bulletin(bulletin: Bulletin, *, public: bool, allowed_addresses: frozenset[str],
                   allowed_domains: frozenset[str]) -> list[Problem]:
    """Personal data in what ``bulletin`` shows the public, as problems at file line and column.

    Errors when the bulletin is ``public``, warnings otherwise. Kinds listed
    in the bulletin's ``privacy.allow`` (with a ``reason``) are not reported;
    members-only passages are not scanned.
    """
    report = error if public else warning
    problems: list[Problem] = []
    allowed_kinds = frozenset(bulletin.privacy_allow) if bulletin.privacy_reason.strip() else frozenset()
    for kind in bulletin.privacy_allow:
        if kind not in KINDS:
            problems.append(report(bulletin.source, bulletin.line_of("privacy"), t(
                "onbekende soort {k!r} in privacy.allow; kies uit: {known}",
                "unknown kind {k!r} in privacy.allow; choose from: {known}", k=kind, known=", ".join(KINDS)),
                code="privacy"))

    def scan_kept(text: str) -> list[Finding]:
        return [f for f in scan(text, allowed_addresses=allowed_addresses, allowed_domains=allowed_domains)
                if f.kind not in allowed_kinds]

    # Title and summary are single front-matter values: the line of their key, no column.
    for key, value in (("title", bulletin.title), ("summary", bulletin.summary)):
        for finding in scan_kept(value):
            problems.append(report(bulletin.source, bulletin.line_of(key), _message(finding, public=public),
                                   code="privacy"))

    body = _public_body(bulletin.body)
    starts = _line_starts(body)
    for finding in scan_kept(body):
        index = bisect.bisect_right(starts, finding.start) - 1
        problems.append(report(bulletin.source, bulletin.body_line + index, _message(finding, public=public),
                               col=finding.start - starts[index] + 1, code="privacy"))
    return problems
