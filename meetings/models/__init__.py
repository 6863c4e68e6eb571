"""The meeting itself: a board, its members, its sessions and what happened in them."""

from .board import Board, Member, Membership
from .session import AgendaItem, Attendance, Quorum, Session, parent_session

__all__ = ["AgendaItem", "Attendance", "Board", "Member", "Membership", "Quorum", "Session", "parent_session"]
