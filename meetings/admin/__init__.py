"""The secretariat's workplace: sessions with their record, the minutes through their lifecycle, the work
in the queue."""

from .accounts import AccountAdmin
from .jobs import JobAdmin
from .minutes import MinutesAdmin
from .notices import ConvocationAdmin, MessageAdmin
from .sessions import SessionAdmin, live_rows

__all__ = [
    "AccountAdmin",
    "ConvocationAdmin",
    "JobAdmin",
    "MessageAdmin",
    "MinutesAdmin",
    "SessionAdmin",
    "live_rows",
]
