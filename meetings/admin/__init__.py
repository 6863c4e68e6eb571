"""The secretariat's workplace: sessions with their record, and the minutes through their lifecycle."""

from .minutes import MinutesAdmin
from .notices import ConvocationAdmin, MessageAdmin
from .sessions import SessionAdmin, live_rows

__all__ = ["ConvocationAdmin", "MessageAdmin", "MinutesAdmin", "SessionAdmin", "live_rows"]
