"""Mailman's outgoing delivery with binsite's per-recipient unsubscribe links.

This module runs **inside Mailman's own environment**, not binsite's: it
imports Mailman and, from binsite, only ``binsite.tokens`` (standard library).
Name it in ``mailman.cfg``::

    [mta]
    outgoing: binsite.mailman.delivery.deliver

and give it two settings, in ``binsite.env`` in Mailman's ``etc_dir``
(``$var_dir/etc/binsite.env``, ``NAME=value`` lines, readable by Mailman's user
only). Mailman's master starts its runners with a cleaned environment (only
locale and Python variables pass, ``mailman/bin/master.py`` ``PRESERVE_ENVS``),
so the file is the way in; a variable a runner does have takes precedence:

- ``BINSITE_SECRET_KEY``: the secret the web service verifies tokens with;
- ``BINSITE_WEB_URL``: the web service's address (``https://bin.example.org/mijn/``),
  or ``DOMAIN=URL`` pairs separated by spaces when one Mailman serves several
  BINs (``*.example.org=URL`` matches every subdomain). Empty: mailto only.

Every copy goes out on its own SMTP transaction (as Mailman's personalised
delivery does). For a copy to a **member** of the list it:

- replaces ``List-Unsubscribe`` with ``<https://…/afmelden/TOKEN>,
  <mailto:LIST-leave@DOMAIN>`` and adds ``List-Unsubscribe-Post:
  List-Unsubscribe=One-Click`` (RFC 8058), the token signed for exactly that
  list and member (``tokens.sign(secret, UNSUBSCRIBE, (list_id, member_id))``,
  the member id as Mailman's REST API 3.1 writes it: 32 hex digits);
- fills the placeholders of binsite's footer links (``<web_url>afmelden/`` and
  ``voorkeuren/`` followed by the placeholder, nowhere else) in the text and
  HTML parts with the same member's unsubscribe and preferences tokens (the
  body links lead to the confirmation page; only the header's URL is one-click).

A copy to a partners' list (``AREA-partners@``, kept by the BINCO in
``lists/``, which the residents' service refuses) gets the mailto only.
Whatever a posted message carried in those headers is removed first, so a
crafted post cannot bring its own one-click URL.
"""

from __future__ import annotations

import logging
import os
import re
from email import encoders
from email.header import Header, decode_header, make_header

from mailman.interfaces.mta import SomeRecipientsFailed
from mailman.mta.deliver import Deliver
from mailman.mta.deliver import deliver as mailman_deliver

from binsite import tokens

log = logging.getLogger("mailman.smtp")

WEB_URL_ENV = "BINSITE_WEB_URL"
# The same placeholders as binsite.mailman.templates (not imported: that module is not Mailman's).
UNSUBSCRIBE_MARK = "BINSITE-AFMELDEN-TOKEN"
PREFERENCES_MARK = "BINSITE-VOORKEUREN-TOKEN"
ONE_CLICK = "List-Unsubscribe=One-Click"
# The local part's end of a partners' list (binsite.source.areas, not imported here).
PARTNERS_SUFFIX = "-partners"


ENV_FILE = "binsite.env"
_read: dict[str, tuple[float, dict[str, str]]] = {}


def setting(name: str, *, env_file: str | None = None) -> str:
    """``name`` from the environment, else from ``binsite.env`` in Mailman's etc_dir (re-read when it changes)."""
    if os.environ.get(name):
        return os.environ[name]
    if env_file is None:
        from mailman.config import config
        env_file = os.path.join(config.ETC_DIR, ENV_FILE)
    try:
        stamp = os.stat(env_file).st_mtime
    except OSError:
        return ""
    cached = _read.get(env_file)
    if cached is None or cached[0] != stamp:
        values: dict[str, str] = {}
        with open(env_file, encoding="utf-8") as handle:
            for line in handle:
                key, sep, value = line.strip().partition("=")
                if sep and not key.startswith("#"):
                    values[key.strip()] = value.strip()
        cached = _read[env_file] = (stamp, values)
    return cached[1].get(name, "")


def web_url_for(domain: str, value: str | None = None) -> str:
    """The web service's URL for lists of ``domain`` from ``BINSITE_WEB_URL``; '' for none."""
    value = (setting(WEB_URL_ENV) if value is None else value).strip()
    if not value:
        return ""
    if "=" not in value:
        return value if value.startswith("https://") or value.startswith("http://") else ""
    domain = domain.lower()
    for pair in value.split():
        pattern, _, url = pair.partition("=")
        pattern = pattern.lower()
        if pattern == domain or (pattern.startswith("*.") and domain.endswith(pattern[1:])):
            return url
    return ""


def personal_links(mlist, msg, member, *, secret: str | None, web_url: str) -> None:
    """Give ``msg`` (one copy, to ``member`` of ``mlist``) its own unsubscribe headers and links."""
    had_unsubscribe = msg.get("List-Unsubscribe") is not None
    del msg["List-Unsubscribe"]
    del msg["List-Unsubscribe-Post"]
    mailto = f"<mailto:{mlist.leave_address}>"
    if member is None:
        if had_unsubscribe:
            msg["List-Unsubscribe"] = mailto
        return
    if is_partners_list(mlist):
        # Kept by the BINCO in lists/*.yaml: the residents' service refuses its links.
        msg["List-Unsubscribe"] = mailto
        return
    if not (web_url and secret):
        msg["List-Unsubscribe"] = mailto
        return
    fields = (str(mlist.list_id), member.member_id.hex)
    leave = tokens.sign(secret, tokens.UNSUBSCRIBE, fields)
    preferences = tokens.sign(secret, tokens.PREFERENCES, fields)
    msg["List-Unsubscribe"] = f"<{tokens.link(web_url, tokens.UNSUBSCRIBE, leave)}>, {mailto}"
    msg["List-Unsubscribe-Post"] = ONE_CLICK
    # Only the placeholder inside a link to this very web service: a post that put the
    # placeholder after another address must not receive (and leak) the member's token.
    _fill(msg, {tokens.link(web_url, tokens.UNSUBSCRIBE, UNSUBSCRIBE_MARK): tokens.link(web_url, tokens.UNSUBSCRIBE, leave),
                tokens.link(web_url, tokens.PREFERENCES, PREFERENCES_MARK):
                    tokens.link(web_url, tokens.PREFERENCES, preferences)})


def is_partners_list(mlist) -> bool:
    """A partners' list (``AREA-partners@``: binsite.source.areas; no area id ends so)."""
    return str(mlist.list_name).endswith(PARTNERS_SUFFIX)


def _fill(msg, values: dict[str, str]) -> None:
    """Replace the placeholders in the message's own text and HTML parts (never inside
    an attached message, such as the original a rejection notice carries)."""
    for part in _own_text_parts(msg):
        raw = part.get_payload(decode=True)
        if not raw:
            continue
        charset = part.get_content_charset() or "us-ascii"
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
        if not any(mark in text for mark in values):
            continue
        for mark, value in values.items():
            text = text.replace(mark, value)
        encoding = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
        del part["Content-Transfer-Encoding"]
        part.set_payload(text.encode(charset))
        if encoding == "base64":
            encoders.encode_base64(part)
        elif encoding == "quoted-printable":
            encoders.encode_quopri(part)
        else:  # 7bit or 8bit: as it came (8-bit bytes kept as Mailman's compat32 messages keep them)
            part.set_payload(text.encode(charset).decode("ascii", "surrogateescape"))
            part["Content-Transfer-Encoding"] = encoding


def _own_text_parts(msg):
    if msg.is_multipart():
        if msg.get_content_type() == "message/rfc822":
            return
        for sub in msg.get_payload():
            yield from _own_text_parts(sub)
    elif msg.get_content_type() in ("text/plain", "text/html") and msg.get_content_disposition() != "attachment":
        yield msg


def drop_password_approval(msg) -> None:
    """Remove the part Mailman adds to a held-message notice for the BINCO that offers
    approval by replying with the list password (``mailman/chains/hold.py``): a BIN has
    no list password, and its BINCOs handle held messages at the desk."""
    if msg.get_content_type() != "multipart/mixed":
        return
    parts = msg.get_payload()
    if not isinstance(parts, list) or len(parts) < 2:
        return
    last = parts[-1]
    if last.get_content_type() == "message/rfc822" and last.is_multipart():
        inner = last.get_payload(0)
        if str(inner.get("Subject", "")).strip().lower().startswith("confirm ") and inner.get("Approved") is None:
            msg.set_payload(parts[:-1])


# Mailman words the subject of its notice to a list's owner in its default language, whatever
# the list's (``mailman/app/subscriptions.py`` builds it outside the list's translation): the
# BINCO of a Dutch list gets it in Dutch, as the body (binsite's template) already is.
_REQUEST_SUBJECT = re.compile(r"New (un)?subscription request to (.+) from (\S+)\s*", re.DOTALL)


def dutch_request_subject(mlist, msg) -> None:
    """The owner's notice of a (un)subscription that waits, with a Dutch subject for a Dutch list."""
    language = getattr(getattr(mlist, "preferred_language", None), "code", "en")
    if language == "en" or msg.get("Subject") is None:
        return
    subject = str(make_header(decode_header(str(msg["Subject"]))))
    found = _REQUEST_SUBJECT.fullmatch(" ".join(subject.split()))
    if found is None:
        return
    what = "Afmelding" if found.group(1) else "Aanmelding"
    del msg["Subject"]
    msg["Subject"] = Header(f"{what} van {found.group(3)} wacht op de balie: {found.group(2)}", "utf-8")


class BinsiteDelivery(Deliver):
    """Mailman's individual delivery (VERP, decoration, personalisation, ARC) plus binsite's links."""

    def __init__(self):
        super().__init__()
        # After decoration and personalisation, before ARC signing seals the headers.
        self.callbacks.insert(self.callbacks.index(self.arc_sign), self.binsite_links)

    def binsite_links(self, mlist, msg, msgdata):
        secret = setting(tokens.SECRET_ENV)
        web_url = web_url_for(mlist.mail_host)
        if not secret or not web_url:
            log.debug("binsite delivery for %s: mailto only (secret %s, web URL %r)", mlist.fqdn_listname,
                      "set" if secret else "missing", web_url)
        personal_links(mlist, msg, msgdata.get("member"), secret=secret, web_url=web_url)
        drop_password_approval(msg)
        dutch_request_subject(mlist, msg)


def deliver(mlist, msg, msgdata):
    """``[mta] outgoing``: list mail copy by copy through ``BinsiteDelivery``; the rest as Mailman does."""
    recipients = msgdata.get("recipients")
    if mlist is None or not recipients:
        return mailman_deliver(mlist, msg, msgdata)
    agent = BinsiteDelivery()
    refused = agent.deliver(mlist, msg, msgdata)
    agent._connection.quit()
    log.info("%s binsite delivery to %s: %d recipients, %d refused", msg.get("message-id", "n/a").strip(),
             mlist.fqdn_listname, len(recipients), len(refused))
    temporary, permanent = [], []
    for recipient, (code, smtp_message) in refused.items():
        # RFC 5321 4.5.3.1.10: 552 "too many recipients" is temporary, as in Mailman's deliver.
        if code >= 500 and code != 552:
            permanent.append((recipient, code, smtp_message))
        else:
            temporary.append(recipient)
    if temporary or permanent:
        raise SomeRecipientsFailed(temporary, permanent)
