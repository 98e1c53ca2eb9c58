"""The long-lived sync worker: waits on an event, stops on a flag, reports through one callback.

It opens its own Store (its own SQLite connection) in the thread that runs it, so the GUI's
connection is never shared across threads. It never ends before `stop()`: a failure the engine
does not already absorb (the store cannot be opened, say) is logged with its traceback,
reported as the state `stopped` with the reason, and retried with a growing delay.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from kiosk.domain.messages import DomainError
from kiosk.store.station import Store
from kiosk.sync.engine import STOPPED, SyncState
from kiosk.sync.link import open_engine
from kiosk.sync.state import stopped_words

log = logging.getLogger(__name__)

RETRY_CONFIG = 30.0  # seconds between looks for a set-up that was missing
RETRY_FIRST, RETRY_LONGEST = 2.0, 300.0  # after a failure outside the engine's rounds
PAUSED = "paused"


class _Halt:
    """The engine's stop flag: raised while the worker stops or is paused (the engine only
    asks `is_set()`, between requests, so a pause lets the records in flight finish)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class SyncWorker:
    """Run `run()` on a background thread; `wake()` after a save, `stop()` to finish."""

    def __init__(
        self, open_store: Callable[[], Store], on_state: Callable[[SyncState], None]
    ) -> None:
        self.open_store = open_store
        self.on_state = on_state
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pause = threading.Event()

    def wake(self) -> None:
        """Look at the outbox now (a record was just saved, or the operator asked)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def pause(self) -> None:
        """Hold delivery (a supervisor's choice, e.g. while the link is needed elsewhere)."""
        self._pause.set()
        self._wake.set()

    def resume(self) -> None:
        self._pause.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """The loop; returns once `stop()` was called and the current request finished."""
        delay = RETRY_FIRST
        while not self._stop.is_set():
            try:
                self._run_once()
            except Exception as exc:  # noqa: BLE001  (the thread must outlive any failure)
                log.error("sync worker failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
                self.on_state(_stopped(exc))
                self._sleep(delay)
                delay = min(delay * 2, RETRY_LONGEST)

    def _run_once(self) -> None:
        """Open the store and an engine, and step until stopped."""
        store = self.open_store()
        try:
            while not self._stop.is_set():
                try:
                    engine = open_engine(store, self.on_state, _Halt(self._stop, self._pause))
                except DomainError as exc:
                    self.on_state(SyncState("unconfigured", store.backlog(),
                                            store.outbox.last_success(), exc.msg.en))
                    self._sleep(RETRY_CONFIG)
                    continue
                try:
                    while not self._stop.is_set():
                        if self._pause.is_set():
                            self.on_state(dataclasses.replace(engine.state(), link=PAUSED))
                            self._sleep(None)  # until resumed or stopped
                            continue
                        self._sleep(engine.step())
                finally:
                    engine.close()
        finally:
            store.close()

    def _sleep(self, seconds: float | None) -> None:
        self._wake.wait(seconds)
        self._wake.clear()


def _stopped(exc: Exception) -> SyncState:
    """The state for a failure outside the engine's rounds (the backlog cannot be read)."""
    return SyncState(STOPPED, {}, None, f"{type(exc).__name__}: {exc}"[:300],
                     stopped=stopped_words(exc))
