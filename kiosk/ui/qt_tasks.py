"""One-shot background jobs: `run_task(fn, on_done, on_failed)` delivers on the GUI thread.

`QtTaskRunner` runs each job in a `QtTaskWorker` living in its own `QThread`; the worker
emits `task_done` / `task_failed` and Qt queues those signals to the GUI thread, where the
callbacks run. Tests may swap in `QtInlineRunner`, which calls everything in line.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class TaskRunner(Protocol):
    """Anything with run_task: the threaded runner, or the inline one."""

    def run_task(self, fn: Callable[[], Any], on_done: Done, on_failed: Failed) -> None: ...


class QtTaskWorker(QObject):
    """Runs callables in its thread; one signal pair per outcome, carrying the task id."""

    task_done = Signal(int, object)
    task_failed = Signal(int, object)

    @Slot(int, object)
    def run(self, task_id: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except Exception as exc:  # delivered to on_failed, which decides what the user sees
            log.info("task %d failed: %s: %s", task_id, type(exc).__name__, exc)
            self.task_failed.emit(task_id, exc)
        else:
            self.task_done.emit(task_id, result)


class QtTaskRunner(QObject):
    """A worker thread for one kind of work (devices, network); jobs run one after another."""

    _submit = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Done, Failed]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = QtTaskWorker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.task_done.connect(self._on_done)
        self._worker.task_failed.connect(self._on_failed)
        self._thread.start()

    def run_task(self, fn: Callable[[], Any], on_done: Done, on_failed: Failed) -> None:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_failed)
        self._submit.emit(task_id, fn)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object)
    def _on_done(self, task_id: int, result: Any) -> None:
        on_done, _ = self._callbacks.pop(task_id)
        on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: BaseException) -> None:
        _, on_failed = self._callbacks.pop(task_id)
        on_failed(exc)

    def stop(self, wait_ms: int = 5000) -> None:
        """Finish the running job (device calls all have timeouts) and end the thread."""
        self._thread.quit()
        self._thread.wait(wait_ms)


class QtInlineRunner:
    """Runs jobs immediately on the caller's thread (tests that want no threads)."""

    def run_task(self, fn: Callable[[], Any], on_done: Done, on_failed: Failed) -> None:
        try:
            result = fn()
        except Exception as exc:
            on_failed(exc)
        else:
            on_done(result)

    @property
    def busy(self) -> bool:
        return False

    def stop(self, wait_ms: int = 0) -> None:
        """Nothing to stop."""
