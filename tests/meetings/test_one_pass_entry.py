"""A secretary records a held session in one pass: the add page starts from the last session (its kind,
hours, place, chair and recurring agenda items; for a session already held, everyone present), a
resolution names an agenda item of the same page before anything is saved, items and resolutions are
renumbered together, and the minutes go to review from the session's page in one step."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions.models import Resolution
from meetings.models import AgendaItem, Attendance, Membership, Minutes, Session
from tests import factory
from tests.members import a_pdf, admin_form
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/meetings/session/add/"


class Board:
    """A board of nine seats (the president, the rapporteur, six members, the state controller without
    vote) and its June session, two of whose agenda items recur."""

    def __init__(self) -> None:
        self.board = factory.board()
        self.president = factory.seat(self.board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
        self.rapporteur = factory.seat(self.board, Membership.Role.RAPPORTEUR, name_ar="خطار المجاهدي")
        self.members = [factory.seat(self.board, name_ar=f"العضو {n}") for n in range(1, 7)]
        self.controller = factory.seat(self.board, Membership.Role.INVITED, name_ar="المراقب المالي")
        self.june = factory.session(
            self.board,
            datetime.date(2025, 6, 20),
            1,
            place="مقر الوزارة، الرباط",
            place_fr="Siège du ministère, Rabat",
            chair=self.president,
            start_time=datetime.time(10, 0),
            end_time=datetime.time(13, 0),
        )
        factory.agenda_item(self.june, 1, title="المصادقة على محضر الدورة السابقة", recurring=True)
        factory.agenda_item(self.june, 2, title="حصيلة سنة 2024")
        factory.agenda_item(self.june, 3, title="قضايا مختلفة", title_fr="Questions diverses", recurring=True)

    def start_url(self, date: str) -> str:
        return f"{ADD_URL}?from={self.june.pk}&date={date}"


@pytest.fixture
def board() -> Board:
    return Board()


@pytest.fixture
def secretary(client) -> User:
    user = factory.secretariat_user()
    client.force_login(user)
    return user


def test_the_add_page_offers_to_start_from_the_last_session(client, secretary, board):
    page = visible_text(client.get(ADD_URL))

    assert "البدء من الدورة السابقة" in page
    assert "الدورة الأولى برسم سنة 2025" in page


def test_the_add_page_starts_from_the_last_session_held_not_from_one_to_come(client, secretary, board):
    factory.session(board.board, timezone.localdate() + datetime.timedelta(days=20), 1, place="مكان لاحق")
    page = client.get(ADD_URL).content.decode()
    assert f'name="from" value="{board.june.pk}"' in page


def test_starting_from_the_last_session_fills_in_what_carries_over(client, secretary, board):
    form = admin_form(client, board.start_url("2025-12-18"), "session_form")

    assert form["board"] == str(board.board.pk)
    assert form["date"] == "2025-12-18"
    assert (form["place"], form["place_fr"]) == ("مقر الوزارة، الرباط", "Siège du ministère, Rabat")
    assert form["chair"] == str(board.president.pk)
    assert (form["start_time"], form["end_time"]) == ("10:00:00", "13:00:00")
    assert form["ordinal"] == ""  # taken from the date once saved
    agenda = [(form[f"agenda_items-{n}-position"], form[f"agenda_items-{n}-title"]) for n in range(2)]
    assert agenda == [("1", "المصادقة على محضر الدورة السابقة"), ("2", "قضايا مختلفة")]
    assert form["agenda_items-1-title_fr"] == "Questions diverses"
    assert form["agenda_items-TOTAL_FORMS"] == "2"


def test_a_held_session_starts_with_every_seat_present_president_first_controller_last(
    client, secretary, board
):
    form = admin_form(client, board.start_url("2025-12-18"), "session_form")

    rows = int(form["attendances-TOTAL_FORMS"])
    members = [int(form[f"attendances-{n}-member"]) for n in range(rows)]
    assert rows == 9
    assert members[0] == board.president.pk
    assert members[1] == board.rapporteur.pk
    assert members[-1] == board.controller.pk
    assert {form[f"attendances-{n}-status"] for n in range(rows)} == {Attendance.Status.PRESENT}


def test_a_session_to_come_starts_with_no_attendance(client, secretary, board):
    form = admin_form(client, board.start_url("2099-06-18"), "session_form")

    assert form["attendances-TOTAL_FORMS"] == "0"


def test_a_new_session_starts_with_the_boards_seats_present(client, secretary, board):
    form = admin_form(client, ADD_URL, "session_form")
    rows = int(form["attendances-TOTAL_FORMS"])
    assert rows == 9
    members = {form[f"attendances-{n}-member"] for n in range(rows)}
    assert str(board.president.pk) in members and str(board.controller.pk) in members
    assert {form[f"attendances-{n}-status"] for n in range(rows)} == {Attendance.Status.PRESENT}

    # A session just held: saved with its attendance, one member marked excused (one interaction).
    held = {**form, "date": str(timezone.localdate() - datetime.timedelta(days=1)), "kind": "ordinary"}
    held["attendances-1-status"] = Attendance.Status.EXCUSED
    assert client.post(ADD_URL, held).status_code == 302
    session = Session.objects.get(board=board.board, date=timezone.localdate() - datetime.timedelta(days=1))
    assert session.attendances.count() == 9
    assert session.attendances.filter(status=Attendance.Status.EXCUSED).count() == 1


def test_a_session_to_come_added_with_the_prefill_untouched_records_no_attendance(client, secretary, board):
    form = admin_form(client, ADD_URL, "session_form")
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(ADD_URL, {**form, "date": str(day), "kind": "ordinary"}, follow=True)
    assert "يُسجَّل الحضور بعد انعقاد الدورة" in visible_text(response)
    assert Session.objects.get(board=board.board, date=day).attendances.count() == 0


def test_the_whole_session_is_recorded_in_one_submission(client, secretary, board):
    form = admin_form(client, board.start_url("2025-12-18"), "session_form")
    # What the secretary changes: one member excused, one represented; a third agenda item, unnumbered
    # and unsaved, which the second resolution names by the number it will take.
    form["attendances-2-status"] = Attendance.Status.EXCUSED
    form["attendances-3-status"] = Attendance.Status.REPRESENTED
    form["attendances-3-proxy"] = str(board.rapporteur.pk)
    form.update(
        {
            "agenda_items-TOTAL_FORMS": "3",
            "agenda_items-2-title": "مشروع مخطط العمل لسنة 2026",
            "agenda_items-2-deliberation": "صادق المجلس على المخطط.",
            "resolutions-TOTAL_FORMS": "2",
            "resolutions-0-title": "المصادقة على محضر الدورة السابقة",
            "resolutions-0-text": "صادق المجلس على المحضر.",
            "resolutions-0-unanimous": "on",
            "resolutions-0-outcome": "adopted",
            "resolutions-0-agenda_item": "1",
            "resolutions-1-title": "المصادقة على مخطط العمل",
            "resolutions-1-text": "صادق المجلس على مخطط العمل لسنة 2026.",
            "resolutions-1-unanimous": "on",
            "resolutions-1-outcome": "adopted",
            "resolutions-1-agenda_item": "3",
            # A document names the same unsaved item, as the resolutions do.
            "documents-TOTAL_FORMS": "1",
            "documents-0-title": "مشروع مخطط العمل",
            "documents-0-agenda_item": "3",
        }
    )
    upload = SimpleUploadedFile("مخطط.pdf", a_pdf("مشروع مخطط العمل"), content_type="application/pdf")

    response = client.post(board.start_url("2025-12-18"), {**form, "documents-0-file": upload})

    assert response.status_code == 302, visible_text(response)[:2000]
    session = Session.objects.get(board=board.board, date=datetime.date(2025, 12, 18))
    assert session.ordinal == 2  # left empty: the one after June
    assert session.attendances.count() == 9
    assert session.attendances.get(status=Attendance.Status.REPRESENTED).proxy == board.rapporteur
    items = {item.position: item.title for item in session.agenda_items.all()}
    assert items == {
        1: "المصادقة على محضر الدورة السابقة",
        2: "قضايا مختلفة",
        3: "مشروع مخطط العمل لسنة 2026",
    }
    tied = {r.sequence: r.agenda_item.title for r in Resolution.objects.filter(session=session)}
    assert tied == {1: "المصادقة على محضر الدورة السابقة", 2: "مشروع مخطط العمل لسنة 2026"}
    assert session.documents.get().agenda_item.title == "مشروع مخطط العمل لسنة 2026"


def change_url(session: Session) -> str:
    return f"/admin/meetings/session/{session.pk}/change/"


def test_two_agenda_items_swap_places_in_one_submission_and_their_resolutions_follow(
    client, secretary, board
):
    budget = AgendaItem.objects.get(session=board.june, position=2)
    factory.resolution(board.june, 1, agenda_item=budget, title="المصادقة على الحصيلة")
    form = admin_form(client, change_url(board.june), "session_form")
    first, second = (
        next(n for n in range(3) if form[f"agenda_items-{n}-position"] == str(p)) for p in (1, 2)
    )
    # What the page's ▲ does: the two numbers swap, and the resolution's choice follows its item.
    form[f"agenda_items-{first}-position"], form[f"agenda_items-{second}-position"] = "2", "1"
    assert form["resolutions-0-agenda_item"] == "2"
    form["resolutions-0-agenda_item"] = "1"

    response = client.post(change_url(board.june), form)

    assert response.status_code == 302, visible_text(response)[:2000]
    order = list(board.june.agenda_items.order_by("position").values_list("title", flat=True))
    assert order == ["حصيلة سنة 2024", "المصادقة على محضر الدورة السابقة", "قضايا مختلفة"]
    assert Resolution.objects.get(session=board.june).agenda_item == budget


def test_a_resolution_naming_an_item_the_agenda_does_not_have_is_refused(client, secretary, board):
    form = admin_form(client, change_url(board.june), "session_form")
    form.update(
        {
            "resolutions-TOTAL_FORMS": "1",
            "resolutions-0-title": "قرار",
            "resolutions-0-text": "نص",
            "resolutions-0-outcome": "adopted",
            "resolutions-0-agenda_item": "7",
        }
    )

    response = client.post(change_url(board.june), form)

    assert response.status_code == 200
    assert "ليس في جدول أعمال هذه الصفحة بند رقم 7." in visible_text(response)
    assert not Resolution.objects.filter(session=board.june).exists()


def test_the_session_page_sends_a_first_draft_to_review_in_one_step(client, secretary, board):
    page = visible_text(client.get(change_url(board.june)))
    assert "إرسال المحضر للمراجعة" in page

    response = client.post(f"/admin/meetings/minutes/start/{board.june.pk}/", {"then": "review"})

    minutes = Minutes.objects.get(session=board.june)
    assert response.status_code == 302
    assert minutes.state == Minutes.State.IN_REVIEW
    assert list(minutes.transitions.values_list("target", flat=True)) == ["draft", "in_review"]
