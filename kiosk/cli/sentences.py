"""Sentences the command line adds to what it was told: a folder with no station in it (a
command that only uses a station never makes one), and what a command was doing when the
keyring failed (kiosk.store.keys.KeyringUnavailable names it).

Imports nothing heavy: `kiosk --help` loads this module.
"""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.domain.messages import DomainError, Msg


class NoStationHere(DomainError):
    """A command that uses a station was pointed at a folder with none: it makes none."""

    def __init__(self, folder: Path, demo: bool) -> None:
        if demo:
            todo = Msg("Demo belum dibuat di sana: jalankan `kiosk --demo` sekali (membuka "
                       "stasiun demo), lalu ulangi perintah ini dengan --demo.",
                       "The demo has not been made there: run `kiosk --demo` once (it opens "
                       "the demo station), then run this command again with --demo.")
        else:
            todo = Msg("Berikan --data-dir folder data stasiun (atau --demo untuk stasiun demo); "
                       "stasiun baru dibuat hanya oleh pengaturan awal: buka `kiosk`.",
                       "Give --data-dir the station's data folder (or --demo for the demo "
                       "station); a new station is made only by first-run set-up: open `kiosk`.")
        super().__init__(Msg(
            f"Belum ada basis data stasiun di folder ini ({folder}). Perintah ini memakai "
            f"stasiun yang sudah ada dan tidak membuat stasiun baru. {todo.id}",
            f"There is no station database in this folder ({folder}). This command uses a "
            f"station that exists and does not make a new one. {todo.en}",
        ))
        self.folder = folder


# What each command was doing, for the keyring's sentence when it fails ("..., so <this>").
KEYRING_ACTIONS: dict[str, Msg] = {
    "status": Msg("rekaman tidak bisa dicari menurut NIK (pencarian itu memakai kunci data)",
                  "recordings cannot be looked up by NIK (that lookup uses the data key)"),
    "export": Msg("log harian tidak bisa diekspor", "the daily log cannot be exported"),
    "receipt": Msg("tanda bukti tidak bisa dicetak ulang", "the receipt cannot be reprinted"),
    "demo-data": Msg("perekaman ditolak agar data tidak tersimpan tanpa enkripsi",
                     "recording is refused rather than keep data unencrypted"),
    "db check": Msg("isi yang tersegel tidak bisa diperiksa",
                    "the sealed contents cannot be checked"),
    "backup": Msg("cadangan tidak bisa dibuat", "the backup cannot be made"),
    "restore": Msg("cadangan tidak bisa dipulihkan (kuncinya tidak bisa diperiksa)",
                   "the backup cannot be restored (its key cannot be checked)"),
    "sync": Msg("rekaman tidak bisa dikirim ke server pusat",
                "records cannot be delivered to the central server"),
    "setup central": Msg("sambungan ke server pusat tidak bisa diatur (token dan kunci "
                         "tandatangannya disimpan di keyring)", "the link to the central "
                         "server cannot be set up (its token and signing key go in the keyring)"),
    "keyring": Msg("rahasia stasiun tidak punya tempat yang aman",
                   "the station's secrets have no safe place"),
}


def command_name() -> str:
    """The running subcommand as typed after `kiosk` ("status", "db check"); "" for none."""
    ctx = click.get_current_context(silent=True)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(names)


def with_action(exc: DomainError) -> DomainError:
    """A keyring failure names what the command was doing (KEYRING_ACTIONS); any other
    error as it is."""
    action = KEYRING_ACTIONS.get(command_name())
    doing = getattr(exc, "doing", None)  # kiosk.store.keys.KeyringUnavailable
    if action is None or doing is None or type(exc).__name__ != "KeyringUnavailable":
        return exc
    return doing(action)
