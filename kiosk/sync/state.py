"""What the sync engine reports: the link, the backlog, the last delivery, and whether it is
idle (and if not, why not, in words)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.delivery import UNSENT, DeliveryState
from kiosk.domain.messages import DomainError, Msg

ONLINE, OFFLINE, BUSY, AUTH, STOPPED = "online", "offline", "busy", "auth", "stopped"


@dataclass(frozen=True)
class SyncState:
    """What the GUI shows: the link, the backlog by delivery state, the last delivery."""

    link: str
    backlog: dict[str, int] = field(default_factory=dict)
    last_success: str | None = None
    detail: str = ""
    reconciled: bool = False  # a full reconciliation succeeded since the engine started
    faulted: tuple[str, ...] = ()  # registration numbers of queued records that cannot be read
    stopped: Msg | None = None  # link STOPPED: why, in words

    @property
    def unfinished(self) -> int:
        """Records not yet received, or received and not yet verified."""
        return sum(self.backlog.get(s, 0) for s in (*UNSENT, DeliveryState.RECEIVED))

    @property
    def idle(self) -> bool:
        """Nothing queued or awaiting verification, and a full reconciliation succeeded
        (so records the server lost behind our back are queued again, not forgotten)."""
        return self.reconciled and not self.unfinished

    @property
    def only_faults_left(self) -> bool:
        """All that is left are records that cannot be read: retrying alone will not help."""
        return (self.reconciled and self.link == ONLINE and bool(self.faulted)
                and self.unfinished == len(self.faulted))

    def why_not_idle(self) -> list[Msg]:
        """What is missing before idle, in words (empty when idle)."""
        out: list[Msg] = []
        if self.link != ONLINE:
            out.append(self.stopped or _link_words(self.link, self.detail))
        if not self.reconciled:
            out.append(Msg("Belum ada rekonsiliasi penuh dengan server yang berhasil.",
                           "No full reconciliation with the server has succeeded yet."))
        if self.faulted:
            regnos = ", ".join(self.faulted)
            out.append(Msg(
                f"{len(self.faulted)} rekaman tidak dapat dibaca untuk dikirim: {regnos}. "
                "Teknisi: jalankan `kiosk db check`.",
                f"{len(self.faulted)} records cannot be read to be sent: {regnos}. "
                "Technician: run `kiosk db check`."))
        rest = self.unfinished - len(self.faulted)
        if rest:
            out.append(Msg(f"{rest} rekaman belum terkirim atau belum terverifikasi.",
                           f"{rest} records not yet delivered or not yet verified."))
        return out


def _link_words(link: str, detail: str) -> Msg:
    if link == BUSY:
        return Msg(f"Server pusat sibuk; dicoba lagi nanti ({detail}).",
                   f"The central server is busy; trying again later ({detail}).")
    if link == AUTH:
        return Msg(f"Server pusat menolak token stasiun ini ({detail}). Teknisi: jalankan "
                   "`kiosk setup central URL TOKEN` lagi.",
                   f"The central server refuses this station's token ({detail}). Technician: "
                   "run `kiosk setup central URL TOKEN` again.")
    return Msg(f"Server pusat tidak terjangkau ({detail}).",
               f"The central server cannot be reached ({detail}).")


def stopped_words(exc: Exception) -> Msg:
    """Why delivery stopped, for a person: a named error's own sentence, else a general one;
    the exception itself is in the state's `detail` and, with its traceback, in the log."""
    if isinstance(exc, DomainError):
        return Msg(f"Pengiriman terhenti: {exc.msg.id}", f"Delivery stopped: {exc.msg.en}")
    return Msg(
        "Pengiriman terhenti karena kesalahan tak terduga. Dicoba lagi otomatis; bila "
        "berulang, hubungi teknisi (rinciannya ada di log).",
        "Delivery stopped on an unexpected error. It is retried automatically; if this "
        "persists, call the technician (the details are in the log).")
