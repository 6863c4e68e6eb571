"""Dates and session names as Moroccan administration writes them, in Arabic and in French."""

import datetime

import pytest
from django.utils import translation

from meetings.models import Session, Transition
from meetings.text.dates import moroccan_date

MAGHREB_MONTHS = [
    "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
    "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
]  # fmt: skip
FRENCH_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def reference_session(**fields) -> Session:
    """The 2nd session of 2025, held on 18 December; not saved, names need no database."""
    defaults = {"date": datetime.date(2025, 12, 18), "ordinal": 2, "kind": Session.Kind.ORDINARY}
    return Session(**{**defaults, **fields})


@pytest.mark.parametrize(("month", "name"), list(enumerate(MAGHREB_MONTHS, start=1)))
def test_an_arabic_date_uses_the_maghreb_month_name(month, name):
    assert moroccan_date(datetime.date(2025, month, 18)) == f"18 {name} 2025"


@pytest.mark.parametrize(("month", "name"), list(enumerate(FRENCH_MONTHS, start=1)))
def test_a_french_date_uses_the_french_month_name(month, name):
    with translation.override("fr"):
        assert moroccan_date(datetime.date(2025, month, 18)) == f"18 {name} 2025"


def test_an_arabic_date_is_written_with_latin_digits():
    assert moroccan_date(datetime.date(2025, 12, 18)) == "18 دجنبر 2025"


def test_an_arabic_date_drops_the_leading_zero_of_the_day():
    assert moroccan_date(datetime.date(2025, 6, 5)) == "5 يونيو 2025"


def test_the_language_can_be_asked_for_whatever_the_active_one():
    assert moroccan_date(datetime.date(2025, 12, 18), "fr") == "18 décembre 2025"


def test_a_session_is_named_by_its_ordinal_and_year():
    assert reference_session().title == "الدورة الثانية برسم سنة 2025"


def test_an_extraordinary_session_says_so_in_its_name():
    session = reference_session(ordinal=1, kind=Session.Kind.EXTRAORDINARY)
    assert session.title == "الدورة الاستثنائية الأولى برسم سنة 2025"


def test_a_session_past_the_tenth_is_named_by_its_figure():
    assert reference_session(ordinal=11).title == "الدورة 11 برسم سنة 2025"


def test_a_session_reads_as_its_name_and_date():
    assert str(reference_session()) == "الدورة الثانية برسم سنة 2025 — 18 دجنبر 2025"


def test_a_session_is_named_in_french_when_french_is_active():
    with translation.override("fr"):
        assert reference_session().title == "Deuxième session de l’année 2025"


def test_a_session_reads_as_its_french_name_and_date_in_french():
    with translation.override("fr"):
        assert str(reference_session()) == "Deuxième session de l’année 2025 — 18 décembre 2025"


def test_an_extraordinary_session_is_named_in_french():
    with translation.override("fr"):
        session = reference_session(ordinal=1, kind=Session.Kind.EXTRAORDINARY)
        assert session.title == "Première session extraordinaire de l’année 2025"


def test_the_first_of_the_month_is_written_1er_in_french_and_1_in_arabic():
    first = datetime.date(2026, 12, 1)

    assert moroccan_date(first, "fr") == "1er décembre 2026"
    assert moroccan_date(first, "ar") == "1 دجنبر 2026"
    assert moroccan_date(datetime.date(2026, 12, 2), "fr") == "2 décembre 2026"


@pytest.mark.parametrize(
    ("language", "arrow"), [("ar", "مسودة ← قيد المراجعة"), ("fr", "projet → en relecture")]
)
def test_a_moves_arrow_points_the_way_the_language_reads(language, arrow):
    with translation.override(language):
        assert str(Transition(source="draft", target="in_review")) == arrow
