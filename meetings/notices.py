"""Telling people, and hearing back: the convocation of a session, its updates and cancellation; the
members' answers; each step of the minutes told to the people concerned; reminders; what awaits whom;
the second convocation when the quorum was not reached.

Every message is a `Message` row written in the transaction of the change that causes it, with the task
that sends it (`meetings.tasks.deliver`, a row of the same database): both are kept, or neither. A member
without an address gets a row too, marked unreachable, so that the secretariat sees whom to call. Each is
composed in its reader's language when it is queued, and kept as composed.

The convocation goes to every seat on the session's date, advisory ones (the state financial
controller) included. Once a session is convened, a change of its date, hours or place sends an update
to the same people, whatever changed it (the admin, the shell): `announce_change`, connected to the
session's `post_save` by `MeetingsConfig.ready`, like `minutes_moved` (a Transition row: a step of the
minutes) and `comment_saved`.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django_tasks import task

from .calendar import invitation, member_session_url
from .dates import moroccan_date
from .models import (
    Answer,
    Approval,
    Comment,
    Convocation,
    Document,
    Member,
    Membership,
    Message,
    Minutes,
    Session,
    Transition,
)
from .models.duties import APPROVING_ROLES, SECRETARIAT_PERMISSION, acting_user
from .models.notices import proxy_holders, session_start
from .tasks import deliver, longest_wait, stalled

Kind = Message.Kind


def queue(
    kind: str,
    seat: Membership | None,
    session: Session,
    *,
    convocation: Convocation | None = None,
    documents: list[Document] = (),
    calendar: bool = False,
    **context,
) -> Message:
    """One message, composed now in its reader's language, and its delivery queued: to the member of
    `seat`, or to the board's secretariat (its shared address, in Arabic) when `seat` is None."""
    member = seat.member if seat is not None else None
    language = member.language if member else settings.LANGUAGE_CODE
    address = member.email if member else session.board.secretariat_email
    with translation.override(language):
        url = member_session_url(session) if member else admin_session_url(session)
        context = {
            **context,
            "kind": kind,
            "member": member,
            "seat": seat,
            "session": session,
            "board": session.board,
            "convocation": convocation,
            "documents": documents,
            "url": url,
        }
        message = Message(
            kind=kind,
            session=session,
            convocation=convocation if convocation is not None and convocation.pk else None,
            comment=context.get("comment"),
            member=member,
            address=address,
            language=language,
            subject=_subject(kind, session),
            text=render_to_string(f"meetings/mail/{_template(kind)}.txt", context),
            html=render_to_string(f"meetings/mail/{_template(kind)}.html", context),
            calendar=invitation(convocation, seat, url) if calendar and address else "",
            status=Message.Status.PENDING if address else Message.Status.UNREACHABLE,
        )
    message.save()
    if documents:
        message.documents.set(documents)
    if message.status == Message.Status.PENDING:
        deliver.enqueue(message.pk)
    return message


CONVOCATION_KINDS = {
    Kind.CONVOCATION,
    Kind.CONVOCATION_UPDATE,
    Kind.CANCELLATION,
    Kind.CONVOCATION_WITHDRAWN,
    Kind.CONVOCATION_REMINDER,
}
COMMENT_KINDS = {Kind.COMMENT, Kind.REPLY}


def _template(kind: str) -> str:
    if kind in CONVOCATION_KINDS:
        return "convocation"
    return "comment" if kind in COMMENT_KINDS else "minutes"


def _subject(kind: str, session: Session) -> str:
    subjects = {
        Kind.CONVOCATION: _("Convocation: %(session)s, %(date)s"),
        Kind.CONVOCATION_UPDATE: _("Convocation changed: %(session)s, %(date)s"),
        Kind.CANCELLATION: _("Session cancelled: %(session)s, %(date)s"),
        Kind.CONVOCATION_WITHDRAWN: _("No longer convened: %(session)s, %(date)s"),
        Kind.CONVOCATION_REMINDER: _("Reminder: %(session)s, %(date)s"),
        Kind.REVIEW: _("Draft minutes to review: %(session)s, %(date)s"),
        Kind.APPROVAL_AWAITED: _("Minutes awaiting your approval: %(session)s, %(date)s"),
        Kind.APPROVAL_REMINDER: _("Reminder, minutes awaiting your approval: %(session)s, %(date)s"),
        Kind.APPROVALS_WITHDRAWN: _("Approvals withdrawn, the record changed: %(session)s, %(date)s"),
        Kind.PUBLISHED: _("Minutes signed and published: %(session)s, %(date)s"),
        Kind.COMMENT: _("New comment on the minutes: %(session)s, %(date)s"),
        Kind.REPLY: _("Your comment was answered: %(session)s, %(date)s"),
    }
    return subjects[kind] % {"session": session.title, "date": moroccan_date(session.date)}


def admin_session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("admin:meetings_session_change", args=[session.pk])


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


def _require_secretariat(user: AbstractBaseUser) -> None:
    if not user.has_perm(SECRETARIAT_PERMISSION):
        raise PermissionDenied(_("Only the secretariat convenes the board."))


@transaction.atomic
def convene(session: Session, *, by: AbstractBaseUser, reason: str = "") -> list[Message]:
    """Send the convocation of a scheduled session, with its board pack and a calendar invitation, to
    everyone seated on its date. Fewer days ahead than the board's delay needs the reason, recorded."""
    _require_secretariat(by)
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
def cancel(session: Session, *, by: AbstractBaseUser) -> list[Message]:
    """Cancel a session not yet held: it keeps its row (and its number), and whoever was convened is
    told, their calendar removing the event."""
    _require_secretariat(by)
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


def sent_summary(sent: list[Message]) -> str:
    """What the secretariat is told once a notice is queued: how many go out, and whom none reaches."""
    unreachable = [message.member.name for message in sent if message.status == Message.Status.UNREACHABLE]
    queued = len(sent) - len(unreachable)
    text = ngettext(
        "%(count)d message queued for sending.", "%(count)d messages queued for sending.", queued
    ) % {"count": queued}
    if unreachable:
        names = pgettext("list separator", ", ").join(unreachable)
        text += " " + _("No address, to be told otherwise: %(names)s.") % {"names": names}
    return text


# Answers to the convocation.


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


# Reminders, queued with the convocation and the review for the day they are due: the worker runs them
# then, once, whatever the number of servers.

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
        if latest is None or latest.sequence != sequence or latest.method != Convocation.Method.REQUEST:
            return "nothing to remind"
        sent = [
            queue(Kind.CONVOCATION_REMINDER, seat, session, convocation=latest)
            for seat in convened_seats(session)
        ]
        return f"{len(sent)} reminders"


def _approving_seats(session: Session) -> list[Membership]:
    return [seat for seat in convened_seats(session) if seat.role in APPROVING_ROLES]


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


# Each step of the minutes, told to the people concerned (connected by MeetingsConfig.ready).


def minutes_moved(sender, instance: Transition, created: bool, raw: bool = False, **kwargs) -> None:
    """Sent to review: the members seated on the session's date read it, the president and the
    rapporteur are asked to approve it (and reminded later); approvals withdrawn because the record
    changed: the approvers are told; published: everyone seated, with the signed PDF's address."""
    State = Minutes.State
    step = (instance.source, instance.target)
    told = {(State.DRAFT, State.IN_REVIEW), (State.APPROVED, State.IN_REVIEW)}
    if raw or not created or (step not in told and instance.target != State.PUBLISHED):
        return
    minutes = instance.minutes
    session = Session.objects.select_related("board").get(pk=minutes.session_id)
    if step == (State.DRAFT, State.IN_REVIEW):
        for seat in convened_seats(session):
            kind = Kind.APPROVAL_AWAITED if seat.role in APPROVING_ROLES else Kind.REVIEW
            queue(kind, seat, session, minutes=minutes)
    elif step == (State.APPROVED, State.IN_REVIEW):
        for seat in _approving_seats(session):
            queue(Kind.APPROVALS_WITHDRAWN, seat, session, minutes=minutes, reason=instance.reason)
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


# What awaits each person.


def with_what_awaits(sessions: QuerySet, member: Member) -> QuerySet:
    """The member's sessions, each marked with what it awaits from them: an answer to its convocation,
    a review of its draft minutes, their approval (one query, whatever the number of sessions)."""
    in_review = Minutes.objects.filter(session=OuterRef("pk"), state=Minutes.State.IN_REVIEW)
    approving_seat = Membership.objects.filter(
        member=member, board=OuterRef("board"), role__in=APPROVING_ROLES
    ).valid_on(OuterRef("date"))
    approved = Approval.objects.filter(
        minutes__session=OuterRef("pk"),
        minutes__state=Minutes.State.IN_REVIEW,
        member=member,
        withdrawn_at__isnull=True,
    )
    convened = Convocation.objects.filter(session=OuterRef("pk"), method=Convocation.Method.REQUEST)
    return sessions.annotate(
        awaits_answer=Exists(convened)
        & ~Exists(Answer.objects.filter(session=OuterRef("pk"), member=member))
        & Q(cancelled_at__isnull=True, date__gte=timezone.localdate()),
        awaits_review=Exists(in_review),
        awaits_approval=Exists(in_review) & Exists(approving_seat) & ~Exists(approved),
    )


def secretariat_todo() -> dict:
    """What awaits the secretariat, for the admin's home page: work the task queue has left waiting,
    comments to answer, minutes awaiting approval, minutes past the board's delay, sessions to convene,
    messages that did not go."""
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
    _ready, wait = longest_wait()
    return {
        # No worker takes the tasks: nothing is sent, rendered or signed until the IT team starts one.
        "queue_stalled_minutes": round(wait.total_seconds() / 60) if stalled(wait) else None,
        "open_comments": Comment.objects.filter(status=Comment.Status.OPEN).count(),
        "awaiting_approval": Minutes.objects.filter(state=Minutes.State.IN_REVIEW).count(),
        "overdue": overdue,
        "to_convene": to_convene,
        **messages,
    }


# Quorum not reached: the second convocation.


def needs_second_call(session: Session) -> bool:
    """A held session whose recorded attendance does not reach the quorum, not yet called again."""
    return (
        session.cancelled_at is None
        and session.date <= timezone.localdate()
        and session.attendances.exists()
        and not session.quorum().reached
        and not Session.objects.filter(second_call_of=session).exists()
    )


@transaction.atomic
def second_call(
    session: Session,
    *,
    by: AbstractBaseUser,
    date: datetime.date,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    place: str = "",
) -> Session:
    """The session that holds again one whose quorum was not reached: the same kind and agenda (its
    documents too), numbered in its own year, with the board's quorum on second convocation. It is then
    convened like any session, from its own page."""
    _require_secretariat(by)
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if not needs_second_call(session):
        raise ValidationError(
            _(
                "A second convocation is for a held session whose recorded attendance did not reach the quorum, once."
            ),
            code="no_second_call",
        )
    if date <= session.date:
        raise ValidationError({"date": _("The second convocation comes after the first session.")})
    last = Session.objects.filter(board=session.board, year=date.year).order_by("-ordinal").first()
    again = Session.objects.create(
        board=session.board,
        kind=session.kind,
        ordinal=(last.ordinal if last else 0) + 1,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=place or session.place,
        chair=session.chair,
        is_public=session.is_public,
        second_call_of=session,
    )
    items = {}
    for item in session.agenda_items.all():
        items[item.pk] = again.agenda_items.create(
            position=item.position, title=item.title, presenter=item.presenter, summary=item.summary
        )
    for document in session.documents.all():
        again.documents.create(
            title=document.title, file=document.file.name, agenda_item=items.get(document.agenda_item_id)
        )
    return again
