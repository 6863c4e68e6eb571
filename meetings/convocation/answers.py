"""The members' answers to the convocation: attending, excused, or a proxy given to another member."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Convocation, Member, Session
from ..models.messages import proxy_holders, session_start
from .convening import convened_seats, latest_convocation


def takes_answers(session: Session) -> bool:
    """Members answer once the session is convened (and not cancelled), until it opens."""
    latest = latest_convocation(session)
    return (
        latest is not None
        and latest.method == Convocation.Method.REQUEST
        and session.cancelled_at is None
        and timezone.now() < session_start(session)
    )


def proxy_candidates(session: Session, member: Member) -> list[Member]:
    """Whom `member` may give their proxy to (`proxy_holders`), as the member page offers them."""
    return [seat.member for seat in proxy_holders(session, convened_seats(session), member.pk)]


@transaction.atomic
def answer(session: Session, member: Member, *, choice: str, proxy: Member | None = None) -> Answer:
    """Record (or change) a member's answer. The session's row is locked meanwhile, so that two members
    choosing the same holder at once cannot both take the board's last proxy."""
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if not takes_answers(session):
        raise ValidationError(
            _("This session does not take answers: it is not convened, cancelled, or has opened.")
        )
    found = session.answers.filter(member=member).first() or Answer(session=session, member=member)
    found.choice, found.proxy = choice, proxy if choice == Answer.Choice.PROXY else None
    found.answered_at = timezone.now()
    found.check_rules(session.seats)
    found.save()
    return found
