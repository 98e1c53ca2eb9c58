"""The dashboard's days count the records written to a drive and the receipts that came
back on one, each on its day in the station's zone (times are stored in UTC)."""

from __future__ import annotations

import datetime as dt

from kiosk.app import dashboard
from kiosk.app.carry import carry_figures
from kiosk.store.db import iso
from tests.app.carry_centre import carry_station


def test_drive_days_are_counted_in_the_stations_zone(tmp_path):
    store, _ = carry_station(tmp_path / "data", 6)
    try:
        tz = store.settings.timezone
        today = store.today()
        ids = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY seq")]
        early = dt.datetime.combine(today, dt.time(0, 30), tzinfo=tz)  # the day before in UTC
        late = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(23, 50), tzinfo=tz)
        with store.db.conn:
            for rid in ids[:3]:
                store.db.execute("UPDATE records SET carried_at = ? WHERE id = ?",
                                 [iso(early.astimezone(dt.UTC)), rid])
            store.db.execute("UPDATE records SET carried_at = ?, carry_receipt_at = ?, "
                             "state = 'received' WHERE id = ?",
                             [iso(late.astimezone(dt.UTC)), iso(early), ids[3]])
        points = dashboard.dashboard_series(store, days=2, today=today,
                                            now=early + dt.timedelta(hours=12))
        assert [(p.carried, p.carry_receipts) for p in points] == [(1, 0), (3, 1)]
        figures = carry_figures(store)
        assert (figures.unsent, figures.carried, figures.received_by_drive) == (5, 3, 1)
    finally:
        store.close()
