"""The minutes from review to the public, as each person lives it in a real browser: a board member reads
the draft and comments, the secretariat answers, the president and the rapporteur approve, the secretariat
signs and publishes, a visitor downloads the signed PDF and checks it, then checks a forged copy."""

import re

import pytest
from django.conf import settings

from meetings.minutes import lifecycle
from meetings.models import Comment, Membership, Message, Minutes
from tests import factory, pdf
from tests.e2e.actors import (
    SECRETARY_PASSWORD,
    approves,
    lifecycle_button,
    member_signs_in,
    new_page,
    secretary_signs_in,
    signs_the_minutes,
    uploads_for_verification,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


TITLE = "الدورة الثانية برسم سنة 2025"
ITEM = "المصادقة على مخطط عمل سنة 2026"
DELIBERATION = "ناقش أعضاء المجلس المحاور الاستراتيجية الثلاثة لمخطط العمل."
RESOLUTION = "المصادقة على مخطط عمل سنة 2026 وميزانيته"
COMMENT = "يرجى ذكر المبلغ الإجمالي للميزانية في نص المداولات."
REPLY = "أضيف المبلغ الإجمالي إلى نص المداولات."


def opens_the_session(page) -> None:
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_selector("h1")


def one_signed_byte_changed(signed: bytes) -> bytes:
    """One byte flipped inside a stream of the first signed range (before the signature's /Contents)."""
    gap = int(re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", signed).group(1))
    position = signed.index(b"stream\n", gap // 2) + 20
    assert position < gap
    changed = bytearray(signed)
    changed[position] ^= 0x01
    return bytes(changed)


def a_session_in_review():
    """The board, its people with their logins, the session's record, and its minutes sent for review."""
    board = factory.board()
    president = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR)  # the demo person (factory.seat)
    member = factory.seat(board, name_ar="خطار المجاهدي")
    session = factory.session(board, chair=president, opening="افتتح السيد الرئيس الجلسة.")
    for who in (president, rapporteur, member):
        factory.attend(session, who)
    item = factory.agenda_item(session, 1, title=ITEM, deliberation=DELIBERATION)
    factory.resolution(session, 1, agenda_item=item, title=RESOLUTION)
    secretary = factory.secretariat_user(password=SECRETARY_PASSWORD)
    minutes = lifecycle.start_version(session, by=secretary)
    lifecycle.submit_for_review(minutes, by=secretary)
    people = {
        role: factory.user_for(who) for role, who in [("president", president), ("rapporteur", rapporteur)]
    }
    return minutes, factory.user_for(member), people["president"], people["rapporteur"], secretary


def test_a_draft_goes_from_the_members_review_to_a_signed_pdf_the_public_can_check(
    live_server, chromium_browser, browser_page, tmp_path, screenshots
):
    base = live_server.url
    minutes, member, president, rapporteur, secretary = a_session_in_review()

    # The member signs in, opens the session, reads the draft and comments on the agenda item.
    page = browser_page
    member_signs_in(page, base, member.username)
    opens_the_session(page)
    main = page.locator("main")
    assert "مسودة — لمراجعة أعضاء المجلس" in main.locator(".minutes-state").inner_text()
    assert DELIBERATION in main.inner_text() and RESOLUTION in main.inner_text()
    page.select_option("#id_agenda_item", label=f"1. {ITEM}")
    page.fill("#id_text", COMMENT)
    page.get_by_role("button", name="إرسال الملاحظة").click()
    page.wait_for_selector(".alert-success")
    assert "أُرسلت ملاحظتكم إلى كتابة المجلس." in main.inner_text()
    assert COMMENT in page.locator("#my-comments + .card").inner_text()

    # The secretariat answers it on the minutes' admin page: taken into account, with a reply.
    with new_page(chromium_browser) as desk:
        secretary_signs_in(desk, base, secretary.username)
        desk.goto(f"{base}/admin/meetings/minutes/")
        desk.get_by_role("link", name=re.compile(TITLE)).click()
        assert COMMENT in desk.locator("#comments-group").inner_text()
        desk.select_option("#id_comments-0-status", "taken")
        desk.fill("#id_comments-0-reply", REPLY)
        desk.click("input[name=_save]")
        desk.wait_for_selector(".messagelist .success")
    comment = Comment.objects.get()
    assert (comment.status, comment.reply, comment.replied_by) == ("taken", REPLY, secretary)

    # The member reloads the page and reads the answer.
    page.reload()
    answered = page.locator("#my-comments + .card").inner_text()
    assert "مأخوذة بعين الاعتبار" in answered and REPLY in answered
    screenshots.take(page, "member-page")

    # The president, then the rapporteur, approve on their member page.
    with new_page(chromium_browser) as own:
        text = approves(own, base, president.username, TITLE)
        assert "توقيعكم على المحضر: سُجلت مصادقتكم." in text and "صادق عليه نعيمة بن يحيى (الرئيس)" in text
    with new_page(chromium_browser) as own:
        text = approves(own, base, rapporteur.username, TITLE)
        assert "المحضر، الصيغة 1: مصادق عليه" in text
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.APPROVED

    # The last approval told the secretariat, whose home lists each step awaiting it: seal, then publish.
    assert Message.objects.filter(kind=Message.Kind.APPROVED, member=None).count() == 1
    with new_page(chromium_browser) as desk:
        secretary_signs_in(desk, base, secretary.username)
        desk.goto(f"{base}/admin/")
        awaiting = desk.locator("#what-awaits")
        assert "مصادق عليه، في انتظار الختم:" in awaiting.inner_text()
        screenshots.take(desk, "home-minutes-to-seal")
        with desk.expect_navigation():
            awaiting.get_by_role("link", name=re.compile(TITLE)).click()
        assert "وُقِّع المحضر." in signs_the_minutes(desk, screenshots)
        desk.goto(f"{base}/admin/")
        text = desk.locator("#what-awaits").inner_text()
        assert "في انتظار الختم" not in text and "مختوم، في انتظار النشر:" in text
        with desk.expect_navigation():
            desk.locator("#what-awaits").get_by_role("link", name=re.compile(TITLE)).click()
        lifecycle_button(desk, "نشر")
        assert "المحضر الآن «منشور»." in desk.locator(".messagelist").inner_text()
        screenshots.take(desk, "minutes-published")
        desk.goto(f"{base}/admin/")
        assert "في انتظار النشر" not in desk.locator("#what-awaits").inner_text()
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.PUBLISHED

    # A visitor downloads the signed PDF from the public page and checks it, then a forged copy.
    with new_page(chromium_browser) as visitor:
        visitor.goto(f"{base}/sessions/2025/2/")
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name="تحميل المحضر (PDF)").click()
        downloaded = tmp_path / "minutes.pdf"
        download.value.save_as(downloaded)
        assert downloaded.read_bytes() == minutes.pdf.open("rb").read()

        assert "أصلي" in uploads_for_verification(visitor, base, downloaded)
        assert TITLE in visitor.locator("main").inner_text()
        screenshots.take(visitor, "verify-result")

        forged = tmp_path / "forged.pdf"
        forged.write_bytes(one_signed_byte_changed(downloaded.read_bytes()))
        assert "معدَّل" in uploads_for_verification(visitor, base, forged)

    # The president's, the rapporteur's and the seal, each valid and trusted, revocation asked by pdfsig
    # itself (it leaves the archival timestamp unverified).
    report = pdf.pdfsig(downloaded.read_bytes(), tmp_path, settings.SIGNING_TRUST_ROOTS)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 3, report
    for field in ("President", "Rapporteur", "Seal"):
        assert f"Signature Field Name: {field}" in report
