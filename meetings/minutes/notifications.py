"""Each step of the minutes told to the people concerned, and each comment and its answer: sent to review,
approvals awaited (and reminded), approvals withdrawn, published. `minutes_moved` (a Transition row: a
step of the minutes) and `comment_saved` are connected to their models' `post_save` by
`MeetingsConfig.ready`; each message is composed and queued by `meetings.convocation.messages.queue`.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from ..convocation.convening import convened_seats
from ..convocation.messages import Kind, queue
from ..models import Comment, Membership, Minutes, Session, Transition


def _approving_seats(session: Session) -> list[Membership]:
    return [seat for seat in convened_seats(session) if seat.role in session.board.signing_roles]


def minutes_moved(sender, instance: Transition, created: bool, raw: bool = False, **kwargs) -> None:
    """Sent to review: the members seated on the session's date read it, the president and the
    rapporteur are asked to approve it (and reminded later); approved by both: the secretariat is told to
    seal it; approvals withdrawn because the record changed: the approvers are told; published: everyone seated, with the signed PDF's address."""
    State = Minutes.State
    step = (instance.source, instance.target)
    told = {
        (State.DRAFT, State.IN_REVIEW),
        (State.APPROVED, State.IN_REVIEW),
        (State.IN_REVIEW, State.APPROVED),
    }
    if raw or not created or (step not in told and instance.target != State.PUBLISHED):
        return
    minutes = instance.minutes
    session = Session.objects.select_related("board").get(pk=minutes.session_id)
    if step == (State.DRAFT, State.IN_REVIEW):
        for seat in convened_seats(session):
            kind = Kind.APPROVAL_AWAITED if seat.role in session.board.signing_roles else Kind.REVIEW
            queue(kind, seat, session, minutes=minutes)
    elif step == (State.APPROVED, State.IN_REVIEW):
        for seat in _approving_seats(session):
            queue(Kind.APPROVALS_WITHDRAWN, seat, session, minutes=minutes, reason=instance.reason)
    elif step == (State.IN_REVIEW, State.APPROVED):
        # The last approval: the minutes now wait for the secretariat to seal and publish them.
        queue(Kind.APPROVED, None, session, minutes=minutes)
    elif instance.target == State.PUBLISHED:
        for seat in convened_seats(session):
            # The public site serves the signed file of its board's minutes (this version's, for good); the
            # minutes of another board are read on the member's page.
            pdf_url = ""
            if session.board.is_home:
                with translation.override(seat.member.language):
                    pdf_url = settings.SITE_URL + reverse(
                        "meetings:minutes_version_pdf", kwargs={"code": minutes.code}
                    )
            queue(Kind.PUBLISHED, seat, session, minutes=minutes, pdf_url=pdf_url)
    if instance.target == State.IN_REVIEW:
        due = timezone.now() + datetime.timedelta(days=session.board.reminder_days)
        remind_approvers.using(run_after=due).enqueue(minutes.pk, instance.pk)


def comment_saved(sender, instance: Comment, created: bool, raw: bool = False, **kwargs) -> None:
    """A new comment goes to the secretariat; its answer, once given, to its author."""
    if raw:
        return
    session = Session.objects.select_related("board").get(pk=instance.minutes.session_id)
    if created:
        queue(Kind.COMMENT, None, session, comment=instance, minutes=instance.minutes)
    elif instance.replied_at and not instance.messages.filter(kind=Kind.REPLY).exists():
        seat = next((s for s in session.seats if s.member_id == instance.member_id), None) or Membership(
            board=session.board, member=instance.member
        )
        queue(Kind.REPLY, seat, session, comment=instance, minutes=instance.minutes)


# The approvers' reminder, queued at each round of review for the day it is due: the worker runs it then,
# once, whatever the number of servers.


@task()
def remind_approvers(minutes_id: int, transition_id: int) -> str:
    """After the board's reminder delay, the president and the rapporteur who have not approved minutes
    still in the same round of review are reminded, each once."""
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(pk=minutes_id).first()
        if minutes is None or minutes.state != Minutes.State.IN_REVIEW:
            return "nothing to remind"
        latest = minutes.transitions.filter(target=Minutes.State.IN_REVIEW).order_by("-at", "-pk").first()
        if latest is None or latest.pk != transition_id:
            return "a later round of review has its own reminder"
        session = Session.objects.select_related("board").get(pk=minutes.session_id)
        approved = minutes.valid_approvals()
        sent = [
            queue(Kind.APPROVAL_REMINDER, seat, session, minutes=minutes)
            for seat in _approving_seats(session)
            if seat.role not in approved
        ]
        return f"{len(sent)} reminders"
