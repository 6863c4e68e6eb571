"""What the task queue's worker does (`manage.py db_worker`), never a request: sending the messages,
rendering the previews of the draft minutes and signing the minutes. A request only asks (`ask_preview`,
`ask_signature`) and returns at once; the secretariat follows the job on its page (meetings.models.jobs).
"""

import datetime
import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from . import lifecycle
from .models import Job, Message, Minutes, Session
from .models.jobs import PREVIEW_KEPT
from .models.record import record_fingerprint
from .pdf import TooManyPages, render_minutes_pdf

# The queue's order when the workers have more than they can do at once (a burst of signatures, each a
# few seconds): the work that takes a moment and that someone waits for goes first, a message to send or
# the preview a secretary asked for; then the rest (signatures, reminders, renewals) as it came.
QUICK_FIRST = 10

logger = logging.getLogger(__name__)


def longest_wait() -> tuple[int, datetime.timedelta]:
    """How many tasks are ready to run now, and how long the one ready the longest has waited (since it
    was queued, or since it fell due): a worker takes a task within seconds, so a long wait means none
    runs (/health/queue/, the secretariat's home page)."""
    ready = DBTaskResult.objects.ready()
    facts = ready.aggregate(
        count=Count("pk"),
        queued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        due=Min("run_after", filter=~Q(run_after=get_date_max())),
    )
    since = min((moment for moment in (facts["queued"], facts["due"]) if moment), default=None)
    return facts["count"], (timezone.now() - since if since else datetime.timedelta(0))


def stalled(wait: datetime.timedelta) -> bool:
    """A wait past settings.QUEUE_WAIT_ALERT_MINUTES: no worker takes the tasks."""
    return wait > datetime.timedelta(minutes=settings.QUEUE_WAIT_ALERT_MINUTES)


def email(message: Message) -> EmailMultiAlternatives:
    """The stored message as an e-mail: its text, its HTML, the calendar invitation as the alternative
    Outlook and phones read (text/calendar with its METHOD), and the attached documents. Replies go to
    the board's secretariat."""
    board = message.session.board if message.session else None
    reply_to = [board.secretariat_email] if board is not None and board.secretariat_email else []
    mail = EmailMultiAlternatives(message.subject, message.text, to=[message.address], reply_to=reply_to)
    mail.attach_alternative(message.html, "text/html")
    if message.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in message.calendar else "REQUEST"
        mail.attach_alternative(message.calendar, f"text/calendar; method={method}")
    for document in message.documents.all():
        with document.file.open("rb") as file:
            mail.attach(os.path.basename(document.file.name), file.read(), "application/pdf")
    return mail


@task(priority=QUICK_FIRST)
def deliver(message_id: int) -> str:
    """Send one stored message, once.

    The row is locked while it is sent, so that a second worker given the same message waits and then
    finds it sent; it is marked sent in the same breath as the server accepts it. A server that refuses
    or does not answer counts as an attempt: the message is queued again after a growing wait
    (`Message.RETRY_DELAYS`), then left as failed for the secretariat to see.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("session__board")
            .filter(pk=message_id, status=Message.Status.PENDING)
            .first()
        )
        if message is None:
            return "nothing to send"
        message.attempts += 1
        try:
            email(message).send()
        except Exception as error:  # noqa: BLE001 (whatever stopped it is kept on the row, for the admin)
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            delay = message.next_attempt_delay()
            if delay is None:
                message.status = Message.Status.FAILED
            else:
                deliver.using(run_after=timezone.now() + delay).enqueue(message.pk)
            message.save(update_fields=["attempts", "last_error", "status"])
            return f"attempt {message.attempts} failed: {message.last_error}"
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


# The secretariat's long work: asked by a request, done here.


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
    return _work(job_id, lambda job: lifecycle.sign(job.minutes, by=job.requested_by, job=job))


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
