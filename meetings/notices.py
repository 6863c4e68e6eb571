"""Telling people: the convocation of a session and its updates, each message composed in its
recipient's language and queued for the worker.

Every message is a `Message` row written in the transaction of the change that causes it, with the task
that sends it (`meetings.tasks.deliver`, a row of the same database): both are kept, or neither. A member
without an address gets a row too, marked unreachable, so that the secretariat sees whom to call.

The convocation goes to every seat on the session's date, advisory ones (the state financial
controller) included. Once a session is convened, a change of its date, hours or place sends an update
to the same people, whatever changed it (the admin, the shell): `announce_change`, connected to the
session's `post_save` by `MeetingsConfig.ready`.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .calendar import invitation, member_session_url
from .dates import moroccan_date
from .models import Answer, Convocation, Document, Member, Membership, Message, Session
from .models.duties import SECRETARIAT_PERMISSION, acting_user
from .models.notices import proxy_holders_full, session_start
from .tasks import deliver

Kind = Message.Kind


def queue(
    kind: str,
    seat: Membership,
    session: Session,
    *,
    convocation: Convocation | None = None,
    documents: list[Document] = (),
    calendar: bool = False,
) -> Message:
    """One message to the member of `seat`, composed now in their language, and its delivery queued."""
    member = seat.member
    with translation.override(member.language):
        url = member_session_url(session)
        context = {
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
            convocation=convocation,
            member=member,
            address=member.email,
            language=member.language,
            subject=_subject(kind, session),
            text=render_to_string(f"meetings/mail/{_template(kind)}.txt", context),
            html=render_to_string(f"meetings/mail/{_template(kind)}.html", context),
            calendar=invitation(convocation, seat, url) if calendar and member.email else "",
            status=Message.Status.PENDING if member.email else Message.Status.UNREACHABLE,
        )
    message.save()
    if documents:
        message.documents.set(documents)
    if message.status == Message.Status.PENDING:
        deliver.enqueue(message.pk)
    return message


def _template(kind: str) -> str:
    return "convocation" if kind in {Kind.CONVOCATION, Kind.CONVOCATION_UPDATE, Kind.CANCELLATION} else kind


def _subject(kind: str, session: Session) -> str:
    subjects = {
        Kind.CONVOCATION: _("Convocation: %(session)s, %(date)s"),
        Kind.CONVOCATION_UPDATE: _("Convocation changed: %(session)s, %(date)s"),
        Kind.CANCELLATION: _("Session cancelled: %(session)s, %(date)s"),
    }
    return subjects[kind] % {"session": session.title, "date": moroccan_date(session.date)}


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
    documents = list(session.documents.all()) if kind != Kind.CANCELLATION else []
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
    if session.minutes_versions.exists():
        raise ValidationError(_("A session whose minutes are drafted was held: it cannot be cancelled."))
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
    with transaction.atomic():
        convocation = Convocation.announcing(
            instance, sequence=previous.sequence + 1, sent_by=acting_user.get()
        )
        convocation.save()
        _send(instance, convocation, Kind.CONVOCATION_UPDATE)


def unreachable(session: Session) -> list[Member]:
    """Members the session's messages could not reach: they have no address."""
    return list(
        Member.objects.filter(
            messages__session=session, messages__status=Message.Status.UNREACHABLE
        ).distinct()
    )


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
    """Whom `member` may give their proxy to: another voting member seated on the date, who has not
    answered that they will be away, and who holds fewer proxies than the board allows."""
    away = set(session.answers.exclude(choice=Answer.Choice.ATTEND).values_list("member_id", flat=True))
    full = {
        holder for holder, is_full in proxy_holders_full(session, exclude_member=member.pk).items() if is_full
    }
    return [
        seat.member
        for seat in convened_seats(session)
        if seat.has_vote and seat.member_id != member.pk and seat.member_id not in away | full
    ]


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
