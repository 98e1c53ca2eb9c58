"""No personal data in plaintext anywhere in the data directory after `kiosk demo-data`."""

from __future__ import annotations

import subprocess
import sys

from kiosk.settings import Settings
from kiosk.store.station import Store


def test_no_nik_name_jpeg_or_png_in_the_data_directory(tmp_path, subprocess_env):
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "demo-data", "--count", "3"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    s = Store(data, Settings())
    secrets: list[bytes] = []
    for (rid,) in s.db.execute("SELECT id FROM records").fetchall():
        applicant, _ = s.applicant(rid)
        secrets += [applicant.nik.encode(), applicant.nama.encode()]
        secrets += [part.encode() for part in applicant.nama.split() if len(part) > 3]
        assert s.blob(rid, "photo").startswith(b"\xff\xd8\xff")
        assert s.blob(rid, "signature.png").startswith(b"\x89PNG")
        # the first 24 bytes of every item: its plaintext would show them somewhere
        secrets += [s.blob(rid, row["kind"])[:24] for row in s.blob_rows(rid)]
    s.close()
    assert len(secrets) >= 6
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files
    for path in files:
        raw = path.read_bytes()
        for secret in secrets:
            assert secret not in raw, f"{secret!r} found in {path.name}"
        # Whole signatures, not 3 or 4 bytes: megabytes of ciphertext hold a random
        # ff d8 ff every few runs (each 2011 finger record is ~70 KB of it).
        assert b"\x89PNG\r\n\x1a\n" not in raw, f"a PNG in {path.name}"
        assert b"\xff\xd8\xff\xe0\x00\x10JFIF" not in raw, f"a JPEG in {path.name}"
        for version in (b"010\x00", b"020\x00"):
            assert b"FIR\x00" + version not in raw, f"a finger record in {path.name}"
