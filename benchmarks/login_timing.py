"""The desk's login request: does a coordinator's address answer as fast as an unknown one?

The answer must not tell whether an address is a BINCO's. The view does the same work
for both (the link is made and sent by the outbox after the answer), so the times should
match. This starts a real SMTP sink (binsite.devtools.sink, in benchmarks/.work/login-timing/),
the web service on a site of 4 areas, and sends N login requests for coordinators' addresses
and N for unknown ones, interleaved in random order, each from its own client address (so
every one passes the limits and queues its job). Each request is timed from the WSGI call to
the full answer; the outbox is drained between requests (``--overlap`` leaves the sends
running behind the next requests instead). Prints median, p95, mean and max per kind, their
difference, and the mails in the sink (one per known request, none for unknown ones).
Traffic goes to 127.0.0.1 only; every loop is bounded.

    .venv/bin/python benchmarks/login_timing.py [--requests 200] [--overlap]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from binsite.devtools.local_mailman import free_port  # noqa: E402
from binsite.devtools.sink import read_maildir  # noqa: E402
from binsite.web.app import create_app  # noqa: E402
from sitekit import area, poll, write_site  # noqa: E402
from web_load import _CSRF, AREAS, SECRET, percentile  # noqa: E402  (the web benchmark's site and figures)

WORK = REPO / "benchmarks" / ".work" / "login-timing"
DOMAIN = "timing.bin.test.example"


def drain(service, maildir: Path, known: int) -> None:
    """Wait until every link asked for so far is sent (an older service without an outbox
    sends from a thread of its own: then wait for the sink to hold them)."""
    outbox = getattr(service, "outbox", None)
    if outbox is not None:
        outbox.join()
    else:
        poll(lambda: len(read_maildir(maildir)) >= known, timeout=30, what=f"{known} links in the sink")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per kind (default 200)")
    parser.add_argument("--overlap", action="store_true", help="do not wait for the outbox between requests")
    args = parser.parse_args(argv)
    shutil.rmtree(WORK, ignore_errors=True)
    maildir = WORK / "maildir"
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "binsite.devtools.sink", "--port", str(port),
                             "--maildir", str(maildir)], cwd=REPO)
    try:
        root = write_site(WORK / "site", DOMAIN, {a: area(a.capitalize(), DOMAIN, a) for a in AREAS})
        env = {"BINSITE_SECRET_KEY": SECRET, "BINSITE_MAILMAN_URL": "http://127.0.0.1:9/3.1",
               "BINSITE_MAILMAN_USER": "u", "BINSITE_MAILMAN_PASSWORD": "p", "BINSITE_SMTP_HOST": "127.0.0.1",
               "BINSITE_SMTP_PORT": str(port), "BINSITE_WEB_URL": "http://127.0.0.1/"}
        app = create_app(root, environ=env)
        service = app.extensions["binsite"]
        poll(lambda: (maildir / "new").is_dir(), timeout=20, what="the sink to start")
        kinds = ["known"] * args.requests + ["unknown"] * args.requests
        random.Random(32).shuffle(kinds)
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for index, kind in enumerate(kinds):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"10.{index // 65536}.{index // 256 % 256}.{index % 256}"
            page = client.get("/binco/").get_data(as_text=True)
            address = f"binco.{AREAS[index % 4]}@coord.{DOMAIN}" if kind == "known" else \
                f"niemand{index}@coord.{DOMAIN}"
            form = {"email": address, "csrf": _CSRF.search(page).group(1)}
            for limiter in service.limiters.values():
                limiter.reset()  # every request passes: the timing is of the full path
            start = time.perf_counter()
            response = client.post("/binco/inloggen/", data=form)
            response.get_data()
            times[kind].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            if not args.overlap:
                drain(service, maildir, len(times["known"]))
        drain(service, maildir, len(times["known"]))
        delivered = poll(lambda: (lambda m: m if len(m) >= args.requests else None)(read_maildir(maildir)),
                         timeout=60, what="the known addresses' links in the sink")
        unknown_mails = sum(1 for d in delivered if any("niemand" in to for to in d.envelope_to))
        print(f"login requests, {args.requests} per kind, interleaved"
              f"{', sends overlapping' if args.overlap else ', outbox drained between requests'}:")
        for kind in ("known", "unknown"):
            values = times[kind]
            print(f"  {kind:8s} median {statistics.median(values):6.2f} ms  p95 {percentile(values, 0.95):6.2f} ms  "
                  f"mean {statistics.fmean(values):6.2f} ms  max {max(values):6.2f} ms")
        difference = statistics.median(times["known"]) - statistics.median(times["unknown"])
        print(f"  median known - unknown: {difference:+.2f} ms")
        print(f"  mails in the sink: {len(delivered) - unknown_mails} to coordinators, {unknown_mails} to unknown")
        return 0
    finally:
        sink.terminate()
        sink.wait(10)


if __name__ == "__main__":
    sys.exit(main())
