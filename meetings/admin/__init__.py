"""The secretariat's workplace: sessions with their record, and the minutes through their lifecycle."""

from .minutes import MinutesAdmin
from .sessions import SessionAdmin, live_rows

__all__ = ["MinutesAdmin", "SessionAdmin", "live_rows"]
