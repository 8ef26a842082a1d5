"""Cold builds of one corpus, before and after a change, in turn.

The budget of a change to the build ("at most 5 % slower cold") is a
comparison of two commits on one machine at one time. This runs the same
cold build of the generated corpus (benchmarks/corpus.py) with the code of
``--before`` (a git revision, exported with ``git archive``) and with the
working tree, alternating (before/after, then after/before, ...), and prints
per tree the wall time and the CPU time of the build and its workers
(user + system, ``getrusage(RUSAGE_CHILDREN)``), their medians and the
ratio after / before. Both use this checkout's virtual environment (the
build's dependencies; the code comes from each tree). The load average
before each run is printed: a run is calm when it stays near the
benchmark's own two processes.

    python benchmarks/pair.py --before 13fc1ea --size 10000 --pairs 5
    make bench-pair BEFORE=13fc1ea
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Runs binsite's CLI from the tree given first (not from the installed package).
_ENTRY = ("import sys; tree = sys.argv.pop(1); sys.path.insert(0, tree); import binsite; "
          "assert binsite.__file__.startswith(tree), binsite.__file__; "
          "from binsite.cli import main; main(prog_name='binsite')")


def export(revision: str, into: Path) -> str:
    """The tree of ``revision`` in ``into``; its full commit id."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    if not commit:
        raise SystemExit(f"{revision}: no such revision")
    archive = subprocess.Popen(["git", "-C", str(REPO), "archive", commit], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {revision} failed")
    return commit


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()


def _this_tree() -> str:
    """The commit of this checkout, and whether its binsite/ has changes not committed."""
    return _git("rev-parse", "HEAD") + (" + working tree" if _git("status", "--porcelain", "binsite") else "")


def cold_build(tree: Path, site: Path, out: Path, now: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".binsite" / "cache", ignore_errors=True)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _ENTRY, str(tree), "--root", str(site), "build", "--out", str(out),
                           "--now", now], capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"the build with {tree} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return {"wall_s": round(wall, 2), "user_s": round(after.ru_utime - before.ru_utime, 2),
            "system_s": round(after.ru_stime - before.ru_stime, 2), "load_before": round(load, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold builds before and after a change, in turn.")
    parser.add_argument("--before", required=True, help="git revision of the code before the change")
    parser.add_argument("--size", type=int, default=10_000, help="bulletins in the corpus (default: %(default)s)")
    parser.add_argument("--pairs", type=int, default=5, help="before/after pairs (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the runs (default: benchmarks/results/)")
    args = parser.parse_args(argv)

    root = corpus.generate(args.size)
    site = root / "binsite"
    now = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["now"]
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="binsite-pair-") as work:
        before_tree = Path(work) / "before"
        before_tree.mkdir()
        commit = export(args.before, before_tree)
        trees = {"before": before_tree, "after": REPO}
        for index in range(args.pairs):
            for name in ("before", "after") if index % 2 == 0 else ("after", "before"):
                run = {"pair": index, "tree": name, **cold_build(trees[name], site, Path(work) / "out", now)}
                runs.append(run)
                print(json.dumps(run), flush=True)
    summary = {}
    for name in ("before", "after"):
        mine = [r for r in runs if r["tree"] == name]
        summary[name] = {key: statistics.median(r[key] for r in mine) for key in ("wall_s", "user_s", "system_s")}
        summary[name]["cpu_s"] = statistics.median(r["user_s"] + r["system_s"] for r in mine)
    ratios = {key: round(summary["after"][key] / summary["before"][key], 3) for key in summary["before"]}
    print(f"\ncold build of {args.size:,} bulletins, {args.pairs} pairs; medians (after / before):")
    for key in ("wall_s", "user_s", "system_s", "cpu_s"):
        print(f"  {key:9s} before {summary['before'][key]:7.2f}  after {summary['after'][key]:7.2f}  {ratios[key]:.3f}")
    report = {"date": datetime.now().astimezone().isoformat(timespec="seconds"), "before": commit,
              "after": _this_tree(), "size": args.size, "cores": os.cpu_count(), "runs": runs, "medians": summary, "ratios": ratios}
    path = args.json or RESULTS_DIR / f"{datetime.now():%Y-%m-%d-%H%M}-pair-{args.size}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"  runs written to {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
