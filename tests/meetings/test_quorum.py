"""Who counts toward a session's quorum, and when it is reached."""

import datetime

import pytest

from meetings.models import Attendance, Board, Member, Membership, Quorum
from tests import factory

pytestmark = pytest.mark.django_db

PRESENT = Attendance.Status.PRESENT
REPRESENTED = Attendance.Status.REPRESENTED
EXCUSED = Attendance.Status.EXCUSED
ABSENT = Attendance.Status.ABSENT


def seats(board: Board, count: int, **fields) -> list[Member]:
    return [factory.seat(board, **fields) for _ in range(count)]


def test_all_voting_members_present_are_counted():
    board = factory.board()
    session = factory.session(board)
    for person in seats(board, 5):
        factory.attend(session, person)
    assert session.quorum() == Quorum(voting_members=5, present=5, represented=0, required=3)


def test_a_represented_member_counts_once_through_a_present_holder():
    board = factory.board()
    session = factory.session(board)
    holder, represented = seats(board, 2)
    factory.attend(session, holder)
    factory.attend(session, represented, status=REPRESENTED, proxy=holder)
    quorum = session.quorum()
    assert (quorum.present, quorum.represented, quorum.counted) == (1, 1, 2)


@pytest.mark.parametrize("holder_status", [EXCUSED, ABSENT])
def test_a_proxy_held_by_a_member_who_is_not_present_does_not_count(holder_status):
    board = factory.board()
    session = factory.session(board)
    holder, represented = seats(board, 2)
    factory.attend(session, holder, status=holder_status)
    factory.attend(session, represented, status=REPRESENTED, proxy=holder)
    assert session.quorum().counted == 0


def test_a_proxy_held_by_a_member_whose_attendance_is_not_recorded_does_not_count():
    board = factory.board()
    session = factory.session(board)
    holder, represented = seats(board, 2)
    factory.attend(session, represented, status=REPRESENTED, proxy=holder)
    assert session.quorum().counted == 0


@pytest.mark.parametrize("limit", [1, 2])
def test_proxies_beyond_the_board_limit_do_not_count(limit):
    board = factory.board(max_proxies=limit)
    session = factory.session(board)
    holder = factory.seat(board)
    factory.attend(session, holder)
    for person in seats(board, limit + 1):
        factory.attend(session, person, status=REPRESENTED, proxy=holder)
    assert session.quorum().represented == limit


def test_the_proxy_limit_applies_to_each_holder():
    board = factory.board(max_proxies=1)
    session = factory.session(board)
    first_holder, second_holder, first_absent, second_absent = seats(board, 4)
    factory.attend(session, first_holder)
    factory.attend(session, second_holder)
    factory.attend(session, first_absent, status=REPRESENTED, proxy=first_holder)
    factory.attend(session, second_absent, status=REPRESENTED, proxy=second_holder)
    assert session.quorum().represented == 2


@pytest.mark.parametrize("status", [EXCUSED, ABSENT])
def test_excused_and_absent_members_do_not_count(status):
    board = factory.board()
    session = factory.session(board)
    present, missing = seats(board, 2)
    factory.attend(session, present)
    factory.attend(session, missing, status=status)
    quorum = session.quorum()
    assert (quorum.voting_members, quorum.counted) == (2, 1)


def test_an_invited_member_counts_neither_in_the_total_nor_as_present():
    board = factory.board()
    session = factory.session(board)
    factory.attend(session, factory.seat(board))
    factory.attend(session, factory.seat(board, role=Membership.Role.INVITED))
    quorum = session.quorum()
    assert (quorum.voting_members, quorum.present) == (1, 1)


def test_a_proxy_held_by_an_invited_member_does_not_count():
    board = factory.board()
    session = factory.session(board)
    guest = factory.seat(board, role=Membership.Role.INVITED)
    factory.attend(session, guest)
    factory.attend(session, factory.seat(board), status=REPRESENTED, proxy=guest)
    quorum = session.quorum()
    assert (quorum.voting_members, quorum.counted) == (1, 0)


def test_a_member_whose_term_ended_before_the_session_is_not_counted():
    board = factory.board()
    session = factory.session(board, date=datetime.date(2025, 12, 18))
    factory.attend(session, factory.seat(board))
    factory.attend(session, factory.seat(board, end=datetime.date(2025, 6, 30)))
    quorum = session.quorum()
    assert (quorum.voting_members, quorum.present) == (1, 1)


def test_a_member_whose_term_ends_on_the_session_date_is_counted():
    board = factory.board()
    session = factory.session(board, date=datetime.date(2025, 12, 18))
    factory.attend(session, factory.seat(board, end=datetime.date(2025, 12, 18)))
    quorum = session.quorum()
    assert (quorum.voting_members, quorum.present) == (1, 1)


def test_members_of_another_board_are_not_counted():
    board = factory.board()
    session = factory.session(board)
    factory.attend(session, factory.seat(board))
    factory.seat(factory.board(is_home=False))
    assert session.quorum().voting_members == 1


@pytest.mark.parametrize(
    ("voting", "percent", "required"),
    [(4, 50, 3), (5, 50, 3), (10, 60, 7), (7, 33, 3), (9, 66, 6), (12, 75, 10)],
)
def test_the_quorum_requires_more_than_the_board_share_of_voting_members(voting, percent, required):
    board = factory.board(quorum_percent=percent)
    session = factory.session(board)
    seats(board, voting)
    assert session.quorum().required == required


def test_a_quorum_of_100_percent_requires_every_voting_member_and_is_reachable():
    board = factory.board(quorum_percent=100)
    session = factory.session(board)
    for member in seats(board, 3):
        factory.attend(session, member)
    quorum = session.quorum()
    assert (quorum.counted, quorum.required, quorum.reached) == (3, 3, True)


def test_the_quorum_is_reached_with_the_required_count():
    board = factory.board(quorum_percent=50)
    session = factory.session(board)
    holder, represented, present, *_ = seats(board, 5)
    factory.attend(session, holder)
    factory.attend(session, present)
    factory.attend(session, represented, status=REPRESENTED, proxy=holder)
    quorum = session.quorum()
    assert (quorum.counted, quorum.required, quorum.reached) == (3, 3, True)


def test_the_quorum_is_not_reached_one_short_of_the_required_count():
    board = factory.board(quorum_percent=50)
    session = factory.session(board)
    first, second, *_ = seats(board, 4)
    factory.attend(session, first)
    factory.attend(session, second)
    quorum = session.quorum()
    assert (quorum.counted, quorum.required, quorum.reached) == (2, 3, False)


def test_a_session_without_attendance_has_not_reached_its_quorum():
    board = factory.board()
    session = factory.session(board)
    seats(board, 3)
    assert session.quorum().reached is False
