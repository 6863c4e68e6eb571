"""A decision in writing between sessions, as each person lives it in a real browser: the secretariat drafts
the consultation and puts it to the members, each voting member answers with their second factor, the last
answer closes it, its minutes are approved, sealed and published, its resolution stands in the register
under its own number, and the next session's follow-up screen lists it."""

import datetime
import time
from contextlib import ExitStack

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.models import Membership, Session, WrittenVote
from tests import factory
from tests.e2e.actors import (
    APPROVE_AND_SIGN,
    SECRETARY_PASSWORD,
    gives_the_second_factor,
    lifecycle_button,
    member_signs_in,
    new_page,
    next_app_code,
    pin_of,
    presses,
    secretary_signs_in,
    signs_the_minutes,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DRAFT = "المصادقة على اتفاقية شراكة مع التعاون الوطني الجهوي"
TEXT = "يصادق المجلس على اتفاقية الشراكة المعروضة عليه."


def answers(page, base: str, username: str, title: str, choice: str) -> tuple[str, bytes]:
    """A voting member signs in, opens the consultation and answers with their authenticator app's code
    (set up first if they had none); the page's text after, and the app's key."""
    key = member_signs_in(page, base, username)
    page.get_by_role("link", name=title).first.click()
    page.wait_for_selector("#written")
    set_up = page.get_by_role("link", name="إعداد عاملي الثاني للتحقق")
    if set_up.count():  # a member who gave no second factor so far sets up their app, and comes back
        with page.expect_navigation():
            set_up.click()
        key = gives_the_second_factor(page, username)
        page.wait_for_selector("#written")
    key = key or TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
    page.check(f"#written-{choice}")
    page.fill("#written-code", next_app_code(key))
    if page.locator("#written-pin").count():  # one who holds a credential at the signing service signs it
        page.fill("#written-pin", pin_of(username))
    page.get_by_role("button", name="إرسال جوابي").click()
    page.wait_for_selector(".alert-success")
    return page.locator("main").inner_text(), key


def approves_on(page, base: str, username: str, session: Session, key: bytes) -> str:
    """Where they are signed in already, the president or the rapporteur approves and signs the minutes."""
    page.goto(f"{base}/members/sessions/{session.pk}/")
    page.check("#confirm-approval")
    page.fill("#approval-code", next_app_code(key))
    page.fill("#approval-pin", pin_of(username))
    page.get_by_role("button", name=APPROVE_AND_SIGN).click()
    page.wait_for_selector(".alert-success")
    return page.locator("main").inner_text()


def test_a_written_consultation_runs_from_submission_to_the_register_and_the_next_follow_up(
    live_server, chromium_browser, browser_page, screenshots
):
    base = live_server.url
    board = factory.board(written_consultation=True, written_consultation_days=8)
    president = factory.user_for(factory.seat(board, Membership.Role.PRESIDENT, email="p@entraide.ma"))
    rapporteur = factory.user_for(factory.seat(board, Membership.Role.RAPPORTEUR, email="r@entraide.ma"))
    member = factory.user_for(factory.seat(board, name_ar="عبد الجبار الرشيدي", email="m@entraide.ma"))
    secretary = factory.secretariat_user(password=SECRETARY_PASSWORD)
    closes = timezone.localtime() + datetime.timedelta(days=10)

    # The secretariat drafts it and puts it to the members.
    page = browser_page
    secretary_signs_in(page, base, secretary.username)
    page.goto(f"{base}/admin/meetings/writtenconsultation/add/")
    page.select_option("#id_board", str(board.pk))
    page.fill("#id_closes_at_0", closes.strftime("%Y-%m-%d"))
    page.fill("#id_closes_at_1", "17:00")
    page.fill("#id_resolutions-0-title", DRAFT)
    page.fill("#id_resolutions-0-text", TEXT)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    consultation = Session.objects.get(kind=Session.Kind.WRITTEN)
    title = consultation.title
    number = f"{consultation.year}/101/1"
    presses(page, "عرضها على الأعضاء")
    assert "3 رسائل" in page.locator(".messagelist").inner_text()
    screenshots.take(page, "consultation-submitted")

    # Each voting member answers; the last answer closes it. The president and the rapporteur stay
    # signed in, to approve its minutes later.
    with ExitStack() as pages:
        own = {
            who.username: pages.enter_context(new_page(chromium_browser, last=(screenshots, who.username)))
            for who in (member, rapporteur, president)
        }
        assert "جوابكم: موافق" in answers(own[member.username], base, member.username, title, "for")[0]
        keys = {
            rapporteur.username: answers(
                own[rapporteur.username], base, rapporteur.username, title, "abstain"
            )[1]
        }
        text, keys[president.username] = answers(
            own[president.username], base, president.username, title, "for"
        )
        assert "مصادق عليه" in text and "مؤيدون: 2، معارضون: 0، ممتنعون: 1" in text
        assert WrittenVote.objects.count() == 3
        assert WrittenVote.objects.exclude(signed_pdf="").count() == 2  # the president's, the rapporteur's
        consultation.refresh_from_db()
        assert consultation.closed_at is not None

        # Its minutes: started and sent to review, approved by the president and the rapporteur, sealed
        # and published by the secretariat.
        page.goto(f"{base}/admin/meetings/session/{consultation.pk}/change/")
        presses(page, "إرسال المحضر للمراجعة")
        # They gave their apps' next codes to answer: their approvals take the codes after those, once
        # the apps show them (django-otp takes each code once).
        time.sleep(30 - time.time() % 30 + 1)
        for who in (president, rapporteur):
            said = approves_on(own[who.username], base, who.username, consultation, keys[who.username])
            assert "توقيعكم على المحضر: سُجلت مصادقتكم." in said, said
    minutes = consultation.minutes_versions.get()
    assert minutes.state == "approved"
    page.goto(f"{base}/admin/meetings/minutes/{minutes.pk}/change/")
    assert "وُقِّع المحضر." in signs_the_minutes(page, screenshots)
    lifecycle_button(page, "نشر")

    # In the register, under its own number; on the next session's follow-up screen.
    with new_page(chromium_browser, last=(screenshots, "register")) as visitor:
        visitor.goto(f"{base}/resolutions/")
        register = visitor.locator("main").inner_text()
        assert number in register and DRAFT in register
        visitor.goto(f"{base}/resolutions/{number}/")
        assert "مؤيدون: 2، معارضون: 0، ممتنعون: 1" in visitor.locator("main").inner_text()
    following = factory.session(board, date=closes.date() + datetime.timedelta(days=30), ordinal=None)
    page.goto(f"{base}/admin/meetings/session/{following.pk}/follow-up/")
    assert number in page.locator("#content-main").inner_text()
    screenshots.take(page, "next-follow-up")
