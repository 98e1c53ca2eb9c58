"""Work off the GUI thread for the desk's services (kiosk.app.desk, kiosk.app.carry)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from kiosk.store.station import Store

T = TypeVar("T")


class WorkerStores:
    """Work off the GUI thread: each job gets a Store of its own on `self.store`'s data dir
    (SQLite connections are not shared between threads)."""

    store: Store

    @contextlib.contextmanager
    def worker_store(self) -> Iterator[Store]:
        """A second Store on the same data dir for a worker thread's own transactions."""
        store = Store(self.store.data_dir, self.store.settings, clock=self.store.clock)
        try:
            yield store
        finally:
            store.close()

    def in_worker(self, fn: Callable[[Store], T]) -> Callable[[], T]:
        """A job for a task runner: `fn` called with a worker Store. *worker*"""
        def job() -> T:
            with self.worker_store() as store:
                return fn(store)
        return job
