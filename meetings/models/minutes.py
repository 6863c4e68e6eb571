"""The minutes of a session as a document with a life: versions, states, approvals, comments, history.

    draft -> in review -> approved -> signed -> published
      ^----------'   (back to draft, with a reason)

`MOVES` is the state machine, written once: each action, the states it may start from, the state it
leads to. `Minutes.move` performs one and records it; who may ask for which lives in
`meetings.minutes.lifecycle`.
"""

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..seal.personal import same_name
from ..seal.signing import PERSON_FIELDS
from ..text.grammar import in_gender
from .board import Board, Member, of_the_public_site
from .interests import Declaration
from .record import (
    SHORT_TEXT,
    agenda_fields,
    at_most,
    follow_up_fields,
    opening_fields,
    record_date,
    record_fingerprint,
    resolution_fields,
    session_fields,
)
from .session import AgendaItem, Attendance, Quorum, Session

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, StrPromise

    from ..seal.signing import Signer


def verification_code() -> str:
    """The short random code printed in the minutes' QR code: unguessable, unlike a version number."""
    return secrets.token_urlsafe(12)


class MinutesQuerySet(models.QuerySet):
    def published(self) -> "MinutesQuerySet":
        return self.filter(state=Minutes.State.PUBLISHED)

    def public(self) -> "MinutesQuerySet":
        """The published versions the public reads: of the board the public site is about."""
        return self.published().filter(of_the_public_site("session__board"))

    def remove_unkept_file(self, storage, name: str) -> None:
        """Delete the stored file `name` (a signature's or a preview's), unless a version keeps it."""
        if name and not self.filter(pdf=name).exists():
            storage.delete(name)


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    APPROVED = "approved", _("approved")
    SIGNED = "signed", _("signed")
    PUBLISHED = "published", _("published")


SIGNED_STATES = frozenset({State.SIGNED, State.PUBLISHED})


@dataclass(frozen=True)
class Move:
    """One action of the lifecycle: the states it may start from, and the state it leads to."""

    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    # A button of the secretariat on the minutes' admin page; the others are the approvers' (approve)
    # or happen by themselves (withdraw).
    by_secretariat: bool = True
    # What cannot be undone, said before the button does it; the button asks for it to be confirmed.
    consequence: "StrOrPromise" = ""


MOVES: dict[str, Move] = {
    "submit": Move(frozenset({State.DRAFT}), State.IN_REVIEW),
    # Each approval is taken in review; the second of the two moves the minutes to approved.
    "approve": Move(frozenset({State.IN_REVIEW}), State.APPROVED, by_secretariat=False),
    # The record, or who approves it, changed after approval.
    "withdraw": Move(frozenset({State.APPROVED}), State.IN_REVIEW, by_secretariat=False),
    "sign": Move(
        frozenset({State.APPROVED}),
        State.SIGNED,
        consequence=_(
            "The institution's seal and the archival timestamp go on the PDF the president and the "
            "rapporteur signed: from then on, the session's record can no longer change; a correction is "
            "a new version."
        ),
    ),
    "publish": Move(
        frozenset({State.SIGNED}),
        State.PUBLISHED,
        consequence=_(
            "The signed minutes become public, on the session's page, in the register and the search, "
            "for good: publication cannot be withdrawn."
        ),
    ),
    # A correction: a new version, in draft, after the latest one was signed.
    "new_version": Move(SIGNED_STATES, State.DRAFT, needs_reason=True),
    "return_to_draft": Move(frozenset({State.IN_REVIEW, State.APPROVED}), State.DRAFT, needs_reason=True),
}


class Minutes(models.Model):
    """One version of the minutes (محضر) of a session, from draft to published."""

    State = State

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="minutes_versions"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.DRAFT)
    reason = models.TextField(_("reason for this version"), blank=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=verification_code)
    pdf = models.FileField(_("signed PDF"), upload_to="minutes/signed/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True, db_index=True)
    # What the signature vouches for (meetings.seal.signing.signed_content_sha256): a copy whose unsigned
    # padding or trailing whitespace differs is still this signed document.
    signed_content_sha256 = models.CharField(
        _("SHA-256 of what the signature covers"), max_length=64, blank=True, db_index=True, editable=False
    )
    # The seal certificate that signed (the SHA-256 of its DER), pinned: /verify/ calls authentic only a
    # copy signed by this very certificate.
    signer_certificate_sha256 = models.CharField(
        _("SHA-256 of the signer's certificate"), max_length=64, blank=True, editable=False
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # The whole record as signed (`meetings.models.record.session_record`, also attached to the PDF as
    # session.json): the public pages of a published version are drawn from it, never from the working
    # rows, which a correction may be changing.
    record = models.JSONField(_("record as signed"), default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = pgettext_lazy("plural", "minutes")  # procès-verbaux, المحاضر
        ordering = ["session", "-version"]
        permissions = [("manage_minutes", _("Can move minutes through review, signature and publication"))]
        indexes = [
            # "Are this session's minutes published?", asked for every row the public pages consider:
            # answered from the index alone.
            models.Index(fields=["session", "state"], name="minutes_session_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "version"],
                name="minutes_unique_version",
                violation_error_message=_("This version of the minutes already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["signed", "published"]) | (~Q(sha256="") & ~Q(pdf="")),
                name="minutes_signed_has_its_file",
                violation_error_message=_("Signed minutes keep their signed file and its SHA-256."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {_('version')} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:verify_code", kwargs={"code": self.code})

    @property
    def is_signed(self) -> bool:
        return self.state in SIGNED_STATES

    # The lifecycle: MOVES, performed.

    def actions_offered(self) -> list[str]:
        """The secretariat's buttons in the current state."""
        return [name for name, move in MOVES.items() if move.by_secretariat and self.state in move.sources]

    def require(self, action: str) -> Move:
        """The move `action`, if the minutes' state allows it; a ValidationError for the user otherwise."""
        move = MOVES[action]
        if self.state not in move.sources:
            raise ValidationError(
                gettext("This is not possible while the minutes are «%(state)s».")
                % {"state": self.get_state_display()},
                code="state",
            )
        return move

    def move(self, action: str, *, by=None, reason: str = "") -> "Minutes":
        """Perform `action` (MOVES) and record it in the history: who, when, from, to, why."""
        move = self.require(action)
        Transition.objects.create(minutes=self, source=self.state, target=move.target, by=by, reason=reason)
        self.state = move.target
        self.save(update_fields=["state"])
        return self

    # Approvals.

    def valid_approvals(self, fingerprint: str | None = None) -> "dict[str, Approval]":
        """The approvals given to the record as it stands now, by role; `fingerprint` is the record's,
        when the caller has already worked it out."""
        if fingerprint is None:
            fingerprint = record_fingerprint(Session.objects.with_record().get(pk=self.session_id))
        approvals = self.approvals.filter(fingerprint=fingerprint, withdrawn_at__isnull=True)
        return {a.role: a for a in approvals.select_related("member")}

    def fully_approved(self, approvals: "dict[str, Approval]") -> bool:
        """Every role the board's rules name approved (`Board.signing_roles`), the president and the
        rapporteur by two different members through two different accounts."""
        roles = self.session.board.signing_roles
        found = [approvals[role] for role in roles if role in approvals]
        return (
            len(found) == len(roles)
            and len({a.member_id for a in found}) == len(found)
            and len({a.by_id for a in found}) == len(found)
        )

    def recheck_approvals(self) -> None:
        """Approved minutes whose approvals no longer hold (the record, a seat or an account changed) go
        back to review, the approvals that no longer match withdrawn."""
        if self.state != State.APPROVED:
            return  # in review, an approval of an earlier record simply does not count (valid_approvals)
        valid = self.valid_approvals()
        stale = self.approvals.filter(withdrawn_at__isnull=True).exclude(
            pk__in=[a.pk for a in valid.values()]
        )
        stale.update(withdrawn_at=timezone.now())
        if not self.fully_approved(valid):
            self.move(
                "withdraw", reason=gettext("The record changed after approval; the approvals are withdrawn.")
            )

    # The record as signed.

    def signed_session(self) -> Session:
        """The session as this version's record tells it: the objects the working rows would give
        (Session, Attendance, AgendaItem, Resolution, FollowUp), built in memory from the snapshot for
        the pages to show, never saved (the record is frozen: a save would be refused)."""
        return _session_from_record(self.record, pk=self.session_id, board_id=self.session.board_id)

    def signed_quorum(self) -> Quorum:
        return Quorum.from_record(self.record["quorum"])

    def newest_copy(self):
        """The newest archived copy of this signed version (meetings.models.archive), else the version
        itself: either has the `pdf` and `sha256` of a stored file."""
        return self.archived_copies.order_by("-timestamped_at").first() or self

    def superseded_by(self, *, published_only: bool = False) -> "Minutes | None":
        """The later version signed since, if any: this one then only stays for the record.

        The public pages ask for a published successor only: a correction signed but not yet published
        is not public, and naming it would print its code and link to a page that answers 404."""
        states = [self.State.PUBLISHED] if published_only else [self.State.SIGNED, self.State.PUBLISHED]
        return (
            Minutes.objects.filter(session_id=self.session_id, version__gt=self.version, state__in=states)
            .order_by("version")
            .first()
        )


class Transition(models.Model):
    """One move of a version of the minutes from a state to another: who, when, from, to, why."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="transitions"
    )
    source = models.CharField(_("from"), max_length=20, choices=Minutes.State, blank=True)
    target = models.CharField(_("to"), max_length=20, choices=Minutes.State)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("date and time"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("history")
        ordering = ["minutes", "at", "pk"]

    def __str__(self) -> str:
        # The arrow points from the state left to the state reached in the reading direction.
        arrow = "←" if get_language_bidi() else "→"
        return f"{self.get_source_display() or '—'} {arrow} {self.get_target_display()}"


def signature_whole(name: str, message: "StrOrPromise") -> models.CheckConstraint:
    """A person's signature kept whole, or none at all: the signed file, its SHA-256, the certificate's
    and the time it was signed (an approval's, a written answer's)."""
    return models.CheckConstraint(
        condition=Q(signed_pdf="", signed_pdf_sha256="", certificate_sha256="", signed_at__isnull=True)
        | (
            ~Q(signed_pdf="")
            & ~Q(signed_pdf_sha256="")
            & ~Q(certificate_sha256="")
            & Q(signed_at__isnull=False)
        ),
        name=name,
        violation_error_message=message,
    )


class Approval(models.Model):
    """The president's or the rapporteur's approval of one version, for the record as it then stood."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("president")
        RAPPORTEUR = "rapporteur", _("rapporteur")

    class Factor(models.TextChoices):
        """The second factor the person gave with the approval (meetings.accounts.second_factor.step_up)."""

        APP = "app", _("authenticator app")
        PASSKEY = "passkey", _("passkey")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="approvals"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="approvals"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("date and time"), auto_now_add=True)
    # A hash of the record and of who approves it (meetings.models.record.record_fingerprint): an
    # approval counts only while both are what was approved; any later change withdraws it.
    fingerprint = models.CharField(_("record fingerprint"), max_length=64)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Empty only for approvals given before the step-up was asked (meetings' migration 0027): PostgreSQL
    # refuses a new approval without a factor given in the five minutes before it.
    factor = models.CharField(_("second factor given"), max_length=10, choices=Factor, blank=True)
    factor_at = models.DateTimeField(_("second factor given at"), null=True, blank=True)
    # The person's own signature (meetings.seal.personal): the minutes as rendered once for signature, with
    # the signatures given before this one and this one on top. Empty only for approvals given before the
    # approvals were signed (meetings' migration 0030): PostgreSQL refuses a new approval without it.
    signed_pdf = models.FileField(_("signed copy"), upload_to="minutes/approved/", blank=True)
    signed_pdf_sha256 = models.CharField(_("SHA-256 of the signed copy"), max_length=64, blank=True)
    certificate_sha256 = models.CharField(_("SHA-256 of the signer's certificate"), max_length=64, blank=True)
    certificate_name = models.CharField(_("name in the certificate"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["minutes", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "role", "fingerprint"],
                condition=Q(withdrawn_at__isnull=True),
                name="approval_once_per_role_and_record",
                violation_error_message=_("This approval is already recorded."),
            ),
            # The two approvals of a record come from two people through two accounts.
            models.UniqueConstraint(
                fields=["minutes", "member", "fingerprint"],
                condition=Q(withdrawn_at__isnull=True),
                name="approval_once_per_member_and_record",
                violation_error_message=_("The two approvals come from two different people."),
            ),
            models.UniqueConstraint(
                fields=["minutes", "by", "fingerprint"],
                condition=Q(withdrawn_at__isnull=True),
                name="approval_once_per_account_and_record",
                violation_error_message=_("The two approvals come from two different people."),
            ),
            signature_whole(
                "approval_signature_whole",
                _("A signed approval keeps its file, its certificate and its time."),
            ),
            models.CheckConstraint(
                condition=Q(factor="", factor_at__isnull=True) | (~Q(factor="") & Q(factor_at__isnull=False)),
                name="approval_factor_with_its_time",
                violation_error_message=_("An approval names the second factor given, and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_label} — {self.member}"

    def is_signed_by(self, signer: "Signer | None") -> bool:
        """Whether `signer`, a person's signature found in a file (meetings.seal.signing.Signer), is this
        approval's: sound, in the field of its seat, by the certificate recorded with it, and in the name
        of the member who gave it. The seal is put, and /verify/ says «authentic», only on such."""
        return (
            signer is not None
            and signer.sound
            and signer.field == PERSON_FIELDS[self.role]
            and signer.certificate_sha256 == self.certificate_sha256
            and same_name(signer.name, self.member.name_ar)
        )

    @property
    def role_label(self) -> str:
        """«الرئيس», or «الرئيسة» when the president is a woman."""
        return in_gender(
            Approval.Role(self.role).label, FEMININE_APPROVERS.get(self.role), self.member.gender
        )


class Comment(models.Model):
    """A board member's comment on the draft minutes, answered by the secretariat."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        TAKEN = "taken", _("taken into account")
        DECLINED = "declined", _("declined")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="comments"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        help_text=_("Empty for a comment on the minutes as a whole."),
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(_("comment"), max_length=SHORT_TEXT)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.OPEN)
    reply = models.TextField(_("reply"), blank=True, max_length=SHORT_TEXT)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["minutes", "created_at"]
        constraints = [
            at_most("text", SHORT_TEXT),
            at_most("reply", SHORT_TEXT),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(reply=""),
                name="comment_answered_with_a_reply",
                violation_error_message=_("A comment taken into account or declined needs a reply."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.text[:60]}"

    def sign_reply(self, user) -> None:
        """A comment answered now (taken into account or declined) is signed with who answered it and when;
        an answer already signed keeps its signature."""
        if self.status != self.Status.OPEN and self.replied_by_id is None:
            self.replied_by, self.replied_at = user, timezone.now()


# The approvers' roles in the feminine, for a woman (Gender).
FEMININE_APPROVERS: "dict[str, StrPromise]" = {
    Approval.Role.PRESIDENT: pgettext_lazy("woman", "president"),
    Approval.Role.RAPPORTEUR: pgettext_lazy("woman", "rapporteur"),
}


def _member(person: dict | None) -> Member | None:
    return Member(**person) if person else None


def _session_from_record(record: dict, *, pk: int, board_id: int) -> Session:
    # meetings never imports decisions: their models are reached through Session's relations.
    resolution_model = Session.resolutions.rel.related_model
    follow_up_model = Session.follow_ups.rel.related_model
    assert isinstance(resolution_model, type) and isinstance(follow_up_model, type)  # reverse relations
    facts = record["session"]
    session = Session(
        pk=pk,
        board=Board(pk=board_id, **record["board"]),
        chair=_member(facts["chaired_by"]),
        **opening_fields(record),
        **session_fields(record),
    )
    session._state.adding = False
    items = {
        item["position"]: AgendaItem(session=session, **agenda_fields(item)) for item in record["agenda"]
    }
    for data in record["agenda"]:
        item = items[data["position"]]
        item.recorded_declarations = [
            Declaration(
                session=session,
                agenda_item=item,
                member=_member(d["member"]),
                reason=d["reason"],
                source=d["source"],
            )
            for d in data.get("declarations", [])
        ]
        if "quorum" in data:
            item.recorded_quorum = Quorum.from_record(data["quorum"])
    resolutions = [
        resolution_model(session=session, agenda_item=items.get(r["agenda_item"]), **resolution_fields(r))
        for r in record["resolutions"]
    ]
    follow_ups = []
    for f in record["follow_ups"]:
        year, ordinal, sequence = f["resolution_parts"]
        followed = resolution_model(
            session=Session(year=year, ordinal=ordinal),
            sequence=sequence,
            title=f["resolution_title"],
            title_fr=f.get("resolution_title_fr", ""),
            outcome=f["resolution_outcome"],
            due_date=record_date(f["resolution_due_date"]),
        )
        follow_ups.append(follow_up_model(session=session, resolution=followed, **follow_up_fields(f)))
    # Django's cache of prefetched rows, which no public API fills without a query: the pages read these
    # rows through the relations (session.attendances.all()), as they read the working ones.
    session._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "attendances": [
            Attendance(
                session=session,
                member=_member(a["member"]),
                status=a["status"],
                proxy=_member(a["proxy_member"]),
            )
            for a in record["attendance"]
        ],
        "agenda_items": list(items.values()),
        "resolutions": resolutions,
        "follow_ups": follow_ups,
    }
    return session
