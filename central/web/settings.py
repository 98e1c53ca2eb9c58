"""What the centre's pages need to know that the API does not: where applicants reach the
status page, when a station counts as silent, how often the status page may be asked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """The web pages' settings (`kiosk-central serve` options)."""

    # The status page's address as applicants reach it (https://cek.example.go.id/cek): sent
    # to stations at set-up and in each report's answer, printed in the receipt's QR code.
    # Empty: stations keep telling applicants to ask at the kecamatan office.
    public_url: str = ""
    # A station silent for longer than this many working hours (Monday-Friday, 08:00-16:00
    # in the station's zone) is highlighted on the console, as is one whose oldest unsent
    # record is older than `backlog_hours`.
    silent_working_hours: float = 4.0
    backlog_hours: float = 24.0
    # The status page: answers per client address and per registration number in a window.
    rate_window_s: int = 600
    rate_per_client: int = 30
    rate_per_regno: int = 6
    # Officers: failed logins before a lockout of `lockout_minutes`; session lifetime.
    max_failures: int = 5
    lockout_minutes: int = 15
    session_hours: float = 8.0
