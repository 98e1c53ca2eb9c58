"""How hard to push: full-jitter exponential backoff and an AIMD send window."""

from __future__ import annotations

import random


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Delay before retry number `attempt` (1, 2, ...): uniform in [0, min(cap, base*2^(n-1))].

    Full jitter (AWS architecture blog, "Exponential Backoff and Jitter") spreads the retries
    of many stations that lost the server at the same moment."""
    ceiling = min(cap, base * (2 ** min(max(attempt - 1, 0), 30)))
    return rng.uniform(0, ceiling)


class Window:
    """Records in flight, between 1 and `ceiling`, grown and shrunk like TCP's window: slow
    start (+1 per success, so it doubles each round) until the first sign of trouble, then
    additive increase (+1/window per success); halved on 429/503 or a timeout."""

    def __init__(self, ceiling: int, start: float = 2.0) -> None:
        self.ceiling = max(1, ceiling)
        self.size = min(float(self.ceiling), max(1.0, start))
        self.slow_start = True

    @property
    def slots(self) -> int:
        return int(self.size)

    def success(self) -> None:
        step = 1.0 if self.slow_start else 1.0 / self.size
        self.size = min(float(self.ceiling), self.size + step)

    def congestion(self) -> None:
        self.slow_start = False
        self.size = max(1.0, self.size / 2.0)
