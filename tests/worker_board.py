"""What tests/test_worker_outage.py does in its own database: Python, run by `manage.py shell` there."""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from meetings.convocation.delivery import deliver
from meetings.models import Message


def queue_a_message(due_in_seconds: float) -> int:
    """A stored message to an account, its sending due in `due_in_seconds`."""
    user = User.objects.create_user("rachidi", email="rachidi@entraide.example")
    message = Message.objects.create(
        kind=Message.Kind.ACCOUNT_CHANGED,
        address=user.email,
        language="ar",
        subject="تغيير في حسابكم",
        text="رسالة تختبر صمود العامل.",
        html="<p>رسالة تختبر صمود العامل.</p>",
    )
    deliver.using(run_after=timezone.now() + datetime.timedelta(seconds=due_in_seconds)).enqueue(message.pk)
    return message.pk


def message_status(pk: int) -> str:
    message = Message.objects.get(pk=pk)
    return f"{message.status} {message.attempts}"
