"""Where Mailman is and how to log in: from the environment, never from files
in the repository (a BIN repository is often public)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from binsite.errors import BinsiteError
from binsite.i18n import t

# The names of the environment variables (never their values: those are
# secrets, set by the person or the CI runner that sends).
URL_VAR = "BINSITE_MAILMAN_URL"
USER_VAR = "BINSITE_MAILMAN_USER"
PASSWORD_VAR = "BINSITE_MAILMAN_PASSWORD"
LMTP_VAR = "BINSITE_LMTP"
ALL_VARIABLES = (URL_VAR, USER_VAR, PASSWORD_VAR, LMTP_VAR)


def public_url(url: str) -> str:
    """``url`` without user and password (``http://u:p@host/`` -> ``http://host/``): for messages."""
    return _USERINFO.sub(r"\1", url)


def redact(text: str, settings: "MailmanSettings") -> str:
    """``text`` without the password and without user info in any URL it holds."""
    text = _USERINFO.sub(r"\1", str(text))
    if settings.password and len(settings.password) >= 3:
        text = text.replace(settings.password, "***")
    return text


_USERINFO = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
_USERINFO_BARE = re.compile(r"^[^@\s]*@")


@dataclass(frozen=True)
class MailmanSettings:
    """Mailman's REST API (``url`` ends in ``/3.1``) and its LMTP intake."""

    url: str
    user: str
    password: str = ""
    lmtp_host: str = "127.0.0.1"
    lmtp_port: int = 8024

    def __repr__(self) -> str:  # never print the password in a traceback or log
        return f"MailmanSettings(url={public_url(self.url)!r}, user={self.user!r}, lmtp={self.lmtp_host}:{self.lmtp_port})"

    def environment(self) -> dict[str, str]:
        """The variables that make ``settings_from_env`` return these settings."""
        return {URL_VAR: self.url, USER_VAR: self.user, PASSWORD_VAR: self.password,
                LMTP_VAR: f"{self.lmtp_host}:{self.lmtp_port}"}


def parse_hostport(value: str) -> tuple[str, int]:
    """``"127.0.0.1:8024"`` -> ``("127.0.0.1", 8024)``; raises ValueError."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or "@" in host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(value)
    return host.strip("[]"), int(port)


def settings_from_env(environ: Mapping[str, str] | None = None) -> MailmanSettings:
    """Read the four ``BINSITE_*`` variables; a clear error names every missing one."""
    env = os.environ if environ is None else environ
    missing = [name for name in ALL_VARIABLES if not env.get(name, "").strip()]
    if missing:
        raise BinsiteError(t(
            "Mailman is niet ingesteld: zet {names}. Voor een proef op deze computer: "
            "eval \"$(binsite local-mailman start)\"",
            "Mailman is not configured: set {names}. To try it on this computer: "
            "eval \"$(binsite local-mailman start)\"",
            names=", ".join(missing)))
    url = env[URL_VAR].strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise BinsiteError(t("{v} moet een adres zijn zoals http://127.0.0.1:8001/3.1, niet {u!r}",
                             "{v} must be an address such as http://127.0.0.1:8001/3.1, not {u!r}", v=URL_VAR, u=public_url(url)))
    if not url.endswith("/3.1") and not url.endswith("/3.0"):
        url += "/3.1"
    try:
        host, port = parse_hostport(env[LMTP_VAR])
    except ValueError:
        raise BinsiteError(t("{v} moet host:poort zijn, zoals 127.0.0.1:8024, niet {x!r}",
                             "{v} must be host:port such as 127.0.0.1:8024, not {x!r}", v=LMTP_VAR,
                             x=_USERINFO_BARE.sub("***@", env[LMTP_VAR]))) from None
    return MailmanSettings(url=url, user=env[USER_VAR].strip(), password=env[PASSWORD_VAR], lmtp_host=host,
                           lmtp_port=port)


SMTP_HOST_VAR = "BINSITE_SMTP_HOST"
SMTP_PORT_VAR = "BINSITE_SMTP_PORT"


def smtp_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """The BIN's own SMTP server (``BINSITE_SMTP_HOST``, ``BINSITE_SMTP_PORT``), for
    mail to one person (a desk answer, the service's confirmations); a clear error when unset."""
    env = os.environ if environ is None else environ
    host, port = env.get(SMTP_HOST_VAR, "").strip(), env.get(SMTP_PORT_VAR, "").strip()
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BinsiteError(t(
            "de SMTP-server is niet ingesteld: zet {h} en {p} (bijvoorbeeld 127.0.0.1 en 25); er is niets verstuurd",
            "the SMTP server is not configured: set {h} and {p} (for example 127.0.0.1 and 25); nothing was sent",
            h=SMTP_HOST_VAR, p=SMTP_PORT_VAR))
    return host, int(port)
