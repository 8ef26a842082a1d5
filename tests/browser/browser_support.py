"""Constants and helpers of the browser tier, shared by conftest.py and the tests.

(A module of its own: ``tests/conftest.py`` is also called ``conftest``, so
tests cannot import from this folder's conftest by name.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("BINSITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The demo's clock (Makefile DEMO_NOW): the example bulletins are dated up to late November 2026.
EXAMPLE_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
# Served under a sub-path, as a municipality would host it, to prove every link is relative.
SUB_PATH = "/archief/"
WIDTHS = (375, 1280)
HEIGHT = {375: 740, 1280: 900}
# WCAG 2.2 A and AA as axe-core tags them: 2.2's new AA rules carry "wcag22aa"
# (target size), the rest keep their 2.0/2.1 tags.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def need(condition: bool, what: str, install: str) -> None:
    if not condition:
        pytest.fail(f"browser tier: {what} is missing; install it with: {install}", pytrace=False)


@dataclass
class Watch:
    """What a page did that it should not: requests off this machine, console errors
    (a Content-Security-Policy violation is one) and uncaught script errors."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.external == [], f"requests to other hosts: {self.external}"
        assert self.errors == [], f"errors in the browser console: {self.errors}"


def run_axe(page, axe_source: str | None = None, *, disable: tuple[str, ...] = (),
            rules: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations for the WCAG 2.0/2.1/2.2 A and AA tags (or only
    ``rules``), on a page opened with ``axe=True`` (or with axe_source given,
    injected now). Waits for the page's load event first: after a click, the
    text a test waited for can be there before the stylesheet is (a busy
    machine), and axe would judge the unstyled page."""
    page.wait_for_load_state("load")
    if axe_source:
        page.evaluate(axe_source)
    only = {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": WCAG_TAGS}
    options = {"runOnly": only, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in disable}}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:6]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)
