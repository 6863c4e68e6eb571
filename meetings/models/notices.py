"""Telling people: the convocations of a session, and every message the app sends.

A message is a row written in the transaction of the change that causes it; the task queue's worker
sends it (meetings.tasks.deliver), so that nothing is sent from a request and nothing is lost while the
mail server is away.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .board import Member
from .session import Document, Session


class Convocation(models.Model):
    """One notice of a session to its board: the convocation, each update after a change of date, time
    or place (its calendar SEQUENCE one higher), or the cancellation. What it announced is kept, so that
    a later change is seen."""

    class Method(models.TextChoices):
        REQUEST = "request", _("convocation")
        CANCEL = "cancel", _("cancellation")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="convocations"
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    method = models.CharField(_("notice"), max_length=10, choices=Method, default=Method.REQUEST)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    short_notice_reason = models.TextField(
        _("reason for the short notice"),
        blank=True,
        help_text=_("Why the convocation went out fewer days ahead than the board's delay."),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["session", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"],
                name="convocation_unique_sequence",
                violation_error_message=_("This session already has a convocation with this sequence."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_method_display()} {self.sequence}"

    ANNOUNCED = ("date", "start_time", "end_time", "place")

    @classmethod
    def announcing(cls, session: Session, **fields) -> "Convocation":
        """A convocation that announces the session as it stands."""
        return cls(session=session, **{name: getattr(session, name) for name in cls.ANNOUNCED}, **fields)

    def announces(self, session: Session) -> bool:
        """Whether the session is still as this convocation announced it."""
        return all(getattr(self, name) == getattr(session, name) for name in self.ANNOUNCED)

    @property
    def days_ahead(self) -> int:
        return (self.date - timezone.localtime(self.sent_at).date()).days


class Message(models.Model):
    """One e-mail to one person, in their language, as it was composed; its delivery as it went."""

    class Kind(models.TextChoices):
        CONVOCATION = "convocation", _("convocation")
        CONVOCATION_UPDATE = "convocation_update", _("convocation changed")
        CANCELLATION = "cancellation", _("session cancelled")

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNREACHABLE = "unreachable", _("no address")

    kind = models.CharField(_("message kind"), max_length=30, choices=Kind)
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    address = models.EmailField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"))
    calendar = models.TextField(_("calendar invitation"), blank=True)
    documents = models.ManyToManyField(Document, verbose_name=_("attached documents"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="message_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | Q(~Q(status="sent"), sent_at__isnull=True),
                name="message_sent_iff_sent_at",
                violation_error_message=_("A message has a sending time once sent, and only then."),
            ),
            models.CheckConstraint(
                condition=Q(status="unreachable") | ~Q(address=""),
                name="message_address_unless_unreachable",
                violation_error_message=_("A message to send needs an address."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    # Waits between attempts while the mail server refuses or does not answer; then the message fails
    # and stays listed for the secretariat, who can send it again.
    RETRY_DELAYS = (
        datetime.timedelta(seconds=30),
        datetime.timedelta(minutes=2),
        datetime.timedelta(minutes=10),
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=6),
    )

    def next_attempt_delay(self) -> datetime.timedelta | None:
        """How long to wait before the next attempt after `attempts` failed ones; None to give up."""
        if self.attempts > len(self.RETRY_DELAYS):
            return None
        return self.RETRY_DELAYS[self.attempts - 1]
