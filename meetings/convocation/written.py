"""Written consultations: the board decides between sessions, in writing, where its rules allow it
(`Board.written_consultation`).

A written consultation is a Session of kind «written», numbered apart from the sessions (2026/101, its
resolution 2026/101/1), whose date is the day answers close. The secretariat writes the draft resolution
(its resolutions, which the members adopt or reject together) and attaches its documents, then puts it to
the members (`submit`), no sooner than the board's answer delay before it closes; each voting member is
told. Each answers once (`answer`): for, against or abstaining, after the step-up second factor. At the
closing time, or once every voting member answered, it is closed (`close`): the board's majority
(`Board.written_adopts`) decides, the votes and the answers are written into its record (a member who
answered is «present», one who did not «absent»), and the members are told the result. Until it closes,
the secretariat may withdraw it (`withdraw`: a mistake in the draft, which no longer changes once put to
the members): it then decides nothing, its number stays taken, the answers given stay in its history, and
the members are told.

From there it is a record like a session's: its minutes are drafted, approved and signed by those the
board's rules name, sealed and published; its resolution then stands in the register with its own number,
and the next session follows it up as any earlier resolution (ResolutionQuerySet.open_at).
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ..accounts.second_factor import GivenFactor
from ..minutes.pdf import render_answer_pdf
from ..models import Attendance, DutyLog, Member, Message, Session
from ..models.consultations import WrittenVote
from ..models.duties import SECRETARIAT_PERMISSION
from ..seal.personal import ANSWER, SignatureRefused, sign_as_person
from ..seal.signing import sha256_hex
from ..text.dates import moroccan_date
from .messages import Kind, queue


def _require_secretariat(user: User) -> None:
    if not user.has_perm(SECRETARIAT_PERMISSION):
        raise PermissionDenied(_("Only the secretariat puts a written consultation to the members."))


def submit(session: Session, *, by: User) -> list[Message]:
    """Put the consultation to the board's voting members, each told by a message in their language."""
    _require_secretariat(by)
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
        if session.kind != Session.Kind.WRITTEN:
            raise ValidationError(_("Only a written consultation is put to the members in writing."))
        session.check_written_allowed()
        if session.submitted_at is not None:
            raise ValidationError(_("This consultation was already put to the members."))
        if not session.resolutions.exists():
            raise ValidationError(_("Write the draft resolution first."))
        days = session.board.written_consultation_days
        earliest = timezone.now() + datetime.timedelta(days=days)
        assert session.closes_at is not None  # a written consultation's (the database's constraint)
        if session.closes_at < earliest:
            raise ValidationError(
                _(
                    "The board's rules give the members at least %(days)d days to answer: set the closing "
                    "on %(date)s or later."
                )
                % {"days": days, "date": moroccan_date(timezone.localdate(earliest))}
            )
        session.submitted_at = timezone.now()
        session.save(update_fields=["submitted_at"])
        sent = [queue(Kind.WRITTEN_CONSULTATION, seat, session) for seat in session.voting_memberships()]
        close_when_due.using(run_after=session.closes_at).enqueue(session.pk)
    return sent


def signs_answers(member: Member) -> bool:
    """Whether `member` signs their answer with their own signature: they hold a credential at the
    signing service, and one is configured."""
    return bool(member.signing_credential and settings.SIGNING_SERVICE_URL)


def answer(
    session: Session, member: Member, *, choice: str, by: User, factor: GivenFactor | None, pin: str = ""
) -> WrittenVote:
    """`member`'s answer, given by their own account `by` with the second factor `factor` given for it,
    and signed with their own signature made with their `pin` where they hold a credential at the signing
    service (`signs_answers`). Final once recorded. The last voting member's answer closes the
    consultation."""
    if getattr(by, "member", None) != member:
        raise PermissionDenied(_("A member answers a written consultation through their own account."))
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
        session.check_takes_written_answers()
        voters = {seat.member_id for seat in session.voting_memberships()}
        if member.pk not in voters:
            raise PermissionDenied(_("Only the board's voting members answer a written consultation."))
        if session.written_votes.filter(member=member).exists():
            raise ValidationError(_("Your answer is already recorded: it is final."))
        if factor is None or not factor.vouches_for(by):
            raise ValidationError(
                _("An answer is given with your own second factor, within the last five minutes."),
                code="second_factor",
            )
        vote = WrittenVote(
            session=session, member=member, choice=choice, by=by, factor=factor.kind, factor_at=factor.at
        )
        if signs_answers(member):
            _sign(vote, session, pin)
        vote.save()
        DutyLog.note(
            DutyLog.Kind.ANSWER,
            _("%(session)s: answered in writing") % {"session": session},
            member=member,
            about=member.name_ar,
            by=by,
        )
        if voters <= set(session.written_votes.values_list("member_id", flat=True)):
            _close(session)
    return vote


def _sign(vote: WrittenVote, session: Session, pin: str) -> None:
    """The member's signature on their answer, as a page of its own, stored with the vote."""
    member = vote.member
    try:
        signature = sign_as_person(
            render_answer_pdf(session, member, vote.choice, timezone.now()),
            seat=ANSWER,
            credential_id=member.signing_credential,
            pin=pin,
            name=member.name_ar,
            reason=f"جواب على {session.title}",
            location="المغرب",
        )
    except SignatureRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from refused
    storage = WrittenVote._meta.get_field("signed_pdf").storage
    name = f"written/answers/{session.year}-{session.ordinal}-{member.pk}.pdf"
    vote.signed_pdf.name = storage.save(name, ContentFile(signature.pdf))
    vote.signed_pdf_sha256 = sha256_hex(signature.pdf)
    vote.certificate_sha256 = signature.certificate_sha256
    vote.signed_at = signature.signed_at


@task()
def close_when_due(session_id: int) -> str:
    """At its closing time, the consultation is closed, unless it was already (every member answered)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").filter(pk=session_id).first()
        if session is None or session.closed_at is not None or session.submitted_at is None:
            return "nothing to close"
        if session.cancelled_at is not None:
            return "withdrawn"
        if session.closes_at is not None and timezone.now() < session.closes_at:
            close_when_due.using(run_after=session.closes_at).enqueue(session.pk)  # the closing was moved
            return "not yet"
        return _close(session)


def close(session: Session) -> str:
    """Close the consultation now that its time is up (the secretariat's button, the queue's task)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
        if session.closed_at is not None:
            raise ValidationError(_("This consultation is closed already."))
        _refuse_withdrawn(session)
        if session.closes_at is not None and timezone.now() < session.closes_at:
            raise ValidationError(_("The members may answer until the closing time."))
        return _close(session)


def withdraw(session: Session, *, by: User) -> list[Message]:
    """Withdraw a consultation put to the members, before its closing time: it takes no more answers,
    decides nothing and is never closed; the voting members are told."""
    _require_secretariat(by)
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
        if session.submitted_at is None:
            raise ValidationError(_("A consultation not yet put to the members is simply deleted."))
        if session.closed_at is not None:
            raise ValidationError(_("This consultation is closed already."))
        _refuse_withdrawn(session)
        if session.closes_at is not None and timezone.now() >= session.closes_at:
            # The answers given decide: a result is not taken back once its time has come.
            raise ValidationError(_("Its time is up: it is closed with the answers given, not withdrawn."))
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        return [queue(Kind.WRITTEN_WITHDRAWN, seat, session) for seat in session.voting_memberships()]


def _refuse_withdrawn(session: Session) -> None:
    if session.cancelled_at is not None:
        raise ValidationError(_("This consultation was withdrawn."), code="withdrawn")


def _close(session: Session) -> str:
    """Decide by the board's majority, write the result into the record, tell the members (in the caller's
    transaction, the session's row locked)."""
    seats = session.voting_memberships()
    votes = {vote.member_id: vote.choice for vote in session.written_votes.all()}
    yes = sum(1 for choice in votes.values() if choice == WrittenVote.Choice.FOR)
    no = sum(1 for choice in votes.values() if choice == WrittenVote.Choice.AGAINST)
    abstain = len(votes) - yes - no
    adopted = session.board.written_adopts(yes, no, len(seats))
    session.attendances.all().delete()
    for seat in seats:
        status = Attendance.Status.PRESENT if seat.member_id in votes else Attendance.Status.ABSENT
        Attendance(session=session, member=seat.member, status=status).save()
    for resolution in session.resolutions.all():
        resolution.votes_for, resolution.votes_against, resolution.votes_abstain = yes, no, abstain
        resolution.unanimous = yes == len(seats) > 0  # every voting member for: none against or abstaining
        resolution.outcome = "adopted" if adopted else "rejected"
        resolution.save()
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])
    for seat in seats:
        queue(Kind.WRITTEN_RESULT, seat, session, adopted=adopted, yes=yes, no=no, abstain=abstain)
    queue(Kind.WRITTEN_RESULT, None, session, adopted=adopted, yes=yes, no=no, abstain=abstain)
    return "adopted" if adopted else "rejected"
