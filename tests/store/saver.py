"""Child process for the concurrency and crash tests: saves pickled recordings in a loop.

Usage: saver.py DATA_DIR CONFIG TEMPLATE_PICKLE COUNT START_INDEX
Prints "ready", then the record id of every save that returned, one per line, flushed.
"""

from __future__ import annotations

import pickle
import sys
import uuid
from dataclasses import replace
from pathlib import Path

from kiosk.domain.cap import DailyCapReached
from kiosk.settings import Settings
from kiosk.store.station import Store


def main() -> int:
    data_dir, config, template, count, start = sys.argv[1:6]
    recordings = pickle.loads(Path(template).read_bytes())
    store = Store(Path(data_dir), Settings.load(Path(config)))
    store.sealer()
    print("ready", flush=True)
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
