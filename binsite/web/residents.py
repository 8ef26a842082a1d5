"""The residents' pages: join an area, leave with one click, choose what arrives.

Each view parses the form, calls ``binsite.mailman.residents`` (or the
preferences library) and renders ``templates/web/``. Paths are Dutch, as the
links in the mail (``binsite.tokens.PATHS``).

- ``/aanmelden/<area>/``: the join form; the answer is the same whether or
  not the address is known, and the only thing that happens is a
  confirmation mail to that address (limited per client and per address).
- ``/aanmelden/bevestig/<token>``: GET shows a button, POST asks Mailman for
  the subscription (the BINCO still approves).
- ``/afmelden/<token>``: RFC 8058. A POST whose body is exactly
  ``List-Unsubscribe=One-Click`` removes that membership (mail programs send
  no cookie, so no CSRF field: the token is the proof), recorded before the
  answer and done at Mailman a moment later (``spool.py``); GET shows a page
  with a button, which removes it while the resident waits; every other POST
  needs the CSRF field.
- ``/voorkeuren/<token>``: per area, every bulletin at once, the weekly
  overview, or leave.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from flask import Blueprint, abort, redirect, render_template, request, url_for

from binsite import tokens
from binsite.mailman import moves
from binsite.mailman import residents as library
from binsite.source.config import is_address
from binsite.tokens import BadToken
from binsite.web.app import is_loopback, service
from binsite.web.security import asked_recently, csrf_exempt, csrf_valid, remember_asked

log = logging.getLogger(__name__)
blueprint = Blueprint("residents", __name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_name(value: str) -> str:
    """A display name as one plain line: no control or direction characters, at most 80."""
    return " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", value)).split())[:library.MAX_NAME]


def _clean_address(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().lower()


def web_url() -> str:
    """Where links in the service's mail point: ``BINSITE_WEB_URL``/``web_url``, or this
    server on loopback for a preview. Never a Host header from elsewhere (links in mail
    must not point where an attacker says)."""
    svc = service()
    if svc.web_url:
        return svc.web_url
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if is_loopback(host) and is_loopback(request.remote_addr or ""):
        return request.host_url
    log.error("web_url is not set in binsite.yaml: cannot make links for mail")
    abort(500)


def _bad_link():
    svc = service()
    return render_template("web/bad-link.html", title=svc.text("Deze link werkt niet", "This link does not work")), 400


# --- the areas ------------------------------------------------------------------

@blueprint.get("/")
def index():
    return render_template("web/index.html", areas=service().areas)


# --- join -------------------------------------------------------------------------

@blueprint.route("/aanmelden/<area_id>/", methods=["GET", "POST"])
def join_form(area_id: str):
    svc = service()
    area = svc.area(area_id)
    if area is None:
        abort(404)
    if request.method == "GET":
        return render_template("web/join.html", area=area, values={}, errors={})
    svc.limit_client()
    values = {"email": _clean_address(request.form.get("email", ""))[:300],
              "name": _clean_name(request.form.get("name", "")),
              "lives": request.form.get("lives") == "ja"}
    errors = {}
    if not is_address(values["email"]) or len(values["email"]) > library.MAX_ADDRESS:
        errors["email"] = svc.text("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
                                   "Enter a valid e-mail address, such as name@example.org.")
    if not values["lives"]:
        errors["lives"] = svc.text("Alleen wie in {a} woont of werkt kan lid worden: vink het vakje aan als dat zo is.",
                                   "Only people who live or work in {a} can join: tick the box if you do.", a=area.name)
    if errors:
        return render_template("web/join.html", area=area, values=values, errors=errors), 400
    address = values["email"]
    # Per address the limit is silent: the answer must not tell whether someone asked before;
    # per (address, client) too, so a stranger asking for this address never uses up its owner's
    # mail, and a browser that asked for it moments ago is not held to the address's count.
    if svc.may_mail("join", address, recent=asked_recently(svc.secret, address)):
        token = library.sign_join(svc.secret, area, svc.domain, address, values["name"])
        link = tokens.link(web_url(), tokens.JOIN, token)
        text = render_template("web/mail/join.txt", area=area, link=link)
        message = svc.mailer.compose(address, svc.text("Bevestig uw aanmelding voor {a}", "Confirm your request to join {a}",
                                                       a=area.name), text)
        svc.mailer.send(message, log_as="addr:" + svc.address_hash(address))
    else:
        log.info("join mail to addr:%s not sent again (limit)", svc.address_hash(address))
    return remember_asked(redirect(url_for("residents.join_sent", area_id=area.id), code=303), svc.secret, address)


@blueprint.get("/aanmelden/<area_id>/verstuurd/")
def join_sent(area_id: str):
    area = service().area(area_id)
    if area is None:
        abort(404)
    return render_template("web/join-sent.html", area=area)


@blueprint.route("/aanmelden/bevestig/<token>", methods=["GET", "POST"])
def join_confirm(token: str):
    svc = service()
    try:
        link = library.read_join(svc.secret, token, svc.areas, svc.domain)
    except BadToken:
        return _bad_link()
    if request.method == "GET":
        return render_template("web/join-confirm.html", area=link.target.area, token=token)
    svc.limit("token", "join:" + token[-22:])
    outcome = library.confirm_join(svc.client(), link)
    log.info("join of addr:%s to %s: %s", svc.address_hash(link.address), link.target.list_id, outcome)
    return render_template("web/join-done.html", area=link.target.area, outcome=outcome)


# --- leave ------------------------------------------------------------------------

def _member_link(token: str, purpose: str) -> library.MemberLink | None:
    svc = service()
    try:
        return library.read_member_link(svc.client(), svc.secret, token, purpose, svc.areas, svc.domain,
                                        moves_file=svc.store)
    except BadToken:
        return None


def _is_one_click() -> bool:
    """RFC 8058: the body is exactly ``List-Unsubscribe=One-Click`` (urlencoded or multipart)."""
    form = request.form
    return list(form.keys()) == ["List-Unsubscribe"] and form.getlist("List-Unsubscribe") == ["One-Click"] \
        and not request.files


@blueprint.route("/afmelden/<token>", methods=["GET", "POST"])
@csrf_exempt
def leave(token: str):
    svc = service()
    if request.method == "POST":
        key = "leave:" + token[-22:]
        if _is_one_click():
            # Recorded durably, done at Mailman a moment later (binsite/web/spool.py): a mail
            # provider's POST gets its answer in milliseconds however busy Mailman is. The
            # token's rate-limit hit and the spool entry are one transaction (one commit).
            try:
                target, member_id = library.read_member_token(svc.secret, token, tokens.UNSUBSCRIBE, svc.areas,
                                                              svc.domain)
            except BadToken:
                svc.limit("token", key)
                return _bad_link()
            limiter = svc.limiters["token"]
            together = limiter.in_database(key)
            if together is None:
                svc.limit("token", key)
            if not svc.spool.add(target.list_id, member_id, limit=together):
                log.info("rate limit token reached")
                abort(429)
            log.info("leave %s (one-click): recorded", target.list_id)
            return render_template("web/left.html", areas=[target.area], already=False)
        svc.limit("token", key)
        if not csrf_valid(svc.secret):
            abort(403)
    link = _member_link(token, tokens.UNSUBSCRIBE)
    if link is None:
        return _bad_link()
    area = link.target.area
    if request.method == "GET":
        others = []
        if link.member is not None:
            others = [t for t, _ in library.memberships_here(svc.client(), link.member.address, svc.areas, svc.domain)
                      if t.list_id != link.target.list_id]
        return render_template("web/leave.html", area=area, token=token, member=link.member, others=others,
                               weekly=_weekly_offered())
    if request.form.get("action") == "leave":
        done = library.leave(svc.client(), link)
        log.info("leave %s (page): %s", link.target.list_id, "done" if done else "already gone")
        return render_template("web/left.html", areas=[area], already=not done)
    if request.form.get("action") == "leave-all":
        if link.member is None:
            return render_template("web/left.html", areas=[area], already=True)
        left = library.leave_all(svc.client(), link.member.address, svc.areas, svc.domain)
        log.info("leave all: addr:%s left %d lists", svc.address_hash(link.member.address), len(left))
        areas = list(dict.fromkeys(t.area for t in left)) or [area]
        return render_template("web/left.html", areas=areas, already=not left)
    abort(400)


# --- preferences ------------------------------------------------------------------

def _preferences():
    """The weekly overview's library (binsite.mailman.preferences), when it is there."""
    try:
        from binsite.mailman import preferences
    except ImportError:
        return None
    return preferences


def _weekly_offered() -> bool:
    """Whether residents can choose the weekly overview (its library and its lists are there)."""
    return _preferences() is not None and all(hasattr(a, "weekly_list") for a in service().areas)


@blueprint.route("/voorkeuren/<token>", methods=["GET", "POST"])
def preferences(token: str):
    svc = service()
    if request.method == "POST":
        svc.limit("token", "prefs:" + token[-22:])
    link = _member_link(token, tokens.PREFERENCES)
    if link is None:
        return _bad_link()
    if link.member is None:
        return render_template("web/preferences-gone.html", area=link.target.area)
    address = link.member.address
    prefs = _preferences()
    weekly = _weekly_offered()
    client = svc.client()
    saved: list = []
    left: list = []
    if request.method == "POST":
        for target, member in library.memberships_here(client, address, svc.areas, svc.domain):
            choice = request.form.get("area-" + target.area.id, "")
            if choice == "leave":
                if client.unsubscribe_member(member.member_id):
                    saved.append(target.area)
                    left.append(target.area)
            elif choice in ("direct", "weekly") and weekly:
                if prefs.set_delivery_mode(client, target.area, svc.domain, address, choice,
                                           moved=lambda old, new: moves.record(svc.store, old, new)):
                    saved.append(target.area)
            elif choice not in ("", "direct", "weekly"):
                abort(400)
        log.info("preferences of addr:%s: %d areas changed", svc.address_hash(address), len(saved))
    areas = []
    for target, member in library.memberships_here(client, address, svc.areas, svc.domain):
        if any(entry["area"] == target.area for entry in areas):
            continue  # on both lists of an area (a move in progress): one row
        mode = prefs.delivery_mode(client, target.area, svc.domain, address) if weekly else "direct"
        areas.append({"area": target.area, "mode": mode or "direct"})
    if request.method == "POST" and not areas:
        return render_template("web/left.html", areas=saved or [link.target.area], already=False)
    # After a move the token's membership is gone: continue on a link to one that is there
    # (a path of this service: never a redirect anywhere else).
    if request.method == "POST" and client.member_by_id(link.member_id) is None:
        target, member = library.memberships_here(client, address, svc.areas, svc.domain)[0]
        fresh = tokens.sign(svc.secret, tokens.PREFERENCES, (target.list_id, member.member_id))
        return redirect(url_for("residents.preferences", token=fresh, opgeslagen=1), code=303)
    return render_template("web/preferences.html", token=token, areas=areas, weekly=weekly, left=left,
                           saved=request.method == "POST" or request.args.get("opgeslagen") == "1")

