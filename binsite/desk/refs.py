"""Short, stable references for what waits at the desk.

Mailman numbers held messages with request ids it hands out again once a
request is handled, so a request id shown yesterday may name another message
today. A reference here is derived from what identifies the message for
good: the list and the (unfolded) Message-ID, or the list and a subscription
token. It never contains the request id, so a reused id cannot make an old
reference act on a new message.

A reference is the first characters (6, more where two would clash) of the
base32 SHA-256 of that key; any prefix of 6 or more characters resolves, so a
reference printed short stays usable when a longer one is printed later.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from binsite.errors import BinsiteError
from binsite.i18n import Text, t
from binsite.mailman.headers import unfold

K = TypeVar("K")
SHORT = 6
_REF = re.compile(r"^[A-Z2-7]{%d,52}\Z" % SHORT)


def digest(kind: str, list_address: str, key: str) -> str:
    """The full reference (52 base32 characters) of ``key`` on ``list_address``.

    ``kind`` keeps held messages and subscription requests apart."""
    text = "\0".join((kind, list_address.strip().lower(), unfold(key)))
    return base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii").rstrip("=")


def message_digest(list_address: str, message_id: str) -> str:
    return digest("held", list_address, message_id)


def request_digest(list_address: str, token: str) -> str:
    return digest("request", list_address, token)


def shorten(digests: Iterable[str], *, length: int = SHORT) -> dict[str, str]:
    """Full digest -> the shortest prefix (at least ``length``) unique among ``digests``."""
    unique = sorted(set(digests))
    short: dict[str, str] = {}
    for index, full in enumerate(unique):
        size = length
        for other in (unique[index - 1] if index else None, unique[index + 1] if index + 1 < len(unique) else None):
            if other is not None:
                common = next((i for i, (a, b) in enumerate(zip(full, other)) if a != b), len(full))
                size = max(size, common + 1)
        short[full] = full[:size]
    return short


def normalize(ref: str) -> str:
    """What the BINCO typed as a reference, upper case; raises a clear error if it cannot be one."""
    text = ref.strip().upper()
    if not _REF.match(text):
        raise BinsiteError(t(
            "{r!r} is geen referentie: een referentie heeft minstens {n} tekens (A-Z, 2-7), zoals binsite inbox ze toont",
            "{r!r} is not a reference: a reference has at least {n} characters (A-Z, 2-7), as binsite inbox shows them",
            r=ref, n=SHORT))
    return text


def resolve(ref: str, candidates: Mapping[str, K]) -> K | None:
    """The candidate (by full digest) whose digest starts with ``ref``; None when none does.

    Raises when ``ref`` fits more than one (it is too short to tell them apart)."""
    wanted = normalize(ref)
    # One candidate may be known under two digests (binsite.desk.inbox): count it once.
    found = list({id(value): value for full, value in candidates.items() if full.startswith(wanted)}.values())
    if len(found) > 1:
        raise BinsiteError(t("referentie {r} past bij {n} items; geef meer tekens van de referentie",
                             "reference {r} fits {n} items; give more characters of the reference", r=wanted, n=len(found)))
    return found[0] if found else None


def find(ref: str, candidates: Mapping[str, K], *, what: Text, still: Text, command: str) -> K:
    """``resolve``, or an error that says what to do when no candidate fits:
    ``what`` is looked for (``t("wachtend bericht", "held message")``),
    ``command`` shows what ``still`` waits."""
    found = resolve(ref, candidates)
    if found is None:
        r = ref.strip().upper()
        raise BinsiteError(Text(
            f"geen {what.nl} met referentie {r}: al afgehandeld (door u of een andere BINCO), of de referentie "
            f"klopt niet. '{command}' toont wat nu {still.nl}. Er is niets veranderd.",
            f"no {what.en} with reference {r}: already handled (by you or another BINCO), or the reference is "
            f"wrong. '{command}' shows what {still.en} now. Nothing was changed."))
    return found
