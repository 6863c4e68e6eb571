"""Plain factory helpers: each makes one row with sensible defaults, overridable by keyword."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from decisions.models import FollowUp, Resolution
from meetings.models import AgendaItem, Attendance, Board, Member, Membership, Session

_counter = itertools.count(1)

TERM_START = datetime.date(2024, 1, 1)


def board(**fields) -> Board:
    n = next(_counter)
    defaults = {"name_ar": f"المجلس الإداري {n}", "name_fr": f"Conseil {n}", "is_home": True}
    return Board.objects.create(**{**defaults, **fields})


def member(**fields) -> Member:
    n = next(_counter)
    defaults = {"name_ar": f"العضو {n}", "name_fr": f"Membre {n}", "title_ar": "عضو المجلس الإداري"}
    return Member.objects.create(**{**defaults, **fields})


def seat(
    on: Board, role: str = Membership.Role.MEMBER, start=TERM_START, end=None, **member_fields
) -> Member:
    """A member with a seat on the board; returns the member."""
    person = member(**member_fields)
    Membership.objects.create(board=on, member=person, role=role, start=start, end=end)
    return person


def session(on: Board, date=datetime.date(2025, 12, 18), ordinal: int = 2, **fields) -> Session:
    defaults = {"place": "الرباط", "is_public": True, "kind": Session.Kind.ORDINARY}
    return Session.objects.create(board=on, date=date, ordinal=ordinal, **{**defaults, **fields})


def attend(at: Session, who: Member, status=Attendance.Status.PRESENT, proxy=None) -> Attendance:
    return Attendance.objects.create(session=at, member=who, status=status, proxy=proxy)


def agenda_item(at: Session, position: int = 1, **fields) -> AgendaItem:
    defaults = {"title": f"نقطة {position}", "deliberation": "نص المداولات"}
    return AgendaItem.objects.create(session=at, position=position, **{**defaults, **fields})


def resolution(at: Session, sequence: int = 1, **fields) -> Resolution:
    defaults = {"title": f"قرار {sequence}", "text": "يقرر المجلس ما يلي.", "unanimous": True}
    return Resolution.objects.create(session=at, sequence=sequence, **{**defaults, **fields})


def follow_up(of: Resolution, at: Session, status=FollowUp.Status.IN_PROGRESS, **fields) -> FollowUp:
    return FollowUp.objects.create(resolution=of, session=at, status=status, **fields)


def secretariat_user(username: str = "secretary", password: str = "s3cret-pass!") -> User:
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="secretariat"))
    return user
