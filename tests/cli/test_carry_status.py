"""`kiosk status` and `kiosk summary` say "dibawa" for records that left on a drive."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kiosk.app import accounts
from kiosk.app.carry import CarryService
from kiosk.cli import cli
from tests.app.carry_centre import SUPERVISOR, carry_station


def test_status_and_summary_name_the_records_on_a_drive(tmp_path):
    store, _ = carry_station(tmp_path / "data", 2)
    supervisor = accounts.act_as(store, *SUPERVISOR, "carry")
    (tmp_path / "usb").mkdir()
    result = CarryService(store, supervisor).export(supervisor, tmp_path / "usb")
    regno = store.db.execute("SELECT regno FROM records WHERE id = ?",
                             [result.written[0]]).fetchone()[0]
    store.close()
    common = ["--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "s.toml")]
    status = CliRunner().invoke(cli, ["status", regno, *common])
    assert status.exit_code == 0, status.output
    assert "Dibawa (menunggu tanda terima): ditulis ke flashdisk pada" in status.output
    assert "Carried (waiting for receipts)" in status.output
    summary = CliRunner().invoke(cli, ["summary", "--json", *common])
    assert json.loads(summary.output)["carried"] == 2
