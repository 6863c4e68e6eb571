"""The public page of a session whose minutes are published, in Arabic and in French: what it shows is
what the signed minutes say.

The full session's minutes (test_public_pages.py's reference case) are published once for the module, and
so are those of a June session whose deliberations hold figures and Latin names; each test reads them in a
transaction of its own, which undoes what it changed. Unpublished sessions, the archive and the other
pages are in test_public_pages.py.
"""

import datetime
from types import SimpleNamespace

import pytest

from meetings.models import Member, Membership, Minutes, Session
from tests import factory
from tests.meetings.publication import full_session
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

FIGURES = ["2026-11-29", "+212 537 12 34 56", "Naïma Ben Yahia"]


@pytest.fixture(scope="module")
def _published(module_db) -> SimpleNamespace:
    """The full session of 18 دجنبر 2025 on the home board and a June session, their minutes published
    (two signatures for the module). The June session has one agenda item for each of FIGURES, whose
    deliberation holds it."""
    board = factory.board()
    session = full_session(board)
    factory.publish(session)
    june = factory.session(board, date=datetime.date(2025, 6, 20), ordinal=1)
    for position, figure in enumerate(FIGURES, start=1):
        factory.agenda_item(june, position, deliberation=f"تقرر يوم {figure} بحضور المدير")
    factory.publish(june)
    return SimpleNamespace(session=session.pk, june=june.pk)


@pytest.fixture
def session(_published, module_files) -> Session:
    return Session.objects.get(pk=_published.session)


def test_the_session_page_states_the_quorum(client, session):
    text = visible_text(client.get(session.get_absolute_url()))

    assert (
        "النصاب القانوني مكتمل 3 من أصل 4 أعضاء ذوي الحق في التصويت حاضرون أو ممثَّلون (منهم 1 بالنيابة)؛ "
        "النصاب المطلوب: 3." in text
    )


def test_the_session_page_lists_the_attendance_with_the_proxy_holder(client, session):
    text = visible_text(client.get(session.get_absolute_url()))

    assert "نعيمة بن يحيى وزيرة التضامن حاضر" in text
    assert "ممثل وزارة الصحة عضو المجلس الإداري ممثَّل بالنيابة — ينوب عنه خطار المجاهدي" in text
    assert "ممثل وزارة التربية عضو المجلس الإداري معتذر" in text


def test_the_session_page_shows_the_agenda_with_its_deliberations(client, session):
    text = visible_text(client.get(session.get_absolute_url()))

    assert "1. مشروع مخطط عمل المؤسسة برسم سنة 2026 ناقش المجلس المحاور الثلاثة." in text
    assert "2. مشروع الميزانية بعد مناقشة مستفيضة." in text


def test_the_session_page_shows_a_unanimous_resolution_with_its_number_and_outcome(client, session):
    text = visible_text(client.get(session.get_absolute_url()))

    assert "القرار 2025/2/1 — المصادقة على مخطط العمل يقرر المجلس ما يلي. مصادق عليه بالإجماع" in text


def test_the_session_page_shows_the_vote_counts_of_a_divided_resolution(client, session):
    text = visible_text(client.get(session.get_absolute_url()))

    assert "القرار 2025/2/2 — تأجيل البت في الميزانية" in text
    assert "مؤجل مؤيدون: 1، معارضون: 1، ممتنعون: 1" in text


def test_the_page_names_people_as_the_signed_minutes_do_after_their_rows_are_edited(client, session):
    Member.objects.filter(pk=session.chair_id).update(
        name_ar="اسم جديد", name_fr="Nouveau nom", title_ar="صفة جديدة", title_fr="Nouveau titre"
    )
    Member.objects.filter(name_ar="خطار المجاهدي").update(name_ar="اسم النائب الجديد")

    arabic = visible_text(client.get(session.get_absolute_url()))
    french = visible_text(client.get(f"/fr{session.get_absolute_url()}"))

    assert "نعيمة بن يحيى وزيرة التضامن حاضر" in arabic
    assert "ينوب عنه خطار المجاهدي" in arabic
    assert "Présidée par Naïma Ben Yahia, Ministre de la Solidarité" in french
    for edited in ("اسم جديد", "صفة جديدة", "اسم النائب الجديد"):
        assert edited not in arabic
    assert "Nouveau" not in french


def test_the_page_states_the_quorum_as_signed_after_the_boards_seats_are_edited(client, session):
    # The excused member's seat, ended before the session: counted now, the board would have had 3 voters.
    Membership.objects.filter(member__name_ar="ممثل وزارة التربية").update(end=datetime.date(2025, 1, 31))

    text = visible_text(client.get(session.get_absolute_url()))

    assert "3 من أصل 4 أعضاء ذوي الحق في التصويت" in text
    assert session.quorum().voting_members == 3  # what a page counting live would have said


def test_a_corrected_version_signed_later_names_people_as_they_are_then(client, session):
    Member.objects.filter(pk=session.chair_id).update(title_ar="الوزيرة المكلفة بالتضامن")

    factory.minutes_at(session, Minutes.State.PUBLISHED, reason="تصحيح صفة الرئيسة")

    assert "نعيمة بن يحيى الوزيرة المكلفة بالتضامن حاضر" in visible_text(
        client.get(session.get_absolute_url())
    )


def test_the_session_page_is_in_french_under_fr(client, session):
    response = client.get(f"/fr{session.get_absolute_url()}")

    text = visible_text(response)
    assert response.status_code == 200
    assert "Deuxième session de l’année 2025" in text
    assert "Date 18 décembre 2025" in text
    assert "Présidée par Naïma Ben Yahia, Ministre de la Solidarité" in text
    assert "représenté — par Khattar Moujahidi" in text
    assert "Résolution 2025/2/1" in text
    assert "à l’unanimité" in text


# Text typed by the secretariat


@pytest.mark.parametrize("figure", FIGURES)
def test_figures_and_latin_names_in_arabic_text_are_isolated_left_to_right(client, _published, figure):
    session = Session.objects.get(pk=_published.june)

    html = client.get(session.get_absolute_url()).content.decode()

    # Left to the bidi algorithm after Arabic letters, «2026-11-29» would show as «29-11-2026».
    assert f'<bdi dir="ltr">{figure}</bdi>' in html


def test_the_published_page_carries_validators_and_answers_304_without_drawing_it(
    client, session, django_assert_max_num_queries
):
    first = client.get("/sessions/2025/2/")
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=300"
    french = client.get("/fr/sessions/2025/2/")
    assert french["ETag"] != etag  # each language its own page

    with django_assert_max_num_queries(1):  # the version's lookup; no template drawn
        again = client.get("/sessions/2025/2/", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (etag, "public, max-age=300")
    assert client.get("/sessions/2025/2/", headers={"if-modified-since": modified}).status_code == 304
    assert client.get("/sessions/2025/2/", headers={"if-none-match": '"another"'}).status_code == 200
