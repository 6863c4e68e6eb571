"""The board's cycle in a real browser: the secretariat sends the convocation from the session's admin
page, the member opens the link of the message that reached the mail server, signs in, gives a proxy, and
the secretariat reads the answer and the expected quorum."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import Answer, Membership
from tests import factory
from tests.e2e.actors import secretary_signs_in
from tests.mail import text_part, work_the_queue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "m3mber-pass!"


def test_a_convocation_sent_from_the_admin_is_answered_from_its_link(live_server, browser_page, mail_server):
    page = browser_page
    board = factory.board(secretariat_email="secretariat@entraide.ma")
    giver = factory.seat(board, email="rachidi@entraide.ma", name_ar="عبد الجبار الرشيدي")
    holder = factory.seat(
        board, Membership.Role.PRESIDENT, email="benyahia@entraide.ma", name_ar="نعيمة بن يحيى"
    )
    factory.seat(board, email="finances@entraide.ma", language="fr")
    session = factory.session(
        board,
        date=timezone.localdate() + datetime.timedelta(days=17),
        ordinal=1,
        start_time=datetime.time(10),
    )
    factory.agenda_item(session, 1, title="برنامج عمل سنة 2026")
    secretary = factory.secretariat_user(password="s3cret-pass!")
    factory.user_for(giver, username="rachidi")

    secretary_signs_in(page, live_server.url, secretary.username)
    page.goto(f"{live_server.url}/admin/meetings/session/{session.pk}/change/")
    page.click("text=إرسال الاستدعاء")
    assert "rachidi@entraide.ma" in page.locator("#content-main table").inner_text()
    page.click("button:has-text('إرسال الاستدعاء')")
    page.wait_for_selector(".messagelist .success")
    assert "3 رسائل في انتظار الإرسال." in page.locator(".messagelist").inner_text()

    work_the_queue()
    (message,) = mail_server.inbox.to("rachidi@entraide.ma")
    path = re.search(r"http://127.0.0.1:8000(/members/sessions/\d+/)", text_part(message)).group(1)

    member = browser_page.context.browser.new_context(locale="ar-MA").new_page()
    member.goto(live_server.url + path)  # the link of the message: the login first, then the session
    member.fill("#id_username", "rachidi")
    member.fill("#id_password", PASSWORD)
    member.click("button[type=submit]")
    member.wait_for_url(f"{live_server.url}{path}")
    member.check("input[name=choice][value=proxy]")
    member.select_option("select[name=proxy]", str(holder.pk))
    member.click("button:has-text('إرسال جوابي')")
    member.wait_for_selector(".alert-success")
    assert "وكّلتم نعيمة بن يحيى." in member.locator("main").inner_text()
    assert Answer.objects.get(member=giver).proxy == holder

    page.goto(f"{live_server.url}/admin/meetings/session/{session.pk}/change/")
    answers = page.locator(".field-answers").inner_text()
    assert "وكالة لـنعيمة بن يحيى" in answers and "لم يجب بعد" in answers
    assert "المتوقع: 0 من أصل 3" in answers  # the holder has not said she attends: the proxy counts then
    member.context.close()
