"""SIGKILL during saves, 200+ times on one data folder, with the read-back after a failed
commit and the anchors: zero lost, zero duplicates, zero false "gagal", no false "database
replaced" after a crash, `db check` clean (tests/store/crashes.py says what each counts).

The children run under libfiu (`fiu-run -x`) with light faults on fdatasync and pwrite
during their saves, so that failed saves (and their read-back) are among the kills too.

Usage: python bench/store_crash.py [KILLS] [--no-faults]   (default 220)
Prints JSON; exit 1 when the target is not met.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import keyring

    from kiosk.store.keys import FileKeyring
    from tests.store.crashes import run_kills

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    kills = int(args[0]) if args else 220
    faults = "--no-faults" not in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="store-crash-"))
    try:
        keyring.set_keyring(FileKeyring(tmp / "keyring.json"))
        env = dict(os.environ, PYTHON_KEYRING_BACKEND="kiosk.store.keys.FileKeyring",
                   KIOSK_KEYRING_FILE=str(tmp / "keyring.json"))
        result = run_kills(tmp, kills, env, faults=faults)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {"benchmark": "store_crash_sigkill", **result,
              "target": "zero lost, zero duplicates, zero false 'gagal', no false freeze, "
                        "db check clean"}
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["met"] else 1)


if __name__ == "__main__":
    main()
