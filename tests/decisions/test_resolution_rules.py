"""The rules a resolution and its follow-up keep: numbering, votes, agenda item, earlier session."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from decisions.models import FollowUp, Resolution
from meetings.models import Attendance, Membership, Session
from tests import factory

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2025, 12, 18)
JUNE = datetime.date(2025, 6, 20)


def clean_errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    return caught.value.message_dict


def session_with_voters(present: int, date=DECEMBER, ordinal: int = 2) -> Session:
    """The home board's session with `present` voting members present."""
    board = factory.board()
    session = factory.session(board, date=date, ordinal=ordinal)
    for _ in range(present):
        factory.attend(session, factory.seat(board))
    return session


def draft(at: Session, sequence: int = 1, **fields) -> Resolution:
    """A resolution not yet saved, to be checked by full_clean()."""
    defaults = {"title": "قرار", "text": "يقرر المجلس ما يلي.", "unanimous": False}
    return Resolution(session=at, sequence=sequence, **{**defaults, **fields})


# Numbering


def test_a_resolution_is_numbered_by_year_session_and_sequence():
    session = session_with_voters(0)
    assert factory.resolution(session, sequence=1).number == "2025/2/1"


def test_two_resolutions_of_a_session_cannot_share_a_number():
    session = session_with_voters(0)
    factory.resolution(session, sequence=1)
    assert clean_errors(draft(session, sequence=1)) == {"__all__": ["يوجد قرار يحمل هذا الرقم."]}


def test_the_database_refuses_two_resolutions_with_the_same_number():
    session = session_with_voters(0)
    factory.resolution(session, sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.resolution(session, sequence=1)


def test_another_session_of_the_board_numbers_its_resolutions_from_one_again():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    factory.resolution(june, sequence=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    draft(december, sequence=1).full_clean()


def test_another_board_may_use_the_same_number():
    factory.resolution(session_with_voters(0), sequence=1)
    other = factory.session(factory.board(is_home=False), date=DECEMBER, ordinal=2)
    resolution = draft(other, sequence=1)
    resolution.full_clean()
    assert resolution.number == "2025/2/1"


def test_a_resolution_number_starts_at_one():
    assert clean_errors(draft(session_with_voters(0), sequence=0)) == {
        "__all__": ["يبدأ ترقيم القرارات من 1."]
    }


# Votes


@pytest.mark.parametrize("dissent", ["votes_against", "votes_abstain"])
def test_a_unanimous_vote_has_no_dissent(dissent):
    session = session_with_voters(3)
    resolution = draft(session, unanimous=True, votes_for=2, **{dissent: 1})
    assert clean_errors(resolution) == {"__all__": ["التصويت بالإجماع لا يتضمن أصواتا معارضة ولا امتناعا."]}


@pytest.mark.parametrize("dissent", ["votes_against", "votes_abstain"])
def test_the_database_refuses_a_unanimous_vote_with_dissent(dissent):
    session = session_with_voters(3)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.resolution(session, unanimous=True, votes_for=2, **{dissent: 1})


def test_a_unanimous_vote_may_record_zero_against_and_zero_abstentions():
    session = session_with_voters(3)
    draft(session, unanimous=True, votes_for=3, votes_against=0, votes_abstain=0).full_clean()


@pytest.mark.parametrize("count", ["votes_for", "votes_against", "votes_abstain"])
def test_a_vote_count_cannot_be_negative(count):
    resolution = draft(session_with_voters(3), **{count: -1})
    assert list(clean_errors(resolution)) == [count]


@pytest.mark.parametrize("count", ["votes_for", "votes_against", "votes_abstain"])
def test_the_database_refuses_a_negative_vote_count(count):
    session = session_with_voters(3)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.resolution(session, unanimous=False, **{count: -1})


def test_the_votes_cannot_outnumber_the_voting_members_present():
    resolution = draft(session_with_voters(3), votes_for=3, votes_against=1)
    assert clean_errors(resolution) == {
        "__all__": [
            "عدد الأصوات المعبر عنها (4) يتجاوز عدد الأعضاء ذوي الحق في التصويت الحاضرين أو الممثَّلين (3)."
        ]
    }


def test_the_votes_of_represented_members_count():
    session = session_with_voters(2)
    holder = session.attendances.first().member
    factory.attend(session, factory.seat(session.board), status=Attendance.Status.REPRESENTED, proxy=holder)
    draft(session, votes_for=2, votes_against=1).full_clean()


def test_an_invited_member_has_no_vote_to_cast():
    session = session_with_voters(2)
    factory.attend(session, factory.seat(session.board, role=Membership.Role.INVITED))
    resolution = draft(session, votes_for=3)
    assert clean_errors(resolution) == {
        "__all__": [
            "عدد الأصوات المعبر عنها (3) يتجاوز عدد الأعضاء ذوي الحق في التصويت الحاضرين أو الممثَّلين (2)."
        ]
    }


# Agenda item


def test_a_resolution_answers_an_agenda_item_of_its_own_session():
    session = session_with_voters(0)
    draft(session, agenda_item=factory.agenda_item(session)).full_clean()


def test_a_resolution_cannot_answer_an_agenda_item_of_another_session():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    resolution = draft(december, agenda_item=factory.agenda_item(june))
    assert clean_errors(resolution) == {"agenda_item": ["نقطة جدول الأعمال هذه تابعة لدورة أخرى."]}


# Follow-up


def test_a_resolution_is_followed_up_at_a_later_session_of_its_board():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    FollowUp(resolution=factory.resolution(june), session=december).full_clean()


def test_a_resolution_cannot_be_followed_up_at_its_own_session():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    follow_up = FollowUp(resolution=factory.resolution(june), session=june)
    assert clean_errors(follow_up) == {"resolution": ["لا يُتتبع إلا قرار صادر عن دورة سابقة."]}


def test_a_resolution_cannot_be_followed_up_at_an_earlier_session():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    follow_up = FollowUp(resolution=factory.resolution(december), session=june)
    assert clean_errors(follow_up) == {"resolution": ["لا يُتتبع إلا قرار صادر عن دورة سابقة."]}


def test_a_resolution_cannot_be_followed_up_by_another_board():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    elsewhere = factory.session(factory.board(is_home=False), date=DECEMBER, ordinal=2)
    follow_up = FollowUp(resolution=factory.resolution(june), session=elsewhere)
    assert clean_errors(follow_up) == {"resolution": ["اتُّخذ هذا القرار من طرف مجلس آخر."]}


def test_a_resolution_is_followed_up_once_per_session():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    resolution = factory.resolution(june)
    factory.follow_up(resolution, december)
    again = FollowUp(resolution=resolution, session=december)
    assert clean_errors(again) == {"__all__": ["تتبع هذا القرار مسجل من قبل في هذه الدورة."]}


def test_the_database_refuses_a_second_follow_up_at_the_same_session():
    june = session_with_voters(0, date=JUNE, ordinal=1)
    december = factory.session(june.board, date=DECEMBER, ordinal=2)
    resolution = factory.resolution(june)
    factory.follow_up(resolution, december)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.follow_up(resolution, december)


# Overdue: one rule, stated for the database (the register, the dashboard) and in Python (a report in the
# minutes); both must give the same answer in every case.

OVERDUE_DAY = datetime.date(2026, 1, 15)


@pytest.mark.parametrize("outcome", list(Resolution.Outcome))
@pytest.mark.parametrize(
    "due_date", [None, datetime.date(2026, 1, 14), OVERDUE_DAY, datetime.date(2026, 1, 16)], ids=str
)
@pytest.mark.parametrize("status", [None, *FollowUp.Status], ids=str)
def test_the_database_and_python_agree_on_what_is_overdue(outcome, due_date, status):
    board = factory.board()
    earlier = factory.session(board, datetime.date(2025, 6, 20), 1)
    later = factory.session(board, datetime.date(2025, 12, 18), 2)
    resolution = factory.resolution(earlier, 1, outcome=outcome, due_date=due_date)
    if status is not None:
        factory.follow_up(resolution, later, status)

    in_the_database = (
        Resolution.objects.with_latest_status(FollowUp.objects.all())
        .with_overdue(OVERDUE_DAY)
        .get(pk=resolution.pk)
        .is_overdue
    )

    expected = (
        outcome == "adopted"
        and due_date is not None
        and due_date < OVERDUE_DAY
        and status
        not in (
            "done",
            "cancelled",
        )
    )
    assert in_the_database == resolution.is_overdue_on(OVERDUE_DAY, status) == expected
