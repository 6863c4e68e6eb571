"""Who may move the minutes, and the workflows that do: every entry point (admin buttons, member pages,
shell, a crafted POST) goes through these functions.

The states and the moves between them are `meetings.models.minutes.MOVES`; these functions check who
asks (the secretariat moves the minutes; the president and the rapporteur approve, each with a second
factor given for that approval, never an account of the secretariat, never one person twice, and the
account that signs approved nothing), make the move and record it. A refusal is `DutyRefused` (a
PermissionDenied whose message the page shows, kept in the duties' log) when the person may not act,
`PermissionDenied` when someone outside the secretariat asks for its moves, `ValidationError` (a message
for them) when the minutes are not in a state that allows it.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..accounts.second_factor import GivenFactor
from ..models import MOVES, Approval, DutyLog, Job, Member, Minutes, Session, Transition
from ..models.duties import SECRETARIAT_PERMISSION, DutyRefused, is_secretariat
from ..models.published import PublishedSession
from ..models.record import record_fingerprint, session_record
from ..seal.personal import (
    PersonalSignature,
    SignatureRefused,
    personal_signatures,
    sign_as_person,
)
from ..seal.signing import (
    SEAL_FIELD,
    last_timestamp,
    seal_of,
    sha256_hex,
    sign_pdf,
)
from . import archive
from .pdf import TooManyPages, render_minutes_pdf

State = Minutes.State
SECRETARIAT = SECRETARIAT_PERMISSION


# What members may do and see, by the state of the latest version.


def member_reads_record(minutes: Minutes | None) -> bool:
    """Members read the record from review on; a draft is the secretariat's alone."""
    return minutes is not None and minutes.state != State.DRAFT


def takes_comments(minutes: Minutes | None) -> bool:
    return minutes is not None and minutes.state == State.IN_REVIEW


def approving_roles(session: Session, user: User) -> list[str]:
    """President or rapporteur of the session's board on its date (those of the seats that sign its minutes,
    `Board.signing_roles`), through the user's member record; an
    account of the secretariat approves nothing, whatever seat its member holds. (One person holds one of
    the two: `Membership.check_duties`; rows written past it would show both, and the lifecycle still
    takes one approval of that person.)"""
    member = getattr(user, "member", None)
    if member is None or is_secretariat(user):
        return []
    # An approval is given in the role of the seat (Approval.Role and Membership.Role share the values).
    signing = session.board.signing_roles
    return [seat.role for seat in session.seats if seat.member_id == member.pk and seat.role in signing]


def approving_role(session: Session, user: User) -> str | None:
    return next(iter(approving_roles(session, user)), None)


def may_approve_now(minutes: Minutes | None, session: Session, user: User) -> str | None:
    """The role in which `user` may approve `minutes` now (the member page's button), None otherwise."""
    if minutes is None or minutes.state not in MOVES["approve"].sources:
        return None
    return approving_role(session, user)


# Refusals.


def _refuse(message: str, *, by: User, minutes: Minutes) -> DutyRefused:
    """A refusal of a lifecycle move on the ground of who asked, kept in the duties' log. Written
    before the move's transaction opens, so that the refusal's rollback does not take the log with it."""
    DutyLog.refused(message, by=by, member=getattr(by, "member", None), about=str(minutes), account=by)
    return DutyRefused(message)


def _require_secretariat(user: User) -> None:
    if not user.has_perm(SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat moves the minutes through their lifecycle."))


# The moves.


@transaction.atomic
def start_version(session: Session, *, by: User, reason: str = "") -> Minutes:
    """A first draft of the minutes, or a correction: a new version after the latest one was signed."""
    _require_secretariat(by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    latest = session.current_minutes()
    if latest is not None:
        if not latest.is_signed:
            raise ValidationError(_("The minutes of this session are already being drafted."), code="exists")
        latest.require("new_version")
        if not reason.strip():
            raise ValidationError(_("Say why the signed minutes need a correction."), code="reason")
    minutes = Minutes.objects.create(
        session=session, version=(latest.version + 1) if latest else 1, reason=reason
    )
    Transition.objects.create(minutes=minutes, source="", target=State.DRAFT, by=by, reason=reason)
    return minutes


def submit_for_review(minutes: Minutes, *, by: User) -> Minutes:
    _require_secretariat(by)
    return minutes.move("submit", by=by)


def return_to_draft(minutes: Minutes, *, by: User, reason: str) -> Minutes:
    _require_secretariat(by)
    minutes.require("return_to_draft")
    if not reason.strip():
        raise ValidationError(_("Say why the minutes go back to draft."), code="reason")
    # A draft is approved afresh once resubmitted, even if the record did not change.
    minutes.approvals.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    return minutes.move("return_to_draft", by=by, reason=reason)


def approve(minutes: Minutes, *, by: User, factor: GivenFactor | None, pin: str = "") -> Minutes:
    """The president's or the rapporteur's approval: their own signature on the minutes, given with the
    second factor `by` gave for it (second_factor.step_up) and made by the signing service with the
    person's `pin` (meetings.seal.personal). The minutes are rendered for signature once, at the first
    approval; the second signs that same file on top of the first. They are approved once both stand,
    given by two different members through two different accounts."""
    if is_secretariat(by):
        raise _refuse(
            _("An account of the secretariat or an administrator never approves the minutes."),
            by=by,
            minutes=minutes,
        )
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        session = Session.objects.with_record().get(pk=minutes.session_id)
        roles = approving_roles(session, by)  # from the seats as they are now, under the lock
        refusal = _approval_refused(minutes, session, roles, by, factor, pin)
    if refusal:
        raise _refuse(refusal, by=by, minutes=minutes)
    return minutes


def _approval_refused(
    minutes: Minutes, session: Session, roles: list[str], by: User, factor: GivenFactor | None, pin: str
) -> str:
    """Record `by`'s approval in one of `roles`, or say why not (the reason is for the duties' log)."""
    if not roles:
        return _("Only the president and the rapporteur of the board approve the minutes.")
    minutes.require("approve")
    fingerprint = record_fingerprint(session)
    valid = minutes.valid_approvals(fingerprint)
    role = next((role for role in roles if role not in valid), None)
    if role is None:
        raise ValidationError(_("This approval is already recorded."), code="approved")
    if any(a.member_id == by.member.pk or a.by_id == by.pk for a in valid.values()):
        return _("The two approvals come from two different people: yours is already recorded.")
    if factor is None or not factor.vouches_for(by):
        raise ValidationError(
            _("An approval is given with your own second factor, within the last five minutes."),
            code="second_factor",
        )
    signature = _personal_signature(minutes, session, role, by.member, pin, valid)
    storage = Approval._meta.get_field("signed_pdf").storage
    name = storage.save(
        f"minutes/approved/{session.year}-{session.ordinal}-v{minutes.version}-{role}.pdf",
        ContentFile(signature.pdf),
    )
    try:
        valid[role] = Approval.objects.create(
            minutes=minutes,
            role=role,
            fingerprint=fingerprint,
            member=by.member,
            by=by,
            factor=factor.kind,
            factor_at=factor.at,
            signed_pdf=name,
            signed_pdf_sha256=sha256_hex(signature.pdf),
            certificate_sha256=signature.certificate_sha256,
            certificate_name=signature.signer,
            signed_at=signature.signed_at,
        )
    except BaseException:
        storage.delete(name)
        raise
    if minutes.fully_approved(valid):
        minutes.move("approve", by=by)
    return ""


def _personal_signature(
    minutes: Minutes, session: Session, role: str, member: Member, pin: str, valid: dict[str, Approval]
) -> PersonalSignature:
    """The person's signature over the minutes as rendered for signature: over the other person's signed
    copy when they signed first (the same rendering, their signature kept), else over a rendering made
    now, from the record as it stands (the approvals' fingerprint)."""
    earlier = max(valid.values(), key=lambda a: a.pk, default=None)
    if earlier is not None:
        with earlier.signed_pdf.open("rb") as stored:
            pdf = stored.read()
    else:
        try:
            pdf = render_minutes_pdf(session, record=session_record(session), minutes=minutes)
        except TooManyPages as too_many:  # the secretariat shortens the record; the person says nothing
            raise ValidationError(too_many.message, code="pages") from too_many
    try:
        return sign_as_person(
            pdf,
            seat=role,
            credential_id=member.signing_credential,
            pin=pin,
            name=member.name_ar,
            reason=f"المصادقة على محضر {session.title} — الصيغة {minutes.version}",
            location=session.place or "المغرب",
        )
    except SignatureRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from refused


def check_signature(minutes: Minutes, *, by: User) -> tuple[Session, dict, dict[str, Approval]]:
    """Whether `by` may sign `minutes` now: the session, its record and the approvals that hold, or a
    refusal. Asked when the signature is asked for (the button), and again when it is made."""
    _require_secretariat(by)
    if minutes.approvals.filter(Q(by=by) | Q(member__user=by), withdrawn_at__isnull=True).exists():
        raise _refuse(_("The account that approved the minutes does not sign them."), by=by, minutes=minutes)
    minutes.refresh_from_db(fields=["state"])  # as the last approval left it, not as the caller saw it
    minutes.require("sign")
    session = Session.objects.with_record().get(pk=minutes.session_id)
    record = session_record(session)
    approvals = minutes.valid_approvals(record_fingerprint(session, record))
    if not minutes.fully_approved(approvals):
        raise ValidationError(_("The approvals no longer match the record."), code="approvals")
    return session, record, approvals


def _approved_copy(approvals: dict[str, Approval], session: Session) -> bytes:
    """The copy both persons signed, checked before the seal goes on it: the file of the later approval,
    as stored, holding each approval's signature, valid, by the certificate recorded with it and in the
    name of the member who held that seat."""
    last = max(approvals.values(), key=lambda a: a.pk)
    with last.signed_pdf.open("rb") as stored:
        pdf = stored.read()
    if sha256_hex(pdf) != last.signed_pdf_sha256:
        raise ValidationError(_("The signed copy of the approvals was changed since: it is not sealed."))
    found = personal_signatures(pdf)
    for role, approval in approvals.items():
        if not approval.is_signed_by(found.get(role)):
            raise ValidationError(
                _("The signed copy does not hold the %(role)s's own signature: it is not sealed.")
                % {"role": approval.get_role_display()}
            )
    return pdf


def sign(minutes: Minutes, *, by: User, job: Job | None = None) -> Minutes:
    """Put the institution's seal on the copy the president and the rapporteur signed (their signatures
    checked first), at PAdES B-LTA: the validation data of every signature, the seal, and an archival
    timestamp over it all. Store the result with its SHA-256 and keep the record it certifies as the
    version's snapshot.

    The seal is made first; then, with the row locked, the state is checked again (a change of the record
    meanwhile took the minutes back to review), the file is written and the row moved in one transaction:
    two clicks or two workers produce one sealed file, the second finding the minutes signed. A file that
    could not be written whole (a full disk), or whose transaction did not commit, is removed: the minutes
    stay approved. `job`, the task queue's (meetings.minutes.jobs), hears the file about to be written, and
    is marked done in the same transaction.
    """
    session, record, approvals = check_signature(minutes, by=by)
    approved = _approved_copy(approvals, session)
    signed = sign_pdf(
        approved,
        field_name=SEAL_FIELD,
        reason=f"محضر {session.title} — الصيغة {minutes.version}",
        location=session.place or "المغرب",
    )
    sha256 = sha256_hex(signed)
    storage = minutes.pdf.storage
    name = minutes.pdf.field.generate_filename(
        minutes, f"{session.year}-{session.ordinal}-v{minutes.version}-{sha256[:12]}.pdf"
    )
    if job is not None:
        job.note_writing(name)  # committed before the file exists: a worker killed after writing it
    try:
        with transaction.atomic():
            locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
            # A change of the record since it was rendered withdrew the approvals, and took the
            # minutes back to review (Minutes.recheck_approvals): the state says it.
            locked.require("sign")
            Minutes.objects.remove_unkept_file(storage, name)  # an earlier attempt's, with these bytes
            locked.pdf.name = storage.save(name, ContentFile(signed))
            locked.sha256, locked.signed_at, locked.record = sha256, timezone.now(), record
            locked.signed_content_sha256, locked.signer_certificate_sha256 = seal_of(signed)
            signature = ["sha256", "signed_content_sha256", "signer_certificate_sha256", "signed_at"]
            locked.save(update_fields=["pdf", *signature, "record"])
            locked.move("sign", by=by)
            _timestamped_at, expires = last_timestamp(signed)
            archive.renew_later(locked, on=expires - archive.RENEW_AHEAD)
            if job is not None:
                job.succeed(_("The minutes are signed."))
    except BaseException:
        Minutes.objects.remove_unkept_file(storage, name)
        if job is not None:
            job.writing = ""  # removed: nothing left for the job's failure to clean up
        raise
    return locked


@transaction.atomic
def publish(minutes: Minutes, *, by: User) -> Minutes:
    _require_secretariat(by)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    minutes.require("publish")
    minutes.published_at = timezone.now()
    minutes.save(update_fields=["published_at"])
    minutes.move("publish", by=by)
    PublishedSession.objects.publish(minutes)  # what the public reads, from the record as signed
    return minutes


def perform(action: str, minutes: Minutes, *, by: User, reason: str = "") -> Minutes:
    """One of the secretariat's moves by name, as the admin's buttons post it."""
    _require_secretariat(by)  # who first: someone not allowed learns nothing about the state
    if action not in minutes.actions_offered():
        raise ValidationError(
            _("This is not possible while the minutes are «%(state)s».")
            % {"state": minutes.get_state_display()}
        )
    if action == "submit":
        return submit_for_review(minutes, by=by)
    if action == "return_to_draft":
        return return_to_draft(minutes, by=by, reason=reason)
    if action == "sign":
        return sign(minutes, by=by)
    if action == "publish":
        return publish(minutes, by=by)
    return start_version(minutes.session, by=by, reason=reason)
