"""Documents drawn with Qt's printing (QPdfWriter + QPainter), with no window: the daily log
PDF. The `kiosk` command imports these too, which is why they sit apart from the screens."""
