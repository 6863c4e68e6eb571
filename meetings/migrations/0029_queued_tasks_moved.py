"""Seven tasks moved when meetings/ was grouped by concept, and a queued task names its function by its
path (django-tasks keeps it in each row): the rows still queued under an old path (a convocation's
reminder due next month, a timestamp renewal due next year, a message's next attempt) take the new one, so
that no worker fails on them after the upgrade. Backwards, the old paths again."""

from django.db import migrations

MOVED = {
    "meetings.tasks.deliver": "meetings.convocation.delivery.deliver",
    "meetings.tasks.render_preview": "meetings.minutes.jobs.render_preview",
    "meetings.tasks.sign_minutes": "meetings.minutes.jobs.sign_minutes",
    "meetings.accounts.send_password_link": "meetings.accounts.invitations.send_password_link",
    "meetings.notices.remind_convened": "meetings.convocation.convening.remind_convened",
    "meetings.notices.remind_approvers": "meetings.minutes.notifications.remind_approvers",
    "meetings.archive.renew_when_due": "meetings.minutes.archive.renew_when_due",
}


def _rename(pairs):
    def rename(apps, schema_editor):
        queued = apps.get_model("django_tasks_database", "DBTaskResult").objects
        for old, new in pairs:
            queued.filter(task_path=old).update(task_path=new)

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0028_limits_shared_by_every_process"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(
            _rename(MOVED.items()), _rename([(new, old) for old, new in MOVED.items()]), elidable=False
        ),
    ]
