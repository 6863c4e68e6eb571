"""The rules of sessions and attendance, checked by full_clean() and, where it can, by the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings.models import Attendance, Board, Membership, Session
from tests import factory

pytestmark = pytest.mark.django_db

PRESENT = Attendance.Status.PRESENT
REPRESENTED = Attendance.Status.REPRESENTED
EXCUSED = Attendance.Status.EXCUSED


def clean_errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    return caught.value.message_dict


# One session per board, year and ordinal


def test_a_board_cannot_hold_two_sessions_with_the_same_number_in_a_year():
    board = factory.board()
    factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    second = Session(board=board, date=datetime.date(2025, 6, 20), ordinal=2)
    assert clean_errors(second) == {"__all__": ["للمجلس دورة تحمل هذا الرقم في هذه السنة."]}


def test_the_session_number_is_checked_even_when_a_form_leaves_the_year_out():
    board = factory.board()
    factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    second = Session(board=board, date=datetime.date(2025, 6, 20), ordinal=2)
    with pytest.raises(ValidationError) as caught:
        second.full_clean(exclude={"year"})
    assert caught.value.message_dict == {"__all__": ["للمجلس دورة تحمل هذا الرقم في هذه السنة."]}


def test_the_session_year_is_taken_from_its_date_not_from_a_stale_value():
    board = factory.board()
    factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    second = Session(board=board, date=datetime.date(2025, 6, 20), ordinal=2, year=2024)
    assert clean_errors(second) == {"__all__": ["للمجلس دورة تحمل هذا الرقم في هذه السنة."]}


def test_the_database_refuses_two_sessions_with_the_same_number_in_a_year():
    board = factory.board()
    factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.session(board, date=datetime.date(2025, 6, 20), ordinal=2)


def test_the_same_session_number_is_free_in_another_year():
    board = factory.board()
    factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    Session(board=board, date=datetime.date(2026, 12, 17), ordinal=2).full_clean()


def test_the_same_session_number_is_free_on_another_board():
    factory.session(factory.board(), date=datetime.date(2025, 12, 18), ordinal=2)
    other = factory.board(is_home=False)
    Session(board=other, date=datetime.date(2025, 12, 18), ordinal=2).full_clean()


def test_a_session_number_starts_at_one():
    session = Session(board=factory.board(), date=datetime.date(2025, 12, 18), ordinal=0)
    assert clean_errors(session) == {"__all__": ["يبدأ ترقيم الدورات من 1."]}


def test_the_database_refuses_a_session_numbered_zero():
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.session(factory.board(), ordinal=0)


# Session times


def test_a_session_cannot_end_before_it_starts():
    session = Session(
        board=factory.board(),
        date=datetime.date(2025, 12, 18),
        ordinal=2,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(9, 30),
    )
    assert clean_errors(session) == {"__all__": ["لا يمكن أن تُختتم الدورة قبل افتتاحها."]}


def test_the_database_refuses_a_session_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.session(factory.board(), start_time=datetime.time(10, 0), end_time=datetime.time(9, 30))


# Terms and boards


def test_a_term_cannot_end_before_it_starts():
    membership = Membership(
        board=factory.board(),
        member=factory.member(),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2024, 12, 31),
    )
    assert clean_errors(membership) == {"__all__": ["لا يمكن أن تنتهي العضوية قبل بدايتها."]}


def test_the_database_refuses_a_term_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.seat(factory.board(), start=datetime.date(2025, 1, 1), end=datetime.date(2024, 12, 31))


def test_only_one_board_is_shown_on_the_public_site():
    factory.board(is_home=True)
    second = Board(name_ar="مجلس آخر", is_home=True)
    assert clean_errors(second) == {"__all__": ["مجلس آخر معروض من قبل في الموقع العمومي."]}


def test_the_database_refuses_a_second_board_on_the_public_site():
    factory.board(is_home=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.board(is_home=True)


def test_the_board_on_the_public_site_can_be_saved_again():
    board = factory.board(is_home=True)
    board.full_clean()


def test_a_quorum_share_cannot_exceed_one_hundred_percent():
    board = Board(name_ar="مجلس", quorum_percent=101)
    assert clean_errors(board) == {"__all__": ["لا يمكن أن تتجاوز نسبة النصاب 100%."]}


def test_the_database_refuses_a_quorum_share_above_one_hundred_percent():
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.board(quorum_percent=101)


# Attendance


def test_a_member_attends_a_session_once():
    board = factory.board()
    session = factory.session(board)
    person = factory.seat(board)
    factory.attend(session, person)
    again = Attendance(session=session, member=person, status=EXCUSED)
    assert clean_errors(again) == {"__all__": ["حضور هذا العضو مسجل من قبل في هذه الدورة."]}


def test_the_database_refuses_a_second_attendance_of_a_member():
    board = factory.board()
    session = factory.session(board)
    person = factory.seat(board)
    factory.attend(session, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.attend(session, person, status=EXCUSED)


def test_a_represented_member_needs_a_proxy_holder():
    board = factory.board()
    attendance = Attendance(session=factory.session(board), member=factory.seat(board), status=REPRESENTED)
    assert clean_errors(attendance) == {
        "__all__": ["يجب تحديد العضو الحامل للتوكيل بالنسبة للعضو الممثَّل بالنيابة، ولا يُحدَّد لغيره."]
    }


def test_a_member_who_is_not_represented_has_no_proxy_holder():
    board = factory.board()
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder)
    attendance = Attendance(session=session, member=factory.seat(board), status=EXCUSED, proxy=holder)
    assert clean_errors(attendance) == {
        "__all__": ["يجب تحديد العضو الحامل للتوكيل بالنسبة للعضو الممثَّل بالنيابة، ولا يُحدَّد لغيره."]
    }


def test_the_database_refuses_a_represented_member_without_a_proxy_holder():
    board = factory.board()
    session = factory.session(board)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.attend(session, factory.seat(board), status=REPRESENTED)


def test_the_database_refuses_a_proxy_holder_for_a_member_who_is_not_represented():
    board = factory.board()
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.attend(session, factory.seat(board), status=EXCUSED, proxy=holder)


def test_a_member_cannot_hold_their_own_proxy():
    board = factory.board()
    person = factory.seat(board)
    attendance = Attendance(session=factory.session(board), member=person, status=REPRESENTED, proxy=person)
    assert clean_errors(attendance) == {"__all__": ["لا يمكن للعضو أن ينوب عن نفسه."]}


def test_the_database_refuses_a_member_holding_their_own_proxy():
    board = factory.board()
    person = factory.seat(board)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.attend(factory.session(board), person, status=REPRESENTED, proxy=person)


def test_the_proxy_holder_must_be_present():
    board = factory.board()
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder, status=EXCUSED)
    attendance = Attendance(session=session, member=factory.seat(board), status=REPRESENTED, proxy=holder)
    assert clean_errors(attendance) == {"proxy": ["يجب أن يكون حامل التوكيل حاضرا في الدورة."]}


@pytest.mark.parametrize("limit", [1, 2])
def test_a_member_holds_no_more_proxies_than_the_board_allows(limit):
    board = factory.board(max_proxies=limit)
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder)
    for _ in range(limit):
        factory.attend(session, factory.seat(board), status=REPRESENTED, proxy=holder)
    one_more = Attendance(session=session, member=factory.seat(board), status=REPRESENTED, proxy=holder)
    assert clean_errors(one_more) == {"proxy": [f"يحمل هذا العضو من قبل عدد التوكيلات المسموح به ({limit})."]}


def test_a_member_may_hold_a_second_proxy_when_the_board_allows_two():
    board = factory.board(max_proxies=2)
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder)
    factory.attend(session, factory.seat(board), status=REPRESENTED, proxy=holder)
    Attendance(session=session, member=factory.seat(board), status=REPRESENTED, proxy=holder).full_clean()


def test_a_person_without_a_seat_on_the_board_cannot_attend():
    session = factory.session(factory.board())
    attendance = Attendance(session=session, member=factory.member(), status=PRESENT)
    assert clean_errors(attendance) == {"member": ["هذا الشخص ليس عضوا في المجلس في تاريخ الدورة."]}


def test_a_member_whose_term_ended_before_the_session_cannot_attend():
    board = factory.board()
    session = factory.session(board, date=datetime.date(2025, 12, 18))
    former = factory.seat(board, end=datetime.date(2025, 6, 30))
    attendance = Attendance(session=session, member=former, status=PRESENT)
    assert clean_errors(attendance) == {"member": ["هذا الشخص ليس عضوا في المجلس في تاريخ الدورة."]}


def test_a_member_whose_term_starts_after_the_session_cannot_attend():
    board = factory.board()
    session = factory.session(board, date=datetime.date(2025, 12, 18))
    newcomer = factory.seat(board, start=datetime.date(2026, 1, 1))
    attendance = Attendance(session=session, member=newcomer, status=PRESENT)
    assert clean_errors(attendance) == {"member": ["هذا الشخص ليس عضوا في المجلس في تاريخ الدورة."]}


def test_a_seat_on_another_board_does_not_let_a_member_attend():
    session = factory.session(factory.board())
    outsider = factory.seat(factory.board(is_home=False))
    attendance = Attendance(session=session, member=outsider, status=PRESENT)
    assert clean_errors(attendance) == {"member": ["هذا الشخص ليس عضوا في المجلس في تاريخ الدورة."]}
