"""QtSyncWorker: runs the sync worker on a QThread and re-emits its state as one signal."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from kiosk.store.station import Store
from kiosk.sync.worker import SyncWorker


class _QtSyncThread(QThread):
    def __init__(self, worker: SyncWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker

    def run(self) -> None:
        self.worker.run()


class QtSyncWorker(QObject):
    """`start()`, connect `state_changed(SyncState)`, `wake()` after a save, `stop()` before
    closing. The signal is emitted from the worker thread, so Qt queues it to receivers in the
    GUI thread: widgets are never touched from the worker."""

    state_changed = Signal(object)  # SyncState: link online/offline/busy, backlog, last success

    def __init__(self, open_store: Callable[[], Store], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = SyncWorker(open_store, self.state_changed.emit)
        self._thread = _QtSyncThread(self._worker, self)

    def start(self) -> None:
        if not self._thread.isRunning():
            self._thread.start()

    def wake(self) -> None:
        """Look at the outbox now (call after a recording was saved)."""
        self._worker.wake()

    def set_paused(self, paused: bool) -> None:
        """Hold or resume delivery; the next state says "paused" while held."""
        if paused:
            self._worker.pause()
        else:
            self._worker.resume()

    def stop(self, timeout_ms: int = 10000) -> bool:
        """Ask the loop to finish; True when it did within `timeout_ms`."""
        self._worker.stop()
        return self._thread.wait(timeout_ms)
