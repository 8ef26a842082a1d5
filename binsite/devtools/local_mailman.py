"""A private, real Mailman Core on loopback, with an SMTP sink, for the demo
and the tests.

Everything lives under one state folder (default ``.binsite/local/``):
``mailman.cfg`` and ``gunicorn.cfg``, Mailman's ``var/`` (SQLite database,
queues, logs, locks), the sink's ``maildir/`` and ``state.json`` with ports
and process ids. Mailman itself runs from its own virtual environment
(``.binsite/mailman-venv``), made from the exact pins in
``requirements/mailman.txt`` the first time it is needed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from binsite.errors import BinsiteError
from binsite.i18n import Text, t
from binsite.devtools import sink as sink_module
from binsite.mailman.settings import MailmanSettings

log = logging.getLogger(__name__)

REQUIREMENTS = Path("requirements") / "mailman.txt"
VENV_DIR = Path(".binsite") / "mailman-venv"
STATE_DIR = Path(".binsite") / "local"
STATE_FILE = "state.json"
LAYOUT = "binsite"
ADMIN_USER = "binsite"
# Runners a list needs to take in, moderate and deliver mail, and the bounces
# runner (a DSN to LIST-bounces@ scores the member: the desk's not-working
# addresses; measured: no start-up cost above the run-to-run noise of a busy
# 2-core machine, 13-35 s either way). Archive, digest, retry, task and nntp
# stay off: they cost memory and start-up time.
RUNNERS = ("bounces", "command", "in", "lmtp", "out", "pipeline", "rest", "virgin")
OFF_RUNNERS = ("archive", "digest", "retry", "task", "nntp")
# Mailman's runners poll their queues; 0.1 s instead of 1 s makes a post arrive
# in about 0.2 s. ("100ms" does not parse, and [runner.master] is ignored.)
QUICK_RUNNERS = ("in", "pipeline", "out", "virgin", "command")
_VENV_MARKER = ".binsite-requirements.sha256"
OUTGOING = "binsite.mailman.delivery.deliver"
SECRET_VAR = "BINSITE_SECRET_KEY"
WEB_URL_VAR = "BINSITE_WEB_URL"


DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class LocalState:
    """What ``start`` wrote to ``state.json``: enough to reach and stop it."""

    state_dir: str
    rest_port: int
    lmtp_port: int
    smtp_port: int
    password: str
    master_pid: int
    sink_pid: int
    started_at: float
    # What Mailman's delivery class (binsite.mailman.delivery) signs and links with.
    secret: str = ""
    web_url: str = ""
    # Mailman on PostgreSQL (--database postgresql): the private server's port, 0 for SQLite.
    postgres_port: int = 0

    @property
    def settings(self) -> MailmanSettings:
        return MailmanSettings(url=f"http://127.0.0.1:{self.rest_port}/3.1", user=ADMIN_USER,
                               password=self.password, lmtp_host="127.0.0.1", lmtp_port=self.lmtp_port)

    @property
    def maildir(self) -> Path:
        return Path(self.state_dir) / "maildir"

    def __repr__(self) -> str:
        return f"LocalState(state_dir={self.state_dir!r}, rest={self.rest_port}, lmtp={self.lmtp_port}, smtp={self.smtp_port})"


@dataclass(frozen=True)
class LocalStatus:
    state_dir: Path
    state: LocalState | None
    master_running: bool
    sink_running: bool

    @property
    def running(self) -> bool:
        return self.master_running and self.sink_running


def find_project_root() -> Path:
    """The binsite checkout holding ``requirements/mailman.txt`` (for the venv):
    the one binsite runs from, else the nearest from the working folder up."""
    cwd = Path.cwd().resolve()
    for folder in (*Path(__file__).resolve().parents, cwd, *cwd.parents):
        if (folder / REQUIREMENTS).is_file():
            return folder
    raise BinsiteError(t(
        "requirements/mailman.txt niet gevonden; start binsite local-mailman vanuit een binsite-checkout",
        "requirements/mailman.txt not found; run binsite local-mailman from a binsite checkout"))


def ensure_venv(venv_dir: Path, requirements: Path, *, timeout: float = 900.0,
                progress: Callable[[Text], None] | None = None) -> Path:
    """Mailman's own virtual environment, made (or remade) when the pins changed.

    Returns the venv's ``bin`` folder. A marker holds the hash of the pins, so
    an edited ``requirements/mailman.txt`` reinstalls instead of silently
    running other versions.
    """
    pins = requirements.read_bytes()
    digest = hashlib.sha256(pins).hexdigest()
    bin_dir = venv_dir / "bin"
    marker = venv_dir / _VENV_MARKER
    if (bin_dir / "master").exists() and marker.is_file() and marker.read_text().strip() == digest:
        return bin_dir
    log.info("installing Mailman Core into %s (takes about half a minute)", venv_dir)
    if progress is not None:
        progress(t("Mailman Core wordt geïnstalleerd in {d} (ongeveer een halve minuut) ...",
                   "installing Mailman Core into {d} (about half a minute) ...", d=venv_dir))
    try:
        if not (bin_dir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True, timeout=120,
                           stdin=subprocess.DEVNULL, capture_output=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(requirements)], check=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, capture_output=True)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or b"").decode("utf-8", "replace")[-2000:]
        raise BinsiteError(t("installeren van Mailman Core mislukt:\n{e}", "installing Mailman Core failed:\n{e}", e=tail)) from None
    except subprocess.TimeoutExpired:
        raise BinsiteError(t("installeren van Mailman Core duurde langer dan {s} s", "installing Mailman Core took longer than {s} s",
                             s=int(timeout))) from None
    marker.write_text(digest + "\n")
    return bin_dir


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600 from the
    start, never chmod after): a temporary file beside it, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)  # an old file of that name kept its mode through O_TRUNC
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mailman_cfg(*, var_dir: Path, rest_port: int, lmtp_port: int, smtp_port: int, password: str, gunicorn_cfg: Path,
                database_url: str = "") -> str:
    """Mailman's configuration: everything under ``var_dir``, loopback only, no MTA; its database
    SQLite in ``var_dir``, or PostgreSQL at ``database_url`` (``postgresql://…``, psycopg2)."""
    database = (["class: mailman.database.postgresql.PostgreSQLDatabase", f"url: {database_url}"] if database_url
                else ["class: mailman.database.sqlite.SQLiteDatabase", "url: sqlite:///$DATA_DIR/mailman.db"])
    lines = [
        "# Written by binsite local-mailman; rewritten at every start.",
        "[mailman]",
        f"layout: {LAYOUT}",
        "site_owner: postmaster@binsite.invalid",
        "",
        f"[paths.{LAYOUT}]",
        f"var_dir: {var_dir}",
        "",
        "[database]",
        *database,
        "",
        "[webservice]",
        "hostname: 127.0.0.1",
        f"port: {rest_port}",
        f"admin_user: {ADMIN_USER}",
        f"admin_pass: {password}",
        "workers: 1",
        f"configuration: {gunicorn_cfg}",
        "",
        "[mta]",
        "incoming: mailman.mta.null.NullMTA",
        # binsite's delivery: per-recipient List-Unsubscribe (RFC 8058) and body links.
        f"outgoing: {OUTGOING}",
        "lmtp_host: 127.0.0.1",
        f"lmtp_port: {lmtp_port}",
        "smtp_host: 127.0.0.1",
        f"smtp_port: {smtp_port}",
        "",
    ]
    for name in OFF_RUNNERS:
        lines += [f"[runner.{name}]", "start: no", ""]
    for name in QUICK_RUNNERS:
        lines += [f"[runner.{name}]", "sleep_time: 0.1s", ""]
    # Mailman's own default checks for bounces every 2 minutes; a bounce should show within a second.
    lines += ["[runner.bounces]", "sleep_time: 1s", ""]
    return "\n".join(lines)


# gunicorn 27 shares one control socket in ~/.gunicorn/ between instances
# unless it is disabled; graceful_timeout 0 makes stop take 2 s instead of 5-9.
GUNICORN_CFG = "[gunicorn]\ncontrol_socket_disable = true\ngraceful_timeout = 0\ntimeout = 120\n"


class LocalMailman:
    """One private Mailman Core plus SMTP sink, owned through ``state_dir``."""

    def __init__(self, state_dir: Path, *, venv_dir: Path | None = None, requirements: Path | None = None,
                 start_timeout: float = 120.0, stop_timeout: float = 30.0,
                 progress: Callable[[Text], None] | None = None, web_url: str | None = None,
                 secret: str | None = None, smtp_relay_port: int | None = None, database: str = "sqlite",
                 database_url: str = ""):
        self.state_dir = state_dir.resolve()
        project = find_project_root() if venv_dir is None or requirements is None else None
        self.venv_dir = (venv_dir or project / VENV_DIR).resolve()
        self.requirements = (requirements or project / REQUIREMENTS).resolve()
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.progress = progress
        # None: from the environment (BINSITE_WEB_URL, BINSITE_SECRET_KEY); a new secret when there is none.
        self.web_url = web_url
        self.secret = secret
        # Mailman's outgoing SMTP: the sink (None), or an MTA on this loopback port that relays to the sink.
        self.smtp_relay_port = smtp_relay_port
        # Mailman's database: "sqlite" (in var/), or "postgresql": the server at database_url
        # (postgresql://…), else a private one in postgres/ that start and stop run.
        if database not in DATABASES:
            raise BinsiteError(t("onbekende database {d!r}: kies sqlite of postgresql",
                                 "unknown database {d!r}: choose sqlite or postgresql", d=database))
        self.database = "postgresql" if database_url else database
        self.database_url = database_url
        self._children: dict[int, subprocess.Popen] = {}

    # --- paths -------------------------------------------------------------

    @property
    def var_dir(self) -> Path:
        return self.state_dir / "var"

    @property
    def maildir(self) -> Path:
        return self.state_dir / "maildir"

    @property
    def config_file(self) -> Path:
        return self.state_dir / "mailman.cfg"

    @property
    def ledger_dir(self) -> Path:
        """Where sends to this private Mailman keep their ledger (``BINSITE_STATE_DIR``):
        beside its database, so the two always belong together."""
        return self.state_dir / "ledger"

    @property
    def mailman_log(self) -> Path:
        return self.var_dir / "logs" / "mailman.log"

    # --- public operations -------------------------------------------------

    def status(self) -> LocalStatus:
        state = self.read_state()
        if state is None:
            return LocalStatus(self.state_dir, None, False, False)
        return LocalStatus(self.state_dir, state, self._is_ours(state.master_pid), self._is_ours(state.sink_pid))

    def start(self, *, force: bool = False) -> LocalState:
        """Start Mailman and the sink and wait until both are really ready.

        Already running: returns the running instance. Left over from a killed
        run (dead processes, a stale master lock): cleaned up and started
        again. ``force`` also stops a half-running instance first.
        """
        current = self.status()
        if current.running and not force:
            log.info("local Mailman already runs in %s", self.state_dir)
            return current.state  # type: ignore[return-value]
        if current.master_running or current.sink_running:
            if not force:
                raise BinsiteError(t(
                    "de lokale Mailman in {d} draait maar half; gebruik 'binsite local-mailman start --force' of 'stop'",
                    "the local Mailman in {d} runs only in part; use 'binsite local-mailman start --force' or 'stop'",
                    d=self.state_dir))
            self.stop()
        bin_dir = ensure_venv(self.venv_dir, self.requirements, progress=self.progress)
        # The folder holds the REST password, delivered mails with login and unsubscribe
        # links, and the ledger: its owner's only (0700), and so is what is made in it.
        for folder in (self.state_dir, self.var_dir, self.maildir, self.ledger_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # a folder of an earlier run kept its mode
        stale_lock = any((self.var_dir / "locks").glob("master.lck*")) if (self.var_dir / "locks").is_dir() else False
        if stale_lock:
            log.warning("recovering a stale master lock in %s (a killed run)", self.var_dir / "locks")

        rest_port, lmtp_port, smtp_port = _distinct_free_ports(3)
        database_url, postgres_port = self._database()
        password = secrets.token_urlsafe(18)
        secret = self.secret or os.environ.get(SECRET_VAR, "") or secrets.token_urlsafe(32)
        web_url = os.environ.get(WEB_URL_VAR, "") if self.web_url is None else self.web_url
        gunicorn_cfg = self.state_dir / "gunicorn.cfg"
        write_private(gunicorn_cfg, GUNICORN_CFG)
        # It holds the REST password: readable by its owner only, from the moment it exists.
        write_private(self.config_file, mailman_cfg(var_dir=self.var_dir, rest_port=rest_port, lmtp_port=lmtp_port,
                                                    smtp_port=self.smtp_relay_port or smtp_port, password=password,
                                                    gunicorn_cfg=gunicorn_cfg, database_url=database_url))
        log_offset = self.mailman_log.stat().st_size if self.mailman_log.exists() else 0

        sink_proc = self._spawn([str(bin_dir / "python"), str(Path(sink_module.__file__).resolve()), "--host", "127.0.0.1",
                                 "--port", str(smtp_port), "--maildir", str(self.maildir)], "sink.log")
        master_cmd = [str(bin_dir / "master"), "-C", str(self.config_file)] + (["--force"] if stale_lock else [])
        # Mailman's runners get a cleaned environment: the delivery class reads its
        # settings from binsite.env in Mailman's etc_dir (binsite.mailman.delivery).
        (self.var_dir / "etc").mkdir(exist_ok=True)
        write_private(self.var_dir / "etc" / "binsite.env", f"{SECRET_VAR}={secret}\n{WEB_URL_VAR}={web_url}\n")
        master_proc = self._spawn(master_cmd, "master.log", extra_env={"PYTHONPATH": str(self._delivery_path())})
        state = LocalState(str(self.state_dir), rest_port, lmtp_port, smtp_port, password,
                           master_proc.pid, sink_proc.pid, time.time(), secret, web_url, postgres_port)
        # Written before waiting, so that `stop` can clean up a start that never became ready.
        self._write_state(state)
        try:
            self._wait_ready(state, log_offset)
        except BaseException:
            self.stop()
            raise
        log.info("local Mailman ready: REST %s, LMTP %s, sink %s", rest_port, lmtp_port, smtp_port)
        return state

    def stop(self) -> bool:
        """SIGTERM Mailman's master and the sink, wait, then make sure. Returns whether anything ran."""
        state = self.read_state()
        if state is None:
            return False
        ran = False
        for pid in (state.master_pid, state.sink_pid):
            if self._is_ours(pid):
                ran = True
                _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for pid in (state.master_pid, state.sink_pid):
            while self._is_ours(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        # Mailman's database server (--database postgresql) after Mailman, before the sweep below.
        if state.postgres_port:
            try:
                self._postgres(state.postgres_port).stop()
            except BinsiteError as exc:
                log.warning("%s", exc)
        # Mailman's runners are the master's children; none may outlive it. Only
        # processes whose command line names this state folder are ours.
        for pid in self._our_processes():
            log.warning("process %s of %s still runs after stopping; killing it", pid, self.state_dir)
            _signal(pid, signal.SIGKILL)
        self._reap()
        (self.state_dir / STATE_FILE).unlink(missing_ok=True)
        return ran

    def read_state(self) -> LocalState | None:
        path = self.state_dir / STATE_FILE
        try:
            return LocalState(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
            return None

    # --- internals ---------------------------------------------------------

    @property
    def postgres_dir(self) -> Path:
        """Where ``--database postgresql`` keeps Mailman's PostgreSQL: ``postgres/`` in the state
        folder; run as root, PostgreSQL runs as ``nobody``, who cannot enter the state folder
        (0700): then a folder of its own in the system's temp folder, named after the state folder."""
        if os.geteuid() != 0:
            return self.state_dir / "postgres"
        tag = hashlib.sha256(str(self.state_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"binsite-local-pg-{tag}"

    def _postgres(self, port: int):
        from binsite.devtools.local_postgres import LocalPostgres
        return LocalPostgres(self.postgres_dir, port, keep=True)

    def _database(self) -> tuple[str, int]:
        """Mailman's database URL (empty: SQLite in var/) and the port of the private
        PostgreSQL this start runs (0: none)."""
        if self.database == "sqlite":
            return "", 0
        if self.database_url:
            return self.database_url, 0
        from binsite.devtools.local_postgres import LocalPostgres
        server = LocalPostgres.start(self.postgres_dir)
        try:
            server.create_database("mailman", exist_ok=True)
        except BaseException:
            server.stop()
            raise
        return f"postgresql://{server.user}@127.0.0.1:{server.port}/mailman", server.port

    def _delivery_path(self) -> Path:
        """A folder holding only ``binsite`` (a link to this package), for Mailman's PYTHONPATH:
        the delivery class imports ``binsite.mailman.delivery`` and ``binsite.tokens``
        (standard library), and nothing else of this checkout reaches Mailman."""
        folder = self.state_dir / "pylib"
        folder.mkdir(exist_ok=True)
        link = folder / "binsite"
        package = Path(__file__).resolve().parents[1]
        if not (link.is_symlink() and link.resolve() == package):
            tmp = folder / f".binsite.{os.getpid()}"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(package, target_is_directory=True)
            os.replace(tmp, link)
        return folder

    def _spawn(self, cmd: list[str], log_name: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        # Output goes to a file, never to our stdout: `eval "$(binsite local-mailman start)"`
        # would otherwise wait for these long-running children to close the pipe.
        with os.fdopen(os.open(self.state_dir / log_name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as out:
            env = {k: v for k, v in os.environ.items() if not k.startswith("MAILMAN_") and k != "PYTHONPATH"}
            env.update(extra_env or {})
            # umask 077: the sink's mails, Mailman's database, queues and logs are the owner's only.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    cwd=self.state_dir, env=env, start_new_session=True, umask=0o077)
        self._children[proc.pid] = proc
        return proc

    def _write_state(self, state: LocalState) -> None:
        path = self.state_dir / STATE_FILE
        tmp = path.with_suffix(".tmp")
        # The file holds the REST password of this private instance.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(state), out, indent=2)
        os.replace(tmp, path)

    def _reap(self) -> None:
        for pid, proc in list(self._children.items()):
            if proc.poll() is not None:
                del self._children[pid]

    def _our_processes(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid() and self._is_ours(int(entry.name)):
                pids.append(int(entry.name))
        return pids

    def _is_ours(self, pid: int) -> bool:
        """Alive and started by us for this state folder (a reused pid is not ours).

        Our processes run in the state folder (``cwd``); the command line names
        it too, but reads empty for a moment while a process starts.
        """
        proc = self._children.get(pid)
        if proc is not None:
            return proc.poll() is None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
                return False
            if Path(os.readlink(f"/proc/{pid}/cwd")) == self.state_dir:
                return True
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
            return False
        return str(self.state_dir) in cmdline

    def _wait_ready(self, state: LocalState, log_offset: int) -> None:
        """Ready means: REST answers with our own var_dir, every runner logged
        "runner started", LMTP and the sink accept connections."""
        deadline = time.monotonic() + self.start_timeout
        waiting_for = "REST"
        while time.monotonic() < deadline:
            for pid, name, log_name in ((state.master_pid, "Mailman", "master.log"), (state.sink_pid, "sink", "sink.log")):
                if not self._is_ours(pid):
                    raise BinsiteError(t("{n} stopte tijdens het starten; zie {f}:\n{tail}",
                                         "{n} stopped while starting; see {f}:\n{tail}",
                                         n=name, f=self.state_dir / log_name, tail=self._tail(log_name)))
            if not _rest_ready(state, self.var_dir):
                waiting_for = "REST"
            elif missing := self._runners_missing(log_offset):
                waiting_for = "runners " + ", ".join(sorted(missing))
            elif not _accepts(state.lmtp_port):
                waiting_for = "LMTP"
            elif not _accepts(state.smtp_port):
                waiting_for = "SMTP sink"
            else:
                return
            time.sleep(0.2)
        raise BinsiteError(t("de lokale Mailman was na {s} s niet klaar (wacht op {w}); zie {f}",
                             "the local Mailman was not ready after {s} s (waiting for {w}); see {f}",
                             s=int(self.start_timeout), w=waiting_for, f=self.mailman_log))

    def _runners_missing(self, log_offset: int) -> set[str]:
        try:
            with open(self.mailman_log, "rb") as handle:
                handle.seek(log_offset)
                text = handle.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return set(RUNNERS)
        started = set(re.findall(r"(\w+) runner started\.", text))
        return set(RUNNERS) - started

    def _tail(self, log_name: str, lines: int = 15) -> str:
        try:
            return "\n".join((self.state_dir / log_name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def _distinct_free_ports(count: int) -> tuple[int, ...]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return tuple(ports)


def _rest_ready(state: LocalState, var_dir: Path) -> bool:
    # Another Mailman on a clashing port would answer too: only our var_dir counts.
    request = urllib.request.Request(f"http://127.0.0.1:{state.rest_port}/3.1/system/configuration/paths.{LAYOUT}")
    token = base64.b64encode(f"{ADMIN_USER}:{state.password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=2.0) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError):
        return False
    return Path(str(answer.get("var_dir", ""))).resolve() == var_dir.resolve()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass

