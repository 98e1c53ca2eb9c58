"""`kiosk export --output` writes only regular files in folders that exist: a missing folder is
refused (and not made), and whatever is not a regular file (folder, device, pipe, socket, a
link to one) is refused and left exactly as it was. Real `kiosk` child processes, real nodes."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Station

DAY = ("--date", "2026-03-02", "--format", "csv")


def _export(st: Station, out: Path):
    return st.kiosk("export", *DAY, "--output", str(out))


def _exports(st: Station) -> int:
    with st.open() as store:
        return int(store.db.execute(
            "SELECT COUNT(*) FROM audit WHERE action = 'export'").fetchone()[0])


def test_a_missing_folder_is_refused_and_not_made(station, tmp_path):
    out = tmp_path / "usb" / "2026" / "log.csv"
    r = _export(station, out)
    assert r.returncode == 2, r.stderr
    assert f"folder {out.parent} tidak ada" in r.stderr
    assert f"the folder {out.parent} does not exist" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "usb").exists() and _exports(station) == 0


def _fifo(path: Path) -> Callable[[], None]:
    os.mkfifo(path)
    return lambda: None


def _folder(path: Path) -> Callable[[], None]:
    path.mkdir()
    (path / "keep.txt").write_text("x")
    return lambda: None


def _socket(path: Path) -> Callable[[], None]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return sock.close


def _link_to_folder(path: Path) -> Callable[[], None]:
    (path.parent / "real-folder").mkdir()
    path.symlink_to(path.parent / "real-folder")
    return lambda: None


def _device(path: Path) -> Callable[[], None]:
    """A twin of /dev/full (char 1,7), made in the test's own folder, never the real one."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD (root); the other kinds still run")
    return lambda: None


KINDS = {"fifo": (_fifo, "a pipe (FIFO) is there"), "folder": (_folder, "a folder is there"),
         "socket": (_socket, "a socket is there"), "link-to-folder": (_link_to_folder,
                                                                      "a folder is there"),
         "device": (_device, "a device is there")}


def _snapshot(path: Path) -> tuple[int, int, int, bool]:
    st = os.lstat(path)
    return st.st_mode, st.st_ino, st.st_rdev, path.is_symlink()


@pytest.mark.parametrize("kind", list(KINDS))
def test_anything_but_a_regular_file_is_refused_and_left_alone(station, tmp_path, kind):
    make, said = KINDS[kind]
    out = tmp_path / "log.csv"
    cleanup = make(out)
    try:
        before = _snapshot(out)
        r = _export(station, out)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"Not writing to {out}: {said}, not a regular file" in r.stderr
        assert "Tidak menulis ke" in r.stderr and "Traceback" not in r.stderr
        assert _snapshot(out) == before
        assert not list(tmp_path.glob(".log.csv.*.part")) and _exports(station) == 0
    finally:
        cleanup()


def test_a_regular_file_is_replaced(station, tmp_path):
    out = tmp_path / "log.csv"
    out.write_text("old")
    r = _export(station, out)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("No,") and _exports(station) == 1


def test_a_link_to_a_regular_file_writes_the_file_and_keeps_the_link(station, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "log.csv"
    link.symlink_to(real)
    r = _export(station, link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("No,")


def test_a_dangling_link_is_refused(station, tmp_path):
    link = tmp_path / "log.csv"
    link.symlink_to(tmp_path / "nowhere" / "x.csv")
    r = _export(station, link)
    assert r.returncode == 2 and "symlink to nothing" in r.stderr
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_the_library_makes_no_chain_of_folders(store, tmp_path):
    """run_export (the GUI's path) refuses a chain of missing folders too; only its own
    export folder, one level under an existing one, is made on first use."""
    import datetime as dt

    from kiosk.export import export_csv
    from kiosk.export.common import ExportTargetRefused

    with pytest.raises(ExportTargetRefused):
        export_csv(store, dt.date(2026, 3, 2), tmp_path / "a" / "b" / "log.csv")
    assert not (tmp_path / "a").exists()
    result = export_csv(store, dt.date(2026, 3, 2), tmp_path / "ekspor" / "log.csv")
    assert result.path.is_file()
