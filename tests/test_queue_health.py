"""Work left waiting in the task queue shows: /health/queue/ tells the monitoring how long the oldest
ready task has waited (503 once no worker seems to take them), and the secretariat's home page says it."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from meetings.accounts import invitations
from tests import factory
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

STALLED = "ظل عمل ينتظر في الطابور"


def a_task_queued():
    invitations.tell(User.objects.create_user("rachidi", email="rachidi@entraide.ma"), "إشعار")


def test_an_empty_queue_is_healthy(client):
    answer = client.get("/health/queue/")

    assert answer.status_code == 200
    assert answer.json() == {"ready": 0, "longest_wait_seconds": 0, "alert_after_seconds": 600}


def test_a_task_waiting_a_moment_is_healthy(client):
    a_task_queued()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        answer = client.get("/health/queue/")

    assert answer.status_code == 200
    assert answer.json()["ready"] == 1 and 110 <= answer.json()["longest_wait_seconds"] <= 130


def test_a_task_waiting_past_the_alert_is_a_503_and_the_secretariat_is_told(client):
    a_task_queued()
    client.force_login(factory.secretariat_user())

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        answer = client.get("/health/queue/")
        home = visible_text(client.get("/admin/"))

    assert answer.status_code == 503
    assert answer.json()["longest_wait_seconds"] >= 660
    assert f"{STALLED} 11 دقيقة" in home


def test_the_secretariat_is_not_told_of_a_queue_being_worked(client):
    a_task_queued()
    client.force_login(factory.secretariat_user())

    assert STALLED not in visible_text(client.get("/admin/"))
