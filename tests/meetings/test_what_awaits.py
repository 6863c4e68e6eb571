"""What awaits each person, on their screen: a member's sessions marked with the answer, review or approval
they await; the admin's home with the secretariat's to-do list; and a session whose quorum was not reached,
held again on second convocation."""

import datetime

import pytest
import time_machine

from meetings.convocation import answers, awaiting, convening, second_call
from meetings.models import Attendance, Comment, Membership, Message, Minutes, Session
from tests import factory
from tests.actors import actors
from tests.client import Client
from tests.members import signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def row_of(page, title: str) -> str:
    text = visible_text(page)
    start = text.index(title)
    return text[start : start + 200]


def test_a_members_sessions_say_what_awaits_them(client):
    cast = actors()
    upcoming = factory.session(cast.session.board, date=datetime.date(2026, 3, 19), ordinal=1)
    convening.convene(upcoming, by=cast.secretary)
    minutes = cast.minutes(Minutes.State.IN_REVIEW)

    member_list = signed_in(cast.member).get("/members/")
    assert "في انتظار جوابكم على الاستدعاء" in row_of(member_list, upcoming.title)
    assert "مشروع محضر في انتظار مراجعتكم" in row_of(member_list, cast.session.title)
    president_list = signed_in(cast.president).get("/members/")
    assert "في انتظار مصادقتكم" in row_of(president_list, cast.session.title)

    answers.answer(upcoming, cast.member.member, choice="attend")
    factory.approve(minutes, by=cast.president)
    assert "جوابكم على الاستدعاء" not in row_of(signed_in(cast.member).get("/members/"), upcoming.title)
    assert "في انتظار مصادقتكم" not in row_of(signed_in(cast.president).get("/members/"), cast.session.title)
    assert "في انتظار مصادقتكم" in row_of(signed_in(cast.rapporteur).get("/members/"), cast.session.title)


@pytest.mark.parametrize("sessions", [2, 12])
def test_the_members_list_makes_the_same_queries_whatever_the_number_of_sessions(
    sessions, django_assert_num_queries
):
    board = factory.board()
    member = factory.seat(board)
    secretary = factory.secretariat_user()
    for n in range(sessions):
        session = factory.session(
            board, date=datetime.date(2026, 3, 10) + datetime.timedelta(days=n), ordinal=n + 1
        )
        convening.convene(session, by=secretary, reason="اختبار")
    client = signed_in(factory.user_for(member))
    client.get("/members/")
    # The session, the account, its member, the sessions with what awaits them (and their minutes), and
    # whether the account owes a second factor now (asked on every request of a session without one).
    with django_assert_num_queries(6):
        assert client.get("/members/").status_code == 200


def test_the_admin_home_lists_what_awaits_the_secretariat():
    cast = actors()
    board = cast.session.board
    held = factory.session(board, date=datetime.date(2026, 2, 10), ordinal=1)  # 20 days ago, no minutes
    soon = factory.session(board, date=datetime.date(2026, 3, 6), ordinal=2)  # in 4 days, not convened
    later = factory.session(board, date=datetime.date(2026, 5, 6), ordinal=3)  # far ahead: not yet
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    Comment.objects.create(minutes=minutes, member=cast.member.member, text="ملاحظة")
    Message.objects.filter(member=cast.member.member).update(
        status=Message.Status.FAILED, address="membre@entraide.ma", last_error="refused"
    )
    desk = Client()
    desk.force_login(cast.secretary)

    text = visible_text(desk.get("/admin/"))
    assert "ما ينتظر الكتابة" in text
    assert f"محضر تجاوز أجل المجلس: {held}" in text
    assert f"للاستدعاء الآن: {soon}" in text and str(later) not in text
    assert "ملاحظة مفتوحة واحدة في انتظار الرد" in text
    assert "تعذر إرسال رسالة واحدة" in text


def test_the_admin_home_counts_the_answers_awaited_and_the_quorum_they_announce(
    django_assert_max_num_queries,
):
    cast = actors()
    for _n in range(2):
        factory.seat(cast.session.board)  # five voting members in all
    upcoming = factory.session(cast.session.board, date=datetime.date(2026, 3, 19), ordinal=1)
    convening.convene(upcoming, by=cast.secretary)
    answers.answer(upcoming, cast.member.member, choice="attend")
    desk = Client()
    desk.force_login(cast.secretary)
    text = visible_text(desk.get("/admin/"))
    assert f"{upcoming}: 4 أجوبة منتظرة؛ المتوقع 1 من أصل 5 من الأعضاء المصوتين، والمطلوب 3" in text
    with django_assert_max_num_queries(40):  # a few per convened session, whatever the number of answers
        desk.get("/admin/")
    with time_machine.travel(datetime.datetime(2026, 3, 19, 10, 0, 1, tzinfo=datetime.UTC), tick=False):
        desk.force_login(cast.secretary)
        assert "أجوبة منتظرة" not in visible_text(desk.get("/admin/"))  # answers close as the session opens


def quorum_not_reached():
    board = factory.board(second_call_quorum_percent=0)
    members = [factory.seat(board) for _ in range(5)]
    session = factory.session(board, date=datetime.date(2026, 2, 26), ordinal=1, place="الرباط")
    factory.attend(session, members[0])
    for member in members[1:]:
        factory.attend(session, member, status=Attendance.Status.EXCUSED)
    factory.agenda_item(session, 1, title="برنامج العمل", deliberation="لم يتداول المجلس لعدم اكتمال النصاب")
    factory.agenda_item(session, 2, title="الميزانية")
    return session


def test_a_session_without_its_quorum_is_held_again_on_second_convocation():
    session = quorum_not_reached()
    secretary = factory.secretariat_user()
    desk = Client()
    desk.force_login(secretary)
    page = desk.get(f"/admin/meetings/session/{session.pk}/change/")
    assert "لم يكتمل النصاب: استدعاء ثان" in visible_text(page)

    url = f"/admin/meetings/session/{session.pk}/second-call/"
    assert "1 من أصل 5" in visible_text(desk.get(url))
    refused = desk.post(url, {"date": "2026-02-20", "start_time": "10:00", "place": ""})
    assert "الاستدعاء الثاني ليوم قادم." in visible_text(refused)
    response = desk.post(url, {"date": "2026-03-12", "start_time": "10:00", "end_time": "12:00", "place": ""})
    assert response.status_code == 302
    again = Session.objects.get(second_call_of=session)
    assert (again.date, again.ordinal, again.place) == (datetime.date(2026, 3, 12), 2, "الرباط")
    assert [(i.position, i.title, i.deliberation) for i in again.agenda_items.all()] == [
        (1, "برنامج العمل", ""),
        (2, "الميزانية", ""),
    ]
    factory.attend(again, session.attendances.first().member)
    assert again.quorum().required == 1 and again.quorum().reached  # the second convocation's rule
    assert session.quorum().required == 3

    message = convening.convene(again, by=secretary, reason="اجتماع ثان بعد عدم اكتمال النصاب")[0]
    assert "هذا استدعاء ثان: لم يكتمل النصاب في الدورة المنعقدة يوم 26 فبراير 2026." in message.text
    assert "استدعاء ثان" not in visible_text(desk.get(f"/admin/meetings/session/{session.pk}/change/"))
    twice = desk.post(url, {"date": "2026-03-20"})
    assert Session.objects.filter(second_call_of=session).count() == 1
    assert "مرة واحدة" in visible_text(twice)


def test_a_session_that_reached_its_quorum_is_not_called_again():
    session = quorum_not_reached()
    session.attendances.update(status=Attendance.Status.PRESENT)
    assert not second_call.needs_second_call(session)
    board_member = factory.seat(session.board, Membership.Role.MEMBER)
    response = signed_in(factory.user_for(board_member)).post(
        f"/admin/meetings/session/{session.pk}/second-call/", {"date": "2026-03-12"}
    )
    assert response.status_code == 302 and not Session.objects.filter(second_call_of=session).exists()


def test_a_second_convocation_with_hours_the_wrong_way_round_is_refused_with_a_message():
    session = quorum_not_reached()
    desk = Client()
    desk.force_login(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/second-call/"
    response = desk.post(url, {"date": "2026-03-12", "start_time": "12:00", "end_time": "10:00"})
    assert response.status_code == 200
    assert "لا يمكن أن تُختتم الدورة قبل افتتاحها." in visible_text(response)
    past = desk.post(url, {"date": "2026-02-27"})
    assert "الاستدعاء الثاني ليوم قادم." in visible_text(past)
    assert not Session.objects.filter(second_call_of=session).exists()


def test_a_session_held_again_is_not_listed_as_overdue():
    session = quorum_not_reached()
    secretary = factory.secretariat_user()
    second_call.second_call(session, by=secretary, date=datetime.date(2026, 3, 12))
    with time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC), tick=False):
        todo = awaiting.secretariat_todo()
    assert session not in todo["overdue"]


def test_a_cancelled_session_leaves_the_public_pages_and_the_feed(client):
    cast = actors()
    upcoming = factory.session(cast.session.board, date=datetime.date(2026, 3, 19), ordinal=1, is_public=True)
    convening.convene(upcoming, by=cast.secretary)
    assert client.get("/sessions/2026/1/").status_code == 200
    assert f"session-{upcoming.pk}@" in client.get("/sessions.ics").content.decode()

    convening.cancel(upcoming, by=cast.secretary)
    assert client.get("/sessions/2026/1/").status_code == 404
    assert f"session-{upcoming.pk}@" not in client.get("/sessions.ics").content.decode()


def test_a_message_to_a_member_without_an_address_goes_once_they_have_one():
    cast = actors()
    upcoming = factory.session(cast.session.board, date=datetime.date(2026, 3, 19), ordinal=1)
    convening.convene(upcoming, by=cast.secretary)
    member = cast.member.member
    (unreachable,) = Message.objects.filter(member=member)
    assert unreachable.status == Message.Status.UNREACHABLE
    member.email = "rachidi@entraide.ma"
    member.save()
    desk = Client()
    desk.force_login(cast.secretary)
    desk.post(
        "/admin/meetings/message/",
        {"action": "send_again", "_selected_action": [m.pk for m in Message.objects.all()]},
    )
    unreachable.refresh_from_db()
    assert (unreachable.status, unreachable.address) == (Message.Status.PENDING, "rachidi@entraide.ma")
    assert (
        Message.objects.filter(status=Message.Status.UNREACHABLE).count() == 2
    )  # the others still have none
