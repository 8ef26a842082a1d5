"""Residents report on the web: ``/melden/<area>/``, confirmed by a mailed link.

A thin edge over ``binsite.reports``:

- ``/melden/<area>/``: 112 first, then the short form. A POST is read and the
  photo rebuilt (``binsite.reports.form.read_report``) while the original
  stays in memory (never a temporary file); the report then waits in the
  pending store (``binsite.reports.store``) and a confirmation link goes to
  the address. With ``reports: members`` an address that is no member gets a
  mail that says so instead, and nothing is stored. The page answers the
  same either way, and the per-address limit is silent (as the join form's).
- ``/melden/bevestig/<token>``: GET shows a button (a mail scanner following
  the link changes nothing); POST takes the report from the store (one
  caller only), posts it into the area's Mailman list over LMTP, where it is
  held for the BINCO like a mailed report, and mails the reporter a receipt.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for

from binsite import tokens
from binsite.errors import BinsiteError, MailmanUnavailable
from binsite.mailman.client import list_id, post_lmtp
from binsite.mailman.residents import residents_lists
from binsite.reports.form import MAX_PIXELS, held_message, now_local, read_report, when_value
from binsite.reports.store import DatabasePendingReports, StoreFull
from binsite.source.areas import MEMBERS, REPORTS_MEMBERS
from binsite.tokens import BadToken
from binsite.web.app import client_key, service
from binsite.web.mailer import MailUnavailable
from binsite.web.residents import _bad_link as bad_link, web_url
from binsite.web.security import asked_recently, remember_asked

log = logging.getLogger(__name__)
blueprint = Blueprint("report", __name__)

# Besides the photo: the text fields and the multipart framing.
FORM_ROOM = 64 * 1024
_ROUTES = {"report.form"}


def pending() -> DatabasePendingReports:
    """The pending store of this service (one per application), in its database."""
    svc = service()
    store = getattr(svc, "_pending_reports", None)
    if store is None:
        store = DatabasePendingReports(svc.store, max_age=tokens.MAX_AGE[tokens.REPORT])
        svc._pending_reports = store  # type: ignore[attr-defined]
    return store


def _in_memory(*args, **kwargs):
    return io.BytesIO()


@blueprint.app_url_value_preprocessor
def _photo_forms(endpoint, values) -> None:
    # Before the CSRF check reads the form: the report may carry one photo, kept in
    # memory (bounded by the limit below), never in a temporary file.
    if endpoint in _ROUTES:
        request.max_content_length = service().config.media_max_file + FORM_ROOM
        request.max_form_memory_size = FORM_ROOM
        request._get_file_stream = _in_memory  # type: ignore[method-assign]


def _form_page(area, values: dict, errors: dict, status: int = 200):
    svc = service()
    shown = {k: (v.get(svc.lang) if hasattr(v, "get") and not isinstance(v, str) else v) for k, v in errors.items()}
    return render_template("web/report.html", area=area, values=values, errors=shown,
                           max_mb=f"{svc.config.media_max_file / 1e6:g}", max_mp=MAX_PIXELS // 1_000_000), status


@blueprint.errorhandler(413)
def _too_large(exc):
    svc = service()
    area = svc.area((request.view_args or {}).get("area_id", ""))
    if area is None:
        abort(404)
    text = svc.text("Het formulier was te groot: de foto mag hoogstens {m} MB zijn en de beschrijving hoogstens "
                    "5.000 tekens. Niets is verstuurd; vul het opnieuw in.",
                    "The form was too large: the photo may be at most {m} MB and the description at most 5,000 "
                    "characters. Nothing was sent; please fill it in again.",
                    m=f"{svc.config.media_max_file / 1e6:g}")
    values = {"when": when_value(now_local(svc.config.tz))}
    return _form_page(area, values, {"form": text}, 413)


def _is_member(address: str, area) -> bool:
    svc = service()
    client = svc.client()
    return any(client.member(target.fqdn, address) is not None
               for target in residents_lists((area,), svc.domain).values())


@blueprint.route("/melden/<area_id>/", methods=["GET", "POST"])
def form(area_id: str):
    svc = service()
    area = svc.area(area_id)
    if area is None:
        abort(404)
    if request.method == "GET":
        return _form_page(area, {"when": when_value(now_local(svc.config.tz))}, {})
    svc.limit_client()
    svc.limit("report", client_key(request.remote_addr))
    upload = request.files.get("photo")
    photo = upload.read(svc.config.media_max_file + 1) if upload is not None and upload.filename else None
    read = read_report(area, request.form.to_dict(), photo or None, tz=svc.config.tz, max_file=svc.config.media_max_file)
    if read.report is None:
        return _form_page(area, read.values, read.errors, 400)
    report = read.report
    address = report.address
    # Per address (and per address and client) the limit is silent, as the join form's: the
    # answer must not tell whether the address is known; a browser that asked for this very
    # address moments ago is not held to the address's count (strangers never lock it out).
    if not svc.may_mail("report", address, recent=asked_recently(svc.secret, address)):
        log.info("report mail to addr:%s not sent again (limit)", svc.address_hash(address))
    elif area.reports == REPORTS_MEMBERS and not _is_member(address, area):
        text = render_template("web/mail/report-members-only.txt", area=area,
                               join=f"{web_url().rstrip('/')}/aanmelden/{area.id}/")
        svc.mailer.send(svc.mailer.compose(address, svc.text("Uw melding voor {a}", "Your report for {a}", a=area.name),
                                           text), log_as="addr:" + svc.address_hash(address))
        log.info("report for %s from a non-member: not taken", area.id)
    else:
        try:
            report_id = pending().add(report)
        except StoreFull:
            log.error("pending web reports full: report refused")
            abort(503)
        token = tokens.sign(svc.secret, tokens.REPORT, (list_id(area.members_list(svc.domain)), report_id))
        link = tokens.link(web_url(), tokens.REPORT, token)
        text = render_template("web/mail/report-confirm.txt", area=area, link=link, report=report)
        try:
            svc.mailer.send(svc.mailer.compose(address, svc.text("Bevestig uw melding voor {a}", "Confirm your report "
                                                                 "for {a}", a=area.name), text),
                            log_as="addr:" + svc.address_hash(address))
        except MailUnavailable:
            pending().take(report_id)  # no link reached anyone: nothing may wait
            pending().done(report_id)
            raise
        log.info("report for %s waits for confirmation", area.id)
    return remember_asked(redirect(url_for("report.sent", area_id=area.id), code=303), svc.secret, address)


@blueprint.get("/melden/<area_id>/verstuurd/")
def sent(area_id: str):
    area = service().area(area_id)
    if area is None:
        abort(404)
    return render_template("web/report-sent.html", area=area)


def _read_token(token: str):
    """The area and report id a confirmation token names; BadToken otherwise."""
    svc = service()
    _, fields = tokens.verify(svc.secret, token, tokens.REPORT)
    if len(fields) != 2:
        raise BadToken("malformed")
    target = residents_lists(svc.areas, svc.domain).get(fields[0])
    if target is None or target.kind != MEMBERS:
        raise BadToken("not a list of this network")
    return target.area, fields[1]


@blueprint.route("/melden/bevestig/<token>", methods=["GET", "POST"])
def confirm(token: str):
    svc = service()
    try:
        area, report_id = _read_token(token)
    except BadToken:
        return bad_link()
    if request.method == "GET":
        return render_template("web/report-confirm.html", area=area, token=token)
    svc.limit("token", "report:" + token[-22:])
    store = pending()
    report = store.take(report_id)
    if report is None or report.area_id != area.id:
        return render_template("web/report-done.html", area=area, outcome="gone")
    list_address = area.members_list(svc.domain)
    message = held_message(report, area, list_address, report_id, domain=svc.domain, lang=svc.lang,
                           now=datetime.now(svc.config.tz))
    try:
        post_lmtp(svc.settings.mailman, list_address, message, envelope_from=report.address, attempts=2)
    except BinsiteError:
        store.put_back(report_id)
        log.warning("web report for %s could not be posted; it waits again", area.id)
        raise MailmanUnavailable(svc.text("Mailman nam de melding niet aan", "Mailman did not take the report")) from None
    store.done(report_id)
    log.info("web report for %s posted to %s as %s", area.id, list_address, message["Message-ID"])
    text = render_template("web/mail/report-receipt.txt", area=area, report=report)
    try:
        svc.mailer.send(svc.mailer.compose(report.address, svc.text("Uw melding is ontvangen: {a}",
                                                                    "Your report was received: {a}", a=area.name),
                                           text), log_as="addr:" + svc.address_hash(report.address))
    except BinsiteError:
        log.warning("receipt of a web report not sent (the report is held all the same)")
    return render_template("web/report-done.html", area=area, outcome="held")
