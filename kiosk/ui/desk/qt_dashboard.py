"""The supervisor's dashboard: the last 30 days as Qt Charts (recordings against the cap, the
sync backlog and rejections with the records that left on a drive and the receipts that came
back on one, offline minutes) and today's figures beside them."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QGroupBox, QVBoxLayout, QWidget

from kiosk.app.carry import carry_figures
from kiosk.app.dashboard import DayPoint
from kiosk.app.desk import DeskService, TodayFigures
from kiosk.domain import delivery
from kiosk.ui.desk.qt_desk import QtDeskScreen
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_int

BLUE, ORANGE, RED, GREY = "#0b5394", "#f0a202", "#b3261e", "#7d8a96"
PURPLE, GREEN = "#6a3d9a", "#1e6b2f"


def integer_axis(top: float, most_intervals: int = 5) -> tuple[int, int]:
    """(axis maximum, tick count) for counts up to `top`: a whole step of 1, 2 or 5 x 10^k,
    at most `most_intervals` of them, with about a tenth of headroom above `top`. Every tick
    is then a distinct whole number (Qt's nice numbers over 0..1.15 gave 0, 0, 0, 1, 1)."""
    need = max(1.0, float(top) * 1.1)
    step = 1
    while True:
        for mult in (1, 2, 5):
            intervals = -(-need // (step * mult))  # ceiling
            if intervals <= most_intervals:
                return int(step * mult * intervals), int(intervals) + 1
        step *= 10


def _chart() -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(8)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    chart.legend().setFont(QFont("", 9))
    title = QFont("", 11)
    title.setBold(True)
    chart.setTitleFont(title)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(200)
    return chart, view


def _line(colour: str, width: float = 2.5) -> QLineSeries:
    line = QLineSeries()
    line.setPen(QPen(QColor(colour), width))
    return line


class QtDashboardScreen(QtDeskScreen):
    """Dasbor: 30 days of charts and today's figures."""

    ACTION = "dashboard"

    def __init__(self, service: DeskService, days: int = 30,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.days = days
        self.points: list[DayPoint] = []
        self.refresh_button = button()
        self.refresh_button.clicked.connect(self.refresh)
        self.head.addWidget(self.refresh_button)

        self.rec_chart, rec_view = _chart()
        self.recordings_set = QBarSet("")
        self.recordings_set.setColor(QColor(BLUE))
        self.recordings_bars = QBarSeries()
        self.recordings_bars.append(self.recordings_set)
        self.cap_line = _line(ORANGE)
        self.sync_chart, sync_view = _chart()
        self.rejections_set = QBarSet("")
        self.rejections_set.setColor(QColor(RED))
        self.rejections_bars = QBarSeries()
        self.rejections_bars.append(self.rejections_set)
        # records that left on a drive that day, and receipts that came back on one
        self.carried_set, self.carry_back_set = QBarSet(""), QBarSet("")
        self.carried_set.setColor(QColor(PURPLE))
        self.carry_back_set.setColor(QColor(GREEN))
        self.rejections_bars.append([self.carried_set, self.carry_back_set])
        self.backlog_line = _line(BLUE)
        self.offline_chart, offline_view = _chart()
        self.offline_set = QBarSet("")
        self.offline_set.setColor(QColor(GREY))
        self.offline_bars = QBarSeries()
        self.offline_bars.append(self.offline_set)
        self.rec_chart.addSeries(self.recordings_bars)
        self.rec_chart.addSeries(self.cap_line)
        self.sync_chart.addSeries(self.rejections_bars)
        self.sync_chart.addSeries(self.backlog_line)
        self.offline_chart.addSeries(self.offline_bars)
        self.axes: dict[str, tuple[QBarCategoryAxis, QValueAxis]] = {}
        for name, chart in (("rec", self.rec_chart), ("sync", self.sync_chart),
                            ("offline", self.offline_chart)):
            x, y = QBarCategoryAxis(), QValueAxis()
            x.setLabelsFont(QFont("", 7))
            x.setLabelsAngle(-90)
            y.setLabelsFont(QFont("", 9))
            y.setLabelFormat("%d")
            y.setTickType(QValueAxis.TickType.TicksFixed)
            y.setMinorTickCount(0)
            chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
            for series in chart.series():
                series.attachAxis(x)
                series.attachAxis(y)
            x.setLabelsVisible(name == "rec")  # the small charts share the top one's days
            self.axes[name] = (x, y)

        self.today_box = QGroupBox()
        t = QVBoxLayout(self.today_box)
        self.figures: dict[str, tuple[object, object]] = {}
        for key in ("recorded", "waiting", "carried", "sent", "offline", "rerecord"):
            caption, value = label("hint", wrap=True), label("figure")
            value.setObjectName("figure")
            t.addWidget(caption)
            t.addWidget(value)
            self.figures[key] = (caption, value)
        t.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(rec_view, 0, 0, 1, 2)
        grid.addWidget(sync_view, 1, 0)
        grid.addWidget(offline_view, 1, 1)
        grid.addWidget(self.today_box, 0, 2, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)
        self.lay.addLayout(grid, 1)
        self.today: TodayFigures | None = None
        self.carried_waiting = 0
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the series and today's figures."""
        self.points = self.service.dashboard(self.days)
        self.today = self.service.today_figures()
        self.carried_waiting = carry_figures(self.service.store).carried
        pts = self.points
        categories = [p.day.strftime("%d/%m") for p in pts]
        for s, values in ((self.recordings_set, [p.recordings for p in pts]),
                          (self.rejections_set, [p.rejections for p in pts]),
                          (self.carried_set, [p.carried for p in pts]),
                          (self.carry_back_set, [p.carry_receipts for p in pts]),
                          (self.offline_set, [round(p.offline_minutes) for p in pts])):
            s.remove(0, s.count())
            s.append([float(v) for v in values])
        # lines on a category axis: x is the category's index
        self.cap_line.replace([QPointF(i, p.cap) for i, p in enumerate(pts)])
        self.backlog_line.replace([QPointF(i, p.backlog) for i, p in enumerate(pts)])
        tops = {"rec": max([p.recordings for p in pts] + [p.cap for p in pts] + [1]),
                "sync": max([max(p.backlog, p.rejections, p.carried, p.carry_receipts)
                             for p in pts] + [1]),
                "offline": max([p.offline_minutes for p in pts] + [10])}
        for name, (x, y) in self.axes.items():
            x.clear()
            x.append(categories)
            top, ticks = integer_axis(tops[name])
            y.setRange(0, top)
            y.setTickCount(ticks)
        self._show_today()

    def _show_today(self) -> None:
        f = self.today
        if f is None:
            return
        waiting, sent = delivery.waiting(f.backlog), delivery.delivered(f.backlog)
        values = {"recorded": f"{fmt_int(f.cap.count)} / {fmt_int(f.cap.cap)}",
                  "waiting": fmt_int(waiting), "sent": fmt_int(sent),
                  "carried": fmt_int(self.carried_waiting),
                  "offline": fmt_int(round(f.offline_minutes)),
                  "rerecord": fmt_int(f.rerecord_open)}
        for key, (_caption, value) in self.figures.items():
            value.setText(values[key])

    def retranslate(self) -> None:
        self.title.setText(self.tr("Dasbor 30 hari"))
        self.subtitle.setText(self.tr(
            "Perekaman per hari terhadap batas, antrean kirim, penolakan server, rekaman yang "
            "dibawa dengan flashdisk dan tanda terimanya, serta menit offline per hari."))
        self.refresh_button.setText(self.tr("Muat ulang"))
        self.rec_chart.setTitle(self.tr("Perekaman per hari dan batas harian"))
        self.recordings_set.setLabel(self.tr("Perekaman"))
        self.cap_line.setName(self.tr("Batas harian"))
        self.sync_chart.setTitle(self.tr("Antrean kirim, penolakan dan flashdisk"))
        # four names in half the width: short ones (the title and the subtitle say the rest)
        self.backlog_line.setName(self.tr("Belum diterima"))
        self.rejections_set.setLabel(self.tr("Ditolak"))
        self.carried_set.setLabel(self.tr("Dibawa"))
        self.carry_back_set.setLabel(self.tr("Tanda terima"))
        self.offline_chart.setTitle(self.tr("Menit offline per hari"))
        self.offline_set.setLabel(self.tr("Menit offline"))
        self.today_box.setTitle(self.tr("Hari ini"))
        captions = {"recorded": self.tr("Perekaman / batas"),
                    "waiting": self.tr("Menunggu dikirim (semua hari)"),
                    "carried": self.tr("Di antaranya dibawa flashdisk, menunggu tanda terima"),
                    "sent": self.tr("Sudah diterima server"),
                    "offline": self.tr("Menit offline hari ini"),
                    "rerecord": self.tr("Perlu rekam ulang, belum dihubungi")}
        for key, (caption, _value) in self.figures.items():
            caption.setText(captions[key])
