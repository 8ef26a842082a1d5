"""Regenerate tests/golden/mini from tests/fixtures/mini: ``make golden``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from sitekit import MINI_NOW  # noqa: E402

from binsite.build import build  # noqa: E402

if __name__ == "__main__":
    golden = HERE / "golden" / "mini"
    shutil.rmtree(golden, ignore_errors=True)
    build(HERE / "fixtures" / "mini", golden, now=MINI_NOW, cache=False)
    (golden / ".binsite-output").unlink()
    print(f"regenerated {golden}")
