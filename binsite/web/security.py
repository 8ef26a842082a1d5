"""CSRF, security headers and log-safe names for addresses.

**CSRF: a signed double submit, no server state.** The first page a client
gets sets a random cookie (``binsite_csrf``: HttpOnly, SameSite=Strict,
Secure when the service runs on https). Every form carries
``HMAC(secret, "csrf" | cookie)`` as its hidden field ``csrf``. A POST is
accepted only when the cookie is there and the field is its MAC (compared in
constant time): a page of another site can neither read the cookie nor make
the MAC. A view that must
take a POST without it (RFC 8058 one-click unsubscribe: mail programs post
``List-Unsubscribe=One-Click`` with no cookie) is marked ``@csrf_exempt`` and
checks everything else itself (``csrf_valid``).

**"This browser asked for this address moments ago."** Mail to one address is
limited per (address, client) and per address over all clients
(``Service.may_mail``). So that strangers on many clients never lock the
address's owner out, a form that mails an address (the desk's and doors' login
links, the residents' join and report) gives the asking browser a signed
cookie with a random nonce that ends in a keyed tag of the address
(``asked_nonce``); a later request for that very address from that browser
(``asked_recently``) is not held to the address's count. A cookie for another
address, a forged or an expired one counts for nothing. The answer and the
cookie are the same for every address, known or not.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

F = TypeVar("F", bound=Callable)

CSRF_COOKIE = "binsite_csrf"
CSRF_FIELD = "csrf"
ASKED_COOKIE = "binsite_asked"  # the residents' forms' (join, report); each door has its own
ASKED_SALT = "binsite-asked"
ASKED_SECONDS = 15 * 60
_EXEMPT_ATTR = "_binsite_csrf_exempt"

# No script, style, font, image or frame from anywhere but the service itself.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def address_hash(secret: bytes, address: str) -> str:
    """A short keyed digest of an e-mail address: what logs and limiter keys hold instead of it."""
    return hmac.new(secret, b"binsite-log\x1f" + address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def csrf_exempt(view: F) -> F:
    """Mark a view that checks its POSTs itself (``csrf_valid``)."""
    setattr(view, _EXEMPT_ATTR, True)
    return view


def _mac(secret: bytes, value: str) -> str:
    return hmac.new(secret, b"binsite-csrf\x1f" + value.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def _cookie_value() -> str | None:
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if 20 <= len(value) <= 64 and value.isascii() and value.replace("-", "").replace("_", "").isalnum() else None


def csrf_token(secret: bytes) -> str:
    """The value for this response's forms; sets a new cookie when the client has none."""
    value = _cookie_value()
    if value is None:
        value = getattr(g, "_binsite_new_csrf", None)
        if value is None:
            value = g._binsite_new_csrf = secrets.token_urlsafe(24)
    return _mac(secret, value)


def csrf_valid(secret: bytes) -> bool:
    """Whether this request's form carries the MAC of its CSRF cookie."""
    cookie = _cookie_value()
    sent = request.form.get(CSRF_FIELD, "")
    return cookie is not None and isinstance(sent, str) and hmac.compare_digest(sent.encode("ascii", "replace"),
                                                                               _mac(secret, cookie).encode())


def _address_tag(secret: bytes, address: str) -> str:
    """A keyed tag of ``address`` as the limits count it (``address_hash``: case and spaces folded)."""
    return hmac.new(secret, b"binsite-login-asked\x1f" + address.strip().lower().encode("utf-8"),
                    hashlib.sha256).hexdigest()[:10]


def asked_nonce(secret: bytes, address: str) -> str:
    """A fresh random nonce for a mail asked for ``address``, ending in a keyed tag of it."""
    return f"{secrets.token_urlsafe(18)}.{_address_tag(secret, address)}"


def asked_cookie(secret: bytes, salt: str, nonce: str) -> str:
    """The signed value of the cookie that remembers ``nonce`` (``salt``: the cookie's own)."""
    return URLSafeTimedSerializer(secret, salt=salt).dumps(nonce)


def asked_of(secret: bytes, cookie: str = ASKED_COOKIE, salt: str = ASKED_SALT,
             max_age: int = ASKED_SECONDS) -> str | None:
    """The nonce of this browser's last request (its signed ``cookie``, ``max_age`` seconds), or None."""
    raw = request.cookies.get(cookie, "")
    if not raw or len(raw) >= 512:
        return None
    try:
        asked = URLSafeTimedSerializer(secret, salt=salt).loads(raw, max_age=max_age)
    except BadSignature:
        return None
    return asked if isinstance(asked, str) else None


def asked_recently(secret: bytes, address: str, cookie: str = ASKED_COOKIE, salt: str = ASKED_SALT,
                   max_age: int = ASKED_SECONDS) -> bool:
    """Whether this browser asked for this very ``address`` within ``max_age`` seconds (its signed
    ``cookie``; the residents' forms' by default)."""
    asked = asked_of(secret, cookie, salt, max_age)
    return asked is not None and hmac.compare_digest(asked.rpartition(".")[2].encode(),
                                                     _address_tag(secret, address).encode())


def remember_asked(response: Response, secret: bytes, address: str) -> Response:
    """``response`` with the residents' forms' cookie: this browser asked for ``address`` now
    (``ASKED_COOKIE``, HttpOnly, SameSite=Strict, on the service's path)."""
    response.set_cookie(ASKED_COOKIE, asked_cookie(secret, ASKED_SALT, asked_nonce(secret, address)), max_age=ASKED_SECONDS, httponly=True,
                        samesite="Strict", secure=current_app.config["BINSITE_COOKIE_SECURE"],
                        path=current_app.config["BINSITE_COOKIE_PATH"])
    return response


def install(app: Flask, secret: bytes, *, secure_cookie: bool, cookie_path: str) -> None:
    """CSRF on every POST (except ``@csrf_exempt`` views) and the security headers on every answer."""
    app.config["BINSITE_COOKIE_SECURE"] = secure_cookie
    app.config["BINSITE_COOKIE_PATH"] = cookie_path

    @app.before_request
    def _check_csrf() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
            return  # (no such page or method: its own error page, 404 or 405)
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, _EXEMPT_ATTR, False):
            return
        if not csrf_valid(secret):
            abort(403)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if secure_cookie:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages carry tokens and personal answers: never kept by a cache or a proxy.
        if not request.path.startswith("/assets/") or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        new = getattr(g, "_binsite_new_csrf", None)
        if new is not None:
            response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="Strict", secure=secure_cookie,
                                path=cookie_path)
        return response
