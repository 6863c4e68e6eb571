"""The minutes lifecycle: who may move a version of the minutes to which state, and what each state freezes.

    draft -> in review -> approved -> signed -> published
      ^----------'   (back to draft, with a reason)

Every entry point (admin, member pages, shell, a crafted POST) goes through these functions, which check
the rule, make the move and record it in the history. A refusal is `PermissionDenied` when the person
may not act, `ValidationError` (a message for them) when the minutes are not in a state that allows it.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, Session
from .models.lifecycle import Approval, Minutes, Transition

State = Minutes.State
SECRETARIAT = "meetings.manage_minutes"

# Whose approvals make the minutes approved, by their role on the board.
APPROVING_ROLES = {
    Membership.Role.PRESIDENT: Approval.Role.PRESIDENT,
    Membership.Role.RAPPORTEUR: Approval.Role.RAPPORTEUR,
}


def current(session: Session) -> Minutes | None:
    """The latest version of a session's minutes, whatever its state."""
    return session.minutes_versions.order_by("-version").first()


def is_frozen(session: Session) -> bool:
    """Once the latest version is signed, the record it certifies cannot change."""
    latest = current(session)
    return latest is not None and latest.is_signed


def frozen_message() -> str:
    return _(
        "The minutes of this session are signed: the record can no longer change. "
        "A correction is made in a new version of the minutes."
    )


def record_will_change(session: Session) -> None:
    """Called, in a transaction, before any change to a session's record: refused once its minutes are
    signed. The latest version's row is locked, so that a signature under way is waited for."""
    latest = session.minutes_versions.select_for_update().order_by("-version").first()
    if latest is not None and latest.is_signed:
        raise ValidationError(frozen_message(), code="frozen")


def record_changed(session: Session) -> None:
    """Called after a change to a session's record: approved minutes whose approvals no longer match the
    record go back to review (a save that changed nothing leaves them approved)."""
    latest = current(session)
    if (
        latest is not None
        and latest.state == State.APPROVED
        and set(valid_approvals(latest)) != set(Approval.Role.values)
    ):
        _move(
            latest,
            State.IN_REVIEW,
            by=None,
            reason=_("The record changed after approval; the approvals are withdrawn."),
        )


# The secretariat's moves offered in each state (the member pages offer approval).
ACTIONS_BY_STATE = {
    State.DRAFT: ["submit"],
    State.IN_REVIEW: ["return_to_draft"],
    State.APPROVED: ["sign", "return_to_draft"],
    State.SIGNED: ["publish", "new_version"],
    State.PUBLISHED: ["new_version"],
}
NEEDS_REASON = {"return_to_draft", "new_version"}


def _require_secretariat(user: AbstractBaseUser) -> None:
    if not user.has_perm(SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat moves the minutes through their lifecycle."))


def _require_state(minutes: Minutes, *states: str) -> None:
    if minutes.state not in states:
        raise ValidationError(
            _("This is not possible while the minutes are «%(state)s».")
            % {"state": minutes.get_state_display()},
            code="state",
        )


def _move(minutes: Minutes, target: str, *, by: AbstractBaseUser | None, reason: str = "") -> Minutes:
    Transition.objects.create(minutes=minutes, source=minutes.state, target=target, by=by, reason=reason)
    minutes.state = target
    minutes.save(update_fields=["state"])
    return minutes


@transaction.atomic
def start_version(session: Session, *, by: AbstractBaseUser, reason: str = "") -> Minutes:
    """A first draft of the minutes, or a correction: a new version after the latest one was signed."""
    _require_secretariat(by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    latest = current(session)
    if latest is not None and not latest.is_signed:
        raise ValidationError(_("The minutes of this session are already being drafted."), code="exists")
    if latest is not None and not reason.strip():
        raise ValidationError(_("Say why the signed minutes need a correction."), code="reason")
    minutes = Minutes.objects.create(
        session=session, version=(latest.version + 1) if latest else 1, reason=reason
    )
    Transition.objects.create(minutes=minutes, source="", target=State.DRAFT, by=by, reason=reason)
    return minutes


def submit_for_review(minutes: Minutes, *, by: AbstractBaseUser) -> Minutes:
    _require_secretariat(by)
    _require_state(minutes, State.DRAFT)
    return _move(minutes, State.IN_REVIEW, by=by)


def return_to_draft(minutes: Minutes, *, by: AbstractBaseUser, reason: str) -> Minutes:
    _require_secretariat(by)
    _require_state(minutes, State.IN_REVIEW, State.APPROVED)
    if not reason.strip():
        raise ValidationError(_("Say why the minutes go back to draft."), code="reason")
    # A draft is approved afresh once resubmitted, even if the record did not change.
    minutes.approvals.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    return _move(minutes, State.DRAFT, by=by, reason=reason)


def approving_role(minutes: Minutes, user: AbstractBaseUser) -> str | None:
    """President or rapporteur of the session's board on its date, through the user's member record."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    session = minutes.session
    roles = (
        session.board.memberships.valid_on(session.date).filter(member=member).values_list("role", flat=True)
    )
    return next((APPROVING_ROLES[role] for role in roles if role in APPROVING_ROLES), None)


def valid_approvals(minutes: Minutes, fingerprint: str | None = None) -> dict[str, Approval]:
    """The approvals given to the record as it stands now, by role; `fingerprint` is the record's, when
    the caller has already worked it out."""
    from .minutes import record_fingerprint

    if fingerprint is None:
        fingerprint = record_fingerprint(minutes.session)
    approvals = minutes.approvals.filter(fingerprint=fingerprint, withdrawn_at__isnull=True)
    return {a.role: a for a in approvals.select_related("member")}


@transaction.atomic
def approve(minutes: Minutes, *, by: AbstractBaseUser) -> Minutes:
    """The president's or the rapporteur's approval; the minutes are approved once both stand."""
    from .minutes import minutes_queryset, record_fingerprint

    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    role = approving_role(minutes, by)
    if role is None:
        raise PermissionDenied(_("Only the president and the rapporteur of the board approve the minutes."))
    _require_state(minutes, State.IN_REVIEW)
    fingerprint = record_fingerprint(minutes_queryset().get(pk=minutes.session_id))
    created = Approval.objects.get_or_create(
        minutes=minutes,
        role=role,
        fingerprint=fingerprint,
        withdrawn_at__isnull=True,
        defaults={"member": by.member, "by": by},
    )[1]
    if not created:
        raise ValidationError(_("This approval is already recorded."), code="approved")
    if set(valid_approvals(minutes, fingerprint)) == set(Approval.Role.values):
        _move(minutes, State.APPROVED, by=by)
    return minutes


def sign(minutes: Minutes, *, by: AbstractBaseUser) -> Minutes:
    """Render the final PDF once, sign it with the institution's certificate, store it with its SHA-256.

    The row is locked while this runs (and SQLite runs write transactions one at a time), so two clicks
    or two workers produce one signature: the second finds the minutes signed and is refused.
    """
    from .minutes import facts_at_signature, minutes_queryset, record_fingerprint, render_minutes_pdf
    from .signing import sha256_hex, sign_pdf

    _require_secretariat(by)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        _require_state(minutes, State.APPROVED)
        session = minutes_queryset().get(pk=minutes.session_id)
        approvals = valid_approvals(minutes, record_fingerprint(session))
        if set(approvals) != set(Approval.Role.values):
            raise ValidationError(_("The approvals no longer match the record."), code="approvals")
        pdf = render_minutes_pdf(session, minutes=minutes, approvals=approvals)
        signed = sign_pdf(
            pdf,
            reason=f"محضر {session.title} — الصيغة {minutes.version}",
            location=session.place or "المغرب",
        )
        minutes.sha256 = sha256_hex(signed)
        minutes.pdf.save(
            f"{session.year}-{session.ordinal}-v{minutes.version}-{minutes.sha256[:12]}.pdf",
            ContentFile(signed),
            save=False,
        )
        minutes.signed_at = timezone.now()
        minutes.as_signed = facts_at_signature(session)
        minutes.save(update_fields=["pdf", "sha256", "signed_at", "as_signed"])
        return _move(minutes, State.SIGNED, by=by)


@transaction.atomic
def publish(minutes: Minutes, *, by: AbstractBaseUser) -> Minutes:
    _require_secretariat(by)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    _require_state(minutes, State.SIGNED)
    minutes.published_at = timezone.now()
    minutes.save(update_fields=["published_at"])
    return _move(minutes, State.PUBLISHED, by=by)


def perform(action: str, minutes: Minutes, *, by: AbstractBaseUser, reason: str = "") -> Minutes:
    """One of ACTIONS_BY_STATE by name, as the admin's buttons post it."""
    _require_secretariat(by)  # who first: someone not allowed learns nothing about the state
    if action not in ACTIONS_BY_STATE.get(minutes.state, []):
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
