"""What every desk action needs: the site's areas and mail settings, and Mailman.

Only ``binsite.yaml`` and ``lists/`` are read, not the bulletins: a broken
bulletin must not keep the BINCO from the inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from binsite.source.areas import LIST_KINDS, Area
from binsite.source.config import SiteConfig
from binsite.errors import BinsiteError
from binsite.i18n import t
from binsite.mailman.client import MailmanClient
from binsite.mailman.settings import MailmanSettings
from binsite.source.network import load_network
from binsite.desk import logbook


@dataclass(frozen=True)
class Desk:
    root: Path
    config: SiteConfig
    areas: tuple[Area, ...]
    settings: MailmanSettings
    client: MailmanClient
    # Who acts through this desk: the operator at the command line, or a BINCO in the browser.
    actor: logbook.Actor = field(default=logbook.OPERATOR)

    def log(self, action: str, **fields: object) -> dict[str, object]:
        """Append this desk action to the logbook (``binsite.desk.logbook``)."""
        return logbook.record(self.root, self.actor, action, **fields)

    @property
    def domain(self) -> str:
        return self.config.mail.domain

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise BinsiteError(t("onbekend gebied {a!r}; bekende gebieden: {k}", "unknown area {a!r}; known areas: {k}",
                             a=area_id, k=", ".join(a.id for a in self.areas)))

    def select(self, area_ids: Iterable[str] = ()) -> tuple[Area, ...]:
        """The named areas (every area when none is named); an unknown one is an error."""
        wanted = list(dict.fromkeys(area_ids))
        return tuple(self.area(a) for a in wanted) if wanted else self.areas

    def list_address(self, area: Area, kind: str) -> str:
        return area.list_address(kind, self.domain)

    def lists_of(self, areas: Iterable[Area], kinds: Iterable[str] = LIST_KINDS) -> list[tuple[Area, str, str]]:
        """``(area, kind, list address)`` for each area and kind, after checking that Mailman has
        every one of them (one request, which also tells early when Mailman is unreachable)."""
        wanted = [(area, kind, self.list_address(area, kind)) for area in areas for kind in kinds]
        existing = self.client.lists()
        missing = [address for _, _, address in wanted if address not in existing]
        if missing:
            raise BinsiteError(t(
                "Mailman kent {l} niet; maak de lijsten eerst aan met 'binsite lists sync'",
                "Mailman does not know {l}; create the lists first with 'binsite lists sync'", l=", ".join(missing)))
        return wanted

    def local_time(self, mailman_time: str) -> datetime | None:
        """A time as Mailman's REST API gives it (naive, in UTC) in the site's time zone."""
        try:
            moment = datetime.fromisoformat(mailman_time.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(self.config.tz)


def open_desk(root: Path, settings: MailmanSettings, *, client: MailmanClient | None = None,
              actor: logbook.Actor = logbook.OPERATOR) -> Desk:
    """The desk for the BIN at ``root``; errors in binsite.yaml or lists/ stop here, before Mailman."""
    network = load_network(root).raise_for_errors()
    return Desk(root, network.config, network.areas, settings, client or MailmanClient(settings), actor)


def format_time(moment: datetime | None, lang: str) -> str:
    """``28-11-2026 16:01`` (Dutch) or ``2026-11-28 16:01`` (English)."""
    if moment is None:
        return "?"
    return moment.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d-%m-%Y %H:%M")


def kind_label(kind: str, lang: str) -> str:
    return {"members": ("leden", "members"), "weekly": ("overzicht", "weekly"),
            "partners": ("partners", "partners")}[kind][lang == "en"]
