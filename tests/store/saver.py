"""Child process for the concurrency, crash and fault-injection tests: saves pickled
recordings in a loop.

Usage: saver.py DATA_DIR CONFIG TEMPLATE_PICKLE COUNT START_INDEX [OPTIONS_JSON]
Prints "ready", then one line per save, flushed:
  <record id>                            the save returned (kept as before: crash, cap tests)
  cap                                    DailyCapReached: the loop ends

With OPTIONS_JSON (a file: {"points": [[name, probability], ...], "seed": N, "announce":
bool, "stop_after_failure": bool, "days_ahead": N}) each recording keeps
its record id (the TEMPLATE's), as a draft does; days_ahead moves the clock (a long crash
run spreads over days, under the daily cap). With points the child runs under `fiu-run -x`
and turns those libfiu failure points on only around each save (through libfiu's own
library, loaded by the preload), so the child's own output is never hit. With announce,
"saving <record id>" comes before each save. (Under fiu-run the child imports nothing
heavy: numpy and OpenCV hang under libfiu's preload, so the parent makes the recordings.)
Each line is then:
  saved <record id> <regno>
  failed <record id> <error class> <its sentence, Indonesian>
  unknown <record id> <error class> <its sentence>        (SaveOutcomeUnknown)
  crash <record id> <exception class> <text>              (anything not a named error)
and the child ends with os._exit: no clean close, like a station switched off. After a
failure it does so at once half the time ("stopped" is printed first): the operator who
switches off after "gagal" is how a failed commit's frames could come back at the next start.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import pickle
import random
import sys
import uuid
from dataclasses import replace
from pathlib import Path

from kiosk.domain.cap import DailyCapReached
from kiosk.domain.messages import DomainError
from kiosk.settings import Settings
from kiosk.store.db import utcnow
from kiosk.store.errors import SaveOutcomeUnknown
from kiosk.store.station import Store


class Faults:
    """libfiu failure points, enabled only inside `around`."""

    def __init__(self, spec: dict) -> None:
        self.lib = ctypes.CDLL("libfiu.so.0")
        self.lib.fiu_enable_random.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p,
                                               ctypes.c_float]
        self.lib.fiu_disable.argtypes = [ctypes.c_char_p]
        self.lib.fiu_init(0)
        self.points = [(name.encode(), float(p)) for name, p in spec["points"]]
        # libfiu draws from random(); seeded per schedule so a run can be repeated
        ctypes.CDLL(None).srandom(int(spec.get("seed", 1)))

    def on(self) -> None:
        for name, p in self.points:
            self.lib.fiu_enable_random(name, 1, None, ctypes.c_float(p))

    def off(self) -> None:
        for name, _ in self.points:
            self.lib.fiu_disable(name)


def _line(*parts: str) -> None:
    print(" ".join(p.replace("\n", " ") for p in parts), flush=True)


class _NoFaults:
    def on(self) -> None:
        pass

    def off(self) -> None:
        pass


def _save_once(store: Store, rec, operator: str, faults: Faults | None) -> str | None:
    """One save with the faults on; its line's kind ('saved', 'failed', ...), None at cap."""
    faults = faults or _NoFaults()  # type: ignore[assignment]
    faults.on()
    try:
        saved = store.save_recording(rec, operator)
    except DailyCapReached:
        faults.off()
        return None
    except SaveOutcomeUnknown as exc:
        faults.off()
        _line("unknown", rec.record_id, type(exc).__name__, exc.msg.id)
        return "unknown"
    except DomainError as exc:
        faults.off()
        _line("failed", rec.record_id, type(exc).__name__, exc.msg.id)
        return "failed"
    except Exception as exc:  # noqa: BLE001  (what the test counts as a raw failure)
        faults.off()
        _line("crash", rec.record_id, type(exc).__name__, str(exc))
        return "crash"
    faults.off()
    _line("saved", saved.record_id, saved.regno)
    return "saved"


def faulted(store: Store, recordings: list, count: int, start: int, opts: dict) -> None:
    faults = Faults(opts) if opts.get("points") else None
    rng = random.Random(start)
    for i in range(start, start + count):
        rec = recordings[i % len(recordings)]
        if opts.get("announce"):
            _line("saving", rec.record_id)
        kind = _save_once(store, rec, f"op{start}", faults)
        if kind is None:
            _line("cap")
            return
        if kind != "saved" and opts.get("stop_after_failure", True) and rng.random() < 0.5:
            _line("stopped")
            return


def main() -> int:
    data_dir, config, template, count, start = sys.argv[1:6]
    opts = json.loads(Path(sys.argv[6]).read_text()) if len(sys.argv) > 6 else None
    recordings = pickle.loads(Path(template).read_bytes())
    ahead = dt.timedelta(days=int((opts or {}).get("days_ahead", 0)))
    store = Store(Path(data_dir), Settings.load(Path(config)), clock=lambda: utcnow() + ahead)
    store.sealer()
    print("ready", flush=True)
    if opts is not None:
        faulted(store, recordings, int(count), int(start), opts)
        sys.stdout.flush()
        os._exit(0)
    for i in range(int(start), int(start) + int(count)):
        rec = replace(recordings[i % len(recordings)], record_id=str(uuid.uuid4()))
        try:
            saved = store.save_recording(rec, f"op{start}")
        except DailyCapReached:
            print("cap", flush=True)
            return 0
        print(saved.record_id, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
