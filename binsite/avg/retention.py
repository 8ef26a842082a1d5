"""Keep records no longer than ``retention:`` in binsite.yaml says (``binsite avg opruimen``,
and the end of every ``binsite send``, so CI's schedule keeps the periods).

- **held messages** (``held-messages``, default 30 days): per area, the BINCOs first get a
  Dutch notice naming what is discarded (subject and date, no sender), then the messages are
  discarded at Mailman. When the notice cannot be sent nothing is discarded (next run).
- **the desk logbook** (``logbook``, default 12 months) and **ended sessions**
  (``sessions``, 12 months): older rows are dropped from the service's database
  (``binsite.store``), and older lines from the state files an older version left
  (rewritten under the file's lock).
- **the web spool** (``web-spool``, default 30 days): one-click requests that could not be
  done at Mailman for that long are removed (the database's and an older version's folder).
- **web reports never confirmed**: gone once their confirmation link expired (three days).

The archive's own periods per category (``retention:`` by category) are kept by
``binsite build``; ``periods`` lists every period in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from binsite.desk import logbook
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailman.client import HeldMessage, MailmanClient
from binsite.paths import desk_log, desk_sessions, shown, web_spool_dir
from binsite.source.areas import LIST_KINDS, Area
from binsite.source.config import RECORD_RETENTION, SiteConfig
from binsite.store import site_store

log = logging.getLogger(__name__)

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class Tidied:
    held: tuple[HeldMessage, ...] = ()   # discarded at Mailman
    held_kept: int = 0                   # past their period, kept because the notice failed
    logbook_lines: int = 0
    session_lines: int = 0
    spool_entries: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.held or self.logbook_lines or self.session_lines or self.spool_entries)


def periods(config: SiteConfig) -> list[tuple[str, int | None]]:
    """Every retention period of the site in one place: records, then the archive per category."""
    records = [(key, config.kept_days(key)) for key in RECORD_RETENTION]
    archive = [(f"archief: {c.id}", config.retention_days(c.id)) for c in config.categories]
    return records + archive + [("archief: default", config.default_retention_days)]


def _mailman_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def expired_held(client: MailmanClient, config: SiteConfig, areas: tuple[Area, ...], *,
                 now: datetime) -> dict[str, list[HeldMessage]]:
    """Per area id, the held messages older than the period (members and partners lists)."""
    days = config.kept_days("held-messages")
    if days is None:
        return {}
    limit = now - timedelta(days=days)
    existing = client.lists()
    found: dict[str, list[HeldMessage]] = {}
    for area in areas:
        for kind in LIST_KINDS:
            fqdn = area.list_address(kind, config.mail.domain)
            if fqdn not in existing:
                continue
            for held in client.held(fqdn):
                moment = _mailman_time(held.hold_date)
                if moment is not None and moment < limit:
                    found.setdefault(area.id, []).append(held)
    return found


def notice(config: SiteConfig, area: Area, messages: list[HeldMessage], *, now: datetime, days: int) -> EmailMessage:
    """The Dutch notice to an area's BINCOs, before their held messages are discarded (pure)."""
    message = EmailMessage()
    message["From"] = f"{config.mail.sender_name} <{config.mail.sender}>" if config.mail.sender_name else config.mail.sender
    message["To"] = ", ".join(area.coordinators)
    message["Subject"] = f"{len(messages)} vastgehouden bericht(en) van {area.name} worden verwijderd (bewaartermijn)"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=config.mail.domain)
    message["Auto-Submitted"] = "auto-generated"
    lines = [f"Beste BINCO van {area.name},", "",
             f"Deze berichten wachtten langer dan {days} dagen in de inbox van de balie. "
             "Volgens de bewaartermijn van uw BIN (retention: held-messages in binsite.yaml) "
             "worden ze nu verwijderd, zonder dat ze verstuurd worden:", ""]
    for held in sorted(messages, key=lambda h: h.hold_date):
        moment = _mailman_time(held.hold_date)
        when = moment.astimezone(config.tz).strftime("%d-%m-%Y") if moment else "?"
        lines.append(f"- {when}: {held.subject or '(geen onderwerp)'}")
    lines += ["", "Wilt u zoiets in de toekomst bewaren? Handel een melding af binnen de termijn "
              "(doorsturen, beantwoorden of er een bericht van maken).", "",
              "Dit bericht is automatisch verstuurd door binsite."]
    message.set_content("\n".join(lines) + "\n")
    return message


def notice_sender(config: SiteConfig, environ: dict[str, str] | None = None) -> Send | None:
    """Notices over the BIN's own SMTP server (``BINSITE_SMTP_HOST/PORT``); None when unset,
    so held messages past their period are kept until it is set."""
    from binsite.desk.answer import smtp_sender
    from binsite.mailman.settings import smtp_from_env
    try:
        host, port = smtp_from_env(environ)
    except BinsiteError:
        return None
    return smtp_sender(host, port, config.mail.sender)


def tidy(root: Path, client: MailmanClient | None, config: SiteConfig, areas: tuple[Area, ...], *, now: datetime,
         send: Send | None, actor: logbook.Actor = logbook.OPERATOR) -> Tidied:
    """Enforce every record period (see the module's docstring). ``client`` None: Mailman is
    left alone (only binsite's own files are tidied)."""
    discarded: list[HeldMessage] = []
    kept = 0
    if client is not None:
        days = config.kept_days("held-messages") or 0
        for area_id, messages in expired_held(client, config, areas, now=now).items():
            area = next(a for a in areas if a.id == area_id)
            if send is None:
                kept += len(messages)
                continue
            try:
                send(notice(config, area, messages, now=now, days=days))
            except BinsiteError as exc:
                log.error("retention: notice to the BINCOs of %s not sent (%s); their held messages are kept",
                          area_id, exc)
                kept += len(messages)
                continue
            for held in messages:
                try:
                    client.moderate(held.list, held.request_id, held.message_id, "discard")
                except BinsiteError:
                    continue  # handled meanwhile
                discarded.append(held)
    store = site_store(root)
    logbook_lines = _drop_older(desk_log(root), config.kept_days("logbook"), now, _iso_at)
    session_lines = _drop_older(desk_sessions(root), config.kept_days("sessions"), now, _epoch_at)
    spool_entries = _drop_spool(root, config.kept_days("web-spool"), now)
    if (days := config.kept_days("logbook")) is not None:
        logbook_lines += store.log_drop_before((now - timedelta(days=days)).astimezone(timezone.utc)
                                               .isoformat(timespec="seconds"))
    if (days := config.kept_days("sessions")) is not None:
        session_lines += store.sessions_drop_before((now - timedelta(days=days)).timestamp())
    # Web reports never confirmed: their links expired (three days), so nothing may keep them.
    from binsite import tokens
    if expired := store.reports_drop_before(now.timestamp() - tokens.MAX_AGE[tokens.REPORT]):
        log.info("retention: %d web report(s) never confirmed, removed", expired)
    if (days := config.kept_days("web-spool")) is not None:
        dropped = store.spool_drop_before((now - timedelta(days=days)).timestamp())
        if dropped:
            log.warning("retention: %d one-click request(s) not done in %s days, removed", dropped, days)
        spool_entries += dropped
    result = Tidied(tuple(discarded), kept, logbook_lines, session_lines, spool_entries)
    if result.anything:
        logbook.record(root, actor, logbook.RETENTION, count=len(discarded),
                       kept={"held": len(discarded), "logbook": logbook_lines, "sessions": session_lines,
                             "spool": spool_entries})
    return result


def _iso_at(values: dict) -> datetime | None:
    at = values.get("at")
    try:
        moment = datetime.fromisoformat(str(at))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _epoch_at(values: dict) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(values["at"]), timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _drop_older(path: Path, days: int | None, now: datetime, moment_of: Callable[[dict], datetime | None]) -> int:
    if days is None:
        return 0
    limit = now - timedelta(days=days)

    def keep(line: bytes) -> bytes | None:
        try:
            values = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return line  # a torn line: not ours to judge
        moment = moment_of(values) if isinstance(values, dict) else None
        return None if moment is not None and moment < limit else line
    try:
        return logbook.rewrite(path, keep)
    except OSError as exc:
        log.error("retention: %s not tidied: %s", path, exc)
        return 0


def _drop_spool(root: Path, days: int | None, now: datetime) -> int:
    if days is None:
        return 0
    limit_ns = int((now - timedelta(days=days)).timestamp() * 1e9)
    folder = web_spool_dir(root)
    removed = 0
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for entry in entries:
        stamp = entry.name.lstrip(".").split("-", 1)[0]
        if ".json" in entry.name and stamp.isdigit() and int(stamp) < limit_ns:
            log.warning("retention: one-click request %s not done in %s days, removed", shown(entry, root), days)
            entry.unlink(missing_ok=True)
            removed += 1
    return removed
