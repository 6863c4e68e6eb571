"""The secretariat records a session in the admin with a real browser, then the public reads it."""

import pytest

from meetings.models import Membership, Session
from tests import factory
from tests.e2e.actors import secretary_signs_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "s3cret-pass!"


def choose_in_autocomplete(page, row: str, field: str, search: str) -> None:
    """Pick an option in one of the admin's autocomplete (select2) fields."""
    page.click(f"{row} .field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.click(f".select2-results__option:has-text('{search}')")


def add_session(page, base_url: str, *, member_name: str, agenda_title: str) -> None:
    """Fill the session add page: the board, the chair and the attendance (every seat, present) come
    prefilled; the president, first, is represented by `member_name`; one agenda item."""
    page.goto(f"{base_url}/admin/meetings/session/add/")
    page.fill("#id_ordinal", "2")
    page.fill("#id_date", "2025-12-18")
    page.fill("#id_place", "مقر وزارة التضامن، الرباط")
    page.check("#id_is_public")

    assert page.locator("#attendances-group tr.form-row:not(.empty-form)").count() == 2
    page.select_option("#id_attendances-0-status", "represented")
    choose_in_autocomplete(page, "#attendances-0", "proxy", member_name)

    page.click("#agenda_items-group .add-row a")
    page.fill("#id_agenda_items-0-title", agenda_title)
    page.fill("#id_agenda_items-0-deliberation", "صادق المجلس على مخطط العمل بالإجماع.")

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")


def test_the_secretariat_adds_a_public_session_whose_agenda_the_public_reads_in_arabic(
    live_server, browser_page, screenshots
):
    page = browser_page
    board = factory.board()
    factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    factory.seat(board, name_ar="خطار المجاهدي")
    user = factory.secretariat_user(password=PASSWORD)

    secretary_signs_in(page, live_server.url, user.username)
    add_session(page, live_server.url, member_name="خطار المجاهدي", agenda_title="مشروع مخطط العمل لسنة 2026")

    session = Session.objects.get(year=2025, ordinal=2)
    attendance = [
        (a.member.name_ar, a.status, a.proxy and a.proxy.name_ar) for a in session.attendances.all()
    ]
    assert attendance == [
        ("نعيمة بن يحيى", "represented", "خطار المجاهدي"),
        ("خطار المجاهدي", "present", None),
    ]
    page.goto(f"{live_server.url}/sessions/2025/2/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    main = page.locator("main")
    assert "الدورة الثانية برسم سنة 2025" in main.locator("h1").inner_text()
    assert "18 دجنبر 2025" in main.inner_text()
    assert "ترأسها" in main.inner_text() and "نعيمة بن يحيى" in main.inner_text()
    assert "مشروع مخطط العمل لسنة 2026" in main.locator(".agenda-item h3").inner_text()
    # Until its minutes are published, the public reads the agenda only: no attendance, no deliberation.
    assert "لم يُنشر محضر هذه الدورة بعد، وفيما يلي جدول أعمالها." in main.inner_text()
    assert main.locator("#attendance").count() == 0
    assert "صادق المجلس على مخطط العمل بالإجماع." not in main.inner_text()
    screenshots.take(page, "public-agenda")
    # A keyboard user's first tab lands on the skip link, which leads to the content; links read in the
    # board's green, above WCAG AA's contrast on the page's background.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate("document.activeElement.textContent.trim()") == "الانتقال إلى المحتوى"
    link = page.locator("footer a").first
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(11, 93, 75)"


def test_leaving_a_session_form_with_unsaved_changes_asks_first(live_server, browser_page):
    user = factory.secretariat_user(password=PASSWORD)
    secretary_signs_in(browser_page, live_server.url, user.username)
    untouched = browser_page.context.new_page()
    untouched.goto(f"{live_server.url}/admin/meetings/session/add/")
    with untouched.expect_event("close"):  # nothing typed: it leaves without a word
        untouched.close(run_before_unload=True)

    typed = browser_page.context.new_page()
    typed.goto(f"{live_server.url}/admin/meetings/session/add/")
    typed.fill("#id_place", "قاعة الاجتماعات")
    with typed.expect_event("dialog") as asked:
        typed.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # «stay on the page»: what was typed is still there
    assert typed.input_value("#id_place") == "قاعة الاجتماعات"
