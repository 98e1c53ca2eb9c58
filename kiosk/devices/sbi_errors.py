"""SBI error codes as the station's named errors, each with words for the operator.

The codes are the specification's (0-112, 5xx vendor-defined) and the ones MOSIP's reference
mock device service answers to a request it does not accept (113-123) or a capture that could
not finish (700-710), which vendors' services imitate.
"""

from __future__ import annotations

from kiosk.devices.base import (
    CaptureFailed,
    CaptureTimeout,
    DeviceBusy,
    DeviceError,
    DeviceUnavailable,
)
from kiosk.devices.sbi_protocol import error_info
from kiosk.domain.messages import Msg

DEV = "finger"
_HINTS: dict[int, tuple[type[DeviceError], str, str]] = {
    100: (DeviceUnavailable, "Pemindai belum terdaftar pada layanan perangkat",
          "The scanner is not registered with its device service"),
    101: (CaptureFailed, "Jari tidak terdeteksi, letakkan jari rata di kaca pemindai",
          "No finger detected, place the fingers flat on the scanner glass"),
    102: (CaptureFailed, "Gagal mengolah gambar sidik jari, ulangi",
          "The fingerprint image could not be processed, try again"),
    103: (DeviceUnavailable, "Pemindai terdeteksi dibongkar (tamper), hubungi teknisi",
          "Scanner tampering detected, call the technician"),
    104: (DeviceUnavailable, "Layanan perangkat tidak dapat menghubungi server manajemen",
          "The device service cannot reach its management server"),
    105: (CaptureFailed, "Posisi jari salah, letakkan tegak lurus di kaca",
          "Wrong finger orientation, place the fingers upright on the glass"),
    106: (DeviceUnavailable, "Pemindai sidik jari tidak ditemukan",
          "Fingerprint scanner not found"),
    107: (DeviceUnavailable, "Kunci perangkat kedaluwarsa, hubungi teknisi",
          "The device key has expired, call the technician"),
    108: (DeviceUnavailable, "Kunci domain perangkat belum ada, hubungi teknisi",
          "The device domain key is missing, call the technician"),
    109: (CaptureFailed, "Jumlah jari yang diminta tidak didukung pemindai",
          "The scanner does not support the requested number of fingers"),
    110: (DeviceUnavailable, "Pemindai belum siap, tunggu sebentar",
          "The scanner is not ready yet, wait a moment"),
    111: (DeviceBusy, "Pemindai sedang sibuk", "The scanner is busy"),
    112: (CaptureFailed, "Nomor transaksi ditolak pemindai", "The scanner rejected the "
          "transaction id"),
    # MockMDS's codes for a capture that could not finish
    700: (CaptureFailed, "Perekaman dihentikan oleh layanan perangkat, ulangi",
          "The device service stopped the capture, try again"),
    701: (CaptureTimeout, "Pemindai tidak selesai merekam dalam batas waktu, ulangi",
          "The scanner did not finish the capture in time, try again"),
    703: (DeviceBusy, "Pemindai sedang merekam untuk permintaan lain",
          "The scanner is capturing for another request"),
    705: (DeviceUnavailable, "Pemindai yang diminta tidak terhubung pada layanan perangkat",
          "The requested scanner is not connected to its device service"),
}
# A request the device service does not accept: a station/device mismatch for the technician.
_REFUSED_REQUEST = frozenset({*range(113, 124), 704, 706, 707, 708, 709})

# Codes about how the applicant placed the fingers: the scanner works, so no device incident.
PLACEMENT_CODES = frozenset({101, 105})


def error_for(code: int, detail: str = "") -> DeviceError:
    """The named error for an SBI error code (5xx and unknown codes: CaptureFailed)."""
    info = detail or error_info(code)
    if code in _REFUSED_REQUEST:
        return CaptureFailed(DEV, f"SBI {code}: {info}", code, hint=Msg(
            f"Layanan perangkat menolak permintaan stasiun (kode {code}: {info}). Hubungi "
            "teknisi: versi layanan perangkat dan stasiun mungkin tidak cocok.",
            f"The device service refused the station's request (code {code}: {info}). Call "
            "the technician: the device service and the station may not match."))
    if code in _HINTS:
        cls, hid, hen = _HINTS[code]
        if cls is CaptureFailed:
            return CaptureFailed(DEV, f"SBI {code}: {info}", code,
                                 hint=Msg(f"{hid} (kode {code}).", f"{hen} (code {code})."))
        err = cls(DEV, f"SBI {code}: {info}", code)
        err.msg = Msg(f"{hid} (kode {code}).", f"{hen} (code {code}).")
        err.args = (str(err.msg),)
        return err
    return CaptureFailed(DEV, f"SBI {code}: {info}", code,
                         hint=Msg(f"Pemindai melaporkan galat {code}: {info}. Ulangi perekaman.",
                                  f"The scanner reported error {code}: {info}. Capture again."))


class DeviceUntrusted(DeviceUnavailable):
    """A token from the scanner that the station cannot trust: unsigned, signed by a key whose
    certificate does not chain to the trust store, expired, altered, or another device's."""

    def __init__(self, what: str, reason: str, words: tuple[str, str], subject: str = "") -> None:
        super().__init__(DEV, f"{what}: {reason}: {words[1]}")
        self.reason, self.subject = reason, subject
        label_id, label_en = _WHAT.get(what, (what, what))
        self.msg = Msg(f"Tanda tangan {label_id} ditolak: {words[0]} Hubungi teknisi.",
                       f"The {label_en} signature was refused: {words[1]} Call the technician.")
        self.args = (str(self.msg),)


_WHAT = {"deviceInfo": ("info pemindai", "scanner info"),
         "digitalId": ("identitas digital pemindai", "scanner digital id"),
         "data": ("hasil rekam pemindai", "scanner capture")}
