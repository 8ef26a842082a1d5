"""The BINCO's desk in the browser, under ``/binco/``.

Each view parses a form, calls one ``binsite.desk`` function and renders a
template from ``templates/web/desk/``, like a CLI command.

**Login without a password, single-use without a database.** A BINCO asks
for a link with the address they are listed under in ``lists/<area>.yaml``.
The answer is the same page, with the same cookie, for any address. For a
coordinator's address the service mails a link whose token
(``binsite.tokens.LOGIN``, 15 minutes) signs ``(address, nonce)``. Opening
the link shows a button (a mail scanner's GET uses nothing up); pressing it
(a POST, with CSRF) logs in, and:

- *works once*: the login claims a digest of the nonce in the service's
  store (``Store.claim``: a primary key, so of two presses at once one wins),
  so a second press, in any browser, on any instance, fails; the logbook
  gets a ``login`` line;
- *no other address's link in this browser*: the asking browser also got
  the nonce in a signed cookie (``binsite_login``, HttpOnly,
  SameSite=Strict); when that cookie is there, the link must carry its
  nonce, so a link someone else asked for (another address: a login CSRF)
  fails there, and so does an older link after a newer one was asked for.
  A browser without the cookie (the phone, when the link was asked for on
  the laptop; the link ``make demo`` prints) may use a link once;
- an expired or forged token fails the same way, and so does an address no
  longer listed as a coordinator.

**Limits that lock no one out.** Links to one address go at most three an
hour per client and ten an hour in all (``Service.may_mail``), silently: the
page is the same. A browser holding a recent request for that very address
(its nonce ends in a keyed tag of the address) is not held to the ten, so
strangers elsewhere cannot keep a BINCO out. The link is made and sent by the
outbox after the answer, the same job for every address asked for, so a known
address answers as fast as an unknown one (``make bench-login``).

**The session** is a signed cookie (``binsite_binco``: the address, a
fresh random session id made at login, so a session planted before login is
replaced, never adopted, and the moment of login), HttpOnly, SameSite=Strict,
Secure except for a plain-http preview on loopback, valid for a working day
(10 hours). Logging out ends that session on the server too (a copy of the
cookie no longer works); "Overal uitloggen" ends every session of that BINCO,
on any device (``binsite.desk.sessions``). The secret key's rotation ends
every session at once.

**Only one's own areas.** Every view that names an area answers 403 unless
the BINCO coordinates it, before anything is read or changed; the desk each
request gets (``_desk``) knows only the BINCO's own areas, so a reference
from another area resolves to nothing. Mailman's credentials stay in the
service.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import replace
from datetime import datetime
from functools import partial, wraps
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, g, make_response, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from binsite import tokens
from binsite.desk import answer as answer_lib
from binsite.desk import importer
from binsite.desk import inbox as inbox_lib
from binsite.desk import logbook
from binsite.desk import members as members_lib
from binsite.desk import publish as publish_lib
from binsite.desk import sessions
from binsite.desk.desk import Desk, format_time, kind_label
from binsite.errors import BinsiteError, InvalidSite, MailmanUnavailable, Problem, StoreUnavailable
from binsite.i18n import format_month, t
from binsite.source.areas import MEMBERS, PARTNERS, Area
from binsite.web import security
from binsite.web.app import is_loopback, service

log = logging.getLogger(__name__)

blueprint = Blueprint("desk", __name__, url_prefix="/binco")

SESSION_COOKIE = "binsite_binco"
NONCE_COOKIE = "binsite_login"
SESSION_SECONDS = 10 * 3600
LOGIN_SECONDS = tokens.MAX_AGE[tokens.LOGIN]
_NONCE_SALT = "binsite-binco-nonce"  # a door's login-link request cookie (``security.asked_cookie``)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
_LARGE = {"desk.members_import"}


# --- cookies and who is logged in -----------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(service().secret, salt=f"binsite-binco-{purpose}")


def _web_url() -> str:
    """The service's public URL (BINSITE_WEB_URL where the service has it, else binsite.yaml's)."""
    s = service()
    configured = getattr(s, "web_url", "") or s.config.web_url
    if configured:
        return configured
    # Not configured: only a loopback preview may name itself; a link in a mail never
    # follows a Host header someone else sent.
    host = request.host.rsplit(":", 1)[0].strip("[]")
    return request.host_url if is_loopback(host) else "http://127.0.0.1/"


def _secure() -> bool:
    web_url = _web_url()
    host = web_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return not (web_url.startswith("http://") and is_loopback(host))


def _cookie_path(door: str = "/binco/") -> str:
    return (request.script_root or "") + door


def _set_cookie(response: Response, name: str, value: str, max_age: int, *, door: str = "/binco/") -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Strict", secure=_secure(),
                        path=_cookie_path(door))


def _clear_cookie(response: Response, name: str, *, door: str = "/binco/") -> None:
    response.delete_cookie(name, path=_cookie_path(door), httponly=True, samesite="Strict", secure=_secure())


def coordinator_areas(address: str) -> tuple[Area, ...]:
    wanted = address.strip().lower()
    return tuple(a for a in service().areas if wanted in {c.strip().lower() for c in a.coordinators})


def current_binco() -> tuple[str, str] | None:
    """``(address, session id)`` of the logged-in BINCO, or None."""
    return session_of(SESSION_COOKIE, "session", lambda a: bool(coordinator_areas(a)))


def session_of(cookie: str, purpose: str, allowed) -> tuple[str, str] | None:
    """``(address, session id)`` of the session in ``cookie`` (signed for ``purpose``), while
    ``allowed(address)`` (still listed for this door) and not ended; else None."""
    values = session_values(cookie, purpose, allowed)
    return (values["a"], values["s"]) if values is not None else None


def session_values(cookie: str, purpose: str, allowed) -> dict | None:
    """The session cookie's values (``a`` address, ``s`` id, ``t`` login, ``f`` second step
    passed) while the session lives: allowed, not ended, not idle for
    ``sessions.IDLE_SECONDS``, within ``SESSION_SECONDS`` of the mailed link. Notes the session
    as seen (at most once a minute), once per request."""
    raw = request.cookies.get(cookie, "")
    if not raw or len(raw) > 1024:
        return None
    cache = g.setdefault("_binsite_sessions", {})
    if (cookie, purpose) in cache:
        return cache[(cookie, purpose)]
    cache[(cookie, purpose)] = values = _live_session(raw, purpose, allowed)
    return values


def _live_session(raw: str, purpose: str, allowed) -> dict | None:
    try:
        values = _serializer(purpose).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    if not isinstance(values, dict) or not isinstance(values.get("a"), str) or not isinstance(values.get("s"), str) \
            or not isinstance(values.get("t"), (int, float)):
        return None
    now = time.time()
    if now - float(values["t"]) > SESSION_SECONDS:  # the working day counts from the mailed link
        return None
    if not allowed(values["a"]):  # removed from lists/ since: the session ends
        return None
    store = service().store
    if sessions.has_ended(store, values["a"], values["s"], float(values["t"]), now=now, lifetime=SESSION_SECONDS,
                          idle=service().config.desk_idle_minutes * 60):
        return None  # logged out (a replayed copy of the cookie), out everywhere, or idle too long
    last = sessions.last_seen(store, values["s"])
    if last is None or now - last >= sessions.SEEN_EVERY:
        from binsite.web.factors import device_of
        sessions.seen(store, values["a"], values["s"], device_of(request.headers.get("User-Agent", "")), at=now)
    return values


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        who = current_binco()
        if who is None:
            if request.method == "GET":
                return redirect(url_for("desk.home"))
            abort(403)
        return view(who[0], *args, **kwargs)
    return wrapper


def _own_area(address: str, area_id: str) -> Area:
    """The area, when this BINCO coordinates it; 403 otherwise (also for an unknown area)."""
    area = next((a for a in coordinator_areas(address) if a.id == area_id), None)
    if area is None:
        log.info("BINCO %s refused on area %s", service().address_hash(address), area_id[:40])
        abort(_page("not_yours.html", address, 403))  # said plainly, with the desk's menu
    return area


def _desk(address: str) -> Desk:
    """A desk that knows only this BINCO's own areas."""
    s = service()
    return Desk(s.root, s.config, coordinator_areas(address), s.settings.mailman, s.client(), logbook.binco(address))


def _page(template: str, address: str | None, status: int = 200, **context):
    areas = coordinator_areas(address) if address else ()
    for name in ("message", "error"):
        context.setdefault(name, "")
    context.setdefault("area", None)
    context.setdefault("desk_areas", ", ".join(a.name for a in service().areas))  # whose desk (the login page)
    html = render_template(f"web/desk/{template}", binco=address, own_areas=areas, **context)
    return make_response(html, status)


def _error_text(exc: BinsiteError) -> str:
    return exc.message(service().lang)


@blueprint.app_url_value_preprocessor
def _bigger_forms(endpoint, values) -> None:
    # Before the CSRF check reads the form: the import posts a file.
    if endpoint in _LARGE:
        request.max_content_length = MAX_IMPORT_BYTES + 64 * 1024
        request.max_form_memory_size = MAX_IMPORT_BYTES * 2


@blueprint.app_template_global()
def desk_time(moment: datetime | None) -> str:
    return format_time(moment, service().lang)


@blueprint.app_template_global()
def kind_text(kind: str) -> str:
    return kind_label(kind, service().lang)


# --- login -------------------------------------------------------------------------------

@blueprint.get("/")
def home():
    who = current_binco()
    if who is None:
        return _page("login.html", None)
    address = who[0]
    desk = _desk(address)
    rows = []
    for area in desk.areas:
        counts = desk.client.counts(desk.list_address(area, MEMBERS))
        partners = desk.client.counts(desk.list_address(area, PARTNERS))
        rows.append((area, counts, partners.held))
    return _page("home.html", address, rows=rows)


def mail_login_link(purpose: str, allowed, nonce_cookie: str, page, *, door: str = "/binco/",
                    desk_nl: str = "de balie", desk_en: str = "the desk"):
    """The answer to a login request, alike for any address; for an ``allowed`` one, a login
    link of ``purpose`` mailed in the background."""
    s = service()
    s.limit_client()
    address = " ".join(request.form.get("email", "").split()).lower()[:254]
    # The nonce ends in a tag of the address asked for: a browser that asked for this very
    # address moments ago (its signed cookie) is never refused because of what strangers asked.
    nonce = security.asked_nonce(s.secret, address)
    if address and s.may_mail(purpose, address, recent=security.asked_recently(s.secret, address, nonce_cookie,
                                                                               _NONCE_SALT, LOGIN_SECONDS)):
        # The same job for every address, known or not; the outbox starts it after the answer
        # is out, and only then looks the address up, makes the link and sends it.
        app = current_app._get_current_object()
        s.outbox.put(partial(_mail_login_link, app, s, address, nonce, _web_url(), purpose, allowed,
                             desk_nl, desk_en))
    response = page()
    _set_cookie(response, nonce_cookie, security.asked_cookie(s.secret, _NONCE_SALT, nonce), LOGIN_SECONDS, door=door)
    return response


def _mail_login_link(app, s, address: str, nonce: str, web_url: str, purpose: str, allowed,
                     desk_nl: str, desk_en: str) -> None:
    """The outbox's job: a login link of ``purpose`` to ``address`` when this door ``allowed``
    it, else nothing. Runs after the answer, in the app's context (``allowed`` reads the service)."""
    with app.app_context():
        if not allowed(address):
            return
    token = tokens.sign(s.secret, purpose, (address, nonce))
    link = tokens.link(web_url, purpose, token)
    text = s.text(
        "Hallo,\n\nMet deze link logt u in op {d} van {b}:\n\n{l}\n\nDe link werkt één keer, 15 minuten lang. "
        "Vroeg u niets aan? Dan kunt u deze e-mail negeren.\n",
        "Hello,\n\nThis link logs you in to {e} of {b}:\n\n{l}\n\nThe link works once, for 15 minutes. "
        "Did you not ask for it? Then ignore this e-mail.\n",
        b=s.config.title, l=link, d=desk_nl, e=desk_en)
    message = s.mailer.compose(address, s.text("Inloggen op {d} van {b}", "Log in to {e} of {b}",
                                               b=s.config.title, d=desk_nl, e=desk_en), text)
    try:
        s.mailer.send(message, log_as=s.address_hash(address))
    except BinsiteError:
        pass  # logged by the mailer; the person asks again


def start_session(address: str, cookie: str, purpose: str, nonce_cookie: str, home: str, *,
                  door: str = "/binco/") -> Response:
    """The one place a door's session begins, after its link was claimed (``claim_login``):
    a redirect to ``home`` with ``cookie`` (signed for ``purpose``) holding the address, a new
    session id (nothing a visitor had before is carried over) and the moment; the link's
    nonce cookie cleared."""
    from binsite.web.factors import device_of

    response = make_response(redirect(home))
    session = {"a": address, "s": secrets.token_urlsafe(18), "t": time.time()}
    _set_cookie(response, cookie, _serializer(purpose).dumps(session), SESSION_SECONDS, door=door)
    # Seen now from this browser: the account page's list of active sessions (and the idle limit).
    sessions.seen(service().store, address, session["s"], device_of(request.headers.get("User-Agent", "")),
                  at=session["t"])
    _clear_cookie(response, nonce_cookie, door=door)
    return response


def claim_login(token: str, purpose: str, nonce_cookie: str, allowed, action: str, actor) -> str:
    """The address a login link of ``purpose`` logs in, once; raises ``tokens.BadToken``.
    ``allowed(address)``: still listed for this door; the claim is the store's (one use on any
    instance), ``action``/``actor`` the logbook's line for it."""
    s = service()
    _issued, fields = tokens.verify(s.secret, token, purpose)
    if len(fields) != 2:
        raise tokens.BadToken("fields")
    address, nonce = fields
    asked = security.asked_of(s.secret, nonce_cookie, _NONCE_SALT, LOGIN_SECONDS)
    # This browser asked for a link: only that very link logs in here.
    if asked is not None and not hmac.compare_digest(asked.encode(), nonce.encode()):
        raise tokens.BadToken("another link was asked for in this browser")
    if not allowed(address):
        raise tokens.BadToken("not allowed at this door")
    once = hashlib.sha256(b"binsite-login\x1f" + nonce.encode()).hexdigest()[:24]
    if not s.store.claim("login", once):
        raise tokens.BadToken("used before")
    logbook.record(s.root, actor(address), action, once=once)
    return address


def door_routes(bp: Blueprint, *, door: str, purpose: str, session_cookie: str, session_purpose: str,
                nonce_cookie: str, allowed, action: str, actor, page, desk_nl: str, desk_en: str) -> None:
    """The login and logout views of a door (the desk, the partners', the administrator's) on
    ``bp``: ``POST inloggen/`` asks for a link (``mail_login_link``), ``GET``/``POST
    inloggen/<token>`` shows its button and logs in once (``claim_login``, ``start_session``),
    ``POST uitloggen/`` ends this session, ``POST overal-uitloggen/`` every session of the
    address (``sessions.end_every_session``). ``purpose``: the link's token purpose; ``allowed(address)``:
    still listed for this door; ``action``/``actor``: the logbook's login line; ``page(template,
    address, status=200, **context)``: the door's pages (``login_sent``, ``login_confirm``,
    ``login_failed``, ``logged_out``, ``logout_failed``); the door's home is ``<bp>.home``."""

    def found() -> tuple[str, str] | None:
        return session_of(session_cookie, session_purpose, allowed)

    def cleared(response: Response) -> Response:
        _clear_cookie(response, session_cookie, door=door)
        _clear_cookie(response, nonce_cookie, door=door)
        return response

    def login_request():
        return mail_login_link(purpose, allowed, nonce_cookie, lambda: page("login_sent.html", None), door=door,
                               desk_nl=desk_nl, desk_en=desk_en)

    def login_link(token: str):
        return page("login_confirm.html", None, token=token)

    def login_confirm(token: str):
        service().limit_client()
        try:
            address = claim_login(token, purpose, nonce_cookie, allowed, action, actor)
        except tokens.BadToken as exc:
            log.info("login link at %s refused: %s", door, exc)
            return page("login_failed.html", None, status=400)
        return start_session(address, session_cookie, session_purpose, nonce_cookie, url_for(f"{bp.name}.home"),
                             door=door)

    def logout():
        who = found()
        unrecorded = False
        if who is not None:  # a copy of this cookie must not log in after this
            try:
                sessions.end_session(service().store, who[1], at=time.time())
            except StoreUnavailable:
                # This browser is logged out all the same; the page says what did not happen.
                log.error("logout at %s not recorded: the database is unavailable", door)
                unrecorded = True
        return cleared(page("logged_out.html", None, status=500 if unrecorded else 200, everywhere=False,
                            unrecorded=unrecorded))

    def logout_everywhere():
        """End every session of this person: this browser's and any other (a phone left logged in)."""
        who = found()
        if who is None:
            abort(403)
        try:
            sessions.end_every_session(service().store, who[0], at=time.time())
        except StoreUnavailable:
            # Nothing was recorded: say so, and leave this browser logged in (nothing changed).
            log.error("logout everywhere at %s not recorded: the database is unavailable", door)
            return page("logout_failed.html", who[0], status=500)
        log.info("logged out everywhere at %s", door)
        return cleared(page("logged_out.html", None, everywhere=True, unrecorded=False))

    bp.add_url_rule("/inloggen/", "login_request", login_request, methods=["POST"])
    bp.add_url_rule("/inloggen/<token>", "login_link", login_link, methods=["GET"])
    bp.add_url_rule("/inloggen/<token>", "login_confirm", login_confirm, methods=["POST"])
    bp.add_url_rule("/uitloggen/", "logout", logout, methods=["POST"])
    bp.add_url_rule("/overal-uitloggen/", "logout_everywhere", logout_everywhere, methods=["POST"])


door_routes(blueprint, door="/binco/", purpose=tokens.LOGIN, session_cookie=SESSION_COOKIE, session_purpose="session",
            nonce_cookie=NONCE_COOKIE, allowed=lambda a: bool(coordinator_areas(a)), action=logbook.LOGIN,
            actor=logbook.binco, page=_page, desk_nl="de balie", desk_en="the desk")


# --- inbox ---------------------------------------------------------------------------------

def _items(desk: Desk, area: Area) -> list[inbox_lib.InboxItem]:
    items = inbox_lib.held_items(desk, [area.id])
    inbox_lib.note_received(desk, items)
    return items


def _forwarded(desk: Desk) -> set[str]:
    return {str(v.get("report")) for v in logbook.lines(desk.root, action=logbook.FORWARD)}


@blueprint.get("/<area_id>/")
@login_required
def inbox(address: str, area_id: str, message: str = "", error: str = "", status: int = 200):
    area = _own_area(address, area_id)
    desk = _desk(address)
    items = _items(desk, area)
    return _page("inbox.html", address, status, area=area, items=items, forwarded=_forwarded(desk),
                 report_key=inbox_lib.report_key, preview=inbox_lib.preview, message=message, error=error)


def _item(desk: Desk, area: Area, digest: str) -> inbox_lib.InboxItem | None:
    for item in inbox_lib.held_items(desk, [area.id]):
        if item.digest == digest and item.area == area.id:
            return item
    return None


@blueprint.get("/<area_id>/bericht/<digest>/")
@login_required
def show(address: str, area_id: str, digest: str):
    area = _own_area(address, area_id)
    desk = _desk(address)
    item = _item(desk, area, digest)
    if item is None:
        return _gone(address, area)
    return _show_page(address, desk, area, item)


def _show_page(address: str, desk: Desk, area: Area, item, *, message: str = "", error: str = "",
               forward_text: str | None = None, status: int = 200):
    return _page("message.html", address, status, area=area, item=item,
                 forward_text=forward_text if forward_text is not None else inbox_lib.forward_text(item),
                 reason=inbox_lib.reason_text(item.reason, desk.config.language),
                 forwarded=inbox_lib.report_key(item) in _forwarded(desk), message=message, error=error)


def _gone(address: str, area: Area):
    return inbox.__wrapped__(address, area.id, error=service().text(
        "Dit bericht wacht niet meer: een andere BINCO heeft het intussen afgehandeld (of het is weggegooid). "
        "Er is niets veranderd.",
        "This message no longer waits: another BINCO handled it meanwhile (or it was discarded). Nothing was changed."),
        status=409)


@blueprint.post("/<area_id>/bericht/<digest>/<action>")
@login_required
def act(address: str, area_id: str, digest: str, action: str):
    area = _own_area(address, area_id)
    if action not in ("accept", "reject", "discard", "forward", "draft", "answer"):
        abort(404)
    s = service()
    desk = _desk(address)
    item = _item(desk, area, digest)
    if item is None:
        return _gone(address, area)
    text = lambda nl, en, **kw: s.text(nl, en, **kw)  # noqa: E731
    try:
        if action in ("accept", "reject", "discard"):
            reason = request.form.get("reason", "").strip() if action == "reject" else None
            done = inbox_lib.moderate(desk, item.digest, action, reason=reason)
            said = {"accept": text("Geaccepteerd: {m}; Mailman bezorgt het nu aan {l}.",
                                   "Accepted: {m}; Mailman now delivers it to {l}.",
                                   m=inbox_lib.describe(done.item, s.lang), l=done.item.list),
                    "reject": text("Afgewezen: {m}; de afzender krijgt de reden per e-mail.",
                                   "Rejected: {m}; the sender gets the reason by e-mail.",
                                   m=inbox_lib.describe(done.item, s.lang)),
                    "discard": text("Weggegooid: {m}; niemand krijgt het, de afzender hoort er niets van.",
                                    "Discarded: {m}; nobody gets it and the sender is not told.",
                                    m=inbox_lib.describe(done.item, s.lang))}[action]
            return inbox.__wrapped__(address, area.id, message=said)
        if action == "forward":
            to = request.form.get("to", PARTNERS)
            if to not in (PARTNERS, MEMBERS):
                abort(400)
            keep = request.form.get("keep") == "ja"
            done = inbox_lib.forward(desk, item.digest, to=to, text=request.form.get("text", ""), keep=keep)
            said = text("Doorgestuurd zonder naam en adres van de afzender: {m} -> {l}.",
                        "Forwarded without the sender's name and address: {m} -> {l}.",
                        m=inbox_lib.describe(done.item, s.lang), l=done.to_list)
            if keep:
                said += " " + text("Het bericht blijft in de inbox, om de bewoner later te antwoorden.",
                                   "The message stays in the inbox, to answer the resident later.")
                fresh = _item(desk, area, digest)
                if fresh is not None:
                    return _show_page(address, desk, area, fresh, message=said)
            return inbox.__wrapped__(address, area.id, message=said)
        if action == "answer":
            done = answer_lib.answer(desk, item.digest, request.form.get("text", ""),
                                     partner_reply=request.form.get("partner_reply", ""),
                                     send=lambda m: s.mailer.send(m, log_as=s.address_hash(item.sender)))
            return inbox.__wrapped__(address, area.id, message=text(
                "Beantwoord: de bewoner kreeg uw antwoord van het adres van de BIN{q}; het bericht is uit de inbox.",
                "Answered: the resident got your answer from the BIN's address{q}; the message left the inbox.",
                q=text(", met het antwoord van de partner zonder diens adres",
                       ", with the partner's reply without their address") if done.quoted else ""))
        # draft: the write form, filled with the anonymised report.
        now = datetime.now(desk.config.tz)
        _name, draft = inbox_lib.draft_text(desk, item, now=now)
        form, _keep = publish_lib.form_of(draft, f"content/{area.id}/x.md")
        form = replace(form, areas=(area.id,), draft=True)
        desk.log(logbook.DRAFT, **inbox_lib.item_fields(item))
        return _write_page(address, area, form, message=text(
            "Concept gemaakt uit {m}, zonder naam en adres van de afzender. Lees en bewerk het, en sla het op of "
            "publiceer het. Het bericht blijft in de inbox.",
            "Draft made from {m}, without the sender's name and address. Read and edit it, then save or publish it. "
            "The message stays in the inbox.", m=inbox_lib.describe(item, s.lang)))
    except MailmanUnavailable:
        raise
    except BinsiteError as exc:
        if "afgehandeld" in exc.message("nl"):
            return _gone(address, area)
        return _show_page(address, desk, area, item, error=_error_text(exc), status=400,
                          forward_text=request.form.get("text") if action == "forward" else None)


# --- members ---------------------------------------------------------------------------------

def _members_page(address: str, area: Area, *, message: str = "", error: str = "", status: int = 200,
                  preview=None, upload: str = "", welcome: bool = False):
    desk = _desk(address)
    counts = desk.client.counts(desk.list_address(area, MEMBERS))
    pending = members_lib.pending_requests(desk, [area.id])
    return _page("members.html", address, status, area=area, counts=counts, pending=pending, message=message,
                 error=error, preview=preview, upload=upload, welcome=welcome, mask=inbox_lib.mask_sender)


DONE_PARAM = "gedaan"  # the result of a members action, signed, shown once after the redirect
DONE_SECONDS = 300


@blueprint.get("/<area_id>/leden/")
@login_required
def members(address: str, area_id: str):
    area = _own_area(address, area_id)
    said = ""
    raw = request.args.get(DONE_PARAM, "")
    if raw and len(raw) <= 2048:
        try:
            values = _serializer("done").loads(raw, max_age=DONE_SECONDS)
        except BadSignature:
            values = None
        # Only this BINCO's own result for this area (a link passed on shows nothing).
        if isinstance(values, dict) and values.get("a") == address and values.get("g") == area.id:
            said = str(values.get("m", ""))
    return _members_page(address, area, message=said)


@blueprint.post("/<area_id>/leden/<action>")
@login_required
def members_action(address: str, area_id: str, action: str):
    area = _own_area(address, area_id)
    if action not in ("approve", "reject", "add", "remove"):
        abort(404)
    s = service()
    desk = _desk(address)
    try:
        if action in ("approve", "reject"):
            digest = request.form.get("request", "")
            if not any(r.digest == digest and r.area == area.id for r in members_lib.pending_requests(desk, [area.id])):
                raise BinsiteError(t(
                    "deze aanvraag staat niet meer open (een andere BINCO was u voor?); er is niets veranderd",
                    "this request is no longer pending (another BINCO was quicker?); nothing was changed"))
            if action == "approve":
                done = members_lib.approve(desk, digest)
                said = s.text("Toegelaten: {a} is nu lid.", "Approved: {a} is now a member.", a=done.request.address) \
                    if done.member else s.text(
                        "Nog niet toegelaten: {a} heeft de aanmelding nog niet bevestigd.",
                        "Not approved yet: {a} has not confirmed the request yet.", a=done.request.address)
            else:
                done = members_lib.reject(desk, digest, reason=request.form.get("reason", ""))
                said = s.text("Afgewezen: de aanvraag van {a}; Mailman laat het de aanvrager weten.",
                              "Rejected: the request of {a}; Mailman tells the requester.", a=done.address)
        elif action == "add":
            list_address = members_lib.add_member(desk, area.id, request.form.get("email", ""),
                                                  name=request.form.get("name", "")[:100],
                                                  welcome=request.form.get("welcome") == "ja")
            said = s.text("Toegevoegd aan {l}.", "Added to {l}.", l=list_address)
        else:
            list_address = members_lib.remove_member(desk, area.id, request.form.get("email", ""))
            said = s.text("Verwijderd van {l}.", "Removed from {l}.", l=list_address)
    except MailmanUnavailable:
        raise
    except BinsiteError as exc:
        return _members_page(address, area, error=_error_text(exc), status=400)
    # POST-redirect-GET: a reload of the page after Toelaten or Afwijzen posts nothing again.
    done_token = _serializer("done").dumps({"a": address, "g": area.id, "m": said})
    return redirect(url_for("desk.members", area_id=area.id, **{DONE_PARAM: done_token}), code=303)


@blueprint.post("/<area_id>/leden/importeren")
@login_required
def members_import(address: str, area_id: str):
    area = _own_area(address, area_id)
    s = service()
    desk = _desk(address)
    welcome = request.form.get("welcome") == "ja"
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            raw = upload.read(MAX_IMPORT_BYTES + 1)
            name = Path(upload.filename).name[:80] or "upload.csv"
        else:
            try:
                raw = base64.b64decode(request.form.get("upload", ""), validate=True)
            except (binascii.Error, ValueError):
                raw = b""
            name = request.form.get("name", "upload.csv")[:80]
        if not raw:
            raise BinsiteError(t("kies eerst een bestand (CSV)", "choose a file (CSV) first"))
        if len(raw) > MAX_IMPORT_BYTES:
            raise BinsiteError(t("het bestand is groter dan 2 MB; splits het op",
                                             "the file is over 2 MB; split it"))
        member_file = importer.read_member_file(raw, name)
        preview = importer.preview_import(desk, area.id, member_file)
        if request.form.get("confirm") != "ja":
            return _members_page(address, area, preview=preview, upload=base64.b64encode(raw).decode("ascii"),
                                 welcome=welcome)
        result = importer.import_members(desk, preview, welcome=welcome)
    except MailmanUnavailable:
        raise
    except InvalidSite as exc:
        return _members_page(address, area, error=" ".join(p.format(s.lang) for p in exc.problems), status=400)
    except BinsiteError as exc:
        return _members_page(address, area, error=_error_text(exc), status=400)
    said = s.text("Geïmporteerd: {n} nieuwe leden{w}; {a} waren al lid; {i} regels overgeslagen.",
                  "Imported: {n} new members{w}; {a} were already members; {i} lines skipped.",
                  n=len(result.added), a=len(result.already), i=len(preview.invalid) + len(preview.duplicates),
                  w=s.text(" met welkomstmail", " with a welcome mail") if welcome else s.text(" zonder e-mail",
                                                                                              " without any e-mail"))
    if result.failed:
        said += " " + s.text("{n} adressen weigerde Mailman.", "Mailman refused {n} addresses.", n=len(result.failed))
    return _members_page(address, area, message=said)


# --- write and publish -----------------------------------------------------------------------

def _publisher() -> publish_lib.Publisher | None:
    s = service()
    environ = current_app.config.get("BINSITE_GIT_ENV", {})
    remote = publish_lib.remote_from_env(environ)
    if remote is None:
        return None
    return publish_lib.Publisher(publish_lib.workdir_of(s.root, environ), remote)


def _write_page(address: str, area: Area, form: publish_lib.BulletinForm, *, message: str = "", error: str = "",
                problems: list[tuple[str, int | None, Problem]] = (), rendered=None, rel: str = "", base: str = "",
                status: int = 200, published: str = ""):
    s = service()
    publisher = _publisher()
    existing = publisher.bulletins({area.id}) if publisher is not None else []
    by_field: dict[str, list[str]] = {}
    for name, line, problem in problems:
        where = s.text("regel {n}: ", "line {n}: ", n=line) if line else ""
        # As ``binsite check`` words it (whether it stops publishing, the finding), at the field's line.
        by_field.setdefault(name or "general", []).append(where + problem.says(s.lang))
    return _page("write.html", address, status, area=area, form=form, message=message, error=error,
                 field_errors=by_field, rendered=rendered, rel=rel, base=base, existing=existing[:50],
                 configured=publisher is not None, categories=s.config.categories, published=published,
                 markup=Markup)


def _form_from_request(address: str, area: Area) -> publish_lib.BulletinForm:
    own = {a.id for a in coordinator_areas(address)}
    areas = tuple(a for a in request.form.getlist("areas") if a in own) or (area.id,)
    for other in request.form.getlist("areas"):
        if other not in own:
            abort(403)
    category = request.form.get("category") or None
    if category is not None and category not in service().config.category_ids:
        category = None
    return publish_lib.BulletinForm(
        title=request.form.get("title", "")[:publish_lib.MAX_FIELD["title"] + 1],
        body=request.form.get("body", ""), areas=areas, category=category, urgent=request.form.get("urgent") == "ja",
        audience=request.form.get("audience", "members"), members_only=request.form.get("members_only", ""),
        draft=request.form.get("action") == "draft")


def _editable(rel: str, area: Area) -> bool:
    """A path this area's desk may open: its own folder, or a notice (whose areas are checked after reading)."""
    return rel.startswith((f"content/{area.id}/", "content/notices/")) and rel.count("/") == 2 and ".." not in rel


@blueprint.get("/<area_id>/schrijven/")
@login_required
def write(address: str, area_id: str):
    area = _own_area(address, area_id)
    rel = request.args.get("bestand", "")
    if rel:
        publisher = _publisher()
        if publisher is None:
            abort(404)
        if not _editable(rel, area):
            abort(403)
        try:
            text, blob = publisher.read(rel)
            form, _keep = publish_lib.form_of(text, rel)
        except BinsiteError as exc:
            return _write_page(address, area, publish_lib.BulletinForm("", "", (area.id,)), error=_error_text(exc),
                               status=404)
        if any(a not in {x.id for x in coordinator_areas(address)} for a in form.areas):
            abort(403)
        return _write_page(address, area, form, rel=rel, base=blob)
    return _write_page(address, area, publish_lib.BulletinForm("", "", (area.id,)))


@blueprint.post("/<area_id>/schrijven/")
@login_required
def write_post(address: str, area_id: str):
    from binsite.render.markup import render_body

    area = _own_area(address, area_id)
    s = service()
    form = _form_from_request(address, area)
    action = request.form.get("action", "preview")
    rel = request.form.get("rel", "")
    base = request.form.get("base", "")
    if rel and not _editable(rel, area):
        abort(403)
    publisher = _publisher()
    now = datetime.now(s.config.tz)
    problems = [(p.code or "", None, p) for p in publish_lib.form_problems(form)]
    keep: dict[str, object] = {}
    was_draft = False
    if rel and publisher is not None:
        try:
            text, _blob = publisher.read(rel)
            old, keep = publish_lib.form_of(text, rel)
            was_draft = old.draft
            if any(a not in {x.id for x in coordinator_areas(address)} for a in old.areas):
                abort(403)  # a notice of areas that are not all this BINCO's
        except BinsiteError as exc:
            return _write_page(address, area, form, error=_error_text(exc), status=409)
    names = {a.id: a.name for a in s.areas}
    bulletin = publish_lib.bulletin_text(form, area_names=names, when=now, rel=rel or None, keep=keep) \
        if not problems else None
    rendered = None
    if bulletin is not None:
        body = bulletin.text.split("---\n", 2)[2] if bulletin.text.count("---\n") >= 2 else form.body
        rendered = render_body(body, lang=s.lang)
    if problems or action == "preview" or publisher is None:
        if bulletin is not None:
            # The guard's findings before anyone can publish; without a working copy, of the file alone.
            found = publisher.check(bulletin, now=now) if publisher is not None else \
                publish_lib.check_alone(bulletin, s.config, s.areas)
            problems += [(*bulletin.field_of(p.line), p) for p in found]
        return _write_page(address, area, form, problems=problems, rendered=rendered, rel=rel, base=base,
                           status=400 if any(p.is_error for *_x, p in problems) else 200,
                           error="" if publisher is not None else s.text(
                               "Publiceren is op deze dienst niet ingesteld (BINSITE_GIT_REMOTE); vraag de beheerder.",
                               "Publishing is not configured on this service (BINSITE_GIT_REMOTE); ask the operator."))
    author = publish_lib.Author("BINCO " + " / ".join(names.get(a, a) for a in form.areas), s.config.mail.sender)
    try:
        done = publisher.publish(bulletin, author=author, now=now, draft=form.draft, base_blob=base or None)
    except InvalidSite as exc:
        problems = [(*bulletin.field_of(p.line), p) for p in exc.problems]
        return _write_page(address, area, form, problems=problems, rendered=rendered, rel=rel, base=base, status=400)
    except BinsiteError as exc:
        return _write_page(address, area, form, error=_error_text(exc), rendered=rendered, rel=rel, base=base,
                           status=409)
    # A draft saved; a new bulletin or a draft published; or a published bulletin corrected.
    action_logged = logbook.SAVE_DRAFT if form.draft else logbook.EDIT if rel and not was_draft else logbook.PUBLISH
    for area_of in form.areas:
        _desk(address).log(action_logged, area=area_of, bulletin=done.rel, commit=done.commit[:12])
    said = s.text("Opgeslagen als concept: {p} (commit {c}). Het verschijnt nergens tot u het publiceert.",
                  "Saved as a draft: {p} (commit {c}). It appears nowhere until you publish it.",
                  p=done.rel, c=done.commit[:8]) if form.draft else s.text(
        "Gepubliceerd: {p} (commit {c}). CI controleert, bouwt het archief en verstuurt het zoals elk bericht.",
        "Published: {p} (commit {c}). CI checks, builds the archive and sends it like any bulletin.",
        p=done.rel, c=done.commit[:8])
    return _write_page(address, area, form, message=said, rel=done.rel, base=done.blob, published=done.rel)


# --- statistics --------------------------------------------------------------------------------

@blueprint.get("/statistieken/")
@login_required
def statistics(address: str):
    from binsite.stats.desk import desk_figures, hours_text

    s = service()
    own = [a.id for a in coordinator_areas(address)]
    from binsite.stats.audit import audit_counts

    lines = list(logbook.lines(s.root))
    rows = desk_figures(lines, s.config.tz, area_ids=own)
    return _page("statistics.html", address, rows=rows, audit=audit_counts(lines, s.config.tz),
                 action_label=lambda a: audit_label(a, s.lang), hours=lambda h: hours_text(h, s.lang),
                 area_names={a.id: a.name for a in s.areas},
                 month=lambda ym: format_month(int(ym[:4]), int(ym[5:7]), s.lang))


AUDIT_LABELS = {
    "login": ("inloggen BINCO (link)", "BINCO login (link)"),
    "partner_login": ("inloggen partner (link)", "partner login (link)"),
    "factor_login": ("tweede stap gelukt", "second step passed"),
    "factor_refused": ("tweede stap geweigerd", "second step refused"),
    "factor_add": ("tweede factor toegevoegd", "second factor added"),
    "factor_remove": ("tweede factor verwijderd", "second factor removed"),
    "factor_reset": ("tweede factor hersteld door beheerder", "second factor reset by the administrator"),
    "session_end": ("sessie beëindigd", "session ended"),
    "recovery_new": ("nieuwe herstelcodes gemaakt", "new recovery codes made"),
}


def audit_label(action: str, lang: str) -> str:
    if action in AUDIT_LABELS:
        return AUDIT_LABELS[action][0 if lang != "en" else 1]
    return action.replace("_", " ")


# --- privacy (AVG): inzage and wissen for the BINCO's own area ------------------------------------

ERASE_CONFIRM_SECONDS = 15 * 60
UNCONFIRMED = t("Deze bevestiging hoort niet bij dit adres of is verlopen; er is niets gewist. Vraag opnieuw "
                "'Wissen' en bevestig daarna.",
                "This confirmation is not for this address or has expired; nothing was erased. Ask 'Erase' "
                "again and confirm then.")


ERASED_BEFORE = t("Deze verwijdering is al uitgevoerd: de bevestiging werkt één keer (ook als ze twee keer tegelijk "
                  "werd verstuurd). Er is niets opnieuw gewist. Kijk met 'Inzage' wat er nog is.",
                  "This erasure was carried out already: the confirmation works once (also when it was sent twice "
                  "at once). Nothing was erased again. Use 'Access' to see what is left.")


def erase_confirmation(door: str, resident: str, session_id: str) -> str:
    """The signed field of an erasure's confirmation form: this resident (as Mailman compares
    it), this session, this door, 15 minutes, and a random nonce that the erasure claims
    (``claim_erasure``). The second POST erases only with it, once."""
    return _serializer(f"erase-{door}").dumps([resident, session_id, secrets.token_urlsafe(18)])


def claim_erasure(door: str, token: str, resident: str, session_id: str) -> str:
    """``"ok"`` when ``token`` is the confirmation ``erase_confirmation`` made for exactly this
    and no erasure used it before, on any instance (its nonce claimed in the service's store:
    of two confirmations at once exactly one gets ``"ok"``); ``"used"`` when one did;
    ``"bad"`` otherwise (another address or session, expired, forged)."""
    if not token or len(token) > 1024:
        return "bad"
    try:
        values = _serializer(f"erase-{door}").loads(token, max_age=ERASE_CONFIRM_SECONDS)
    except BadSignature:
        return "bad"
    if not (isinstance(values, list) and len(values) == 3 and all(isinstance(v, str) for v in values)
            and hmac.compare_digest(values[0].encode(), resident.encode())
            and hmac.compare_digest(values[1].encode(), session_id.encode())):
        return "bad"
    once = hashlib.sha256(b"binsite-erase\x1f" + values[2].encode()).hexdigest()[:24]
    return "ok" if service().store.claim("erase", once) else "used"


def refused_erasure(outcome: str) -> str:
    """The page's text for a confirmation ``claim_erasure`` did not take."""
    return (ERASED_BEFORE if outcome == "used" else UNCONFIRMED).get(service().lang)


def avg_environ() -> dict[str, str]:
    """The environment an erasure from the web reads (``BINSITE_MAILMAN_DB`` only)."""
    return dict(current_app.config.get("BINSITE_AVG_ENV", {}))


def _privacy_page(address: str, area: Area, *, status: int = 200, **context):
    from binsite.avg.text import KIND_LABELS
    context.setdefault("email", "")  # the form's field, empty until an address was asked for
    return _page("privacy.html", address, status, area=area, labels=KIND_LABELS, **context)


@blueprint.get("/<area_id>/privacy/")
@login_required
def privacy(address: str, area_id: str):
    return _privacy_page(address, _own_area(address, area_id))


@blueprint.post("/<area_id>/privacy/")
@login_required
def privacy_post(address: str, area_id: str):
    """Inzage or wissen of one address on this area's lists only; an address that only other
    areas hold is 403 and nothing changes (a full erasure is the administrator's, ``/beheer/``).
    Wissen takes two POSTs: the first shows what will go, the second (``bevestigen``, with the
    signed field of the first) erases."""
    from binsite.avg import erase as erase_lib
    from binsite.avg import holdings as holdings_lib
    from binsite.avg import normalise

    area = _own_area(address, area_id)
    action, email = request.form.get("action", ""), request.form.get("email", "")[:320]
    if action not in ("inzage", "wissen", "bevestigen"):
        abort(404)
    desk = _desk(address)
    session_id = current_binco()[1]
    door = f"binco-{area.id}"
    try:
        if action == "inzage":
            found = holdings_lib.find_in_areas(desk.root, desk.client, email, domain=desk.domain, areas=(area,))
            return _privacy_page(address, area, found=found, email=email)
        if action == "wissen":
            planned = erase_lib.plan(desk.root, desk.client, email, domain=desk.domain, areas=(area,))
            return _privacy_page(address, area, planned=planned, email=email,
                                 confirm=erase_confirmation(door, planned.address, session_id))
        outcome = claim_erasure(door, request.form.get("confirm", ""), normalise(email), session_id)
        if outcome != "ok":
            return _privacy_page(address, area, email=email, status=409 if outcome == "used" else 400,
                                 error=refused_erasure(outcome))
        done = erase_lib.erase(desk.root, desk.client, email, domain=desk.domain, actor=desk.actor, areas=(area,),
                               environ=avg_environ())
        return _privacy_page(address, area, erased=done, email=email)
    except holdings_lib.OutsideAreas:
        log.info("BINCO %s refused an address outside %s", service().address_hash(address), area.id)
        abort(403)
    except MailmanUnavailable:
        raise
    except BinsiteError as exc:
        return _privacy_page(address, area, error=_error_text(exc), email=email, status=400)


# --- addresses that no longer work (bounces) --------------------------------------------------

def _bouncing(desk: Desk, area: Area):
    from binsite.mailman.bounces import bouncing
    return [b for kind in (MEMBERS, "weekly") for b in bouncing(desk.client, desk.list_address(area, kind))]


def _bounces_page(address: str, area: Area, *, message: str = "", error: str = "", status: int = 200):
    desk = _desk(address)
    from binsite.mailman.sync import BOUNCE_THRESHOLD
    return _page("bounces.html", address, status, area=area, bouncing=_bouncing(desk, area), message=message,
                 error=error, mask=inbox_lib.mask_sender, threshold=BOUNCE_THRESHOLD)


@blueprint.get("/<area_id>/niet-bezorgd/")
@login_required
def bounces(address: str, area_id: str):
    return _bounces_page(address, _own_area(address, area_id))


@blueprint.post("/<area_id>/niet-bezorgd/<action>")
@login_required
def bounces_action(address: str, area_id: str, action: str):
    """Verwijderen (off the list) or opnieuw proberen (delivery back on) for one bouncing member
    of this area's lists; a member id that is not one of them changes nothing."""
    from binsite.mailman.bounces import retry

    area = _own_area(address, area_id)
    if action not in ("verwijderen", "opnieuw"):
        abort(404)
    desk = _desk(address)
    member_id = request.form.get("member", "")
    target = next((b for b in _bouncing(desk, area) if b.member_id == member_id), None)
    s = service()
    if target is None:
        return _bounces_page(address, area, status=400, error=s.text(
            "dit adres staat niet (meer) bij de adressen die niet werken; er is niets veranderd",
            "this address is not (or no longer) among those that do not work; nothing was changed"))
    if action == "verwijderen":
        desk.client.unsubscribe_member(member_id)
        desk.log(logbook.MEMBER_REMOVE, area=area.id, list=target.list)
        said = s.text("Verwijderd van {l}: {a}.", "Removed from {l}: {a}.", l=target.list, a=inbox_lib.mask_sender(target.address))
    else:
        retry(desk.client, member_id)
        said = s.text("Bezorging staat weer aan voor {a}.", "Delivery is on again for {a}.",
                      a=inbox_lib.mask_sender(target.address))
    return _bounces_page(address, area, message=said)
