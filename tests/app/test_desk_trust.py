"""DeskService.scanner_trust: what the technician reads about the station's scanner trust store
(sbi.trust_store) - the folder, each CA with its state, and in words what is missing or broken.
Headless: runs in the Qt-blocked pass of tests/test_layers.py too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate, NameOID

from ektp_protocol import x5c
from kiosk.app import accounts
from kiosk.app.accounts import PermissionDenied
from kiosk.app.desk import DeskService
from kiosk.devices.sim import pki
from kiosk.settings import Settings
from kiosk.store.station import Store


def _station(tmp_path: Path, clock=None) -> tuple[Store, Path]:
    """A store whose settings file is tmp_path/settings.toml, trust store "sbi-trust" (relative,
    so it must be read beside the settings file), with a technician and an operator."""
    settings_path = tmp_path / "settings.toml"
    settings = Settings(path=settings_path)
    settings.set("sbi.trust_store", "sbi-trust")
    kwargs = {"clock": clock} if clock else {}
    store = Store(tmp_path / "data", settings, **kwargs)
    accounts.create_first_supervisor(store, "pengawas", "Rina", "135790")
    accounts.create_user(store, "pengawas", "teknisi", "Tek", "technician", "222222", demo=True)
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "111111", demo=True)
    return store, settings_path


def _service(store: Store, settings_path: Path, username: str = "teknisi") -> DeskService:
    return DeskService(store, settings_path, accounts.get_user(store, username))


def _ca(common: str, not_after: dt.datetime) -> Certificate:
    key = pki.new_key("RS256")
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Provider"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])
    return pki.issue(name, key, None, key, ca=True, not_before=not_after - dt.timedelta(days=90),
                     not_after=not_after)


def _write(folder: Path, name: str, cert: Certificate) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture
def station(tmp_path: Path):
    store, settings_path = _station(tmp_path)
    yield store, settings_path
    store.close()


def test_the_two_demo_cas_are_listed_valid_with_subject_date_and_fingerprint(
    station, tmp_path: Path
):
    store, settings_path = station
    demo = pki.DemoPki.load_or_create(tmp_path / "pki")
    demo.write_trust_folder(tmp_path / "sbi-trust")
    trust = _service(store, settings_path).scanner_trust()
    assert trust["folder"] == tmp_path / "sbi-trust" and trust["exists"] is True
    assert trust["notice"] is None and trust["warnings"] == []
    by_cn = {c["cn"]: c for c in trust["certs"]}
    assert sorted(by_cn) == sorted([pki.PROVIDER_CA, pki.FTM_CA])
    for cert in demo.ca_certs():
        entry = by_cn[cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value]
        assert entry["subject"] == cert.subject.rfc4514_string()
        assert entry["until"] == cert.not_valid_after_utc
        assert entry["fingerprint"] == x5c.fingerprint(cert)
        assert entry["state"] == "valid"


def test_an_expired_ca_reads_expired_and_one_ending_within_30_days_expires_soon(
    station, tmp_path: Path
):
    store, settings_path = station
    now = dt.datetime.now(dt.UTC)
    folder = tmp_path / "sbi-trust"
    _write(folder, "old.pem", _ca("Lapsed CA", now - dt.timedelta(days=1)))
    _write(folder, "soon.pem", _ca("Ending CA", now + dt.timedelta(days=10)))
    _write(folder, "later.pem", _ca("Lasting CA", now + dt.timedelta(days=45)))
    states = {c["cn"]: c["state"] for c in _service(store, settings_path).scanner_trust()["certs"]}
    assert states == {"Lapsed CA": "expired", "Ending CA": "expires soon", "Lasting CA": "valid"}


@pytest.mark.parametrize(("before", "state"), [
    (dt.timedelta(days=31), "valid"), (dt.timedelta(days=29), "expires soon"),
    (dt.timedelta(seconds=1), "expires soon"), (-dt.timedelta(seconds=1), "expired"),
])
def test_the_state_is_judged_by_the_station_clock(tmp_path: Path, before, state):
    until = dt.datetime(2031, 5, 1, tzinfo=dt.UTC)
    store, settings_path = _station(tmp_path, clock=lambda: until - before)
    try:
        _write(tmp_path / "sbi-trust", "ca.pem", _ca("Clocked CA", until))
        [cert] = _service(store, settings_path).scanner_trust()["certs"]
        assert cert["state"] == state
    finally:
        store.close()


def test_a_missing_folder_says_where_to_copy_the_certificates(station, tmp_path: Path):
    store, settings_path = station
    trust = _service(store, settings_path).scanner_trust()
    folder = tmp_path / "sbi-trust"
    assert trust["exists"] is False and trust["certs"] == [] and trust["warnings"] == []
    assert trust["notice"].id == (f"Belum ada sertifikat CA di {folder}: salin sertifikat dari "
                                  "penyedia pemindai ke folder itu.")
    assert f"No CA certificate in {folder}" in trust["notice"].en


def test_an_empty_folder_says_the_same(station, tmp_path: Path):
    store, settings_path = station
    (tmp_path / "sbi-trust").mkdir()
    (tmp_path / "sbi-trust" / "README.txt").write_text("not a certificate suffix")
    trust = _service(store, settings_path).scanner_trust()
    assert trust["exists"] is True and trust["certs"] == []
    assert "Belum ada sertifikat CA di" in trust["notice"].id


def test_an_unreadable_file_is_named_in_both_languages_and_the_others_still_listed(
    station, tmp_path: Path
):
    store, settings_path = station
    folder = tmp_path / "sbi-trust"
    pki.DemoPki.load_or_create(tmp_path / "pki").write_trust_folder(folder)
    (folder / "rusak.crt").write_bytes(b"\x30\x03not der")
    trust = _service(store, settings_path).scanner_trust()
    assert len(trust["certs"]) == 2 and trust["notice"] is None
    [warning] = trust["warnings"]
    assert warning.id == "Berkas sertifikat tidak terbaca, dilewati: rusak.crt"
    assert warning.en.startswith("Unreadable certificate file, skipped: rusak.crt")


def test_an_operator_may_not_read_the_trust_store(station):
    store, settings_path = station
    with pytest.raises(PermissionDenied):
        _service(store, settings_path, "budi").scanner_trust()
