"""A sync round that fails for a reason other than the link (no data key, a database that
refuses writes) never raises out of `step()`: it is logged, reported as `stopped` with the
reason in words, backed off, and delivery resumes by itself once the cause is gone."""

from __future__ import annotations

import logging

from harness import assert_delivered

from kiosk.settings import Settings
from kiosk.store.keys import delete_secret, get_secret, set_secret
from kiosk.store.station import Store
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _fresh(store) -> Store:
    """What a newly started worker opens: its own Store, nothing cached."""
    return Store(store.data_dir, Settings.load(store.settings.path))


def test_a_missing_data_key_stops_delivery_in_words_and_it_resumes_when_restored(
    new_station, central
):
    store = new_station(2)
    name = f"data-key:{store.station_id}"
    key = get_secret(name)
    delete_secret(name)
    worker_store = _fresh(store)
    engine = open_engine(worker_store)
    try:
        delay = engine.step()
        st = engine.last_state
        assert st.link == "stopped" and delay > 0
        assert st.stopped is not None and "Kunci data" in st.stopped.id
        assert st.backlog["saved"] == 2 and st.backlog["uploading"] == 0
        assert [i["kind"] for i in store.incidents()].count("sync_stopped") == 1
        engine.step()
        assert [i["kind"] for i in store.incidents()].count("sync_stopped") == 1

        set_secret(name, key)
        assert run_until_idle(engine, 60)
        assert engine.last_state.link == "online" and engine.last_state.stopped is None
    finally:
        engine.close()
        worker_store.close()
    (stopped,) = [i for i in store.incidents() if i["kind"] == "sync_stopped"]
    assert stopped["ended_at"] is not None
    assert_delivered(store, central.data_dir)


def test_a_database_refusing_writes_is_logged_with_its_traceback_and_survived(
    new_station, central, caplog
):
    store = new_station(2)
    store.db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON outbox "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    engine = open_engine(store)
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk.sync"):
            engine.step()
        st = engine.last_state
        assert st.link == "stopped" and "disk I/O error" in st.detail
        assert "tak terduga" in st.stopped.id and "unexpected" in st.stopped.en
        # the person reads words; the exception's class and text stay in detail and the log
        assert "Error" not in st.stopped.id + st.stopped.en
        assert "disk I/O error" not in st.stopped.id + st.stopped.en
        assert any(r.exc_info and "disk I/O error" in str(r.exc_info[1])
                   for r in caplog.records)
        assert not st.idle

        store.db.execute("DROP TRIGGER refuse")
        assert run_until_idle(engine, 60)
    finally:
        engine.close()
    assert_delivered(store, central.data_dir)
