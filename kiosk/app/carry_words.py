"""What the carry screen and the receipts watcher say (Bahasa Indonesia first, then English):
each export's and receipts file's result, and the refusals before anything is written."""

from __future__ import annotations

from pathlib import Path

from kiosk.domain.messages import Msg
from kiosk.sync.carry import ExportResult, ReceiptsResult

NOT_LINKED = Msg("Stasiun ini belum disiapkan dengan server pusat (kunci tanda tangan stasiun "
                 "belum ada): sambungkan sekali dengan kiosk setup central.",
                 "This station was never set up with a central server (no station signing "
                 "key): connect it once with kiosk setup central.")
NOTHING_WAITS = Msg("Tidak ada rekaman yang menunggu: semuanya sudah ada di server pusat. "
                    "Tidak ada yang ditulis.",
                    "No record is waiting: the centre holds them all. Nothing was written.")


def no_folder(path: Path) -> Msg:
    return Msg(f"{path} bukan folder yang bisa dipakai: pasang flashdisk lalu pilih lagi.",
               f"{path} is not a folder that can be used: plug in the drive and choose again.")


def export_words(result: ExportResult) -> Msg:
    """An export's result for the supervisor: how many, where, what was not written."""
    n, total, bad = len(result.written), result.total, len(result.unreadable)
    mb = f"{result.bytes / 1e6:.1f}"
    if result.cancelled:
        msg = Msg(f"Dibatalkan: {n} dari {total} rekaman ditulis utuh dan diperiksa ke "
                  f"{result.folder} ({mb} MB). Indeksnya hanya mencatat rekaman yang utuh, "
                  "jadi flashdisk ini tetap bisa dibawa ke Disdukcapil; sisanya tetap menunggu "
                  "di stasiun.",
                  f"Cancelled: {n} of {total} records written whole and verified to "
                  f"{result.folder} ({mb} MB). Its index lists only the records written whole, "
                  "so this drive can still be taken to Disdukcapil; the rest keep waiting on "
                  "the station.")
    else:
        msg = Msg(f"Selesai: {n} paket rekaman ditulis dan diperiksa ulang di {result.folder} "
                  f"({mb} MB). Cabut flashdisk dengan aman lalu bawa ke Disdukcapil. Setelah "
                  "diimpor di pusat, pasang lagi di stasiun ini: tanda terimanya dibaca "
                  "otomatis.",
                  f"Done: {n} record packets written and read back in {result.folder} "
                  f"({mb} MB). Eject the drive safely and take it to Disdukcapil. Once the "
                  "centre has imported it, plug it in here again: its receipts are read "
                  "automatically.")
    if bad:
        msg = Msg(f"{msg.id} {bad} rekaman tidak terbaca dan tetap di antrean; teknisi: lihat "
                  "\"Rekaman bermasalah\".", f"{msg.en} {bad} records could not be read and "
                  "stay queued; technician: see \"Faulted records\".")
    return msg


def receipts_words(result: ReceiptsResult, regnos: dict[str, str]) -> Msg:
    """A receipts file's result: how many records the centre now holds, and each refusal
    (by registration number, at most three named)."""
    got, already, refused = len(result.received), len(result.already), len(result.refused)
    if not (got or already or refused):
        return Msg("Tanda terima di flashdisk ini bukan untuk rekaman stasiun ini; tidak ada "
                   "yang berubah.", "The receipts on this drive are not for this station's "
                   "records; nothing changed.")
    msg = Msg(f"Tanda terima dari pusat dibaca: {got} rekaman kini diterima server pusat "
              f"(lewat flashdisk); {already} sudah diterima sebelumnya; {refused} ditolak "
              "pusat.",
              f"Receipts from the centre read: {got} records are now received by the central "
              f"server (by drive); {already} were received before; {refused} refused by the "
              "centre.")
    if refused:
        named = "; ".join(f"{regnos.get(rid, rid)}: {why}" for rid, why in result.refused[:3])
        more_id = f"; dan {refused - 3} lainnya" if refused > 3 else ""
        more_en = f"; and {refused - 3} more" if refused > 3 else ""
        msg = Msg(f"{msg.id} Yang ditolak tetap di antrean dan dikirim lagi (jaringan atau "
                  f"flashdisk berikutnya): {named}{more_id}.",
                  f"{msg.en} The refused ones stay queued and go again (by the link or the "
                  f"next drive): {named}{more_en}.")
    return msg
