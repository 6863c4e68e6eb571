"""The convocation of a session, its updates and its cancellation, and the reminder before the session.

The convocation goes to every seat on the session's date, advisory ones (the state financial
controller) included. Once a session is convened, a change of its date, hours or place sends an update
to the same people, whatever changed it (the admin, the shell): `announce_change`, connected to the
session's `post_save` by `MeetingsConfig.ready`. Each message is composed and queued by
`meetings.convocation.messages.queue`.
"""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ..models import Convocation, Document, Membership, Message, Session
from ..models.duties import SECRETARIAT_PERMISSION, acting_user
from ..models.messages import session_start
from .links import without_links
from .messages import Kind, compose, queue


def convened_seats(session: Session) -> list[Membership]:
    """Everyone holding a seat on the session's date, once each, advisory seats included."""
    seats: dict[int, Membership] = {}
    for seat in session.seats:
        seats.setdefault(seat.member_id, seat)
    return list(seats.values())


def latest_convocation(session: Session) -> Convocation | None:
    return session.convocations.order_by("-sequence").first()


def _send(session: Session, convocation: Convocation, kind: str) -> list[Message]:
    session.__dict__.pop("seats", None)  # the seats on the date as it is now, not as first read
    # The board pack goes with the convocation; an update or a cancellation does not send it again.
    documents = list(session.documents.all()) if kind == Kind.CONVOCATION else []
    return [
        queue(kind, seat, session, convocation=convocation, documents=documents, calendar=True)
        for seat in convened_seats(session)
    ]


def preview(session: Session, member_id: int | None = None) -> Message | None:
    """The convocation as the member of `member_id` (the first convened, by default) would receive it,
    composed and not sent, its personal link cut short (it is the member's alone)."""
    seats = convened_seats(session)
    seat = next((s for s in seats if s.member_id == member_id), seats[0] if seats else None)
    if seat is None:
        return None
    message = compose(Kind.CONVOCATION, seat, session, documents=list(session.documents.all()))
    message.text = without_links(message.text)
    return message


def attachments(session: Session) -> list[tuple[Document, int | None]]:
    """The board pack the convocation carries, each document with its size (None when its file is missing
    from the storage: the page says so rather than failing)."""
    found = []
    for document in session.documents.select_related("agenda_item"):
        try:
            size = document.file.size
        except (OSError, ValueError):
            size = None
        found.append((document, size))
    return found


def require_secretariat(user: User) -> None:
    if not user.has_perm(SECRETARIAT_PERMISSION):
        raise PermissionDenied(_("Only the secretariat convenes the board."))


@transaction.atomic
def convene(session: Session, *, by: User, reason: str = "") -> list[Message]:
    """Send the convocation of a scheduled session, with its board pack and a calendar invitation, to
    everyone seated on its date. Fewer days ahead than the board's delay needs the reason, recorded."""
    require_secretariat(by)
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if session.cancelled_at is not None:
        raise ValidationError(_("This session is cancelled."), code="cancelled")
    if latest_convocation(session) is not None:
        raise ValidationError(
            _("The convocation was already sent; a change of date, time or place sends an update."),
            code="convened",
        )
    convocation = Convocation.announcing(session, sequence=0, sent_by=by, short_notice_reason=reason.strip())
    if convocation.days_ahead < 0:
        raise ValidationError(_("This session's date has passed."), code="past")
    if short_notice(session) and not convocation.short_notice_reason:
        raise ValidationError(
            _(
                "The board asks for the convocation %(delay)d days before the session, and there are "
                "only %(days)d: give the reason to send it anyway."
            )
            % {"delay": session.board.convocation_days, "days": convocation.days_ahead},
            code="short_notice",
        )
    convocation.save()
    schedule_convocation_reminder(convocation)
    return _send(session, convocation, Kind.CONVOCATION)


def short_notice(session: Session) -> bool:
    """Whether a convocation sent today would come later than the board's delay allows."""
    return (session.date - timezone.localdate()).days < session.board.convocation_days


@transaction.atomic
def cancel(session: Session, *, by: User) -> list[Message]:
    """Cancel a session not yet held: it keeps its row (and its number), and whoever was convened is
    told, their calendar removing the event."""
    require_secretariat(by)
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if session.cancelled_at is not None:
        raise ValidationError(_("This session is cancelled."), code="cancelled")
    if (
        session.minutes_versions.exists()
        or session.attendances.exists()
        or timezone.now() >= session_start(session)
    ):
        raise ValidationError(
            _("A session that has opened, or whose attendance is recorded, cannot be cancelled.")
        )
    session.cancelled_at = timezone.now()
    session.save(update_fields=["cancelled_at", "updated_at"])
    previous = latest_convocation(session)
    if previous is None:
        return []
    convocation = Convocation.announcing(
        session, sequence=previous.sequence + 1, method=Convocation.Method.CANCEL, sent_by=by
    )
    convocation.save()
    return _send(session, convocation, Kind.CANCELLATION)


def announce_change(sender, instance: Session, raw: bool = False, **kwargs) -> None:
    """After a session is saved: once it is convened (and not cancelled), a new date, hours or place
    goes to everyone seated, as an update of the calendar event (its SEQUENCE one higher)."""
    if raw or instance.cancelled_at is not None:
        return
    previous = latest_convocation(instance)
    if previous is None or previous.method == Convocation.Method.CANCEL or previous.announces(instance):
        return
    if timezone.now() >= session_start(previous):
        return  # held: its hours and place are now the record's, which the minutes tell
    with transaction.atomic():
        convocation = Convocation.announcing(
            instance, sequence=previous.sequence + 1, sent_by=acting_user.get()
        )
        convocation.save()
        schedule_convocation_reminder(convocation)
        if convocation.date != previous.date:
            # Answers were given for the day announced before: they are asked for again.
            instance.answers.all().delete()
        _send_update(instance, convocation)


def _send_update(session: Session, convocation: Convocation) -> list[Message]:
    """An update to everyone seated on the new date; whoever the new date adds gets the whole
    convocation, and whoever it leaves out (their term ends before it) a cancellation for their calendar."""
    session.__dict__.pop("seats", None)
    seats = convened_seats(session)
    seated = {seat.member_id for seat in seats}
    convened = set(
        Message.objects.filter(
            session=session, kind__in=[Kind.CONVOCATION, Kind.CONVOCATION_UPDATE], member__isnull=False
        ).values_list("member_id", flat=True)
    )
    documents = list(session.documents.all())
    sent = [
        queue(Kind.CONVOCATION_UPDATE, seat, session, convocation=convocation, calendar=True)
        if seat.member_id in convened
        else queue(
            Kind.CONVOCATION, seat, session, convocation=convocation, documents=documents, calendar=True
        )
        for seat in seats
    ]
    former: dict[int, Membership] = {}
    left = Membership.objects.filter(board=session.board, member_id__in=convened - seated)
    for seat in left.select_related("member").order_by("-start"):
        former.setdefault(seat.member_id, seat)
    # Their calendar removes the event: a cancellation as far as they are concerned, never saved.
    farewell = Convocation.announcing(
        session, sequence=convocation.sequence, method=Convocation.Method.CANCEL
    )
    sent += [
        queue(Kind.CONVOCATION_WITHDRAWN, seat, session, convocation=farewell, calendar=True)
        for seat in former.values()
    ]
    return sent


# The reminder, queued with the convocation for the day it is due: the worker runs it then, once, whatever
# the number of servers.

CONVOCATION_REMINDER_AHEAD = datetime.timedelta(days=2)


def schedule_convocation_reminder(convocation: Convocation) -> None:
    due = session_start(convocation.session) - CONVOCATION_REMINDER_AHEAD
    if due > timezone.now():
        remind_convened.using(run_after=due).enqueue(convocation.session_id, convocation.sequence)


@task()
def remind_convened(session_id: int, sequence: int) -> str:
    """Two days before the session, everyone convened is reminded of it, unless it was cancelled or
    changed since (the update scheduled its own reminder)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").filter(pk=session_id).first()
        latest = latest_convocation(session) if session else None
        if (
            session is None
            or latest is None
            or latest.sequence != sequence
            or latest.method != Convocation.Method.REQUEST
        ):
            return "nothing to remind"
        sent = [
            queue(Kind.CONVOCATION_REMINDER, seat, session, convocation=latest)
            for seat in convened_seats(session)
        ]
        return f"{len(sent)} reminders"
