"""The meeting itself: a board, its members, its sessions and what happened in them; the minutes.

Modules depend one way: duties <- board <- record <- session <- minutes <- published, session <- interests,
minutes <- consultations, session <- messages, minutes <- jobs, minutes <- archive; limits stands alone.
"""

from .archive import ArchivedCopy
from .board import Board, Gender, Member, Membership, role_label
from .consultations import WrittenConsultation, WrittenVote
from .duties import DutyLog
from .interests import Declaration
from .jobs import Job
from .limits import Turn
from .messages import Answer, Convocation, Message
from .minutes import MOVES, Approval, Comment, Minutes, Transition
from .published import PublishedAgendaItem, PublishedSession
from .record import RecordRow, Searchable, SearchQuerySet, parent_session
from .session import AgendaItem, Attendance, Document, Quorum, Session

__all__ = [
    "MOVES",
    "AgendaItem",
    "Answer",
    "Approval",
    "ArchivedCopy",
    "Attendance",
    "Board",
    "Comment",
    "Convocation",
    "Declaration",
    "Document",
    "DutyLog",
    "Gender",
    "Job",
    "Member",
    "Membership",
    "Message",
    "Minutes",
    "PublishedAgendaItem",
    "PublishedSession",
    "Quorum",
    "SearchQuerySet",
    "RecordRow",
    "Searchable",
    "Session",
    "Transition",
    "Turn",
    "WrittenConsultation",
    "WrittenVote",
    "parent_session",
    "role_label",
]
