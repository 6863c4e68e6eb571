"""Every convened person answers: by the personal link of their convocation, without an account; or by
phone, letter or in person, the secretariat recording the answer with how it came and who recorded it.
A member sees the proxies they hold."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import User

from meetings.convocation import convening
from meetings.models import Answer, Declaration, DutyLog, Membership, Message
from tests import factory
from tests.client import Client
from tests.members import read_form, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
SESSION_DAY = datetime.date(2026, 3, 19)
OPENED = datetime.datetime(2026, 3, 19, 10, 0, 1, tzinfo=datetime.UTC)  # 10:00:01 in Casablanca (UTC+0)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


class Convened:
    """A board of four voting members, none with an account, and an advisory seat; its session convened."""

    def __init__(self) -> None:
        self.board = factory.board(max_proxies=1)
        self.members = [
            factory.seat(self.board, email=f"m{n}@entraide.ma", gender="male" if n % 2 else "female")
            for n in range(4)
        ]
        self.controller = factory.seat(self.board, Membership.Role.INVITED, name_ar="المراقب المالي للدولة")
        self.session = factory.session(
            self.board, date=SESSION_DAY, ordinal=1, start_time=datetime.time(10), end_time=datetime.time(13)
        )
        self.item = factory.agenda_item(self.session, title="برنامج العمل", title_fr="Le programme d’action")
        self.secretary = factory.secretariat_user()
        convening.convene(self.session, by=self.secretary)

    def message(self, member) -> Message:
        return Message.objects.get(kind=Message.Kind.CONVOCATION, member=member)

    def link(self, member) -> str:
        """The path of the member's personal link, as their convocation's text gives it."""
        found = re.search(r"https?://[^/\s]+(/(?:fr/)?answer/[^/\s]+/)", self.message(member).text)
        assert found, self.message(member).text
        return found.group(1)


@pytest.fixture
def convened() -> Convened:
    return Convened()


def test_a_member_without_an_account_answers_by_the_link_of_their_convocation(convened):
    first, holder = convened.members[:2]
    assert first.user is None
    visitor = Client()  # nobody signed in
    page = visitor.get(convened.link(first))
    assert page.status_code == 200
    assert (page["Referrer-Policy"], page["X-Robots-Tag"]) == ("strict-origin", "noindex, nofollow")
    text = visible_text(page)
    assert convened.session.title in text and "برنامج العمل" in text
    form = read_form(page, method="post")
    offered = {value for value, _label in form.options["proxy"]} - {""}
    assert offered == {str(m.pk) for m in convened.members[1:]}  # the other voters, not the controller

    answered = visitor.post(convened.link(first), {"choice": "proxy", "proxy": holder.pk})
    assert answered.status_code == 302
    answer = Answer.objects.get(member=first)
    assert (answer.choice, answer.proxy, answer.channel, answer.recorded_by) == (
        "proxy",
        holder,
        "link",
        None,
    )
    assert f"وكّلتم {holder.name_ar}." in visible_text(visitor.get(convened.link(first)))
    logged = DutyLog.objects.get(kind=DutyLog.Kind.ANSWER, member=first)
    assert logged.by is None and "رابط الاستدعاء" in logged.detail

    # The holder, by their own link, reads whose proxy they hold.
    assert first.name_ar in visible_text(visitor.get(convened.link(holder)))


def test_the_link_answers_only_its_own_convocation(convened):
    first, second = convened.members[:2]
    link = convened.link(first)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    refused = Client().post(forged, {"choice": "attend"})
    assert refused.status_code == 403
    assert "هذا الرابط غير صالح" in visible_text(refused)
    assert not Answer.objects.exists()
    # Nothing of the session but its convocation: no document, no draft.
    assert "/members/documents/" not in Client().get(link).content.decode()


def test_the_link_closes_when_the_session_opens(convened):
    first = convened.members[0]
    Client().post(convened.link(first), {"choice": "attend"})
    with time_machine.travel(OPENED, tick=False):
        page = Client().get(convened.link(first))
        assert page.status_code == 200
        assert "أُغلقت الأجوبة عند افتتاح الدورة" in visible_text(page)
        assert Client().post(convened.link(first), {"choice": "excused"}).status_code == 302
    assert Answer.objects.get(member=first).choice == "attend"


def test_the_link_is_refused_after_a_change_of_seat(convened):
    first = convened.members[0]
    link = convened.link(first)
    seat = Membership.objects.get(member=first)
    seat.role = Membership.Role.INVITED  # the same person, now in an advisory seat
    seat.save()
    refused = Client().get(link)
    assert refused.status_code == 403
    assert "لم يعد لكم" in visible_text(refused)


def test_the_secretariat_records_an_answer_given_by_phone_and_it_says_who_recorded_it(convened):
    first = convened.members[0]
    desk = Client()
    desk.force_login(convened.secretary)
    record = f"/admin/meetings/session/{convened.session.pk}/answer/"
    page = desk.get(f"{record}?member={first.pk}")
    assert page.status_code == 200
    refused = desk.post(record, {"member": first.pk, "choice": "proxy", "channel": "phone"})
    assert refused.status_code == 200 and "اختاروا العضو الذي يحمل الوكالة" in visible_text(refused)
    saved = desk.post(record, {"member": first.pk, "choice": "excused", "channel": "phone"})
    assert saved.status_code == 302
    answer = Answer.objects.get(member=first)
    assert (answer.choice, answer.channel, answer.recorded_by) == ("excused", "phone", convened.secretary)
    text = visible_text(desk.get(f"/admin/meetings/session/{convened.session.pk}/change/"))
    assert "معتذر" in text and "بالهاتف، سجّله secretary" in text

    # Someone in the admin without the secretariat's rights records nothing.
    reader = User.objects.create_user("reader", password="x-x-x-x-x1", is_staff=True)
    other = Client()
    other.force_login(reader)
    assert (
        other.post(record, {"member": first.pk, "choice": "attend", "channel": "letter"}).status_code == 403
    )
    assert Answer.objects.get(member=first).choice == "excused"


def test_the_admin_shows_the_messages_without_the_members_links(convened):
    first = convened.members[0]
    desk = Client()
    desk.force_login(convened.secretary)
    message = convened.message(first)
    page = desk.get(f"/admin/meetings/message/{message.pk}/change/").content.decode()
    token = convened.link(first).rstrip("/").rsplit("/", 1)[1]
    assert token not in page and "/answer/…/" in page


def test_a_member_with_an_account_sees_the_proxies_they_hold(convened):
    first, holder = convened.members[:2]
    Client().post(convened.link(first), {"choice": "proxy", "proxy": holder.pk})
    page = signed_in(factory.user_for(holder)).get(f"/members/sessions/{convened.session.pk}/")
    text = visible_text(page)
    assert "الوكالات التي تحملونها" in text and first.name_ar in text


def test_the_convocation_greets_each_person_in_their_gender_and_language(convened):
    woman, man = convened.members[:2]
    assert convened.message(woman).text.startswith(f"السيدة {woman.name_ar} المحترمة،")
    assert convened.message(man).text.startswith(f"السيد {man.name_ar} المحترم،")
    assert convened.message(convened.controller).text.startswith("السيد(ة) المراقب المالي للدولة المحترم(ة)،")
    for member in (woman, man):
        member.language = "fr"
        member.save()
    convened.session.place, convened.session.place_fr = "المقر المركزي", "Siège central"
    convened.session.save()  # a change of place: the update goes to everyone, each in their language
    update = Message.objects.filter(kind=Message.Kind.CONVOCATION_UPDATE)
    french_woman, french_man = update.get(member=woman).text, update.get(member=man).text
    assert french_woman.startswith("Madame,") and french_man.startswith("Monsieur,")
    assert "Le programme d’action" in french_man and "Siège central" in french_man
    assert "برنامج العمل" not in french_man and "/fr/answer/" in french_man


def test_a_member_declares_an_interest_by_the_link_of_their_convocation(convened):
    first = convened.members[0]
    visitor = Client()

    answered = visitor.post(convened.link(first), {"choice": "attend", "interests": [convened.item.pk]})

    assert answered.status_code == 302
    declaration = Declaration.objects.get()
    assert (declaration.member, declaration.source, declaration.recorded_by) == (first, "member", None)
    assert "بتضارب في المصالح بخصوص هذه النقطة" in visible_text(visitor.get(convened.link(first)))
