"""A session of the board from its entry to a French reader, in a real browser: the secretariat enters the
whole session in one pass and sends it to review (four submissions); a member reads the draft on a phone
and comments on an item; the secretariat answers; the president and the rapporteur approve, confirming
what they approve; the secretariat signs and publishes; a French visitor finds the session, reads the
texts entered in French, switches to Arabic, downloads the signed PDF and checks it."""

import datetime
import json
import re

import pytest

from decisions.models import Resolution
from meetings.models import Comment, Membership, Minutes, Session
from tests import factory
from tests.e2e.accessibility import sideways_overflow, violations
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
TITLE_FR = "Deuxième session de l’année 2025"
PLAN = {"ar": "مشروع مخطط عمل المؤسسة برسم سنة 2026", "fr": "Projet de plan d’action pour 2026"}
DELIBERATION = "ناقش أعضاء المجلس المحاور الاستراتيجية الثلاثة لمخطط العمل."
ADOPTION = {
    "ar": "المصادقة على مخطط عمل سنة 2026",
    "fr": "Approbation du plan d’action 2026",
    "text": "صادق المجلس الإداري بالإجماع على مخطط عمل المؤسسة برسم سنة 2026.",
    "text_fr": "Le conseil d’administration approuve à l’unanimité le plan d’action 2026.",
}
COMMENT = "يرجى ذكر المحاور الثلاثة بأسمائها في نص المداولات."
REPLY = "أضيفت أسماء المحاور إلى نص المداولات."


class Desk:
    """The secretary's page, counting what she does: form submissions, and interactions (a field typed
    in, a choice made, a box ticked, a button or link clicked)."""

    def __init__(self, page) -> None:
        self.page = page
        self.submissions = 0
        self.interactions = 0

    def fill(self, selector: str, value: str) -> None:
        self.interactions += 1
        self.page.fill(selector, value)

    def choose(self, selector: str, **option) -> None:
        self.interactions += 1
        self.page.select_option(selector, **option)

    def tick(self, selector: str) -> None:
        self.interactions += 1
        self.page.check(selector)

    def click(self, locator) -> None:
        self.interactions += 1
        locator.click()

    def submit(self, locator) -> None:
        self.submissions += 1
        self.interactions += 1
        with self.page.expect_navigation():
            locator.click()
        assert not self.page.locator(".errornote, .errorlist").count(), self.page.locator(
            "#content"
        ).inner_text()


def the_board():
    """Nine seats, three with accounts, and the June session the new one starts from: its place (with its
    French version), its chair, its hours and two recurring agenda items; one of its resolutions is open."""
    board = factory.board()
    president = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_ar="خطار المجاهدي")
    members = [factory.seat(board, name_ar=name) for name in ("أمينة الإدريسي", "عبد الجبار الرشيدي")]
    members += [factory.seat(board, name_ar=f"ممثل القطاع {n}") for n in range(1, 5)]
    factory.seat(board, Membership.Role.INVITED, name_ar="المراقب المالي للدولة")
    june = factory.session(
        board,
        datetime.date(2025, 6, 20),
        1,
        chair=president,
        place="مقر وزارة التضامن، الرباط",
        place_fr="Siège du ministère de la Solidarité, Rabat",
        start_time=datetime.time(15, 0),
        end_time=datetime.time(18, 0),
    )
    factory.agenda_item(
        june,
        1,
        title="المصادقة على محضر الدورة السابقة",
        title_fr="Approbation du procès-verbal",
        recurring=True,
    )
    factory.agenda_item(june, 2, title="قضايا مختلفة", title_fr="Questions diverses", recurring=True)
    factory.resolution(june, 1, title="رقمنة سجل المستفيدين", due_date=datetime.date(2025, 12, 31))
    return {
        "secretary": factory.secretariat_user(password=SECRETARY_PASSWORD),
        "president": factory.user_for(president),
        "rapporteur": factory.user_for(rapporteur),
        "member": factory.user_for(members[0]),
    }


def enters_the_session_in_one_pass(desk: Desk, base: str) -> None:
    page = desk.page
    page.goto(f"{base}/admin/meetings/session/add/")
    desk.fill("#start-from-date", "2025-12-18")
    desk.submit(page.get_by_role("button", name="ابدأ"))

    # Everyone came but one member, excused.
    excused = page.locator("#attendances-group tbody tr", has_text="عبد الجبار الرشيدي").locator(
        "select[name$='-status']"
    )
    desk.click(excused)
    excused.select_option("excused")

    # A third agenda item, moved up to second place, between the two recurring ones.
    desk.click(page.locator("#agenda_items-group .add-row a"))
    desk.fill("#id_agenda_items-2-title", PLAN["ar"])
    desk.fill("#id_agenda_items-2-title_fr", PLAN["fr"])
    desk.fill("#id_agenda_items-2-deliberation", DELIBERATION)
    desk.click(page.locator("#agenda_items-2 .move-up"))

    # Two resolutions, each naming its item, the new one included, before anything is saved.
    desk.click(page.locator("#resolutions-group .add-row a"))
    desk.fill("#id_resolutions-0-title", ADOPTION["ar"])
    desk.fill("#id_resolutions-0-title_fr", ADOPTION["fr"])
    desk.fill("#id_resolutions-0-text", ADOPTION["text"])
    desk.fill("#id_resolutions-0-text_fr", ADOPTION["text_fr"])
    desk.choose("#id_resolutions-0-agenda_item", label=f"2. {PLAN['ar']}")
    desk.tick("#id_resolutions-0-unanimous")
    desk.click(page.locator("#resolutions-group .add-row a"))
    desk.fill("#id_resolutions-1-title", "المصادقة على محضر الدورة السابقة")
    desk.fill("#id_resolutions-1-text", "صادق المجلس على محضر دورة 20 يونيو 2025.")
    desk.choose("#id_resolutions-1-agenda_item", label="1. المصادقة على محضر الدورة السابقة")
    desk.tick("#id_resolutions-1-unanimous")
    desk.submit(page.locator("input[name=_continue]"))

    # The follow-up of June's open resolution, from the session's page.
    desk.click(page.get_by_role("link", name=re.compile("تتبع قرار سابق")))
    desk.choose("select[name$='-status']", value="in_progress")
    desk.submit(page.locator("input[name=_save]"))

    desk.submit(page.get_by_role("button", name="إرسال المحضر للمراجعة"))


def test_a_session_from_its_entry_to_a_french_reader(
    live_server, chromium_browser, browser_page, screenshots, tmp_path
):
    base = live_server.url
    people = the_board()
    seen: dict[str, list[str]] = {}

    def looks_right(page, name: str) -> None:
        """The page breaks no WCAG 2.2 AA rule and does not scroll sideways; kept as a screenshot."""
        problems = violations(page) + (
            [f"scrolls sideways by {sideways_overflow(page)} px"] if sideways_overflow(page) else []
        )
        if problems:
            seen[name] = problems
        screenshots.take(page, name)

    # The secretariat enters the session and sends it to review.
    desk = Desk(browser_page)
    secretary_signs_in(browser_page, base, people["secretary"].username)
    enters_the_session_in_one_pass(desk, base)
    session = Session.objects.get(year=2025, ordinal=2)
    minutes = session.minutes_versions.get()
    assert minutes.state == Minutes.State.IN_REVIEW
    assert session.attendances.count() == 9
    assert session.attendances.get(member__name_ar="عبد الجبار الرشيدي").status == "excused"
    assert [(i.position, i.title) for i in session.agenda_items.order_by("position")] == [
        (1, "المصادقة على محضر الدورة السابقة"),
        (2, PLAN["ar"]),
        (3, "قضايا مختلفة"),
    ]
    tied = {r.title: r.agenda_item.position for r in Resolution.objects.filter(session=session)}
    assert tied == {ADOPTION["ar"]: 2, "المصادقة على محضر الدورة السابقة": 1}
    assert session.follow_ups.get().status == "in_progress"
    assert desk.submissions == 4
    screenshots.take(browser_page, "secretariat-sent-to-review")
    (screenshots.folder / "session-entry.json").write_text(
        json.dumps({"submissions": desk.submissions, "interactions": desk.interactions})
    )

    # A member reads the draft on a phone and comments on the new item.
    with new_page(
        chromium_browser, width=390, last=(screenshots, "member-on-phone"), bypass_csp=True
    ) as phone:
        member_signs_in(phone, base, people["member"].username)
        phone.get_by_role("link", name=TITLE).click()
        phone.wait_for_selector("h1")
        assert DELIBERATION in phone.locator("main").inner_text()
        phone.select_option("#id_agenda_item", label=f"2. {PLAN['ar']}")
        phone.fill("#id_text", COMMENT)
        phone.get_by_role("button", name="إرسال الملاحظة").click()
        phone.wait_for_selector(".alert-success")
        looks_right(phone, "member-commented-on-phone")

    # The secretariat answers it.
    with new_page(chromium_browser) as office:
        secretary_signs_in(office, base, people["secretary"].username)
        office.goto(f"{base}/admin/meetings/minutes/{minutes.pk}/change/")
        office.select_option("#id_comments-0-status", "taken")
        office.fill("#id_comments-0-reply", REPLY)
        office.click("input[name=_save]")
        office.wait_for_selector(".messagelist .success")
    assert Comment.objects.get().reply == REPLY

    # The president and the rapporteur approve, each confirming the version and the session.
    for approver in ("president", "rapporteur"):
        with new_page(chromium_browser) as own:
            approves(own, base, people[approver].username, TITLE)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.APPROVED

    # The secretariat signs, then publishes.
    with new_page(chromium_browser, last=(screenshots, "minutes-published")) as office:
        secretary_signs_in(office, base, people["secretary"].username)
        office.goto(f"{base}/admin/meetings/minutes/{minutes.pk}/change/")
        signs_the_minutes(office)
        lifecycle_button(office, "نشر")
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.PUBLISHED

    # A French visitor finds the session, reads it in French, then in Arabic, and checks the PDF.
    with new_page(
        chromium_browser, locale="fr-FR", last=(screenshots, "visitor-verified"), bypass_csp=True
    ) as visitor:
        visitor.goto(f"{base}/fr/")
        visitor.get_by_role("link", name=TITLE_FR).click()
        visitor.wait_for_selector("h1")
        page_text = visitor.locator("main").inner_text()
        for french in (
            "Siège du ministère de la Solidarité, Rabat",
            PLAN["fr"],
            ADOPTION["fr"],
            ADOPTION["text_fr"],
        ):
            assert french in page_text
        assert ADOPTION["ar"] not in page_text
        deliberation = visitor.locator(".deliberation", has_text=DELIBERATION)
        assert (deliberation.get_attribute("lang"), deliberation.get_attribute("dir")) == ("ar", "rtl")
        assert "Ce texte n’existe qu’en arabe." in page_text
        assert "original en arabe" in visitor.get_by_role("link", name=re.compile("Télécharger")).inner_text()
        looks_right(visitor, "french-visitor-session")

        visitor.locator("a.lang-switch[lang=ar]").click()
        visitor.wait_for_url(f"{base}/sessions/2025/2/")
        assert ADOPTION["ar"] in visitor.locator("main").inner_text()
        looks_right(visitor, "visitor-in-arabic")
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name="تحميل المحضر (PDF)").click()
        downloaded = tmp_path / "minutes.pdf"
        download.value.save_as(downloaded)
        assert downloaded.read_bytes() == minutes.pdf.open("rb").read()
        assert "أصلي" in uploads_for_verification(visitor, base, downloaded)

    assert seen == {}
