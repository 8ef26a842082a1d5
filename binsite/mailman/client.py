"""A small adapter around mailmanclient: timeouts, bounded retries, our errors.

mailmanclient has no request timeout and raises ``urllib.error.HTTPError`` or
its own ``MailmanConnectionError``; here every REST call gets a timeout (a
request hook adds it to each ``requests`` call), transient failures are
retried with back-off, and what remains becomes ``MailmanUnavailable`` or a
``BinsiteError`` the CLI can print. Results are plain frozen dataclasses, so
no lazy HTTP escapes the wrapper.

``post_lmtp`` hands one message to one list over LMTP, the way mail enters
Mailman.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, NamedTuple, TypeVar
from urllib.error import HTTPError

from mailmanclient import Client, MailmanConnectionError

from binsite.errors import BinsiteError, MailmanUnavailable
from binsite.i18n import t
from binsite.mailman.headers import unfold
from binsite.mailman.settings import MailmanSettings, public_url, redact

log = logging.getLogger(__name__)

T = TypeVar("T")
ROLES = ("owner", "moderator", "member", "nonmember")


@dataclass(frozen=True)
class Membership:
    address: str
    role: str
    display_name: str = ""
    moderation_action: str | None = None


@dataclass(frozen=True)
class MemberRecord:
    """One membership as Mailman's ``members/`` resource gives it (the web service's view)."""

    member_id: str      # Mailman's id (hex, as REST 3.1 gives it)
    list_id: str        # ``name.domain``
    address: str
    display_name: str = ""


@dataclass(frozen=True)
class HeldMessage:
    """A message waiting for a moderator. ``request_id`` is reused by Mailman
    once handled: act on it only after checking ``message_id``."""

    list: str
    request_id: int
    message_id: str
    subject: str
    sender: str
    reason: str
    hold_date: str
    raw: str


@dataclass(frozen=True)
class SubscriptionRequest:
    list: str
    token: str
    address: str
    display_name: str
    token_owner: str
    request_date: str


@dataclass(frozen=True)
class ListCounts:
    list: str
    members: int
    pending: int
    held: int


class ListState(NamedTuple):
    """What Mailman says of a list when binsite is about to post to it."""

    created: str               # ``created_at``: tells this list from another of the same name
    post_id: int               # Mailman's post sequence number: 1 on a new list, +1 per accepted post
    last_post_at: str | None   # when the last accepted post went through, None when none did

    @property
    def posts(self) -> int:
        """Posts this list accepted so far (binsite's, residents' approved ones, any other)."""
        return max(0, self.post_id - 1)

    @property
    def has_posts(self) -> bool:
        return self.post_id > 1 or self.last_post_at is not None


class MailmanClient:
    """Mailman's REST API with a timeout on every call and bounded retries."""

    def __init__(self, settings: MailmanSettings, *, timeout: float = 10.0, attempts: int = 3,
                 backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._sleep = sleep
        self._client = Client(settings.url, settings.user, settings.password,
                              request_hooks=[self._with_timeout])
        self._lists: dict[str, Any] = {}

    def _list(self, fqdn: str) -> Any:
        """mailmanclient's list object, fetched once: its methods address the list
        by URL, so a cached one saves a request per call. Values read from it
        (settings, counts) are fetched fresh by the callers that need them."""
        if fqdn not in self._lists:
            self._lists[fqdn] = self._client.get_list(fqdn)
        return self._lists[fqdn]

    def _with_timeout(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "timeout": self.timeout}

    def _call(self, what: str, action: Callable[[], T], *, retry: bool = True) -> T:
        """Run ``action``; retry connection failures and 5xx answers, then give up clearly."""
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return action()
            except MailmanConnectionError as exc:
                failure = str(exc)
            except HTTPError as exc:
                if exc.code < 500 and exc.code != 429:
                    raise BinsiteError(t("Mailman weigerde {w}: HTTP {c} {m}", "Mailman refused {w}: HTTP {c} {m}",
                                         w=what, c=exc.code, m=redact(str(exc.reason or exc.msg), self.settings))) from None
                failure = f"HTTP {exc.code} {exc.reason or exc.msg}"
            failure = redact(failure, self.settings)
            log.warning("Mailman REST %s failed (attempt %d of %d): %s", what, attempt, attempts, failure)
            if attempt < attempts:
                self._sleep(self.backoff * 2 ** (attempt - 1))
        raise MailmanUnavailable(t(
            "Mailman is niet bereikbaar op {u} ({w}, {n} pogingen): {f}. Draait Mailman? Kloppen BINSITE_MAILMAN_URL, "
            "BINSITE_MAILMAN_USER en BINSITE_MAILMAN_PASSWORD?",
            "Mailman cannot be reached at {u} ({w}, {n} attempts): {f}. Is Mailman running? Are BINSITE_MAILMAN_URL, "
            "BINSITE_MAILMAN_USER and BINSITE_MAILMAN_PASSWORD right?",
            u=public_url(self.settings.url), w=what, n=attempts, f=failure))

    def _get_or_none(self, what: str, action: Callable[[], T]) -> T | None:
        def attempt() -> T | None:
            try:
                return action()
            except HTTPError as exc:
                if exc.code == 404:
                    return None
                raise
            except ValueError:  # mailmanclient's "is not a member" for a 404
                return None
        return self._call(what, attempt)

    # --- system and domains -------------------------------------------------

    def ping(self) -> str:
        """Mailman's version; raises MailmanUnavailable when it does not answer."""
        return self._call("system", lambda: str(self._client.system["mailman_version"]))

    def queue_sizes(self) -> dict[str, int]:
        """Messages waiting in each of Mailman's queues (``in``, ``pipeline``, ``out``, ...)."""
        def read() -> dict[str, int]:
            # One request: the queue list already holds each queue's count.
            _response, content = self._client._connection.call("queues")
            return {str(entry["name"]): int(entry.get("count", 0)) for entry in content.get("entries", [])}
        return self._call("queues", read)

    def domains(self) -> set[str]:
        return self._call("domains", lambda: {str(d.mail_host) for d in self._client.domains})

    def create_domain(self, domain: str) -> None:
        self._call(f"create domain {domain}", lambda: self._client.create_domain(domain), retry=False)

    # --- lists ----------------------------------------------------------------

    def lists(self) -> set[str]:
        """Every list's address (``name@domain``)."""
        return self._call("lists", lambda: {str(ml.fqdn_listname) for ml in self._client.lists})

    def create_list(self, fqdn: str, *, style: str | None = "private-default") -> None:
        """Make the list, in Mailman's most closed style (not advertised, private
        archive, joining confirmed and moderated) until its own settings are set."""
        name, _, domain = fqdn.partition("@")

        def create() -> None:
            self._client.get_domain(domain).create_list(name, style_name=style)
        self._call(f"create list {fqdn}", create, retry=False)

    def delete_list(self, fqdn: str) -> None:
        self._lists.pop(fqdn, None)
        self._call(f"delete list {fqdn}", lambda: self._client.delete_list(fqdn))

    def list_created(self, fqdn: str) -> str | None:
        """When the list was made (Mailman's ``created_at``), or None when there is no such list:
        what tells one Mailman's list from another's of the same name."""
        state = self.list_state(fqdn)
        return state.created if state is not None else None

    def list_state(self, fqdn: str) -> ListState | None:
        """When the list was made and how many posts it accepted (one request:
        ``GET /3.1/lists/<list_id>/config``), or None when there is no such list."""
        def read() -> ListState | None:
            try:
                settings = self._client.get_list(fqdn).settings
                post_id = settings.get("post_id")
                last = settings.get("last_post_at")
                return ListState(str(settings["created_at"]),
                                 post_id if isinstance(post_id, int) and not isinstance(post_id, bool) else 1,
                                 str(last) if last else None)
            except HTTPError as exc:
                if exc.code == 404:
                    return None
                raise
            except ValueError:
                return None
        return self._call(f"list {fqdn}", read)

    def list_settings(self, fqdn: str, keys: Iterable[str] | None = None) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            settings = self._client.get_list(fqdn).settings  # fresh: settings are cached per object
            wanted = list(keys) if keys is not None else list(settings.keys())
            return {key: settings[key] for key in wanted}
        return self._call(f"settings of {fqdn}", read)

    def set_list_settings(self, fqdn: str, values: dict[str, Any]) -> None:
        def write() -> None:
            settings = self._client.get_list(fqdn).settings
            for key, value in values.items():
                settings[key] = value
            settings.save()
        self._call(f"change settings of {fqdn}", write)

    def list_uris(self, fqdn: str) -> dict[str, str]:
        """The template URIs set on the list (``GET /3.1/lists/<list-id>/uris``): name -> URI."""
        def read() -> dict[str, str]:
            _response, content = self._client._connection.call(f"lists/{list_id(fqdn)}/uris")
            return {str(entry["name"]): str(entry["uri"]) for entry in (content or {}).get("entries", [])
                    if entry.get("uri")}
        return self._call(f"template URIs of {fqdn}", read)

    def set_list_uris(self, fqdn: str, uris: dict[str, str]) -> None:
        """Point the list's templates at ``uris`` (name -> URI; an empty URI removes one)."""
        self._call(f"set template URIs of {fqdn}", lambda: self._client._connection.call(
            f"lists/{list_id(fqdn)}/uris", uris, method="PATCH"))

    # --- rosters --------------------------------------------------------------

    def roster(self, fqdn: str, role: str) -> list[Membership]:
        """Everyone with ``role`` on the list. Fine for owners, nonmembers and
        partners; a members list of thousands is better counted (``counts``)."""
        if role not in ROLES:
            raise ValueError(role)

        def read() -> list[Membership]:
            entries = self._list(fqdn).get_roster(role)
            return [Membership(str(m.email).lower(), role, str(m.display_name or ""),
                               _optional(m, "moderation_action")) for m in entries]
        return self._call(f"{role}s of {fqdn}", read)

    def add_role(self, fqdn: str, role: str, address: str, display_name: str | None = None) -> None:
        self._call(f"add {role} {address} to {fqdn}",
                   lambda: self._list(fqdn).add_role(role, address, display_name), retry=False)

    def remove_role(self, fqdn: str, role: str, address: str) -> None:
        self._call(f"remove {role} {address} from {fqdn}", lambda: self._list(fqdn).remove_role(role, address))

    def set_moderation_action(self, fqdn: str, role: str, address: str, action: str) -> None:
        """``accept`` / ``hold`` / ``reject`` / ``discard`` / ``defer`` for one member or nonmember."""
        def write() -> None:
            ml = self._list(fqdn)
            member = ml.get_nonmember(address) if role == "nonmember" else ml.get_member(address)
            member.moderation_action = action
            member.save()
        self._call(f"set moderation of {address} on {fqdn}", write)

    def subscribe(self, fqdn: str, address: str, display_name: str = "", *, pre_approved: bool = True,
                  send_welcome_message: bool = False) -> None:
        """Subscribe without any confirmation mail (the address is known to the BINCO)."""
        self._call(f"subscribe {address} to {fqdn}", lambda: self._list(fqdn).subscribe(
            address, display_name or None, pre_verified=True, pre_confirmed=True, pre_approved=pre_approved,
            send_welcome_message=send_welcome_message), retry=False)

    def unsubscribe(self, fqdn: str, address: str) -> None:
        self._call(f"unsubscribe {address} from {fqdn}", lambda: self._list(fqdn).unsubscribe(
            address, pre_confirmed=True, pre_approved=True))

    def unsubscribe_quietly(self, fqdn: str, address: str) -> bool:
        """Remove ``address`` from the list without a goodbye mail or an owner
        notice (Mailman's mass removal skips both, unlike ``unsubscribe``).
        True when it was a member."""
        def remove() -> bool:
            done = self._list(fqdn).mass_unsubscribe([address])
            return bool((done or {}).get(address.lower()) or (done or {}).get(address))
        return self._call(f"remove {address} from {fqdn}", remove)

    def member_flag(self, fqdn: str, address: str, name: str) -> bool | None:
        """The preference ``name`` set on this membership itself (not inherited),
        None when unset or when ``address`` is not a member."""
        def read() -> bool | None:
            value = self._list(fqdn).get_member(address).preferences.get(name)
            return None if value is None else bool(value)
        return self._get_or_none(f"preferences of {address} on {fqdn}", read)

    def set_member_flag(self, fqdn: str, address: str, name: str, value: bool | None) -> None:
        """Set (or, with None, clear every preference set on) this membership."""
        def write() -> None:
            preferences = self._list(fqdn).get_member(address).preferences
            if value is None:
                preferences.delete()
            else:
                preferences[name] = value
                preferences.save()
        self._call(f"set preferences of {address} on {fqdn}", write)

    def counts(self, fqdn: str) -> ListCounts:
        """Members, pending subscription requests and held messages: counts only, fast at any size."""
        def read() -> ListCounts:
            ml = self._client.get_list(fqdn)  # fresh: member_count is read with the list
            return ListCounts(fqdn, int(ml.member_count), int(ml.get_requests_count()), int(ml.get_held_count()))
        return self._call(f"counts of {fqdn}", read)

    # --- moderation -------------------------------------------------------------

    def held(self, fqdn: str) -> list[HeldMessage]:
        def read() -> list[HeldMessage]:
            return [HeldMessage(fqdn, int(h.request_id), unfold(h.message_id or ""), str(h.subject or ""),
                                str(h.sender or ""), str(h.reason or ""), str(h.hold_date or ""), str(h.msg or ""))
                    for h in self._list(fqdn).held]
        return self._call(f"held messages of {fqdn}", read)

    def moderate(self, fqdn: str, request_id: int, message_id: str, action: str, *, reason: str | None = None) -> None:
        """``accept`` / ``reject`` / ``discard`` a held message, after checking it is
        still the message the caller means (Mailman reuses request ids)."""
        if action not in ("accept", "reject", "discard", "defer"):
            raise ValueError(action)

        def act() -> None:
            ml = self._list(fqdn)
            try:
                held = ml.get_held_message(request_id)
                current = unfold(held.message_id or "")
            except HTTPError as exc:
                if exc.code != 404:
                    raise
                current = ""
            if current != unfold(message_id):
                raise BinsiteError(t(
                    "dit bericht is al afgehandeld (door iemand anders?); er is niets veranderd",
                    "this message was already handled (by someone else?); nothing was changed"))
            ml.moderate_message(request_id, action, reason)
        self._call(f"{action} held message {request_id} on {fqdn}", act, retry=False)

    def requests(self, fqdn: str) -> list[SubscriptionRequest]:
        def read() -> list[SubscriptionRequest]:
            return [SubscriptionRequest(fqdn, str(r["token"]), str(r["email"]).lower(), str(r.get("display_name") or ""),
                                        str(r.get("token_owner") or ""), str(r.get("request_date") or ""))
                    for r in self._list(fqdn).get_requests()]
        return self._call(f"subscription requests of {fqdn}", read)

    # --- for the BINCO's desk (binsite.desk) ------------------------------------

    def held_message(self, fqdn: str, request_id: int) -> HeldMessage | None:
        """The message held under ``request_id`` now, or None when there is none.

        Mailman reuses request ids: compare ``message_id`` before trusting it."""
        def read() -> HeldMessage | None:
            try:
                h = self._list(fqdn).get_held_message(request_id)
                return HeldMessage(fqdn, int(h.request_id), unfold(h.message_id or ""), str(h.subject or ""),
                                   str(h.sender or ""), str(h.reason or ""), str(h.hold_date or ""), str(h.msg or ""))
            except HTTPError as exc:
                if exc.code == 404:
                    return None
                raise
        return self._call(f"held message {request_id} of {fqdn}", read)

    def member(self, fqdn: str, address: str) -> Membership | None:
        """``address`` as a member of the list, or None when it is not one."""
        def read() -> Membership:
            m = self._list(fqdn).get_member(address)
            return Membership(str(m.email).lower(), "member", str(m.display_name or ""), _optional(m, "moderation_action"))
        return self._get_or_none(f"member {address} of {fqdn}", read)

    def answer_request(self, fqdn: str, token: str, action: str, *, reason: str | None = None) -> None:
        """``accept`` / ``reject`` / ``discard`` / ``defer`` a subscription request by
        token; a request that is gone (handled by someone else) is a clear
        ``BinsiteError`` rather than an HTTP 404."""
        if action not in ("accept", "reject", "discard", "defer"):
            raise ValueError(action)

        def act() -> None:
            try:
                self._list(fqdn).moderate_request(token, action, reason)
            except HTTPError as exc:
                if exc.code != 404:
                    raise
                raise BinsiteError(t(
                    "deze aanvraag is al afgehandeld (door iemand anders?); er is niets veranderd",
                    "this request was already handled (by someone else?); nothing was changed")) from None
        self._call(f"{action} request on {fqdn}", act, retry=False)


    # --- for the residents' web service (binsite.web, binsite.mailman.residents) -----

    def _rest(self, path: str, data: dict[str, Any] | None = None, method: str | None = None) -> Any:
        return self._client._connection.call(path, data, method)[1]

    def member_by_id(self, member_id: str) -> MemberRecord | None:
        """The membership with Mailman's ``member_id`` (hex), or None when there is none (left already)."""
        def read() -> MemberRecord:
            return _member_record(self._rest(f"members/{member_id}"))
        return self._get_or_none(f"member {member_id}", read)

    def unsubscribe_member(self, member_id: str) -> bool:
        """Remove exactly that membership, at once (no confirmation, no moderator); False when it was gone."""
        return self._delete(f"members/{member_id}", f"unsubscribe member {member_id}",
                            {"pre_confirmed": True, "pre_approved": True}, retry=True)

    def memberships(self, address: str) -> list[MemberRecord]:
        """Every list ``address`` is a member (role member) of."""
        from urllib.parse import urlencode
        wanted = address.strip().lower()

        def read() -> list[MemberRecord]:
            found = self._rest("members/find?" + urlencode({"subscriber": wanted, "role": "member", "count": 200,
                                                            "page": 1})) or {}
            # Mailman matches with SQL LIKE ('_' is a wildcard there): keep exact matches only.
            return [record for record in map(_member_record, found.get("entries", [])) if record.address == wanted]
        return self._call(f"memberships of {wanted}", read)

    def request_subscription(self, fqdn: str, address: str, display_name: str = "") -> str:
        """Ask to join ``fqdn`` with an address already confirmed by its owner: the request waits
        for the moderator (the BINCO). ``"requested"``, ``"pending"`` (already waiting) or ``"member"``."""
        def act() -> str:
            data = {"list_id": list_id(fqdn), "subscriber": address, "pre_verified": True, "pre_confirmed": True,
                    "pre_approved": False}
            if display_name:
                data["display_name"] = display_name
            try:
                self._rest("members", data)
            except HTTPError as exc:
                if exc.code == 409:
                    return "member" if "subscribed" in str(exc.msg or exc.reason or "") else "pending"
                raise
            return "requested"
        return self._call(f"subscription request to {fqdn}", act, retry=False)

    def address_verified_on(self, address: str) -> str | None:
        """When Mailman recorded ``address`` as verified (ISO, UTC), or None (unknown or unverified)."""
        def read() -> str | None:
            return (self._rest(f"addresses/{address.strip().lower()}") or {}).get("verified_on")
        return self._get_or_none(f"address {address}", read)


    # --- for access and erasure (binsite.avg) ------------------------------------------

    def find_memberships(self, address: str) -> list[dict[str, Any]]:
        """Every membership of ``address`` in any role on any list, as Mailman's REST gives them
        (``members/find``: one query, however many lists there are). Mailman matches with SQL
        LIKE, where ``_`` and ``%`` are wildcards: only exact (case-insensitive) matches are kept."""
        from urllib.parse import urlencode
        wanted = address.strip().lower()

        def read() -> list[dict[str, Any]]:
            entries: list[dict[str, Any]] = []
            page = 1
            while True:
                found = self._rest("members/find?" + urlencode({"subscriber": wanted, "count": 200,
                                                                "page": page})) or {}
                batch = found.get("entries", [])
                entries += [e for e in batch if str(e.get("email", "")).lower() == wanted]
                if len(batch) < 200:
                    return entries
                page += 1
        return self._call(f"memberships of {wanted}", read)

    def address_record(self, address: str) -> dict[str, Any] | None:
        """Mailman's record of ``address`` (``addresses/<email>``), or None when it has none."""
        def read() -> dict[str, Any]:
            return dict(self._rest(f"addresses/{_path_quote(address.strip().lower())}") or {})
        return self._get_or_none(f"address {address}", read)

    def user_addresses(self, address: str) -> list[str] | None:
        """Every address of the Mailman user that ``address`` belongs to, None when it has no user."""
        def read() -> list[str]:
            found = self._rest(f"addresses/{_path_quote(address.strip().lower())}/user/addresses") or {}
            return [str(e["email"]).lower() for e in found.get("entries", [])]
        return self._get_or_none(f"user of {address}", read)

    def delete_user_of(self, address: str) -> bool:
        """Delete the Mailman user ``address`` belongs to (its preferences with it); False when none."""
        return self._delete(f"users/{_path_quote(address.strip().lower())}", f"delete user of {address}")

    def delete_address(self, address: str) -> bool:
        """Delete Mailman's address record (memberships of it go too); False when there was none."""
        return self._delete(f"addresses/{_path_quote(address.strip().lower())}", f"delete address {address}")

    def _delete(self, path: str, what: str, data: dict[str, Any] | None = None, *, retry: bool = False) -> bool:
        """``DELETE`` a REST resource; False when it was gone already (404)."""
        def act() -> bool:
            try:
                self._rest(path, data, "DELETE")
            except HTTPError as exc:
                if exc.code == 404:
                    return False
                raise
            return True
        return self._call(what, act, retry=retry)

    def remove_membership(self, member_id: str) -> bool:
        """Remove one membership of any role by Mailman's id, quietly; False when it was gone."""
        return self.unsubscribe_member(member_id)


def _path_quote(address: str) -> str:
    """An address as one path segment of a REST URL (quoted local parts hold spaces and quotes)."""
    from urllib.parse import quote
    return quote(address, safe="@+")


def list_id(fqdn: str) -> str:
    """Mailman's List-ID of ``name@domain``: ``name.domain``."""
    name, _, domain = fqdn.partition("@")
    return f"{name}.{domain}"


def _member_record(entry: dict[str, Any]) -> MemberRecord:
    return MemberRecord(str(entry["member_id"]), str(entry["list_id"]), str(entry["email"]).lower(),
                        str(entry.get("display_name") or ""))


def _optional(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name)
    except (AttributeError, KeyError):
        return None


# --- LMTP -----------------------------------------------------------------------

class ListRefused(BinsiteError):
    """Mailman answered, and refused the message for this list (e.g. 550 unknown list)."""


class UncertainDelivery(MailmanUnavailable):
    """The whole message went out over LMTP, but Mailman's answer never came:
    it may have been accepted. Sending it again could deliver it twice."""


class _LMTP(smtplib.LMTP):
    """LMTP that knows whether the message itself went out: the final dot of
    DATA was written, so from then on only Mailman knows whether it took it."""

    data_sent = False
    _in_data = False

    def data(self, msg: Any) -> Any:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = True


def post_lmtp(settings: MailmanSettings, list_address: str, message: EmailMessage, *, envelope_from: str,
              timeout: float = 30.0, attempts: int = 3, backoff: float = 0.5,
              sleep: Callable[[float], None] = time.sleep) -> None:
    """Hand ``message`` to Mailman for ``list_address``: one list per LMTP transaction.

    Connection failures are retried with back-off, but only while nothing was
    sent: once DATA went out and the answer is lost, Mailman may have taken the
    message, and sending again could deliver it twice. Raises
    ``MailmanUnavailable`` (unreachable) or ``ListRefused`` (answered no).
    """
    failure = ""

    def wait_a_little(exc: BaseException, what: str, attempt: int) -> None:
        nonlocal failure
        failure = f"{type(exc).__name__}: {exc}"
        log.warning("LMTP %s:%s %s (attempt %d of %d): %s", settings.lmtp_host, settings.lmtp_port, what, attempt,
                    attempts, failure)
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))

    for attempt in range(1, max(1, attempts) + 1):
        try:
            lmtp = _LMTP(settings.lmtp_host, settings.lmtp_port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as exc:
            wait_a_little(exc, "unreachable", attempt)
            continue
        try:
            # smtplib.LMTP raises for a recipient refused at RCPT; at DATA it
            # returns the refusals per recipient, which for one list is the answer.
            refused = lmtp.send_message(message, from_addr=envelope_from, to_addrs=[list_address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(list_address, (0, b""))
            raise ListRefused(_refusal(list_address, code, text)) from None
        except (smtplib.SMTPResponseException, smtplib.SMTPDataError) as exc:
            raise ListRefused(_refusal(list_address, exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            if lmtp.data_sent:
                raise UncertainDelivery(t(
                    "verbinding met Mailman (LMTP {h}:{p}) viel weg nadat het bericht voor {l} helemaal was verstuurd, "
                    "maar voor Mailman antwoordde ({e}): mogelijk is het aangenomen.",
                    "the connection to Mailman (LMTP {h}:{p}) broke after the message for {l} had gone out in full, "
                    "but before Mailman answered ({e}): it may have been accepted.",
                    h=settings.lmtp_host, p=settings.lmtp_port, l=list_address, e=exc)) from None
            # The message did not go out in full: Mailman cannot have taken it, so trying again is safe.
            wait_a_little(exc, "broke before the message was sent", attempt)
            continue
        finally:
            _quit(lmtp)
        if refused:
            code, text = refused.get(list_address, (0, b""))
            raise ListRefused(_refusal(list_address, code, text))
        return
    raise MailmanUnavailable(t(
        "Mailman neemt geen post aan op LMTP {h}:{p} ({n} pogingen): {f}. Draait Mailman? Klopt BINSITE_LMTP?",
        "Mailman takes no mail at LMTP {h}:{p} ({n} attempts): {f}. Is Mailman running? Is BINSITE_LMTP right?",
        h=settings.lmtp_host, p=settings.lmtp_port, n=attempts, f=failure))


def _refusal(list_address: str, code: int, text: bytes | str) -> Any:
    reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return t("Mailman weigerde het bericht voor {l}: {c} {r}. Bestaat de lijst? Draai eerst 'binsite lists sync'.",
             "Mailman refused the message for {l}: {c} {r}. Does the list exist? Run 'binsite lists sync' first.",
             l=list_address, c=code, r=reason)


def _quit(lmtp: smtplib.LMTP) -> None:
    try:
        lmtp.quit()
    except (OSError, smtplib.SMTPException):
        lmtp.close()


def wait_until(condition: Callable[[], T], *, timeout: float, interval: float = 0.1, what: str = "condition") -> T:
    """Poll ``condition`` until it returns something truthy; a hard ``timeout`` in seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not met within {timeout} s")
        time.sleep(interval)

