"""The public pages of the demo data (`load_demo`), which tell the reference case of 18 دجنبر 2025.

The demo is loaded once for the module (each load publishes its two sessions through the real lifecycle);
each test reads it in a transaction of its own, which undoes what it changed.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.pages import visible_text

pytestmark = pytest.mark.django_db


def load_demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models(include_auto_created=True)}


@pytest.fixture(scope="module")
def _demo(module_db) -> None:
    load_demo()


@pytest.fixture
def demo(_demo, module_files) -> None:
    """The demo, loaded once, and the files its signed minutes are stored in."""


def test_loading_the_demo_twice_leaves_the_same_rows(demo):
    first = row_counts()  # after the module's load

    load_demo()

    assert row_counts() == first
    assert (first["meetings.Session"], first["decisions.Resolution"], first["decisions.FollowUp"]) == (
        2,
        5,
        4,
    )


def test_the_demo_december_session_page_tells_the_reference_case(client, demo):
    text = visible_text(client.get("/sessions/2025/2/"))

    assert "الدورة الثانية برسم سنة 2025" in text
    assert "18 دجنبر 2025" in text
    assert "تمت تلاوة سورة الفاتحة ترحما على أرواح ضحايا فيضانات مدينة آسفي" in text
    assert "مشروع مخطط عمل المؤسسة برسم سنة 2026" in text
    assert "القرار 2025/2/1 — المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026" in text
    assert "مصادق عليه بالإجماع" in text


def test_the_demo_december_session_page_in_french(client, demo):
    text = visible_text(client.get("/fr/sessions/2025/2/"))

    assert "Deuxième session de l'année 2025" in text
    assert "18 décembre 2025" in text
    assert "Présidée par Naïma Ben Yahia" in text
    assert "سورة الفاتحة" in text and "آسفي" in text
    assert "مشروع مخطط عمل المؤسسة برسم سنة 2026" in text
    assert "Résolution 2025/2/1 — المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026" in text
    assert "adoptée à l'unanimité" in text
