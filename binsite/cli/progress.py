"""Drawing the library's progress reports (``binsite.progress``) for a person.

On a terminal one line per phase is rewritten in place, at most ten times a
second ("Berichten analyseren: 4.200/10.000"), and ends with its final count.
Without a terminal (CI logs) each phase prints plain lines: when it starts,
at every quarter, and when it ends, so a log shows both that work goes on
and how much there was. Progress goes to stderr: stdout stays for results.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from binsite.i18n import format_number
from binsite.progress import ANALYSE, IMPORT, PAGES, SYNC

PHASES = {
    ANALYSE: ("Berichten analyseren", "Analysing bulletins"),
    PAGES: ("Pagina's schrijven", "Writing pages"),
    SYNC: ("Mailman bijwerken", "Updating Mailman"),
    IMPORT: ("Leden inschrijven", "Subscribing members"),
}
# Phases shorter than this print nothing: an incremental build stays one line.
MIN_ITEMS = 500


class ProgressLine:
    """A ``binsite.progress`` callback that draws on ``stream``."""

    def __init__(self, lang: str, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock=time.monotonic, min_items: int = MIN_ITEMS):
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.min_items = min_items
        self.phase: str | None = None
        self.last_draw = 0.0
        self.quarter = 0
        self.shown = False
        self.done = 0
        self.total: int | None = None

    def _label(self, phase: str) -> str:
        nl, en = PHASES.get(phase, (phase, phase))
        return en if self.lang == "en" else nl

    def _text(self) -> str:
        done = format_number(self.done, self.lang)
        if self.total is None:
            return f"{self._label(self.phase or '')}: {done}"
        return f"{self._label(self.phase or '')}: {done}/{format_number(self.total, self.lang)}"

    def __call__(self, phase: str, done: int, total: int | None = None) -> None:
        if phase != self.phase:
            self.finish()
            self.phase, self.quarter, self.shown = phase, 0, False
        self.done, self.total = done, total
        if (total if total is not None else done) < self.min_items:
            return  # short work (or, with no total, not yet long): no progress to show
        if self.tty:
            now = self.clock()
            if now - self.last_draw >= 0.1 or (total is not None and done >= total):
                self.stream.write("\r\033[K" + self._text())
                self.stream.flush()
                self.last_draw, self.shown = now, True
            return
        quarter = 4 * done // total if total else 0
        if not self.shown or quarter > self.quarter and done < (total or done + 1):
            self.stream.write(self._text() + "\n")
            self.stream.flush()
            self.shown, self.quarter = True, quarter

    def finish(self) -> None:
        """End the current phase's line with its final count."""
        if self.phase is None or not self.shown:
            self.phase = None
            return
        if self.tty:
            self.stream.write("\r\033[K" + self._text() + "\n")
        elif self.quarter < 4:
            self.stream.write(self._text() + "\n")
        self.stream.flush()
        self.phase, self.shown = None, False
