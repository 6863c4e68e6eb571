"""Signed minutes keep their whole record (`Minutes.record`, what `session_record` gives, also attached to
the PDF as session.json), from which the public pages are drawn; it replaces `as_signed`, which kept the
people's names and the quorum only. And the duties' log.

Minutes signed before this migration got their record from the rows as they were (the rows of a signed
session cannot have changed since: the models and the database refuse it), with the names and the quorum
that `as_signed` kept at signature. That filling ran the application's own code (`session_record`, with
the session's title, the quorum counted from the seats, the resolutions' numbers: methods of the real
models, which historical models do not have), and it is not frozen here: it is most of the model layer of
the time, and it only ever had rows to fill in a database that held signed minutes before this migration,
which a fresh database never does. It could not run on such a database any more anyway, since the real
models ask for columns that later migrations add. So the migration now stops, with a message, on a database
that holds signed minutes at this point, rather than leave their record empty: migrate such a database up
to this migration with the code of commit d49faa9, which wrote it, then on with today's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def refuse_signed_minutes(apps, schema_editor):
    signed = apps.get_model("meetings", "Minutes").objects.filter(state__in=["signed", "published"])
    if signed.exists():
        raise RuntimeError(
            "meetings.0008_record_and_duties: this database holds signed minutes whose record must be built "
            "from the rows by the code of the time; migrate it to meetings 0008 with the project at commit "
            "d49faa9, then on with this version (see the migration's docstring)."
        )


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
        migrations.RunPython(refuse_signed_minutes, migrations.RunPython.noop, elidable=True),
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
