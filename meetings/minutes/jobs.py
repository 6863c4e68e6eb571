"""The secretariat's long work, done by the task queue's worker (`manage.py db_worker`), never a request:
rendering the previews of the draft minutes and signing the minutes. A request only asks (`ask_preview`,
`ask_signature`) and returns at once; the secretariat follows the job on its page (meetings.models.jobs,
meetings.admin.jobs).
"""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from ..convocation.delivery import QUICK_FIRST
from ..models import Job, Minutes, Session
from ..models.jobs import PREVIEW_KEPT
from ..models.record import record_fingerprint
from . import lifecycle
from .pdf import TooManyPages, render_minutes_pdf

logger = logging.getLogger(__name__)


def ask_preview(session: Session, *, by) -> Job:
    """The preview of the draft minutes of `session` (fetched with `Session.objects.with_record()`) as
    they would print now: the one already made (or being made) of the same record today, or a new one in
    the queue."""
    fingerprint = record_fingerprint(session)
    earlier = (
        Job.objects.filter(kind=Job.Kind.PREVIEW, session=session, fingerprint=fingerprint)
        .exclude(status=Job.Status.FAILED)
        .filter(created_at__gte=timezone.now() - PREVIEW_KEPT)
        .first()
    )
    if earlier is not None:
        return earlier
    job = Job.ask(Job.Kind.PREVIEW, session, by=by, fingerprint=fingerprint)
    render_preview.enqueue(job.pk)
    return job


def ask_signature(minutes: Minutes, *, by) -> Job:
    """The signature of approved minutes, checked now (who asks, the state, the approvals) so that a
    refusal is said at once, then made by the worker (lifecycle.sign checks it all again)."""
    lifecycle.check_signature(minutes, by=by)
    job = Job.ask(Job.Kind.SIGNATURE, minutes.session, by=by, minutes=minutes)
    sign_minutes.enqueue(job.pk)
    return job


@task(priority=QUICK_FIRST)
def render_preview(job_id: int) -> str:
    return _work(job_id, _render_preview)


@task()
def sign_minutes(job_id: int) -> str:
    return _work(job_id, _sign)


def _sign(job: Job) -> Minutes:
    assert job.minutes is not None  # a signature's job names its minutes (ask_signature)
    return lifecycle.sign(job.minutes, by=job.requested_by, job=job)


def _render_preview(job: Job) -> None:
    session = Session.objects.with_record().get(pk=job.session_id)
    pdf = render_minutes_pdf(session, draft=True, on_page=job.laid_out)
    name = job.file.field.generate_filename(job, f"{session.year}-{session.ordinal}-{job.pk}.pdf")
    job.note_writing(name)
    job.file.name = job.file.storage.save(name, ContentFile(pdf))
    job.succeed(_("The preview is ready."))
    # The earlier previews of the session, once finished, are of an older record: their files go.
    earlier = Job.objects.filter(kind=Job.Kind.PREVIEW, session=job.session_id, pk__lt=job.pk).filter(
        status__in=[Job.Status.DONE, Job.Status.FAILED]
    )
    for name in earlier.exclude(file="").values_list("file", flat=True):
        job.file.storage.delete(name)
    earlier.delete()


def _work(job_id: int, work: Callable[[Job], object]) -> str:
    """Run one job once, and leave it done, or failed with a message in the language of who asked it."""
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    ):
        return "nothing to do"  # already taken, or given up
    job = Job.objects.select_related("session", "minutes", "requested_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            work(job)
        except TooManyPages as refusal:
            job.fail(refusal.message + " " + job.nothing_kept())
        except (ValidationError, PermissionDenied) as refusal:
            messages = refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]
            job.fail(" ".join(messages))
        except OSError as error:
            logger.exception("job %s: the file could not be written", job_id)
            job.fail(
                _(
                    "The file could not be written (%(error)s): the server's storage may be full; tell the IT team."
                )
                % {"error": error.strerror or type(error).__name__}
                + " "
                + job.nothing_kept()
            )
        except Exception:
            logger.exception("job %s failed", job_id)
            job.fail(_("The work failed on an unexpected error, which is logged.") + " " + job.nothing_kept())
    return job.status
