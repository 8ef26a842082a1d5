"""The service's own mail (a join confirmation, a BINCO's login link): plain SMTP.

Not through Mailman: these go to one person, before they are a member. The
SMTP server comes from the environment (``BINSITE_SMTP_HOST``,
``BINSITE_SMTP_PORT``; the local Mailman's sink in the demo and the tests).
Every send has a timeout; a failure is ``MailUnavailable`` (the view shows a
Dutch page), never a traceback. Messages are logged by a hash of the address.
"""

from __future__ import annotations

import logging
import queue
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from zoneinfo import ZoneInfo

from binsite.errors import BinsiteError
from binsite.i18n import t

log = logging.getLogger(__name__)


class MailUnavailable(BinsiteError):
    """The SMTP server did not take the message."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str          # the envelope and From address (binsite.yaml mail.sender)
    sender_name: str = ""
    timeout: float = 10.0
    tz: tzinfo = ZoneInfo("Europe/Amsterdam")  # the site's zone: dated like the bulletins (+0100, +0200)

    def compose(self, to: str, subject: str, text: str, *, html: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender)) if self.sender_name else self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(self.tz))
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def send(self, message: EmailMessage, *, log_as: str = "") -> None:
        """Hand ``message`` to the SMTP server; ``log_as`` is what the log may say about the recipient."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message, from_addr=self.sender)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail to %s not sent: %s", log_as or "?", type(exc).__name__)
            raise MailUnavailable(t("de e-mail kon niet worden verstuurd", "the e-mail could not be sent")) from None
        log.info("mail sent to %s", log_as or "?")


class Outbox:
    """Work done after the answer, in order, by one background thread of this process.

    The desk's login request puts the same job here for every address asked
    for (known to the desk or not), so the request does the same work either
    way and its answer takes as long; the job itself looks the address up,
    makes the link and sends it. A job starts ``delay`` seconds after it was
    queued, when the request that queued it has answered: its work (signing,
    SMTP) never runs beside the answer it could slow down. Bounded: when
    ``size`` jobs wait, a new one is dropped (logged) and the asker simply asks
    again. Jobs live in memory: a stopped process loses the links it had not
    sent, which expire in 15 minutes anyway.
    """

    def __init__(self, size: int = 1000, *, delay: float = 0.05):
        self.delay = delay
        self._jobs: queue.Queue[tuple[float, Callable[[], None]]] = queue.Queue(maxsize=size)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, job: Callable[[], None]) -> bool:
        """Queue ``job``; False when the queue is full (the job is dropped)."""
        try:
            self._jobs.put_nowait((time.monotonic() + self.delay, job))
        except queue.Full:
            log.warning("outbox full: a job was dropped")
            return False
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="binsite-outbox", daemon=True)
                self._thread.start()
        return True

    def join(self) -> None:
        """Wait until every queued job is done (tests, a clean stop)."""
        self._jobs.join()

    def _work(self) -> None:
        while True:
            ready, job = self._jobs.get()
            try:
                time.sleep(max(0.0, ready - time.monotonic()))
                job()
            except Exception:  # noqa: BLE001 - one failed job must not stop the ones after it
                log.exception("outbox job failed")
            finally:
                self._jobs.task_done()
