"""What awaits whom: the member's sessions marked with the answer, the review or the approval they await,
and the secretariat's list of work (for the admin's home page)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import (
    Answer,
    Approval,
    Comment,
    Convocation,
    Member,
    Membership,
    Message,
    Minutes,
    Session,
    WrittenVote,
)
from ..models.board import signing_seats
from ..models.messages import expected_quorum
from ..models.session import Quorum
from .answers import takes_answers
from .convening import convened_seats
from .delivery import longest_wait, stalled


def with_what_awaits(sessions: QuerySet, member: Member) -> QuerySet:
    """The member's sessions, each marked with what it awaits from them: an answer to its convocation,
    a review of its draft minutes, their approval (one query, whatever the number of sessions)."""
    in_review = Minutes.objects.filter(session=OuterRef("pk"), state=Minutes.State.IN_REVIEW)
    approving_seat = (
        Membership.objects.filter(member=member, board=OuterRef("board"))
        .filter(signing_seats())
        .valid_on(OuterRef("date"))
    )
    approved = Approval.objects.filter(
        minutes__session=OuterRef("pk"),
        minutes__state=Minutes.State.IN_REVIEW,
        member=member,
        withdrawn_at__isnull=True,
    )
    convened = Convocation.objects.filter(session=OuterRef("pk"), method=Convocation.Method.REQUEST)
    voting_seat = (
        Membership.objects.filter(member=member, board=OuterRef("board")).voting().valid_on(OuterRef("date"))
    )
    return sessions.annotate(
        awaits_written_answer=Exists(voting_seat)
        & ~Exists(WrittenVote.objects.filter(session=OuterRef("pk"), member=member))
        & Session.taking_written_answers(),
        awaits_answer=Exists(convened)
        & ~Exists(Answer.objects.filter(session=OuterRef("pk"), member=member))
        & Q(cancelled_at__isnull=True, date__gte=timezone.localdate()),
        awaits_review=Exists(in_review),
        awaits_approval=Exists(in_review) & Exists(approving_seat) & ~Exists(approved),
    )


@dataclass(frozen=True)
class AnswersAwaited:
    """A convened session still taking answers: how many convened persons have not answered, and the
    quorum that the answers given announce."""

    session: Session
    unanswered: int
    quorum: Quorum


def answers_awaited(upcoming: QuerySet) -> list[AnswersAwaited]:
    """The convened sessions still taking answers, each with the answers awaited and the expected quorum
    (a board convenes one or two sessions at a time: a few queries each)."""
    convened = Convocation.objects.filter(session=OuterRef("pk"), method=Convocation.Method.REQUEST)
    found = []
    for session in upcoming.filter(Exists(convened)).prefetch_related("answers").order_by("date"):
        if not takes_answers(session):
            continue
        given = list(session.answers.all())
        answered = {a.member_id for a in given}
        unanswered = sum(1 for seat in convened_seats(session) if seat.member_id not in answered)
        found.append(AnswersAwaited(session, unanswered, expected_quorum(session, given)))
    return found


def secretariat_todo() -> dict:
    """What awaits the secretariat, for the admin's home page: work the task queue has left waiting,
    comments to answer, answers to the convocations awaited, minutes awaiting approval, minutes to seal and
    to publish, minutes past the board's delay, sessions to convene, messages that did not go."""
    today = timezone.localdate()
    sessions = Session.objects.filter(cancelled_at__isnull=True).select_related("board")
    held = sessions.filter(date__lt=today, second_call__isnull=True).exclude(
        minutes_versions__state__in=[state for state in Minutes.State.values if state != Minutes.State.DRAFT]
    )
    overdue = [s for s in held.order_by("date") if (today - s.date).days > s.board.minutes_days]
    upcoming = sessions.filter(date__gte=today).annotate(convocations_sent=Count("convocations"))
    to_convene = [
        s
        for s in upcoming.order_by("date")
        if not s.convocations_sent and (s.date - today).days <= s.board.convocation_days
    ]
    messages = Message.objects.aggregate(
        failed=Count("pk", filter=Q(status=Message.Status.FAILED)),
        unreachable=Count("pk", filter=Q(status=Message.Status.UNREACHABLE)),
        pending=Count("pk", filter=Q(status=Message.Status.PENDING)),
    )
    current = Minutes.objects.filter(session__cancelled_at__isnull=True).select_related("session")
    _ready, wait = longest_wait()
    return {
        # No worker takes the tasks: nothing is sent, rendered or signed until the IT team starts one.
        "queue_stalled_minutes": round(wait.total_seconds() / 60) if stalled(wait) else None,
        "open_comments": Comment.objects.filter(status=Comment.Status.OPEN).count(),
        "awaiting_approval": Minutes.objects.filter(state=Minutes.State.IN_REVIEW).count(),
        "overdue": overdue,
        "to_convene": to_convene,
        "answers_awaited": answers_awaited(upcoming),
        # Approved by both: the seal is the secretariat's to put; sealed: the publication is.
        "to_seal": list(current.filter(state=Minutes.State.APPROVED).order_by("session__date")),
        "to_publish": list(current.filter(state=Minutes.State.SIGNED).order_by("session__date")),
        **messages,
    }
