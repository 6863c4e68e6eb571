"""Sending the stored messages, by the task queue's worker (`manage.py db_worker`), never a request; and
how long the queue's work waits, for the monitoring and the secretariat's home page.

A message is composed and stored first (`meetings.convocation.messages.queue`, or the accounts' own), in
the transaction of the change that causes it, with the task that sends it (`deliver`).
"""

import datetime
import os

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from ..models import Message

# The queue's order when the workers have more than they can do at once (a burst of signatures, each a
# few seconds): the work that takes a moment and that someone waits for goes first, a message to send or
# the preview a secretary asked for; then the rest (signatures, reminders, renewals) as it came.
QUICK_FIRST = 10


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
