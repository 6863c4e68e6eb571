"""The members' answers to the convocation: attending, excused, or a proxy given to another member."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Convocation, DutyLog, Member, Session
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


def proxies_held(session: Session, member: Member) -> list[Member]:
    """The members whose proxy `member` holds at `session`: as the attendance records them once it is
    taken, as the answers announce them until then."""
    # Read through `.all()`: the pages prefetch both (Session.objects.with_record, the answers).
    attendance = list(session.attendances.all())
    if attendance:
        return [a.member for a in attendance if a.proxy_id == member.pk]
    return [a.member for a in session.answers.all() if a.proxy_id == member.pk]


@transaction.atomic
def answer(
    session: Session,
    member: Member,
    *,
    choice: str,
    proxy: Member | None = None,
    channel: str = Answer.Channel.PAGE,
    by=None,
) -> Answer:
    """Record (or change) a member's answer, given on their page or by the link of their convocation, or
    recorded by the secretariat (`by`) as it came by phone, letter or in person. The session's row is
    locked meanwhile, so that two members choosing the same holder at once cannot both take the board's
    last proxy. Each answer is kept in the duties' log: who answered what, how, and who recorded it."""
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if not takes_answers(session):
        raise ValidationError(
            _("This session does not take answers: it is not convened, cancelled, or has opened.")
        )
    found = session.answers.filter(member=member).first() or Answer(session=session, member=member)
    found.choice, found.proxy = choice, proxy if choice == Answer.Choice.PROXY else None
    found.answered_at, found.channel = timezone.now(), channel
    found.recorded_by = by if channel not in Answer.Channel.given_by_the_member() else None
    found.check_rules(session.seats)
    found.save()
    DutyLog.note(
        DutyLog.Kind.ANSWER,
        _("%(session)s: %(answer)s (%(channel)s)")
        % {"session": session, "answer": found.summary(), "channel": found.get_channel_display()},
        member=member,
        about=member.name_ar,
        by=found.recorded_by,
    )
    return found
