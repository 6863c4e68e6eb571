"""The members' answers to a written consultation (a Session of kind «written»): each voting member's vote
on the draft resolution put to them between sessions, given once, with the second factor given for it
(meetings.convocation.written says who may answer, until when, and what the answers decide)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .board import Member
from .minutes import Approval, signature_whole
from .session import Session, SessionQuerySet


class WrittenConsultationManager(models.Manager.from_queryset(SessionQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        return super().get_queryset().filter(kind=Session.Kind.WRITTEN)


class WrittenConsultation(Session):
    """A written consultation, as the secretariat's admin lists it apart from the sessions."""

    objects = WrittenConsultationManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("written consultation")
        verbose_name_plural = _("written consultations")

    def save(self, *args, **kwargs) -> None:
        self.kind = Session.Kind.WRITTEN
        super().save(*args, **kwargs)


class WrittenVote(models.Model):
    """One member's answer to a written consultation: for, against or abstaining. Final once given."""

    class Choice(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        ABSTAIN = "abstain", _("abstain")

    # The second factor given for the answer, as for an approval (meetings.accounts.second_factor.step_up).
    Factor = Approval.Factor

    session = models.ForeignKey(
        Session,
        verbose_name=_("written consultation"),
        on_delete=models.PROTECT,
        related_name="written_votes",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="written_votes"
    )
    choice = models.CharField(_("vote"), max_length=10, choices=Choice)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("answered at"), auto_now_add=True)
    factor = models.CharField(_("second factor given"), max_length=10, choices=Factor)
    factor_at = models.DateTimeField(_("second factor given at"))
    # The member's own signature on their answer, where they hold a credential at the signing service
    # (meetings.seal.personal): the answer as a page of its own, signed. Empty for a member without one.
    signed_pdf = models.FileField(_("signed answer"), upload_to="written/answers/", blank=True)
    signed_pdf_sha256 = models.CharField(_("SHA-256 of the signed answer"), max_length=64, blank=True)
    certificate_sha256 = models.CharField(_("SHA-256 of the signer's certificate"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("written vote")
        verbose_name_plural = _("written votes")
        ordering = ["session", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="written_vote_once_per_member",
                violation_error_message=_("This member has already answered this consultation."),
            ),
            models.CheckConstraint(
                condition=~Q(factor=""),
                name="written_vote_with_second_factor",
                violation_error_message=_("An answer is given with the member's second factor."),
            ),
            signature_whole(
                "written_vote_signature_whole",
                _("A signed answer keeps its file, its certificate and its time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_choice_display()}"

    def save(self, *args, **kwargs) -> None:
        # Final once given (the database refuses a change: migration 0036); given only while the
        # consultation takes answers, from anywhere (migration 0037 for the database).
        if self._state.adding:
            self.session.check_takes_written_answers()
        super().save(*args, **kwargs)
