"""`kiosk sync --until-idle` is idle only when nothing is queued *and* a full reconciliation
succeeded since it started; its exit status says which (0 idle, 1 not, 2 set-up error)."""

from __future__ import annotations

import json
import sqlite3
import subprocess

from faultproxy import FaultProxy, Faults
from harness import KIOSK, assert_delivered, record_ids

from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _sync(store_dir, config, env, *args):
    return subprocess.run(
        [KIOSK, "sync", "--data-dir", str(store_dir), "--config", str(config), *args],
        env=env, capture_output=True, text=True, timeout=120)


def test_a_failed_first_reconciliation_is_not_idle_and_the_next_run_heals_the_server(
    subprocess_env, new_station, central
):
    """The server lost two records behind the station's back and the reconciliation's answer
    is dropped: the outbox is empty, yet --until-idle exits 1 saying why; once the link
    lets the answer through, the lost records are re-sent and it exits 0."""
    store = new_station(3)
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
    finally:
        engine.close()
    lost = record_ids(store)[:2]
    conn = sqlite3.connect(central.data_dir / "central.db")
    for rid in lost:
        conn.execute("DELETE FROM record_blobs WHERE record_id = ?", [rid])
        conn.execute("DELETE FROM records WHERE record_id = ?", [rid])
    conn.commit()
    conn.close()

    with FaultProxy(central.port, faults=Faults(drop_answer_to=("/v1/reconcile",))) as proxy:
        store.settings.set("sync.server_url", proxy.url)
        store.settings.save()
        data, config = store.data_dir, store.settings.path
        store.close()
        done = _sync(data, config, subprocess_env, "--until-idle", "--timeout", "3", "--json")
        assert done.returncode == 1, done.stdout + done.stderr
        result = json.loads(done.stdout)
        assert not result["ok"] and not result["reconciled"]
        assert result["backlog"]["verified"] == 3 and result["backlog"]["saved"] == 0
        assert any("rekonsiliasi" in w and "reconciliation" in w for w in result["why"])
        assert proxy.stats.injected.get("drop_answer_to", 0) >= 1

        proxy.faults.drop_answer_to = ()
        done = _sync(data, config, subprocess_env, "--until-idle", "--timeout", "60", "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["reconciled"]

    from kiosk.settings import Settings
    from kiosk.store.station import Store

    with Store(data, Settings.load(config)) as again:
        assert len([i for i in again.incidents()
                    if i["kind"] == "record_missing_on_server"]) == 2
        assert_delivered(again, central.data_dir)


def test_set_up_errors_exit_2_with_a_sentence(subprocess_env, tmp_path):
    """No station here, no server link set up, or a settings file that cannot be used:
    exit 2, no traceback (sync makes no station: issue 12)."""
    from kiosk.settings import Settings
    from kiosk.store.station import Store

    data = tmp_path / "fresh"
    data.mkdir()
    (data / "settings.toml").write_text("")
    done = _sync(data, data / "settings.toml", subprocess_env, "--until-idle")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Belum ada basis data stasiun" in done.stderr and "Traceback" not in done.stderr
    assert not (data / "station.db").exists()

    Store(data, Settings.load(data / "settings.toml")).close()  # a station, never linked
    done = _sync(data, data / "settings.toml", subprocess_env, "--until-idle")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "kiosk setup central" in done.stderr and "Traceback" not in done.stderr

    (data / "settings.toml").write_text('[sync]\nbackoff_base = "soon"\n')
    done = _sync(data, data / "settings.toml", subprocess_env, "--once")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "backoff_base" in done.stderr and "Traceback" not in done.stderr


def test_sync_help_documents_the_exit_statuses():
    out = subprocess.run([KIOSK, "sync", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for line in ("0  --until-idle: idle", "1  not idle", "2  set-up error"):
        assert line in out.stdout
