"""Delivery through a fault-injecting proxy: every saved record ends verified on the real
server exactly once, with identical bytes, whatever the link does. Each link test runs
against the embedded server and against the production cluster (two processes over
PostgreSQL and SeaweedFS behind HAProxy: `any_central`)."""

from __future__ import annotations

import time

import pytest
from faultproxy import FaultProxy, Faults
from harness import assert_delivered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _drain(store, timeout: float = 60.0) -> None:
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, timeout), engine.state()
    finally:
        engine.close()


FAULTS = {
    "latency": ({"latency": 0.05}, Faults()),
    "bandwidth": ({"bandwidth": 400_000}, Faults()),
    "reset_mid_body": ({}, Faults(reset=0.15)),
    "response_dropped_after_commit": ({}, Faults(drop_response=0.2)),
    "garbage_answers": ({}, Faults(garbage=0.15)),
    "tampered_receipts": ({}, Faults(tamper=0.5)),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_record_is_verified_once_with_identical_bytes_through_fault(
    name, any_central, station_of
):
    """Each fault alone: the station keeps going until all records are verified, exactly once."""
    link_kw, faults = FAULTS[name]
    with FaultProxy(any_central.port, faults=faults, seed=7, **link_kw) as proxy:
        store = station_of(any_central, 3, via=proxy.url)
        _drain(store)
        if faults != Faults():
            assert sum(proxy.stats.injected.values()) > 0, "the fault never fired"
    assert_delivered(store, any_central)


def test_busy_storm_is_waited_out_and_retry_after_honoured(any_central, station_of):
    """A 503 storm with Retry-After: nothing is sent again before Retry-After has passed."""
    with FaultProxy(any_central.port, faults=Faults(busy=0.2, retry_after=1),
                    seed=3) as proxy:
        store = station_of(any_central, 3, via=proxy.url)
        proxy.faults.storm_until = time.monotonic() + 1.5
        _drain(store)
        busy, reqs = list(proxy.stats.busy_sent), list(proxy.stats.requests)
    assert len(busy) >= 2
    for t in busy:
        # requests already on the wire when the 503 went out may arrive a moment later
        early = [r for r in reqs if t + 0.2 < r[0] < t + 0.8]
        assert not early, f"request {early[0]} sent {early[0][0] - t:.2f}s after a 503"
    assert_delivered(store, any_central)


def test_server_admission_control_slows_the_station_without_losing_anything(
    tmp_path, new_station
):
    """A real server with --max-inflight 1: the station's window shrinks, everything arrives."""
    from harness import CentralProcess, link, make_station

    server = CentralProcess(tmp_path / "tight", max_inflight=1)
    try:
        store = make_station(tmp_path / "st", 4, first=500, extra={"sync.max_parallel": 6})
        link(store, server.url, server.add_station("tight"))
        _drain(store)
        assert_delivered(store, server.data_dir)
        store.close()
    finally:
        server.stop()


fault_schedule = st.builds(
    Faults,
    reset=st.sampled_from([0.0, 0.05, 0.15]),
    drop_response=st.sampled_from([0.0, 0.05, 0.15]),
    busy=st.sampled_from([0.0, 0.05, 0.1]),
    garbage=st.sampled_from([0.0, 0.05, 0.1]),
    tamper=st.sampled_from([0.0, 0.2]),
)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(faults=fault_schedule, seed=st.integers(0, 1000), latency=st.sampled_from([0.0, 0.01]))
def test_random_fault_schedule_still_delivers_every_record_once(
    any_central, station_of, faults, seed, latency
):
    """Mixed faults (hypothesis): the same guarantee. Up to half of all requests fail here;
    before the client asked a cut request once more, a round that lost any of its ~8
    requests began again from the health check, and two records took 214 rounds and 77 s
    (reset 0.15 + drop 0.15 + garbage 0.1, seed 811); now 6 rounds, 2 s."""
    faults.retry_after = 1
    with FaultProxy(any_central.port, faults=faults, seed=seed, latency=latency) as proxy:
        store = station_of(any_central, 2, via=proxy.url)
        _drain(store, timeout=60)
    assert_delivered(store, any_central)
