"""Benchmark: `binsite avg inzage` and `wissen` for an address in 50 lists of 1,000 members.

Starts a private Mailman Core (fresh folder, free ports), syncs a site of 17
areas (51 lists), fills 50 of them with 1,000 members each through Mailman's
own `mailman addmembers` (in-process, far faster than REST; the fill is not
what is measured), the measured address among them on every list. Then times
`holdings.find` (one `members/find` query, plus held messages and join
requests per list) and `erase.erase` (50 quiet removals, the address record),
and checks that a second `find` is empty. Also times what every `send` and
`lists sync` now adds: reading the bounce scores of the 50 lists for
`binsite stats` (`bounces.record_bounces`). Target (issue 27): inzage within
10 s. Run: `make bench-avg`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from binsite.avg import erase, holdings  # noqa: E402
from binsite.desk import logbook  # noqa: E402
from binsite.devtools.local_mailman import LocalMailman  # noqa: E402
from binsite.mailman.bounces import record_bounces  # noqa: E402
from binsite.mailman.client import MailmanClient  # noqa: E402
from binsite.mailman.sync import sync  # noqa: E402
sys.path.insert(0, str(ROOT / "tests"))
from sitekit import area, write_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=50)
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="binsite-bench-avg-") as folder:
        base = Path(folder)
        local = LocalMailman(base / "mailman", start_timeout=180.0)
        started = time.perf_counter()
        state = local.start()
        print(f"local Mailman ready in {time.perf_counter() - started:.1f} s")
        try:
            domain = "bench.bin.test.example"
            areas = {f"g{i:02d}": area(f"Gebied {i}", domain, f"g{i:02d}") for i in range((args.lists + 2) // 3)}
            root = write_site(base / "site", domain, areas)
            t0 = time.perf_counter()
            sync(root, state.settings)
            client = MailmanClient(state.settings, timeout=60.0)
            lists = sorted(a for a in client.lists() if a.endswith("@" + domain))[:args.lists]
            print(f"lists sync of {len(areas)} areas: {time.perf_counter() - t0:.1f} s; filling {len(lists)} lists")
            target = "Gezocht.Bewoner@Example.org"
            t0 = time.perf_counter()
            for number, fqdn in enumerate(lists):
                lines = [target] + [f"bewoner{number:02d}.{i:04d}@example.org" for i in range(args.members - 1)]
                members_file = base / "members.txt"
                members_file.write_text("\n".join(lines) + "\n")
                subprocess.run([str(local.venv_dir / "bin" / "mailman"), "-C", str(local.config_file), "--run-as-root",
                                "addmembers", "-W", str(members_file), fqdn], check=True, capture_output=True,
                               timeout=600)
            print(f"filled {len(lists)} lists of {args.members} members in {time.perf_counter() - t0:.0f} s")
            t0 = time.perf_counter()
            bounces = record_bounces(client, lists, base / "bounces.jsonl")
            print(f"bounce scores read for binsite stats (what every send and lists sync adds): "
                  f"{time.perf_counter() - t0:.2f} s for {len(lists)} lists ({bounces} new bounces)")
            t0 = time.perf_counter()
            found = holdings.find(root, client, target, domain=domain)
            inzage = time.perf_counter() - t0
            memberships = len(found.of(holdings.MEMBERSHIP))
            print(f"binsite avg inzage: {inzage:.2f} s ({memberships} memberships, {len(found.items)} items)")
            t0 = time.perf_counter()
            done = erase.erase(root, client, target, domain=domain, actor=logbook.operator())
            t1 = time.perf_counter()
            left = holdings.find(root, client, target, domain=domain)
            print(f"binsite avg wissen: {t1 - t0:.2f} s ({len(done.done)} items erased); afterwards "
                  f"{len(left.items)} items left")
            ok = memberships == len(lists) and left.empty and inzage < 10
            print("target (inzage within 10 s, every membership found, nothing left after wissen):",
                  "met" if ok else "NOT met")
            return 0 if ok else 1
        finally:
            local.stop()


if __name__ == "__main__":
    raise SystemExit(main())
