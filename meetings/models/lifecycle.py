"""The minutes of a session as a document with a life: versions, states, approvals, comments, history.

Which move is allowed to whom lives in `meetings/lifecycle.py`; these models only hold the facts.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .board import Member
from .session import AgendaItem, Session


def verification_code() -> str:
    """The short random code printed in the minutes' QR code: unguessable, unlike a version number."""
    return secrets.token_urlsafe(12)


class MinutesQuerySet(models.QuerySet):
    def published(self) -> "MinutesQuerySet":
        return self.filter(state=Minutes.State.PUBLISHED)


class Minutes(models.Model):
    """One version of the minutes (محضر) of a session, from draft to published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")
        SIGNED = "signed", _("signed")
        PUBLISHED = "published", _("published")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="minutes_versions"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.DRAFT)
    reason = models.TextField(_("reason for this version"), blank=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=verification_code)
    pdf = models.FileField(_("signed PDF"), upload_to="minutes/signed/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True, db_index=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # What the signed record shows that lives outside it, as it was at signature: the names and titles of
    # the people it names (chair, attendance, proxies) and the quorum (counted from the seats of the day).
    # The public page shows these, as the signed PDF does, whatever is edited later in the members' rows
    # or the board's seats (see meetings.minutes.facts_at_signature).
    as_signed = models.JSONField(_("as signed"), default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
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
        return self.state in {self.State.SIGNED, self.State.PUBLISHED}

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
        return f"{self.get_source_display() or '—'} → {self.get_target_display()}"


class Approval(models.Model):
    """The president's or the rapporteur's approval of one version, for the record as it then stood."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("president")
        RAPPORTEUR = "rapporteur", _("rapporteur")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="approvals"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="approvals"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("date and time"), auto_now_add=True)
    # A hash of the record (see meetings.minutes.record_fingerprint): an approval counts only while the
    # record is what was approved; any later change withdraws it.
    fingerprint = models.CharField(_("record fingerprint"), max_length=64)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.member}"


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
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.OPEN)
    reply = models.TextField(_("reply"), blank=True, max_length=5000)
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
