"""The secretariat reports on every earlier open resolution at a session, on one screen of the admin."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import FollowUp, Resolution
from meetings.models import Minutes
from tests import factory, pdf
from tests.client import Client
from tests.lifecycle_messages import FROZEN
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

Status = FollowUp.Status
DONE_NOTE = "تم إعداد دفتر التحملات ونشر طلب العروض."


class History:
    """A board's sessions of December 2024, June 2025, December 2025 (the one being prepared) and June 2026,
    their resolutions in every situation, and another board's resolution."""

    def __init__(self) -> None:
        board = factory.board()
        self.earlier = factory.session(board, datetime.date(2024, 12, 19), 2)
        self.june = factory.session(board, datetime.date(2025, 6, 20), 1)
        self.december = factory.session(board, datetime.date(2025, 12, 18), 2)
        later = factory.session(board, datetime.date(2026, 6, 18), 1)
        self.finished = factory.resolution(self.earlier, 1, title="قرار منجز")
        self.lingering = factory.resolution(self.earlier, 2, title="قرار في طور الإنجاز")
        factory.follow_up(self.finished, self.june, Status.DONE)
        factory.follow_up(self.lingering, self.june, Status.IN_PROGRESS)
        self.late = factory.resolution(
            self.june, 1, title="تأهيل مراكز التكوين", due_date=datetime.date(2025, 9, 30)
        )
        self.pending = factory.resolution(self.june, 2, title="إعداد دفتر التحملات")
        factory.resolution(self.june, 3, title="قرار مرفوض", outcome=Resolution.Outcome.REJECTED)
        factory.resolution(self.december, 1, title="قرار الدورة نفسها")
        factory.resolution(later, 1, title="قرار لاحق")
        factory.resolution(factory.session(factory.board(is_home=False)), 1, title="قرار مجلس آخر")

    @property
    def url(self) -> str:
        return f"/admin/meetings/session/{self.december.pk}/follow-up/"

    @property
    def open(self) -> list[Resolution]:
        return [self.lingering, self.late, self.pending]


@pytest.fixture
def history() -> History:
    return History()


@pytest.fixture
def secretary(client) -> User:
    user = factory.secretariat_user()
    client.force_login(user)
    return user


def field(resolution: Resolution, name: str) -> str:
    return f"resolution-{resolution.pk}-{name}"


HIDDEN_INITIAL = re.compile(r'<input type="hidden" name="(initial-resolution-[^"]+)"(?: value="([^"]*)")?')


def report(client, url: str, *rows: tuple[Resolution, str, str], save: str = "_save") -> dict:
    """What a browser posts from the screen as `client` sees it now, with `rows` (resolution, status,
    note) changed by its user: every row, with the values it was shown (Django's hidden initial ones)."""
    page = client.get(url).content.decode()
    seen = {name: html.unescape(value) for name, value in HIDDEN_INITIAL.findall(page)}
    data = {save: "1"} | seen | {name.removeprefix("initial-"): value for name, value in seen.items()}
    for resolution, status, note in rows:
        for name, value in (("status", status), ("note", note)):
            data.setdefault(f"initial-{field(resolution, name)}", "")
            data[field(resolution, name)] = value
    return data


def listed(response) -> list[str]:
    """The resolutions the screen offers to report on, in its order."""
    html = response.content.decode()
    offered = [r for r in Resolution.objects.all() if f'name="{field(r, "status")}"' in html]
    return [r.number for r in sorted(offered, key=lambda r: html.index(field(r, "status")))]


def test_the_screen_lists_the_earlier_resolutions_still_open_oldest_first(client, secretary, history):
    response = client.get(history.url)

    assert response.status_code == 200
    assert listed(response) == ["2024/2/2", "2025/1/1", "2025/1/2"]
    text = visible_text(response)
    assert "قرار منجز" not in text  # done in June
    assert "قرار مرفوض" not in text  # rejected: nothing to carry out
    for elsewhere in ("قرار الدورة نفسها", "قرار لاحق", "قرار مجلس آخر"):
        assert elsewhere not in text


def test_the_screen_marks_what_was_overdue_at_the_session_and_the_last_status(client, secretary, history):
    response = client.get(history.url)
    rows = {resolution.number: row_html(response, resolution) for resolution in history.open}

    assert "متأخر" in rows["2025/1/1"]  # due 30 September 2025
    assert "30 شتنبر 2025" in rows["2025/1/1"]
    assert "متأخر" not in rows["2025/1/2"]
    assert "في طور الإنجاز" in rows["2024/2/2"]  # as reported in June
    assert "لم يتم تتبعه بعد" in rows["2025/1/2"]


def row_html(response, resolution: Resolution) -> str:
    html = response.content.decode()
    start = html.index(f'<tr id="resolution-{resolution.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_statuses_are_recorded_at_the_session_in_one_post(client, secretary, history):
    response = client.post(
        history.url,
        report(
            client,
            history.url,
            (history.late, Status.DONE, DONE_NOTE),
            (history.pending, Status.NOT_STARTED, ""),
            (history.lingering, "", ""),
        ),
    )

    assert response.status_code == 302
    assert response.url == f"/admin/meetings/session/{history.december.pk}/change/"
    recorded = {f.resolution.number: (f.status, f.note) for f in history.december.follow_ups.all()}
    assert recorded == {"2025/1/1": (Status.DONE, DONE_NOTE), "2025/1/2": (Status.NOT_STARTED, "")}
    assert "حُفظ تتبع تنفيذ القرارات السابقة." in visible_text(client.get(response.url))


def test_the_screen_shows_what_was_recorded_and_can_correct_or_remove_it(client, secretary, history):
    factory.follow_up(history.late, history.december, Status.DONE, note=DONE_NOTE)
    factory.follow_up(history.pending, history.december, Status.IN_PROGRESS)

    page = client.get(history.url)
    # A resolution reported done at this session stays on its screen, so the report can be corrected.
    assert listed(page) == ["2024/2/2", "2025/1/1", "2025/1/2"]
    assert '<option value="done" selected>' in row_html(page, history.late)
    assert DONE_NOTE in row_html(page, history.late)

    client.post(
        history.url,
        report(
            client,
            history.url,
            (history.late, Status.IN_PROGRESS, DONE_NOTE),
            (history.pending, "", ""),
            save="_continue",
        ),
    )

    recorded = {f.resolution.number: f.status for f in history.december.follow_ups.all()}
    # 2024/2/2 was offered as June left it and let stand: reported so.
    assert recorded == {"2024/2/2": Status.IN_PROGRESS, "2025/1/1": Status.IN_PROGRESS}


def test_each_row_starts_from_the_last_status_and_is_reported_so_when_left(client, secretary, history):
    page = client.get(history.url)

    assert '<option value="in_progress" selected>' in row_html(page, history.lingering)  # June's status
    assert '<option value="" selected>' in row_html(page, history.pending)  # never reported

    client.post(history.url, report(client, history.url, (history.late, Status.DONE, DONE_NOTE)))

    recorded = {f.resolution.number: f.status for f in history.december.follow_ups.all()}
    assert recorded == {"2024/2/2": Status.IN_PROGRESS, "2025/1/1": Status.DONE}


def test_a_row_offered_as_last_reported_does_not_undo_what_another_secretary_saved_meanwhile(
    client, secretary, history
):
    seen = report(client, history.url, (history.late, Status.DONE, ""))
    factory.follow_up(history.lingering, history.december, Status.DONE, note="سجلته كاتبة أخرى")

    client.post(history.url, seen)

    kept = history.december.follow_ups.get(resolution=history.lingering)
    assert (kept.status, kept.note) == (Status.DONE, "سجلته كاتبة أخرى")


def test_a_french_note_is_kept_beside_the_arabic(client, secretary, history):
    data = report(client, history.url, (history.late, Status.DONE, DONE_NOTE))
    data[field(history.late, "note_fr")] = "Cahier des charges établi, appel d'offres publié."

    client.post(history.url, data)

    follow_up = history.december.follow_ups.get(resolution=history.late)
    assert (follow_up.note, follow_up.note_fr) == (
        DONE_NOTE,
        "Cahier des charges établi, appel d'offres publié.",
    )


def test_a_note_without_a_status_is_refused_and_nothing_is_lost(client, secretary, history):
    response = client.post(
        history.url,
        report(
            client,
            history.url,
            (history.late, Status.DONE, DONE_NOTE),
            (history.pending, "", "ملاحظة بدون وضعية"),
        ),
    )

    assert response.status_code == 200
    text = visible_text(response)
    assert "اختر وضعية لهذه الملاحظة أو امسح الملاحظة." in text
    assert "ملاحظة بدون وضعية" in response.content.decode()  # kept in the form
    assert DONE_NOTE in response.content.decode()
    assert not history.december.follow_ups.exists()  # all or nothing


def test_a_post_for_a_resolution_not_offered_is_ignored(client, secretary, history):
    response = client.post(
        history.url, report(client, history.url, (history.finished, Status.IN_PROGRESS, "محاولة"))
    )

    assert response.status_code == 302
    assert not history.december.follow_ups.filter(resolution=history.finished).exists()
    assert history.finished.follow_ups.get().status == Status.DONE  # as June reported it


def test_once_the_minutes_are_signed_the_screen_is_read_only(client, secretary, history):
    factory.follow_up(history.late, history.december, Status.DONE, note=DONE_NOTE)
    factory.minutes_at(history.december, Minutes.State.SIGNED)

    page = client.get(history.url)
    refused = client.post(history.url, report(client, history.url, (history.late, Status.CANCELLED, "")))

    assert page.status_code == 200
    assert listed(page) == []
    assert DONE_NOTE in visible_text(page)
    assert FROZEN in visible_text(page)
    assert refused.status_code == 403
    assert history.december.follow_ups.get().status == Status.DONE


def test_a_member_without_admin_rights_cannot_open_the_screen(client, history):
    member = factory.user_for(factory.member())
    client.force_login(member)

    response = client.get(history.url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_without_the_permission_is_refused(client, history):
    client.force_login(User.objects.create_user("clerk", password="x-pass-123", is_staff=True))

    assert client.get(history.url).status_code == 403


def test_an_unknown_session_is_not_found(client, secretary):
    assert client.get("/admin/meetings/session/999999/follow-up/").status_code == 404


def test_the_session_page_links_to_the_screen_with_the_number_open(client, secretary, history):
    response = client.get(f"/admin/meetings/session/{history.december.pk}/change/")

    assert f'href="{history.url}"' in response.content.decode()
    assert "تتبع 3 قرارات سابقة" in visible_text(response)


def test_the_screen_makes_the_same_number_of_queries_whatever_the_number_open(client, secretary, history):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(history.url).status_code == 200
        return len(captured)

    few = queries()
    for sequence in range(4, 24):
        resolution = factory.resolution(history.june, sequence, title=f"قرار رقم {sequence}")
        factory.follow_up(resolution, history.december, Status.IN_PROGRESS)

    assert queries() == few


def test_what_is_recorded_on_the_screen_is_in_the_sessions_minutes(client, secretary, history):
    client.post(history.url, report(client, history.url, (history.late, Status.DONE, DONE_NOTE)))

    preview = factory.draft_pdf(history.december)

    text = pdf.normalized(pdf.text(preview))
    assert pdf.normalized("تتبع تنفيذ القرارات") in text
    assert pdf.normalized("تأهيل مراكز التكوين") in text
    assert pdf.normalized(DONE_NOTE) in text


def test_a_resolution_reported_past_its_due_date_is_marked_overdue_in_the_minutes(client, secretary, history):
    client.post(
        history.url,
        report(
            client,
            history.url,
            (history.late, Status.IN_PROGRESS, ""),
            (history.lingering, Status.IN_PROGRESS, ""),
        ),
    )

    preview = factory.draft_pdf(history.december)

    text = pdf.normalized(pdf.text(preview))
    assert text.count(pdf.normalized("متأخر عن أجل")) == 1  # the resolution without a due date is not
    assert pdf.normalized("متأخر عن أجل 30 شتنبر 2025") in text


def test_the_published_session_page_marks_the_overdue_follow_up_and_not_the_done_one(client, history):
    factory.follow_up(history.late, history.december, Status.IN_PROGRESS)
    factory.follow_up(history.pending, history.december, Status.DONE)
    history.pending.due_date = datetime.date(2025, 7, 31)
    history.pending.save()
    factory.publish(history.december)

    page = visible_text(client.get("/sessions/2025/2/"))

    assert page.count("متأخر عن أجل") == 1
    assert "متأخر عن أجل 30 شتنبر 2025" in page


def test_the_minutes_list_the_follow_ups_in_the_order_of_the_resolutions_numbers(client, secretary, history):
    for resolution in (history.pending, history.late, history.lingering):  # recorded in that order
        factory.follow_up(resolution, history.december)

    preview = factory.draft_pdf(history.december)

    text = pdf.normalized(pdf.text(preview))
    positions = [text.index(number) for number in ("2024/2/2", "2025/1/1", "2025/1/2")]
    assert positions == sorted(positions)


def test_a_page_loaded_before_another_secretarys_save_does_not_undo_it(client, secretary, history):
    stale = report(client, history.url, (history.pending, Status.NOT_STARTED, ""))
    other = Client()
    other.force_login(factory.secretariat_user("second"))
    other.post(history.url, report(other, history.url, (history.late, Status.DONE, DONE_NOTE)))

    client.post(history.url, stale)

    recorded = {f.resolution.number: f.status for f in history.december.follow_ups.all()}
    assert recorded == {
        "2024/2/2": Status.IN_PROGRESS,  # as last reported, by both
        "2025/1/1": Status.DONE,
        "2025/1/2": Status.NOT_STARTED,
    }


def test_two_first_reports_of_the_same_resolution_make_one_follow_up(client, secretary, history):
    stale = report(client, history.url, (history.late, Status.DONE, DONE_NOTE))
    other = Client()
    other.force_login(factory.secretariat_user("second"))
    other.post(history.url, report(other, history.url, (history.late, Status.IN_PROGRESS, "")))

    response = client.post(history.url, stale)

    assert response.status_code == 302
    reported = history.december.follow_ups.filter(resolution=history.late)
    assert [(f.status, f.note) for f in reported] == [(Status.DONE, DONE_NOTE)]


def test_rows_missing_from_a_post_are_left_as_recorded(client, secretary, history):
    factory.follow_up(history.late, history.december, Status.DONE, note=DONE_NOTE)
    factory.follow_up(history.pending, history.december, Status.IN_PROGRESS)
    data = report(client, history.url, (history.lingering, Status.IN_PROGRESS, ""))
    cut_short = {key: value for key, value in data.items() if str(history.late.pk) not in key}

    response = client.post(history.url, cut_short)

    assert response.status_code == 302
    recorded = {f.resolution.number: f.status for f in history.december.follow_ups.all()}
    assert recorded == {
        "2024/2/2": Status.IN_PROGRESS,
        "2025/1/1": Status.DONE,
        "2025/1/2": Status.IN_PROGRESS,
    }


def test_a_status_that_is_not_a_choice_is_refused_with_a_message(client, secretary, history):
    response = client.post(history.url, report(client, history.url, (history.late, "finished", "")))

    assert response.status_code == 200
    assert "انتق خياراً صحيحاً. finished ليس أحد الخيارات المتاحة." in row_html(response, history.late)
    assert not history.december.follow_ups.exists()


def test_a_user_who_may_only_view_reads_the_screen_and_cannot_post(client, history):
    viewer = User.objects.create_user("viewer", password="v1ewer-pass!", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_session", "view_followup", "view_resolution"])
    )
    factory.follow_up(history.late, history.december, Status.DONE, note=DONE_NOTE)
    client.force_login(viewer)

    page = client.get(history.url)
    refused = client.post(history.url, report(client, history.url, (history.late, Status.CANCELLED, "")))

    assert page.status_code == 200
    assert listed(page) == []  # no field to change
    assert DONE_NOTE in visible_text(page)
    assert refused.status_code == 403
    assert history.december.follow_ups.get().status == Status.DONE


def test_a_report_whose_resolution_changed_since_stays_on_the_screen_to_be_removed(
    client, secretary, history
):
    factory.follow_up(history.late, history.december, Status.IN_PROGRESS)
    history.late.outcome = Resolution.Outcome.DEFERRED  # corrected in the June record after the report
    history.late.save()

    page = client.get(history.url)
    assert "2025/1/1" in listed(page)

    client.post(history.url, report(client, history.url, (history.late, "", "")))

    assert not history.december.follow_ups.filter(resolution=history.late).exists()


def test_a_board_with_hundreds_of_open_resolutions_saves_them_on_one_screen(client, secretary, history):
    many = [
        factory.resolution(history.june, sequence, title=f"قرار رقم {sequence}") for sequence in range(4, 404)
    ]

    response = client.post(
        history.url, report(client, history.url, *[(r, Status.IN_PROGRESS, "") for r in many])
    )

    assert response.status_code == 302
    assert history.december.follow_ups.count() == 401  # and 2024/2/2, left as last reported
