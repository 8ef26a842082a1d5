"""Erase one address everywhere binsite and its Mailman keep it (AVG art. 17).

Planned from ``holdings.find``, then done, then found again: what is left is
reported, never silently ignored. In order:

1. An address the site's own settings name (a BINCO or partner in
   ``lists/*.yaml``, the contact in ``binsite.yaml``) stops everything before
   anything changes: ``lists sync`` would only put it back. Change the file first.
2. At Mailman, on the site's lists: held messages from it are discarded (the
   message store's copy goes with them), join requests discarded, every
   membership in any role removed quietly (no goodbye mail); then Mailman's
   address record is deleted, and its user when the user has no other address
   (an address also on another site's lists of the same Mailman is left there).
3. binsite's records, in the service's database and in the state files older
   versions left: spool entries of those memberships are removed; logbook
   lines by it (a BINCO's digest) keep the action but lose the digest;
   "log out everywhere" rows of it are dropped; reports it made that were
   forwarded to the partners keep their anonymised text but lose its address
   (no status mail goes any more); its web reports waiting for confirmation go. The service's database is then
   compacted (``Store.compact``: on SQLite ``VACUUM`` and the WAL truncated), so
   deleted rows do not linger in free pages.
4. With ``BINSITE_MAILMAN_DB`` (the path of Mailman's SQLite database) that
   database is compacted (``VACUUM``) too.
5. The logbook records *that* an erasure happened: when, by which role, and a
   digest of its own kind (``holdings.erasure_digest``), never the address.

Bulletins that name the address are never edited: they are named with file
and line, and ``erase`` reports them until they are changed (the CLI then
exits non-zero). A second run finds nothing and records nothing.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from binsite.avg import holdings as holdings_lib
from binsite.avg.holdings import Holding, Holdings
from binsite.desk import logbook, sessions
from binsite.desk.partners import store_path
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailman.client import MailmanClient
from binsite.paths import desk_log, desk_sessions
from binsite.source.areas import Area
from binsite.store import Store, site_store

log = logging.getLogger(__name__)

MAILMAN_DB_VAR = "BINSITE_MAILMAN_DB"


@dataclass(frozen=True)
class Erasure:
    address: str
    done: tuple[Holding, ...]        # what was removed
    bulletins: tuple[Holding, ...]   # what binsite never edits: change these by hand
    compacted: str = ""              # the SQLite database compacted, when one was given
    store_compacted: str = ""        # the service's database compacted (after anything was erased there)

    @property
    def nothing_found(self) -> bool:
        return not self.done and not self.bulletins

    @property
    def complete(self) -> bool:
        return not self.bulletins


def erase(root: Path, client: MailmanClient, address: str, *, domain: str, actor: logbook.Actor,
          areas: Iterable[Area] | None = None, environ: dict[str, str] | None = None) -> Erasure:
    """Erase ``address`` (see the module's docstring). ``areas``: only these areas' lists (a
    BINCO's own); None: everywhere (the administrator's)."""
    env = os.environ if environ is None else environ
    area_list = None if areas is None else tuple(areas)
    found = holdings_lib.find(root, client, address, domain=domain) if area_list is None else \
        holdings_lib.find_in_areas(root, client, address, domain=domain, areas=area_list)
    settings = found.of(holdings_lib.SETTING)
    if settings:
        raise BinsiteError(t(
            "{a} staat in de instellingen van de site ({w}): als BINCO, partner of contactadres. Er is niets gewist. "
            "Haal het adres daar eerst weg (en draai 'binsite lists sync'), wis dan opnieuw.",
            "{a} is in the site's settings ({w}): as a BINCO, partner or contact address. Nothing was erased. "
            "Remove the address there first (and run 'binsite lists sync'), then erase again.",
            a=found.address, w=", ".join(h.where for h in settings)))
    done: list[Holding] = []
    for item in found.of(holdings_lib.HELD):
        fqdn, request_id, message_id = item.ref
        try:
            client.moderate(fqdn, int(request_id), message_id, "discard")
        except BinsiteError:
            continue  # handled meanwhile by someone else: found again below if still there
        done.append(item)
    for item in found.of(holdings_lib.REQUEST):
        fqdn, token = item.ref
        try:
            client.answer_request(fqdn, token, "discard")
        except BinsiteError:
            continue
        done.append(item)
    for item in found.of(holdings_lib.MEMBERSHIP):
        _fqdn, member_id, _role = item.ref
        client.remove_membership(member_id)
        done.append(item)
    store = site_store(root)
    for item in found.of(holdings_lib.SPOOL):
        kind, ref = item.ref
        if kind == "store":
            store.spool_forget([int(ref)])
        else:
            Path(ref).unlink(missing_ok=True)
        done.append(item)
    if found.of(holdings_lib.ADDRESS) and not _elsewhere(client, found.address):
        others = [a for a in (client.user_addresses(found.address) or []) if a != found.address]
        if not others:
            client.delete_user_of(found.address)
        client.delete_address(found.address)
        done += found.of(holdings_lib.ADDRESS)
    if area_list is None:
        done += _forget_in_records(root, store, found)
    store_compacted = store.compact() if done else ""
    compacted = ""
    database = env.get(MAILMAN_DB_VAR, "").strip()
    bounces = purge_bounce_records(Path(database), found.address) if database else 0
    if bounces:
        done.append(Holding(holdings_lib.BOUNCE, f"Mailman: {database}", (("meldingen", str(bounces)),)))
    if done and database:
        compacted = compact_sqlite(Path(database))
    if done:
        logbook.record(root, actor, logbook.ERASE, erased=holdings_lib.erasure_digest(found.address),
                       count=len(done))
    return Erasure(found.address, tuple(done), found.of(holdings_lib.BULLETIN), compacted, store_compacted)


def _elsewhere(client: MailmanClient, address: str) -> bool:
    """Whether ``address`` still has memberships at this Mailman (another site's lists)."""
    return bool(client.find_memberships(address))


def _forget_in_records(root: Path, store: Store, found: Holdings) -> list[Holding]:
    done: list[Holding] = []
    if found.of(holdings_lib.LOGBOOK):
        digest = logbook.binco(found.address).id

        def anonymous(line: str) -> str:
            try:
                values = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return line
            by = values.get("by") if isinstance(values, dict) else None
            if isinstance(by, dict) and by.get("id") == digest:
                values["by"] = {"role": by.get("role", "binco")}
                return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            return line
        store.log_rewrite(anonymous)

        def anonymous_line(line: bytes) -> bytes:
            text = line.decode("utf-8", "replace").rstrip("\n")
            new = anonymous(text)
            return line if new == text else new.encode("utf-8") + b"\n"
        logbook.rewrite(desk_log(root), anonymous_line)  # the file an older version wrote, if left
        done += found.of(holdings_lib.LOGBOOK)
    if found.of(holdings_lib.SESSION):
        digest = sessions._address(found.address)
        store.sessions_forget(digest)
        logbook.rewrite(desk_sessions(root), lambda line: None if digest.encode() in line else line)
        done += found.of(holdings_lib.SESSION)
    if found.of(holdings_lib.PARTNER):
        address = found.address

        def without_reporter(line: str) -> str:
            try:
                values = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return line
            if isinstance(values, dict) and values.get("reporter") == address:
                values["reporter"] = ""   # the report stays for the partners; no status mail goes any more
                return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            return line

        def without_reporter_line(line: bytes) -> bytes:
            text = line.decode("utf-8", "replace").rstrip("\n")
            new = without_reporter(text)
            return line if new == text else new.encode("utf-8") + b"\n"
        store.partner_rewrite(without_reporter, kind="forward")
        logbook.rewrite(store_path(root), without_reporter_line)
        done += found.of(holdings_lib.PARTNER)
    for item in found.of(holdings_lib.REPORT):
        store.report_done(item.ref[1])
        done.append(item)
    return done


def purge_bounce_records(path: Path, address: str) -> int:
    """Remove Mailman's bounce records of ``address``: its ``bounceevent`` rows, the DSNs they
    point at in the message store (rows and files under ``var/messages/``, beside ``data/``)
    and their pending tokens. Mailman's REST API has no way to do this, and its task runner
    would only do it a day after (``dsn_lifetime``). Returns how many bounce events went."""
    if not path.is_file():
        compact_sqlite(path)  # the same clear error
    messages_dir = path.parent.parent / "messages"
    connection = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        rows = connection.execute("SELECT id, message_id FROM bounceevent WHERE lower(email) = ?", (address,)).fetchall()
        files = []
        for _id, message_id in rows:
            files += [messages_dir / p for (p,) in connection.execute(
                "SELECT path FROM message WHERE message_id = ?", (message_id,))]
            connection.execute("DELETE FROM message WHERE message_id = ?", (message_id,))
            pended = [pid for (pid,) in connection.execute(
                "SELECT pended_id FROM pendedkeyvalue WHERE key = '_mod_message_id' AND value = ?",
                (json.dumps(message_id),))]
            for pid in pended:
                connection.execute("DELETE FROM pendedkeyvalue WHERE pended_id = ?", (pid,))
                connection.execute("DELETE FROM pended WHERE id = ?", (pid,))
        connection.execute("DELETE FROM bounceevent WHERE lower(email) = ?", (address,))
        connection.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BinsiteError(t("de bouncegegevens in {p} konden niet gewist worden ({e}); probeer het opnieuw",
                             "the bounce records in {p} could not be erased ({e}); try again", p=path, e=exc)) from None
    finally:
        connection.close()
    for file in files:
        if messages_dir in file.resolve().parents:
            file.unlink(missing_ok=True)
    return len(rows)


def compact_sqlite(path: Path) -> str:
    """``VACUUM`` Mailman's SQLite database: rows deleted through REST leave their bytes in
    free pages until the file is rewritten. Waits up to 30 s for Mailman's own writers."""
    if not path.is_file():
        raise BinsiteError(t("{v} wijst naar {p}, maar dat bestand bestaat niet; er is niets gecomprimeerd",
                             "{v} points at {p}, but there is no such file; nothing was compacted",
                             v=MAILMAN_DB_VAR, p=path))
    connection = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    try:
        connection.execute("VACUUM")
    except sqlite3.Error as exc:
        raise BinsiteError(t("Mailmans database {p} kon niet gecomprimeerd worden ({e}); probeer het opnieuw",
                             "Mailman's database {p} could not be compacted ({e}); try again", p=path, e=exc)) from None
    finally:
        connection.close()
    return str(path)
