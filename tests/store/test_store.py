"""binsite.store: the web edge's database, the same tests on SQLite and on the real PostgreSQL
the suite starts (``database_url`` is parametrised: tests/postgres_fixtures.py)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from binsite.desk import sessions
from binsite.errors import BinsiteError, StoreUnavailable
from binsite.store import Store, digest, schema
from binsite.web.ratelimit import RateLimiter, SharedCounts

NOW = 1_800_000_000.0
HOUR = 3600.0


@pytest.fixture
def store(store_of_url):
    return store_of_url


_opened: list[Store] = []


@pytest.fixture(autouse=True)
def _close_others():
    """The stores a test opened give back their connections (the session's PostgreSQL is shared)."""
    yield
    while _opened:
        _opened.pop().dispose()


def other(store: Store) -> Store:
    """A second instance's store on the same database (its own pool, its own owner)."""
    made = Store(store.url.render_as_string(hide_password=False))
    _opened.append(made)
    return made


def shared(db: Store, bucket: str, limit: int, window: float, *, secret: bytes = b"",
           clock=time.time) -> RateLimiter:
    """The service's limiter: counted in the database, on the wall clock."""
    return RateLimiter(limit, window, store=SharedCounts(db, bucket, secret=secret), clock=clock)


def rows(store: Store, table: sa.Table) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table))]


def test_the_schema_is_made_once_and_upgrading_again_changes_nothing(store):
    assert store.revision() == "0004"
    store.spool_add("l.bin.test", "m1")
    store.upgrade()
    again = other(store)
    again.upgrade()
    assert again.revision() == "0004" and again.spool_pending() == 1


def test_two_instances_upgrading_at_once_both_end_on_the_newest_schema(database_url):
    stores = [Store(database_url) for _ in range(3)]
    _opened.extend(stores)
    errors: list[BaseException] = []

    def up(s: Store) -> None:
        try:
            s.upgrade()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=up, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and {s.revision() for s in stores} == {"0004"}


def test_a_claim_wins_once_on_any_instance_and_of_many_at_once_exactly_one(store):
    assert store.claim("login", "d1") and not store.claim("login", "d1")
    assert not other(store).claim("login", "d1")
    assert store.claim("login", "d2") and store.claim("other", "d1")   # kinds and digests apart
    wins: list[bool] = []
    stores = [other(store) for _ in range(6)]
    threads = [threading.Thread(target=lambda s=s: wins.append(s.claim("login", "race"))) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]


def test_a_logged_out_session_ends_on_every_instance_and_no_other(store):
    sessions.end_session(store, "s1", at=NOW - 60)
    b = other(store)
    ended = lambda s, sid, addr="binco@example.org", started=NOW - HOUR: sessions.has_ended(  # noqa: E731
        s, addr, sid, started, now=NOW, lifetime=10 * HOUR)
    assert ended(b, "s1") and not ended(b, "s2")
    # Digests only: neither the session id nor the address is in the database.
    assert "s1" not in repr(rows(store, schema.ended_sessions)).replace("'ended'", "")


def test_everywhere_ends_the_sessions_begun_before_it_for_that_address_only(store):
    sessions.end_every_session(store, "BINCO@example.org ", at=NOW - 60)
    ended = lambda sid="s", addr="binco@example.org", started=NOW - 61: sessions.has_ended(  # noqa: E731
        other(store), addr, sid, started, now=NOW, lifetime=10 * HOUR)
    assert ended(started=NOW - 61) and ended(started=NOW - 60)
    assert not ended(started=NOW - 59)                                     # a login after it
    assert not ended(addr="ander@example.org")
    assert "example.org" not in repr(rows(store, schema.ended_sessions))
    # Older than a session's lifetime: no longer counts.
    sessions.end_session(store, "old", at=NOW - 11 * HOUR)
    assert not sessions.has_ended(store, "x@example.org", "old", NOW - 12 * HOUR, now=NOW, lifetime=10 * HOUR)


def test_tidying_forgets_only_what_no_longer_counts(store):
    store.end_session("old", at=NOW - 49 * HOUR)
    store.end_session("recent", at=NOW - 47 * HOUR)
    store.claim("login", "old", at=NOW - 25 * HOUR)
    store.claim("login", "recent", at=NOW - HOUR)
    store.hit("k", 5, HOUR, now=NOW - 25 * HOUR)
    store.hit("k2", 5, HOUR, now=NOW - 10)
    store.tidy(now=NOW)
    assert [r[2] for r in rows(store, schema.ended_sessions)] == ["recent"]
    assert [r[1] for r in rows(store, schema.claims)] == ["recent"]
    assert len(rows(store, schema.rate_hits)) == 1
    assert not store.claim("login", "recent") and store.claim("login", "old")


def test_the_rate_limit_is_one_sliding_count_across_instances(store):
    now = [NOW]
    a = shared(store, "join", 3, 60.0, clock=lambda: now[0])
    b = shared(other(store), "join", 3, 60.0, clock=lambda: now[0])
    assert a.hit("client:192.0.2.7") and b.hit("client:192.0.2.7") and a.hit("client:192.0.2.7")
    assert not b.hit("client:192.0.2.7") and not a.hit("client:192.0.2.7")
    assert b.hit("client:192.0.2.8")                                       # another key
    assert shared(store, "token", 3, 60.0, clock=lambda: now[0]).hit("client:192.0.2.7")  # another bucket
    now[0] += 30
    assert not a.hit("client:192.0.2.7")                                   # still within the window
    now[0] += 31
    assert b.hit("client:192.0.2.7")                                       # the first hits left it
    # The key is kept as a keyed digest: no client address in the database, and no plain hash
    # of one either (the whole IPv4 space can be hashed in minutes).
    kept = repr(rows(store, schema.rate_hits))
    assert "192.0.2" not in kept and digest("join\x1fclient:192.0.2.7") not in kept
    keyed = shared(store, "join", 3, 60.0, secret=b"s" * 32, clock=lambda: now[0])
    assert keyed.hit("client:192.0.2.7")                                   # another secret, another count


def test_many_hits_at_once_from_two_instances_allow_exactly_the_limit(store):
    limiters = [shared(s, "client", 25, 60.0) for s in (store, other(store))]
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter: RateLimiter) -> None:
        for _ in range(10):
            ok = limiter.hit("client:198.51.100.1")
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer, args=(limiters[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 60 and allowed.count(True) == 25


def test_a_spool_entry_is_taken_by_one_instance_and_taken_over_after_the_lease(store):
    store.spool_add("noord.bin.test", "m1", at=NOW)
    b = Store(store.url.render_as_string(hide_password=False), lease=60.0)
    _opened.append(b)
    taken = store.spool_take(now=NOW)
    assert [(e.list_id, e.member_id) for e in taken] == [("noord.bin.test", "m1")]
    assert b.spool_take(now=NOW + 59) == []              # A holds it (alive, within the lease)
    again = b.spool_take(now=NOW + 61)                   # A was killed: B takes it over
    assert [e.id for e in again] == [taken[0].id]
    store.spool_release(taken[0])                        # A's late release does not undo B's claim
    assert store.spool_take(now=NOW + 62) == []
    b.spool_done(again[0])
    assert store.spool_pending() == 0 and b.spool_pending() == 0


def test_a_released_entry_goes_back_to_any_instance(store):
    store.spool_add("noord.bin.test", "m1")
    entry, = store.spool_take()
    store.spool_release(entry)
    assert [e.id for e in other(store).spool_take()] == [entry.id]


def test_two_instances_draining_at_once_never_take_one_entry_twice(store):
    for n in range(60):
        store.spool_add("noord.bin.test", f"m{n}")
    seen: list[int] = []
    lock = threading.Lock()

    def drain(s: Store) -> None:
        while True:
            entries = s.spool_take(limit=5)
            if not entries:
                return
            with lock:
                seen.extend(e.id for e in entries)
            for entry in entries:
                s.spool_done(entry)

    threads = [threading.Thread(target=drain, args=(other(store),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 60 and len(set(seen)) == 60 and store.spool_pending() == 0


def test_an_unreachable_database_is_a_clear_dutch_error_without_details(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'missing-folder' / 'web.sqlite'}"
    else:
        url = database_url.rsplit("@", 1)[0] + "@127.0.0.1:9/binsite"   # nothing listens on port 9
    down = Store(url)
    for attempt in (down.upgrade, lambda: down.claim("login", "x"), down.spool_pending,
                    lambda: down.hit("k", 1, 1.0)):
        with pytest.raises(StoreUnavailable) as raised:
            attempt()
        text = raised.value.message("nl")
        assert "database van de dienst is niet bereikbaar" in text and "niets veranderd" in text
        assert "127.0.0.1" not in text and "missing-folder" not in text


def test_a_url_that_is_no_database_url_says_so():
    with pytest.raises(BinsiteError) as raised:
        Store("geen database")
    assert "BINSITE_DATABASE_URL is geen database-adres" in raised.value.message("nl")


def test_the_repr_never_shows_the_password():
    assert "geheim" not in repr(Store("postgresql+psycopg://binsite:geheim@db.example/binsite"))


def test_an_unsubscribe_counts_its_hit_and_spools_in_one_transaction_across_instances(store):
    """The one-click path: the token's hit and the spool entry commit together; over the limit
    (counted on either instance) nothing is spooled and nothing more is counted."""
    limiter = shared(store, "token", 3, HOUR, secret=b"k")
    second = shared(other(store), "token", 3, HOUR, secret=b"k")
    added = [(limiter if n % 2 else second).store.database.spool_add(
        "noord.bin.test", f"m{n}", limit=(limiter if n % 2 else second).in_database("leave:abc")) for n in range(5)]
    assert added == [True, True, True, False, False]
    assert store.spool_pending() == 3
    assert not limiter.hit("leave:abc")                  # the same count as a plain hit
    assert limiter.hit("leave:other")
    assert RateLimiter(3, HOUR).in_database("x") is None  # an in-process limiter counts in memory


def test_a_connection_the_server_closed_is_replaced_and_the_transaction_runs_once(store):
    """No pre-ping: a pooled connection that PostgreSQL ended (a restart, an idle timeout) fails
    its first statement; that transaction runs once more on a fresh connection, done exactly once."""
    if store.sqlite:
        assert store.spool_add("noord.bin.test", "m0") and store.spool_pending() == 1
        return
    assert store.spool_pending() == 0                    # a pooled connection now exists
    with store.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = other(store)
    with killer.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar() is True
    assert store.spool_add("noord.bin.test", "m1")
    assert store.spool_pending() == 1 and [e.member_id for e in store.spool_take()] == ["m1"]
