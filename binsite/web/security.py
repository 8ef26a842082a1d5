"""CSRF, security headers and log-safe names for addresses.

**CSRF: a signed double submit, no server state.** The first page a client
gets sets a random cookie (``binsite_csrf``: HttpOnly, SameSite=Strict,
Secure when the service runs on https). Every form carries
``HMAC(secret, "csrf" | cookie)`` as its hidden field ``csrf``. A POST is
accepted only when the cookie is there and the field is its MAC (compared in
constant time): a page of another site can neither read the cookie nor make
the MAC. This is the only cookie of the residents' pages. A view that must
take a POST without it (RFC 8058 one-click unsubscribe: mail programs post
``List-Unsubscribe=One-Click`` with no cookie) is marked ``@csrf_exempt`` and
checks everything else itself (``csrf_valid``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, g, request

F = TypeVar("F", bound=Callable)

CSRF_COOKIE = "binsite_csrf"
CSRF_FIELD = "csrf"
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


def install(app: Flask, secret: bytes, *, secure_cookie: bool, cookie_path: str) -> None:
    """CSRF on every POST (except ``@csrf_exempt`` views) and the security headers on every answer."""

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
