"""A French reader reads the record in French where the secretariat entered French versions (the place,
the agenda items' titles, the resolutions' titles, texts and responsible units, the follow-ups' notes),
as signed; a text that exists only in Arabic is shown in Arabic, set right to left and said to be so;
the signed PDF stays the Arabic original, and the French page says it is."""

import datetime
import html

import pytest
from django.db import transaction

from decisions.models import FollowUp
from meetings.minutes import lifecycle
from meetings.models import Minutes
from meetings.models.record import record_fingerprint, session_record
from tests import factory, pdf
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

FRENCH = {
    "place": "Siège de l’Entraide Nationale, Rabat",
    "item": "Approbation du plan d’action 2026",
    "title": "Approbation du plan d’action et du budget 2026",
    "text": "Le conseil approuve le plan d’action de l’année 2026 et son budget.",
    "unit": "Direction de la programmation",
    "note": "Les travaux ont commencé dans trois régions.",
}
ARABIC = {
    "place": "مقر التعاون الوطني بالرباط",
    "item": "المصادقة على مخطط عمل سنة 2026",
    "other_item": "تقرير حول تتبع تنفيذ القرارات",  # no French version
    "deliberation": "تداول المجلس في مشروع مخطط العمل",  # never translated
    "title": "المصادقة على مخطط العمل والميزانية",
    "text": "يصادق المجلس على مخطط عمل سنة 2026 وميزانيته.",
    "unit": "مديرية البرمجة",
    "note": "انطلقت الأشغال في ثلاث جهات",
}
PAGE = "/sessions/2025/2/"


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker, module_media):
    """December 2025, published with French versions of part of its texts, following up June's resolution."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = factory.board()
        june = factory.session(home, datetime.date(2025, 6, 20), 1)
        earlier = factory.resolution(
            june, 1, title="تأهيل مراكز التكوين", title_fr="Mise à niveau des centres"
        )
        factory.publish(june)
        dec = factory.session(
            home, datetime.date(2025, 12, 18), 2, place=ARABIC["place"], place_fr=FRENCH["place"]
        )
        item = factory.agenda_item(
            dec, 1, title=ARABIC["item"], title_fr=FRENCH["item"], deliberation=ARABIC["deliberation"]
        )
        factory.agenda_item(dec, 2, title=ARABIC["other_item"])
        factory.resolution(
            dec,
            1,
            agenda_item=item,
            title=ARABIC["title"],
            title_fr=FRENCH["title"],
            text=ARABIC["text"],
            text_fr=FRENCH["text"],
            responsible_unit=ARABIC["unit"],
            responsible_unit_fr=FRENCH["unit"],
        )
        follow_up = factory.follow_up(
            earlier, dec, FollowUp.Status.IN_PROGRESS, note=ARABIC["note"], note_fr=FRENCH["note"]
        )
        minutes = factory.publish(dec)
        # A correction starts: its French changes are not signed, hence not public.
        secretary = minutes.transitions.last().by
        lifecycle.start_version(dec, by=secretary, reason="تصحيح")
        follow_up.note_fr = "Note de la correction, non signée"
        follow_up.save()
        yield {"session": dec, "minutes": minutes}
        transaction.set_rollback(True)


def test_the_french_page_gives_the_french_versions_as_signed(client, published):
    page = visible_text(client.get("/fr" + PAGE))

    for french in FRENCH.values():
        assert french in page
    assert "Mise à niveau des centres" in page  # the followed-up resolution's title
    for arabic in ("place", "item", "title", "text", "unit", "note"):
        assert ARABIC[arabic] not in page
    assert "Note de la correction, non signée" not in page


def test_a_text_without_french_version_is_shown_in_arabic_and_said_to_be(client, published):
    response = client.get("/fr" + PAGE)
    content = response.content.decode()

    assert (
        f'<bdi lang="ar" dir="rtl">{ARABIC["other_item"]}</bdi> <span class="only-arabic">(en arabe)</span>'
        in content
    )
    deliberation = f'<div class="deliberation" lang="ar" dir="rtl"><p>{ARABIC["deliberation"]}</p></div>'
    assert deliberation in content
    assert "Ce texte n’existe qu’en arabe." in visible_text(response)


def test_the_french_page_says_the_signed_pdf_is_the_arabic_original(client, published):
    page = visible_text(client.get("/fr" + PAGE))

    assert "Télécharger le procès-verbal signé (PDF, original en arabe)" in page
    assert "le PDF signé est cet original en arabe" in page
    download = client.get("/fr/sessions/2025/2/minutes.pdf")
    text = pdf.normalized(pdf.text(b"".join(download.streaming_content)))
    assert pdf.normalized(ARABIC["title"]) in text
    assert FRENCH["title"] not in text  # the signed original is Arabic only


def test_the_arabic_page_is_unchanged(client, published):
    page = visible_text(client.get(PAGE))

    for arabic in ("place", "item", "other_item", "deliberation", "title", "text", "unit", "note"):
        assert ARABIC[arabic] in page
    for french in FRENCH.values():
        assert french not in page
    assert "بالعربية" not in page


def test_the_register_and_the_resolutions_page_in_french(client, published):
    register = visible_text(client.get("/fr/resolutions/"))
    resolution = visible_text(client.get("/fr/resolutions/2025/2/1/"))

    assert FRENCH["title"] in register
    assert FRENCH["unit"] in register
    for french in ("title", "text", "unit", "item"):
        assert FRENCH[french] in resolution
    assert FRENCH["note"] not in resolution  # June's resolution carries the note, not this one
    june = visible_text(client.get("/fr/resolutions/2025/1/1/"))
    assert FRENCH["note"] in june


def test_the_french_search_shows_the_french_title_found_in_french(client, published):
    found = client.get("/fr/search/", {"q": "budget"}).content.decode()

    assert "Approbation du plan d’action et du <mark>budget</mark> 2026" in html.unescape(found)


def test_the_french_search_shows_the_arabic_original_where_the_words_were_found_in_arabic(client, published):
    response = client.get("/fr/search/", {"q": "والميزانية"})

    found = html.unescape(response.content.decode())
    assert '<bdi lang="ar" dir="rtl">المصادقة على مخطط العمل وال<mark>ميزانية</mark></bdi>' in found
    assert "(en arabe)" in visible_text(response)


def test_the_archive_gives_the_place_in_french(client, published):
    assert FRENCH["place"] in visible_text(client.get("/fr/"))
    assert ARABIC["place"] in visible_text(client.get("/"))


def test_a_record_without_french_keeps_the_shape_it_was_approved_in(published):
    session = factory.session(factory.board(is_home=False), datetime.date(2025, 3, 5), 1, place="الرباط")
    factory.agenda_item(session, 1, title="بند")
    factory.resolution(session, 1, title="قرار")
    loaded = type(session).objects.with_record().get(pk=session.pk)

    record = session_record(loaded)
    before = record_fingerprint(loaded, record)

    assert not [
        key
        for part in (record["session"], *record["agenda"], *record["resolutions"])
        for key in part
        if key.endswith("_fr")
    ]
    session.place_fr = "Rabat"
    session.save()
    assert record_fingerprint(type(session).objects.with_record().get(pk=session.pk)) != before


def test_the_french_versions_are_in_the_signed_record(published):
    minutes: Minutes = published["minutes"]

    assert minutes.record["session"]["place_fr"] == FRENCH["place"]
    assert minutes.record["resolutions"][0]["text_fr"] == FRENCH["text"]
    assert minutes.record["follow_ups"][0]["note_fr"] == FRENCH["note"]
