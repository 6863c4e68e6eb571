"""The members' answers to the convocation: attending, excused, or a proxy given to another member."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AgendaItem, Answer, Convocation, Declaration, DutyLog, Member, Session
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


def initial_answer(session: Session, member: Member) -> dict:
    """The member's answer as the form starts with it: their choice, their proxy, the items in which they
    declared an interest. Read through `.all()`: the member page prefetches the answers and the agenda
    with its declarations (`Session.objects.with_record`)."""
    given = next((a for a in session.answers.all() if a.member_id == member.pk), None)
    initial = {"choice": given.choice, "proxy": given.proxy_id} if given else {}
    declared = [d for item in session.agenda_items.all() for d in item.declared if d.member_id == member.pk]
    if declared:
        initial["interests"] = [d.agenda_item_id for d in declared]
        initial["interest_reason"] = next((d.reason for d in declared if d.reason), "")
    return initial


def given(data: dict) -> dict:
    """The answer form's cleaned data as `answer` takes it."""
    return {
        "choice": data["choice"],
        "proxy": data["proxy"],
        "interests": data.get("interests"),
        "interest_reason": data.get("interest_reason", ""),
    }


@transaction.atomic
def answer(
    session: Session,
    member: Member,
    *,
    choice: str,
    proxy: Member | None = None,
    channel: str = Answer.Channel.PAGE,
    by=None,
    interests: "Iterable[AgendaItem] | None" = None,
    interest_reason: str = "",
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
    if interests is not None:
        # Recorded by the member's own account on their page, by none through their link.
        declarer = found.recorded_by or (member.user if channel == Answer.Channel.PAGE else None)
        declare_interests(session, member, list(interests), interest_reason, by=declarer)
    DutyLog.note(
        DutyLog.Kind.ANSWER,
        _("%(session)s: %(answer)s (%(channel)s)")
        % {"session": session, "answer": found.summary(), "channel": found.get_channel_display()},
        member=member,
        about=member.name_ar,
        by=found.recorded_by,
    )
    return found


def declare_interests(
    session: Session, member: Member, items: list[AgendaItem], reason: str, *, by=None
) -> None:
    """The member's declarations of interest, as they give them with their answer: one per item of
    `items` (its reason as given), none on the others. Those the secretariat recorded stay."""
    items = [item for item in items if item.session_id == session.pk]
    declared = session.declarations.filter(member=member, source=Declaration.Source.MEMBER)
    for gone in declared.exclude(agenda_item__in=items):
        gone.delete()
    for item in items:
        found = session.declarations.filter(member=member, agenda_item=item).first()
        if found is None:
            Declaration(
                session=session,
                agenda_item=item,
                member=member,
                reason=reason,
                source=Declaration.Source.MEMBER,
                recorded_by=by,
            ).save()
        elif found.source == Declaration.Source.MEMBER and found.reason != reason:
            found.reason = reason
            found.save(update_fields=["reason"])
    if items:
        DutyLog.note(
            DutyLog.Kind.ANSWER,
            _("%(session)s: interest declared in items %(items)s")
            % {"session": session, "items": ", ".join(str(item.position) for item in items)},
            member=member,
            about=member.name_ar,
            by=by,
        )
