"""Where a recording stands on its way to the central server, and the words for each state.

Two things are tracked per record. The **delivery state** is the station's own progress
(`records.state`): saved, being sent, received (a signed receipt for our manifest hash) and
verified (a later reconciliation found it still held). The **processing status** is what the
centre decided (`records.processing_status`, protocol v1's `status`): held, accepted, or
rejected with a reason. Only `kiosk.store.outbox` changes either; everything else reads them
through the names here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ektp_protocol.status import ProcessingStatus
from kiosk.domain.messages import Msg

__all__ = ["DeliveryState", "ProcessingStatus", "UNSENT", "DELIVERED", "LOG_WORDS",
           "waiting", "delivered", "log_words", "delivery_bucket", "status_words"]


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


def waiting(backlog: Mapping[str, int]) -> int:
    """Records of a backlog (count per delivery state) the server does not hold yet."""
    return sum(backlog.get(s, 0) for s in UNSENT)


def delivered(backlog: Mapping[str, int]) -> int:
    """Records of a backlog the server has receipted."""
    return sum(backlog.get(s, 0) for s in DELIVERED)


def log_words(state: str, status: str | None, reason: str | None) -> str:
    """The daily log's "Status kirim" cell: the centre's decision if any, else the state."""
    if status == ProcessingStatus.REJECTED:
        return f"{LOG_REJECTED}{reason or '-'}"
    if status == ProcessingStatus.ACCEPTED:
        return LOG_ACCEPTED
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
    verified: str | None = None,
) -> Msg:
    """Where a recording stands, in words an applicant understands. `received` and
    `verified` are those times already written for a person (station zone), or None."""
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
    if state == DeliveryState.RECEIVED and received:
        return Msg(
            f"Sudah diterima server pusat pada {received} (dengan tanda terima resmi dari "
            "server).",
            f"Received by the central server on {received} (with the server's signed receipt).",
        )
    if state == DeliveryState.UPLOADING:
        return Msg("Sedang dikirim ke server pusat.", "Being sent to the central server.")
    return Msg(
        "Tersimpan aman di stasiun ini dan menunggu dikirim ke server pusat. Data tidak hilang "
        "walau jaringan putus.",
        "Saved safely on this station and waiting to be sent to the central server. Nothing is "
        "lost when the network is down.",
    )
