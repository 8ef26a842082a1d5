"""The privacy guard: personal data that must not reach the public archive.

``scan`` finds e-mail addresses (also written "jan (at) x (dot) nl", "jan at
x dot nl", ``%40``), phone numbers, licence plates, postcodes with a house
number, street names with a house number (against the BAG's list of street
names), IBANs, BSNs and links to personal social-media profiles in a piece
of text, after ``normalise`` (NFKC, no invisible characters, one kind of dash
and space). ``names`` finds likely person names (a first name and a
capitalised surname): a warning, never an error.

``check_bulletin`` judges what the public receives: the *rendered* public
body (sanitised HTML read as text, with link targets and image sources),
the title, summary and author's name. So what Markdown, HTML entities,
comments or escapes do to the text is what is checked. Each finding is then
found back in the source (its letters and digits, in order) for the
``path:line:col`` of what was typed. ``check_texts`` does the same for the
published texts of ``lists/*.yaml`` and ``binsite.yaml``. Pure: no I/O but
reading the packaged word lists.

Everything that is found can be kept only through an explicit, reviewable
``privacy: {allow: [...], reason: "..."}`` in the bulletin's front matter.
Known limits: personal data the patterns do not cover (photos, a nickname,
a description of a person) is not found; the BINCO's judgement stays.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import hashlib
import itertools
import html
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from binsite.source.content import Bulletin
from binsite.errors import Problem, error, warning
from binsite.i18n import Text, t

if TYPE_CHECKING:
    from binsite.render.markup import RenderedBody

# The kinds of personal data, with Dutch ids (used in ``privacy.allow``).
KINDS: dict[str, Text] = {
    "e-mail": Text("e-mailadres", "e-mail address"),
    "telefoon": Text("telefoonnummer", "phone number"),
    "kenteken": Text("kenteken van een voertuig", "vehicle licence plate"),
    "postcode-huisnummer": Text("postcode met huisnummer (een precies adres)",
                                "postcode with house number (an exact address)"),
    "adres": Text("straat met huisnummer (een precies adres)", "street with house number (an exact address)"),
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
    "adres": Text("noem de straat of de buurt zonder huisnummer",
                  "name the street or the neighbourhood without a house number"),
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


# --- Normalisation ---------------------------------------------------------

# Characters that show nothing: removed before scanning, so "06\u200b-1234..." is a number.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c" \
             "\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u02d7\u1806"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
_NORMAL = str.maketrans({**{c: None for c in _INVISIBLE}, **{c: "-" for c in _DASHES}, **{c: " " for c in _SPACES}})


_SPECIAL = re.compile("[" + _INVISIBLE + _DASHES + _SPACES + "]")


def normalise(text: str) -> str:
    """``text`` as the scanner reads it: NFKC (full-width digits, ligatures),
    without invisible characters, every dash a ``-`` and every space a ``' '``,
    and every letter that looks like an ASCII letter or digit written as that
    letter (``confusable``: Cyrillic "а", Greek "Κ", small capital "ᴋ")."""
    if text.isascii():
        return text.replace("\t", " ") if "\t" in text else text
    # The public text is normalised once and handed to ``scan``, which
    # normalises what it is given: the same string, known by its identity.
    if any(known is text for known in _recent_normal):
        return text
    # A dict-based str.translate costs a lookup per character: most Dutch
    # text (é, ë) has none of these characters and is NFKC already. One
    # pass finds them and the characters beyond Latin-1 (typographic quotes,
    # mostly) whose look-alikes are read below.
    rare = set(_RARE_CHARACTERS.findall(text))
    if not rare.isdisjoint(_SPECIAL_CHARACTERS):
        text = text.translate(_NORMAL)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
        if _SPECIAL.search(text):
            text = text.translate(_NORMAL)
        rare = set(_RARE_CHARACTERS.findall(text))
    if not text.isascii():
        table = {ord(ch): _confusable(ch) for ch in rare if ch > "\u00ff"}
        table = {code: ascii for code, ascii in table.items() if ascii}
        if table:
            text = text.translate(table)
    _remember_normal(text)
    return text


_SPECIAL_CHARACTERS = frozenset(_INVISIBLE + _DASHES + _SPACES)
_RARE_CHARACTERS = re.compile("[" + "".join(sorted({ch for ch in _SPECIAL_CHARACTERS if ch <= "\xff"})) + "\u0100-\U0010ffff]")
# The last texts ``normalise`` returned, newest first: a tuple replaced as a
# whole, so that threads (the web service) never see it half-changed.
_recent_normal: tuple[str, ...] = ()


def _remember_normal(text: str) -> None:
    global _recent_normal
    _recent_normal = (text, *_recent_normal[:3])


_last_words: tuple[str, str, list[str]] = ("", "", [])
_last_lower: tuple[str, str] = ("", "")


def _lower(text: str) -> str:
    """``text`` in lower case, made once for the detectors and the reader's
    view, which read the same text one after the other (by identity)."""
    global _last_lower
    if _last_lower[0] is text:
        return _last_lower[1]
    if _last_words[0] is text:
        return _last_words[1]
    lower = text.lower()
    _last_lower = (text, lower)
    return lower


def _lower_words(text: str) -> tuple[str, list[str]]:
    """``text`` in lower case and its words (split at white space): made once
    for the number words of ``reader_view`` and the runs of ``encodings``,
    which read the same text one after the other."""
    global _last_words
    last = _last_words
    if last[0] is not text:
        lower = _lower(text)
        last = _last_words = (text, lower, lower.split())
    return last[1], last[2]


_ASCII_DIGITS = "0123456789"


def _has_digit(text: str) -> bool:
    """Whether ``text`` holds a digit (``\\d``). In ASCII text ten searches
    for a character are quicker than the pattern's scan of a text without one."""
    if text.isascii():
        return any(digit in text for digit in _ASCII_DIGITS)
    return _A_DIGIT.search(text) is not None


@functools.lru_cache(maxsize=4096)
def _confusable(ch: str) -> str:
    """The ASCII letter or digit that ``ch`` (beyond Latin-1) reads as, or "".

    The UTS #39 confusables skeleton (ICU's SpoofChecker, through PyICU: the
    table Unicode keeps, not one of our own) of the character, or of its
    capital (the skeleton keeps case: Cyrillic "к" has no lower-case ASCII
    twin, its capital "К" is "K"). A small capital ("ᴋ") is its capital
    letter; another script's digit ("٦") its value. One character for one,
    so offsets stay those of the text as written."""
    if unicodedata.category(ch) == "Nd":
        return str(unicodedata.decimal(ch))
    for candidate, lower in ((ch, False), (ch.upper(), ch.upper() != ch)):
        if len(candidate) != 1:
            continue
        skeleton = _skeleton_of(candidate)
        if len(skeleton) == 1 and skeleton.isascii() and (skeleton.isalnum() or skeleton == "@"):
            return skeleton.lower() if lower else skeleton
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == len("LATIN LETTER SMALL CAPITAL X"):
        return name[-1]
    return ""


def _skeleton_of(ch: str) -> str:
    import icu

    return _spoof_checker().getSkeleton(icu.USpoofChecks.ALL_CHECKS, ch)


@functools.lru_cache(maxsize=1)
def _spoof_checker():
    import icu

    return icu.SpoofChecker()


@functools.lru_cache(maxsize=None)
def _word_list(name: str) -> frozenset[str]:
    """A packaged list (``binsite/data/<name>.txt.gz``), one entry a line."""
    data = gzip.decompress((Path(__file__).parent / "data" / f"{name}.txt.gz").read_bytes()).decode("utf-8")
    return frozenset(data.split("\n"))


STREET_HASHES = Path(__file__).parent / "data" / "streets.u64"


def name_hash(name: str) -> int:
    """A folded street name's 64-bit key in ``streets.u64``."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def street_hashes(names: Iterable[str]) -> bytes:
    """``streets.u64`` for ``names``: their keys, sorted, 8 bytes each. Made
    from streets.txt.gz (``python -m binsite.privacy``; a test checks they agree)."""
    keys = array("Q", sorted({name_hash(n) for n in names if n}))
    if sys.byteorder != "little":
        keys.byteswap()
    return keys.tobytes()


class _StreetKeys:
    """Membership in the street list through sorted 64-bit keys: 1.2 MB in
    one array instead of 155,000 strings in a set (21 MB in every worker)."""

    def __init__(self, data: bytes):
        self.keys = array("Q")
        self.keys.frombytes(data)
        if sys.byteorder != "little":
            self.keys.byteswap()

    def __contains__(self, name: str) -> bool:
        key = name_hash(name)
        index = bisect.bisect_left(self.keys, key)
        return index < len(self.keys) and self.keys[index] == key


@functools.lru_cache(maxsize=1)
def _streets_list() -> _StreetKeys:
    return _StreetKeys(STREET_HASHES.read_bytes())


def preload() -> None:
    """Load the word lists now: called before workers fork, they share the
    parent's copy instead of each loading its own."""
    _streets_list()
    _first_names()


def fold(text: str) -> str:
    """Lower case, without accents, one space between words."""
    return " ".join(unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode().split())


# --- E-mail ------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@|%40)((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})"
    r"(?![\w-])", re.IGNORECASE)
# Written to dodge spam bots, still an address: "jan [at] example [dot] nl",
# "jan(at)example.nl", "jan{at}example.nl", "jan at example dot nl",
# "jan apenstaartje example punt nl". The top-level domain must be a real one
# a reader here meets, so that "we zijn at home" is never read as one.
_TLDS = r"(?:nl|be|com|net|org|eu|de|info|biz|io|me|co|uk|fr|online|nu|email|mail|frl|amsterdam|tk)"
_AT_WORD = r"(?:at|@|apenstaartje|apestaartje|a)"
_DOT_WORD = r"(?:dot|punt|\.)"
_AT_OBF = r"(?:\s*[\[({<]\s*" + _AT_WORD + r"\s*[\])}>]\s*|\s+(?:at|apenstaartje|apestaartje)\s+|\s+@\s*|\s*@\s+)"
_DOT_OBF = r"(?:\s*[\[({<]\s*" + _DOT_WORD + r"\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\s*\.\s*)"
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*" + _AT_OBF
    + r"((?:[A-Za-z0-9][A-Za-z0-9-]*" + _DOT_OBF + r")+" + _TLDS + r")(?![\w-])", re.IGNORECASE)
_OBF_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\s*\.\s*", re.IGNORECASE)


def _normal_domain(domain: str) -> str:
    return _OBF_DOT.sub(".", domain).lower()


def _address_allowed(address: str, domain: str, allowed_addresses: frozenset[str], allowed_domains: frozenset[str]) -> bool:
    if address.lower() in allowed_addresses:
        return True
    # A sub-domain of an allowed domain (lists.bin.example.org) is the BIN's own too.
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in allowed_domains)


# Cheap gates: a detector whose gate finds nothing cannot match, and is not
# run (the full patterns scan every position and cost most of a check).
_BRACKET_AT = ("(a)", "[a]", "{a}", "<a>", "( a )", "[ a ]", "(@)", "[@]", "{@}")
# Starts with the literal, so that the search skips ahead to each "at".
_AT_WORD_GATE = re.compile(r"at(?![a-z])(?<![a-z]at)")
_LOCAL_END = re.compile(r"\s*(?:@|%40|[\[({<]|\s(?:at|apenstaartje|apestaartje)\s)", re.IGNORECASE)


def _emails(text: str, allowed_addresses: frozenset[str], allowed_domains: frozenset[str]) -> list[Finding]:
    found: list[Finding] = []
    patterns = [_EMAIL] if "@" in text or "%40" in text else []
    lower = _lower(text)
    if ("@ " in text or " @" in text or "%40" in text or "staartje" in lower or _AT_WORD_GATE.search(lower)
            or any(bracket in lower for bracket in _BRACKET_AT)):
        patterns.append(_EMAIL_OBFUSCATED)
    for pattern in patterns:
        for match in pattern.finditer(text):
            domain = _normal_domain(match.group(1))
            local = _LOCAL_END.split(match.group(0), maxsplit=1)[0]
            if not _address_allowed(f"{local}@{domain}", domain, allowed_addresses, allowed_domains):
                found.append(Finding("e-mail", match.group(0), match.start(), match.end()))
    return found


# --- Links: social-media profiles, and other URLs ----------------------------

_URL = re.compile(r"(?:\bhttps?://|(?<![\w.@/-])www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_SOCIAL = re.compile(
    r"(?:https?://|(?<![\w.@/-]))(?:(?:www|m|mobile|web|nl|nl-nl|touch)\.)?"
    r"(?P<site>facebook\.com|fb\.com|fb\.me|instagram\.com|instagr\.am|twitter\.com|x\.com|tiktok\.com|linkedin\.com"
    r"|threads\.net|t\.me|telegram\.me|youtube\.com|snapchat\.com|bsky\.app|pinterest\.com|vk\.com|wa\.me"
    r"|linktr\.ee|discord\.gg|signal\.me)"
    r"/(?P<path>[^\s<>()\[\]\"'`]*)", re.IGNORECASE)
# A Mastodon (or other fediverse) profile: "@jan@mastodon.social", or a URL
# "https://host/@jan"; a Bluesky handle "jan.bsky.social".
_FEDI_HANDLE = re.compile(r"(?<![\w.@/-])@(?P<user>[A-Za-z0-9_][A-Za-z0-9_.]*)@(?P<host>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})"
                          r"(?![\w-])")
_FEDI_URL = re.compile(r"\bhttps?://(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/(?:@|users/|u/|profile/)(?P<user>[A-Za-z0-9_.-]+)",
                       re.IGNORECASE)
_BSKY_HANDLE = re.compile(r"(?<![\w.-])@?(?P<user>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)\.bsky\.social(?![\w-])",
                          re.IGNORECASE)
# First path segments that are not a person's profile.
_NOT_PROFILE = {
    "facebook": {"groups", "pages", "events", "watch", "share", "sharer", "sharer.php", "hashtag", "help", "policies",
                 "privacy", "login", "login.php", "marketplace", "gaming", "business", "ads", "legal", "about", "photo.php",
                 "story.php", "permalink.php", "reel", "fundraisers", "places", "search"},
    "instagram": {"p", "reel", "reels", "explore", "tv", "accounts", "about", "developer", "legal", "direct"},
    "x": {"i", "search", "hashtag", "home", "intent", "share", "explore", "settings", "tos", "privacy", "login",
          "signup", "notifications", "messages"},
    "youtube": {"watch", "results", "playlist", "embed", "shorts", "feed", "about", "t", "live", "redirect"},
    "telegram": {"s", "share", "joinchat", "addstickers", "proxy", "iv"},
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
    if site in ("instagram", "instagr"):
        if first.lower() == "stories" and len(segments) > 1:
            return segments[1]
        return None if first.lower() in _NOT_PROFILE["instagram"] else first
    if site in ("twitter", "x"):
        return None if first.lower() in _NOT_PROFILE["x"] else first
    if site in ("tiktok", "threads"):
        return first if first.startswith("@") and len(first) > 1 else None
    if site == "linkedin":
        return segments[1] if first.lower() in ("in", "pub") and len(segments) > 1 else None
    if site in ("t", "telegram"):
        return None if first.lower() in _NOT_PROFILE["telegram"] or first.startswith("+") else first
    if site == "youtube":
        if first.startswith("@") and len(first) > 1:
            return first
        if first.lower() in ("c", "user", "channel") and len(segments) > 1:
            return segments[1]
        return None
    if site == "snapchat":
        return segments[1] if first.lower() == "add" and len(segments) > 1 else None
    if site == "bsky":
        return segments[1] if first.lower() == "profile" and len(segments) > 1 else None
    if site in ("wa", "linktr", "signal"):
        return first
    if site == "discord":
        return None
    if site in ("pinterest", "vk"):
        return None if first.lower() in ("pin", "search", "ideas") else first
    return None


# A profile link holds one of these (substring tests are ten times quicker than a pattern).
_SOCIAL_MARKERS = (".com/", ".net/", ".me/", ".am/", ".app/", ".ee/", "bsky", "/@", "/users/", "/u/", "/profile/")


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".,;:!?":  # sentence punctuation after a bare link
        end -= 1
    return end


def _social(text: str) -> list[Finding]:
    found: list[Finding] = []
    lower = _lower(text)
    if not any(marker in lower for marker in _SOCIAL_MARKERS) and not ("@" in text and _FEDI_HANDLE.search(text)):
        return found
    for match in _SOCIAL.finditer(text):
        handle = _profile_handle(match.group("site"), match.group("path"))
        if handle is None or _official(handle):
            continue
        end = _trim(text, match.start(), match.end())
        found.append(Finding("social-media", text[match.start():end], match.start(), end))
    for pattern in (_FEDI_HANDLE, _FEDI_URL, _BSKY_HANDLE):
        for match in pattern.finditer(text):
            if _official(match.group("user")):
                continue
            end = _trim(text, match.start(), match.end())
            found.append(Finding("social-media", text[match.start():end], match.start(), end))
    return found


# --- IBAN ----------------------------------------------------------------------

# Two letters, two check digits, then (after at most one separator) four
# characters of the bank code or account: "de 12 uur" is not a start.
# The check digits after the country: searched from the digits, which is
# quicker than trying every pair of letters.
_IBAN_GATE = re.compile(r"\d\d(?:(?<=[A-Za-z]{2}\d\d)|(?<=[A-Za-z]{2}[ .-]\d\d))")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ .-]?\d{2}(?=[ .-]?[A-Za-z0-9]{4})")


def iban_valid(compact: str) -> bool:
    """The ISO 13616 check of an IBAN without spaces: its country's length
    and the mod-97 check digits (python-stdnum)."""
    compact = compact.upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    # The mod-97 sum first: stdnum loads its registry (a third of a second) on first use.
    if int("".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])) % 97 != 1:
        return False
    from stdnum import iban

    try:
        # Not the bank's own check digits (check_country): a guard finds a
        # mistyped account number too, as long as its IBAN check holds.
        iban.validate(compact, check_country=False)
    except ValueError:
        return False
    return True


# A letter O where a reader reads a zero: next to a digit (or to such an O).
_O_FOR_ZERO = re.compile(r"(?<=\d)[Oo]+|[Oo]+(?=\d)|(?<![A-Za-z0-9])[Oo]+(?![A-Za-z0-9])")
# An O next to a digit, or after a digit and one separator ("1643 OO"): searched from the digit.
_IBAN_O_GATE = re.compile(r"\d(?:[ .-]?[Oo]|(?<=[Oo]\d))")


def _ibans(text: str, rare: bool = True) -> list[Finding]:
    """IBANs, also with a letter O for a zero ("NL91 ABNA O417 1643 OO"):
    the check digits with O read as 0 decide. ``rare``: False when
    ``_RARE_DIGITS`` found nothing in ``text`` (then there is no O by a digit)."""
    found = _ibans_as_written(text)
    if rare and _IBAN_O_GATE.search(text):
        zeroed = _O_FOR_ZERO.sub(lambda m: "0" * len(m.group(0)), text)
        if zeroed != text:
            for f in _ibans_as_written(zeroed):
                if not any(f.start < g.end and g.start < f.end for g in found):
                    found.append(Finding("iban", text[f.start:f.end], f.start, f.end))
    return found


def _ibans_as_written(text: str) -> list[Finding]:
    found: list[Finding] = []
    if not _IBAN_GATE.search(text):
        return found
    position = 0
    for match in _IBAN_START.finditer(text):
        if match.start() < position:
            continue
        compact, index, best = re.sub(r"[ .-]", "", match.group(0)), match.end(), None
        # Walk on over characters and single separators (any spacing, dots,
        # dashes); keep the longest valid stop at a word boundary.
        while index < len(text) and len(compact) < 34:
            if text[index] in " .-" and index + 1 < len(text) and text[index + 1].isalnum():
                index += 1
            if not text[index].isalnum() or not text[index].isascii():
                break
            compact += text[index]
            index += 1
            at_boundary = index == len(text) or not text[index].isalnum()
            if at_boundary and len(compact) >= 15 and iban_valid(compact):
                best = index
        if best is not None:
            found.append(Finding("iban", text[match.start():best], match.start(), best))
            position = best
    return found


# --- Phone numbers ---------------------------------------------------------------

# A phone number starts with +, 00 or 0 (possibly inside "(0"), not inside a
# word, a longer number, a URL path or an amount.
# Zero-width, so that "(06-12345678" is tried again at the 0 when "(06" is no area code.
_PHONE_START = re.compile(r"(?<![\w+@/=#€$%&])(?<!\d[.,-])(?=\+[ \t]?\d|\(?0\d)")
_PHONE_SEP = re.compile(r"[ \t]?[-./][ \t]?|[ \t]")
_DIGITS = re.compile(r"\d+")
# Numbers that reach an organisation, never a person: 0800 (free), 0900/0906/0909
# (paid information numbers, e.g. police 0900-8844), 088 (company numbers) and
# 097 (machine-to-machine). 112, 14 0xx (municipalities) and 116 xxx never match
# the grammar of a personal number anyway.
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909", "088", "097")


def _possible_international(number: str) -> bool:
    """Whether ``number`` (``+`` and digits) is a possible phone number of
    its country (phonenumbers; loaded only when a foreign number is met)."""
    import phonenumbers

    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


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
    # 06.30 07.30 ...: times written with dots (a number dotted throughout,
    # 06.12.34.56.78, is a phone number).
    return (lengths[:2] == [2, 2] and groups[1][0] == "." and int(groups[1][1]) <= 59
            and not (len(groups) > 2 and groups[2][0] == "."))


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
        # Another country: its code and a subscriber number, 9 to 15 digits in
        # all, that phonenumbers holds possible for that country.
        for target in range(15, 8, -1):
            result = _read_groups(text, index, target, 0)
            if result is not None and _possible_international("+" + "".join(g for _, g in result[1])):
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
# In capitals, or in lower case when the letters are not a short Dutch word:
# "in 2025 is 12 keer" must not read as postcode "2025 is" plus 12.
_SHORT_WORDS = ("is|en|om|in|op|de|je|we|ze|al|nu|of|te|ik|na|zo|ja|er|ne|me|ge|pa|ma|uw|hé|ha|oh|eh|au|ok|nr|km|kg"
                "|mm|cm|ct|st|uu|xl|vs|tv|pc|ex|mn|zn|dr|ir|mr|vd|pm|am|jl|bv|nv|cv|wc|uk")
_POSTCODE = r"[1-9]\d{3}[ ]?(?:(?!SA|SD|SS)[A-Z]{2}|(?!(?:sa|sd|ss|" + _SHORT_WORDS + r")\b)[a-z]{2})(?![A-Za-z])"
_HOUSE_NUMBER = r"\d{1,5}(?:[ ]?-?[ ]?[A-Za-z]{1,2}(?!\w)|-\d{1,4}(?!\w)|[ ](?:hs|bis|I{1,3})(?!\w))?"
# "5223 AB 12", "5223AB 12", "5223 AB, nr 12", "5223 AB, huisnummer 12a".
_POSTCODE_THEN_NUMBER = re.compile(
    r"(?<![\w-])" + _POSTCODE + r"(?:[ ]+|,[ ]*|[ ]*,?[ ]*(?:nr\.?|nummer|huisnummer|no\.?)[ ]*)"
    + _HOUSE_NUMBER + r"(?![\w:]|[.,]\d)")
# "Kerkstraat 12, 5223 AB" and an address block over two lines.
_NUMBER_THEN_POSTCODE = re.compile(
    r"(?<![\w-])[A-Za-zÀ-ÿ][\w'À-ÿ.-]*[ ]+" + _HOUSE_NUMBER + r"(?=[ ,\n])[ ]*,?[ ]*(?:\n[ ]*)?"
    + _POSTCODE + r"(?![\w-])")


# "5224KL3", "5224 KL12a": a house number glued to the postcode's letters.
_POSTCODE_GLUED = re.compile(r"(?<![\w-])[1-9]\d{3}[ ]?(?:(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})\d{1,5}[A-Za-z]?(?!\w)")
# Both address patterns hold a postcode: a text without one is done at once.
_POSTCODE_GATE = re.compile(r"[1-9]\d{3} ?[A-Za-z]{2}")


def _addresses(text: str) -> list[Finding]:
    if not _POSTCODE_GATE.search(text):
        return []
    return [Finding("postcode-huisnummer", m.group(0), m.start(), m.end())
            for pattern in (_POSTCODE_THEN_NUMBER, _NUMBER_THEN_POSTCODE, _POSTCODE_GLUED) for m in pattern.finditer(text)]


# --- Street with house number ---------------------------------------------------------

# The street names are the BAG's (Basisregistratie Adressen en Gebouwen, open
# data), as the ``deduce`` package ships them (lookup list lst_street, GPL-3.0;
# deduce 3.0.6), folded and without duplicates in binsite/data/streets.txt.gz
# (155,000 names, 620 kB). Loaded on the first text with a capitalised word
# (or a street-like word) before a number. A street name ending in one of
# these words counts even when it is not in the list (a new street, a typo).
_STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "singel", "gracht", "kade", "dijk", "steeg", "dreef", "pad", "hof", "park",
    "baan", "wal", "markt", "veld", "plantsoen", "erf", "hoek", "haven", "burg", "boulevard", "allee", "passage",
    "poort", "ring", "wijk", "werf", "wetering", "zijde", "akker", "hoeve", "gaarde", "tuin", "donk", "stede",
    "lei", "dam", "sluis", "vaart", "oord", "berg", "horst", "rode", "hage", "kamp", "rijn", "brink", "loop",
)
# Written in lower case only these say "street" ("verloedering 9", "onderweg 3" do not).
_STRONG_SUFFIXES = ("straat", "laan", "plein", "singel", "gracht", "kade", "steeg", "dreef", "plantsoen",
                    "boulevard", "allee", "straatje", "weg")
# Words before a number that say it is not a house number, and words that
# may follow a house number ("Kerkstraat 12 zwart" is still an address).
_NOT_STREETS = frozenset(
    "artikel groep lijn bus fase hoofdstuk pagina blz nummer nr huisnummer kamer stap week dag jaar ronde versie klas "
    "route bijlage punt tabel uur minuut minuten seconde zondag maandag dinsdag woensdag donderdag vrijdag zaterdag "
    "januari februari maart april mei juni juli augustus september oktober november december jan feb mrt apr jun jul "
    "aug sep sept okt nov dec tot en met van naar om op in bij voor na over ongeveer circa ca rond sinds tussen "
    "vanaf tegen onder per sinds al nog ook maar dan is was zijn waren heeft hebben werd worden wordt nog niet "
    "pand huis woning flat portiek blok toren gebouw etage verdieping code level tram trein metro perron spoor "
    "gate afrit afslag knooppunt a n e s snelweg rijksweg provinciale provincialeweg emmaus onderweg halverwege "
    "weg".split())
_STREET_PARTICLES = frozenset("de het 't den der van ter ten te aan op in bij sint st. st oude nieuwe".split())
_NUMBER = re.compile(r"(?<![\w.,:/#€$-])(\d{1,4})(?:[ ]?(?:-[ ]?)?[A-Za-z](?![\w])|-\d{1,3}(?!\w)|[ ]?(?:hs|bis)(?!\w))?"
                     r"(?![\w]|[.,:/]\d|[ ]?(?:%|€|\$|-\d|:\d))")
# After a house number, a word in lower case that makes it a count or a time:
# "de Markt 12 kramen", "Maaspoort 3 keer", "om 12 uur".
_COUNT_AFTER = re.compile(r"[ ]+(?!(?:in|is|te|en|op|om|rond|sinds|gisteren|vandaag|vannacht|bij|of|was|werd|wordt|met|aan|zwart|wit|heeft|hoek|nabij|"
                          r"en|daar|is|rood|groen|blauw|grijs|achter|voor|naast)\b)[a-zà-ÿ]{2,}")
_UNIT_AFTER = re.compile(r"[ ]*(?:uur|u\b|keer|maal|x\b|minuten|min\b|seconden|sec\b|mensen|personen|jaar|jaren|"
                         r"maanden|weken|dagen|euro|eur\b|procent|km|kilometer|meter|m\b|cm|kg|kilo|graden|stuks|"
                         r"auto'?s|fietsen|kramen|woningen|huizen|meldingen|inbraken|deelnemers|leden|bezoekers|"
                         r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                         r"december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\b)",
                         re.IGNORECASE)
_INSTITUTIONS = re.compile(r"(?:politiebureau|bureau|gemeentehuis|stadskantoor|stadhuis|wijkcentrum|buurthuis|"
                           r"bibliotheek|station|wijkbureau|servicepunt|loket|bezoekadres|postadres|antwoordnummer|"
                           r"postbus|ziekenhuis|brandweerkazerne|kazerne)\b[^.\n]{0,40}$", re.IGNORECASE)
# An ordinal before a word such as "fase": "1e fase", "2e etappe", "3de deel", "1ste verdieping".
_ORDINAL = re.compile(r"\d{1,3}(?:e|de|ste)[ ]+(?:fase|etappe|deel|verdieping|week|ronde|helft|kwartaal|maand|jaar|"
                      r"klas|groep|editie|keer|plaats|dag|bouwfase|stap|termijn|lijn|ring)\b", re.IGNORECASE)
# Words before a name that make its number a stop, a platform or a route: "halte Maaspoort 2", "perron 3".
_STOP_WORDS = frozenset({"halte", "bushalte", "tramhalte", "perron", "lijn", "buslijn", "bus", "spoor", "tram", "tramlijn"})
# A number after a space; the word before most is "om", "op", "van", never a street.
_STREET_GATE = re.compile(r" \d")
_LINE_GATE = re.compile(r"\n\d")  # apart: a pattern with a single first character searches much faster
# The house number before the street: "14 Kerkstraat", "op 14a Kerkstraat" (the street's words after it).
# A capital or a word that ends as a street's does, looked for here (most numbers are followed by neither: "14 uur").
_NUMBER_FIRST = re.compile(r"(?P<n>\d{1,4}[a-z]?)[ ]+(?=[A-ZÀ-Þ]|[a-zà-ÿ]*(?:" + "|".join(_STRONG_SUFFIXES) + r")\b)"
                           r"(?P<s>[A-Za-zÀ-ÿ][\w'’À-ÿ.-]*(?:[ ]+[A-Za-zÀ-ÿ][\w'’À-ÿ.-]*){0,3})")
# Words before such a number that make it a count, a rank or a route: "de 3 Kerkstraten", "lijn 3 Maaspoort".
_NOT_BEFORE_NUMBER_FIRST = frozenset(
    "de het alle deze die zijn haar hun onze uw ruim bijna ongeveer circa ca meer minder dan groep klas lijn bus "
    "halte bushalte tramhalte perron spoor tram buslijn tramlijn route fase stap week dag jaar uur pagina blz "
    "hoofdstuk artikel bijlage versie ronde punt tabel kamer zondag maandag dinsdag woensdag donderdag vrijdag "
    "zaterdag om tot vanaf rond sinds tussen uiterlijk".split())


def _word_before(text: str, end: int) -> str:
    """The word that ends at ``end`` (spaces before ``end`` skipped)."""
    while end > 0 and text[end - 1] == " ":
        end -= 1
    start = end
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'’.-"):
        start -= 1
    return text[start:end]


def _street_phrase(words: list[str]) -> str | None:
    """The street name that ``words`` (the words just before a number, last
    word last) end in, or None."""
    streets = _streets_list()
    for size in range(min(len(words), 6), 0, -1):
        phrase_words = words[-size:]
        first = phrase_words[0]
        if first.lower() in _STREET_PARTICLES and size > 1 and not first[:1].isupper():
            continue
        folded = fold(" ".join(phrase_words))
        last = fold(phrase_words[-1])
        if last in _NOT_STREETS:
            return None
        suffixes = _STREET_SUFFIXES if first[:1].isupper() else _STRONG_SUFFIXES
        if size == 1 and last.endswith(suffixes) and len(last) > 4 and folded not in _NOT_STREETS:
            return " ".join(phrase_words)
        if folded in streets and first[:1].isupper() and not (size == 1 and folded in _word_list("common_words")):
            return " ".join(phrase_words)
        # "De Hambaken 7", "Het Zand 3": an article and a capitalised name.
        if size == 2 and first in ("De", "Het", "'t", "’t", "Den", "Ter", "Ten") and phrase_words[1][:1].isupper() \
                and last not in _NOT_STREETS:
            return " ".join(phrase_words)
    return None


def _number_first(text: str, start: int, before: str) -> int | None:
    """The end of a street name after the house number at ``start`` ("14
    Kerkstraat", "op 14 Kerkstraat"), or None: not a year ("in 2025
    Kerkstraat"), not a count or rank (``before`` is "de", "lijn", ...), and a
    single word only when it ends in a street word ("14 Markt" is a count)."""
    match = _NUMBER_FIRST.match(text, start)
    if match is None or not _maybe_street(match.group("s").split(" ", 1)[0].rstrip(".,;:")):
        return None
    number = match.group("n")
    if (len(number) == 4 and number[:2] in ("19", "20")) or fold(before).strip(".") in _NOT_BEFORE_NUMBER_FIRST:
        return None
    words = [w.rstrip(".,;:") for w in match.group("s").split()]
    for size in range(len(words), 0, -1):
        name = _street_phrase(words[:size])
        if name is None or name != " ".join(words[:size]):
            continue
        folded = fold(name)
        if size == 1 and not (folded.endswith(_STREET_SUFFIXES) and len(folded) >= 7):
            return None
        return match.start("s") + match.group("s").index(words[size - 1]) + len(words[size - 1])
    return None


def _maybe_street(word: str) -> bool:
    folded = word.lower()
    return folded not in _NOT_STREETS and (word[:1].isupper() or folded.endswith(_STRONG_SUFFIXES))


# "Kerkstraat nr. 12": the word for "number" is read as a space (same length, same offsets).
_NUMBER_WORD = re.compile(r"(?<![\w])(?:nr|no|nummer|huisnummer)\.?[ ]+(?=\d)", re.IGNORECASE)


def _streets(text: str) -> list[Finding]:
    found: list[Finding] = []
    original = text
    lower = _lower(text)
    if "nr" in lower or "nummer" in lower or "no." in lower or "no " in lower:
        text = _NUMBER_WORD.sub(lambda m: " " * len(m.group(0)), text)
    starts = [0] if text[:1].isdigit() else []
    digits = itertools.chain(starts, (m.end() - 1 for gate in (_STREET_GATE, _LINE_GATE) for m in gate.finditer(text)))
    for digit in digits:
        before = _word_before(text, digit)
        if not _maybe_street(before):
            first = _number_first(text, digit, before)
            if first is not None:
                found.append(Finding("adres", original[digit:first], digit, first))
            continue
        match = _NUMBER.match(text, digit)
        if match is None:
            continue
        line = text[max(0, match.start() - 80):match.start()].rsplit("\n", 1)[-1]
        words = [w.strip(".") for w in re.findall(r"[A-Za-zÀ-ÿ'’.-]+", line)]
        words = [w for w in words if w][-6:]
        if not words or not line.rstrip().endswith(words[-1]):
            continue
        name = _street_phrase(words)
        if name is None or _INSTITUTIONS.search(line) or _UNIT_AFTER.match(text, match.end()):
            continue
        # "Maaspoortweg 1e fase" (an ordinal), "Halte Maaspoort 2" (a stop, platform or route).
        if _ORDINAL.match(text, match.start()) or fold(_word_before(line.rstrip(), len(line.rstrip()) - len(name))).strip(".") in _STOP_WORDS:
            continue
        # A single word that is a street only by the list ("Markt",
        # "Maaspoort") is also a place name: a lower-case word after the
        # number makes it a count ("de Markt 12 kramen").
        if " " not in name and not fold(name).endswith(_STREET_SUFFIXES) and _COUNT_AFTER.match(text, match.end()):
            continue
        start = match.start() - len(line) + line.rfind(name.split()[0], 0, len(line) - len(name) + len(name.split()[0]))
        start = max(start, match.start() - len(line))
        found.append(Finding("adres", original[start:match.end()], start, match.end()))
    return found


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
# Spaces or dots between the groups: plate letters only, in capitals (lower case after a plate word, below).
_PLATE_SPACED = re.compile(
    r"(?<![\w/-])(?:" + "|".join(_plate_pattern(c, "[ .]", f"[{_PLATE_LETTERS}]") for c in SIDECODES)
    + r")(?![\w/-]|\.\w)")
# Dots between the groups are not prose: lower case too ("gh.12.jk").
_PLATE_DOTTED = re.compile(
    r"(?<![\w/.-])(?:" + "|".join(_plate_pattern(c, "[.]", f"[{_PLATE_LETTERS}{_PLATE_LETTERS.lower()}]")
                                   for c in SIDECODES) + r")(?![\w/-]|\.\w)")
# Without separators "5223AB" is a postcode, so side code 2 is not read that way.
_PLATE_BARE = re.compile(
    r"(?<![\w/-])(?:" + "|".join(_plate_pattern(c, "", f"[{_PLATE_LETTERS}]") for c in SIDECODES if c != "DD-DD-LL")
    + r")(?![\w/-])")
# After "kenteken", "plaat", "nummerbord": any plate shape in any case, with
# any separators, old plates with vowels too.
_PLATE_WORD = re.compile(r"\b(?:kentekens?|kentekenplaat|nummerbord|nummerplaat|plaat|license plate|licence plate|"
                         r"registration)\b[ ]*(?:[:=(-]|nr\.?|nummer|is|was|van)?[ ]*", re.IGNORECASE)
_PLATE_AFTER_WORD = re.compile(r"[A-Za-z0-9]{1,3}(?:[ .-]?[A-Za-z0-9]{1,3}){1,2}(?![A-Za-z0-9])")
_SHAPES = frozenset(c.replace("-", "") for c in SIDECODES)

# Every plate has a letter next to a digit, with at most its separator between.
# Each gate starts at a digit and looks both ways: much faster than an
# alternation that tries every position for a letter.
_PLATE_GATES = (
    (re.compile(r"\d(?:-[A-Za-z]|(?<=[A-Za-z]-\d))"), _PLATE_DASHED),
    (re.compile(f"\\d(?:[ .][{_PLATE_LETTERS}]|(?<=[{_PLATE_LETTERS}][ .]\\d))"), _PLATE_SPACED),
    (re.compile(f"\\d(?:[{_PLATE_LETTERS}]|(?<=[{_PLATE_LETTERS}]\\d))"), _PLATE_BARE),
    (re.compile(r"\d(?:\.[A-Za-z]|(?<=[A-Za-z]\.\d))"), _PLATE_DOTTED),

)
# A plate written letter by letter: "G-H-1-2-J-K", "G H 1 2 J K" (one kind of separator throughout).
# Searched only when ``_SINGLE_CHARACTER_GATE`` finds its shape (a look-behind first tries every position).
_PLATE_SPELLED = re.compile(r"(?<![\w.-])[A-Za-z0-9](?P<sep>[ .-])[A-Za-z0-9](?:(?P=sep)[A-Za-z0-9]){4}(?![\w]|[.-]\w)")
# Every spelled side code has a digit next to a letter with one separator between.
_SINGLE_CHARACTER_GATE = re.compile(r"\d(?:[ .-][A-Za-z](?![A-Za-z])|(?<=[A-Za-z][ .-]\d)(?!\d))")
_PLATE_WORDS = ("kenteken", "plaat", "nummerbord", "plate", "registration")


def _shape(compact: str) -> str:
    return "".join("L" if ch.isalpha() else "D" for ch in compact)


# Any of the gates below, in one pass (most texts have no plate at all).
# (Lower case with spaces, "xr 12 bt", is found only after a plate word: in
# prose "om 12 uur" and "nr 12 34" are everywhere.)
_PLATE_GATE = re.compile(f"\\d(?:-[A-Za-z]|[ .]?[{_PLATE_LETTERS}]|\\.[a-z]|(?<=[A-Za-z]-\\d)"
                         f"|(?<=[{_PLATE_LETTERS}][ .]\\d)|(?<=[a-z]\\.\\d)|(?<=[{_PLATE_LETTERS}]\\d))")


def _plates(text: str, rare: bool = True) -> list[Finding]:
    found: list[Finding] = []
    gates = _PLATE_GATES if _PLATE_GATE.search(text) else ()
    for gate, pattern in gates:
        if not gate.search(text):
            continue
        for match in pattern.finditer(text):
            letters = [ch for ch in match.group(0) if ch.isalpha()]
            if not (all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)):
                continue
            found.append(Finding("kenteken", match.group(0), match.start(), match.end()))
    # A plate letter by letter has a digit, a separator and a single character, a separator and a digit, or
    # a digit, a separator, a letter, a separator and a digit (the spelled shapes of the side codes).
    if rare and _SINGLE_CHARACTER_GATE.search(text):
        for match in _PLATE_SPELLED.finditer(text):
            compact = re.sub(r"[ .-]", "", match.group(0))
            letters = [ch for ch in compact if ch.isalpha()]
            if (_shape(compact) in _SHAPES and (all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters))
                    and all(ch.upper() in _PLATE_LETTERS for ch in letters)
                    and not any(f.start <= match.start() < f.end for f in found)):
                found.append(Finding("kenteken", match.group(0), match.start(), match.end()))
    lower = _lower(text)
    if any(word in lower for word in _PLATE_WORDS):
        for word in _PLATE_WORD.finditer(text):
            match = _PLATE_AFTER_WORD.match(text, word.end())
            if match is None:
                continue
            compact = re.sub(r"[ .-]", "", match.group(0))
            if len(compact) == 6 and _shape(compact) in _SHAPES:
                found.append(Finding("kenteken", match.group(0), match.start(), match.end()))
    return found


# --- BSN -------------------------------------------------------------------------------

def bsn_valid(number: str) -> bool:
    """The eleven-test of a burgerservicenummer (9 digits; python-stdnum)."""
    from stdnum.nl import bsn

    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) == 9 and len(set(digits)) > 1 and bsn.is_valid(digits)


# Nine digits, together or in groups ("111 222 333", "1112.22.333"), not part
# of a longer number, an amount or a date. Searched from a digit (a pattern
# that starts with look-behinds tries every position); the context is
# checked in ``_bsns``.
_BSN_DIGITS = re.compile(r"\d(?:[ .-]?\d){8}")


def _bsns(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _BSN_DIGITS.finditer(text):
        start, end = match.span()
        before, after = text[max(0, start - 2):start], text[end:end + 2]
        if before[-1:] and (before[-1].isalnum() or before[-1] in "_.,/+-€") or before[:1].isdigit() and before[-1:] == " " \
                or before == "€ " or after[:1] and (after[0].isalnum() or after[0] == "_") \
                or after[:1] in (" ", ".", ",", "/", "-") and after[1:2].isdigit():
            continue
        if bsn_valid(match.group(0)):
            found.append(Finding("bsn", match.group(0), start, end))
    return found


# --- The reader's view: what a reader still reads as one number ------------------------------

# Dutch numbers written out, up to 999: "twaalf", "een-en-twintig",
# "drieëntwintig" (folded: "drieentwintig"), "honderdvijf".
_UNITS = {"nul": 0, "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9}
_TEENS = {"tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16,
          "zeventien": 17, "achttien": 18, "negentien": 19}
_TENS = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80,
         "negentig": 90}
_U = "|".join(sorted(_UNITS, key=len, reverse=True))
_SPELLED_NUMBER = re.compile(
    rf"(?:(?P<h>{_U})?honderd(?:en)?)?(?:(?:(?P<u>{_U})en)?(?P<x>{'|'.join(_TENS)})|(?P<t>{'|'.join(_TEENS)})"
    rf"|(?P<one>{_U}))?")
# A word made of the parts of numbers only (hyphens and "en" between them):
# each is then read by ``dutch_number``. Starts with a part of a number, so
# that the search skips ahead to each (and never stops at the word "en").
_NUMBER_PARTS = ("nul|een|één|eén|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien"
                 "|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig"
                 "|negentig|honderd")
# Searched in lower case, without a look-behind first (that would try every
# position): the character before is checked in ``_spelled``.
_NUMBER_WORDS = re.compile(rf"(?:{_NUMBER_PARTS})(?:{_NUMBER_PARTS}|ën|en|-)*(?![\w-])")
_RUN_SEPARATOR = re.compile(r"[ ,-]+")
_AND = re.compile(r"[ ]+en[ ]+|[ ]*-[ ]*en[ ]*-[ ]*")
_PLUS_BEFORE = re.compile(r"(?<![\w])plus[ ]+$")
_DIGITS_GO_ON = re.compile(r"[ ,-]*\d")


@functools.lru_cache(maxsize=4096)  # the same few words ("twee", "drie") over and over
def dutch_number(word: str) -> int | None:
    """The value of ``word``, a Dutch number up to 999 written out
    ("twaalf", "een-en-twintig", "drieëntwintig", "tweehonderdvijf"), or None."""
    folded = fold(word).replace("-", "")
    if not folded:
        return None
    match = _SPELLED_NUMBER.fullmatch(folded)
    if match is None or not folded.strip():
        return None
    hundreds = 0
    if "honderd" in folded[:match.end("h") + 7 if match.group("h") else 7]:
        hundreds = 100 * (_UNITS[match.group("h")] if match.group("h") else 1)
    rest = 0
    if match.group("x"):
        rest = _TENS[match.group("x")] + (_UNITS[match.group("u")] if match.group("u") else 0)
    elif match.group("t"):
        rest = _TEENS[match.group("t")]
    elif match.group("one"):
        rest = _UNITS[match.group("one")]
    elif not hundreds:
        return None
    return hundreds + rest


class _View:
    """A text edited for the reader's eye, with for each of its characters
    the offset in the original (so a finding is reported as written)."""

    def __init__(self, text: str):
        self.text = text
        self._offsets: list[int] | None = None  # made on the first edit: most texts have none
        self._rare: tuple[str, bool] | None = None
        self.digits = True  # False when the text holds no digit: then no pattern that needs one is tried

    @property
    def rare(self) -> bool:
        """Whether ``_RARE_DIGITS`` finds anything in the text as it is now."""
        if self._rare is None or self._rare[0] is not self.text:
            self._rare = (self.text, _RARE_DIGITS.search(self.text) is not None)
        return self._rare[1]

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = list(range(len(self.text)))
        return self._offsets

    def edit(self, edits: list[tuple[int, int, str]]) -> None:
        """Replace ``text[start:end]`` by each replacement (in order, not overlapping)."""
        if not edits:
            return
        parts: list[str] = []
        offsets: list[int] = []
        position = 0
        for start, end, replacement in edits:
            parts.append(self.text[position:start])
            offsets.extend(self.offsets[position:start])
            parts.append(replacement)
            offsets.extend(self.offsets[_spread(start, end, i, len(replacement))] for i in range(len(replacement)))
            position = end
        parts.append(self.text[position:])
        offsets.extend(self.offsets[position:])
        self.text = "".join(parts)
        self._offsets = offsets

    def append(self, line: str, start: int, end: int) -> None:
        """An extra line that stands for ``text[start:end]`` as it is now."""
        offsets = self.offsets
        self.text += "\n" + line
        offsets.append(offsets[start])
        offsets.extend(offsets[_spread(start, end, i, len(line))] for i in range(len(line)))


def _spread(start: int, end: int, index: int, count: int) -> int:
    """Character ``index`` of ``count`` that stand for ``[start, end)``: the first for the first, the last for the last."""
    if count <= 1 or end - start <= 1:
        return start
    return start + round(index * (end - start - 1) / (count - 1))


def _spelled(text: str) -> list[tuple[int, int, str]]:
    """Numbers written out that a reader reads as digits: a run of three or
    more number words (a phone number, "nul zes twaalf ..."), and one number
    after a street name or after "nummer" ("Kerkstraat een-en-twintig",
    "Maaspoortweg nummer twaalf"), never a count ("Kerkstraat twee keer")."""
    lower = _lower(text)
    words = [(m.start(), m.end(), value) for m in _NUMBER_WORDS.finditer(lower)
             if (not m.start() or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"))
             and (value := dutch_number(m.group(0))) is not None]
    # "een en dertig" (a unit, " en ", a ten) is one number, as "eenendertig".
    merged: list[tuple[int, int, int]] = []
    for word in words:
        if (merged and 0 < merged[-1][2] < 10 and word[2] in _TENS.values()
                and _AND.fullmatch(text, merged[-1][1], word[0])):
            merged[-1] = (merged[-1][0], word[1], word[2] + merged[-1][2])
        else:
            merged.append(word)
    words = merged
    edits: list[tuple[int, int, str]] = []
    index = 0
    while index < len(words):
        run = [words[index]]
        while index + len(run) < len(words) and _RUN_SEPARATOR.fullmatch(text[run[-1][1]:words[index + len(run)][0]]):
            run.append(words[index + len(run)])
        # "plus een-en-dertig zes ...": the plus of an international number.
        plus = _PLUS_BEFORE.search(lower, max(0, run[0][0] - 12), run[0][0])
        # Three words or more, or two (or a plus and one) that digits go on
        # from ("nul zes 12345678", "plus eenendertig 6 12345678").
        if len(run) >= 3 or (len(run) >= 2 or plus is not None) and _DIGITS_GO_ON.match(text, run[-1][1]):
            start = run[0][0]
            digits = "".join(str(v) for _, _, v in run)
            if plus is not None:
                start, digits = plus.start(), "+" + digits
            edits.append((start, run[-1][1], digits))
            index += len(run)
            continue
        start, end, value = words[index]
        index += 1
        before = _word_before(text, start)
        if not before:
            continue
        after_number_word = before.lower().strip(".") in ("nummer", "nr", "huisnummer", "no")
        if not after_number_word and (value in (0, 1) or not _maybe_street(before)):
            continue  # "een" is mostly an article; a number after an ordinary word is a count
        if (after_number_word or (before.lower() not in _STREET_PARTICLES and not _COUNT_AFTER.match(text, end)
                                  and not _UNIT_AFTER.match(text, end))):
            edits.append((start, end, str(value)))
    return edits


# Characters between two digits that a reader skips: middle dots, bullets, underscores.
_DIGIT_SEPARATORS = "\u00b7\u2027\u2022\u2219\u22c5\u30fb\u16eb\u2981_"
_DIGIT_SEPARATOR = re.compile(rf"(?<=\d)[ ]?[{_DIGIT_SEPARATORS}][ ]?(?=\d)")
_SINGLE_DIGITS = re.compile(r"\d(?:[ ]\d){3,}(?![\d.,:])")
# A line break (a <br>, the end of a list item or paragraph) between two digits.
_SPLIT_DIGITS = re.compile(r"\n[ ]*(?=\+?\d)")
_BEGINS = re.compile(r"\b(?:begint|beginnen|beginnend|begin|start|starten|startend|eerste cijfers)\b[^.!?\n\d]{0,25}?"
                     r"(?P<d>\+?\d[\d .-]*\d|\d)", re.IGNORECASE)
_ENDS = re.compile(r"\b(?:eindigt|eindigen|eindigend|eindig|laatste cijfers|houdt op|stopt)\b[^.!?\n\d]{0,25}?"
                   r"(?P<d>\d[\d .-]*\d|\d)", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?=\d)[^.!?\n]*)*")
_NUMBER_BEFORE_STREET = re.compile(
    r"\b(?:nummer|nr\.?|huisnummer|no\.?)[ ]?(?P<n>\d{1,4}[a-z]?)[ ]+(?:van|in|aan|op|uit|langs)[ ]+"
    r"(?P<s>(?:(?:de|het|den|'t)[ ]+)?[A-Za-zÀ-ÿ][\w'À-ÿ.-]*(?:[ ]+[A-Za-zÀ-ÿ][\w'À-ÿ.-]*){0,3})", re.IGNORECASE)


def _spellings(value: int) -> set[str]:
    """The usual ways to write ``value`` (0-999) out, in lower case."""
    units = [k for k, v in _UNITS.items() if v == value % 10]
    forms: set[str] = set()
    rest = value % 100
    if rest < 10:
        forms = set(units) if rest or value < 100 else {""}
    elif rest < 20:
        forms = {k for k, v in _TEENS.items() if v == rest}
    else:
        tens = next(k for k, v in _TENS.items() if v == rest - rest % 10)
        if rest % 10 == 0:
            forms = {tens}
        else:
            unit = units[0]
            joint = "ën" if unit.endswith("e") else "en"
            forms = {unit + joint + tens, f"{unit}-en-{tens}", unit + "en" + tens}
    if value >= 100:
        hundred = "honderd" if value // 100 == 1 else next(k for k, v in _UNITS.items() if v == value // 100) + "honderd"
        forms = {hundred + form for form in forms} | {hundred + "en" + form for form in forms if form}
    return forms


@functools.lru_cache(maxsize=1)
def _number_words() -> frozenset[str]:
    """Every number word ``_spelled`` reads (but "een", mostly an article),
    also with the punctuation that may follow it in a text split at spaces."""
    words = {form for value in range(1000) for form in _spellings(value)} - {"een", ""}
    words |= {w.replace("ë", "e") for w in words}
    return frozenset(words | {w + mark for w in words for mark in ".,;:!?)"})


def _may_spell_numbers(text: str) -> bool:
    """Whether ``text`` has a number word ``_spelled`` may read: one other than
    "een" (read only after "nummer"). Its words as a set against the set of
    number words: far quicker than a pattern's search, and most texts have
    none but "een" and "twee"."""
    lower, words = _lower_words(text)
    return (not _number_words().isdisjoint(words)
            or "nummer een" in lower or "nr. een" in lower or "nr een" in lower)


_A_DIGIT = re.compile(r"\d")
# One pass for three rare shapes, each of which starts at a digit: an O by a
# digit (``_IBAN_O_GATE``), a single character between separators by a digit
# (``_SINGLE_CHARACTER_GATE``), and single digits apart by spaces
# (``_SINGLE_DIGITS``). Most texts have none: then the three passes are saved.
_RARE_DIGITS = re.compile(r"\d(?:[ .-]?[Oo]|(?<=[Oo]\d)|[ .-][A-Za-z](?![A-Za-z])|(?<=[A-Za-z][ .-]\d)(?!\d)"
                          r"|[ ]\d[ ]\d)")


def _digit_before(text: str, end: int) -> bool:
    """Whether the last character before ``end``, spaces skipped, is a digit."""
    while end > 0 and text[end - 1] == " ":
        end -= 1
    return end > 0 and text[end - 1].isdigit()


def _street_before(text: str, end: int) -> bool:
    """Whether the line that ends at ``end`` ends in a word that may be a street's name (not a sentence's end)."""
    word = _word_before(text, end)
    return bool(word) and not word.endswith(".") and _maybe_street(word)


_PLUS_DIGITS = re.compile(r"(?<![\w])plus[ ]+(?=\d)", re.IGNORECASE)


def reader_view(text: str) -> _View:
    """``text`` as a reader reads its numbers: written out in digits, joined
    over bullets, underscores, single spaces and line breaks, and with extra
    lines for what a sentence assembles ("begint met 06 12 ... eindigt op
    34 56 78") and for a house number before its street ("op nummer 14 van
    de Kerkstraat"). Each step runs only when a cheap test says it may apply."""
    view = _View(text)
    if _may_spell_numbers(text):
        view.edit(_spelled(view.text))
    if not _has_digit(view.text):
        view.digits = False
        return view
    if any(ch in view.text for ch in _DIGIT_SEPARATORS):
        view.edit([(m.start(), m.end(), "-") for m in _DIGIT_SEPARATOR.finditer(view.text)])
    if view.rare:
        view.edit([(m.start(), m.end(), m.group(0).replace(" ", "")) for m in _SINGLE_DIGITS.finditer(view.text)
                   if not m.start() or view.text[m.start() - 1] not in "0123456789.,:-"])
    # A line that starts with a digit after one that ends with a digit (spaces
    # before the break skipped), or after one that ends with a street's name:
    # "Kerkstraat" and "12" in two list items or lines are "Kerkstraat 12".
    view.edit([(m.start(), m.end(), " ") for m in _SPLIT_DIGITS.finditer(view.text)
               if _digit_before(view.text, m.start()) or _street_before(view.text, m.start())])
    current = view.text
    lower = _lower(current)
    if "plus" in lower:
        view.edit([(m.start(), m.end(), "+") for m in _PLUS_DIGITS.finditer(view.text)])
        current = view.text
        lower = _lower(current)
    # The end's words first: "eerste" is in many texts, these in few.
    if ("eindig" in lower or "laatste" in lower or "houdt op" in lower or "stopt" in lower) and (
            "begin" in lower or "start" in lower or "eerste" in lower):
        for sentence in _SENTENCE.finditer(current):
            part = sentence.group(0)
            begins, ends = _BEGINS.search(part), _ENDS.search(part)
            if begins and ends:
                digits = re.sub(r"[ .-]", "", begins.group("d")) + re.sub(r"[ .-]", "", ends.group("d"))
                first = min(begins.start("d"), ends.start("d"))
                last = max(begins.end("d"), ends.end("d"))
                view.append(digits, sentence.start() + first, sentence.start() + last)
    if "nummer" in lower or "nr" in lower or "no." in lower or "no " in lower:
        for match in _NUMBER_BEFORE_STREET.finditer(current):
            words = [w.strip(".,;:") for w in match.group("s").split()]
            if words and words[0].lower() in ("de", "het", "den", "'t") and len(words) > 1:
                words = words[1:]
            for size in range(len(words), 0, -1):
                name = _street_phrase(words[:size])
                if name is not None and name == " ".join(words[:size]):
                    view.append(f"{name} {match.group('n')}", match.start(), match.end())
                    break
    return view


# --- All together ------------------------------------------------------------------------------

# When findings overlap, the first kind here wins: an IBAN's digits are not a
# BSN, a phone number's are not a licence plate, "@jan@host" is a profile.
_PRIORITY = ("social-media", "e-mail", "iban", "telefoon", "postcode-huisnummer", "adres", "kenteken", "bsn")
# Inside an ordinary web address long numbers are ids, not phone numbers or
# BSNs; inside something shaped like an IBAN whose checksum fails they are a
# mistyped account number, not a phone number ("NL91 ABNA 0417 1643 01").
_NOT_IN_URLS = {"telefoon", "bsn", "adres", "kenteken"}
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

    ``text`` should be ``normalise``d (offsets are into the text given).
    ``allowed_addresses`` (whole addresses) and ``allowed_domains`` (and
    their sub-domains) are the BIN's own role addresses: not findings.
    """
    if not text:
        return []
    if not text.isascii():
        normal = normalise(text)
        if normal != text:
            return _scan_mapped(text, normal, allowed_addresses, allowed_domains)
    view = reader_view(text)
    if view.text != text:
        found = []
        for f in _scan_normal(view.text, allowed_addresses, allowed_domains, view.digits and view.rare, view.digits):
            start, end = view.offsets[f.start], view.offsets[f.end - 1] + 1
            if end <= start:
                end = min(len(text), start + len(f.text))
            finding = Finding(f.kind, text[start:end], start, end)
            if not any(finding.start < g.end and g.start < finding.end for g in found):
                found.append(finding)
        return sorted(found, key=lambda f: (f.start, f.end))
    return _scan_normal(text, allowed_addresses, allowed_domains, view.digits and view.rare, view.digits)


def _scan_normal(text: str, allowed_addresses, allowed_domains, rare: bool = True, digits: bool = True) -> list[Finding]:
    """``scan`` of a normalised text, as the patterns read it (``rare``: see
    ``_ibans``; ``digits``: False when the text holds no digit, and so no
    IBAN, phone number, address, plate or BSN)."""
    addresses, domains = _normalised(frozenset(allowed_addresses), frozenset(allowed_domains))
    candidates = _emails(text, addresses, domains) + _social(text)
    if digits:
        candidates += (_ibans(text, rare) + _phones(text) + _addresses(text) + _streets(text) + _plates(text, rare)
                       + _bsns(text))
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


def _scan_mapped(text: str, normal: str, allowed_addresses, allowed_domains) -> list[Finding]:
    """``scan`` of text that normalising changes: found in the normal form,
    reported with offsets and text of ``text`` as written."""
    offsets: list[int] = []
    for index, ch in enumerate(text):
        offsets.extend([index] * len(normalise(ch)))
    offsets.append(len(text))
    if len(offsets) != len(normal) + 1:  # NFKC joined characters: whole text, as one finding place
        return [Finding(f.kind, f.text, 0, len(text)) for f in scan(normal, allowed_addresses=allowed_addresses,
                                                                  allowed_domains=allowed_domains)]
    found = []
    for f in scan(normal, allowed_addresses=allowed_addresses, allowed_domains=allowed_domains):
        start, end = offsets[f.start], offsets[f.end - 1] + 1
        found.append(Finding(f.kind, text[start:end], start, end))
    return found


# --- Person names ---------------------------------------------------------------------------

# A first name (the ``deduce`` list of Dutch first names without those that
# are ordinary words: binsite/data/first_names.txt.gz) and a capitalised
# surname, with particles between: "Jan Jansen", "Marieke van der Berg".
_NAME = re.compile(r"(?<![\w.-])([A-ZÀ-Þ][a-zß-ÿ]+)((?:[ ]+(?:van|de|der|den|het|ter|ten|te|'t|in|op|la|le|du|da|"
                   r"von|vd))*)[ ]+([A-ZÀ-Þ][a-zß-ÿ]{1,}(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?)(?![\w])")
# In the list, but in bulletins ordinary words or parts of place names
# ("Hang- en sluitwerk", "Sint-Maarten").
_NOT_FIRST_NAMES = frozenset({"Hang", "Sint", "Maren", "Mei", "Juni", "Juli", "April", "Augustus", "Bij", "Deze",
                              "Donker", "Ook", "Let", "Wees", "Kijk", "Meld", "Bel", "Zie", "Doe", "Kom", "Houd"})


@functools.lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    return _word_list("first_names") - _NOT_FIRST_NAMES


# Words before or in a name that make it a role or a place, not a person.
_ROLE_WORDS = frozenset(
    "wijkagent wijkagenten binco bincos wijkmanager wijkmanagers politie gemeente burgemeester wethouder "
    "coordinator coördinator buurtpreventie bin handhaving handhaver boa brandweer team teamchef "
    "stichting vereniging buurtvereniging school basisschool sint st sportpark park wijk buurt "
    "straat kerk station winkelcentrum centrum".split())
ROLE_WORDS = _ROLE_WORDS


@functools.lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Folded words that are never a person's name on their own: the 500 most frequent Dutch
    words (``frequent_words.txt.gz``) and the guard's common words (``common_words.txt.gz``)."""
    return _word_list("frequent_words") | _word_list("common_words")


# A "surname" that ends so is a street ("Jan van Riebeeckstraat").
_NAME_NOT_SURNAME = ("straat", "laan", "weg", "plein", "singel", "gracht", "kade", "dreef", "steeg", "pad", "park",
                     "plantsoen", "school", "kerk", "centrum")
_CAPITALISED = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+")
_CAPITAL = re.compile(r"(?<![\w.-])([A-ZÀ-Þ][a-zß-ÿ]+)[ ]")


def names(text: str, *, roles: frozenset[str] = frozenset()) -> list[Finding]:
    """Likely person names in ``text``: a known first name, then a
    capitalised surname. ``roles``: folded words of the site's own that are
    never names (area names). Role names ("Wijkagent Maaspoort", "BINCO
    Empel") are never findings."""
    first_names = _first_names()
    found: list[Finding] = []
    if first_names.isdisjoint(_CAPITALISED.findall(text)):
        return found
    for capital in _CAPITAL.finditer(text):
        if capital.group(1) not in first_names:
            continue
        match = _NAME.match(text, capital.start())
        if match is None:
            continue
        first, _, surname = match.groups()
        if first not in first_names:
            continue
        before = text[max(0, match.start() - 30):match.start()].split()
        previous = fold(before[-1]).strip(".,:;") if before else ""
        if (previous in _ROLE_WORDS or fold(surname) in _ROLE_WORDS or fold(surname) in roles
                or fold(first) in roles or fold(surname) in _NOT_STREETS or fold(surname).endswith(_NAME_NOT_SURNAME)):
            continue
        found.append(Finding("naam", match.group(0), match.start(), match.end()))
    return found


# --- Deliberate encodings --------------------------------------------------------------------

# The rule: a run of at least 16 characters of the base64 alphabet (A-Z,
# a-z, 0-9, + and /, or - and _), with capitals and lower-case letters,
# whose decoding is UTF-8 text of which at least nine in ten characters are
# printable. Such a run is text made unreadable on purpose ("S2Vya3N0cmFhdCAxMg=="
# is "Kerkstraat 12"): a warning, since the guard cannot judge what it says.
# Runs of the alphabet; the rest of the rule (both cases, what is around it) is checked in ``encodings``.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")


def decoded_run(run: str) -> str | None:
    """The text a base64-looking ``run`` decodes to, when it is text; else None."""
    import base64
    import binascii

    data = run.rstrip("=")
    if "-" in data or "_" in data:
        data = data.replace("-", "+").replace("_", "/")
    data += "=" * (-len(data) % 4)
    try:
        decoded = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(1 for ch in decoded if ch.isprintable() or ch in "\n\t")
    return decoded if decoded and printable >= 0.9 * len(decoded) and any(ch.isalnum() for ch in decoded) else None


def encodings(text: str) -> list[Finding]:
    """Runs of ``text`` that read as base64 of a text (the rule above): kind ``codering``."""
    found = []
    lower, words = _lower_words(text)
    if len(lower) != len(text):  # lower case changed the length ("İ"): find the words as written
        lower, words = text, text.split()
    # Only words of 16 characters or more can hold such a run: most texts have none but web addresses.
    for folded in {word for word in words if len(word) >= 16}:
        position = lower.find(folded)
        while position != -1:
            after = position + len(folded)
            word = text[position:after]  # as written: the rule looks at capitals
            runs = _encoded_runs(word)
            # The word itself, not a part of a longer one.
            if runs and (not position or text[position - 1].isspace()) and (after == len(text) or text[after].isspace()):
                found += [Finding("codering", word[start:end], position + start, position + end) for start, end in runs]
            position = lower.find(folded, position + 1)
    return sorted(found, key=lambda f: f.start)


@functools.lru_cache(maxsize=4096)  # long words repeat: web addresses, compound words
def _encoded_runs(word: str) -> tuple[tuple[int, int], ...]:
    """Where in ``word`` the runs are that read as base64 of a text."""
    return tuple((m.start(), m.end()) for m in _BASE64_RUN.finditer(word)
                 if not (m.start() and word[m.start() - 1] == "=")  # a query's value: read on its own line
                 and m.group(0).lower() != m.group(0) and m.group(0).upper() != m.group(0)
                 and decoded_run(m.group(0)) is not None)


# --- The public rendition ----------------------------------------------------------------------

# nh3 writes every attribute as name="value".
_ATTRIBUTE = re.compile(r'(?:href|src|title|alt)="([^"]*)"')
_QUERY_SEPARATORS = re.compile(r"[?&=#;]")


def public_text(html_text: str, text: str | None = None) -> str:
    """What a reader of ``html_text`` (sanitised HTML) can see: the text, a
    line per block (``text``, when ``markup.html_to_text`` made it already),
    and the link targets, image sources and titles (shown on hover, read by
    a screen reader, followed by a click), each on a line of its own,
    percent-decoded. Normalised."""
    if text is None:
        from binsite.render.markup import html_to_text

        text = html_to_text(html_text)
    attributes = [unquote(html.unescape(value)) for value in _ATTRIBUTE.findall(html_text)] if '="' in html_text else []
    # A query string's values (?tel=0612345678&...) are published too, but
    # the patterns look for a number that starts a word: their separators
    # become spaces on an extra line.
    attributes += [_QUERY_SEPARATORS.sub(" ", value) for value in attributes if "=" in value]
    return normalise("\n".join([text, *attributes]))


# What makes source text hard to find back: entities, percent-escapes,
# comments. Replaced by what they stand for (with their offset) before letters and
# digits are compared.
_SOURCE_TOKEN = re.compile(r"<!--.*?(?:-->|$)|&#?\w{1,10};|%[0-9A-Fa-f]{2}", re.DOTALL)


def _skeleton(text: str) -> str:
    return "".join(ch for ch in normalise(text).lower() if ch.isalnum())


def _source_skeleton(source: str) -> tuple[str, list[int]]:
    """The letters and digits of ``source`` as rendered (lower case,
    normalised), with the offset in ``source`` of each."""
    chars: list[str] = []
    offsets: list[int] = []

    def add(piece: str, offset: int) -> None:
        for ch in normalise(piece).lower():
            if ch.isalnum():
                chars.append(ch)
                offsets.append(offset)

    position = 0
    for token in _SOURCE_TOKEN.finditer(source):
        for index in range(position, token.start()):
            add(source[index], index)
        value = token.group(0)
        if not value.startswith("<!--"):
            add(html.unescape(value) if value.startswith("&") else unquote(value), token.start())
        position = token.end()
    for index in range(position, len(source)):
        add(source[index], index)
    return "".join(chars), offsets


class _Locator:
    """Finds a finding of the rendition back in the source: the first place
    not yet taken where its letters and digits occur in order."""

    def __init__(self, source: str):
        self.skeleton, self.offsets = _source_skeleton(source)
        self.taken: set[int] = set()

    def find(self, text: str) -> int | None:
        wanted = _skeleton(text)
        for size in (len(wanted), min(len(wanted), 8), min(len(wanted), 4)):
            if size < 2 and len(wanted) >= 2:
                break
            piece = wanted[:size]
            if not piece:
                return None
            index = self.skeleton.find(piece)
            first = None
            while index != -1:
                first = index if first is None else first
                if index not in self.taken:
                    self.taken.add(index)
                    return self.offsets[index]
                index = self.skeleton.find(piece, index + 1)
            if first is not None:
                return self.offsets[first]
        return None


# --- Bulletins -------------------------------------------------------------------------------------

def _message(finding: Finding, *, public: bool, pdf: bool = False) -> Text:
    """``pdf``: the finding is in the text of a PDF the bulletin links (the
    advice is then to change the file or link it for members only)."""
    advice = _ADVICE[finding.kind]
    where_nl = "een openbaar bericht" if public else "een bericht dat niet openbaar is"
    where_en = "a public bulletin" if public else "a bulletin that is not public"
    allow = f'privacy: {{allow: [{finding.kind}], reason: "..."}}'
    if pdf:
        return t('{kind} "{text}" in {where}; {advice}. Haal het uit de pdf, link de pdf alleen in een ::: leden-blok, '
                 'of sta het toe met {allow}',
                 '{kind} "{text}" in {where_en}; {advice_en}. Remove it from the PDF, link the PDF only inside a '
                 '::: leden block, or allow it with {allow}',
                 kind=finding.kind, text=" ".join(finding.text.split()), where=where_nl, where_en=where_en,
                 advice=advice.nl, advice_en=advice.en, allow=allow)
    return t('{kind} "{text}" in {where}; {advice}. Haal het weg, zet het in een ::: leden-blok, of sta het toe met {allow}',
             '{kind} "{text}" in {where_en}; {advice_en}. Remove it, put it in a ::: leden block, or allow it with {allow}',
             kind=finding.kind, text=" ".join(finding.text.split()), where=where_nl, where_en=where_en,
             advice=advice.nl, advice_en=advice.en, allow=allow)


def _name_message(finding: Finding, *, pdf: bool = False) -> Text:
    if pdf:
        return t('"{text}" lijkt de naam van een persoon in een openbaar bericht; haal de naam uit de pdf '
                 '(beschrijf gedrag, geen personen), of link de pdf alleen in een ::: leden-blok '
                 '(een functie als "Wijkagent {area}" mag wel)',
                 '"{text}" looks like a person\'s name in a public bulletin; remove the name from the PDF '
                 '(describe behaviour, not people), or link the PDF only inside a ::: leden block '
                 '(a role such as "Wijkagent {area}" is fine)',
                 text=" ".join(finding.text.split()), area="Maaspoort")
    return t('"{text}" lijkt de naam van een persoon in een openbaar bericht; beschrijf gedrag, geen personen, '
             'of zet de naam in een ::: leden-blok (een functie als "Wijkagent {area}" mag wel)',
             '"{text}" looks like a person\'s name in a public bulletin; describe behaviour, not people, '
             'or put the name in a ::: leden block (a role such as "Wijkagent {area}" is fine)',
             text=" ".join(finding.text.split()), area="Maaspoort")


def _encoding_message(finding: Finding, *, pdf: bool = False) -> Text:
    text = finding.text if len(finding.text) <= 40 else finding.text[:37] + "..."
    fix_nl = "Haal het uit de pdf of link de pdf alleen in een ::: leden-blok" if pdf else "Schrijf het gewoon uit of haal het weg"
    fix_en = "Remove it from the PDF or link the PDF only inside a ::: leden block" if pdf else "Write it out plainly or remove it"
    return t('"{text}" lijkt gecodeerde tekst (base64) in een openbaar bericht; wie het decodeert leest wat er staat, '
             'en de controle kan het niet beoordelen. {fix} '
             '(bedoeld? privacy: {{allow: [codering], reason: "..."}})',
             '"{text}" looks like encoded text (base64) in a public bulletin; whoever decodes it reads what it says, '
             'and the check cannot judge it. {fix_en} '
             '(intended? privacy: {{allow: [codering], reason: "..."}})', text=text, fix=fix_nl, fix_en=fix_en)


def _slug_text(slug: str) -> str:
    """A slug as the scanner reads it: its words apart, and each three in a
    row joined by dashes (a plate, "gh-12-jk", is three of its words)."""
    words = slug.split("-")
    return "\n".join([" ".join(words), *("-".join(words[i:i + 3]) for i in range(len(words) - 2))])


def _blank_passages(body: str) -> str:
    """``body`` with its members-only lines blanked (same offsets): a
    finding of the public text is never placed in a passage."""
    from binsite.render.markup import find_passages

    ranges = find_passages(body).ranges
    if not ranges:
        return body
    lines = body.split("\n")
    for first, last in ranges:
        for index in range(first, last + 1):
            lines[index] = " " * len(lines[index])
    return "\n".join(lines)


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


# The first words of the body ``binsite new`` writes (binsite.newfile), in
# both languages: left in, the bulletin is not written yet.
PLACEHOLDERS = ("Schrijf hier het bericht.", "Write the bulletin here.")


def author_name(bulletin: Bulletin) -> str:
    return bulletin.author.name.strip() if bulletin.author is not None else ""


def _kept(text: str, *, public: bool, allowed_kinds: frozenset[str], allowed_addresses: frozenset[str],
          allowed_domains: frozenset[str], roles: frozenset[str]) -> list[Finding]:
    """What ``scan`` finds in ``text`` and, in a public bulletin, likely names and
    base64 runs where nothing else is found; kinds in ``allowed_kinds`` left out."""
    found = [f for f in scan(text, allowed_addresses=allowed_addresses, allowed_domains=allowed_domains)
             if f.kind not in allowed_kinds]
    if public and "naam" not in allowed_kinds:
        found += [n for n in names(text, roles=roles) if not any(n.start < f.end and f.start < n.end for f in found)]
    if public and "codering" not in allowed_kinds:
        found += [e for e in encodings(text) if not any(e.start < f.end and f.start < e.end for f in found)]
    return sorted(found, key=lambda f: (f.start, f.end))


def check_bulletin(bulletin: Bulletin, *, body: str, public: bool, allowed_addresses: frozenset[str],
                   allowed_domains: frozenset[str], rendered: RenderedBody | None = None,
                   roles: frozenset[str] = frozenset()) -> list[Problem]:
    """Personal data in what ``bulletin`` (with its Markdown ``body``) shows the public, as problems at file line and column.

    ``rendered``: the bulletin's renditions (``markup.render_body``); the
    public one is the text that is judged. Rendered here when not given. Errors when the
    bulletin is ``public``, warnings otherwise; likely person names are
    warnings in public bulletins. Kinds listed in the bulletin's
    ``privacy.allow`` (with a ``reason``) are not reported. Marker and
    nesting problems of the body are errors in every bulletin (they decide
    what is public).
    """
    from binsite.render.markup import body_issues, render_body

    report = error if public else warning
    problems: list[Problem] = []
    allowed_kinds = frozenset(bulletin.privacy_allow) if bulletin.privacy_reason.strip() else frozenset()
    for kind in bulletin.privacy_allow:
        if kind not in KINDS and kind not in ("naam", "codering"):
            problems.append(report(bulletin.source, bulletin.line_of("privacy"), t(
                "onbekende soort {k!r} in privacy.allow; kies uit: {known}",
                "unknown kind {k!r} in privacy.allow; choose from: {known}", k=kind, known=", ".join([*KINDS, "naam", "codering"])),
                code="privacy"))
    for index, line in enumerate(body.split("\n")):
        if line.strip().startswith(PLACEHOLDERS):
            problems.append(error(bulletin.source, bulletin.body_line + index, t(
                "dit is nog de voorbeeldtekst van 'binsite new'; schrijf het bericht zelf{name}",
                "this is still the example text of 'binsite new'; write the bulletin itself{name_en}",
                name="" if author_name(bulletin) else " en vul bij 'author' een 'name' in (bijvoorbeeld BINCO Maaspoort)",
                name_en="" if author_name(bulletin) else " and fill in a 'name' under 'author' (e.g. BINCO Maaspoort)"),
                code="placeholder"))
    for issue in body_issues(body):
        problems.append(error(bulletin.source, bulletin.body_line + issue.line, issue.message, col=issue.col,
                              code="leden"))

    def scan_kept(text: str) -> list[Finding]:
        return _kept(text, public=public, allowed_kinds=allowed_kinds, allowed_addresses=allowed_addresses,
                     allowed_domains=allowed_domains, roles=roles)

    def add(finding: Finding, line: int, col: int | None) -> None:
        if finding.kind == "naam":
            problems.append(warning(bulletin.source, line, _name_message(finding), col=col, code="privacy"))
        elif finding.kind == "codering":
            problems.append(warning(bulletin.source, line, _encoding_message(finding), col=col, code="privacy"))
        else:
            problems.append(report(bulletin.source, line, _message(finding, public=public), col=col, code="privacy"))

    if rendered is None:
        rendered = render_body(body, lang="nl")
    # One scan over everything the public sees, fields apart by blank lines
    # (no pattern spans two): a scan has a fixed cost per call.
    # The slug is in the page's address, the sitemap and the feed.
    fields = [(key, normalise(value)) for key, value in (
        ("title", bulletin.title), ("summary", bulletin.summary), ("author", author_name(bulletin)),
        ("slug", _slug_text(bulletin.slug))) if value]
    fields.append(("body", public_text(rendered.public_html, rendered.public_text)))
    bounds: list[tuple[int, str]] = []
    position = 0
    for key, value in fields:
        bounds.append((position, key))
        position += len(value) + 3
    findings = scan_kept("\n\n\n".join(value for _, value in fields))
    locator: _Locator | None = None
    starts = _line_starts(body)
    for finding in findings:
        key = bounds[bisect.bisect_right([b for b, _ in bounds], finding.start) - 1][1]
        if key == "slug":
            problems.append(report(bulletin.source, None, t(
                "de bestandsnaam komt in het webadres van het bericht: {m}; kies een andere bestandsnaam",
                "the file name becomes the bulletin's web address: {m_en}; choose another file name",
                m=_message(finding, public=public).nl, m_en=_message(finding, public=public).en), code="privacy"))
            continue
        if key != "body":
            # Title, summary and author are single front-matter values: the line of their key, no column.
            add(finding, bulletin.line_of(key), None)
            continue
        locator = locator or _Locator(_blank_passages(body))
        offset = locator.find(finding.text)
        if offset is None:
            add(finding, bulletin.body_line, None)
            continue
        index = bisect.bisect_right(starts, offset) - 1
        add(finding, bulletin.body_line + index, offset - starts[index] + 1)
    return problems


def check_attachments(bulletin: Bulletin, files: list, *, body: str, public: bool, allowed_addresses: frozenset[str],
                      allowed_domains: frozenset[str], roles: frozenset[str] = frozenset()) -> list[Problem]:
    """Personal data in the text of the PDFs a bulletin publishes
    (``binsite.source.media.MediaFile`` with their ``pages``): errors (warnings
    when the bulletin is not public) at the Markdown line that links the
    file, naming the page. Kinds in ``privacy.allow`` (with a reason) are kept.
    As in the body, likely person names and base64-looking runs in a public
    bulletin's PDF are warnings (``roles`` as for ``names``)."""
    from binsite.source.media import link_line

    report = error if public else warning
    allowed_kinds = frozenset(bulletin.privacy_allow) if bulletin.privacy_reason.strip() else frozenset()
    problems: list[Problem] = []
    for item in files:
        line = link_line(item.name, body, bulletin.body_line)
        for number, page in enumerate(item.pages, start=1):
            for finding in _kept(normalise(page), public=public, allowed_kinds=allowed_kinds,
                                 allowed_addresses=allowed_addresses, allowed_domains=allowed_domains, roles=roles):
                if finding.kind in ("naam", "codering"):
                    message = (_name_message(finding, pdf=True) if finding.kind == "naam"
                               else _encoding_message(finding, pdf=True))
                    made = warning
                else:
                    message, made = _message(finding, public=public, pdf=True), report
                problems.append(made(bulletin.source, line, t(
                    "in {n}, pagina {p}: {m}", "in {n}, page {p}: {m_en}", n=item.name, p=number, m=message.nl,
                    m_en=message.en), code="privacy"))
    return problems


def check_texts(rel: str, texts: list[tuple[int | None, str]], *, allowed_addresses: frozenset[str],
                allowed_domains: frozenset[str]) -> list[Problem]:
    """Personal data in published texts of a settings or list file
    (``(line, text)`` each): errors at the key's line."""
    problems: list[Problem] = []
    for line, text in texts:
        for finding in scan(normalise(text), allowed_addresses=allowed_addresses, allowed_domains=allowed_domains):
            problems.append(error(rel, line, t(
                '{kind} "{text}" in een tekst die op de website staat; {advice}. Haal het weg',
                '{kind} "{text}" in a text that is published on the website; {advice_en}. Remove it',
                kind=finding.kind, text=" ".join(finding.text.split()), advice=_ADVICE[finding.kind].nl,
                advice_en=_ADVICE[finding.kind].en), code="privacy"))
    return problems


if __name__ == "__main__":  # regenerate streets.u64 from streets.txt.gz
    STREET_HASHES.write_bytes(street_hashes(_word_list("streets")))
