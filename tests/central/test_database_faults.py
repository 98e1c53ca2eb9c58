"""central.database under concurrency and faults: the same record put from 8 threads at once
(one row, one seq), PostgreSQL restarted or stopped under it, a deadlock, a busy SQLite file:
each a DatabaseUnavailable (never a driver error), after which it works again."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from central.database import DatabaseUnavailable, open_database
from central.db_sqlite import SqliteDatabase, sqlite_url
from tests.central.test_database import db, put, url  # noqa: F401  (fixtures)

SECRET = "Pw-n0t-for-logs"


def test_same_record_from_8_threads_50_times(db):  # noqa: F811
    sid = db.add_station("a", "ha")
    blobs = {"ab" * 32: 3}
    db.insert_blob(sid, "ab" * 32, 3)
    barrier = threading.Barrier(8)

    def send(record_id: str):
        barrier.wait()
        return put(db, sid, record_id, blobs)

    with ThreadPoolExecutor(8) as pool:
        for n in range(50):
            outcomes = list(pool.map(send, [f"rec-{n}"] * 8))
            assert sum(o.created for o in outcomes) == 1, n
            assert len({o.row for o in outcomes}) == 1, n  # one seq, one receipt for all
    with db.read() as tx:
        rows, seqs = tx.execute("SELECT COUNT(*), COUNT(DISTINCT seq) FROM records").fetchone()
        (links,) = tx.execute("SELECT COUNT(*) FROM record_blobs").fetchone()
    assert (rows, seqs, links) == (50, 50, 50)


def _with_password(dsn: str) -> str:
    """The DSN with a password in it (the test cluster trusts its user, so it is unused by
    the server but present in everything the client holds)."""
    return dsn.replace("ektp_test@", f"ektp_test:{SECRET}@")


def test_postgres_restart_and_outage(pg, pg_dsn, caplog):
    caplog.set_level(logging.DEBUG)
    database = open_database(_with_password(pg_dsn), timeout=3)
    assert SECRET not in repr(database) and SECRET not in database.url
    try:
        database.migrate()
        sid = database.add_station("a", "ha")
        # restarted in the middle of a transaction: DatabaseUnavailable, nothing committed
        with pytest.raises(DatabaseUnavailable) as cut, database.transaction() as tx:
            tx.execute("INSERT INTO stations (name, token_hash, created_at) "
                       "VALUES (?, ?, ?)", ["b", "hb", "now"])
            pg.restart()
            tx.execute("SELECT 1")
        assert SECRET not in str(cut.value)
        # works again (on a loaded machine the pool may need a moment to reconnect)
        assert _eventually(lambda: database.station_by_name("b") or "none") == "none"
        # restarted between two operations: the pool replaces the broken connections
        pg.restart()
        assert _eventually(lambda: database.station_by_name("a")).id == sid
        # down: a prompt DatabaseUnavailable (no hang, no password), then back
        pg.stop()
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as down:
            database.station_by_name("a")
        assert time.monotonic() - started < 8
        assert SECRET not in str(down.value) and "***" in str(down.value)
        pg.start()
        assert _eventually(lambda: database.station_by_name("a")).id == sid
        assert database.add_station("c", "hc") > sid
    finally:
        if not pg.running():
            pg.start()
        database.close()
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


def _eventually(op, seconds: float = 15.0):
    """op() once the pool has reconnected (its retry backoff: at most a few seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return op()
        except DatabaseUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_postgres_deadlock_is_unavailable(pg_dsn):
    database = open_database(pg_dsn, timeout=5)
    try:
        database.migrate()
        a, b = database.add_station("a", "ha"), database.add_station("b", "hb")
        barrier = threading.Barrier(2)

        def cross(first: int, second: int) -> str:
            try:
                with database.transaction() as tx:
                    tx.execute("UPDATE stations SET public_key = 'k' WHERE id = ?", [first])
                    barrier.wait()
                    tx.execute("UPDATE stations SET public_key = 'k' WHERE id = ?", [second])
                return "committed"
            except DatabaseUnavailable as exc:
                return f"unavailable: {exc}"

        with ThreadPoolExecutor(2) as pool:
            results = sorted(pool.map(lambda p: cross(*p), [(a, b), (b, a)]))
        assert results[0] == "committed"
        assert results[1].startswith("unavailable:") and "deadlock" in results[1]
    finally:
        database.close()


def test_busy_sqlite_file_is_unavailable(tmp_path):
    url_ = sqlite_url(tmp_path / "central.db")
    holder = open_database(url_)
    holder.migrate()
    impatient = SqliteDatabase(url_, timeout=0.2)
    try:
        with holder.transaction():
            with pytest.raises(DatabaseUnavailable, match="locked"):
                impatient.add_station("a", "ha")
            assert impatient.list_stations() == []  # readers are not blocked (WAL)
        assert impatient.add_station("a", "ha") == 1
    finally:
        holder.close()
        impatient.close()


def test_status_change_writers_commit_in_cursor_order(db):  # noqa: F811
    """A second decision waits for the first writer's commit, so a station paging the feed
    never sees seq N+1 before N is committed (and then skips N for ever); readers don't wait."""
    sid = db.add_station("a", "ha")
    put(db, sid, "r1", {})
    put(db, sid, "r2", {})
    holding, release = threading.Event(), threading.Event()

    def first_writer() -> None:
        with db.transaction() as tx:
            db.lock_status_changes(tx)
            tx.execute("INSERT INTO status_changes (station, record_id, status, reason, at) "
                       "VALUES (?, 'r1', 'accepted', NULL, 'now')", [sid])
            holding.set()
            release.wait(10)

    first = threading.Thread(target=first_writer)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=db.set_status, args=("r2", "accepted", None))
    second.start()
    second.join(0.5)
    try:
        assert second.is_alive()  # waiting for the first writer
        assert db.status_changes(sid, 0, 10) == []  # readers are not blocked
    finally:
        release.set()
        first.join(10)
        second.join(10)
    assert [c.record_id for c in db.status_changes(sid, 0, 10)] == ["r1", "r2"]
