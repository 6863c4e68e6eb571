"""The board's cycle in a real browser: the secretariat sends the convocation from the session's admin
page, the member opens the link of the message that reached the mail server, signs in, gives a proxy, and
the secretariat reads the answer and the expected quorum."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.convocation import convening
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
    assert "وكالة لفائدة نعيمة بن يحيى" in answers and "لم يجب بعد" in answers
    assert "المتوقع: 0 من أصل 3" in answers  # the holder has not said she attends: the proxy counts then
    member.context.close()


def _convened(mail_server):
    """A board of three, one of them French, none with an account; its session convened, the messages sent."""
    board = factory.board(secretariat_email="secretariat@entraide.ma")
    people = {
        "rachidi": factory.seat(
            board, email="rachidi@entraide.ma", name_ar="عبد الجبار الرشيدي", gender="male"
        ),
        "benyahia": factory.seat(
            board,
            Membership.Role.PRESIDENT,
            email="benyahia@entraide.ma",
            name_ar="نعيمة بن يحيى",
            gender="female",
        ),
        "finances": factory.seat(
            board,
            email="finances@entraide.ma",
            name_ar="ممثلة وزارة الاقتصاد والمالية",
            name_fr="Représentante du ministère de l’Économie et des Finances",
            language="fr",
            gender="female",
        ),
    }
    session = factory.session(
        board,
        date=timezone.localdate() + datetime.timedelta(days=17),
        ordinal=1,
        start_time=datetime.time(10),
        place="المقر المركزي، الرباط",
        place_fr="Siège central, Rabat",
    )
    factory.agenda_item(session, 1, title="برنامج عمل سنة 2026", title_fr="Le programme d’action 2026")
    secretary = factory.secretariat_user(password="s3cret-pass!")
    convening.convene(session, by=secretary)
    work_the_queue()
    links = {
        name: re.search(
            r"http://127.0.0.1:8000(/(?:fr/)?answer/[^/\s]+/)",
            text_part(mail_server.inbox.one_to(person.email)),
        ).group(1)
        for name, person in people.items()
    }
    return session, people, links, secretary


def test_a_member_without_an_account_answers_from_the_link_in_their_message(
    live_server, browser_page, mail_server, screenshots
):
    session, people, links, _secretary = _convened(mail_server)
    french = text_part(mail_server.inbox.one_to("finances@entraide.ma"))
    assert (
        french.startswith("Madame,") and "Le programme d’action 2026" in french and "Siège central" in french
    )
    assert text_part(mail_server.inbox.one_to("rachidi@entraide.ma")).startswith(
        "السيد عبد الجبار الرشيدي المحترم،"
    )

    page = browser_page  # nobody signed in: no account at all
    page.goto(live_server.url + links["rachidi"])
    assert "برنامج عمل سنة 2026" in page.locator("main").inner_text()
    page.check("input[name=choice][value=proxy]")
    page.select_option("select[name=proxy]", str(people["benyahia"].pk))
    page.click("button:has-text('إرسال جوابي')")
    page.wait_for_selector(".alert-success")
    assert "وكّلتم نعيمة بن يحيى." in page.locator("main").inner_text()
    screenshots.take(page, "answered-by-link")
    answer = Answer.objects.get(member=people["rachidi"])
    assert (answer.channel, answer.recorded_by) == ("link", None)

    # The French member reads her page in French, the agenda in French, and answers.
    page.goto(live_server.url + links["finances"])
    text = page.locator("main").inner_text()
    assert "Répondre à la convocation" in page.title() or "Votre réponse à la convocation" in text
    assert "Le programme d’action 2026" in text and "Siège central, Rabat" in text
    page.check("input[name=choice][value=excused]")
    page.click("button[type=submit]")
    page.wait_for_selector(".alert-success")
    screenshots.take(page, "french-member-answered")
    assert Answer.objects.get(member=people["finances"]).choice == "excused"

    # The holder, by her link, reads the proxy she holds.
    page.goto(live_server.url + links["benyahia"])
    assert "عبد الجبار الرشيدي" in page.locator("#proxies-held").locator("..").inner_text()

    # A link altered by one character answers nothing.
    page.goto(live_server.url + links["rachidi"][:-3] + "x/")
    assert "هذا الرابط غير صالح" in page.locator("main").inner_text()


def test_the_secretariat_records_an_answer_given_by_phone(
    live_server, browser_page, mail_server, screenshots
):
    session, people, _links, secretary = _convened(mail_server)
    page = browser_page
    secretary_signs_in(page, live_server.url, secretary.username)
    page.goto(f"{live_server.url}/admin/meetings/session/{session.pk}/change/")
    row = page.locator(".field-answers tr", has_text="نعيمة بن يحيى")
    row.locator("a:has-text('تسجيل جواب')").click()
    page.check("input[name=choice][value=attend]")
    page.check("input[name=channel][value=phone]")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    answers = page.locator(".field-answers").inner_text()
    assert "سيحضر" in answers and f"بالهاتف، سجّله {secretary.username}" in answers
    screenshots.take(page, "recorded-by-phone")
    answer = Answer.objects.get(member=people["benyahia"])
    assert (answer.channel, answer.recorded_by) == ("phone", secretary)
