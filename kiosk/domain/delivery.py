"""Where a recording stands on its way to the central server, and the words for each state.

Two things are tracked per record. The **delivery state** is the station's own progress
(`records.state`): saved, being sent, received (a signed receipt for our manifest hash) and
verified (a later reconciliation found it still held). The **processing status** is what the
centre decided (`records.processing_status`, protocol v1's `status`): held, accepted, or
rejected with a reason. Only `kiosk.store.outbox` changes either; everything else reads them
through the names here.

A record may also leave on a drive (`kiosk carry export`, issue 16): it stays in the outbox
(the link still delivers it if it comes back first) but is **carried** (`records.carried_at`)
until the centre's receipt comes back on the drive (`records.carry_receipt_at`, and the state
becomes received). The words for both sit here beside the others, so every place that shows a
delivery state (the status lookup, `kiosk status`, the daily log) says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ektp_protocol.status import ProcessingStatus
from kiosk.domain.messages import Msg

__all__ = ["DeliveryState", "ProcessingStatus", "UNSENT", "DELIVERED", "LOG_WORDS",
           "CARRIED_WORDS", "CARRIED_RECEIVED_WORDS", "LOG_CARRIED", "LOG_CARRIED_RECEIVED",
           "waiting", "delivered", "is_carried", "received_by_drive", "log_words",
           "delivery_bucket", "status_words"]


class DeliveryState(StrEnum):
    """A record's delivery: saved -> uploading -> received -> verified (and back to saved
    when a send fails or the server has lost it)."""

    SAVED = "saved"  # committed on the station, queued in the outbox
    UPLOADING = "uploading"  # a send is under way
    RECEIVED = "received"  # the server's signed receipt names our manifest hash
    VERIFIED = "verified"  # a later reconciliation found it still held


UNSENT = (DeliveryState.SAVED, DeliveryState.UPLOADING)
DELIVERED = (DeliveryState.RECEIVED, DeliveryState.VERIFIED)

# The daily log's "Status kirim" cell (the log is in Bahasa Indonesia only).
LOG_WORDS: dict[DeliveryState, str] = {
    DeliveryState.SAVED: "menunggu kirim",
    DeliveryState.UPLOADING: "sedang dikirim",
    DeliveryState.RECEIVED: "diterima server",
    DeliveryState.VERIFIED: "terverifikasi server",
}
LOG_ACCEPTED = "diterima dan diproses"
LOG_REJECTED = "ditolak: "  # followed by the reason

# A record on a drive, waiting for the centre's receipts to come back on it; and one whose
# receipt came back that way (short words: the log's cell, a list's column).
CARRIED_WORDS = Msg("dibawa (menunggu tanda terima)", "carried (waiting for receipts)")
CARRIED_RECEIVED_WORDS = Msg("diterima server (lewat flashdisk)",
                             "received by the server (by drive)")
LOG_CARRIED = CARRIED_WORDS.id
LOG_CARRIED_RECEIVED = CARRIED_RECEIVED_WORDS.id


def waiting(backlog: Mapping[str, int]) -> int:
    """Records of a backlog (count per delivery state) the server does not hold yet."""
    return sum(backlog.get(s, 0) for s in UNSENT)


def delivered(backlog: Mapping[str, int]) -> int:
    """Records of a backlog the server has receipted."""
    return sum(backlog.get(s, 0) for s in DELIVERED)


def is_carried(state: str, carried_at: str | None, carry_receipt_at: str | None) -> bool:
    """Whether a record is on a drive waiting for its receipt: not yet held by the centre as
    far as the station knows, exported to a drive, and no receipt back by the drive yet (one
    that came back and was later lost by the centre is queued again, no longer carried)."""
    return state in UNSENT and bool(carried_at) and not carry_receipt_at


def received_by_drive(state: str, carry_receipt_at: str | None) -> bool:
    """Whether a record's receipt came back on a drive (and no reconciliation since)."""
    return state == DeliveryState.RECEIVED and bool(carry_receipt_at)


def log_words(state: str, status: str | None, reason: str | None,
              carried_at: str | None = None, carry_receipt_at: str | None = None) -> str:
    """The daily log's "Status kirim" cell: the centre's decision if any, else the state
    (carried on a drive, or received by that road, when the carry columns say so)."""
    if status == ProcessingStatus.REJECTED:
        return f"{LOG_REJECTED}{reason or '-'}"
    if status == ProcessingStatus.ACCEPTED:
        return LOG_ACCEPTED
    if is_carried(state, carried_at, carry_receipt_at):
        return LOG_CARRIED
    if received_by_drive(state, carry_receipt_at):
        return LOG_CARRIED_RECEIVED
    try:
        return LOG_WORDS[DeliveryState(state)]
    except ValueError:
        return state


SYNCED, WAITING, REJECTED = 0, 1, 2  # delivery_bucket's answers (the order the log counts)


def delivery_bucket(state: str, status: str | None) -> int:
    """How the daily log's summary counts a record: SYNCED (received or verified, and not
    rejected), WAITING (not yet received) or REJECTED (by the centre, whatever the state)."""
    if status == ProcessingStatus.REJECTED:
        return REJECTED
    return SYNCED if state in DELIVERED else WAITING


def status_words(
    state: str, status: str | None, reason: str | None, received: str | None = None,
    verified: str | None = None, carried: str | None = None, carried_back: str | None = None,
) -> Msg:
    """Where a recording stands, in words an applicant understands. `received`, `verified`,
    `carried` (left on a drive) and `carried_back` (its receipt came back on the drive) are
    those times already written for a person (station zone), or None."""
    if status == ProcessingStatus.REJECTED:
        r = reason or "-"
        return Msg(
            f"DITOLAK oleh server pusat. Alasan: {r}. Pemohon perlu direkam ulang; hubungi "
            "petugas.",
            f"REJECTED by the central server. Reason: {r}. The applicant must be recorded "
            "again; contact the office.",
        )
    if status == ProcessingStatus.ACCEPTED:
        return Msg(
            "Sudah diterima dan diproses oleh server pusat. Tidak perlu datang lagi untuk "
            "perekaman.",
            "Received and processed by the central server. No need to come back for recording.",
        )
    if state == DeliveryState.VERIFIED and received:
        msg = Msg(
            f"Sudah diterima server pusat pada {received} dan sudah diperiksa ulang masih ada "
            "di sana.",
            f"Received by the central server on {received}, and re-checked since: it is still "
            "there.",
        )
        if verified:
            msg = Msg(f"{msg.id} Pemeriksaan terakhir: {verified}.",
                      f"{msg.en} Last check: {verified}.")
        return msg
    if received_by_drive(state, carried_back) and received:
        return Msg(
            f"Sudah diterima server pusat pada {received}, lewat flashdisk: tanda terima resmi "
            f"dari server kembali ke stasiun ini pada {carried_back}.",
            f"Received by the central server on {received}, by drive: the server's signed "
            f"receipt came back to this station on {carried_back}.",
        )
    if state == DeliveryState.RECEIVED and received:
        return Msg(
            f"Sudah diterima server pusat pada {received} (dengan tanda terima resmi dari "
            "server).",
            f"Received by the central server on {received} (with the server's signed receipt).",
        )
    if is_carried(state, carried, carried_back):
        return Msg(
            f"Dibawa (menunggu tanda terima): ditulis ke flashdisk pada {carried} untuk dibawa "
            "ke server pusat. Data tetap tersimpan aman di stasiun ini dan tetap dikirim lewat "
            "jaringan bila tersambung lagi.",
            f"Carried (waiting for receipts): written to a drive on {carried} to be taken to "
            "the central server. It stays saved safely on this station and is still sent over "
            "the network if the link comes back.",
        )
    if state == DeliveryState.UPLOADING:
        return Msg("Sedang dikirim ke server pusat.", "Being sent to the central server.")
    return Msg(
        "Tersimpan aman di stasiun ini dan menunggu dikirim ke server pusat. Data tidak hilang "
        "walau jaringan putus.",
        "Saved safely on this station and waiting to be sent to the central server. Nothing is "
        "lost when the network is down.",
    )
