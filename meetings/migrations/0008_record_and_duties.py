"""Signed minutes keep their whole record (`Minutes.record`, what `session_record` gives, also attached to
the PDF as session.json), from which the public pages are drawn; it replaces `as_signed`, which kept the
people's names and the quorum only. And the duties' log.

Minutes signed before this migration get their record from the rows as they are (the rows of a signed
session cannot have changed since: the models and the database refuse it), with the names and the quorum
that `as_signed` kept at signature."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    signed = list(
        apps.get_model("meetings", "Minutes")
        .objects.filter(state__in=["signed", "published"])
        .values_list("pk", "session_id", "as_signed")
    )
    if not signed:
        return
    # The record is what today's code makes of the rows: the real models, not the historical ones,
    # which have none of their methods (the session's title, a resolution's number, the quorum).
    from meetings.models import Minutes, Session
    from meetings.models.record import session_record

    for pk, session_id, as_signed in signed:
        session = Session.objects.with_record().get(pk=session_id)
        people = as_signed.get("people", {})
        for person in [session.chair] + [p for a in session.attendances.all() for p in (a.member, a.proxy)]:
            for field, value in people.get(str(getattr(person, "pk", None)), {}).items():
                setattr(person, field, value)
        record = session_record(session)
        if as_signed.get("quorum"):
            record["quorum"] = {**as_signed["quorum"], "reached": as_signed["quorum"]["present"]
                                + as_signed["quorum"]["represented"] >= as_signed["quorum"]["required"]}
        Minutes.objects.filter(pk=pk).update(record=record)


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0007_as_signed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='minutes',
            name='record',
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name='record as signed'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name='minutes',
            name='as_signed',
        ),
        migrations.CreateModel(
            name='DutyLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='date and time')),
                ('kind', models.CharField(choices=[('seat', 'seat changed'), ('account', 'account linked or unlinked'), ('refused', 'refused')], max_length=20, verbose_name='type of entry')),
                ('about', models.CharField(blank=True, max_length=300, verbose_name='about')),
                ('detail', models.TextField(verbose_name='detail')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='done by')),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duty_log', to='meetings.member', verbose_name='member')),
            ],
            options={
                'verbose_name': 'duties log entry',
                'verbose_name_plural': 'duties log',
                'ordering': ['-at', '-pk'],
            },
        ),
    ]
