"""The personal link of a convocation: it lets the member it was sent to answer that session's convocation
(attend, excused, proxy) without an account and without signing in.

Six of the board's nine convened persons have no account: the representatives of the ministries change
with each session, and an account is an administrator's to create. The link is their way to answer, and
the member page's is for those who have one.

A link is Django's signature (HMAC with SECRET_KEY, salted for this one act) of the session, the member and
the seat they were convened in. It answers nothing else: no draft, no document, no other session. It is
refused once the seat it names is no longer the member's seat on the session's date (the term ended, the
seat changed), and the answer it carries is refused once the session opens (`answers.takes_answers`), the
rule of every answer. Each answer given by a link is kept in the duties' log (`answers.answer`).
"""

import logging
import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Member, Membership, Session

logger = logging.getLogger(__name__)

SALT = "meetings.convocation.links.answer"
# A convocation goes out weeks before its session at most; a link older than a year is refused whatever
# the session says (a second call holds a session again under a new convocation, with new links).
LINK_LIFETIME = 366 * 24 * 3600


class LinkRefused(Exception):
    """A link that answers nothing, with the reason said to whoever followed it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def answer_token(seat: Membership, session: Session) -> str:
    return signing.dumps(
        {"s": session.pk, "m": seat.member_id, "seat": seat.pk, "role": seat.role}, salt=SALT, compress=True
    )


def answer_url(seat: Membership, session: Session) -> str:
    """The member's own address to answer the session's convocation, in the active language."""
    return settings.SITE_URL + reverse(
        "meetings:answer_by_link", kwargs={"token": answer_token(seat, session)}
    )


def open_link(token: str) -> tuple[Session, Member]:
    """The session and the member a link answers for, or `LinkRefused` saying why not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
        session_pk, member_pk, seat_pk, role = data["s"], data["m"], data["seat"], data["role"]
    except signing.SignatureExpired:
        raise LinkRefused(_("This link has expired.")) from None
    except (signing.BadSignature, KeyError, TypeError):
        logger.warning("A convocation link that is not ours was followed: %.40s…", token)
        raise LinkRefused(
            _("This link is not valid. Copy the whole address from your convocation, or ask the secretariat.")
        ) from None
    session = Session.objects.select_related("board").filter(pk=session_pk).first()
    seat = (
        next(
            (s for s in session.seats if s.pk == seat_pk and s.member_id == member_pk and s.role == role),
            None,
        )
        if session is not None
        else None
    )
    if session is None or seat is None:
        raise LinkRefused(
            _(
                "This link was sent for a seat that is no longer yours at this session. If you are still "
                "convened, the secretariat sends you a new convocation."
            )
        )
    return session, seat.member


_LINK = re.compile(r"(/answer/)[A-Za-z0-9_\-:.]+(/)")


def without_links(text: str) -> str:
    """A message as the secretariat reads it in the admin: each personal link cut short, so that nobody
    but its member answers by it (the secretariat records answers given to it in its own name)."""
    return _LINK.sub(r"\1…\2", text)
