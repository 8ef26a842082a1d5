"""The second step of a desk login: passkeys (WebAuthn), an app's code (TOTP), recovery codes.

The three doors, the BINCO's (``/binco/``), the partners' (``/partner/``) and the
administrators' (``/beheer/``, ``binsite.web.admin``), log in with the mailed
single-use link (``binsite.web.desk``); this module adds the second step after
it, and the account page (``<door>beveiliging/``).

**A session's level.** The session cookie says whether its second step was
passed (``f``). For each request under a door (``_gate``, before any view):

- the person holds a factor and the session has not passed it: only the
  second step's page (``<door>tweede-stap/``) and its posts answer; the door's
  home redirects there; every other route answers 403;
- the person holds none and the role's policy (``second_factor:`` in
  binsite.yaml, ``SiteConfig.second_factor_of``) is ``required``: only the
  registration part of the account page answers, the same way;
- otherwise the door is open as before (``optional`` and no factor yet).

Passing the step, or adding the first factor, gives the session a new id (the
old one is ended) with the level set; the 10 hours count from the mailed link.

**Passkeys** with py_webauthn: the relying party is the host of the service's
public URL (``web_url`` or BINSITE_WEB_URL), the origin its scheme and host.
The challenge travels in a signed cookie (5 minutes) and is claimed once in
the person's record (``binsite.desk.factors``) before the answer is checked,
so a replayed assertion fails; an assertion made for another site (RP ID or
origin) fails in py_webauthn's checks; a signature counter that did not move
on (a cloned authenticator) fails there too. **The app's code** (pyotp) works
once: its time step is claimed. **Recovery codes**: ten, shown once, stored as
digests, each crossed out when used. Wrong codes are limited per account
(``factors.FAILURES_ALLOWED`` per ``FAILURE_WINDOW``, counted in the service's
store: one count for all instances). Every refusal is logged
(``logbook.FACTOR_REFUSED``, with the reason, never the code) and so is every
factor added, removed or used. What the second step keeps is in the store too
(``binsite.desk.factors.StoreFactors``).

**Sessions** (``binsite.desk.sessions``): the account page lists the
person's active sessions (device, last seen) and ends each one.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, jsonify, make_response, redirect, render_template, request, url_for
from itsdangerous import BadSignature

from binsite.desk import factors as lib
from binsite.desk import logbook, sessions
from binsite.web import desk as desk_web
from binsite.web.app import is_loopback, service

log = logging.getLogger(__name__)

blueprint = Blueprint("factors", __name__)

CHALLENGE_COOKIE = "binsite_factor"
CHALLENGE_SECONDS = 5 * 60
PENDING_APP_SECONDS = 10 * 60
TOTP_WINDOW = 1  # one step (30 s) either side of now, for clocks that drift


def _route(path: str, method: str):
    """The view at ``/binco/<path>``, ``/partner/<path>`` and ``/beheer/<path>`` (its ``door``
    argument): static rules, so they come before the desk's ``/binco/<area_id>/``."""
    def register(view):
        for name in lib.ROLES:
            blueprint.add_url_rule(f"/{name}/{path}", endpoint=view.__name__, view_func=view, methods=[method],
                                   defaults={"door": name})
        return view
    return register


# --- the three doors ------------------------------------------------------------------------

@dataclass(frozen=True)
class Door:
    name: str            # "binco", "partner" or "beheer": the URL part and the factors' role
    policy: str          # the key in binsite.yaml's second_factor: "bincos", "partners", "administrators"
    cookie: str
    purpose: str         # the session cookie's signing purpose
    base: str            # the template the pages extend
    home: str            # the door's home endpoint
    logout: str
    everywhere: str      # "Overal uitloggen": every session of this person at this door
    open_endpoints: frozenset[str]  # what needs no session (the login pages)
    allowed: Callable[[str], bool]
    actor: Callable[[str], logbook.Actor]

    @property
    def prefix(self) -> str:
        return f"/{self.name}/"


def _doors() -> dict[str, Door]:
    from binsite.web import admin as admin_web
    from binsite.web import partner as partner_web

    def login(prefix: str) -> frozenset[str]:  # what desk.door_routes registers that needs no session
        return frozenset(f"{prefix}.{v}" for v in ("login_request", "login_link", "login_confirm", "logout"))

    return {
        "binco": Door("binco", "bincos", desk_web.SESSION_COOKIE, "session", "web/desk/desk_base.html", "desk.home",
                      "desk.logout", "desk.logout_everywhere", login("desk"),
                      lambda a: bool(desk_web.coordinator_areas(a)), logbook.binco),
        "partner": Door("partner", "partners", partner_web.SESSION_COOKIE, "partner-session",
                        "web/partner/partner_base.html", "partner.home", "partner.logout",
                        "partner.logout_everywhere", login("partner"),
                        lambda a: partner_web.partner_account(a) is not None, logbook.partner),
        "beheer": Door("beheer", "administrators", admin_web.SESSION_COOKIE, admin_web.SESSION_PURPOSE,
                       "web/admin/admin_base.html", "admin.home", "admin.logout", "admin.logout_everywhere",
                       login("admin"), admin_web.is_administrator, logbook.administrator),
    }


def door_named(name: str) -> Door:
    door = _doors().get(name)
    if door is None:
        abort(404)
    return door


def _door_of_path() -> Door | None:
    path = request.path
    for door in _doors().values():
        if path.startswith(door.prefix):
            return door
    return None


def _store() -> lib.StoreFactors:
    return lib.StoreFactors(service().store)


def _who(door: Door, address: str) -> str:
    return lib.person(door.name, address)


def policy(door: Door) -> str:
    return service().config.second_factor_of(door.policy)


def state(door: Door, values: dict) -> str:
    """``ok``, ``verify`` (a factor is held, the step not passed) or ``register`` (none held,
    the role requires one)."""
    if values.get("f") == 1:
        return "ok"
    if _store().has_factor(_who(door, values["a"])):
        return "verify"
    return "register" if policy(door) == "required" else "ok"


# --- the gate before every view of a door ------------------------------------------------------

STEP_ENDPOINTS = frozenset({"factors.step", "factors.step_options", "factors.step_passkey", "factors.step_code"})
REGISTER_ENDPOINTS = frozenset({"factors.account", "factors.passkey_options", "factors.passkey_add",
                                "factors.app_start", "factors.app_confirm"})


@blueprint.before_app_request
def _gate():
    if request.routing_exception is not None:
        return None
    door = _door_of_path()
    if door is None or request.endpoint in door.open_endpoints:
        return None
    values = desk_web.session_values(door.cookie, door.purpose, door.allowed)
    if values is None:
        return None  # not logged in: the views send to the login page
    level = state(door, values)
    g.factor_state = level
    if level == "ok":
        return None
    allowed = STEP_ENDPOINTS if level == "verify" else REGISTER_ENDPOINTS
    if request.endpoint in allowed and (request.view_args or {}).get("door") == door.name:
        return None
    target = url_for("factors.step" if level == "verify" else "factors.account", door=door.name)
    if request.endpoint == door.home and request.method == "GET":
        return redirect(target)
    log.info("%s session without its second step refused on %s", door.name, request.path[:80])
    return _page(door, None, "blocked.html", 403, level=level, target=target)


# --- pages -------------------------------------------------------------------------------------

def _page(door: Door, address: str | None, template: str, status: int = 200, **context):
    s = service()
    context.setdefault("message", "")
    context.setdefault("error", "")
    shown = address if getattr(g, "factor_state", "ok") == "ok" else None  # the menu only when open
    partner = None
    if door.name == "partner" and shown:
        from binsite.web import partner as partner_web
        partner = partner_web.partner_account(shown)
    html = render_template(f"web/factors/{template}", door=door, door_base=door.base, area=None,
                           binco=shown if door.name == "binco" else None, partner=partner,
                           admin=shown if door.name == "beheer" else None,
                           own_areas=desk_web.coordinator_areas(shown) if door.name == "binco" and shown else (),
                           desk_areas=", ".join(a.name for a in s.areas), **context)
    return make_response(html, status)


def _session(door: Door) -> dict:
    values = desk_web.session_values(door.cookie, door.purpose, door.allowed)
    if values is None:
        abort(403)
    return values


def _log(door: Door, address: str, action: str, **fields: object) -> None:
    logbook.record(service().root, door.actor(address), action, **fields)


def _refused(door: Door, address: str, factor: str, reason: str) -> None:
    log.info("%s second step refused (%s, %s)", door.name, factor, reason)
    _log(door, address, logbook.FACTOR_REFUSED, factor=factor, refusal=reason)


def _elevate(door: Door, values: dict, response):
    """The session passed its second step: a new id, the level set, the old id ended."""
    now = time.time()
    store = service().store
    sessions.end_session(store, values["s"], at=now)
    fresh = {"a": values["a"], "s": secrets.token_urlsafe(18), "t": values["t"], "f": 1}
    sessions.seen(store, values["a"], fresh["s"], device_of(request.headers.get("User-Agent", "")), at=now)
    remaining = max(60, int(desk_web.SESSION_SECONDS - (now - float(values["t"]))))
    desk_web._set_cookie(response, door.cookie, desk_web._serializer(door.purpose).dumps(fresh), remaining,
                         door=door.prefix)
    desk_web._clear_cookie(response, CHALLENGE_COOKIE, door=door.prefix)
    return response


def device_of(agent: str) -> str:
    """A short, readable name of the browser (``Firefox op Android``), never the whole header."""
    agent = agent[:400]
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Chromium/", "Chromium"), ("Safari/", "Safari")) if key in agent),
                   service().text("een browser", "a browser"))
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
                   if key in agent), "")
    return service().text("{b} op {s}", "{b} on {s}", b=browser, s=system) if system else browser


# --- the relying party ---------------------------------------------------------------------------

def relying_party() -> tuple[str, str]:
    """``(RP ID, origin)`` from the service's public URL. An IP address is no RP ID: a preview
    on a loopback address (``make demo``: 127.0.0.1) opened as ``localhost`` uses that name."""
    parts = urlsplit(desk_web._web_url())
    host = parts.hostname or "localhost"
    if is_loopback(host) and host != "localhost" and request.host.rsplit(":", 1)[0] == "localhost":
        port = f":{parts.port}" if parts.port else ""
        return "localhost", f"{parts.scheme}://localhost{port}"
    return host, f"{parts.scheme}://{parts.netloc}"


def _challenge_cookie(response, door: Door, who: str, kind: str, challenge: bytes):
    value = desk_web._serializer("factor-challenge").dumps(
        {"w": who, "k": kind, "c": base64.urlsafe_b64encode(challenge).decode()})
    desk_web._set_cookie(response, CHALLENGE_COOKIE, value, CHALLENGE_SECONDS, door=door.prefix)
    return response


def _challenge(who: str, kind: str) -> bytes | None:
    raw = request.cookies.get(CHALLENGE_COOKIE, "")
    if not raw or len(raw) > 1024:
        return None
    try:
        values = desk_web._serializer("factor-challenge").loads(raw, max_age=CHALLENGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(values, dict) or values.get("w") != who or values.get("k") != kind:
        return None
    try:
        return base64.urlsafe_b64decode(str(values.get("c", "")))
    except (ValueError, TypeError):
        return None


def _options_response(door: Door, who: str, kind: str, options) -> object:
    from webauthn import options_to_json

    response = make_response(options_to_json(options))
    response.mimetype = "application/json"
    return _challenge_cookie(response, door, who, kind, options.challenge)


def _credential() -> dict | None:
    raw = request.form.get("credential", "")
    if not raw or len(raw) > 20_000:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _ceremony(door: str) -> tuple[Door, dict, str]:
    """A passkey post: ``(door, session values, person)``, counted against the client's limit."""
    d = door_named(door)
    values = _session(d)
    service().limit_client()
    return d, values, _who(d, values["a"])


def _descriptors(who: str) -> list:
    """The person's passkeys as WebAuthn credential descriptors."""
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id)) for k in _store().passkeys(who)]


def _answer(ok: bool, message: str, *, next_url: str = "", status: int = 200):
    return make_response(jsonify({"ok": ok, "message": message, "next": next_url}), status)


# --- the second step ------------------------------------------------------------------------------

@_route("tweede-stap/", "GET")
def step(door: str):
    d = door_named(door)
    values = _session(d)
    who = _who(d, values["a"])
    store = _store()
    return _page(d, values["a"], "step.html", passkeys=bool(store.passkeys(who)),
                 app=store.totp_secret(who) is not None)


@_route("tweede-stap/passkey/opties", "POST")
def step_options(door: str):
    from webauthn import generate_authentication_options
    from webauthn.helpers.structs import UserVerificationRequirement

    d, _values, who = _ceremony(door)
    rp_id, _origin = relying_party()
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.PREFERRED,
                                              allow_credentials=_descriptors(who))
    return _options_response(d, who, "auth", options)


@_route("tweede-stap/passkey", "POST")
def step_passkey(door: str):
    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    d, values, who = _ceremony(door)
    s, address, store = service(), values["a"], _store()
    failed = s.text("Dat lukte niet: deze passkey is hier niet bekend of het antwoord klopt niet. Probeer het "
                    "opnieuw, of gebruik de code van uw app of een herstelcode.",
                    "That did not work: this passkey is not known here or the answer is not right. Try again, or "
                    "use your app's code or a recovery code.")
    credential = _credential()
    challenge = _challenge(who, "auth")
    if credential is None or challenge is None:
        _refused(d, address, "passkey", "replay" if credential is not None else "wrong")
        return _answer(False, failed, status=400)
    key = next((k for k in store.passkeys(who) if hmac.compare_digest(k.credential_id,
                                                                       str(credential.get("id", ""))[:400])), None)
    if key is None:
        _refused(d, address, "passkey", "unknown")
        return _answer(False, failed, status=400)
    challenge_text = base64.urlsafe_b64encode(challenge).decode()
    if not store.claim_challenge(who, challenge_text):
        _refused(d, address, "passkey", "replay")
        return _answer(False, failed, status=400)
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=base64.urlsafe_b64decode(key.public_key + "=" * (-len(key.public_key) % 4)),
            credential_current_sign_count=key.sign_count)
    except InvalidAuthenticationResponse as exc:
        text = str(exc).lower()
        reason = "counter" if "sign count" in text else "origin" if ("rp id" in text or "origin" in text) else \
            "replay" if "challenge" in text else "wrong"
        _refused(d, address, "passkey", reason)
        return _answer(False, failed, status=400)
    except Exception as exc:  # a malformed answer: py_webauthn's parsers raise several kinds
        log.info("passkey answer not readable: %s", type(exc).__name__)
        _refused(d, address, "passkey", "wrong")
        return _answer(False, failed, status=400)
    if not store.use_passkey(who, key.credential_id, key.sign_count, verified.new_sign_count,
                             challenge_text + ":used"):
        _refused(d, address, "passkey", "replay")  # another request used this counter meanwhile
        return _answer(False, failed, status=400)
    _log(d, address, logbook.FACTOR_LOGIN, factor="passkey")
    return _elevate(d, values, _answer(True, "", next_url=url_for(d.home)))


def check_code(d: Door, address: str, code: str) -> str | None:
    """The factor a typed code passed (``app`` or ``recovery``), or None (refused and logged)."""
    import pyotp

    who, store, now = _who(d, address), _store(), time.time()
    code = code.strip()[:40]
    compact = "".join(c for c in code if not c.isspace())
    factor = "app" if compact.isdigit() and len(compact) == 6 else "recovery"
    if not store.may_try(who, now=now):
        _refused(d, address, factor, "limit")
        return None
    if factor == "app":
        secret = store.totp_secret(who)
        if secret is None:
            store.failed(who, now=now)
            _refused(d, address, factor, "wrong")
            return None
        totp = pyotp.TOTP(secret)
        step_now = int(now // totp.interval)
        for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
            at = (step_now + offset) * totp.interval
            if hmac.compare_digest(totp.at(at), compact):
                if not store.claim_totp_step(who, step_now + offset, now=now):
                    _refused(d, address, factor, "used")
                    return None
                return factor
        store.failed(who, now=now)
        _refused(d, address, factor, "wrong")
        return None
    used = store.use_recovery(who, code)
    if used == "ok":
        return factor
    store.failed(who, now=now)
    _refused(d, address, factor, used)
    return None


@_route("tweede-stap/code", "POST")
def step_code(door: str):
    d = door_named(door)
    values = _session(d)
    s = service()
    s.limit_client()
    address = values["a"]
    factor = check_code(d, address, request.form.get("code", ""))
    if factor is None:
        store = _store()
        limited = not store.may_try(_who(d, address), now=time.time())
        return _page(d, address, "step.html", 400, passkeys=bool(store.passkeys(_who(d, address))),
                     app=store.totp_secret(_who(d, address)) is not None, error=s.text(
                         "Te veel verkeerde codes: wacht een kwartier, of vraag de beheerder uw tweede factor te "
                         "herstellen.", "Too many wrong codes: wait a quarter of an hour, or ask the administrator "
                         "to reset your second factor.") if limited else s.text(
                         "Deze code klopt niet, of is al gebruikt. Typ de nieuwste code uit uw app, of een "
                         "herstelcode die u nog niet gebruikte.", "This code is not right, or was used already. "
                         "Type the newest code from your app, or a recovery code you have not used."))
    _log(d, address, logbook.FACTOR_LOGIN, factor=factor)
    response = make_response(redirect(url_for(d.home)))
    if factor == "recovery":
        left = _store().recovery_left(_who(d, address))
        response = make_response(redirect(url_for("factors.account", door=d.name, over=str(left))))
    return _elevate(d, values, response)


# --- the account page: passkeys, the app, sessions ------------------------------------------------

def _account_page(d: Door, values: dict, status: int = 200, **context):
    who = _who(d, values["a"])
    store = _store()
    now = time.time()
    active = sessions.active(service().store, values["a"], now=now, lifetime=desk_web.SESSION_SECONDS,
                             idle=service().config.desk_idle_minutes * 60)
    level = getattr(g, "factor_state", None) or state(d, values)
    return _page(d, values["a"], "account.html", status, passkeys=store.passkeys(who),
                 app=store.totp_secret(who) is not None, recovery_left=store.recovery_left(who),
                 sessions_active=active, this_session=sessions.session_key(values["s"]),
                 gated=level != "ok", required=policy(d) == "required",
                 ago=lambda at: _ago(now - at), added=lambda at: desk_web.desk_time(_local(at)), **context)


def _local(at: float):
    from datetime import datetime
    return datetime.fromtimestamp(at, service().config.tz)


def _ago(seconds: float) -> str:
    s = service()
    minutes = int(seconds // 60)
    if minutes < 1:
        return s.text("zojuist", "just now")
    if minutes < 60:
        return s.text("{n} min. geleden", "{n} min. ago", n=minutes)
    return s.text("{n} uur geleden", "{n} h ago", n=minutes // 60)


@_route("beveiliging/", "GET")
def account(door: str):
    d = door_named(door)
    values = _session(d)
    message = ""
    left = request.args.get("over", "")
    if left.isdigit() and len(left) <= 2:
        message = service().text(
            "U bent binnen met een herstelcode; die werkt nu niet meer. U heeft er nog {n}. Voeg een nieuwe "
            "passkey toe of stel de app opnieuw in, en kies Nieuwe herstelcodes maken voor tien nieuwe codes.",
            "You are in with a recovery code; it no longer works. You have {n} left. Add a new passkey or set up "
            "the app again, and choose Make new recovery codes for ten new codes.", n=left)
    return _account_page(d, values, message=message)


@_route("beveiliging/passkey/opties", "POST")
def passkey_options(door: str):
    from webauthn import generate_registration_options
    from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, ResidentKeyRequirement,
                                          UserVerificationRequirement)

    d, values, who = _ceremony(door)
    rp_id, _origin = relying_party()
    s = service()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=s.config.title[:60] or "BIN", user_name=values["a"], user_id=who.encode()[:64],
        user_display_name=values["a"],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(who))
    return _options_response(d, who, "reg", options)


@_route("beveiliging/passkey", "POST")
def passkey_add(door: str):
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    d, values, who = _ceremony(door)
    s, address, store = service(), values["a"], _store()
    failed = s.text("De passkey is niet toegevoegd: het antwoord van uw apparaat klopte niet. Probeer het opnieuw.",
                    "The passkey was not added: your device's answer was not right. Try again.")
    credential, challenge = _credential(), _challenge(who, "reg")
    if credential is None or challenge is None or not store.claim_challenge(
            who, base64.urlsafe_b64encode(challenge).decode()):
        _refused(d, address, "passkey", "replay")
        return _answer(False, failed, status=400)
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except InvalidRegistrationResponse as exc:
        text = str(exc).lower()
        _refused(d, address, "passkey", "origin" if ("rp id" in text or "origin" in text) else "wrong")
        return _answer(False, failed, status=400)
    except Exception as exc:  # a malformed answer: py_webauthn's parsers
        log.info("passkey registration not readable: %s", type(exc).__name__)
        _refused(d, address, "passkey", "wrong")
        return _answer(False, failed, status=400)
    first = not store.has_factor(who)
    name = " ".join(request.form.get("name", "").split())[:40] or device_of(request.headers.get("User-Agent", ""))
    try:
        store.add_passkey(who, lib.Passkey(bytes_to_base64url(verified.credential_id),
                                           bytes_to_base64url(verified.credential_public_key),
                                           verified.sign_count, name, time.time()))
    except ValueError:
        return _answer(False, s.text("U heeft al {n} passkeys; verwijder er eerst een.",
                                     "You have {n} passkeys already; remove one first.", n=lib.MAX_PASSKEYS),
                       status=409)
    _log(d, address, logbook.FACTOR_ADD, factor="passkey")
    response = _answer(True, s.text("Passkey toegevoegd: {n}.", "Passkey added: {n}.", n=name),
                       next_url=url_for("factors.account", door=d.name))
    return _elevate(d, values, response) if first or values.get("f") == 1 else response


def _leaves_none(d: Door, who: str, *, passkey: str | None = None, app: bool = False) -> bool:
    store = _store()
    keys = [k for k in store.passkeys(who) if k.credential_id != passkey]
    has_app = store.totp_secret(who) is not None and not app
    return policy(d) == "required" and not keys and not has_app


@_route("beveiliging/passkey/verwijderen", "POST")
def passkey_remove(door: str):
    d = door_named(door)
    values = _session(d)
    s = service()
    who, key = _who(d, values["a"]), request.form.get("id", "")[:400]
    if _leaves_none(d, who, passkey=key):
        return _account_page(d, values, 409, error=s.text(
            "Dit is uw laatste tweede factor, en die is hier verplicht: voeg eerst een andere toe.",
            "This is your last second factor, and one is required here: add another first."))
    if not _store().remove_passkey(who, key):
        return _account_page(d, values, 404, error=s.text("Deze passkey staat er niet (meer).",
                                                          "This passkey is not (or no longer) there."))
    _log(d, values["a"], logbook.FACTOR_REMOVE, factor="passkey")
    return _account_page(d, values, message=s.text("Passkey verwijderd.", "Passkey removed."))


def _pending_secret(session_id: str) -> str | None:
    """The secret the code app's page signed into its form, for this session only."""
    raw = request.form.get("pending", "")
    if not raw or len(raw) > 400:
        return None
    try:
        values = desk_web._serializer("factor-app").loads(raw, max_age=PENDING_APP_SECONDS)
    except BadSignature:
        return None
    if not isinstance(values, dict) or not isinstance(values.get("k"), str) or values.get("s") != session_id:
        return None
    return values["k"]


@_route("beveiliging/app", "POST")
def app_start(door: str):
    import pyotp

    d = door_named(door)
    values = _session(d)
    secret = pyotp.random_base32()
    # The secret goes to this page only, signed into the confirming form (bound to this session).
    pending = desk_web._serializer("factor-app").dumps({"k": secret, "s": values["s"]})
    return _app_page(d, values, secret, pending)


def _app_page(d: Door, values: dict, secret: str, pending: str, status: int = 200, **context):
    """The code app's page: the secret as a QR code (inline SVG) and written out for typing. Like
    every page of the service it is sent with ``Cache-Control: no-store`` (binsite.web.security),
    and neither the secret nor its URI is logged."""
    from markupsafe import Markup

    s = service()
    uri = lib.app_uri(secret, issuer=s.config.title, role=d.name, address=values["a"])
    qr = Markup(lib.qr_svg(uri, label=s.text("QR-code om in uw app te scannen", "QR code to scan in your app")))
    return _page(d, values["a"], "app.html", status, secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                 uri=uri, qr=qr, pending=pending, **context)


@_route("beveiliging/app/bevestigen", "POST")
def app_confirm(door: str):
    import pyotp

    d = door_named(door)
    values = _session(d)
    s = service()
    s.limit_client()
    secret = _pending_secret(values["s"])
    code = "".join(c for c in request.form.get("code", "") if c.isdigit())[:6]
    raw = request.form.get("pending", "")
    if secret is None:
        return _account_page(d, values, 400, error=s.text(
            "Het instellen duurde te lang of de pagina was oud: begin opnieuw.",
            "Setting up took too long or the page was old: start again."))
    totp = pyotp.TOTP(secret)
    if not totp.verify(code, valid_window=TOTP_WINDOW):
        return _app_page(d, values, secret, raw, 400, error=s.text(
            "Deze code klopt niet: typ de code die de app nu toont.",
            "This code is not right: type the code the app shows now."))
    who = _who(d, values["a"])
    first = not _store().has_factor(who)
    codes = lib.new_recovery_codes()
    _store().set_totp(who, secret, codes)
    _store().claim_totp_step(who, int(time.time() // totp.interval), now=time.time())
    _log(d, values["a"], logbook.FACTOR_ADD, factor="app")
    response = _page(d, values["a"], "codes.html", codes=codes,
                     message=s.text("De code-app is ingesteld.", "The code app is set up."))
    return _elevate(d, values, response) if first or values.get("f") == 1 else response


@_route("beveiliging/app/verwijderen", "POST")
def app_remove(door: str):
    d = door_named(door)
    values = _session(d)
    s = service()
    who = _who(d, values["a"])
    if _leaves_none(d, who, app=True):
        return _account_page(d, values, 409, error=s.text(
            "Dit is uw laatste tweede factor, en die is hier verplicht: voeg eerst een passkey toe.",
            "This is your last second factor, and one is required here: add a passkey first."))
    if _store().remove_totp(who):
        _log(d, values["a"], logbook.FACTOR_REMOVE, factor="app")
    return _account_page(d, values, message=s.text("De app en de herstelcodes werken niet meer.",
                                                   "The app and the recovery codes no longer work."))


@_route("beveiliging/herstelcodes", "POST")
def recovery_new(door: str):
    """Ten new recovery codes, shown once, in place of all the old ones. Only in a session that
    passed its second step (or added its first factor: that passes it too): the mailed link alone
    never makes codes that would open the door without the factor."""
    d = door_named(door)
    values = _session(d)
    s = service()
    s.limit_client()
    who = _who(d, values["a"])
    if values.get("f") != 1 or not _store().has_factor(who):
        log.info("%s new recovery codes refused: second step not passed", d.name)
        abort(403)
    codes = lib.new_recovery_codes()
    _store().renew_recovery(who, codes)
    _log(d, values["a"], logbook.RECOVERY_NEW, factor="recovery")
    return _page(d, values["a"], "codes.html", codes=codes, message=s.text(
        "Er zijn tien nieuwe herstelcodes gemaakt. De oude werken niet meer.",
        "Ten new recovery codes were made. The old ones no longer work."))


@_route("beveiliging/sessie", "POST")
def end_session(door: str):
    d = door_named(door)
    values = _session(d)
    s = service()
    key = request.form.get("sessie", "")[:64]
    now = time.time()
    store = s.store
    own = {a.key for a in sessions.active(store, values["a"], now=now, lifetime=desk_web.SESSION_SECONDS,
                                          idle=service().config.desk_idle_minutes * 60)}
    if key not in own:
        return _account_page(d, values, 404, error=s.text("Deze sessie loopt niet (meer).",
                                                          "This session is not (or no longer) active."))
    sessions.end_session_key(store, key, at=now)
    _log(d, values["a"], logbook.SESSION_END)
    if key == sessions.session_key(values["s"]):
        response = make_response(redirect(url_for(d.home)))
        desk_web._clear_cookie(response, d.cookie, door=d.prefix)
        return response
    return _account_page(d, values, message=s.text("Die sessie is beëindigd: dat apparaat is uitgelogd.",
                                                   "That session was ended: that device is logged out."))
