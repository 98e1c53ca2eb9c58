"""Running self-test checks: one result per check, never an exception escaping."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk.devices.base import DeviceInfo
from kiosk.devices.signature import probe_signature_input
from kiosk.domain.messages import DomainError
from kiosk.selftest import CHECK_NAMES
from kiosk.settings import Settings
from kiosk.store.station import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """One check: measured `value` against `threshold`, with a bilingual hint when failed."""

    name: str
    passed: bool
    value: Any
    threshold: str
    hint_id: str = ""
    hint_en: str = ""
    ms: float = 0.0
    busy: bool = False  # the device is in use by another program: not green, not broken

    @property
    def state(self) -> str:
        """'passed', 'busy' (in use elsewhere: say so, never freeze recording) or 'failed'."""
        return "passed" if self.passed else "busy" if self.busy else "failed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SelfTestContext:
    """What the checks need; the GUI passes its own signature probe."""

    store: Store
    settings: Settings
    signature_probe: Callable[[Settings], DeviceInfo] = probe_signature_input
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SelfTestReport:
    passed: bool
    results: list[CheckResult]
    selftest_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "id": self.selftest_id,
                "results": [r.as_dict() for r in self.results]}


def _checks() -> dict[str, Callable[[SelfTestContext], CheckResult]]:
    from kiosk.selftest import checks

    return {"camera": checks.camera, "fingerprint": checks.fingerprint,
            "signature": checks.signature, "server": checks.server, "disk": checks.disk,
            "database": checks.database}


def run_check(name: str, ctx: SelfTestContext) -> CheckResult:
    """Run one check by name; an unexpected error becomes a failed result, not a crash."""
    fn = _checks()[name]
    start = time.perf_counter()
    try:
        result = fn(ctx)
    except DomainError as exc:
        result = CheckResult(name, False, None, "", exc.msg.id, exc.msg.en)
    except Exception as exc:  # a self-test must report, whatever broke
        log.exception("self-test %s crashed", name)
        result = CheckResult(name, False, None, "", f"Pemeriksaan gagal: {exc}",
                             f"The check failed: {exc}")
    ms = round((time.perf_counter() - start) * 1000, 1)
    return CheckResult(**{**result.as_dict(), "ms": ms})


def run_all(ctx: SelfTestContext, names: tuple[str, ...] | list[str] = CHECK_NAMES,
            save: bool = True) -> SelfTestReport:
    """Run the named checks (default all), store the outcome, return the report."""
    results = [run_check(n, ctx) for n in names]
    passed = all(r.passed for r in results)
    sid = ctx.store.save_selftest(passed, [r.as_dict() for r in results]) if save else None
    return SelfTestReport(passed, results, sid)
