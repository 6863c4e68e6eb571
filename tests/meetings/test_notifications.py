"""Each step of the minutes reaches the people concerned, in their language, with a link: review (the
members seated on the session's date), approval awaited and its reminder (the president and the
rapporteur, each once), approvals withdrawn (the approvers), a comment (the secretariat) and its answer (its
author), publication (everyone seated, the signed PDF's address); and the convocation's reminder two days
before the session.

Sent over SMTP to a real server (aiosmtpd) by the real worker: transactional tests, as in
test_convocation.py."""

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from meetings.accounts import invitations
from meetings.convocation import convening
from meetings.convocation.delivery import deliver
from meetings.minutes import lifecycle
from meetings.models import Comment, Membership, Message, Minutes
from tests import factory
from tests.actors import actors
from tests.client import Client
from tests.database import put_back_migrated_rows
from tests.mail import subject, text_part, work_the_queue
from tests.members import signed_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


@pytest.fixture
def cast():
    """The lifecycle's actors, with addresses and languages: the rapporteur reads French; the state
    financial controller (advisory) sits on the board too."""
    cast = actors()
    board = cast.session.board
    board.secretariat_email = "secretariat@entraide.ma"
    board.save()
    for user, address, language in (
        (cast.president, "president@entraide.ma", "ar"),
        (cast.rapporteur, "rapporteur@entraide.ma", "fr"),
        (cast.member, "membre@entraide.ma", "ar"),
    ):
        member = user.member
        member.email, member.language = address, language
        member.save()
    factory.seat(board, Membership.Role.INVITED, email="controle@finances.gov.ma", language="fr")
    return cast


def addresses(mail_server) -> list[str]:
    return sorted(address for recipients, _ in mail_server.inbox.received for address in recipients)


def test_each_step_of_the_minutes_reaches_the_people_concerned_in_their_language(cast, mail_server):
    minutes = lifecycle.start_version(cast.session, by=cast.secretary)
    lifecycle.submit_for_review(minutes, by=cast.secretary)
    work_the_queue()
    assert addresses(mail_server) == [
        "controle@finances.gov.ma",
        "membre@entraide.ma",
        "president@entraide.ma",
        "rapporteur@entraide.ma",
    ]  # each once
    assert subject(mail_server.inbox.one_to("membre@entraide.ma")).startswith("مشروع محضر للاطلاع:")
    assert subject(mail_server.inbox.one_to("president@entraide.ma")).startswith("محضر في انتظار مصادقتكم:")
    french = mail_server.inbox.one_to("rapporteur@entraide.ma")
    assert subject(french).startswith("Procès-verbal en attente de votre approbation\u202f:")
    assert "en tant que rapporteur" in text_part(french)
    link = re.search(r"http://127.0.0.1:8000(/fr/members/sessions/\d+/)", text_part(french)).group(1)
    assert signed_in(cast.rapporteur).get(link).status_code == 200

    # A comment reaches the secretariat; its answer, its author, once.
    mail_server.inbox.received.clear()
    signed_in(cast.member).post(
        f"/members/sessions/{cast.session.pk}/comment/",
        {"text": "يرجى تدقيق رقم الميزانية.", "agenda_item": ""},
    )
    work_the_queue()
    to_desk = mail_server.inbox.one_to("secretariat@entraide.ma")
    assert "يرجى تدقيق رقم الميزانية." in text_part(to_desk)
    assert "/admin/meetings/session/" in text_part(to_desk)
    comment = Comment.objects.get()
    comment.status, comment.reply = Comment.Status.TAKEN, "صُحّح الرقم."
    comment.sign_reply(cast.secretary)
    comment.save()
    comment.save()  # saved again: nothing more is sent
    work_the_queue()
    answered = mail_server.inbox.one_to("membre@entraide.ma")
    assert "صُحّح الرقم." in text_part(answered)

    # Both approve: the last approval tells the secretariat that the minutes await its seal.
    factory.approve(minutes, by=cast.president)
    mail_server.inbox.received.clear()
    minutes = factory.approve(minutes, by=cast.rapporteur)
    work_the_queue()
    to_seal = mail_server.inbox.one_to("secretariat@entraide.ma")
    assert subject(to_seal).startswith("محضر مصادق عليه، في انتظار الختم والنشر:")
    assert "/admin/meetings/session/" in text_part(to_seal)
    assert addresses(mail_server) == ["secretariat@entraide.ma"]
    # The record then changes: the approvals are withdrawn, and the approvers told.
    mail_server.inbox.received.clear()
    cast.item.title = "مشروع مخطط عمل المؤسسة وميزانيتها برسم سنة 2026"
    cast.item.save()
    work_the_queue()
    assert addresses(mail_server) == ["president@entraide.ma", "rapporteur@entraide.ma"]
    assert subject(mail_server.inbox.one_to("president@entraide.ma")).startswith("سحب المصادقات")

    # Approved again, signed, published: everyone seated gets the signed PDF's address.
    minutes.refresh_from_db()
    factory.approve(minutes, by=cast.president)
    minutes = factory.approve(minutes, by=cast.rapporteur)
    minutes = lifecycle.sign(minutes, by=cast.secretary)
    work_the_queue()  # the secretariat told again that the minutes await its seal
    mail_server.inbox.received.clear()
    lifecycle.publish(minutes, by=cast.secretary)
    work_the_queue()
    assert addresses(mail_server) == [
        "controle@finances.gov.ma",
        "membre@entraide.ma",
        "president@entraide.ma",
        "rapporteur@entraide.ma",
    ]
    published = text_part(mail_server.inbox.one_to("membre@entraide.ma"))
    pdf_path = re.search(r"http://127.0.0.1:8000(/minutes/[\w-]+\.pdf)", published).group(1)
    download = Client().get(pdf_path)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == (
        minutes.pdf.open("rb").read()
    )


def test_an_approver_who_has_not_approved_is_reminded_once_after_the_boards_delay(cast, mail_server):
    minutes = lifecycle.start_version(cast.session, by=cast.secretary)
    lifecycle.submit_for_review(minutes, by=cast.secretary)
    factory.approve(minutes, by=cast.president)
    work_the_queue()
    mail_server.inbox.received.clear()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=True):
        work_the_queue()
    assert mail_server.inbox.received == []  # the board's delay is 5 days
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5, minutes=1), tick=True):
        work_the_queue()
        work_the_queue()
    assert addresses(mail_server) == ["rapporteur@entraide.ma"]
    assert subject(mail_server.inbox.one_to("rapporteur@entraide.ma")).startswith("Rappel, procès-verbal")
    assert Message.objects.filter(kind=Message.Kind.APPROVAL_REMINDER).count() == 1


def test_the_convened_are_reminded_two_days_before_unless_the_session_is_cancelled(cast, mail_server):
    now = timezone.now()
    upcoming = factory.session(
        cast.session.board,
        date=(now + datetime.timedelta(days=10)).date(),
        ordinal=5,
        start_time=datetime.time(10),
    )
    convening.convene(upcoming, by=cast.secretary)
    cancelled = factory.session(
        cast.session.board,
        date=(now + datetime.timedelta(days=10)).date(),
        ordinal=6,
        start_time=datetime.time(15),
    )
    convening.convene(cancelled, by=cast.secretary)
    convening.cancel(cancelled, by=cast.secretary)
    work_the_queue()
    mail_server.inbox.received.clear()

    with time_machine.travel(now + datetime.timedelta(days=8, hours=12), tick=True):
        work_the_queue()
    reminders = mail_server.inbox.to("membre@entraide.ma")
    assert [subject(m) for m in reminders] == [f"تذكير: {upcoming.title}، {upcoming.display_date}"]
    assert "تذكير بالدورة التي استُدعيتم إليها، بعد يومين." in text_part(reminders[0])


def test_the_members_of_a_board_not_on_the_public_site_read_its_published_minutes_on_their_page(mail_server):
    cast = actors(home=False)
    member = cast.member.member
    member.email = "membre@conseil.ma"
    member.save()
    minutes = cast.minutes(Minutes.State.SIGNED)
    lifecycle.publish(minutes, by=cast.secretary)
    work_the_queue()
    (published,) = [m for m in mail_server.inbox.to("membre@conseil.ma") if "نشره" in subject(m)]
    text = text_part(published)
    assert "/minutes/" not in text and "minutes.pdf" not in text  # the public site does not serve them
    assert "في صفحتكم الخاصة بالدورة." in text and f"/members/sessions/{cast.session.pk}/" in text


def test_a_message_whose_sending_is_asked_twice_is_sent_once(mail_server):
    """Two tasks for one message (asked twice, or put back after an outage: meetings' db_worker): the
    second finds it sent and sends nothing."""
    user = User.objects.create_user("rachidi", email="rachidi@entraide.ma")
    message = invitations.tell(user, "إشعار")
    deliver.enqueue(message.pk)  # a second task for the same message

    work_the_queue()

    assert len(mail_server.inbox.to("rachidi@entraide.ma")) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)
