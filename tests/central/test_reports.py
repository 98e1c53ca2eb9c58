"""A station's report of itself (PUT /v1/station/report) and the status page's address the
server gives stations (in the report's answer and at set-up)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from central.app import create_app
from central.reports import latest_reports
from central.storage import CentralStore
from central.web.settings import WebSettings


def _client(tmp_path, url: str = "") -> TestClient:
    store = CentralStore(tmp_path / "central")
    client = TestClient(create_app(store=store, max_inflight=0,
                                   web=WebSettings(public_url=url)))
    client.store = store
    return client


def test_the_latest_report_is_kept_with_the_clock_difference(tmp_path):
    client = _client(tmp_path, "https://cek.example.go.id/cek")
    h = {"Authorization": f"Bearer {client.store.add_station('kec-a')}"}
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=7)
    r = client.put("/v1/station/report", headers=h, json={
        "station_time": ahead.isoformat(), "software": "0.1.0", "office": "Kecamatan Sabangau",
        "kecamatan": "627104", "timezone": "Asia/Jakarta", "cap": 40, "recorded_today": 12,
        "waiting": 3, "oldest_unsent": "2026-12-07T08:15:00+07:00", "incidents_open": 1})
    assert r.status_code == 200 and r.json() == {"status_url": "https://cek.example.go.id/cek"}
    client.put("/v1/station/report", headers=h, json={
        "station_time": dt.datetime.now(dt.UTC).isoformat(), "waiting": 0})
    (report,) = latest_reports(client.store.db).values()
    assert report["waiting"] == 0 and report["office"] is None  # the latest, whole
    assert abs(report["skew_seconds"]) < 5
    assert client.get("/v1/server-key", headers=h).json()["status_url"] == \
        "https://cek.example.go.id/cek"


def test_a_report_is_checked_and_needs_a_token(tmp_path):
    client = _client(tmp_path)
    h = {"Authorization": f"Bearer {client.store.add_station('kec-a')}"}
    now = dt.datetime.now(dt.UTC).isoformat()
    assert client.put("/v1/station/report", json={"station_time": now}).status_code == 401
    for bad in ({"station_time": "yesterday"}, {"station_time": 1733560000},
                {"station_time": "2026-12-07T08:00:00"},  # no offset: whose clock?
                {"station_time": now, "oldest_unsent": "174179"},  # not seconds since 1970
                {"station_time": "2026-12-07"}, {"station_time": "2026-12-07T08:00:00+0700"},
                {"station_time": now, "cap": -1}, {"station_time": now, "waiting": False},
                {"station_time": now, "kecamatan": "62710"}):
        assert client.put("/v1/station/report", json=bad, headers=h).status_code == 422, bad
    r = client.put("/v1/station/report", json={"station_time": now}, headers=h)
    assert r.json() == {"status_url": None}
    assert client.get("/v1/server-key", headers=h).json()["status_url"] is None


def test_the_documents_bounds_are_the_ones_the_server_keeps(tmp_path):
    """The schema says what is refused: a count's bounds are minimum/maximum (JSON Schema's
    words), so a client or fuzzer that reads the document never sends a count below 0."""
    schema = _client(tmp_path).get("/openapi.json").json()["components"]["schemas"]
    for name in ("cap", "recorded_today", "waiting", "incidents_open"):
        (count, _null) = schema["StationReport"]["properties"][name]["anyOf"]
        assert count["minimum"] == 0 and count["maximum"] == 1_000_000, (name, count)
        assert "ge" not in count and "le" not in count
