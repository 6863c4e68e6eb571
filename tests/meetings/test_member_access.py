"""Who reaches the member pages: signing in, the sessions of their own boards held during their term (and
nothing of another board's), the admin closed to anyone outside the secretariat, and the pages in French.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from meetings.models import Approval, Comment, Document, Membership, Minutes, Session
from tests import factory
from tests.client import Client
from tests.members import OPENING, a_pdf, admin_form, cast, page, read_form, send_comment, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "m3mber-pass!"  # factory.user_for's


# Signing in


def test_the_member_pages_send_an_anonymous_visitor_to_sign_in():
    session = cast().session

    for path in ["/members/", page(session)]:
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/members/login/?next={path}"


def test_a_member_signs_in_on_the_login_page_and_lands_on_their_sessions():
    people = cast()
    client = Client()

    form = client.get("/members/login/?next=/members/")
    response = client.post(
        "/members/login/",
        {"username": people.member.username, "password": PASSWORD, "next": "/members/"},
        follow=True,
    )

    login = read_form(form, method="post")
    assert login.fields == ["csrfmiddlewaretoken", "username", "password", "next"]
    assert login.labels == {"id_username": "اسم المستخدم *", "id_password": "كلمة المرور *"}
    assert login.values["next"] == "/members/"
    assert response.redirect_chain == [("/members/", 302)]
    text = visible_text(response)
    assert "دورات المجالس التي أنا عضو فيها" in text
    assert "عضو المجلس: خطار المجاهدي" in text
    assert "الدورة الثانية برسم سنة 2025" in text


def test_a_wrong_password_keeps_the_visitor_on_the_login_page():
    people = cast()

    response = Client().post("/members/login/", {"username": people.member.username, "password": "x"})

    assert response.status_code == 200
    assert "الرجاء إدخال اسم المستخدم وكلمة السر الصحيحين." in visible_text(response)
    assert "_auth_user_id" not in response.client.session


def test_a_signed_in_user_who_is_not_a_board_member_gets_404_on_the_member_pages():
    people = cast()
    document = Document.objects.create(
        session=people.session, title="تقرير", file=ContentFile(a_pdf(), name="report.pdf")
    )
    client = signed_in(User.objects.create_user("visitor", password="pass-visitor-1"))

    for path in [page(people.session), f"/members/documents/{document.pk}/"]:
        assert client.get(path).status_code == 404
    assert client.post(f"{page(people.session)}comment/", {"text": "مرحبا"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_signed_in_user_who_is_not_a_board_member_is_told_so_on_the_member_home():
    client = signed_in(User.objects.create_user("visitor", password="pass-visitor-1", is_staff=True))

    response = client.get("/members/")

    assert response.status_code == 403
    assert "حسابكم غير مرتبط بعضو في مجلس." in visible_text(response)
    assert 'href="/admin/"' in response.content.decode()


# Which sessions a member sees


@time_machine.travel(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_member_sees_the_past_and_upcoming_sessions_of_their_boards_and_not_the_others():
    people = cast(state=None)
    board = people.session.board
    past = factory.session(board, date=datetime.date(2025, 6, 20), ordinal=1)
    upcoming = factory.session(board, date=datetime.date(2026, 6, 18), ordinal=1)

    response = signed_in(people.member).get("/members/")

    html = response.content.decode()
    for shown in (past, people.session, upcoming):
        assert f'href="{page(shown)}"' in html
    assert f'href="{page(people.other_session)}"' not in html
    text = visible_text(response)
    assert "الدورة الأولى برسم سنة 2026 " in text and "18 يونيو 2026" in text
    assert "الدورة الأولى برسم سنة 2025 " in text and "20 يونيو 2025" in text
    assert "الدورة الأولى برسم سنة 2024" not in text
    assert "نقطة من دورة مجلس آخر" not in text


def test_a_member_reads_only_the_sessions_held_during_their_term():
    people = cast(state=None)  # the session of 18 دجنبر 2025, its minutes in review below
    board = people.session.board
    june = factory.session(board, date=datetime.date(2025, 6, 20), ordinal=1)
    factory.minutes_at(people.session, Minutes.State.IN_REVIEW)
    former = factory.seat(board, start=datetime.date(2022, 1, 1), end=datetime.date(2025, 9, 30))
    newcomer = factory.seat(board, start=datetime.date(2026, 1, 1))

    former_client = signed_in(factory.user_for(former))
    newcomer_client = signed_in(factory.user_for(newcomer))

    assert former_client.get(page(june)).status_code == 200
    assert former_client.get(page(people.session)).status_code == 404  # after their term ended
    assert f'href="{page(people.session)}"' not in former_client.get("/members/").content.decode()
    assert newcomer_client.get(page(people.session)).status_code == 404  # before their term began
    assert send_comment(newcomer_client, people.session, "ملاحظة").status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("post", "comment/"), ("post", "approve/")], ids=str
)
def test_a_session_of_another_board_is_a_404_exactly_like_a_session_that_does_not_exist(method, suffix):
    people = cast()
    factory.minutes_at(people.other_session, Minutes.State.IN_REVIEW)  # open to its own board's comments
    client = signed_in(people.president)  # who may approve and comment on their own board's minutes
    missing = Session.objects.order_by("-pk").first().pk + 100
    data = {"text": "ملاحظة", "agenda_item": ""} if method == "post" else None

    other = getattr(client, method)(f"{page(people.other_session)}{suffix}", data)
    nowhere = getattr(client, method)(f"/members/sessions/{missing}/{suffix}", data)

    assert other.status_code == nowhere.status_code == 404
    assert other.content == nowhere.content
    assert "هذه الصفحة غير موجودة أو غير منشورة." in visible_text(other)
    assert not Comment.objects.exists() and not Approval.objects.exists()


def test_a_document_of_another_board_is_a_404_exactly_like_a_document_that_does_not_exist():
    people = cast()
    theirs = Document.objects.create(
        session=people.other_session, title="وثيقة", file=ContentFile(a_pdf(), name="theirs.pdf")
    )
    client = signed_in(people.member)

    other = client.get(f"/members/documents/{theirs.pk}/")
    nowhere = client.get(f"/members/documents/{theirs.pk + 100}/")

    assert other.status_code == nowhere.status_code == 404
    assert other.content == nowhere.content
    assert signed_in(people.outsider).get(f"/members/documents/{theirs.pk}/").status_code == 200


# Nobody outside the secretariat edits the record


def test_a_member_is_sent_to_the_admins_login_from_the_admin():
    people = cast()

    response = signed_in(people.member).get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def staff_without_permissions() -> User:
    """A member given a staff account by mistake, without the secretariat's group."""
    return User.objects.create_user("staff-member", password="pass-staff-1", is_staff=True)


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff without the group"])
def test_a_crafted_post_to_the_sessions_admin_page_changes_nothing(staff):
    people = cast()
    url = f"/admin/meetings/session/{people.session.pk}/change/"
    data = admin_form(signed_in(factory.secretariat_user()), url, "session_form")
    data.update({"place": "مكان آخر", "opening": "افتتاح مزور", "_save": "حفظ"})
    intruder = staff_without_permissions() if staff else people.member

    response = signed_in(intruder).post(url, data)

    assert response.status_code == (403 if staff else 302)
    if not staff:
        assert response["Location"].startswith("/admin/login/")
    people.session.refresh_from_db()
    assert (people.session.place, people.session.opening) == ("الرباط", OPENING)


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff without the group"])
def test_a_crafted_post_to_a_lifecycle_move_changes_nothing(staff):
    people = cast()
    intruder = staff_without_permissions() if staff else people.president

    response = signed_in(intruder).post(
        f"/admin/meetings/minutes/{people.minutes.pk}/move/return_to_draft/", {"reason": "بدون صفة"}
    )

    assert response.status_code == (403 if staff else 302)
    people.minutes.refresh_from_db()
    assert people.minutes.state == Minutes.State.IN_REVIEW
    assert people.minutes.transitions.count() == 2  # started, submitted


# French


def test_the_member_pages_render_in_french():
    people = cast()
    client = signed_in(people.member)

    sessions = client.get("/fr/members/")
    session = client.get(f"/fr{page(people.session)}")

    for response in (sessions, session):
        assert response.status_code == 200
        assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert Client().get("/fr/members/")["Location"] == "/fr/members/login/?next=/fr/members/"
    assert "Sessions de mes conseils" in visible_text(sessions)
    assert f'href="/fr{page(people.session)}"' in sessions.content.decode()
    text = visible_text(session)
    assert "Deuxième session de l’année 2025" in text
    assert "Projet — soumis à la relecture des membres" in text
    assert "Observation sur le projet de procès-verbal" in text


def test_once_signed_the_member_reads_the_quorum_as_signed_after_the_boards_seats_are_edited():
    people = cast(state=Minutes.State.SIGNED)
    Membership.objects.filter(member__user=people.rapporteur).update(end=datetime.date(2025, 1, 31))

    text = visible_text(signed_in(people.member).get(page(people.session)))

    assert "3 من أصل 3" in text
    assert people.session.quorum().voting_members == 2  # what a page counting live would have said
