"""The service's database unreachable or refusing writes (PostgreSQL: a database closed to new
connections, or made read-only, with its connections ended): Dutch pages without details,
nothing half-done, one-click requests refused with a clear page (never taken and then lost).

The desk and the residents' pages through Flask's test client, on a database of the
session's PostgreSQL; the same store on SQLite down is in tests/store/test_store.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from binsite import tokens
from binsite.mailman.client import list_id
from binsite.store import schema
from binsite.web.app import create_app
from binsite.web.desk import SESSION_COOKIE
from deskweb import desk_site, log_in, logged_in
from sitekit import poll
from tests.postgres_fixtures import fresh_database
from webkit import SECRET, csrf_of

pytestmark = pytest.mark.mailman

DETAILS = ("psycopg", "postgres", "sqlalchemy", "Traceback", "127.0.0.1:", "OperationalError", "binsite_test")


@pytest.fixture(scope="module")
def setup(local_mailman, local_postgres, tmp_path_factory):
    folder = tmp_path_factory.mktemp("down")
    domain = f"down{uuid.uuid4().hex[:8]}.bin.test.example"
    site = desk_site(local_mailman, folder, domain, ("aa",), config_extra=f"administrators:\n  - beheer@adm.{domain}\n")
    url = fresh_database(local_postgres)
    app = create_app(site.root, environ={**site.env, "BINSITE_DATABASE_URL": url})
    return site, app, url.rsplit("/", 1)[1], local_postgres


@contextmanager
def database(server, name: str, *, setting: str) -> Iterator[None]:
    """The database closed (``closed``) or read-only (``read-only``) for new connections, its
    current ones ended; as it was afterwards."""
    on, off = {"closed": (f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
                          f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'),
               "read-only": (f'ALTER DATABASE "{name}" SET default_transaction_read_only = on',
                             f'ALTER DATABASE "{name}" RESET default_transaction_read_only')}[setting]
    server.psql(on)
    server.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    try:
        yield
    finally:
        server.psql(off)
        server.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def no_details(text: str) -> None:
    for detail in DETAILS:
        assert detail not in text, detail


def copy_of_session(app, client):
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE, path="/binco/").value, path="/binco/")
    return copy


def rows(app, table: sa.Table) -> int:
    """How many rows ``table`` has, read on a fresh connection (the pool's were ended with the
    database's setting; the store's own methods run once more on a fresh one, this raw read not)."""
    engine = app.extensions["binsite"].store.engine
    engine.dispose()
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def spooled(app) -> int:
    return rows(app, schema.spool)


def test_a_read_only_database_records_no_logout_and_the_pages_say_so(setup, local_mailman):
    site, app, name, server = setup
    client = app.test_client()
    log_in(client, local_mailman, site.binco("aa"))
    home = client.get("/binco/").get_data(as_text=True)
    copy = copy_of_session(app, client)
    with database(server, name, setting="read-only"):
        failed = client.post("/binco/overal-uitloggen/", data={"csrf": csrf_of(home)})
        assert failed.status_code == 500 and "Er is niets veranderd" in failed.get_data(as_text=True)
        assert client.get("/binco/aa/").status_code == 200          # reading still works: still logged in
        out = client.post("/binco/uitloggen/", data={"csrf": csrf_of(home)})
        assert out.status_code == 500 and "kon dat niet vastleggen" in out.get_data(as_text=True)
        assert "binsite_binco=;" in " ".join(out.headers.getlist("Set-Cookie"))
        no_details(out.get_data(as_text=True))
        assert copy.get("/binco/aa/").status_code == 200              # as the page said
    assert rows(app, schema.ended_sessions) == 0


@pytest.mark.parametrize("door", ["/partner/", "/beheer/"])
def test_logging_out_everywhere_at_the_other_doors_on_a_read_only_database_changes_nothing(setup, local_mailman,
                                                                                          door):
    site, app, name, server = setup
    address = sorted(site.partners("aa"))[0] if door == "/partner/" else f"beheer@adm.{site.domain}"
    client = logged_in(app, local_mailman, address, door)
    home = client.get(door).get_data(as_text=True)
    before = rows(app, schema.ended_sessions)
    with database(server, name, setting="read-only"):
        failed = client.post(door + "overal-uitloggen/", data={"csrf": csrf_of(home)})
        text = failed.get_data(as_text=True)
        assert failed.status_code == 500 and "Overal uitloggen lukte niet" in text and "Er is niets veranderd" in text
        no_details(text)
        assert "=;" not in " ".join(failed.headers.getlist("Set-Cookie"))  # this browser's cookies kept
        assert "Overal uitloggen" in client.get(door).get_data(as_text=True)  # still logged in: the door's home
        # Logging out here: this browser is out, and the page says the server could not record it.
        out = client.post(door + "uitloggen/", data={"csrf": csrf_of(home)})
        assert out.status_code == 500 and "kon dat niet vastleggen" in out.get_data(as_text=True)
        assert "=;" in " ".join(out.headers.getlist("Set-Cookie"))
        no_details(out.get_data(as_text=True))
    assert rows(app, schema.ended_sessions) == before


def test_a_closed_database_gives_dutch_pages_without_details_and_takes_no_one_click(setup, local_mailman):
    site, app, name, server = setup
    client = local_mailman.client()
    fqdn = site.members_list("aa")
    leaving = f"weg.{uuid.uuid4().hex[:6]}@res.{site.domain}"
    client.subscribe(fqdn, leaving)
    member = next(m.member_id for m in client.memberships(leaving) if m.list_id == list_id(fqdn))
    token = tokens.sign(SECRET, tokens.UNSUBSCRIBE, (list_id(fqdn), member))
    browser = app.test_client()
    log_in(browser, local_mailman, site.binco("aa"))
    join = app.test_client()
    form = join.get("/aanmelden/aa/").get_data(as_text=True)
    with database(server, name, setting="closed"):
        one_click = app.test_client().post(f"/afmelden/{token}", data="List-Unsubscribe=One-Click",
                                           content_type="application/x-www-form-urlencoded")
        text = one_click.get_data(as_text=True)
        assert one_click.status_code == 503 and "niets veranderd en niets bewaard" in text
        assert "U bent afgemeld" not in text
        no_details(text)
        desk = browser.get("/binco/aa/")
        assert desk.status_code == 503 and "Even niet beschikbaar" in desk.get_data(as_text=True)
        no_details(desk.get_data(as_text=True))
        joined = join.post("/aanmelden/aa/", data={"csrf": csrf_of(form), "email": f"nieuw@res.{site.domain}",
                                                   "lives": "ja"})
        assert joined.status_code == 503 and "nieuw@" not in joined.get_data(as_text=True)
        assert app.test_client().get("/").status_code == 200          # what needs no database still works
    # Nothing was taken that is not done: the member is still there, the spool is empty.
    assert spooled(app) == 0 and client.member(fqdn, leaving) is not None
    # The database back: the same request is taken and done, and the desk opens again.
    again = app.test_client().post(f"/afmelden/{token}", data="List-Unsubscribe=One-Click",
                                   content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200
    poll(lambda: client.member(fqdn, leaving) is None, timeout=30, what="the unsubscribe after the database is back")
    assert browser.get("/binco/aa/").status_code == 200
