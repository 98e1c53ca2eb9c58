"""The long-lived sync worker: waits on an event, stops on a flag, reports through one callback.

It opens its own Store (its own SQLite connection) in the thread that runs it, so the GUI's
connection is never shared across threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.domain.messages import DomainError
from kiosk.store.station import Store
from kiosk.sync.engine import SyncState
from kiosk.sync.link import open_engine

RETRY_CONFIG = 30.0  # seconds between looks for a set-up that was missing


class SyncWorker:
    """Run `run()` on a background thread; `wake()` after a save, `stop()` to finish."""

    def __init__(
        self, open_store: Callable[[], Store], on_state: Callable[[SyncState], None]
    ) -> None:
        self.open_store = open_store
        self.on_state = on_state
        self._stop = threading.Event()
        self._wake = threading.Event()

    def wake(self) -> None:
        """Look at the outbox now (a record was just saved, or the operator asked)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """The loop; returns once `stop()` was called and the current request finished."""
        store = self.open_store()
        try:
            while not self._stop.is_set():
                try:
                    engine = open_engine(store, self.on_state, self._stop)
                except DomainError as exc:
                    self.on_state(SyncState("unconfigured", store.backlog(), None, exc.msg.en))
                    self._sleep(RETRY_CONFIG)
                    continue
                try:
                    while not self._stop.is_set():
                        self._sleep(engine.step())
                finally:
                    engine.close()
        finally:
            store.close()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
