"""The meeting itself: a board, its members, its sessions and what happened in them; the minutes.

Modules depend one way: duties <- board <- record <- session <- minutes.
"""

from .board import Board, Member, Membership
from .duties import DutyLog
from .minutes import MOVES, Approval, Comment, Minutes, Transition
from .record import RecordQuerySet, RecordRow, Searchable, parent_session
from .session import AgendaItem, Attendance, Document, Quorum, Session

__all__ = [
    "MOVES",
    "AgendaItem",
    "Approval",
    "Attendance",
    "Board",
    "Comment",
    "Document",
    "DutyLog",
    "Member",
    "Membership",
    "Minutes",
    "Quorum",
    "RecordQuerySet",
    "RecordRow",
    "Searchable",
    "Session",
    "Transition",
    "parent_session",
]
