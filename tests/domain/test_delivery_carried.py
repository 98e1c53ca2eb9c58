"""The delivery words for a record carried on a drive: "dibawa" while its receipt is away,
received by drive once it came back, and the centre's decision still first."""

from __future__ import annotations

from kiosk.domain.delivery import (
    LOG_ACCEPTED,
    LOG_CARRIED,
    LOG_CARRIED_RECEIVED,
    is_carried,
    log_words,
    received_by_drive,
    status_words,
)

T = "2026-03-02T09:00:00+00:00"


def test_a_queued_record_on_a_drive_is_carried_until_its_receipt_comes_back():
    assert is_carried("saved", T, None) and is_carried("uploading", T, None)
    assert not is_carried("saved", None, None)
    assert not is_carried("saved", T, T)  # came back, then the centre lost it: queued again
    assert not is_carried("received", T, None)  # the link delivered it first
    assert received_by_drive("received", T) and not received_by_drive("verified", T)


def test_the_log_cell_says_dibawa_or_received_by_drive():
    assert log_words("saved", None, None, T, None) == LOG_CARRIED == \
        "dibawa (menunggu tanda terima)"
    assert log_words("received", None, None, T, T) == LOG_CARRIED_RECEIVED
    assert log_words("saved", None, None) == "menunggu kirim"
    assert log_words("received", "accepted", None, T, T) == LOG_ACCEPTED


def test_the_status_words_say_when_it_left_and_when_the_receipt_came_back():
    carried = status_words("saved", None, None, carried="02-03-2026 16.00")
    assert carried.id.startswith("Dibawa (menunggu tanda terima): ditulis ke flashdisk pada "
                                 "02-03-2026 16.00")
    assert "tetap dikirim lewat jaringan" in carried.id and carried.en.startswith("Carried")
    back = status_words("received", None, None, received="02-03-2026 17.00",
                        carried="02-03-2026 16.00", carried_back="03-03-2026 08.00")
    assert "lewat flashdisk" in back.id and "03-03-2026 08.00" in back.id
    online = status_words("received", None, None, received="02-03-2026 17.00")
    assert "flashdisk" not in online.id
