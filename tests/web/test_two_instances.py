"""Two service processes on one PostgreSQL database, as production runs them behind nginx.

Each instance is a real ``binsite web`` process (started here, on its own port);
both share one database of the session's PostgreSQL (tests/postgres_fixtures.py)
and the session's Mailman and sink. A browser is a ``requests`` session: cookies
of 127.0.0.1 go to either port, as a load balancer sends one browser to either.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import sqlalchemy as sa

from binsite import tokens
from binsite.devtools.local_mailman import free_port
from binsite.mailman.client import list_id
from binsite.store import schema
from deskweb import desk_site, login_mails, path_of, wait_login_link
from sitekit import poll
from tests.postgres_fixtures import fresh_database
from webkit import SECRET, csrf_of

pytestmark = pytest.mark.mailman


class Instance:
    def __init__(self, root, env: dict[str, str], log_path):
        self.root, self.env, self.log_path = root, env, log_path
        self.start()

    def start(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "binsite", "--root", str(self.root), "web",
                                         "--port", str(self.port)], env={**os.environ, **self.env},
                                        stdout=self.log, stderr=subprocess.STDOUT)
        poll(self._up, timeout=30, what=f"the service on port {self.port}")

    def running(self) -> bool:
        return self.process.poll() is None

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the service stopped: {self.process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def started_two(local_mailman, local_postgres, tmp_path_factory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("two")
    site = desk_site(local_mailman, folder, f"two{uuid.uuid4().hex[:8]}.bin.test.example", ("aa",))
    url = fresh_database(local_postgres)
    env = {**site.env, "BINSITE_DATABASE_URL": url, "BINSITE_LANG": "nl"}
    a, b = Instance(site.root, env, folder / "a.log"), Instance(site.root, env, folder / "b.log")
    try:
        yield site, a, b, sa.create_engine(url), env
    finally:
        a.kill()
        b.kill()


@pytest.fixture
def two(started_two) -> tuple:
    """The module's two instances, both running: a test that stopped them (the killed-instance
    test does) has them started again for the next, whichever order the tests run in."""
    _, a, b, _, _ = started_two
    for instance in (a, b):
        if not instance.running():
            instance.kill()   # closes its log
            instance.start()
    return started_two


def ask_link(browser: requests.Session, instance: Instance, mailman, address: str) -> str:
    count = len(login_mails(mailman, address)) + 1
    page = browser.get(instance.url + "/binco/").text
    assert browser.post(instance.url + "/binco/inloggen/", data={"email": address, "csrf": csrf_of(page)}).ok
    return path_of(wait_login_link(mailman, address, count))


def press(browser: requests.Session, instance: Instance, link: str) -> requests.Response:
    confirm = browser.get(instance.url + link).text
    return browser.post(instance.url + link, data={"csrf": csrf_of(confirm)}, allow_redirects=False)


def reset_limits(engine) -> None:
    with engine.begin() as conn:
        conn.execute(schema.rate_hits.delete())


def test_a_login_link_claimed_on_a_does_not_work_on_b(two, local_mailman):
    site, a, b, engine, _ = two
    reset_limits(engine)
    laptop = requests.Session()
    link = ask_link(laptop, a, local_mailman, site.binco("aa"))
    assert press(laptop, a, link).status_code == 302
    assert laptop.get(a.url + "/binco/aa/", allow_redirects=False).status_code == 200
    phone = requests.Session()   # another browser, through the other instance
    again = press(phone, b, link)
    assert again.status_code == 400
    assert phone.get(b.url + "/binco/aa/", allow_redirects=False).status_code == 302


def test_logging_out_everywhere_on_a_ends_the_session_held_on_b(two, local_mailman):
    site, a, b, engine, _ = two
    reset_limits(engine)
    laptop, phone = requests.Session(), requests.Session()
    first = ask_link(laptop, a, local_mailman, site.binco("aa"))
    assert press(laptop, a, first).status_code == 302
    second = ask_link(phone, b, local_mailman, site.binco("aa"))
    assert press(phone, b, second).status_code == 302
    assert phone.get(b.url + "/binco/aa/", allow_redirects=False).status_code == 200
    home = laptop.get(a.url + "/binco/").text
    done = laptop.post(a.url + "/binco/overal-uitloggen/", data={"csrf": csrf_of(home)})
    assert done.status_code == 200 and "Op elk apparaat" in done.text
    assert phone.get(b.url + "/binco/aa/", allow_redirects=False).status_code == 302
    assert phone.get(a.url + "/binco/aa/", allow_redirects=False).status_code == 302


def test_the_join_rate_limit_counts_the_requests_of_both(two):
    site, a, b, engine, _ = two
    reset_limits(engine)
    browser = requests.Session()
    codes = []
    for n in range(31):   # LIMITS["client"]: 30 form posts of one client a minute, on any instance
        instance = (a, b)[n % 2]
        page = browser.get(instance.url + "/aanmelden/aa/").text
        codes.append(browser.post(instance.url + "/aanmelden/aa/",
                                  data={"csrf": csrf_of(page), "email": "fout", "lives": "ja"}).status_code)
    assert 429 not in codes[:30] and codes[30] == 429
    for instance in (a, b):
        page = browser.get(instance.url + "/aanmelden/aa/").text
        refused = browser.post(instance.url + "/aanmelden/aa/", data={"csrf": csrf_of(page), "email": "fout"})
        assert refused.status_code == 429 and "Even geduld" in refused.text
    with engine.connect() as conn:
        keys = [row[0] for row in conn.execute(sa.select(schema.rate_hits.c.key))]
    assert keys and not any("127.0.0.1" in k for k in keys)


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that takes connections and never answers: a Mailman that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(50)
        yield sock.getsockname()[1]


def test_a_one_click_taken_by_a_killed_instance_is_finished_by_the_other_exactly_once(two, local_mailman, tmp_path):
    site, a, b, engine, env = two
    client = local_mailman.client()
    fqdn = site.members_list("aa")
    tag = uuid.uuid4().hex[:6]
    leaving, staying = f"weg.{tag}@res.{site.domain}", f"blijft.{tag}@res.{site.domain}"
    for address in (leaving, staying):
        client.subscribe(fqdn, address)
    member = next(m.member_id for m in client.memberships(leaving) if m.list_id == list_id(fqdn))
    token = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(fqdn), member))
    with silent_server() as port:
        hanging = Instance(site.root, {**env, "BINSITE_MAILMAN_URL": f"http://127.0.0.1:{port}/3.1",
                                       "BINSITE_SPOOL_LEASE": "3"}, tmp_path / "hanging.log")
        try:
            answer = requests.post(f"{hanging.url}/afmelden/{token}", data="List-Unsubscribe=One-Click",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert answer.status_code == 200 and "U bent afgemeld" in answer.text

            def claimed() -> bool:
                with engine.connect() as conn:
                    return conn.execute(sa.select(sa.func.count()).select_from(schema.spool)
                                        .where(schema.spool.c.owner.is_not(None))).scalar() == 1
            poll(claimed, timeout=20, what="the hanging instance to claim the unsubscribe")
            # The first instances would take it over too: stop them, so the killed one's claim is the test.
            a.kill()
            b.kill()
            hanging.kill()   # kill -9 while it waits on Mailman: its claim stays in the database
        finally:
            hanging.kill()
    assert client.member(fqdn, leaving) is not None     # not done yet
    survivor = Instance(site.root, {**env, "BINSITE_SPOOL_LEASE": "3"}, tmp_path / "survivor.log")
    try:
        poll(lambda: client.member(fqdn, leaving) is None, timeout=60, what="the survivor to finish the unsubscribe")

        def empty() -> bool:
            with engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(schema.spool)).scalar() == 0
        poll(empty, timeout=20, what="the spool to empty")
        assert client.member(fqdn, staying) is not None
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(schema.spool)).scalar() == 0
    finally:
        survivor.kill()
