"""The secretariat's workplace: sessions with their record, the minutes through their lifecycle, the work
in the queue."""

from .jobs import JobAdmin
from .minutes import MinutesAdmin
from .notices import ConvocationAdmin, MessageAdmin
from .passkeys import WebAuthnCredentialAdmin
from .sessions import SessionAdmin, live_rows

__all__ = [
    "ConvocationAdmin",
    "JobAdmin",
    "MessageAdmin",
    "WebAuthnCredentialAdmin",
    "MinutesAdmin",
    "SessionAdmin",
    "live_rows",
]
