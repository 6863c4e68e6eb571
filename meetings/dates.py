"""Dates as Moroccan administration writes them: «18 دجنبر 2025», Maghreb month names, Latin digits."""

import datetime

from babel.dates import format_date
from django.utils.translation import get_language

# Babel's ar_MA carries the Maghreb month names (يناير ... دجنبر) with Latin digits; Django's own
# `ar` locale would give the Mashriq names (كانون الأول) instead.
_BABEL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA"}


def moroccan_date(value: datetime.date, language: str | None = None, *, weekday: bool = False) -> str:
    language = (language or get_language() or "ar").split("-")[0]
    pattern = "EEEE d MMMM y" if weekday else "d MMMM y"
    return format_date(value, pattern, locale=_BABEL_LOCALES.get(language, "ar_MA"))
