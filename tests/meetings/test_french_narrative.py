"""The narrative of the record in French: the session's opening, an agenda item's presenter, summary and
deliberation, and a document's title may be entered in French beside the Arabic. A French reader reads
the French version where one was entered and the Arabic original, said to be so, where none was; the
signed record carries the French versions entered (and only those: a record without any keeps its
fingerprint); the signed PDF stays the Arabic original."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from meetings.models import AgendaItem, Document, Minutes, Session
from meetings.models.published import PublishedAgendaItem
from meetings.models.record import record_fingerprint, session_record
from tests import factory, pdf
from tests.members import a_pdf, admin_form, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

ARABIC = {
    "opening": "افتتحت السيدة الرئيسة أشغال الدورة بكلمة ترحيبية.",
    "presenter": "مدير التعاون الوطني",
    "summary": "عرض المدير حصيلة تنفيذ مخطط العمل.",
    "deliberation": "نوه أعضاء المجلس بالمجهودات المبذولة في مجال الرعاية الاجتماعية.",
}
FRENCH = {
    "opening": "Mme la présidente ouvre les travaux de la session par une allocution de bienvenue.",
    "presenter": "Directeur de l’Entraide Nationale",
    "summary": "Le directeur présente le bilan d’exécution du plan d’action.",
    "deliberation": "Les membres du conseil saluent les efforts consentis en matière de protection sociale.",
}
# The second item has no French version of its narrative.
UNTRANSLATED = {
    "presenter": "مديرية الشؤون الإدارية والمالية",
    "summary": "تقديم مشروع الميزانية.",
    "deliberation": "صادق المجلس على الميزانية بعد المناقشة.",
}
NARRATIVE = ("presenter", "summary", "deliberation")
TRANSLATED_ITEM = {
    **{field: ARABIC[field] for field in NARRATIVE},
    **{f"{field}_fr": FRENCH[field] for field in NARRATIVE},
}
ONLY_ARABIC = "Ce texte n’existe qu’en arabe."
PAGE = "/sessions/2025/2/"


@pytest.fixture(scope="module")
def _published(module_db) -> dict:
    """December 2025, its opening and its first item entered in French too, the second in Arabic only."""
    session = factory.session(
        factory.board(),
        datetime.date(2025, 12, 18),
        2,
        opening=ARABIC["opening"],
        opening_fr=FRENCH["opening"],
    )
    factory.agenda_item(
        session,
        1,
        title="حصيلة تنفيذ مخطط العمل",
        title_fr="Bilan d’exécution du plan d’action",
        **TRANSLATED_ITEM,
    )
    factory.agenda_item(session, 2, title="مشروع الميزانية", title_fr="Projet de budget", **UNTRANSLATED)
    minutes = factory.publish(session)
    return {"session": session, "minutes": minutes}


@pytest.fixture
def published(_published, module_files) -> dict:
    return _published


# The public page


def test_the_french_page_reads_the_narrative_in_french_where_it_was_entered(client, published):
    page = visible_text(client.get("/fr" + PAGE))

    for french in FRENCH.values():
        assert french in page
    for arabic in ARABIC.values():
        assert arabic not in page


def test_the_french_page_keeps_the_arabic_original_said_to_be_so_where_no_french_was_entered(
    client, published
):
    response = client.get("/fr" + PAGE)
    content = response.content.decode()

    # The untranslated summary and deliberation, each after the line that says so; the presenter, inline.
    assert visible_text(response).count(ONLY_ARABIC) == 2
    assert (
        f'<p class="only-arabic">{ONLY_ARABIC}</p><div class="summary" lang="ar" dir="rtl">'
        f"<p>{UNTRANSLATED['summary']}</p></div>"
    ) in content
    assert (
        f'<div class="deliberation" lang="ar" dir="rtl"><p>{UNTRANSLATED["deliberation"]}</p></div>'
        in content
    )
    assert (
        f'<bdi lang="ar" dir="rtl">{UNTRANSLATED["presenter"]}</bdi> <span class="only-arabic">(en arabe)</span>'
        in content
    )


def test_the_arabic_page_reads_the_arabic_original(client, published):
    page = visible_text(client.get(PAGE))

    for arabic in (*ARABIC.values(), *UNTRANSLATED.values()):
        assert arabic in page
    for french in FRENCH.values():
        assert french not in page


def test_the_signed_pdf_stays_the_arabic_original(client, published):
    download = client.get("/fr/sessions/2025/2/minutes.pdf")

    text = pdf.normalized(pdf.text(b"".join(download.streaming_content)))
    for arabic in ARABIC.values():
        assert pdf.normalized(arabic) in text
    for french in FRENCH.values():
        assert pdf.normalized(french) not in text


def test_the_french_search_finds_a_deliberation_by_its_french_words(client, published):
    response = client.get("/fr/search/", {"q": "protection sociale"})

    assert response.status_code == 200
    page = visible_text(response)
    assert "Bilan d’exécution du plan d’action" in page
    assert "Projet de budget" not in page


# The signed record


def test_the_signed_record_and_the_published_rows_carry_the_french_versions(published):
    record = published["minutes"].record

    assert record["session"]["opening_fr"] == FRENCH["opening"]
    first, second = record["agenda"]
    assert {field: first[f"{field}_fr"] for field in NARRATIVE} == {
        field: FRENCH[field] for field in NARRATIVE
    }
    assert not {"presenter_fr", "summary_fr", "deliberation_fr"} & set(second)  # none entered, no key
    row = PublishedAgendaItem.objects.get(session__session=published["session"], position=1)
    assert (row.presenter_fr, row.summary_fr, row.deliberation_fr) == (
        FRENCH["presenter"],
        FRENCH["summary"],
        FRENCH["deliberation"],
    )


def test_a_correction_in_progress_does_not_change_the_french_the_public_reads(client, published):
    session: Session = published["session"]
    factory.minutes_at(session, reason="تصحيح")
    item = session.agenda_items.get(position=1)
    item.summary_fr = "Résumé de la correction, non signé"
    item.save()

    page = visible_text(client.get("/fr" + PAGE))

    assert FRENCH["summary"] in page
    assert "Résumé de la correction, non signé" not in page


def arabic_only_session() -> Session:
    """A session as any signed before French narratives existed: every text in Arabic only."""
    board = factory.board(
        name_ar="المجلس الإداري لمؤسسة مرجعية", name_fr="Conseil de référence", is_home=False
    )
    chair = factory.seat(
        board,
        name_ar="رئيسة المجلس",
        name_fr="Présidente",
        title_ar="وزيرة",
        title_fr="Ministre",
        gender="female",
    )
    member = factory.seat(
        board, name_ar="عضو المجلس", name_fr="Membre du conseil", title_ar="عضو", title_fr=""
    )
    session = factory.session(
        board, datetime.date(2025, 12, 18), 2, place="الرباط", chair=chair, opening="افتتحت الرئيسة الدورة."
    )
    factory.attend(session, chair)
    factory.attend(session, member)
    item = factory.agenda_item(
        session,
        1,
        title="مخطط العمل",
        presenter="المدير",
        summary="ملخص المخطط",
        deliberation="ناقش المجلس المخطط.",
    )
    factory.agenda_item(session, 2, title="قضايا مختلفة", deliberation="")
    factory.resolution(
        session,
        1,
        agenda_item=item,
        title="المصادقة على مخطط العمل",
        text="يقرر المجلس ما يلي.",
        unanimous=True,
    )
    return Session.objects.with_record().get(pk=session.pk)


# The hash of `arabic_only_session`'s record (its JSON as `record_fingerprint` serialises it) as the code
# made it before French narratives and declarations of interest, which add nothing to a record without
# them: the approvals given to such a record still hold. (The board's rules entered every record once,
# when the minutes began citing them: approvals given before went back to review; see the CHANGELOG.)
RECORD_BEFORE_FRENCH_NARRATIVES = "46f696f89fd91c082935f54febf40767faf9986a0123f9940f82557ffafd1a3a"


def test_a_record_without_french_keeps_its_fingerprint():
    session = arabic_only_session()
    before = record_fingerprint(session)

    record = session_record(session)

    serialised = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    assert hashlib.sha256(serialised).hexdigest() == RECORD_BEFORE_FRENCH_NARRATIVES
    session.opening_fr = "La présidente ouvre la session."
    session.save()
    assert record_fingerprint(Session.objects.with_record().get(pk=session.pk)) != before


# The secretariat's admin


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Session, "opening_fr", 20_000),
        (AgendaItem, "summary_fr", 20_000),
        (AgendaItem, "deliberation_fr", 100_000),
    ],
)
def test_the_database_bounds_a_french_version_as_its_arabic_original(model, field, limit):
    session = factory.session(factory.board(is_home=False), datetime.date(2024, 6, 20), 1)
    factory.agenda_item(session)
    rows = model.objects.filter(pk__in=[session.pk] if model is Session else session.agenda_items.all())

    rows.update(**{field: "b" * limit})
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "b" * (limit + 1)})


def test_the_secretariat_enters_the_french_versions_beside_the_arabic():
    session = factory.session(factory.board(is_home=False), datetime.date(2024, 6, 20), 1, opening="افتتاح")
    item = factory.agenda_item(
        session, 1, title="نقطة", presenter="المدير", summary="ملخص", deliberation="مداولة"
    )
    Document.objects.create(session=session, title="تقرير", file=ContentFile(a_pdf(), name="report.pdf"))
    client = signed_in(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/change/"
    data = admin_form(client, url, "session_form")
    data.update(
        {
            "opening_fr": "Ouverture",
            "agenda_items-0-presenter_fr": "Le directeur",
            "agenda_items-0-summary_fr": "Résumé",
            "agenda_items-0-deliberation_fr": "Délibération",
            "documents-0-title_fr": "Rapport",
        }
    )

    response = client.post(url, {**data, "_continue": "حفظ"})

    assert response.status_code == 302
    session.refresh_from_db()
    item.refresh_from_db()
    assert session.opening_fr == "Ouverture"
    assert (item.presenter_fr, item.summary_fr, item.deliberation_fr) == (
        "Le directeur",
        "Résumé",
        "Délibération",
    )
    assert session.documents.get().title_fr == "Rapport"
    shown = admin_form(client, url, "session_form")
    names = list(shown)
    for arabic in (
        "opening",
        "agenda_items-0-presenter",
        "agenda_items-0-summary",
        "agenda_items-0-deliberation",
    ):
        assert names.index(f"{arabic}_fr") == names.index(arabic) + 1  # each right after its Arabic
    assert names.index("documents-0-title_fr") == names.index("documents-0-title") + 1
    assert shown["agenda_items-0-summary_fr"] == "Résumé"


def test_a_session_started_from_the_last_one_takes_its_recurring_items_presenter_in_french():
    last = factory.session(factory.board(is_home=False), datetime.date(2024, 6, 20), 1)
    factory.agenda_item(
        last,
        1,
        title="قضايا مختلفة",
        presenter="الكاتب العام",
        presenter_fr="Le secrétaire général",
        recurring=True,
    )
    client = signed_in(factory.secretariat_user())

    form = admin_form(client, f"/admin/meetings/session/add/?from={last.pk}&date=2024-12-18", "session_form")

    assert (form["agenda_items-0-presenter"], form["agenda_items-0-presenter_fr"]) == (
        "الكاتب العام",
        "Le secrétaire général",
    )


# The member pages


def test_a_member_reads_the_draft_and_its_documents_in_french():
    board = factory.board(is_home=False)
    reader = factory.user_for(factory.seat(board, name_ar="المراقب المالي للدولة"))
    session = factory.session(board, opening=ARABIC["opening"], opening_fr=FRENCH["opening"])
    item = factory.agenda_item(session, 1, **TRANSLATED_ITEM)
    Document.objects.create(
        session=session,
        agenda_item=item,
        title="تقرير حول تنفيذ مخطط العمل",
        title_fr="Rapport sur l’exécution du plan d’action",
        file=ContentFile(a_pdf(), name="report.pdf"),
    )
    factory.minutes_at(session, Minutes.State.IN_REVIEW)
    client = signed_in(reader)

    page = visible_text(client.get(f"/fr/members/sessions/{session.pk}/"))

    for french in FRENCH.values():
        assert french in page
    assert "Rapport sur l’exécution du plan d’action" in page
    for arabic in (*ARABIC.values(), "تقرير حول تنفيذ مخطط العمل"):
        assert arabic not in page
    arabic_page = visible_text(client.get(f"/members/sessions/{session.pk}/"))
    assert "تقرير حول تنفيذ مخطط العمل" in arabic_page
    assert ARABIC["opening"] in arabic_page
