"""Dates as Moroccan administration writes them: «18 دجنبر 2025», Maghreb month names, Latin digits."""

import datetime

from babel.dates import format_date
from django.utils.translation import get_language, gettext_noop, pgettext_lazy

# Babel's ar_MA carries the Maghreb month names (يناير ... دجنبر) with Latin digits; Django's own
# `ar` locale would give the Mashriq names (كانون الأول) instead.
_BABEL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA"}


def moroccan_date(value: datetime.date, language: str | None = None, *, weekday: bool = False) -> str:
    """«18 دجنبر 2025», «18 décembre 2025»; French writes the first of the month «1er décembre 2025»."""
    language = (language or get_language() or "ar").split("-")[0]
    day = "d'er'" if language == "fr" and value.day == 1 else "d"
    pattern = f"EEEE {day} MMMM y" if weekday else f"{day} MMMM y"
    return format_date(value, pattern, locale=_BABEL_LOCALES.get(language, "ar_MA"))


# Django's own month names (admin lists, date filters, calendars) are taken from this project's catalogue,
# which comes before Django's: its Arabic entries give the Maghreb names, as Babel's ar_MA does above.
# Listed here so that `makemessages` keeps them.
DJANGO_MONTH_NAMES = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
DJANGO_ALT_MONTH_NAMES = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
