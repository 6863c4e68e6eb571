"""The convocation: sent from the session's admin page to every seat on its date, each in their language,
with the agenda, the board pack and a calendar invitation; its updates and its cancellation; the short
notice that needs a reason; and a mail server that is away, then back.

The messages go over SMTP to a real server of the test's own (aiosmtpd, tests/mail.py), sent by the task
queue's real worker (`db_worker`), which reads what the test committed: hence transactional tests, which
put back the rows the migrations made when the module is done (tests/database.py)."""

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from meetings.convocation import answers
from meetings.models import Convocation, Document, Membership, Message
from tests import factory
from tests.client import Client
from tests.database import put_back_migrated_rows
from tests.mail import (
    attachments,
    calendar_app_reading,
    calendar_part,
    html_part,
    subject,
    text_part,
    work_the_queue,
)
from tests.members import a_pdf, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
SESSION_DAY = datetime.date(2026, 3, 19)  # 17 days ahead: within the board's delay of 8


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


class Board:
    """A board with a French-reading member, an Arabic-reading one, the state financial controller
    (advisory) and a member without an address; a session with its agenda and a document."""

    def __init__(self) -> None:
        self.board = factory.board(secretariat_email="secretariat@entraide.ma")
        self.president = factory.seat(
            self.board, Membership.Role.PRESIDENT, email="president@entraide.ma", language="ar"
        )
        self.french = factory.seat(
            self.board, email="membre@finances.gov.ma", language="fr", name_fr="Karim Alaoui"
        )
        self.controller = factory.seat(
            self.board,
            Membership.Role.INVITED,
            email="controle@finances.gov.ma",
            name_ar="المراقب المالي للدولة",
        )
        self.silent = factory.seat(self.board, name_ar="عضو بلا عنوان")
        self.former = factory.seat(
            self.board, email="ancien@entraide.ma", end=datetime.date(2025, 12, 31)
        )  # no seat on the session's date
        self.session = factory.session(
            self.board,
            date=SESSION_DAY,
            ordinal=1,
            start_time=datetime.time(10, 0),
            end_time=datetime.time(13, 0),
            place="المقر المركزي للتعاون الوطني، الرباط",
        )
        factory.agenda_item(self.session, 1, title="تتبع تنفيذ قرارات الدورة السابقة")
        factory.agenda_item(self.session, 2, title="برنامج عمل وميزانية سنة 2026")
        self.pack = a_pdf("مشروع الميزانية")
        self.document = Document.objects.create(
            session=self.session, title="مشروع الميزانية", file=ContentFile(self.pack, name="budget-2026.pdf")
        )
        self.secretary = factory.secretariat_user()
        self.desk = Client()
        self.desk.force_login(self.secretary)

    def convene(self, **data) -> object:
        return self.desk.post(f"/admin/meetings/session/{self.session.pk}/convene/", data, follow=True)


@pytest.fixture
def home() -> Board:
    return Board()


def test_the_convocation_reaches_every_seat_in_their_language_with_the_pack_and_an_invitation(
    home, mail_server
):
    page = home.desk.get(f"/admin/meetings/session/{home.session.pk}/convene/")
    shown = visible_text(page)
    assert "عضو بلا عنوان" in shown and "لا عنوان" in shown  # the unreachable member, named before sending
    assert "ancien@entraide.ma" not in shown

    response = home.convene()
    assert response.status_code == 200
    assert "3 رسائل في انتظار الإرسال. بلا عنوان، يُبلَّغون بوسيلة أخرى: عضو بلا عنوان." in visible_text(
        response
    )
    assert mail_server.inbox.received == []  # nothing is sent from the request
    work_the_queue()

    assert sorted(address for recipients, _ in mail_server.inbox.received for address in recipients) == [
        "controle@finances.gov.ma",
        "membre@finances.gov.ma",
        "president@entraide.ma",
    ]
    arabic = mail_server.inbox.one_to("president@entraide.ma")
    french = mail_server.inbox.one_to("membre@finances.gov.ma")
    assert subject(arabic) == "استدعاء: الدورة الأولى برسم سنة 2026، 19 مارس 2026"
    assert subject(french) == "Convocation\u202f: Première session de l’année 2026, 19 mars 2026"
    assert "=?utf-8?" in arabic.as_string()  # the subject travels encoded (RFC 2047)
    assert arabic["Reply-To"] == "secretariat@entraide.ma"

    text = text_part(arabic)
    assert "19 مارس 2026" in text and "10:00–13:00" in text and "المقر المركزي للتعاون الوطني، الرباط" in text
    assert "1. تتبع تنفيذ قرارات الدورة السابقة" in text and "2. برنامج عمل وميزانية سنة 2026" in text
    html = html_part(arabic)
    assert 'dir="rtl"' in html and "برنامج عمل وميزانية سنة" in html and '<bdi dir="ltr">2026</bdi>' in html
    assert 'dir="ltr"' in html_part(french) and "Ordre du jour" in text_part(french)
    assert "أنتم مدعوون بصفة استشارية." in text_part(mail_server.inbox.one_to("controle@finances.gov.ma"))
    assert "consultatif" not in text_part(french) and "استشارية" not in text_part(arabic)
    assert attachments(arabic) == {"budget-2026.pdf": home.pack}

    method, calendar = calendar_part(arabic)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"session-{home.session.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == datetime.datetime(
        2026, 3, 19, 10, 0, tzinfo=timezone.get_default_timezone()
    )
    assert event["DTSTART"].params["TZID"] == "Africa/Casablanca"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Africa/Casablanca"]
    assert str(event["ORGANIZER"]) == "mailto:secretariat@entraide.ma"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:president@entraide.ma"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["ROLE"] == "REQ-PARTICIPANT"
    # What a calendar makes of it: Thunderbird's library, which knows the time zone only from the invitation.
    read = calendar_app_reading(arabic)
    assert read["method"] == "REQUEST"
    (shown,) = read["events"]
    assert shown["start"] == "2026-03-19T10:00:00.000Z"  # 10:00 in Rabat: Morocco is on UTC+0 in Ramadan
    assert shown["end"] == "2026-03-19T13:00:00.000Z" and shown["timezone"] == "Africa/Casablanca"
    assert shown["summary"] == "الدورة الأولى برسم سنة 2026" and shown["sequence"] == 0
    assert shown["location"] == "المقر المركزي للتعاون الوطني، الرباط"
    assert shown["organizer"]["address"] == "mailto:secretariat@entraide.ma"
    assert shown["attendees"] == [
        {
            "address": "mailto:president@entraide.ma",
            "cn": home.president.name_ar,
            "role": "REQ-PARTICIPANT",
            "rsvp": "TRUE",
            "partstat": "NEEDS-ACTION",
        }
    ]
    assert calendar_app_reading(french)["events"][0]["summary"] == "Première session de l’année 2026"
    _, controller_calendar = calendar_part(mail_server.inbox.one_to("controle@finances.gov.ma"))
    assert controller_calendar.walk("VEVENT")[0]["ATTENDEE"].params["ROLE"] == "OPT-PARTICIPANT"

    # The link opens the member's page of the session, after the login.
    link = re.search(r"https?://\S+/members/sessions/\d+/", text).group(0)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert Client().get(path).status_code == 302
    assert signed_in(factory.user_for(home.president)).get(path).status_code == 200
    assert re.search(r"/fr/members/sessions/\d+/", text_part(french))

    silent = Message.objects.get(member=home.silent)
    assert silent.status == Message.Status.UNREACHABLE and silent.subject.startswith("استدعاء")
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3
    listed = visible_text(home.desk.get("/admin/meetings/message/?status__exact=unreachable"))
    assert "عضو بلا عنوان" in listed


def test_a_change_of_place_sends_an_update_and_a_cancellation_removes_the_event(home, mail_server):
    home.convene()
    home.session.refresh_from_db()
    home.session.place = "قاعة الاجتماعات، الدار البيضاء"
    home.session.save()
    home.session.end_time = datetime.time(12, 0)  # a second change: a second update, after Ramadan
    home.session.date = datetime.date(2026, 4, 16)
    home.session.save()
    home.session.opening = "افتتح الرئيس الجلسة"  # not announced: no update
    home.session.save()
    response = home.desk.post(f"/admin/meetings/session/{home.session.pk}/cancel/", follow=True)
    assert response.status_code == 200
    work_the_queue()

    received = mail_server.inbox.to("president@entraide.ma")
    calendars = [calendar_part(message) for message in received]
    assert [(method, cal.walk("VEVENT")[0]["SEQUENCE"]) for method, cal in calendars] == [
        ("REQUEST", 0),
        ("REQUEST", 1),
        ("REQUEST", 2),
        ("CANCEL", 3),
    ]
    assert {str(cal.walk("VEVENT")[0]["UID"]) for _, cal in calendars} == {
        f"session-{home.session.pk}@127.0.0.1"
    }
    assert str(calendars[1][1].walk("VEVENT")[0]["LOCATION"]) == "قاعة الاجتماعات، الدار البيضاء"
    assert subject(received[1]).startswith("تغيير الاستدعاء")
    assert calendars[3][1].walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    update, cancellation = calendar_app_reading(received[2]), calendar_app_reading(received[3])
    assert (update["method"], update["events"][0]["sequence"]) == ("REQUEST", 2)
    # 10:00–12:00 in Rabat, on UTC+1 again after Ramadan, as the invitation's VTIMEZONE tells it.
    assert (update["events"][0]["start"], update["events"][0]["end"]) == (
        "2026-04-16T09:00:00.000Z",
        "2026-04-16T11:00:00.000Z",
    )
    assert (cancellation["method"], cancellation["events"][0]["status"]) == ("CANCEL", "CANCELLED")
    assert subject(received[3]).startswith("إلغاء الدورة")
    assert list(attachments(received[0])) == ["budget-2026.pdf"]
    assert attachments(received[1]) == {} and attachments(received[3]) == {}  # the pack went once
    assert "Annulation" in subject(mail_server.inbox.to("membre@finances.gov.ma")[3])
    assert home.desk.post(f"/admin/meetings/session/{home.session.pk}/convene/").status_code == 200
    assert Convocation.objects.filter(session=home.session).count() == 4  # the cancelled session stays so


def test_a_short_notice_needs_its_reason_which_is_kept(home, mail_server):
    home.session.date = datetime.date(2026, 3, 6)  # 4 days ahead, the board asks for 8
    home.session.save()
    page = home.desk.get(f"/admin/meetings/session/{home.session.pk}/convene/")
    assert 'name="reason"' in page.content.decode()
    refused = home.convene()
    assert "8" in visible_text(refused) and "4" in visible_text(refused)
    assert not Convocation.objects.exists() and not Message.objects.exists()

    home.convene(reason="اجتماع استعجالي لإقرار الميزانية قبل أجلها القانوني")
    convocation = Convocation.objects.get()
    assert convocation.short_notice_reason == "اجتماع استعجالي لإقرار الميزانية قبل أجلها القانوني"
    assert convocation.sent_by == home.secretary and convocation.days_ahead == 4


def test_only_the_secretariat_convenes_and_never_twice_or_after_the_date(home, mail_server):
    member_login = signed_in(factory.user_for(home.french))
    url = f"/admin/meetings/session/{home.session.pk}/convene/"
    assert member_login.post(url).status_code == 302  # to the admin's login: not staff
    assert not Message.objects.exists()

    home.convene()
    again = home.convene()
    assert "أُرسل الاستدعاء من قبل" in visible_text(again)
    assert Convocation.objects.count() == 1

    past = factory.session(home.board, date=datetime.date(2026, 2, 20), ordinal=2)
    response = home.desk.post(f"/admin/meetings/session/{past.pk}/convene/", {"reason": "…"})
    assert response.status_code == 200 and Convocation.objects.filter(session=past).count() == 0

    other = factory.board(is_home=False)
    assert home.desk.get("/admin/meetings/session/999999/convene/").status_code == 404
    assert other.sessions.count() == 0


def test_a_mail_server_away_then_back_gets_each_message_once(home, mail_server):
    mail_server.stop()
    home.convene()
    work_the_queue()
    waiting = Message.objects.filter(status=Message.Status.PENDING)
    assert waiting.count() == 3
    assert all(m.attempts == 1 and "Connection refused" in m.last_error for m in waiting)
    work_the_queue()  # the next attempt waits: nothing is tried at once
    assert {m.attempts for m in Message.objects.filter(status=Message.Status.PENDING)} == {1}

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=True):
        work_the_queue()  # still away: a second attempt, a longer wait
    assert {m.attempts for m in Message.objects.filter(status=Message.Status.PENDING)} == {2}

    mail_server.start()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3), tick=True):
        work_the_queue()
        work_the_queue()
    assert sorted(address for recipients, _ in mail_server.inbox.received for address in recipients) == [
        "controle@finances.gov.ma",
        "membre@finances.gov.ma",
        "president@entraide.ma",
    ]
    sent = Message.objects.filter(status=Message.Status.SENT)
    assert sent.count() == 3 and all(m.attempts == 3 and m.sent_at for m in sent)


def test_a_new_date_convenes_whom_it_seats_releases_whom_it_does_not_and_asks_for_answers_again(
    home, mail_server
):
    leaving = factory.seat(home.board, email="sortant@entraide.ma", end=datetime.date(2026, 3, 31))
    arriving = factory.seat(home.board, email="entrant@entraide.ma", start=datetime.date(2026, 4, 1))
    home.convene()
    answers.answer(home.session, home.president, choice="attend")
    home.session.refresh_from_db()
    home.session.date = datetime.date(2026, 4, 16)
    home.session.save()
    work_the_queue()

    assert [subject(m).split(":")[0] for m in mail_server.inbox.to("sortant@entraide.ma")] == [
        "استدعاء",
        "لم تعودوا مستدعين",
    ]
    method, released = calendar_part(mail_server.inbox.to("sortant@entraide.ma")[1])
    assert method == "CANCEL" and released.walk("VEVENT")[0]["SEQUENCE"] == 1
    (welcome,) = mail_server.inbox.to("entrant@entraide.ma")
    assert subject(welcome).startswith("استدعاء:") and list(attachments(welcome)) == ["budget-2026.pdf"]
    assert calendar_part(welcome)[1].walk("VEVENT")[0]["SEQUENCE"] == 1
    assert subject(mail_server.inbox.to("president@entraide.ma")[1]).startswith("تغيير الاستدعاء")
    assert not home.session.answers.exists()  # given for the day announced before
    assert arriving.messages.count() == 1 and leaving.messages.count() == 2


def test_once_the_session_has_opened_its_record_is_not_announced_and_it_cannot_be_cancelled(
    home, mail_server
):
    home.convene()
    with time_machine.travel(datetime.datetime(2026, 3, 19, 10, 5, tzinfo=datetime.UTC), tick=True):
        home.session.refresh_from_db()
        home.session.end_time = datetime.time(12, 40)  # as the session actually ended: the minutes say so
        home.session.save()
        home.desk.force_login(home.secretary)
        refused = home.desk.post(f"/admin/meetings/session/{home.session.pk}/cancel/", follow=True)
    assert "لا يمكن إلغاء دورة انعقدت" in visible_text(refused)
    assert Convocation.objects.filter(session=home.session).count() == 1
    assert Message.objects.filter(kind=Message.Kind.CONVOCATION_UPDATE).count() == 0
