"""Load on the residents' web service: one-click unsubscribes and join requests at once.

Starts its own private Mailman and sink (binsite.devtools.local_mailman, in
benchmarks/.work/web-load/), a site of 4 areas synced to it, N members
subscribed, and the service under gunicorn as in production (gthread workers
behind a "proxy": every request carries its own X-Forwarded-For, as 1,000
different residents would). Then 20 clients send, interleaved, N RFC 8058
one-click POSTs (tokens signed per member, as Mailman's delivery class signs
them) and M join requests (GET the form, POST it: each one mails a
confirmation to the sink). Prints p50/p95/max latency per kind, errors, how
many of the unsubscribes Mailman shows done (when the load ends, and once the
service's spool has done them all) and how many confirmation mails reached the sink. Traffic goes to 127.0.0.1 only; every loop is bounded.

The same load runs once per store, side by side in one table (issue 28):
``files``, the service as it was before its store (commit ``BASELINE``, unpacked
with ``git archive`` into the work folder: jsonl files, the spool folder,
in-process rate limits); ``sqlite``, the store's default (``state/web.sqlite``);
``postgresql``, a private PostgreSQL started here (binsite.devtools.local_postgres).
One Mailman for all three; each store gets members and join addresses of its own.

    .venv/bin/python benchmarks/web_load.py [--unsubscribes 1000] [--joins 1000] [--clients 20]
        [--stores files,sqlite,postgresql]
"""

from __future__ import annotations

import secrets
import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from binsite import tokens  # noqa: E402
from binsite.devtools.local_mailman import LocalMailman, free_port  # noqa: E402
from binsite.devtools.local_postgres import LocalPostgres  # noqa: E402
from binsite.devtools.sink import read_maildir  # noqa: E402
from binsite.mailman.client import MailmanClient, list_id  # noqa: E402
from binsite.mailman.sync import sync  # noqa: E402
from sitekit import area, write_site  # noqa: E402

WORK = REPO / "benchmarks" / ".work" / "web-load"
DOMAIN = "load.bin.test.example"
AREAS = ("noord", "zuid", "oost", "west")
# Made fresh for each run: no signing secret is written in the repository.
SECRET = secrets.token_urlsafe(32)
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
# The service before its store (the file store): main as this branch last merged it.
BASELINE = "0f9fde5"
STORES = ("files", "sqlite", "postgresql")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


class Client:
    """One resident's browser or mail program: a fresh connection per request, as they would have."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Set-Cookie") or "", response.read().decode("utf-8", "replace")
        finally:
            connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unsubscribes", type=int, default=1000)
    parser.add_argument("--joins", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (threads: 8 each)")
    parser.add_argument("--stores", default=",".join(STORES), help="which stores, comma-separated")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    stores = [name.strip() for name in args.stores.split(",") if name.strip()]
    if not stores or set(stores) - set(STORES):
        raise SystemExit(f"--stores: choose from {', '.join(STORES)}")

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    local = LocalMailman(WORK / "mailman")
    started = time.monotonic()
    state = local.start()
    postgres: LocalPostgres | None = None
    figures: dict[str, dict] = {}
    try:
        print(f"Mailman ready in {time.monotonic() - started:.1f} s", flush=True)
        root = write_site(WORK / "site", DOMAIN, {a: area(a.capitalize(), DOMAIN, a) for a in AREAS})
        sync(root, state.settings)
        for name in stores:
            env = {"PYTHONPATH": str(REPO)}
            if name == "files":
                env["PYTHONPATH"] = str(_baseline())
            elif name == "sqlite":
                env["BINSITE_DATABASE_URL"] = f"sqlite:///{WORK / 'sqlite' / 'web.sqlite'}"
            else:
                postgres = postgres or LocalPostgres.start()
                env["BINSITE_DATABASE_URL"] = postgres.create_database("binsite_bench")
            print(f"\n--- store: {name}", flush=True)
            figures[name] = _load(args, name, root, state, env)
    finally:
        local.stop()
        if postgres is not None:
            postgres.stop()
    _table(figures, args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(not f["errors"] and f["lost"] == 0 for f in figures.values()) else 1


def _baseline() -> Path:
    """The service before its store, unpacked from git (commit BASELINE)."""
    folder = WORK / f"baseline-{BASELINE}"
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", BASELINE, "binsite", "templates"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    # The package's templates as a wheel would hold them (binsite/templates).
    if not (folder / "binsite" / "templates").exists():
        (folder / "binsite" / "templates").symlink_to(folder / "templates", target_is_directory=True)
    return folder


def _load(args, name: str, root: Path, state, extra_env: dict[str, str]) -> dict:
    """One store: its members subscribed, the service started on it, the load, the drain."""
    client = MailmanClient(state.settings, timeout=30)
    members = [(AREAS[i % len(AREAS)], f"lid{i}.{name}@res.example.org") for i in range(args.unsubscribes)]
    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda m: client.subscribe(f"{m[0]}@{DOMAIN}", m[1]), members))
    print(f"{len(members)} members subscribed in {time.monotonic() - t0:.1f} s", flush=True)
    ids: dict[str, str] = {}
    for area_id in AREAS:
        page = client._rest(f"lists/{list_id(area_id + '@' + DOMAIN)}/roster/member?count=5000&page=1") or {}
        for entry in page.get("entries", []):
            ids[str(entry["email"]).lower()] = str(entry["member_id"])
    unsubscribe_tokens = [tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(f"{a}@{DOMAIN}"), ids[address]))
                          for a, address in members]
    ours = {address for _, address in members}

    port = free_port()
    env = {**os.environ, **state.settings.environment(), "BINSITE_SECRET_KEY": SECRET, "BINSITE_ROOT": str(root),
           "BINSITE_SMTP_HOST": "127.0.0.1", "BINSITE_SMTP_PORT": str(state.smtp_port),
           "BINSITE_WEB_URL": f"http://127.0.0.1:{port}/", "BINSITE_TRUSTED_PROXIES": "1",
           "BINSITE_WEB_SPOOL": str(WORK / f"spool-{name}"), **extra_env}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--worker-class", "gthread", "--threads", "8", "--no-control-socket", "--graceful-timeout", "2",
         "binsite.web.wsgi:app"], env=env, cwd=WORK, stdout=open(WORK / f"gunicorn-{name}.log", "wb"),
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(port).request("GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or gunicorn.poll() is not None:
                raise SystemExit(f"the service did not start; see {WORK / f'gunicorn-{name}.log'}")
            time.sleep(0.2)

        jobs = [("unsubscribe", token) for token in unsubscribe_tokens] + \
               [("join", f"nieuw{i}.{name}@res.example.org") for i in range(args.joins)]
        random.Random(18).shuffle(jobs)
        results: dict[str, list[float]] = {"unsubscribe": [], "join": [], "join-form": []}
        errors: list[str] = []

        def run(job_index: int) -> None:
            kind, value = jobs[job_index]
            web = Client(port)
            forwarded = {"X-Forwarded-For": f"10.{job_index // 65536}.{job_index // 256 % 256}.{job_index % 256}"}
            if kind == "unsubscribe":
                t = time.perf_counter()
                status, _, _ = web.request("POST", f"/afmelden/{value}", body="List-Unsubscribe=One-Click",
                                           headers={**forwarded, "Content-Type": "application/x-www-form-urlencoded"})
                results["unsubscribe"].append(time.perf_counter() - t)
                if status != 200:
                    errors.append(f"unsubscribe: HTTP {status}")
                return
            area_id = AREAS[job_index % len(AREAS)]
            t = time.perf_counter()
            status, cookie, page = web.request("GET", f"/aanmelden/{area_id}/", headers=forwarded)
            results["join-form"].append(time.perf_counter() - t)
            found = _CSRF.search(page)
            if status != 200 or not found or not cookie:
                errors.append(f"join form: HTTP {status}")
                return
            body = urlencode({"csrf": found.group(1), "email": value, "name": "", "lives": "ja"})
            t = time.perf_counter()
            status, _, _ = web.request("POST", f"/aanmelden/{area_id}/", body=body, headers={
                **forwarded, "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";", 1)[0]})
            results["join"].append(time.perf_counter() - t)
            if status != 303:
                errors.append(f"join: HTTP {status}")

        mails_before = _confirmations(state)
        t0 = time.monotonic()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(run, range(len(jobs))))
        wall = time.monotonic() - t0

        # One-click unsubscribes are answered once recorded (binsite/web/spool.py) and done at
        # Mailman just after: count what Mailman shows at the end of the load, then when done.
        def done_now() -> int:
            left = set()
            for area_id in AREAS:
                left |= {m.address.lower() for m in client.roster(f"{area_id}@{DOMAIN}", "member")}
            return len(ours - left)
        done_at_end = done_now()
        drain_deadline = time.monotonic() + 900
        while (done := done_now()) < len(members) and time.monotonic() < drain_deadline:
            time.sleep(2.0)
        drained_after = time.monotonic() - t0 - wall
        deadline = time.monotonic() + 60
        while True:
            mails = _confirmations(state) - mails_before
            if mails >= args.joins - len([e for e in errors if e.startswith("join")]) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()

    figures = {
        "requests": len(jobs), "clients": args.clients, "workers": args.workers, "seconds": round(wall, 1),
        "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
        "unsubscribes_done_in_mailman": done, "unsubscribes_sent": len(members), "lost": len(members) - done,
        "unsubscribes_done_at_end_of_load": done_at_end, "drained_seconds_after_load": round(drained_after, 1),
        "confirmation_mails_in_sink": mails,
    }
    for kind, values in results.items():
        ms = [v * 1000 for v in values]
        figures[kind] = {"count": len(ms), "p50_ms": round(statistics.median(ms), 1) if ms else None,
                         "p95_ms": round(percentile(ms, 0.95), 1), "max_ms": round(max(ms), 1) if ms else None}
    print(f"{len(jobs)} requests in {wall:.1f} s; errors {len(errors)} {sorted(set(errors))[:3]}; "
          f"unsubscribes done {done}/{len(members)}", flush=True)
    return figures


def _confirmations(state) -> int:
    return sum(1 for d in read_maildir(state.maildir) if d.envelope_from == f"bulletin@{DOMAIN}")


def _table(figures: dict[str, dict], args) -> None:
    names = list(figures)
    print(f"\n{args.unsubscribes} one-click unsubscribes and {args.joins} joins from {args.clients} clients "
          f"(gunicorn {args.workers} workers x 8 threads, Mailman REST 1 worker), per store:")
    print(f"{'':<28}" + "".join(f"{n:>14}" for n in names))
    rows = [("load, s", lambda f: f["seconds"])]
    for kind in ("unsubscribe", "join-form", "join"):
        for key in ("p50_ms", "p95_ms", "max_ms"):
            rows.append((f"{kind} {key.replace('_ms', '')} ms", lambda f, k=kind, q=key: f[k][q]))
    rows += [("errors", lambda f: f["errors"]),
             ("unsubscribes done at end", lambda f: f["unsubscribes_done_at_end_of_load"]),
             ("unsubscribes done", lambda f: f["unsubscribes_done_in_mailman"]),
             ("unsubscribes lost", lambda f: f["lost"]),
             ("drained after load, s", lambda f: f["drained_seconds_after_load"]),
             ("confirmation mails", lambda f: f["confirmation_mails_in_sink"])]
    for label, value in rows:
        print(f"{label:<28}" + "".join(f"{value(figures[n])!s:>14}" for n in names))


if __name__ == "__main__":
    sys.exit(main())
