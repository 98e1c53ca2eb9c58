"""Pacing: full-jitter backoff stays in its bounds; the send window grows and backs off."""

from __future__ import annotations

import random

from kiosk.sync.pacing import Window, full_jitter


def test_full_jitter_is_uniform_below_a_capped_exponential():
    rng = random.Random(1)
    for attempt in range(1, 40):
        ceiling = min(600.0, 1.0 * 2 ** (attempt - 1))
        delays = [full_jitter(attempt, 1.0, 600.0, rng) for _ in range(50)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the whole range, not clustered


def test_window_doubles_per_round_until_trouble_then_grows_by_one_per_round():
    w = Window(64)
    for _ in range(3):  # three rounds of all-successful sends
        for _ in range(w.slots):
            w.success()
    assert w.slots == 16
    w.congestion()
    assert w.slots == 8 and not w.slow_start
    for _ in range(8):
        w.success()
    assert w.slots == 8 or w.slots == 9
    for _ in range(100):
        w.congestion()
    assert w.slots == 1


def test_window_never_exceeds_its_ceiling():
    w = Window(6)
    for _ in range(100):
        w.success()
    assert w.slots == 6
