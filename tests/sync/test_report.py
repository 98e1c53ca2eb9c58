"""The station's report of itself (PUT /v1/station/report): sent at its health contacts,
kept by the centre for the console; a server without the route (404) is asked once a link
and the station delivers as before."""

from __future__ import annotations

import datetime as dt
import sqlite3

from faultproxy import FaultProxy, Faults
from harness import assert_delivered

from kiosk.sync.client import REPORT_PATH
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from kiosk.sync.report import build_report


def _drain(store) -> None:
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60), engine.last_state.why_not_idle()
    finally:
        engine.close()


def _reports(central) -> dict[str, dict]:
    with sqlite3.connect(central.data_dir / "central.db") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT s.name, r.* FROM station_reports r "
                            "JOIN stations s ON s.id = r.station").fetchall()
    return {r["name"]: dict(r) for r in rows}


def test_a_station_reports_its_backlog_office_and_clock(central, new_station):
    store = new_station(3)
    report = build_report(store)
    assert report["waiting"] == 3 and report["recorded_today"] == 3
    assert dt.datetime.fromisoformat(report["oldest_unsent"]).tzinfo is not None
    _drain(store)
    name = next(n for n in _reports(central) if n.endswith("-1"))
    kept = _reports(central)[name]
    assert kept["office"] == store.settings["station.name"]
    assert kept["timezone"] == store.settings["station.timezone"]
    assert kept["kecamatan"] == store.settings["station.kecamatan"]
    assert kept["cap"] == store.cap_status().cap and kept["software"].startswith("ektp-kiosk")
    assert kept["waiting"] in (0, 3)  # sent at the first health contact, before delivery
    assert abs(kept["skew_seconds"]) < 60
    assert_delivered(store, central)


def test_a_server_without_reports_is_asked_once_and_delivery_goes_on(central, new_station):
    with FaultProxy(central.port, faults=Faults(not_found=(REPORT_PATH,))) as proxy:
        store = new_station(2, via=proxy.url)
        _drain(store)
        _drain(store)  # a second session: asked again once (the server may be upgraded)
        asked = [p for _, m, p in proxy.stats.requests if p == REPORT_PATH]
    assert len(asked) == 2
    assert_delivered(store, central)


def test_the_status_page_the_centre_names_reaches_the_receipts_setting(tmp_path):
    """Set up against a centre without a status page, the station learns the page the
    centre names later from a report's answer (and keeps it in its settings file)."""
    from harness import CentralProcess, link, make_station

    from kiosk.settings import Settings

    plain = CentralProcess(tmp_path / "central")
    store = make_station(tmp_path / "station", 1)
    try:
        link(store, plain.url, plain.add_station("kec-a"))
        assert store.settings["receipt.status_url"] == ""
        plain.stop()
        later = CentralProcess(tmp_path / "central", extra=(
            "--public-url", "https://cek.example.go.id/cek"))
        store.settings.set("sync.server_url", later.url)
        store.settings.save()
        _drain(store)
        assert store.settings["receipt.status_url"] == "https://cek.example.go.id/cek"
        assert Settings.load(store.settings.path)["receipt.status_url"] == \
            "https://cek.example.go.id/cek"
        later.stop()
    finally:
        store.close()
