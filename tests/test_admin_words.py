"""The admin's words as the secretariat reads them, where Django's own catalogues had them wrong for this app
(corrected in entraide/locale_overrides) or its templates wrote them without the language's grammar
(templates/admin/edit_inline/stacked.html, templates/admin/pagination.html): a change is confirmed as a
change, «another» agrees whatever the model's gender, a count reads in words, a new resolution is «nº 1»."""

import html
import json
import re

import pytest

from tests import factory
from tests.members import read_form
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(client):
    client.force_login(factory.secretariat_user())
    session = factory.session(factory.board())
    factory.agenda_item(session, 1, title="تتبع القرارات")
    return session


def change_url(session, language: str = "") -> str:
    return f"{language}/admin/meetings/session/{session.pk}/change/"


def add_link_text(page: str, prefix: str) -> str:
    """The text of an inline's «add another» link, which Django's script writes from the group's data."""
    group = re.search(rf'id="{prefix}-group"[^>]*data-inline-formset="([^"]+)"', page, re.S)
    assert group, f"no inline group {prefix} on the page"
    return json.loads(html.unescape(group.group(1)))["options"]["addText"]


def test_a_change_is_confirmed_as_a_change_in_arabic(client, session):
    form = read_form(client.get(change_url(session)), id="session_form").values
    form["_continue"] = "حفظ ومواصلة التعديل"

    response = client.post(change_url(session), form, follow=True)

    text = visible_text(response)
    assert f"تم تعديل الدورة «{session}» بنجاح. يمكنكم مواصلة التعديل أدناه." in text
    assert "نجحت إضافة" not in text
    assert "يمكن تعديله" not in text


def test_a_change_is_confirmed_as_a_change_in_french(client, session):
    form = read_form(client.get(change_url(session, "/fr")), id="session_form").values
    form["_save"] = "Enregistrer"

    response = client.post(change_url(session, "/fr"), form, follow=True)

    # A narrow no-break space inside the quotes and before the colon (visible_text makes it a space).
    assert "Modification enregistrée\u202f: session «\u202f<a" in response.content.decode()
    assert "Modification enregistrée : session « Deuxième session de l’année 2025" in visible_text(response)
    assert "L’objet" not in visible_text(response)


def test_the_add_link_of_an_inline_agrees_with_any_model_name(client, session):
    page = client.get(change_url(session)).content.decode()

    # «أخرى» agrees with «إضافة», whatever the gender of the model's name: a feminine agenda item, a
    # masculine line of attendance.
    assert add_link_text(page, "agenda_items") == "إضافة أخرى: نقطة جدول الأعمال"
    assert add_link_text(page, "attendances") == "إضافة أخرى: سطر حضور"


def test_a_new_resolution_is_numbered_in_words(client, session):
    french = visible_text(client.get(change_url(session, "/fr")))
    arabic = visible_text(client.get(change_url(session)))

    assert re.search(r"Résolution nº \d", french)
    assert "Résolution: #" not in french
    assert re.search(r"قرار رقم \d", arabic)


def test_a_list_counts_its_rows_in_words(client, session):
    text = visible_text(client.get("/admin/meetings/session/"))

    assert "عدد الدورات: 1" in text
    assert "1 الدورة" not in text


def test_a_resolution_s_outcome_has_the_public_pages_word_in_the_admin(client, session):
    french = visible_text(client.get(change_url(session, "/fr")))

    assert "Résultat :" in french
    assert "Issue :" not in french
