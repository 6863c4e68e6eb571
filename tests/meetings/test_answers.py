"""Answers to the convocation on the member's page of an upcoming session: attending, excused, or a proxy
within the board's limit, changeable until the session opens; what the secretariat sees of them, and the
attendance that starts from them."""

import datetime
import re

import pytest
import time_machine

from meetings.convocation import convening
from meetings.models import Answer, Attendance, Declaration, Membership, Session
from tests import factory
from tests.client import Client
from tests.members import read_form, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
SESSION_DAY = datetime.date(2026, 3, 19)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


class Convened:
    """A board of five voting members and an advisory seat, its next session convened."""

    def __init__(self, voters: int = 5) -> None:
        self.board = factory.board(max_proxies=1)
        self.members = [factory.seat(self.board, email=f"m{n}@entraide.ma") for n in range(voters)]
        self.controller = factory.seat(self.board, Membership.Role.INVITED, name_ar="المراقب المالي للدولة")
        self.session = factory.session(
            self.board, date=SESSION_DAY, ordinal=1, start_time=datetime.time(10), end_time=datetime.time(13)
        )
        self.secretary = factory.secretariat_user()
        convening.convene(self.session, by=self.secretary)
        self.logins: dict[int, Client] = {}

    def login(self, member) -> Client:
        if member.pk not in self.logins:
            self.logins[member.pk] = signed_in(factory.user_for(member))
        return self.logins[member.pk]

    def answer(self, member, choice: str, proxy=None):
        data = {"choice": choice, "proxy": proxy.pk if proxy else ""}
        return self.login(member).post(f"/members/sessions/{self.session.pk}/answer/", data)

    def page(self, member):
        return self.login(member).get(f"/members/sessions/{self.session.pk}/")


@pytest.fixture
def convened() -> Convened:
    return Convened()


def test_a_member_answers_and_changes_the_answer_until_the_session_opens(convened):
    first, holder = convened.members[:2]
    page = convened.page(first)
    form = read_form(page, action=f"/members/sessions/{convened.session.pk}/answer/")
    assert "سأحضر" in visible_text(page)
    offered = {value for value, _label in form.options["proxy"]}
    assert offered == {str(m.pk) for m in convened.members[1:]} | {""}  # the other voters, not the controller

    assert convened.answer(first, "attend").status_code == 302
    assert Answer.objects.get(member=first).choice == "attend"
    response = convened.answer(first, "proxy", holder)
    assert response.status_code == 302
    answer = Answer.objects.get(member=first)
    assert (answer.choice, answer.proxy) == ("proxy", holder)
    assert f"وكّلتم {holder.name_ar}." in visible_text(convened.page(first))

    with time_machine.travel(
        datetime.datetime(2026, 3, 19, 10, 0, 1, tzinfo=datetime.UTC), tick=False
    ):  # 10:00:01 in Ramadan (UTC+0)
        convened.logins[first.pk] = signed_in(first.user)  # a login of the day: two weeks have passed
        refused = convened.login(first).post(
            f"/members/sessions/{convened.session.pk}/answer/", {"choice": "excused"}, follow=True
        )
        assert "لا تقبل هذه الدورة أجوبة: لم يُرسل استدعاؤها، أو أُلغيت، أو انعقدت." in visible_text(refused)
        assert 'name="choice"' not in convened.page(first).content.decode()
    assert Answer.objects.get(member=first).choice == "proxy"


def test_a_board_that_allows_no_proxy_offers_none_and_refuses_one(convened):
    convened.board.max_proxies = 0
    convened.board.save()
    first, holder = convened.members[:2]
    form = read_form(convened.page(first), action=f"/members/sessions/{convened.session.pk}/answer/")
    assert {value for value, _label in form.options["proxy"]} == {""}
    assert convened.answer(first, "proxy", holder).status_code == 400
    assert not Answer.objects.exists()


def test_a_proxy_beyond_the_boards_limit_is_refused_and_a_full_holder_not_offered(convened):
    first, second, holder = convened.members[:3]
    convened.answer(first, "proxy", holder)

    form = read_form(convened.page(second), action=f"/members/sessions/{convened.session.pk}/answer/")
    assert str(holder.pk) not in {value for value, _label in form.options["proxy"]}
    response = convened.answer(second, "proxy", holder)  # a crafted POST
    assert response.status_code == 400
    assert Answer.objects.filter(member=second).count() == 0
    assert "لا يمكن لهذا العضو أن يحمل وكالتكم" in visible_text(response)

    # The holder cannot become absent while holding the proxy: the giver must choose again first.
    refused = convened.login(holder).post(
        f"/members/sessions/{convened.session.pk}/answer/", {"choice": "excused"}, follow=True
    )
    assert f"تحملون وكالة {first.name_ar}: عليهم أولا اختيار وكيل آخر." in visible_text(refused)
    assert not Answer.objects.filter(member=holder).exists()


def test_an_advisory_seat_attends_but_has_no_vote_to_give(convened):
    assert convened.answer(convened.controller, "attend").status_code == 302
    response = convened.login(convened.controller).post(
        f"/members/sessions/{convened.session.pk}/answer/",
        {"choice": "proxy", "proxy": convened.members[0].pk},
        follow=True,
    )
    assert "المقعد الاستشاري لا صوت له ليوكَّل." in visible_text(response)
    assert Answer.objects.get(member=convened.controller).choice == "attend"


def test_a_member_of_another_board_gets_404_and_a_cancelled_session_takes_no_answer(convened):
    outsider = factory.seat(factory.board(is_home=False))
    response = signed_in(factory.user_for(outsider)).post(
        f"/members/sessions/{convened.session.pk}/answer/", {"choice": "attend"}
    )
    assert response.status_code == 404

    convening.cancel(convened.session, by=convened.secretary)
    refused = convened.answer(convened.members[0], "attend")
    assert refused.status_code == 302 and not Answer.objects.exists()
    assert "ملغاة" in visible_text(convened.page(convened.members[0]))


def test_the_secretariat_sees_the_answers_and_the_attendance_starts_from_them(convened):
    first, second, holder, excused = convened.members[:4]
    convened.answer(first, "proxy", holder)
    convened.answer(holder, "attend")
    convened.answer(second, "attend")
    convened.answer(excused, "excused")
    desk = Client()
    desk.force_login(convened.secretary)
    before = read_form(desk.get(f"/admin/meetings/session/{convened.session.pk}/change/"), id="session_form")
    assert before.values["attendances-TOTAL_FORMS"] == "0"  # nothing recorded ahead of the session

    # On the day (time travel ends with the block, even when an assertion fails).
    with time_machine.travel(datetime.datetime(2026, 3, 19, 10, 30, tzinfo=datetime.UTC), tick=False):
        desk.force_login(convened.secretary)
        page = desk.get(f"/admin/meetings/session/{convened.session.pk}/change/")
        text = visible_text(page)
        assert f"وكالة لفائدة {holder.name_ar}" in text
        assert "لم يجب بعد" in text
        # 2 attending + 1 proxy of 5 voters: 3 counted, 3 required (more than half)
        assert "المتوقع: 3 من أصل 5" in text

        form = read_form(page, id="session_form")
        rows = {
            form.values[f"attendances-{n}-member"]: (
                form.values[f"attendances-{n}-status"],
                form.values.get(f"attendances-{n}-proxy", ""),
            )
            for n in range(int(form.values["attendances-TOTAL_FORMS"]))
        }
        assert rows == {
            str(first.pk): ("represented", str(holder.pk)),
            str(second.pk): ("present", ""),
            str(holder.pk): ("present", ""),
            str(excused.pk): ("excused", ""),
            str(convened.members[4].pk): ("absent", ""),
            str(convened.controller.pk): ("absent", ""),
        }

        # The secretariat confirms (here: as answered, the controller came after all) and saves.
        row = next(
            n for n in range(6) if form.values[f"attendances-{n}-member"] == str(convened.controller.pk)
        )
        form.values[f"attendances-{row}-status"] = "present"
        saved = desk.post(f"/admin/meetings/session/{convened.session.pk}/change/", form.values)
        assert saved.status_code == 302, visible_text(saved)[:2000]
        assert Attendance.objects.filter(session=convened.session).count() == 6
        assert (
            Session.objects.get(pk=convened.session.pk).quorum().counted == 3
        )  # an advisory seat never counts
        # Once the attendance is recorded, the page says what was: no answer awaited, no quorum expected.
        after = visible_text(desk.get(f"/admin/meetings/session/{convened.session.pk}/change/"))
        assert "لم يجب بعد" not in after and "المتوقع: 3 من أصل 5" not in after
        assert "سُجّل الحضور: هو سجلّ من حضر." in after


@pytest.mark.parametrize("voters", [5, 30])
def test_the_member_page_makes_the_same_queries_whatever_the_boards_size(voters, django_assert_num_queries):
    board = Convened(voters)
    first = board.members[0]
    board.answer(board.members[1], "attend")
    client = board.login(first)
    client.get(f"/members/sessions/{board.session.pk}/")  # the session's login and caches warm
    with django_assert_num_queries(QUERIES):
        assert client.get(f"/members/sessions/{board.session.pk}/").status_code == 200


QUERIES = 17  # one of them: whether the account owes a second factor now (meetings.accounts.middleware)


def test_a_member_declares_an_interest_with_their_answer_and_withdraws_it(convened):
    first = convened.members[0]
    item = factory.agenda_item(convened.session, 1, title="اتفاقية مع جمعية")
    page = convened.page(first)
    assert "interests" in read_form(page, action=f"/members/sessions/{convened.session.pk}/answer/").fields
    assert re.search(rf'type="checkbox"[^>]*name="interests" value="{item.pk}"', page.content.decode())

    answered = convened.login(first).post(
        f"/members/sessions/{convened.session.pk}/answer/",
        {"choice": "attend", "interests": [item.pk], "interest_reason": "عضو في مكتب الجمعية"},
    )

    assert answered.status_code == 302
    declaration = Declaration.objects.get()
    assert (declaration.member, declaration.agenda_item, declaration.reason) == (
        first,
        item,
        "عضو في مكتب الجمعية",
    )
    assert (declaration.source, declaration.recorded_by) == (Declaration.Source.MEMBER, first.user)
    page = convened.page(first)
    assert f"صرح {first.name_ar} بتضارب في المصالح بخصوص هذه النقطة وانسحب منها" in visible_text(page)
    assert read_form(page, action=f"/members/sessions/{convened.session.pk}/answer/").values[
        "interests"
    ] == str(item.pk)

    convened.login(first).post(f"/members/sessions/{convened.session.pk}/answer/", {"choice": "attend"})
    assert not Declaration.objects.exists()


def test_a_member_cannot_declare_on_another_sessions_item(convened):
    factory.agenda_item(convened.session, 1)
    other = factory.agenda_item(factory.session(convened.board, ordinal=2), 1)
    response = convened.login(convened.members[0]).post(
        f"/members/sessions/{convened.session.pk}/answer/", {"choice": "attend", "interests": [other.pk]}
    )
    assert response.status_code == 400
    assert not Declaration.objects.exists()
