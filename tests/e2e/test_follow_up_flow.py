"""The secretariat records the follow-up of the June 2025 resolutions on one screen, in a real browser, and
finds it in the December minutes."""

import datetime

import pytest

from decisions.models import FollowUp
from meetings.models import Membership
from tests import factory, pdf
from tests.e2e.actors import follows_the_job, presses, secretary_signs_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "s3cret-pass!"
JUNE = [
    "المصادقة على محضر الدورة السابقة",
    "المصادقة على حصيلة سنة 2024",
    "تسريع تأهيل مؤسسات الرعاية الاجتماعية",
    "رقمنة سجل المستفيدين",
]
NOTE = "انطلقت أشغال التأهيل في عدد من المؤسسات."


def test_the_follow_up_of_the_june_resolutions_is_recorded_on_one_screen_and_printed_in_december(
    live_server, browser_page, screenshots
):
    board = factory.board()
    president = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    june = factory.session(board, datetime.date(2025, 6, 20), 1)
    for sequence, title in enumerate(JUNE, start=1):
        factory.resolution(june, sequence, title=title)
    december = factory.session(board, datetime.date(2025, 12, 18), 2, chair=president)
    factory.attend(december, president)
    user = factory.secretariat_user(password=PASSWORD)
    page = browser_page

    secretary_signs_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/admin/meetings/session/{december.pk}/change/")
    page.click("text=تتبع 4 قرارات سابقة")

    page.wait_for_selector("h1:has-text('تتبع تنفيذ القرارات')")
    rows = page.locator("#content-main tbody tr")
    assert rows.count() == 4
    assert [rows.nth(n).locator("td").first.inner_text().split(" — ")[0] for n in range(4)] == [
        "2025/1/1",
        "2025/1/2",
        "2025/1/3",
        "2025/1/4",
    ]
    for n, status in enumerate(["done", "done", "in_progress", "in_progress"]):
        rows.nth(n).locator("select").select_option(status)
    rows.nth(2).locator("textarea[name$='-note']").fill(NOTE)
    screenshots.take(page, "follow-up-screen")
    page.click("input[name=_save]")

    page.wait_for_selector(".messagelist .success")
    assert "حُفظ تتبع تنفيذ القرارات السابقة." in page.locator(".messagelist").inner_text()
    recorded = {f.resolution.sequence: f.status for f in december.follow_ups.all()}
    assert recorded == {
        1: FollowUp.Status.DONE,
        2: FollowUp.Status.DONE,
        3: FollowUp.Status.IN_PROGRESS,
        4: FollowUp.Status.IN_PROGRESS,
    }
    # Back on the session page, which lists what was reported.
    reported = page.locator(".field-follow_up li")
    assert reported.count() == 4
    assert "2025/1/3 — تسريع تأهيل مؤسسات الرعاية الاجتماعية: في طور الإنجاز" in reported.nth(2).inner_text()

    presses(page, "معاينة مسودة المحضر (PDF)")
    assert "المعاينة جاهزة." in follows_the_job(page)
    screenshots.take(page, "preview-ready")
    link = page.get_by_role("link", name="فتح المعاينة (PDF)").get_attribute("href")
    preview = page.request.get(f"{live_server.url}{link}")
    assert preview.status == 200
    text = pdf.normalized(pdf.text(preview.body()))
    assert pdf.normalized("تتبع تنفيذ القرارات") in text
    for title in JUNE:
        assert pdf.normalized(title) in text
    assert pdf.normalized(NOTE) in text
