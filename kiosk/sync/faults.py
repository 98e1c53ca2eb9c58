"""A record that cannot be read to be sent (a *fault*), in words a technician can act on.

The engine keeps the technical error in the outbox (`DecryptionFailed: blob/...`); these are
the sentences the incident history and the faulted-records screen show beside it.
"""

from __future__ import annotations

from kiosk.domain.messages import Msg

# What each error class means for the record, and what to do.
_WORDS: dict[str, Msg] = {
    "DecryptionFailed": Msg(
        "Data terenkripsi rekaman ini rusak (tidak dapat dibuka dengan kunci stasiun). "
        "Jalankan `kiosk db check`; pulihkan dari cadangan atau rekam ulang pemohon.",
        "This record's sealed data is damaged (it does not open with the station key). Run "
        "`kiosk db check`; restore it from the backup or record the applicant again.",
    ),
    "KeyError": Msg(
        "Sebagian data rekaman ini hilang dari basis data. Jalankan `kiosk db check`; "
        "pulihkan dari cadangan atau rekam ulang pemohon.",
        "Part of this record is missing from the database. Run `kiosk db check`; restore it "
        "from the backup or record the applicant again.",
    ),
}


def fault_words(error: str) -> Msg:
    """The sentence for an outbox error such as "DecryptionFailed: ..."."""
    kind, _, detail = error.partition(":")
    known = _WORDS.get(kind.strip())
    if known is not None:
        return known
    return Msg(
        f"Rekaman ini tidak dapat dibaca untuk dikirim ({error}). Hubungi teknisi; rinciannya "
        "ada di log.",
        f"This record cannot be read to be sent ({error}). Call the technician; the details "
        "are in the log.",
    )


def fault_incident(regno: str, record_id: str, error: str) -> str:
    """The incident's text: names the record (regno and id), says the others go on."""
    return (
        f"rekaman {regno} ({record_id}) tidak dapat dibaca untuk dikirim: {error}; rekaman "
        f"lain tetap dikirim / record {regno} ({record_id}) cannot be read to be sent: "
        f"{error}; the other records are still sent"
    )
