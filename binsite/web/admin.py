"""The administrator's door in the browser, under ``/beheer/``: inzage and wissen (AVG) for
any address across every area.

An administrator is an address in ``binsite.yaml`` ``administrators:``, looked up again at
every request. The login is the desk's machinery (``binsite.web.desk.mail_login_link`` /
``claim_login``, its views registered by ``door_routes``: a mailed single-use link, the same answer for an unknown address), signed for
its own purpose (``tokens.ADMIN_LOGIN``), with the session in its own cookie
(``binsite_beheer``, path ``/beheer/``, signed for its own purpose). This session opens no
BINCO or partner page, and their sessions (or links) open nothing here: every page below the
door answers 403 without an administrator's session. A session starts in one place,
``desk.start_session``; the second step after the link (``second_factor: administrators``,
``required`` by default) is ``binsite.web.factors``'s third door, gated before every view here.
"Overal uitloggen" ends every session of that address, as at the other doors.

Inzage shows what ``binsite avg inzage`` shows (``binsite.avg.holdings.find``); wissen takes
two POSTs: the first shows what ``binsite.avg.erase.plan`` finds, the second (with the signed
field of the first, for this address and session, single-use: ``desk.claim_erasure``) erases everywhere, as ``binsite avg wissen``
does, and the logbook records it with the role ``administrator``, a digest, never the address.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint, abort, make_response, render_template, request

from binsite import tokens
from binsite.desk import logbook
from binsite.errors import BinsiteError, MailmanUnavailable
from binsite.web import desk as desk_web
from binsite.web.app import service

log = logging.getLogger(__name__)

blueprint = Blueprint("admin", __name__, url_prefix="/beheer")

DOOR = "/beheer/"
SESSION_COOKIE = "binsite_beheer"
NONCE_COOKIE = "binsite_beheer_login"
SESSION_PURPOSE = "admin-session"


def is_administrator(address: str) -> bool:
    return service().config.is_administrator(address)


def current_admin() -> tuple[str, str] | None:
    """``(address, session id)`` of the logged-in administrator, or None."""
    return desk_web.session_of(SESSION_COOKIE, SESSION_PURPOSE, is_administrator)


def admin_required(view):
    """403 for anyone without an administrator's session (a BINCO's or partner's included)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        found = current_admin()
        if found is None:
            log.info("administrator's page refused without an administrator's session: %s", request.path[:80])
            abort(403)
        return view(found[0], found[1], *args, **kwargs)
    return wrapper


def _page(template: str, admin: str | None, status: int = 200, **context):
    from binsite.avg.text import KIND_LABELS
    for name in ("message", "error", "email"):
        context.setdefault(name, "")
    html = render_template(f"web/admin/{template}", admin=admin, labels=KIND_LABELS, **context)
    return make_response(html, status)


# --- login -------------------------------------------------------------------------------

@blueprint.get("/")
def home():
    found = current_admin()
    return _page("home.html", found[0]) if found is not None else _page("login.html", None)


desk_web.door_routes(blueprint, door=DOOR, purpose=tokens.ADMIN_LOGIN, session_cookie=SESSION_COOKIE,
                     session_purpose=SESSION_PURPOSE, nonce_cookie=NONCE_COOKIE, allowed=is_administrator,
                     action=logbook.ADMIN_LOGIN, actor=logbook.administrator, page=_page,
                     desk_nl="de beheerdersbalie", desk_en="the administrator's desk")


# --- inzage and wissen across every area ----------------------------------------------------------

@blueprint.post("/inzage/")
@admin_required
def inzage(admin: str, _session: str):
    from binsite.avg import holdings as holdings_lib
    from binsite.avg import text as text_lib

    s = service()
    s.limit_client()
    email = request.form.get("email", "")[:320]
    try:
        found = holdings_lib.find(s.root, s.client(), email, domain=s.domain, full=request.form.get("full") == "ja")
    except MailmanUnavailable:
        raise
    except BinsiteError as exc:
        return _page("home.html", admin, 400, error=exc.message(s.lang), email=email)
    return _page("home.html", admin, found=found, email=email, as_text=text_lib.render(found, s.lang))


@blueprint.post("/wissen/")
@admin_required
def wissen(admin: str, session_id: str):
    """First POST: what will go (changes nothing); second (``action=bevestigen`` with the signed
    field of the first): erased everywhere."""
    from binsite.avg import erase as erase_lib
    from binsite.avg import normalise

    s = service()
    s.limit_client()
    email = request.form.get("email", "")[:320]
    action = request.form.get("action", "wissen")
    if action not in ("wissen", "bevestigen"):
        abort(404)
    try:
        if action == "wissen":
            planned = erase_lib.plan(s.root, s.client(), email, domain=s.domain)
            return _page("home.html", admin, planned=planned, email=email,
                         confirm=desk_web.erase_confirmation("admin", planned.address, session_id))
        outcome = desk_web.claim_erasure("admin", request.form.get("confirm", ""), normalise(email), session_id)
        if outcome != "ok":
            return _page("home.html", admin, 409 if outcome == "used" else 400, email=email,
                         error=desk_web.refused_erasure(outcome))
        done = erase_lib.erase(s.root, s.client(), email, domain=s.domain, actor=logbook.administrator(admin),
                               environ=desk_web.avg_environ())
    except MailmanUnavailable:
        raise
    except BinsiteError as exc:
        return _page("home.html", admin, 400, error=exc.message(s.lang), email=email)
    log.info("administrator erased an address (%d items)", len(done.done))
    return _page("home.html", admin, erased=done, email=email)
