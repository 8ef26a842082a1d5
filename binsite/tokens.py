"""Signed, single-purpose tokens for the links binsite puts in mail.

One shape for every link a resident or BINCO receives: leave a list (RFC 8058
one-click), the preferences page, a join confirmation, a BINCO's login link,
a web report's confirmation.
A token is ``<payload>.<mac>``, both base64url without padding:

    payload = "b1" US purpose US issued US field US field ...
    mac     = HMAC-SHA256(key(secret, purpose), payload)[:16]

- The key is derived per purpose, so a token made for one purpose never
  verifies for another, even with the same fields.
- ``issued`` is whole seconds since the epoch; ``verify`` refuses a token older
  than ``max_age`` or issued in the future (beyond a small clock skew).
- The fields are signed, **not encrypted**: anyone holding the link can read
  them. Put in what the link must act on (a list id, a Mailman member id) and
  keep an e-mail address out unless the link is mailed to that very address.
- Comparison is constant-time (``hmac.compare_digest``); a token of bounded
  length is parsed before anything else is done with it.

This module uses the standard library only: Mailman's delivery class (in
Mailman's own environment) imports the same file to sign the per-recipient
``List-Unsubscribe`` links that the web service verifies.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

VERSION = "b1"
_SEP = "\x1f"
MAX_TOKEN_LENGTH = 1024
CLOCK_SKEW = 300

# Purposes. A token of one purpose never verifies as another.
UNSUBSCRIBE = "unsubscribe"    # fields: (list_id, member_id)
PREFERENCES = "preferences"    # fields: (list_id, member_id)
JOIN = "join"                  # fields: (list_id, address)
LOGIN = "login"                # fields: (address, nonce)
REPORT = "report"              # fields: (list_id, report id): a web report waiting for confirmation
PARTNER_LOGIN = "partner-login"  # fields: (address, nonce): the partners' door, never the BINCO's
ADMIN_LOGIN = "admin-login"    # fields: (address, nonce): the administrator's door (/beheer/), no other

# How long each kind of link works, in seconds.
MAX_AGE = {
    UNSUBSCRIBE: 366 * 86400,  # a bulletin read a year later still lets one leave
    PREFERENCES: 366 * 86400,
    JOIN: 3 * 86400,
    LOGIN: 15 * 60,
    REPORT: 3 * 86400,
    PARTNER_LOGIN: 15 * 60,
    ADMIN_LOGIN: 15 * 60,
}

# The web service's paths for the links (below ``web_url`` of binsite.yaml).
PATHS = {
    UNSUBSCRIBE: "afmelden/",
    PREFERENCES: "voorkeuren/",
    JOIN: "aanmelden/bevestig/",
    LOGIN: "binco/inloggen/",
    REPORT: "melden/bevestig/",
    PARTNER_LOGIN: "partner/inloggen/",
    ADMIN_LOGIN: "beheer/inloggen/",
}

SECRET_ENV = "BINSITE_SECRET_KEY"
MIN_SECRET_BYTES = 16


class BadToken(ValueError):
    """The token is malformed, forged, of another purpose, or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise BadToken("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadToken("not base64url") from exc


def check_secret(secret: bytes | str) -> bytes:
    """The secret as bytes; refuses one too short to be safe."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"{SECRET_ENV} must be at least {MIN_SECRET_BYTES} bytes")
    return raw


def _key(secret: bytes | str, purpose: str) -> bytes:
    return hmac.new(check_secret(secret), b"binsite-token-key" + _SEP.encode() + purpose.encode("utf-8"),
                    hashlib.sha256).digest()


def sign(secret: bytes | str, purpose: str, fields: tuple[str, ...] | list[str], *, issued: int | None = None) -> str:
    """A token for ``purpose`` over ``fields`` (strings without U+001F)."""
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown purpose {purpose!r}")
    stamp = int(time.time()) if issued is None else int(issued)
    parts = [VERSION, purpose, str(stamp), *[str(f) for f in fields]]
    if any(_SEP in p for p in parts):
        raise ValueError("a token field may not contain U+001F")
    payload = _SEP.join(parts).encode("utf-8")
    mac = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def verify(secret: bytes | str, token: str, purpose: str, *, now: float | None = None,
           max_age: int | None = None) -> tuple[int, tuple[str, ...]]:
    """``(issued, fields)`` of a valid token of ``purpose``; raises BadToken otherwise."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise BadToken("malformed")
    body, mac_text = token.split(".")
    payload = _unb64(body)
    mac = _unb64(mac_text)
    expected = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(mac, expected):
        raise BadToken("bad signature")
    try:
        parts = payload.decode("utf-8").split(_SEP)
    except UnicodeDecodeError as exc:  # only reachable with the secret
        raise BadToken("malformed") from exc
    if len(parts) < 3 or parts[0] != VERSION or parts[1] != purpose or not parts[2].isdigit():
        raise BadToken("malformed")
    issued = int(parts[2])
    clock = time.time() if now is None else now
    limit = MAX_AGE[purpose] if max_age is None else max_age
    if issued > clock + CLOCK_SKEW:
        raise BadToken("issued in the future")
    if clock - issued > limit:
        raise BadToken("expired")
    return issued, tuple(parts[3:])


def link(web_url: str, purpose: str, token: str) -> str:
    """The full URL of a token's page under the web service's ``web_url``."""
    return web_url.rstrip("/") + "/" + PATHS[purpose] + token
