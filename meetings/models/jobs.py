"""Work the task queue does for the secretariat, never a request: the preview of the draft minutes and
their signature (meetings.minutes.jobs). A job is what the person who asked follows: queued, running (with the
pages laid out so far), done with its result, or failed with what to do about it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .minutes import Minutes
from .session import Session

# A job that has run this long has lost its worker (killed, or its machine stopped): nothing it did was
# committed (a signature commits with its job's success), and what it may have written is removed.
ABANDONED_AFTER = datetime.timedelta(minutes=10)
# A preview of the same record is shown again for a day instead of being rendered anew.
PREVIEW_KEPT = datetime.timedelta(days=1)


UNDER_WAY = _("The signature of these minutes is already under way.")


class JobQuerySet(models.QuerySet):
    def open(self) -> "JobQuerySet":
        return self.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])

    def abandoned(self) -> "JobQuerySet":
        return self.filter(status=Job.Status.RUNNING, started_at__lt=timezone.now() - ABANDONED_AFTER)

    def give_up_abandoned(self) -> int:
        """Mark the abandoned jobs failed, and remove the file each may have been writing."""
        given_up = 0
        for job in self.abandoned():
            job.fail(
                gettext("The work stopped before it was done (its worker stopped).")
                + " "
                + job.nothing_kept()
            )
            given_up += 1
        return given_up


class Job(models.Model):
    """One piece of long work asked by a person: a preview of a session's draft minutes, or the signature
    of a version; followed on its progress page (meetings.admin.jobs), done by meetings.minutes.jobs."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("preview of the draft minutes")
        SIGNATURE = "signature", _("signature of the minutes")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for its turn")
        RUNNING = "running", _("under way")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="jobs"
    )
    minutes = models.ForeignKey(
        Minutes,
        verbose_name=_("minutes"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # The messages of the job are written in the language of the person who asked.
    language = models.CharField(_("language"), max_length=10, default="ar")
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.QUEUED)
    pages = models.PositiveIntegerField(_("pages laid out"), default=0)
    # The record the preview prints: the same record is not rendered twice.
    fingerprint = models.CharField(_("fingerprint of the record"), max_length=64, blank=True)
    file = models.FileField(_("preview"), upload_to="minutes/previews/", blank=True)
    # The file the job is about to write, saved before it is written: if the worker dies after writing
    # it, the file is found and removed (JobQuerySet.give_up_abandoned).
    writing = models.CharField(_("file being written"), max_length=200, blank=True, editable=False)
    message = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("work in the queue")
        verbose_name_plural = _("work in the queue")
        ordering = ["-created_at"]
        constraints = [
            # Two clicks, two secretaries or two tabs: one signature of a version is under way at a time.
            models.UniqueConstraint(
                fields=["minutes"],
                condition=Q(kind="signature", status__in=["queued", "running"]),
                name="job_one_signature_under_way",
                violation_error_message=UNDER_WAY,
            ),
            models.CheckConstraint(
                condition=Q(kind="preview") | Q(minutes__isnull=False),
                name="job_signature_names_its_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.session}"

    def get_absolute_url(self) -> str:
        return reverse("admin:meetings_job_progress", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    def queued_before(self) -> int:
        """How many jobs the worker takes before this one."""
        if self.status != self.Status.QUEUED:
            return 0
        return Job.objects.filter(status=self.Status.QUEUED, created_at__lt=self.created_at).count()

    def where_it_stands(self) -> str:
        """In a sentence, for the progress page (and its script, which updates it)."""
        if self.status == self.Status.QUEUED:
            queued_before = self.queued_before()
            if queued_before:
                return gettext("Waiting for its turn: %(count)d before it in the queue.") % {
                    "count": queued_before
                }
            return gettext("Waiting for the worker to take it.")
        if self.status == self.Status.RUNNING:
            if self.pages:
                return gettext("Under way: page %(page)d laid out.") % {"page": self.pages}
            return gettext("Under way.")
        return self.message

    # What the worker records, each in its own short write, so that the page following the job sees it
    # (meetings.minutes.jobs starts the job).

    def nothing_kept(self) -> str:
        """What a failure leaves, said to whoever asked."""
        if self.kind == self.Kind.SIGNATURE:
            return gettext("Nothing was signed: the minutes are still approved; sign them again.")
        return gettext("Nothing was kept; ask for the preview again.")

    def laid_out(self, pages: int) -> None:
        self.pages = pages
        Job.objects.filter(pk=self.pk).update(pages=pages)

    def note_writing(self, name: str) -> None:
        self.writing = name
        self.save(update_fields=["writing"])

    def succeed(self, message: str) -> None:
        self.status, self.message, self.finished_at = self.Status.DONE, message, timezone.now()
        self.writing = ""
        self.save(update_fields=["status", "message", "finished_at", "writing", "file", "pages"])

    def fail(self, message: str) -> None:
        """Failed, with what to do about it; the file it was writing, if no signed minutes keep it, removed."""
        Minutes.objects.remove_unkept_file(self.file.storage, self.writing)
        self.status, self.message, self.finished_at = self.Status.FAILED, message, timezone.now()
        self.writing = ""
        self.save(update_fields=["status", "message", "finished_at", "writing"])

    @classmethod
    def ask(cls, kind: str, session: Session, *, by, minutes: Minutes | None = None, **fields) -> "Job":
        """A new job, queued; a refusal (ValidationError) if the same signature is already under way."""
        Job.objects.filter(session=session).give_up_abandoned()
        try:
            with transaction.atomic():
                return Job.objects.create(
                    kind=kind,
                    session=session,
                    minutes=minutes,
                    requested_by=by,
                    language=get_language() or settings.LANGUAGE_CODE,
                    **fields,
                )
        except IntegrityError:  # one is under way already (job_one_signature_under_way)
            raise ValidationError(UNDER_WAY, code="under_way") from None
