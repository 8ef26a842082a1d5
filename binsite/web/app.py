"""``create_app(root)``: the Flask application of the web service.

Configuration comes from two places only: ``binsite.yaml`` (read once, through
``binsite.source.network.load_network``: the areas, the site's language, the
service's public ``web_url``) and the environment for everything secret:

- ``BINSITE_SECRET_KEY``: signs link tokens and CSRF fields (at least 16 bytes;
  the same value on every instance and in Mailman's delivery class);
- ``BINSITE_MAILMAN_URL``, ``BINSITE_MAILMAN_USER``, ``BINSITE_MAILMAN_PASSWORD``:
  Mailman's REST API (never shown to a visitor, never logged);
- ``BINSITE_SMTP_HOST``, ``BINSITE_SMTP_PORT``: where the service's own mail goes;
- ``BINSITE_DATABASE_URL``: the store every instance shares (``binsite.store``; default
  an SQLite file in the state folder; ``postgresql+psycopg://…`` for several servers);
- ``BINSITE_TRUSTED_PROXIES``: how many proxies in front set ``X-Forwarded-For``
  (default 0: the client is the TCP peer);
- ``BINSITE_WEB_URL``: the service's public URL when it differs from
  ``web_url`` in ``binsite.yaml`` (``make demo``: ``http://127.0.0.1:PORT/``).

Other blueprints register through ``binsite.web.BLUEPRINTS``; they reach the
service's parts with ``service()`` (Mailman client, mailer, limiters, text).
"""

from __future__ import annotations

import importlib
import importlib.util
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, abort, current_app, render_template, request, send_from_directory, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from binsite.errors import BinsiteError
from binsite.i18n import EMERGENCY, counted, t
from binsite.locations import template_dirs
from binsite.mailman.client import MailmanClient
from binsite.mailman.settings import (PASSWORD_VAR, SMTP_HOST_VAR, SMTP_PORT_VAR, URL_VAR, USER_VAR, MailmanSettings,
                                      settings_from_env)
from binsite.source.areas import Area
from binsite.source.config import SiteConfig
from binsite.source.network import load_network
from binsite.store import Store
from binsite.tokens import SECRET_ENV, check_secret
from binsite.web import BLUEPRINTS, security
from binsite.web.mailer import Mailer, Outbox
from binsite.web.ratelimit import RateLimiter, SharedCounts
from binsite.web.spool import Spool

log = logging.getLogger(__name__)

PROXIES_VAR = "BINSITE_TRUSTED_PROXIES"
WEB_URL_VAR = "BINSITE_WEB_URL"
# The largest request body: a form of a few fields (a desk blueprint that takes
# uploads raises it for its own routes).
MAX_FORM_BYTES = 64 * 1024
# Assets and the template folder each comes from: the archive's look
# (templates/assets/, a site's own first) and the forms' own (templates/web/).
ASSETS = {"style.css": "assets", "favicon.svg": "assets", "web.css": "web", "desk.js": "web", "passkey.js": "web"}
# Rate limits: (hits, seconds). Per client address, per hashed e-mail address,
# and per (address, client) pair. A mail to an address (a join confirmation,
# a login link) goes only when ``Service.may_mail`` allows it: what one client
# asks for never uses up what another client may ask for.
LIMITS = {
    "client": (30, 60.0),       # form posts of one client per minute (429)
    "pair": (3, 3600.0),        # mails to one address asked by one client per hour
    "address": (10, 3600.0),    # mails to one address from all clients per hour (its mailbox)
    "token": (20, 60.0),        # actions on one token per minute
    "report": (10, 3600.0),     # web reports of one client per hour
}


@dataclass(frozen=True)
class WebSettings:
    """The service's secrets and servers, from the environment only."""

    secret: bytes
    mailman: MailmanSettings
    smtp_host: str
    smtp_port: int
    trusted_proxies: int = 0
    web_url: str = ""            # BINSITE_WEB_URL, else empty (binsite.yaml's web_url then)

    def __repr__(self) -> str:  # never the secret or the password
        return f"WebSettings(mailman={self.mailman!r}, smtp={self.smtp_host}:{self.smtp_port})"


def settings_from_environ(environ: Mapping[str, str]) -> WebSettings:
    """Read the variables; one clear error names everything missing or wrong."""
    missing = [name for name in (SECRET_ENV, URL_VAR, USER_VAR, PASSWORD_VAR, SMTP_HOST_VAR, SMTP_PORT_VAR)
               if not environ.get(name, "").strip()]
    if missing:
        raise BinsiteError(t("de webdienst is niet ingesteld: zet {n} (zie docs/beheer.md, 'De webdienst')",
                             "the web service is not configured: set {n} (see docs/beheer.md, 'The web service')",
                             n=", ".join(missing)))
    try:
        secret = check_secret(environ[SECRET_ENV])
    except ValueError:
        raise BinsiteError(t("{v} is te kort: gebruik minstens 32 willekeurige tekens (python3 -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')",
                             "{v} is too short: use at least 32 random characters (python3 -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')", v=SECRET_ENV)) from None
    port_text = environ[SMTP_PORT_VAR].strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise BinsiteError(t("{v} moet een poortnummer zijn, zoals 25", "{v} must be a port number such as 25",
                             v=SMTP_PORT_VAR))
    proxies = environ.get(PROXIES_VAR, "0").strip() or "0"
    if not proxies.isdigit() or int(proxies) > 5:
        raise BinsiteError(t("{v} moet 0 tot 5 zijn (het aantal proxy's voor de dienst)",
                             "{v} must be 0 to 5 (the number of proxies in front of the service)", v=PROXIES_VAR))
    web_url = environ.get(WEB_URL_VAR, "").strip()
    if web_url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?\Z", web_url):
        raise BinsiteError(t("{v} moet een volledig adres zijn, zoals https://bin.example.org/dienst/",
                             "{v} must be a full address such as https://bin.example.org/dienst/", v=WEB_URL_VAR))
    if web_url and not web_url.endswith("/"):
        web_url += "/"
    # Only a confirmed web report is posted over LMTP (binsite.web.report): Mailman's
    # intake on this machine unless BINSITE_LMTP says otherwise.
    mailman = settings_from_env({**environ, "BINSITE_LMTP": environ.get("BINSITE_LMTP") or "127.0.0.1:8024"})
    return WebSettings(secret, mailman, environ[SMTP_HOST_VAR].strip(), int(port_text), int(proxies), web_url)


@dataclass
class Service:
    """What every view needs, made once per application (``service()`` in a view)."""

    root: Path
    config: SiteConfig
    areas: tuple[Area, ...]
    settings: WebSettings
    mailer: Mailer
    limiters: dict[str, RateLimiter]
    store: Store
    spool: Spool | None = None
    outbox: Outbox = field(default_factory=Outbox)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def lang(self) -> str:
        return self.config.language

    @property
    def secret(self) -> bytes:
        return self.settings.secret

    @property
    def domain(self) -> str:
        return self.config.mail.domain

    @property
    def web_url(self) -> str:
        """The service's public URL (trailing slash), or empty when none is configured."""
        return self.settings.web_url or self.config.web_url

    def text(self, nl: str, en: str, /, **params: object) -> str:
        """Interface text in the site's language."""
        return t(nl, en, **params).get(self.lang)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def client(self) -> MailmanClient:
        """This thread's Mailman client (mailmanclient's session is not shared between threads)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = MailmanClient(self.settings.mailman, timeout=10.0, attempts=2, backoff=0.2)
        return client

    def address_hash(self, address: str) -> str:
        return security.address_hash(self.secret, address)

    def limit(self, bucket: str, key: str) -> None:
        """Count one hit of ``key`` in ``bucket``; a 429 page when over the limit."""
        if not self.limiters[bucket].hit(key):
            log.info("rate limit %s reached", bucket)
            abort(429)

    def limit_client(self) -> None:
        self.limit("client", client_key(request.remote_addr))

    def may_mail(self, purpose: str, address: str, *, recent: bool = False) -> bool:
        """Whether a mail of ``purpose`` may go to ``address`` now, asked by this request's client
        (counted when so). The answer is silent: the view shows the same page either way.

        Counted per (address, client): three an hour, whatever the client's cookies;
        and per address over all clients: ten an hour, so strangers on many clients
        cannot fill a mailbox. ``recent``: this browser asked for this very address
        moments ago (a signed cookie, ``security.asked_recently``); it is not held to the
        address's count, so strangers elsewhere never lock the address's owner out (its mail
        still counts while the hour is not full, so such a browser fills no mailbox)."""
        key = f"{purpose}:{self.address_hash(address)}"
        if not self.limiters["pair"].hit(f"{key}|{client_key(request.remote_addr)}"):
            return False
        return self.limiters["address"].hit(key) or recent


def client_key(remote_addr: str | None) -> str:
    """What the limits count a client by: its IPv4 address, or its IPv6 /64 (one household's
    or one server's network: a stranger does not get 2**64 clients by changing the end)."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return remote_addr or "-"
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped or address) if address.version == 6 else str(address)


def service() -> Service:
    return current_app.extensions["binsite"]


# --- logs without addresses ---------------------------------------------------

_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
# A token in a path (/afmelden/<token>): it may carry an address (join links).
_TOKEN_IN_PATH = re.compile(r"(/(?:afmelden|voorkeuren|aanmelden/bevestig|melden/bevestig|binco/inloggen)/)[^/?\s\"]+")


def scrub(text: str, secret: bytes) -> str:
    """``text`` with every e-mail address replaced by its hash and every link token by ``…``."""
    text = _TOKEN_IN_PATH.sub(r"\1…", text)
    return _ADDRESS.sub(lambda m: "addr:" + security.address_hash(secret, m.group(0)), text)


class ScrubAddresses(logging.Filter):
    """Rewrites a record's message (and exception text) so no address or token reaches a log."""

    def __init__(self, secret: bytes):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is
            message = str(record.msg)
        record.msg, record.args = scrub(message, self.secret), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), self.secret)
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text, self.secret)
        record.exc_info = None if record.exc_text else record.exc_info
        return True


def install_log_scrubber(secret: bytes) -> None:
    """On every handler there is now (root, gunicorn's), and on the service's own loggers."""
    scrubber = ScrubAddresses(secret)
    for name in ("", "gunicorn.error", "gunicorn.access", "werkzeug", "flask.app", "binsite"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubAddresses) for f in logger.filters):
            logger.addFilter(scrubber)
        for handler in logger.handlers:
            if not any(isinstance(f, ScrubAddresses) for f in handler.filters):
                handler.addFilter(scrubber)


# --- the application ------------------------------------------------------------

class _Prefix:
    """Serve the app under ``web_url``'s path (``/dienst/``) whether or not the proxy strips it."""

    def __init__(self, app: Any, prefix: str):
        self.app, self.prefix = app, prefix.rstrip("/")

    def __call__(self, environ: dict, start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix):] or "/"
        elif self.prefix and not environ.get("SCRIPT_NAME"):
            environ["SCRIPT_NAME"] = self.prefix  # links stay under the public path
        return self.app(environ, start_response)


class _TrustedProxies:
    """``X-Forwarded-For``/``-Proto`` of exactly ``count`` proxies (werkzeug's ProxyFix), else ignored."""

    def __init__(self, app: Any, count: int):
        from werkzeug.middleware.proxy_fix import ProxyFix
        self.app = ProxyFix(app, x_for=count, x_proto=count, x_host=0, x_prefix=0) if count else app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.app(environ, start_response)


ERROR_TEXTS = {
    400: ("Dit verzoek klopt niet", "This request is not right",
          "Het formulier of de link is niet compleet. Open de link uit uw e-mail opnieuw, of vul het formulier opnieuw in.",
          "The form or link is incomplete. Open the link from your e-mail again, or fill in the form again."),
    403: ("Dit mag niet", "Not allowed",
          "Het formulier is verlopen of kwam niet van deze site. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
          "The form has expired or did not come from this site. Go back, reload the page and try again."),
    404: ("Pagina niet gevonden", "Page not found",
          "Deze pagina bestaat niet. Controleer het adres, of begin op de startpagina.",
          "This page does not exist. Check the address, or start at the home page."),
    405: ("Dat kan zo niet", "Not possible this way",
          "Deze pagina werkt alleen via de knop op de pagina zelf.",
          "This page works only through the button on the page itself."),
    413: ("Te veel tekst", "Too much text",
          "Het formulier bevat meer dan deze dienst aanneemt. Maak het korter en probeer het opnieuw.",
          "The form holds more than this service accepts. Make it shorter and try again."),
    429: ("Even geduld", "Please wait",
          "Er kwamen te veel verzoeken kort na elkaar. Wacht een uur en probeer het dan opnieuw.",
          "Too many requests came in a short time. Wait an hour and then try again."),
    500: ("Er ging iets mis", "Something went wrong",
          "Er ging aan onze kant iets mis; er is niets veranderd. Probeer het later opnieuw.",
          "Something went wrong on our side; nothing was changed. Please try again later."),
    503: ("Even niet beschikbaar", "Temporarily unavailable",
          "De ledenadministratie is even niet bereikbaar; er is niets veranderd. Probeer het over een paar minuten opnieuw.",
          "The membership records cannot be reached just now; nothing was changed. Please try again in a few minutes."),
}
# The service's own database down (binsite.store): nothing was recorded or changed.
STORE_DOWN = ("Even niet beschikbaar", "Temporarily unavailable",
              "De dienst kan even niet bij zijn eigen gegevens; er is niets veranderd en niets bewaard. "
              "Probeer het over een paar minuten opnieuw.",
              "The service cannot reach its own records just now; nothing was changed or kept. "
              "Please try again in a few minutes.")


def create_app(root: Path, *, environ: Mapping[str, str] = os.environ, blueprints: tuple[str, ...] = BLUEPRINTS) -> Flask:
    """The service for the BIN in ``root``; raises ``BinsiteError`` (``InvalidSite``) when
    ``binsite.yaml``, ``lists/`` or the environment is not usable."""
    network = load_network(root).raise_for_errors()
    config = network.config
    assert config is not None
    settings = settings_from_environ(environ)
    install_log_scrubber(settings.secret)

    app = Flask("binsite.web", static_folder=None, template_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_FORM_BYTES, MAX_FORM_MEMORY_SIZE=MAX_FORM_BYTES, MAX_FORM_PARTS=50,
                      SECRET_KEY=None, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False,
                      JSON_AS_ASCII=False)
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs(root)])
    app.jinja_env.undefined = jinja2.StrictUndefined
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    web_url = settings.web_url or config.web_url or "http://127.0.0.1/"
    secure = web_url.startswith("https://")
    prefix = "/" + web_url.split("://", 1)[1].partition("/")[2]
    mailer = Mailer(settings.smtp_host, settings.smtp_port, config.mail.sender, config.mail.sender_name,
                    tz=config.tz)
    # Where the desk publishes (binsite.desk.publish): the remote, branch, deploy key, clone.
    app.config["BINSITE_GIT_ENV"] = {k: v for k, v in environ.items() if k.startswith("BINSITE_GIT_")}
    store = open_store(root, environ)
    # Mailman's SQLite file, for an erasure from the desk (compacted as ``binsite avg wissen`` does).
    app.config["BINSITE_AVG_ENV"] = {k: v for k, v in environ.items() if k == "BINSITE_MAILMAN_DB"}
    app.extensions["binsite"] = Service(
        root=root.resolve(), config=config, areas=network.areas, settings=settings, mailer=mailer, store=store,
        # Counted in the database every instance shares, on the wall clock they share.
        limiters={name: RateLimiter(hits, window, store=SharedCounts(store, name, secret=settings.secret),
                                    clock=time.time) for name, (hits, window) in LIMITS.items()})

    svc: Service = app.extensions["binsite"]

    def unsubscribe(list_id: str, member_id: str) -> None:
        from binsite.mailman.residents import leave_member
        leave_member(svc.client(), list_id, member_id, areas=svc.areas, domain=svc.domain,
                     moves_file=svc.store)

    svc.spool = Spool(store, unsubscribe)
    svc.spool.start()  # what any instance had taken and not yet done, and what comes
    security.install(app, settings.secret, secure_cookie=secure, cookie_path=prefix)

    lang = config.language

    def tr(nl: str, en: str, /, **params: object) -> str:
        return t(nl, en, **params).get(lang)

    def count(n: int, one_nl: str, many_nl: str, one_en: str, many_en: str) -> str:
        return counted(n, one_nl, many_nl, one_en, many_en).get(lang)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            security.CSRF_FIELD, security.csrf_token(settings.secret))

    def endpoint_url(endpoint: str, **values: object) -> str | None:
        """The URL of ``endpoint`` when a blueprint registered it, else None (for menus)."""
        return url_for(endpoint, **values) if endpoint in app.view_functions else None

    app.jinja_env.globals.update(tr=tr, count=count, emergency=EMERGENCY.get(lang), lang=lang, config=config, csrf_field=csrf_field,
                                 archive_url=config.base_url, endpoint_url=endpoint_url)

    @app.get("/assets/<name>")
    def asset(name: str):
        if name not in ASSETS:
            abort(404)
        for folder in template_dirs(root):
            if (folder / ASSETS[name] / name).is_file():
                return send_from_directory(folder / ASSETS[name], name, max_age=3600)
        abort(404)

    def error_page(code: int, texts: tuple[str, str, str, str] | None = None):
        title_nl, title_en, body_nl, body_en = texts or ERROR_TEXTS.get(code, ERROR_TEXTS[500])
        html = render_template("web/error.html", code=code, title=tr(title_nl, title_en), body=tr(body_nl, body_en))
        response = app.make_response((html, code))
        if code == 405:
            response.headers["Allow"] = "GET, POST"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        return error_page(code if code in ERROR_TEXTS else (400 if 400 <= code < 500 else 500))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from binsite.errors import MailmanUnavailable, StoreUnavailable
        from binsite.web.mailer import MailUnavailable
        if isinstance(exc, StoreUnavailable):
            log.error("database unavailable on %s", request.endpoint)
            return error_page(503, STORE_DOWN)
        if isinstance(exc, (MailmanUnavailable, MailUnavailable)):
            log.warning("%s on %s: %s", type(exc).__name__, request.endpoint, exc)
            return error_page(503)
        log.exception("unexpected error on %s", request.endpoint)
        return error_page(500)

    for spec in blueprints:
        module_name, _, attribute = spec.partition(":")
        if importlib.util.find_spec(module_name) is None:
            continue
        app.register_blueprint(getattr(importlib.import_module(module_name), attribute))

    app.wsgi_app = _TrustedProxies(_Prefix(app.wsgi_app, prefix), settings.trusted_proxies)  # type: ignore[method-assign]
    return app


def open_store(root: Path, environ: Mapping[str, str] = os.environ) -> Store:
    """The site's store, its schema up to date and the old state files read in (once); the
    desk's logbook of this process writes there too."""
    from binsite import store as stores
    from binsite.store.files import import_site

    store = Store.open(root, environ)
    import_site(store, root, environ)
    stores.use(root, store)
    return store


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
