"""One-shot background jobs: `run_task(fn, on_done, on_failed)` delivers on the GUI thread.

`QtTaskRunner` runs each job in a `QtTaskWorker` living in its own `QThread`; the worker
emits `task_done` / `task_failed` and Qt queues those signals to the GUI thread, where the
callbacks run. Tests may swap in `QtInlineRunner`, which calls everything in line.

Where a failure goes: both runners log it before `on_failed` sees it (`log_failure`): a named
domain error in one line, anything else with its traceback. `on_failed` shows a person
`failure_text(exc)`: the domain error's own sentence, or the unexpected-error sentence, never
the exception's class or repr.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.domain.messages import DomainError, Msg
from kiosk.ui.qt_i18n import msg_text

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]

UNEXPECTED = Msg(
    "Terjadi kesalahan tak terduga; rinciannya ada di log. Bila berulang, hubungi teknisi.",
    "An unexpected error occurred; the details are in the log. If it happens again, call the "
    "technician.",
)

# Set on a failure once logged, so a screen that logs what it shows never logs it twice.
_LOGGED = "_kiosk_failure_logged"


def failure_msg(exc: BaseException) -> Msg:
    """What a person reads about a failure: a domain error's sentence, else UNEXPECTED."""
    return exc.msg if isinstance(exc, DomainError) else UNEXPECTED


def failure_text(exc: BaseException) -> str:
    """`failure_msg` in the language on screen."""
    return msg_text(failure_msg(exc))


def log_failure(exc: BaseException, what: str) -> None:
    """Log a failure once: a domain error briefly (its class, detail and message), anything
    else with its full traceback. Call it on the GUI thread (or the only thread)."""
    if getattr(exc, _LOGGED, False):
        return
    with contextlib.suppress(AttributeError):  # an exception type without a __dict__
        setattr(exc, _LOGGED, True)
    if isinstance(exc, DomainError):
        detail = getattr(exc, "detail", "")
        log.info("%s failed: %s%s: %s", what, type(exc).__name__,
                 f" ({detail})" if detail else "", exc.msg.en)
    else:
        log.error("%s failed unexpectedly: %s", what, type(exc).__name__, exc_info=exc)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


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
        except Exception as exc:  # logged and delivered on the GUI thread (QtTaskRunner)
            self.task_failed.emit(task_id, exc)
        else:
            self.task_done.emit(task_id, result)


class QtTaskRunner(QObject):
    """A worker thread for one kind of work (devices, network); jobs run one after another."""

    _submit = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[str, Done, Failed]] = {}
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
        self._callbacks[task_id] = (_name(fn), on_done, on_failed)
        self._submit.emit(task_id, fn)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object)
    def _on_done(self, task_id: int, result: Any) -> None:
        _, on_done, _ = self._callbacks.pop(task_id)
        on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: BaseException) -> None:
        name, _, on_failed = self._callbacks.pop(task_id)
        log_failure(exc, f"task {task_id} ({name})")
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
            log_failure(exc, f"task ({_name(fn)})")
            on_failed(exc)
        else:
            on_done(result)

    @property
    def busy(self) -> bool:
        return False

    def stop(self, wait_ms: int = 0) -> None:
        """Nothing to stop."""
