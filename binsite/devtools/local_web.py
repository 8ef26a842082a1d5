"""The web service beside the local Mailman, for ``make demo`` (and the benchmark).

``start`` runs ``binsite web`` in the background on a free port of 127.0.0.1,
with the local Mailman's variables, its mail sink as SMTP server and the local
Mailman's secret (its delivery class signs the links in every copy with it; without
a local Mailman, a secret kept in ``.binsite/local/web-secret``, mode 0600); ``web.json`` holds its pid and port, ``web.log`` its output.
``stop`` ends exactly that process (a pid whose command line is not our
``binsite web`` on that port is never signalled).

    python -m binsite.devtools.local_web start|stop|status [--root DIR]
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from binsite.devtools.local_mailman import STATE_DIR, LocalMailman, free_port, write_private
from binsite.errors import BinsiteError
from binsite.i18n import current_language, t

STATE_FILE = "web.json"
SECRET_FILE = "web-secret"
LOG_FILE = "web.log"
REMOTE_DIR = "remote.git"   # the demo's bare remote: publishing from the desk pushes here
CLONE_DIR = "publish"       # the web service's clone of it


@dataclass(frozen=True)
class WebState:
    pid: int
    port: int
    started_at: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


class LocalWeb:
    def __init__(self, root: Path, state_dir: Path | None = None, *, start_timeout: float = 30.0):
        self.root = root.resolve()
        self.state_dir = (state_dir or self.root / STATE_DIR).resolve()
        self.start_timeout = start_timeout

    def read_state(self) -> WebState | None:
        try:
            return WebState(**json.loads((self.state_dir / STATE_FILE).read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def running(self) -> WebState | None:
        state = self.read_state()
        return state if state is not None and _is_ours(state) else None

    def secret(self) -> str:
        # The local Mailman's delivery class signs the links in every copy with its
        # secret: the service must verify with the same one.
        mailman = LocalMailman(self.state_dir).read_state()
        if mailman is not None and getattr(mailman, "secret", ""):
            return mailman.secret
        path = self.state_dir / SECRET_FILE
        if not path.exists():
            write_private(path, secrets.token_urlsafe(32))
        return path.read_text().strip()

    def environment(self, base: Mapping[str, str], port: int) -> dict[str, str]:
        mailman = LocalMailman(self.state_dir).read_state()
        if mailman is None:
            raise BinsiteError(t("de lokale Mailman draait niet: eerst 'binsite local-mailman start' (of make demo)",
                                 "the local Mailman is not running: first 'binsite local-mailman start' (or make demo)"))
        # The demo's own state, remote and clone, never the repository's state/ or a real remote:
        # the desk's logbook and sessions beside the demo's ledger; publishing commits and pushes
        # to a bare repository under the state folder.
        return {**base, **mailman.settings.environment(), "BINSITE_SECRET_KEY": self.secret(),
                "BINSITE_SMTP_HOST": "127.0.0.1", "BINSITE_SMTP_PORT": str(mailman.smtp_port),
                "BINSITE_WEB_URL": f"http://127.0.0.1:{port}/",
                "BINSITE_STATE_DIR": str(LocalMailman(self.state_dir).ledger_dir),
                "BINSITE_GIT_REMOTE": str(self.demo_remote()), "BINSITE_GIT_BRANCH": "main",
                "BINSITE_GIT_WORKDIR": str(self.state_dir / CLONE_DIR)}

    def demo_remote(self) -> Path:
        """The demo's bare git remote (``.binsite/local/remote.git``), made once from the site's files
        as they are (tracked or not, ``.gitignore`` respected); later runs keep what was published."""
        remote = self.state_dir / REMOTE_DIR
        if (remote / "HEAD").exists():
            return remote
        tmp = self.state_dir / f".{REMOTE_DIR}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        demo = ["-c", "user.name=binsite demo", "-c", "user.email=demo@example.org"]

        def git(*args: str) -> None:
            done = subprocess.run(["git", f"--git-dir={tmp}", f"--work-tree={self.root}", *demo, *args],
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                raise BinsiteError(t("git {c} voor de demo-remote mislukte: {e}", "git {c} for the demo remote failed: {e}",
                                     c=args[0], e=done.stderr.strip()[-500:]))

        subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(tmp)], check=True,
                       capture_output=True)
        git("add", "-A")
        git("commit", "--quiet", "-m", "Demo: the example network, as the demo found it")
        os.replace(tmp, remote)
        return remote

    def start(self, *, environ: Mapping[str, str] = os.environ, port: int | None = None) -> WebState:
        """Running already: that one. Otherwise started and answering before this returns."""
        current = self.running()
        if current is not None:
            return current
        port = port or free_port()
        env = self.environment(environ, port)
        cmd = [sys.executable, "-m", "binsite", "--root", str(self.root), "web", "--port", str(port)]
        log_fd = os.open(self.state_dir / LOG_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(log_fd, "ab") as out:
            # umask 077: the desk's logbook, sessions and clone are the owner's only.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, umask=0o077)
        state = WebState(proc.pid, port, time.time())
        write_private(self.state_dir / STATE_FILE, json.dumps(asdict(state)))
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = (self.state_dir / LOG_FILE).read_text(errors="replace").splitlines()[-10:]
                raise BinsiteError(t("de webdienst stopte tijdens het starten; zie {f}:\n{l}",
                                     "the web service stopped while starting; see {f}:\n{l}",
                                     f=self.state_dir / LOG_FILE, l="\n".join(tail)))
            try:
                with urllib.request.urlopen(state.url, timeout=2.0) as response:
                    if response.status == 200:
                        return state
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise BinsiteError(t("de webdienst antwoordde niet binnen {s} s", "the web service did not answer within {s} s",
                             s=int(self.start_timeout)))

    def example_link(self, state: WebState) -> str | None:
        """A preferences link of the demo's first invented resident (``binsite.devtools.demo``), if subscribed."""
        from binsite import tokens
        from binsite.mailman.client import MailmanClient, list_id
        from binsite.source.network import load_network

        network = load_network(self.root)
        mailman = LocalMailman(self.state_dir).read_state()
        if network.config is None or not network.areas or mailman is None:
            return None
        area = network.areas[0]
        fqdn = area.members_list(network.config.mail.domain)
        found = [m for m in MailmanClient(mailman.settings).memberships(f"bewoner1.{area.id}@example.org")
                 if m.list_id == list_id(fqdn)]
        if not found:
            return None
        token = tokens.sign(self.secret(), tokens.PREFERENCES, (list_id(fqdn), found[0].member_id))
        return tokens.link(state.url, tokens.PREFERENCES, token)

    def stop(self) -> bool:
        state = self.read_state()
        ran = False
        if state is not None and _is_ours(state):
            ran = True
            os.kill(state.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10.0
            while _is_ours(state) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _is_ours(state):
                os.kill(state.pid, signal.SIGKILL)
        (self.state_dir / STATE_FILE).unlink(missing_ok=True)
        return ran


def _is_ours(state: WebState) -> bool:
    """Alive, and the command line is ``binsite ... web --port PORT`` (a reused pid is not ours)."""
    try:
        stat = Path(f"/proc/{state.pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
            return False
        args = Path(f"/proc/{state.pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return False
    return "binsite" in args and "web" in args and str(state.port) in args


def _public_web_url(root: Path) -> str:
    from binsite.source.config import load_config

    config, _problems = load_config(root)
    return config.web_url if config is not None else ""


def main(argv: list[str]) -> int:
    lang = current_language()
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else Path.cwd()
    web = LocalWeb(root)
    command = argv[0] if argv else "status"
    try:
        if command == "start":
            state = web.start()
            print(t("Webdienst voor bewoners: {u} (aanmelden: {u}aanmelden/<gebied>/; log: {f})",
                    "Residents' web service: {u} (join: {u}aanmelden/<area>/; log: {f})",
                    u=state.url, f=web.state_dir / LOG_FILE).get(lang))
            public = _public_web_url(root)
            if public and public != state.url:
                print(t("De links in de mail wijzen naar {p}; in deze demo werken ze als u dat begin vervangt door {u}.",
                        "The links in the mail point at {p}; in this demo they work with that start replaced by {u}.",
                        p=public, u=state.url).get(lang))
            example = web.example_link(state)
            if example:
                print(t("Voorkeuren van een verzonnen bewoner: {l}", "Preferences of an invented resident: {l}",
                        l=example).get(lang))
        elif command == "stop":
            if web.stop():
                print(t("Webdienst gestopt.", "Web service stopped.").get(lang))
        elif command == "status":
            state = web.running()
            print(t("Webdienst draait op {u}", "Web service runs on {u}", u=state.url).get(lang) if state else
                  t("Webdienst draait niet.", "Web service is not running.").get(lang))
        else:
            print("usage: python -m binsite.devtools.local_web start|stop|status [--root DIR]", file=sys.stderr)
            return 2
    except BinsiteError as exc:
        print(t("fout: {m}", "error: {m}", m=exc.message(lang)).get(lang), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
