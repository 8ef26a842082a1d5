"""A private PostgreSQL server for tests and rehearsals: ``initdb`` and ``pg_ctl`` in a
folder of its own, listening on 127.0.0.1 only, on a free port.

Debian's ``postgresql`` package puts its programs in ``/usr/lib/postgresql/N/bin``
(not on PATH); the newest there is used, else whatever PATH has. PostgreSQL
refuses to run as root: run as root (CI, a container), the server runs as the
unprivileged user ``nobody``, in a folder under the system's temp folder that
that user owns. Only the loopback can connect (``trust`` for local
connections: a server on loopback for tests and rehearsals, never for production).

``binsite local-mailman start --database postgresql`` keeps one in the local
Mailman's folder (``postgres/``) for Mailman's own database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from binsite.devtools.local_mailman import free_port
from binsite.errors import BinsiteError
from binsite.i18n import t

RUN_AS = "nobody"


def programs() -> Path:
    """The folder of ``initdb``, ``pg_ctl`` and ``psql``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    raise BinsiteError(t("PostgreSQL is niet geïnstalleerd: apt-get install postgresql",
                         "PostgreSQL is not installed: apt-get install postgresql"))


@dataclass
class LocalPostgres:
    folder: Path
    port: int
    user: str = "postgres"
    keep: bool = False      # a folder of the caller's (kept), not a temp folder of our own

    @classmethod
    def start(cls, folder: Path | None = None, *, port: int | None = None) -> "LocalPostgres":
        """Start a server: in a new temp folder (removed by ``stop``), or in ``folder``, kept
        between runs (made by initdb the first time)."""
        keep = folder is not None
        folder = Path(tempfile.mkdtemp(prefix="binsite-pg-")) if folder is None else folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
        server = cls(folder, port or free_port(), keep=keep)
        os.chmod(folder, 0o755 if os.geteuid() == 0 else 0o700)
        if os.geteuid() == 0:
            shutil.chown(folder, RUN_AS)
        bin_dir = programs()
        if not (folder / "data" / "PG_VERSION").is_file():
            server._run([str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", server.user, "--auth=trust",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        durable = "" if keep else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        connections = 200 if keep else 300  # the test suite's stores each keep a small pool
        options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} "
                   f"-c max_connections={connections}{durable}")
        server._run([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"),
                     "-o", options, "-w", "-t", "60", "start"])
        return server

    def _run(self, argv: list[str]) -> None:
        program = Path(argv[0]).name
        if os.geteuid() == 0:
            argv = ["runuser", "-u", RUN_AS, "--", *argv]
        done = subprocess.run(argv, cwd=self.folder, capture_output=True, text=True, timeout=120)
        if done.returncode:
            detail = (done.stderr.strip() or done.stdout.strip())[-500:]
            raise BinsiteError(t("PostgreSQL in {d}: {c} mislukte: {e}", "PostgreSQL in {d}: {c} failed: {e}",
                                 d=self.folder, c=program, e=detail))

    def url(self, database: str = "postgres", *, driver: str = "psycopg") -> str:
        """The SQLAlchemy URL of ``database``: binsite's driver (psycopg 3), or with ``driver=""``
        the plain ``postgresql://`` that Mailman's SQLAlchemy reads with psycopg2."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        """A new empty database (or the one there, with ``exist_ok``); its SQLAlchemy URL."""
        if not (exist_ok and self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()):
            self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        done = subprocess.run([str(programs() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                               "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                              capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise BinsiteError(t("psql mislukte: {e}", "psql failed: {e}", e=done.stderr.strip()[-500:]))
        return done.stdout

    def running(self) -> bool:
        done = subprocess.run([str(programs() / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                              capture_output=True, timeout=30)
        return done.returncode == 0

    def stop(self) -> None:
        try:
            mode = "fast" if self.keep else "immediate"
            self._run([str(programs() / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"])
        finally:
            if not self.keep:
                shutil.rmtree(self.folder, ignore_errors=True)
