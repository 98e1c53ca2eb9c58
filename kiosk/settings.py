"""Every station setting, declared once with its type, default and help.

The TOML file, `kiosk settings` and the settings screens are all generated from `SETTINGS`.
A file holds only what differs from the defaults, grouped by section (`[cap] daily = 40`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w


class SettingsError(ValueError):
    """A settings file or value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Setting:
    """One declared setting: `key` is "section.name"."""

    key: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # a further rule on the coerced value: returns it (normalised) or raises SettingsError
    check: Callable[[Any], Any] | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    def coerce(self, value: Any) -> Any:
        """Return `value` as this setting's type, or raise SettingsError saying why."""
        try:
            if self.type is bool:
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low not in {"true", "false", "1", "0", "yes", "no", "ya", "tidak"}:
                        raise ValueError(value)
                    value = low in {"true", "1", "yes", "ya"}
                elif not isinstance(value, bool):
                    raise ValueError(value)
            elif self.type is int:
                if isinstance(value, bool | float):
                    raise ValueError(value)
                value = int(value)
            elif self.type is float:
                if isinstance(value, bool):
                    raise ValueError(value)
                value = float(value)
            elif self.type is str:
                if not isinstance(value, str | int):
                    raise ValueError(value)
                value = str(value)
            elif self.type is list:
                if isinstance(value, str):
                    value = [v.strip() for v in value.split(",") if v.strip()]
                if not isinstance(value, list):
                    raise ValueError(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"{self.key}: {value!r} is not a valid {self.type.__name__}"
            ) from None
        if self.choices and value not in self.choices:
            raise SettingsError(f"{self.key}: {value!r} is not one of {list(self.choices)}")
        if self.minimum is not None and value < self.minimum:
            raise SettingsError(f"{self.key}: {value!r} is below the minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise SettingsError(f"{self.key}: {value!r} is above the maximum {self.maximum}")
        if self.check is not None:
            value = self.check(value)
        return value


def _station_number(value: str) -> str:
    """One or two digits, kept as two ('3' -> '03'): it is part of every registration number."""
    if not re.fullmatch(r"[0-9]{1,2}", value):
        raise SettingsError(
            f"station.number: {value!r} harus 1-2 angka / must be 1-2 digits (e.g. 01)"
        )
    return f"{int(value):02d}"


def _station_kecamatan(value: str) -> str:
    """A kecamatan code (PPKKCC): six digits, and one of its regency's kecamatan in the shipped
    national region table (every kecamatan of Indonesia, resources/regions)."""
    from kiosk.domain.regions import kecamatan_problem  # region tables load on first check

    problem = kecamatan_problem(value)
    if problem is not None:
        raise SettingsError(f"station.kecamatan: {problem.id} / {problem.en}")
    return value


def _status_url(value: str) -> str:
    """Empty, or a web address without spaces: it is printed and put in a QR code."""
    value = value.strip()
    if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise SettingsError(
            f"receipt.status_url: {value!r} bukan alamat web / is not a web address "
            "(https://HOST/cek)"
        )
    return value


def _s(key: str, type_: type, default: Any, help_: str, **kw: Any) -> Setting:
    return Setting(key, type_, default, help_, **kw)


SETTINGS: tuple[Setting, ...] = (
    # --- station identity
    _s("station.number", str, "01", "Station number inside the kecamatan office (two digits).",
       check=_station_number),
    _s("station.kecamatan", str, "627104", "Kecamatan code (PPKKCC) of this office.",
       check=_station_kecamatan),
    _s("station.name", str, "Kecamatan Sabangau", "Office name printed on receipts."),
    _s(
        "station.timezone",
        str,
        "Asia/Jakarta",
        "IANA time zone of the office (WIB Asia/Jakarta, WITA Asia/Makassar, WIT Asia/Jayapura).",
    ),
    _s(
        "station.region_tables",
        list,
        [],
        "Extra region-table CSV files to load beside the shipped ones.",
    ),
    # --- daily cap
    _s(
        "cap.daily",
        int,
        30,
        "Standing daily cap: recordings allowed per local day.",
        minimum=1,
        maximum=1000,
    ),
    # --- user interface and accounts
    _s("ui.language", str, "id", "Interface language.", choices=("id", "en")),
    _s("ui.idle_lock_minutes", int, 5, "Minutes without input before the screen locks.", minimum=1),
    _s(
        "ui.max_login_failures",
        int,
        5,
        "Failed PINs in a row before an account is locked.",
        minimum=1,
    ),
    _s("ui.lockout_minutes", int, 15, "How long a locked account stays locked.", minimum=1),
    # --- camera and face quality (ranges from ISO/IEC 19794-5 / BSI TR-03121, calibrated)
    _s("camera.source", str, "0", "Camera: a device index (0, 1, ...) or a file path / URL."),
    _s("camera.width", int, 640, "Requested camera frame width in pixels.", minimum=160),
    _s("camera.height", int, 480, "Requested camera frame height in pixels.", minimum=120),
    _s("face.min_width_ratio", float, 0.50, "Smallest head width / image width."),
    _s("face.max_width_ratio", float, 0.75, "Largest head width / image width."),
    _s("face.centre_min", float, 0.45, "Leftmost allowed face centre, as a fraction of width."),
    _s("face.centre_max", float, 0.55, "Rightmost allowed face centre, as a fraction of width."),
    _s(
        "face.haar_to_head_width",
        float,
        1.25,
        "Head width / Haar face-box width (the box misses ears and hair); calibrated.",
    ),
    _s(
        "face.min_sharpness",
        float,
        40.0,
        "Smallest variance of the Laplacian of the face (128 px wide, brightness-normalised).",
    ),
    _s("face.min_exposure", float, 70.0, "Lowest mean brightness (0-255) of the face region."),
    _s("face.max_exposure", float, 200.0, "Highest mean brightness (0-255) of the face region."),
    _s("face.max_clipped", float, 0.05, "Largest fraction of clipped (0 or 255) face pixels."),
    _s(
        "face.max_background_std",
        float,
        30.0,
        "Largest standard deviation of the background border (uniformity).",
    ),
    _s("face.photo_width", int, 413, "Saved portrait width in pixels (card aspect 3:4)."),
    _s(
        "face.jpeg_quality", int, 90, "JPEG quality of the saved portrait.", minimum=50, maximum=100
    ),
    # --- fingerprints (NFIQ2 enrolment thresholds from BSI)
    _s("finger.threshold_thumb", int, 30, "Minimum quality score for thumbs."),
    _s("finger.threshold_index", int, 30, "Minimum quality score for index fingers."),
    _s("finger.threshold_middle", int, 20, "Minimum quality score for middle fingers."),
    _s("finger.threshold_ring", int, 10, "Minimum quality score for ring fingers."),
    _s("finger.threshold_little", int, 10, "Minimum quality score for little fingers."),
    _s("finger.max_attempts", int, 3, "Attempts per slap before keeping the best.", minimum=1),
    _s("sbi.port_first", int, 4501, "First port of the SBI device-service range."),
    _s("sbi.port_last", int, 4600, "Last port of the SBI device-service range."),
    _s("sbi.host", str, "127.0.0.1", "Host of the SBI device service (always local)."),
    _s("sbi.capture_timeout_ms", int, 10000, "RCAPTURE timeout in milliseconds."),
    _s("sbi.trust_store", str, "sbi-trust", "Folder of the MOSIP device-provider and FTM CA "
       "certificates (PEM or DER) a scanner's signatures must chain to; relative to the "
       "folder of this settings file."),
    _s("sbi.env", str, "Staging", "SBI environment sent with captures (Staging, Developer, "
       "Pre-Production, Production).", choices=("Staging", "Developer", "Pre-Production",
                                                 "Production")),
    # --- self-test (kiosk selftest, technician screen)
    _s("selftest.min_fps", float, 15.0, "Lowest camera frame rate the self-test accepts.",
       minimum=1),
    _s("selftest.camera_seconds", float, 1.0, "Seconds of frames the camera self-test reads.",
       minimum=0.2, maximum=10),
    _s("selftest.min_disk_days", int, 30,
       "Fewest days of recording the free disk space must leave at the current pace.",
       minimum=1),
    # --- signature
    _s(
        "signature.input",
        str,
        "auto",
        "Signature input: auto, tablet, touch or mouse.",
        choices=("auto", "tablet", "touch", "mouse"),
    ),
    _s(
        "signature.min_ink_ratio", float, 0.003, "Smallest fraction of the pad that must carry ink."
    ),
    _s(
        "signature.min_extent",
        float,
        0.15,
        "Smallest signature width, as a fraction of the pad width.",
    ),
    # --- sync with the central server
    _s("sync.server_url", str, "", "Central server base URL (set by `kiosk setup central`)."),
    _s("sync.ca_bundle", str, "", "CA bundle for the server's TLS certificate (empty: system)."),
    _s("sync.verify_tls", bool, True, "Verify the server's TLS certificate."),
    _s("sync.health_timeout", float, 3.0, "Seconds to wait for the server's health answer."),
    _s("sync.request_timeout", float, 60.0, "Seconds to wait for one upload request."),
    _s("sync.link_check_seconds", float, 5.0,
       "Seconds between light health checks of the server while nothing is queued (the "
       "link state shown on home is this fresh, plus sync.health_timeout).",
       minimum=1, maximum=10),
    _s("sync.backoff_base", float, 1.0, "First retry delay in seconds."),
    _s("sync.backoff_cap", float, 600.0, "Longest retry delay in seconds.", minimum=1),
    _s("sync.reconcile_minutes", float, 30.0, "Minutes between reconciliations."),
    _s("sync.reconcile_batch", int, 200, "Record ids per reconciliation request.", minimum=1),
    _s("sync.report_minutes", float, 5.0,
       "Minutes between the station's reports of itself to the centre while online "
       "(backlog, today's count, clock; shown on the Disdukcapil console)."),
    _s(
        "sync.retention_days",
        int,
        30,
        "Days after verification before biometric blobs are purged locally.",
        minimum=0,
    ),
    _s(
        "sync.max_parallel",
        int,
        6,
        "Most records in flight at once (ceiling of the adaptive send window).",
        minimum=1,
        maximum=32,
    ),
    # --- the applicant's receipt
    _s("receipt.status_url", str, "",
       "The central status page applicants check themselves (https://.../cek), printed on "
       "receipts and in their QR codes; set from the server at `kiosk setup central` (empty: "
       "receipts tell applicants to ask at the kecamatan office).", check=_status_url),
    # --- records carried on a drive (kiosk carry; docs/carry.md)
    _s("carry.drive_roots", str, "/media:/run/media",
       "Folders where removable drives appear, separated by ':' (each drive is a folder two "
       "levels down: /media/<user>/<label>)."),
    _s("carry.poll_seconds", float, 5.0,
       "Seconds between looks for a plugged-in drive holding this station's receipts from "
       "the centre (0: never; read them from the carry screen).", minimum=0),
    # --- freeze gates
    _s(
        "freeze.max_unsent_days",
        int,
        7,
        "Refuse new recordings when the oldest unsent record is older than this.",
    ),
    _s(
        "freeze.max_clock_skew_minutes",
        int,
        10,
        "Refuse new recordings when the clock differs from the server's by more.",
    ),
    _s(
        "freeze.record_size_mb",
        float,
        0.5,
        "Expected disk use of one recording, for the free-disk gate.",
    ),
    _s(
        "freeze.disk_margin_mb",
        float,
        200.0,
        "Free disk kept beyond one more day of recordings (database growth, logs, exports).",
        minimum=0,
    ),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


class Settings:
    """Setting values: defaults overlaid with one TOML file."""

    def __init__(self, values: dict[str, Any] | None = None, path: Path | None = None) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        for key, value in (values or {}).items():
            self.set(key, value)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read `path` (missing file: all defaults)."""
        if not path.exists():
            return cls(path=path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not a valid TOML file ({exc})") from None
        flat: dict[str, Any] = {}
        for section, body in data.items():
            if not isinstance(body, dict):
                raise SettingsError(f"{path}: '{section}' must be a [section]")
            for name, value in body.items():
                flat[f"{section}.{name}"] = value
        return cls(flat, path=path)

    def __getitem__(self, key: str) -> Any:
        if key not in BY_KEY:
            raise KeyError(key)
        return self._values.get(key, BY_KEY[key].default)

    def get(self, key: str) -> Any:
        return self[key]

    def set(self, key: str, value: Any) -> None:
        """Set one value, checked against its declaration."""
        if key not in BY_KEY:
            raise SettingsError(f"{key}: unknown setting")
        self._values[key] = BY_KEY[key].coerce(value)

    def changed(self) -> Iterator[tuple[str, Any]]:
        """The (key, value) pairs that differ from the defaults."""
        for key, value in self._values.items():
            if value != BY_KEY[key].default:
                yield key, value

    def save(self, path: Path | None = None) -> Path:
        """Write the non-default values to the TOML file (atomically)."""
        target = path or self.path
        if target is None:
            raise SettingsError("no settings file to save to")
        doc: dict[str, dict[str, Any]] = {}
        for key, value in sorted(self.changed()):
            section, name = key.split(".", 1)
            doc.setdefault(section, {})[name] = value
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(doc), encoding="utf-8")
        tmp.replace(target)
        self.path = target
        return target

    @property
    def timezone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self["station.timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"station.timezone: unknown time zone {self['station.timezone']!r}"
            ) from None
