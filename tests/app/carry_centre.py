"""A station set up for carrying without any server (its keys pinned as `kiosk setup central`
leaves them), and a stand-in for the centre's import: it opens each packet of an export
folder with the carry key, signs a receipt for the manifest inside, and writes the signed
receipts file back as `kiosk-central carry import` does (ektp_protocol only: no server)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ektp_protocol as protocol
from ektp_protocol import carry
from kiosk.app import accounts
from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.store.keys import set_secret
from kiosk.store.station import Store
from kiosk.sync.link import CARRY_KEY_META, SERVER_KEY_META, signing_key_name

SUPERVISOR = ("pengawas", "135790")
OPERATOR = ("budi", "111111")


def carry_station(data_dir: Path, n: int, settings=None) -> tuple[Store, str]:
    """A store with `n` unsent recordings of today, a supervisor and an operator, and the
    centre's keys pinned; the centre's private key (for `import_folder`)."""
    from kiosk.settings import Settings

    settings = settings or Settings()
    settings.set("cap.daily", 1000)
    store = Store(data_dir, settings)
    accounts.create_first_supervisor(store, SUPERVISOR[0], "Rina Pengawas", SUPERVISOR[1])
    accounts.create_user(store, SUPERVISOR[0], OPERATOR[0], "Budi Operator", "operator",
                         OPERATOR[1], demo=True)
    regions = RegionTable.load()
    for i in range(n):
        store.save_recording(demo_recording(200 + i, "627104", regions, store.today()),
                             OPERATOR[0])
    server = protocol.new_private_key()
    set_secret(signing_key_name(store.station_id), protocol.new_private_key())
    store.set_meta(SERVER_KEY_META, protocol.public_key_of(server))
    store.set_meta(CARRY_KEY_META, carry.carry_public_key(server))
    return store, server


def import_folder(folder: Path, server: str, refuse: dict[str, str] | None = None,
                  first_seq: int = 1) -> list[str]:
    """The centre's import of one export folder: every packet in its index gets a receipt
    (those named in `refuse`, record id -> reason, are refused); receipts.json is written.
    The record ids imported."""
    refuse = refuse or {}
    index = carry.read_signed((folder / carry.INDEX).read_bytes(), "index")
    private = carry.carry_private_key(server)
    results, imported = [], []
    for seq, entry in enumerate(index["packets"], first_seq):
        rid = entry["record_id"]
        if rid in refuse:
            results.append({"name": entry["name"], "record_id": rid, "outcome": "refused",
                            "reason": "altered", "message": refuse[rid]})
            continue
        packet = carry.open_packet((folder / carry.PACKETS / entry["name"]).read_bytes(),
                                   private)
        receipt = protocol.make_receipt(server, rid, protocol.sha256_hex(packet.manifest), seq,
                                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        results.append({"name": entry["name"], "record_id": rid, "outcome": "imported",
                         "receipt": receipt.to_json()})
        imported.append(rid)
    content = {"format": carry.FORMAT, "folder": folder.name, "station": "test",
               "server_key": protocol.public_key_of(server),
               "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "results": results}
    (folder / carry.RECEIPTS).write_bytes(carry.signed_document("receipts", content, server))
    return imported


def index_ids(folder: Path) -> list[str]:
    """The record ids the station's signed index on the drive lists."""
    doc = carry.read_signed((folder / carry.INDEX).read_bytes(), "index")
    return [p["record_id"] for p in doc["packets"]]


def carried_ids(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT id FROM records WHERE carried_at IS NOT NULL ORDER BY created_at, id")]


def states(store: Store) -> dict[str, int]:
    return json.loads(json.dumps(store.backlog()))
