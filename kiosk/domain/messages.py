"""Bilingual messages: every problem the domain reports reads in Bahasa Indonesia and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Msg:
    """A sentence in Bahasa Indonesia (`id`, the default) and English (`en`)."""

    id: str
    en: str

    def text(self, lang: str = "id") -> str:
        return self.en if lang == "en" else self.id

    def __str__(self) -> str:
        return f"{self.id} / {self.en}"


class DomainError(Exception):
    """Base of the named errors that carry a bilingual message."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg

    def text(self, lang: str = "id") -> str:
        return self.msg.text(lang)
