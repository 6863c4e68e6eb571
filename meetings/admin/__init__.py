"""The secretariat's workplace, one module per admin: the boards and their seats, the members, the
sessions with their record (and what their admins share, `record`), the minutes through their lifecycle,
the messages and convocations, the work in the queue, the duties' log, the accounts.

The admin sits on top: it imports the models and every room of `meetings`; nothing imports it but
`decisions.admin`, which builds on the session's page."""

from .accounts import AccountAdmin
from .boards import BoardAdmin
from .duties import DutyLogAdmin
from .jobs import JobAdmin
from .members import MemberAdmin
from .messages import ConvocationAdmin, MessageAdmin
from .minutes import MinutesAdmin
from .record import live_rows
from .sessions import SessionAdmin

__all__ = [
    "AccountAdmin",
    "BoardAdmin",
    "ConvocationAdmin",
    "DutyLogAdmin",
    "JobAdmin",
    "MemberAdmin",
    "MessageAdmin",
    "MinutesAdmin",
    "SessionAdmin",
    "live_rows",
]
