"""Helpers of the browser desk's tests: a synced site with a git remote, the app on it, a logged-in client."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from binsite.devtools.sink import read_maildir
from binsite.mailman.sync import sync
from sitekit import area, poll, write_site
from tests.desk.deskkit import DeskNetwork
from tests.mailman_fixtures import RunningMailman
from webkit import csrf_of, environ

HREF = re.compile(r"https?://[^\s]+/(?:binco|partner|beheer)/inloggen/[A-Za-z0-9_\-.]+")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@dataclass(frozen=True)
class DeskSite(DeskNetwork):
    """A synced site (its lists, partners and residents as ``DeskNetwork`` names them) with
    a git remote and the web service's environment."""

    remote: Path = Path()
    env: dict = field(default_factory=dict)

    def binco(self, area_id: str) -> str:
        return f"binco.{area_id}@coord.{self.domain}"


def desk_site(mailman: RunningMailman, folder: Path, domain: str, area_ids: tuple[str, ...], *,
              web_url: str = "http://127.0.0.1/", config_extra: str = "",
              area_extra: dict[str, dict] | None = None, second_factor: str | None = "optional") -> DeskSite:
    """``config_extra``: more of binsite.yaml (``partners:``); ``area_extra``: more keys per area;
    ``second_factor``: the policy of every role (None: binsite's defaults, partners and administrators
    required)."""
    root = write_site(folder / "site", domain, {a: {**area(a.capitalize(), domain, a, partners=2),
                                                    **(area_extra or {}).get(a, {})} for a in area_ids})
    with (root / "binsite.yaml").open("a", encoding="utf-8") as config:
        config.write(f"web_url: {web_url}\n{config_extra}")
        if second_factor is not None:
            config.write(f"second_factor: {second_factor}\n")
    sync(root, mailman.settings)
    remote = folder / "bin.git"
    git(folder, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Seed", "-c", "user.email=seed@example.org", "commit", "--quiet", "-m", "seed")
    git(root, "push", "--quiet", str(remote), "main")
    env = environ(mailman_url=mailman.settings.url, user=mailman.settings.user, password=mailman.settings.password,
                  smtp_port=mailman.state.smtp_port, BINSITE_GIT_REMOTE=str(remote),
                  BINSITE_GIT_WORKDIR=str(folder / "service-clone"),
                  BINSITE_LMTP=mailman.settings.environment()["BINSITE_LMTP"])
    return DeskSite(root, domain, area_ids, remote, env)


@contextmanager
def served_desk(mailman: RunningMailman, folder: Path, domain: str, area_ids: tuple[str, ...],
                **site_options) -> Iterator[tuple[DeskSite, str]]:
    """A desk site served on a free port (for Chromium): ``(site, base URL)``."""
    from binsite.devtools.local_mailman import free_port
    from binsite.web.app import create_app
    from binsite.web.server import serve_in_thread

    port = free_port()
    host = site_options.pop("host", "127.0.0.1")  # "localhost" for passkeys: an IP address is no RP ID
    site = desk_site(mailman, folder, domain, area_ids,
                     web_url=f"http://{host}:{port}/", **site_options)
    app = create_app(site.root, environ=site.env)
    server = serve_in_thread(app, port=port)
    _SERVED[f"http://{host}:{port}"] = app
    try:
        yield site, f"http://{host}:{port}"
    finally:
        _SERVED.pop(f"http://{host}:{port}", None)
        server.shutdown()


_SERVED: dict[str, object] = {}


def reset_limits(base: str) -> None:
    """The served app's rate limits back to zero (a browser test's logins all come from 127.0.0.1)."""
    for limiter in _SERVED[base].extensions["binsite"].limiters.values():
        limiter.reset()


def login_mails(mailman: RunningMailman, address: str) -> list[str]:
    """The login links mailed to ``address`` so far, oldest first."""
    found = []
    for delivered in read_maildir(mailman.maildir):
        if address in delivered.envelope_to:
            body = delivered.message.get_body(("plain",))
            found += HREF.findall(body.get_content() if body is not None else "")
    return found


def wait_login_link(mailman: RunningMailman, address: str, count: int = 1, timeout: float = 20.0) -> str:
    def enough() -> list[str] | None:
        links = login_mails(mailman, address)
        return links if len(links) >= count else None
    return poll(enough, timeout=timeout, interval=0.1, what=f"login link {count} for {address}")[count - 1]


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def log_in(client, mailman: RunningMailman, address: str, *, door: str = "/binco/") -> None:
    """Ask for a link at ``door`` (the BINCO's, ``/partner/`` or ``/beheer/``), take it from the sink, press
    the button: the client is logged in."""
    for limiter in client.application.extensions["binsite"].limiters.values():
        limiter.reset()  # the tests all come from 127.0.0.1, within one minute
    before = len(login_mails(mailman, address))
    page = client.get(door).get_data(as_text=True)
    sent = client.post(door + "inloggen/", data={"email": address, "csrf": csrf_of(page)})
    assert sent.status_code == 200
    link = path_of(wait_login_link(mailman, address, before + 1))
    confirm = client.get(link).get_data(as_text=True)
    done = client.post(link, data={"csrf": csrf_of(confirm)})
    assert done.status_code == 302, done.get_data(as_text=True)


def logged_in(app, mailman: RunningMailman, address: str, door: str = "/binco/"):
    """A new test client of ``app``, logged in at ``door`` with a mailed link."""
    client = app.test_client()
    log_in(client, mailman, address, door=door)
    return client


def check_logout_everywhere(app, mailman: RunningMailman, address: str, someone_else: str, door: str,
                            inside: str) -> None:
    """"Overal uitloggen" at ``door``: from the laptop, every session of ``address`` ends (the
    phone's too: ``inside``, a page behind the door, answers 302 to the login page or 403), the
    session of ``someone_else`` at the same door lives on; without CSRF nothing ends."""
    def opens(client) -> bool:
        answer = client.get(inside)
        assert answer.status_code in (200, 302, 403), answer.status_code
        return answer.status_code == 200

    phone, laptop, other = (logged_in(app, mailman, a, door) for a in (address, address, someone_else))
    assert opens(phone) and opens(laptop) and opens(other)
    home = laptop.get(door).get_data(as_text=True)
    assert "Overal uitloggen" in home and f'action="{door}overal-uitloggen/"' in home
    # Without the CSRF field, or forged, or not logged in: refused, nothing ended.
    assert laptop.post(door + "overal-uitloggen/", data={}).status_code == 403
    assert laptop.post(door + "overal-uitloggen/", data={"csrf": "0" * 64}).status_code == 403
    assert app.test_client().post(door + "overal-uitloggen/", data={"csrf": csrf_of(home)}).status_code == 403
    assert opens(phone) and opens(laptop)
    done = laptop.post(door + "overal-uitloggen/", data={"csrf": csrf_of(home)})
    assert done.status_code == 200 and "Op elk apparaat" in done.get_data(as_text=True)
    assert not opens(phone) and not opens(laptop)
    assert "inloggen/" in phone.get(door).get_data(as_text=True)  # the login page again
    assert opens(other)  # another person's session at this door lives on
    log_in(phone, mailman, address, door=door)  # a login after it is a new session that works
    assert opens(phone)


def at_once(presses) -> list[tuple[int, str]]:
    """Run the callables ``presses`` (each posts one form and returns the response) in threads
    released together by a barrier; their ``(status, text)`` answers, in the order they finished."""
    import threading

    together = threading.Barrier(len(presses))
    answers: list[tuple[int, str]] = []

    def run(press) -> None:
        together.wait()
        done = press()
        answers.append((done.status_code, done.get_data(as_text=True)))

    threads = [threading.Thread(target=run, args=(press,)) for press in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
