"""The meeting itself: a board, its members, its sessions and what happened in them; the minutes."""

from .board import Board, Member, Membership
from .lifecycle import Approval, Comment, Minutes, Transition
from .session import (
    AgendaItem,
    Attendance,
    Document,
    Quorum,
    RecordQuerySet,
    RecordRow,
    Searchable,
    Session,
    parent_session,
)

__all__ = [
    "AgendaItem",
    "Approval",
    "Attendance",
    "Board",
    "Comment",
    "Document",
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
