"""A member known to be a woman is spoken of in the feminine, in Arabic and in French, where the language
wants it: her seat («الرئيسة», «présidente»), her attendance («حاضرة», «présente»), her approval
(«صادقت»), the signature block of the minutes («رئيسة المجلس الإداري»); a member whose gender is not
recorded keeps the usual forms."""

import datetime

import pytest
from django.db import transaction
from django.utils import translation

from meetings.models import Attendance, Gender, Membership
from tests import factory, pdf
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker, module_media):
    with django_db_blocker.unblock(), transaction.atomic():
        board = factory.board()
        president = factory.seat(
            board,
            Membership.Role.PRESIDENT,
            name_ar="نعيمة بن يحيى",
            name_fr="Naïma Ben Yahia",
            gender=Gender.FEMALE,
        )
        rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_ar="خطار المجاهدي")
        excused = factory.seat(board, name_ar="أمينة الإدريسي", name_fr="Amina Idrissi", gender=Gender.FEMALE)
        session = factory.session(board, datetime.date(2025, 12, 18), 2, chair=president)
        factory.attend(session, president)
        factory.attend(session, rapporteur)
        factory.attend(session, excused, Attendance.Status.EXCUSED)
        minutes = factory.publish(session)
        yield {"session": session, "minutes": minutes, "president": president}
        transaction.set_rollback(True)


def attendance_rows(client, address: str) -> str:
    text = visible_text(client.get(address))
    return text[text.index("الحضور" if not address.startswith("/fr") else "Présences") :]


def test_the_public_page_puts_a_womans_attendance_in_the_feminine(client, published):
    arabic = attendance_rows(client, "/sessions/2025/2/")
    french = attendance_rows(client, "/fr/sessions/2025/2/")

    assert "نعيمة بن يحيى" in arabic and "حاضرة" in arabic and "معتذرة" in arabic
    assert "خطار المجاهدي عضو المجلس الإداري حاضر " in arabic  # gender not recorded: as usual
    assert "présente" in french and "excusée" in french


def test_the_signed_minutes_name_the_president_in_the_feminine(published):
    text = pdf.normalized(pdf.text(published["minutes"].pdf.read()))

    assert pdf.normalized("رئيسة المجلس الإداري") in text
    assert pdf.normalized("مقرر المجلس الإداري") in text
    assert pdf.normalized("بتوقيعها الإلكتروني") in text
    assert pdf.normalized("معتذرة") in text


def test_the_member_page_says_she_approved(client, published):
    published["president"].refresh_from_db()  # her account was made when she approved
    client.force_login(published["president"].user)

    page = visible_text(client.get(f"/members/sessions/{published['session'].pk}/"))

    assert "صادقت عليه نعيمة بن يحيى (الرئيسة)" in page
    assert "صادق عليه خطار المجاهدي (المقرر)" in page


def test_her_seat_is_named_in_the_feminine(published):
    seat = published["president"].memberships.get()
    with translation.override("ar"):
        assert seat.role_label == "الرئيسة"
    with translation.override("fr"):
        assert seat.role_label == "présidente"
