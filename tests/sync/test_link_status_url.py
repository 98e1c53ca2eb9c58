"""`kiosk setup central` keeps the applicant's status page the server names (receipt.status_url,
printed on receipts and in their QR codes): from a real `kiosk-central serve --public-url`, and
emptied when the station is linked to a server that has no page."""

from __future__ import annotations

import pytest
from harness import make_station

from kiosk.settings import Settings, SettingsError
from kiosk.sync.link import STATUS_URL_SETTING, setup_central
from tests.central.web.conftest import WebServer

PUBLIC = "https://cek.example.go.id/cek"


@pytest.fixture
def servers(tmp_path):
    started: list[WebServer] = []

    def start(name: str, *options: str) -> WebServer:
        started.append(WebServer(tmp_path / name, *options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_setup_keeps_the_status_page_the_server_names_and_forgets_it_on_another(tmp_path,
                                                                               servers):
    with_page = servers("with-page", "--public-url", PUBLIC)
    store = make_station(tmp_path / "station", 0)
    try:
        info = setup_central(store, store.settings.path, with_page.url,
                             with_page.cli("station", "add", "kec-a"))
        assert info["status_url"] == PUBLIC
        assert Settings.load(store.settings.path)[STATUS_URL_SETTING] == PUBLIC

        without = servers("without-page")
        info = setup_central(store, store.settings.path, without.url,
                             without.cli("station", "add", "kec-a"))
        assert info["status_url"] is None
        assert Settings.load(store.settings.path)[STATUS_URL_SETTING] == ""
    finally:
        store.close()


@pytest.mark.parametrize("value", ["javascript:alert(1)", "cek.example.go.id/cek",
                                   "https://cek example/cek", "ftp://cek.example.go.id/"])
def test_a_status_page_setting_that_is_not_a_web_address_is_refused(value):
    with pytest.raises(SettingsError, match="receipt.status_url"):
        Settings().set(STATUS_URL_SETTING, value)


def test_the_status_page_setting_is_kept_trimmed():
    settings = Settings()
    settings.set(STATUS_URL_SETTING, f"  {PUBLIC} ")
    assert settings[STATUS_URL_SETTING] == PUBLIC
