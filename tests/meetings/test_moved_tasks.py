"""Tasks queued before meetings/ was grouped by concept run after it: migration 0029 gives the rows still
queued under a moved task's old path its new one."""

import importlib

import pytest
from django.apps import apps
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from meetings.convocation.delivery import deliver

moved = importlib.import_module("meetings.migrations.0029_queued_tasks_moved")


@pytest.mark.parametrize("old, new", moved.MOVED.items())
def test_each_new_path_is_the_task(old, new):
    assert isinstance(import_string(new), Task)
    assert import_string(new).module_path == new


@pytest.mark.django_db
def test_a_task_queued_under_its_old_path_runs_under_its_new_one():
    queued = deliver.enqueue(0)
    DBTaskResult.objects.filter(pk=queued.id).update(task_path="meetings.tasks.deliver")

    moved._rename(moved.MOVED.items())(apps, None)

    row = DBTaskResult.objects.get(pk=queued.id)
    assert row.task_path == "meetings.convocation.delivery.deliver"
    assert row.task.func is deliver.func
