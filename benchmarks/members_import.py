"""Benchmark: `binsite members import` of 1,000 addresses against a local Mailman.

Starts a private Mailman Core (fresh folder, free ports), syncs a one-area
site, writes a CSV of N addresses (Excel style: semicolons, Windows-1252,
a header), then times the preview (read + one roster request) and the
import (pre-approved, no welcome mail), and checks Mailman's member count.
Target (issue 19): 1,000 addresses in under a minute. Run: `make bench-import`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from binsite.desk import importer  # noqa: E402
from binsite.desk.desk import open_desk  # noqa: E402
from binsite.devtools.local_mailman import LocalMailman  # noqa: E402
from binsite.mailman.client import MailmanClient  # noqa: E402
from binsite.mailman.sync import sync  # noqa: E402
sys.path.insert(0, str(ROOT / "tests"))
from sitekit import area, write_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=importer.WORKERS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="binsite-bench-import-") as folder:
        base = Path(folder)
        local = LocalMailman(base / "mailman", start_timeout=180.0)
        started = time.perf_counter()
        state = local.start()
        print(f"local Mailman ready in {time.perf_counter() - started:.1f} s")
        try:
            domain = "bench.bin.test.example"
            root = write_site(base / "site", domain, {"bench": area("Bench", domain, "bench")})
            sync(root, state.settings)
            rows = ["E-mailadres;Naam"] + [f"bewoner{i:05d}@example.org;Bewoner {i} van de Straat" for i in range(args.count)]
            raw = ("\r\n".join(rows) + "\r\n").encode("cp1252")
            desk = open_desk(root, state.settings)
            t0 = time.perf_counter()
            preview = importer.preview_import(desk, "bench", importer.read_member_file(raw, "leden.csv"))
            t1 = time.perf_counter()
            result = importer.import_members(desk, preview, welcome=False, workers=args.workers)
            t2 = time.perf_counter()
            members = MailmanClient(state.settings).counts(preview.list).members
            print(f"preview of {args.count} addresses: {t1 - t0:.2f} s ({len(preview.new)} new)")
            print(f"import of {len(preview.new)} addresses with {args.workers} workers: {t2 - t1:.1f} s "
                  f"({(t2 - t1) / max(1, len(preview.new)) * 1000:.0f} ms each); added {len(result.added)}, "
                  f"failed {len(result.failed)}; Mailman counts {members} members")
            ok = members == args.count and not result.failed and t2 - t0 < 60
            print("target (under 60 s, every address a member):", "met" if ok else "NOT met")
            return 0 if ok else 1
        finally:
            local.stop()


if __name__ == "__main__":
    raise SystemExit(main())
