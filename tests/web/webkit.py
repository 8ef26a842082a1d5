"""Helpers of the web service's tests: an environment, a form's CSRF field, a site with a web_url."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

# Fresh for every run: no signing secret is written in the repository.
SECRET = secrets.token_urlsafe(32)

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def environ(*, mailman_url: str = "http://127.0.0.1:9/3.1", user: str = "u", password: str = "p",
            smtp_host: str = "127.0.0.1", smtp_port: int = 9, **more: str) -> dict[str, str]:
    """The variables the service reads (Mailman and SMTP default to a closed port)."""
    return {"BINSITE_SECRET_KEY": SECRET, "BINSITE_MAILMAN_URL": mailman_url, "BINSITE_MAILMAN_USER": user,
            "BINSITE_MAILMAN_PASSWORD": password, "BINSITE_SMTP_HOST": smtp_host,
            "BINSITE_SMTP_PORT": str(smtp_port), **more}


def csrf_of(html: str) -> str:
    """The CSRF field of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def with_web_url(root: Path, web_url: str) -> Path:
    config = root / "binsite.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"web_url: {web_url}\n", encoding="utf-8")
    return root


def asked_cookie(secret: bytes, address: str, *, age: float = 0.0, sign_with: bytes | None = None,
                 salt: str = "binsite-asked") -> str:
    """A value for a "this browser asked for ``address``" cookie (``security.ASKED_COOKIE``), as
    the service makes it; ``age`` seconds old, or signed with another key (``sign_with``: forged)."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from binsite.web.security import asked_nonce

    class _Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age)

    nonce = asked_nonce(secret, address)  # the right tag: only the signature or the age is wrong
    return URLSafeTimedSerializer(sign_with or secret, salt=salt, signer=_Then).dumps(nonce)
