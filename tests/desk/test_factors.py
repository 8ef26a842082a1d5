"""The second factors' store (binsite/desk/factors.py) in the service's store, on SQLite and on the
real PostgreSQL the suite starts: what it keeps and how, a code or challenge that works once also
with two claims at once, the per-account limit on wrong codes across instances, the reset."""

from __future__ import annotations

import json
import threading

import pyotp
import pytest
import sqlalchemy as sa

from binsite.desk import factors
from binsite.desk.factors import Passkey, StoreFactors, person
from binsite.store import Store, schema

_opened: list[Store] = []


@pytest.fixture
def store(store_of_url):
    yield StoreFactors(store_of_url)
    while _opened:
        _opened.pop().dispose()


def other_instance(store: StoreFactors) -> StoreFactors:
    db = Store(store.store.url.render_as_string(hide_password=False))
    _opened.append(db)
    return StoreFactors(db)


def document(store: StoreFactors, who: str) -> str | None:
    with store.store.engine.connect() as conn:
        return conn.execute(sa.select(schema.second_factors.c.data)
                            .where(schema.second_factors.c.person == who)).scalar()


def test_a_person_is_a_role_and_a_digest_never_the_address(store, tmp_path) -> None:
    who = person("partner", " Agent@Politie.NL ")
    assert who == person("partner", "agent@politie.nl") != person("binco", "agent@politie.nl")
    store.set_totp(who, pyotp.random_base32(), factors.new_recovery_codes())
    assert "politie" not in who and "agent" not in who
    assert "politie" not in document(store, who)
    with pytest.raises(ValueError):
        person("operator", "a@b.nl")


def test_new_recovery_codes_replace_every_old_one_also_made_twice_at_once(store) -> None:
    who = person("partner", "c@d.nl")
    secret = pyotp.random_base32()
    old = factors.new_recovery_codes()
    store.set_totp(who, secret, old)
    assert store.use_recovery(who, old[0]) == "ok"
    # Two instances make new codes at the same moment: one set wins whole, never a mix.
    sets = [factors.new_recovery_codes() for _ in range(2)]
    stores = [store, other_instance(store)]
    threads = [threading.Thread(target=s.renew_recovery, args=(who, c)) for s, c in zip(stores, sets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.recovery_left(who) == 10 and store.totp_secret(who) == secret
    working = [c for c in (*sets[0], *sets[1]) if store.use_recovery(who, c) == "ok"]
    assert working in (sets[0], sets[1])
    assert all(store.use_recovery(who, c) == "wrong" for c in old), "no old code, used or not, works"
    raw = document(store, who)
    assert not any(c.replace("-", "") in raw for c in (*old, *sets[0], *sets[1]))


def test_recovery_codes_are_kept_as_digests_and_work_once(store) -> None:
    who = person("binco", "a@b.nl")
    codes = factors.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    store.set_totp(who, pyotp.random_base32(), codes)
    raw = document(store, who)
    assert not any(c in raw or c.replace("-", "") in raw for c in codes)
    assert store.use_recovery(who, codes[3].upper().replace("-", " ")) == "ok"  # typed in a hurry
    assert store.use_recovery(who, codes[3]) == "used"
    assert store.use_recovery(who, "aaaaa-bbbbb") == "wrong"
    assert store.use_recovery(who, "") == "wrong"
    assert store.recovery_left(who) == 9


def test_a_totp_step_is_claimed_once_even_by_two_at_once(store) -> None:
    who = person("partner", "a@b.nl")
    store.set_totp(who, pyotp.random_base32(), factors.new_recovery_codes())
    results = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim_totp_step(who, 123456, now=1000.0))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.claim_totp_step(who, 123457, now=1000.0)
    # Long after, the old step is forgotten (the code's window is long gone).
    assert store.claim_totp_step(who, 123456, now=1000.0 + factors.REMEMBER_SECONDS + 1)


def test_passkeys_counter_and_challenge(store) -> None:
    who = person("binco", "a@b.nl")
    store.add_passkey(who, Passkey("cred1", "key1", 5, "telefoon", 1.0))
    store.add_passkey(who, Passkey("cred2", "key2", 0, "laptop", 2.0))
    assert [k.name for k in store.passkeys(who)] == ["telefoon", "laptop"]
    assert store.use_passkey(who, "cred1", 5, 6, "c1")
    assert not store.use_passkey(who, "cred1", 5, 7, "c2"), "the counter moved on meanwhile"
    assert not store.use_passkey(who, "cred1", 6, 7, "c1"), "a challenge used before"
    assert store.claim_challenge(who, "c3") and not store.claim_challenge(who, "c3")
    assert store.remove_passkey(who, "cred1") and not store.remove_passkey(who, "cred1")
    assert [k.credential_id for k in store.passkeys(who)] == ["cred2"]
    for index in range(factors.MAX_PASSKEYS - 1):
        store.add_passkey(who, Passkey(f"more{index}", "k", 0, "x", 3.0))
    with pytest.raises(ValueError):
        store.add_passkey(who, Passkey("one-too-many", "k", 0, "x", 3.0))


def test_wrong_codes_are_limited_per_account_across_instances(store) -> None:
    who, other = person("partner", "a@b.nl"), person("partner", "c@d.nl")
    for _ in range(factors.FAILURES_ALLOWED):
        assert store.may_try(who, now=5000.0)
        store.failed(who, now=5000.0)
    assert not store.may_try(who, now=5001.0)
    assert store.may_try(other, now=5001.0)
    # A second instance on the same database sees the same count.
    assert not other_instance(store).may_try(who, now=5001.0)
    assert store.may_try(who, now=5000.0 + factors.FAILURE_WINDOW + 1)


def test_reset_removes_everything_and_a_broken_file_lets_nobody_in(store) -> None:
    who = person("binco", "a@b.nl")
    assert not store.has_factor(who) and not store.reset(who)
    store.add_passkey(who, Passkey("cred1", "key1", 0, "telefoon", 1.0))
    assert store.has_factor(who)
    assert store.reset(who)
    assert not store.has_factor(who) and store.passkeys(who) == []
    assert document(store, who) is None
    # A document that cannot be read counts as a factor held (never a silent bypass), with none to use.
    with store.store.engine.begin() as conn:
        conn.execute(schema.second_factors.insert().values(person=who, data="{torn", updated=1.0))
    assert store.has_factor(who) and store.passkeys(who) == [] and store.totp_secret(who) is None
    assert store.reset(who) and not store.has_factor(who)


def test_a_document_is_whole_json_and_seen_by_another_instance(store) -> None:
    who = person("binco", "a@b.nl")
    store.add_passkey(who, Passkey("cred1", "key1", 0, "telefoon", 1.0))
    assert json.loads(document(store, who))["passkeys"][0]["id"] == "cred1"
    elsewhere = other_instance(store)
    assert elsewhere.use_passkey(who, "cred1", 0, 1, "c9")
    assert not store.use_passkey(who, "cred1", 0, 1, "c10"), "the other instance moved the counter"
