"""Language: Qt translations (Indonesian source strings, English .qm) and Indonesian formats.

Every visible string goes through `tr()`; Indonesian is the source language, so it needs no
translation file and is what the station shows at start. English is `kiosk_en.qm`. Switching
installs or removes the translator; Qt then sends LanguageChange to every widget, and each
screen's `changeEvent` calls its `retranslate()`.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QObject,
    QTimeZone,
    QTranslator,
    Signal,
)

from kiosk.domain.messages import Msg
from kiosk.paths import RESOURCES

TRANSLATIONS = RESOURCES / "translations"
LANGUAGES = ("id", "en")
_LOCALES = {"id": "id_ID", "en": "en_GB"}


class TranslationMissing(RuntimeError):
    """The compiled English translation file is missing (run `make translations`)."""


class QtLanguage(QObject):
    """The application's current language; `changed` fires after a switch."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator: QTranslator | None = None
        self.lang = "id"
        QLocale.setDefault(QLocale(_LOCALES["id"]))

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        if lang == self.lang:
            return
        app = QCoreApplication.instance()
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if lang != "id":
            translator = QTranslator(self)
            path = TRANSLATIONS / f"kiosk_{lang}.qm"
            if not translator.load(str(path)):
                raise TranslationMissing(str(path))
            app.installTranslator(translator)
            self._translator = translator
        self.lang = lang
        QLocale.setDefault(QLocale(_LOCALES[lang]))
        _CURRENT[0] = lang
        self.changed.emit(lang)

    def toggle(self) -> None:
        self.set_language("en" if self.lang == "id" else "id")


_CURRENT = ["id"]


def current_lang() -> str:
    return _CURRENT[0]


def msg_text(msg: Msg) -> str:
    """A domain message in the language on screen."""
    return msg.text(current_lang())


def locale() -> QLocale:
    return QLocale(_LOCALES[current_lang()])


def fmt_date(day: dt.date) -> str:
    """'28 November 2026' (Indonesian month names in Indonesian)."""
    return locale().toString(QDate(day.year, day.month, day.day), "d MMMM yyyy")


def fmt_datetime(when: dt.datetime) -> str:
    """'28 November 2026 14.05 WIB' in the datetime's own zone."""
    tz = when.tzinfo
    qdt = QDateTime.fromSecsSinceEpoch(int(when.timestamp()), QTimeZone(str(tz).encode()))
    time_fmt = "HH.mm" if current_lang() == "id" else "HH:mm"
    return f"{locale().toString(qdt, 'd MMMM yyyy ' + time_fmt)} {when.tzname() or ''}".strip()


def fmt_int(n: int) -> str:
    return locale().toString(int(n))
