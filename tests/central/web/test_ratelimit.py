"""The status page's rate limits (central/web/ratelimit.py) on BOTH backends: counted in the
database so every server process sees the same attempts, keyed by HMACs (no address or number
in the table), fixed windows whose ended counters are deleted."""

from __future__ import annotations

import threading

import pytest

from central.database import open_database
from central.web.ratelimit import Limit, RateLimiter, secret_from_key

SECRET = secret_from_key("test-key")
WINDOW = 600
T0 = 1_800_000_000.0  # a window boundary (a multiple of 600)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return request.getfixturevalue("pg_dsn")


@pytest.fixture
def opened(db_url):
    """open() -> a migrated Database on the test's database (one per "process")."""
    dbs = []

    def open_():
        db = open_database(db_url)
        db.migrate()
        dbs.append(db)
        return db

    yield open_
    for db in dbs:
        db.close()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _rows(db) -> list[tuple]:
    with db.read() as tx:
        return [tuple(r) for r in tx.execute(
            "SELECT key, window_start, hits FROM rate_counters ORDER BY key").fetchall()]


def test_each_limit_counts_on_its_own_and_refuses_past_its_most(opened):
    clock = Clock(T0 + 150)
    limiter = RateLimiter(opened(), SECRET, WINDOW, clock)
    ask = [Limit("client", "10.1.2.3", 5), Limit("regno", "627104-01-20261207-017", 2)]
    assert [limiter.hit(ask).allowed for _ in range(3)] == [True, True, False]
    refused = limiter.hit(ask)
    assert not refused.allowed and refused.retry_after == 450 and refused.minutes == 8
    # the address has used 4 of its 5; another number from it is still answered once
    assert limiter.hit([Limit("client", "10.1.2.3", 5), Limit("regno", "x", 2)]).allowed
    assert not limiter.hit([Limit("client", "10.1.2.3", 5)]).allowed
    assert limiter.hits("client", "10.1.2.3") == 6
    assert limiter.hit([Limit("client", "10.9.9.9", 5)]).allowed  # another address


def test_a_new_window_starts_afresh_and_ended_windows_are_deleted(opened):
    clock = Clock(T0 + 599)
    db = opened()
    limiter = RateLimiter(db, SECRET, WINDOW, clock)
    ask = [Limit("regno", "627104-01-20261207-017", 1)]
    assert limiter.hit(ask).allowed
    last = limiter.hit(ask)
    assert not last.allowed and last.retry_after == 1 and last.minutes == 1
    clock.now = T0 + WINDOW + 1
    assert limiter.hit(ask).allowed
    assert [(start, hits) for _, start, hits in _rows(db)] == [(T0 + WINDOW, 1)]


def test_the_table_holds_hmacs_never_the_address_or_the_number(opened):
    db = opened()
    RateLimiter(db, SECRET, WINDOW, Clock(T0)).hit(
        [Limit("client", "192.168.7.42", 5), Limit("regno", "627104-01-20261207-017", 5)])
    dump = repr(_rows(db))
    assert "192.168.7.42" not in dump and "627104" not in dump
    assert sorted(k.split(":")[0] for k, _, _ in _rows(db)) == ["client", "regno"]
    other = RateLimiter(db, secret_from_key("another server"), WINDOW, Clock(T0))
    assert other.key("client", "192.168.7.42") != RateLimiter(db, SECRET, WINDOW).key(
        "client", "192.168.7.42")


def test_processes_sharing_the_database_share_the_counts(opened):
    """Two limiters over two connections (two server processes): one allowance."""
    clock = Clock(T0 + 10)
    first = RateLimiter(opened(), SECRET, WINDOW, clock)
    second = RateLimiter(opened(), SECRET, WINDOW, clock)
    ask = [Limit("regno", "627104-01-20261207-017", 3)]
    assert [first.hit(ask).allowed, second.hit(ask).allowed, first.hit(ask).allowed,
            second.hit(ask).allowed] == [True, True, True, False]


def test_attempts_at_once_are_each_counted(opened):
    limiter = RateLimiter(opened(), SECRET, WINDOW, Clock(T0 + 1))
    ask = [Limit("client", "10.0.0.1", 10_000)]

    def burst():
        for _ in range(25):
            limiter.hit(ask)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.hits("client", "10.0.0.1") == 200


def test_attempts_arriving_together_share_a_write_and_are_judged_in_order(opened):
    """hit_async: 12 attempts at once on the event loop against a most of 5: exactly the
    first 5 are allowed, the counts are exact, and fewer writes than attempts were made."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    db = opened()
    limiter = RateLimiter(db, SECRET, WINDOW, Clock(T0 + 3))
    writes = []
    write = limiter._write
    limiter._write = lambda attempts: writes.append(len(attempts)) or write(attempts)

    async def burst():
        ask = [Limit("regno", "627104-01-20261207-017", 5)]
        return await asyncio.gather(*(limiter.hit_async(ask) for _ in range(12)))

    def run(coro):  # a thread of its own: the session's Playwright keeps a loop running here
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    verdicts = run(burst())
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 7
    assert limiter.hits("regno", "627104-01-20261207-017") == 12
    assert sum(writes) == 12 and len(writes) < 12
    assert run(burst())[0].allowed is False  # a new loop: the same counters
