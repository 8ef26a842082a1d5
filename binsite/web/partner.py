"""The partners' door in the browser, under ``/partner/``, and its side of the BINCO's desk.

Police and municipality log in with the same mailed single-use link as a BINCO
(``binsite.web.desk.mail_login_link`` / ``claim_login``), signed for another
purpose (``tokens.PARTNER_LOGIN``), with the session in another cookie
(``binsite_partner``, path ``/partner/``): a BINCO's link or session never
opens these pages, and a partner's never opens the BINCO's. Logging out ends
that session on the server too; "Overal uitloggen" (``desk.end_every_session``)
ends every session of that address, for a shared or lost phone.

A partner's authority is exactly the areas where the address is declared
(``binsite.desk.partners.account``), looked up again at every request. Every
route and form field that names an area, a report or a notice outside them
answers 403 before anything is read or changed. A partner's pages show a
forwarded report's anonymised text only; the reporter is never on them.

The BINCO's side (``/binco/<area>/partners/``): the partners' notices that
wait for this BINCO (approve or reject: for the BINCO's own areas only), and
the forwarded reports with the partners' answers and marks.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from markupsafe import Markup

from binsite import tokens
from binsite.desk import logbook
from binsite.desk import partners as lib
from binsite.desk import publish as publish_lib
from binsite.errors import BinsiteError, InvalidSite
from binsite.i18n import t
from binsite.web import desk as desk_web
from binsite.web.app import service

log = logging.getLogger(__name__)

blueprint = Blueprint("partner", __name__, url_prefix="/partner")
binco_side = Blueprint("desk_partners", __name__, url_prefix="/binco")

DOOR = "/partner/"
SESSION_COOKIE = "binsite_partner"
NONCE_COOKIE = "binsite_partner_login"


def partner_account(address: str) -> lib.Account | None:
    s = service()
    return lib.account(s.config, s.areas, address)


def current_partner() -> tuple[lib.Account, str] | None:
    """``(account, session id)`` of the logged-in partner, or None."""
    found = desk_web.session_of(SESSION_COOKIE, "partner-session", lambda a: partner_account(a) is not None)
    who = partner_account(found[0]) if found is not None else None
    return (who, found[1]) if who is not None else None


def partner_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        found = current_partner()
        if found is None:
            if request.method == "GET":
                return redirect(url_for("partner.home"))
            abort(403)
        try:
            return view(found[0], *args, **kwargs)
        except lib.NotYours:
            log.info("partner %s refused on %s", found[0].actor.id, request.path[:80])
            abort(403)
    return wrapper


def _page(template: str, who: lib.Account | None, status: int = 200, **context):
    for name in ("message", "error"):
        context.setdefault(name, "")
    html = render_template(f"web/partner/{template}", partner=who, **context)
    return make_response(html, status)


def _store() -> lib.Store:
    return lib.open_store(service().root)


# --- login -------------------------------------------------------------------------------

@blueprint.get("/")
def home():
    found = current_partner()
    if found is None:
        return _page("login.html", None)
    who = found[0]
    store = _store()
    return _page("home.html", who, reports=lib.reports_for(store, who), notices=lib.notices_by(store, who),
                 names={a.id: a.name for a in service().areas})


def _door_page(template: str, address: str | None, status: int = 200, **context):
    return _page(template, partner_account(address) if address else None, status, **context)


desk_web.door_routes(blueprint, door=DOOR, purpose=tokens.PARTNER_LOGIN, session_cookie=SESSION_COOKIE,
                     session_purpose="partner-session", nonce_cookie=NONCE_COOKIE,
                     allowed=lambda a: partner_account(a) is not None, action=logbook.PARTNER_LOGIN,
                     actor=logbook.partner, page=_door_page, desk_nl="de partnerbalie", desk_en="the partners' desk")


# --- forwarded reports -------------------------------------------------------------------------

def _report_page(who: lib.Account, key: str, *, message: str = "", error: str = "", status: int = 200):
    report = lib.report_for(_store(), who, key)
    return _page("report.html", who, status, report=report, area_name=service().area(report.area).name,
                 message=message, error=error)


@blueprint.get("/melding/<key>/")
@partner_required
def report(who: lib.Account, key: str):
    return _report_page(who, key)


@blueprint.post("/melding/<key>/antwoord")
@partner_required
def answer(who: lib.Account, key: str):
    s = service()
    try:
        lib.answer(_store(), who, key, request.form.get("text", ""), root=s.root)
    except lib.NotYours:
        raise
    except BinsiteError as exc:
        return _report_page(who, key, error=exc.message(s.lang), status=400)
    return _report_page(who, key, message=s.text(
        "Verstuurd naar de BINCO. De BINCO geeft het door aan de melder; uw naam en adres blijven bij de BINCO.",
        "Sent to the BINCO. The BINCO passes it on to the reporter; your name and address stay with the BINCO."))


@blueprint.post("/melding/<key>/status")
@partner_required
def mark(who: lib.Account, key: str):
    s = service()
    status = request.form.get("status", "")
    if status not in lib.STATUSES:
        abort(400)
    report = lib.report_for(_store(), who, key)
    try:
        sent = lib.mark(_store(), who, key, status, config=s.config, root=s.root,
                        send=lambda m: s.mailer.send(m, log_as=s.address_hash(str(m["To"]))))
    except BinsiteError as exc:
        return _report_page(who, key, error=exc.message(s.lang), status=400)
    def label(value: str) -> str:
        return s.text("in behandeling", "being handled") if value == lib.IN_PROGRESS else s.text("afgehandeld",
                                                                                                 "dealt with")
    now = lib.report_for(_store(), who, key).status
    said = s.text("Gemarkeerd als {s}; de melder kreeg een korte e-mail van de BIN, zonder uw naam.",
                  "Marked as {s}; the reporter got a short e-mail from the BIN, without your name.", s=label(status)) \
        if sent else s.text("Melding {r} staat al op {s}; er is niets opnieuw verstuurd.",
                            "Report {r} is {s} already; nothing was sent again.", r=report.ref, s=label(now))
    return _report_page(who, key, message=said)


# --- notices -----------------------------------------------------------------------------------

def _publish(role: str):
    """``(notice, areas) -> (rel, commit)``: the notice as a bulletin of ``areas``, committed and
    pushed with the partner's role as author, as the BINCO's publish does."""
    s = service()
    publisher = desk_web._publisher()
    if publisher is None:
        raise BinsiteError(t(
            "Publiceren is op deze dienst niet ingesteld (BINSITE_GIT_REMOTE); vraag de beheerder.",
            "Publishing is not configured on this service (BINSITE_GIT_REMOTE); ask the operator."))

    def publish(notice: lib.Notice, areas: tuple[str, ...]) -> tuple[str, str]:
        now = datetime.now(s.config.tz)
        author = lib.author_for(notice, areas, {a.id: a.name for a in s.areas}, lang=s.lang)
        form = publish_lib.BulletinForm(notice.title, notice.body, areas, notice.category, notice.urgent)
        bulletin = publish_lib.bulletin_text(form, area_names={a.id: a.name for a in s.areas}, when=now,
                                             rel=lib.notice_rel(notice, areas, now),
                                             author={"role": notice.role or role, "name": author})
        done = publisher.publish(bulletin, author=publish_lib.Author(author, s.config.mail.sender), now=now,
                                 draft=False, message=f"bericht van {author}: {notice.title} ({bulletin.rel})")
        return done.rel, done.commit
    return publish


def _form(who: lib.Account) -> publish_lib.BulletinForm:
    areas = lib.check_areas(who, request.form.getlist("areas"))  # NotYours: 403
    category = request.form.get("category") or None
    if category is not None and category not in service().config.category_ids:
        category = None
    return publish_lib.BulletinForm(
        title=request.form.get("title", "")[:publish_lib.MAX_FIELD["title"] + 1],
        body=request.form.get("body", ""), areas=areas, category=category, urgent=request.form.get("urgent") == "ja")


def _write_page(who: lib.Account, form: publish_lib.BulletinForm, *, status: int = 200, rendered=None,
                problems=(), message: str = "", error: str = ""):
    s = service()
    by_field: dict[str, list[str]] = {}
    for name, line, problem in problems:
        where = s.text("regel {n}: ", "line {n}: ", n=line) if line else ""
        by_field.setdefault(name or "general", []).append(where + problem.message.get(s.lang))
    return _page("write.html", who, status, form=form, field_errors=by_field, rendered=rendered,
                 categories=s.config.categories, markup=Markup, message=message, error=error,
                 configured=desk_web._publisher() is not None)


@blueprint.get("/schrijven/")
@partner_required
def write(who: lib.Account):
    return _write_page(who, publish_lib.BulletinForm("", "", tuple(a.id for a in who.areas[:1])))


@blueprint.post("/schrijven/")
@partner_required
def write_post(who: lib.Account):
    from binsite.render.markup import render_body

    s = service()
    form = _form(who)
    action = request.form.get("action", "preview")
    now = datetime.now(s.config.tz)
    problems = [(p.code or "", None, p) for p in publish_lib.form_problems(form)]
    rendered = bulletin = None
    publisher = desk_web._publisher()
    if not problems:
        probe = lib.Notice("preview", who.actor.id, who.role, lib.author_name(who, form.areas, lang=s.lang),
                           form.title, form.body, form.areas, form.category, form.urgent, "")
        bulletin = publish_lib.bulletin_text(form, area_names={a.id: a.name for a in s.areas}, when=now,
                                             rel=lib.notice_rel(probe, form.areas, now),
                                             author={"role": who.role, "name": probe.author})
        rendered = render_body(bulletin.text.split("---\n", 2)[2], lang=s.lang)
        if publisher is not None:
            problems += [(*bulletin.field_of(p.line), p) for p in publisher.check(bulletin, now=now)]
    has_errors = any(p.is_error for *_x, p in problems)
    if action != "send" or has_errors or publisher is None:
        return _write_page(who, form, rendered=rendered, problems=problems, status=400 if has_errors else 200,
                           error="" if publisher is not None else s.text(
                               "Publiceren is op deze dienst niet ingesteld (BINSITE_GIT_REMOTE); vraag de beheerder.",
                               "Publishing is not configured on this service (BINSITE_GIT_REMOTE); ask the operator."))
    try:
        notice, published = lib.submit_notice(_store(), who, title=form.title, body=form.body, area_ids=form.areas,
                                              category=form.category, urgent=form.urgent, root=s.root,
                                              publish=_publish(who.role),
                                              lang=s.lang)
    except InvalidSite as exc:
        return _write_page(who, form, rendered=rendered, status=400,
                           problems=[(*bulletin.field_of(p.line), p) for p in exc.problems])
    except lib.NotYours:
        raise
    except BinsiteError as exc:
        return _write_page(who, form, rendered=rendered, error=exc.message(s.lang), status=409)
    names = {a.id: a.name for a in s.areas}
    waiting = notice.waiting()
    said = []
    if published:
        said.append(s.text("Gepubliceerd voor {a}.", "Published for {a}.",
                           a=", ".join(names[a] for a in notice.areas if a not in waiting)))
    if waiting:
        said.append(s.text("Wacht op goedkeuring van de BINCO van {a}; tot dan staat het nergens en gaat er geen "
                           "e-mail uit.", "Waits for the approval of the BINCO of {a}; until then it is nowhere and "
                           "no e-mail goes out.", a=", ".join(names[a] for a in waiting)))
    return _write_page(who, publish_lib.BulletinForm("", "", form.areas), message=" ".join(said))


# --- the BINCO's side ------------------------------------------------------------------------------

def _binco_page(address: str, area, *, message: str = "", error: str = "", status: int = 200):
    store = _store()
    own = {a.id for a in desk_web.coordinator_areas(address)}
    notices = lib.waiting_notices(store, [area.id])
    names = {a.id: a.name for a in service().areas}
    return desk_web._page("partners.html", address, status, area=area, notices=notices, own=own,
                          reports=lib.reports_of_area(store, area.id), message=message, error=error,
                          area_names=lambda ids: ", ".join(names.get(a, a) for a in ids), role_label=lib.role_label)


@binco_side.get("/<area_id>/partners/")
@desk_web.login_required
def binco_partners(address: str, area_id: str):
    return _binco_page(address, desk_web._own_area(address, area_id))


@binco_side.post("/<area_id>/partners/bericht/<notice_id>/<action>")
@desk_web.login_required
def binco_decide(address: str, area_id: str, notice_id: str, action: str):
    area = desk_web._own_area(address, area_id)
    if action not in (lib.APPROVE, lib.REJECT):
        abort(404)
    s = service()
    store = _store()
    notice = store.read().notices.get(notice_id)
    if notice is None or area.id not in notice.areas:
        abort(404)
    own = [a.id for a in desk_web.coordinator_areas(address)]
    try:
        areas, published = lib.decide(store, notice_id, own, action, actor=logbook.binco(address), root=s.root,
                                      publish=_publish(notice.role))
    except InvalidSite as exc:
        return _binco_page(address, area, status=400, error=" ".join(p.format(s.lang) for p in exc.problems))
    except BinsiteError as exc:
        return _binco_page(address, area, error=exc.message(s.lang), status=409)
    names = ", ".join(a.name for a in s.areas if a.id in areas)
    said = s.text("Goedgekeurd en gepubliceerd voor {a}: {p}. CI bouwt het archief en verstuurt het.",
                  "Approved and published for {a}: {p}. CI builds the archive and sends it.", a=names,
                  p=published[0]) if published else s.text(
        "Afgewezen voor {a}; het verschijnt daar nergens.", "Rejected for {a}; it appears nowhere there.", a=names)
    return _binco_page(address, area, message=said)


@binco_side.app_template_global()
def partner_answer_text(area_id: str, key: str) -> str:
    """The partners' answers to a report, ready to quote in the BINCO's answer to the reporter."""
    report = lib.report_of_area(_store(), area_id, key)
    return "\n\n".join(a.text for a in report.answers) if report is not None else ""


@binco_side.app_template_global()
def partner_notices_waiting(area_id: str) -> int:
    """How many partners' notices wait for a BINCO of this area (the desk's home page)."""
    return len(lib.waiting_notices(_store(), [area_id]))
