"""What the public reads: each published session's record as signed, as rows the register, the search
and the exports query (meetings.PublishedSession and PublishedAgendaItem, PublishedResolution and
PublishedFollowUp here), with trigram indexes on PostgreSQL for the search; filled for the sessions
published before this migration from their latest published version's record."""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "published_agenda_item_search_trgm": "meetings_publishedagendaitem",
    "published_resolution_search_trgm": "decisions_publishedresolution",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, table in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    if not Minutes.objects.filter(state="published").exists():
        return
    # The real models: the rows are made by the code that makes them at publication.
    from meetings.models import Minutes, PublishedSession

    latest = {}
    for minutes in Minutes.objects.filter(state="published").select_related("session").order_by("version"):
        latest[minutes.session_id] = minutes
    for minutes in latest.values():
        PublishedSession.objects.publish(minutes)


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0006_frozen_record_in_the_database'),
        ('meetings', '0010_published_record'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reported_on', models.DateField(verbose_name='date')),
                ('reported_at_ordinal', models.PositiveSmallIntegerField(verbose_name='ordinal within the year')),
                ('resolution_year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('resolution_ordinal', models.PositiveSmallIntegerField(verbose_name='ordinal within the year')),
                ('resolution_sequence', models.PositiveSmallIntegerField(verbose_name='sequence within the session')),
                ('resolution_title', models.CharField(max_length=500, verbose_name='title')),
                ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('done', 'done'), ('cancelled', 'cancelled')], max_length=20, verbose_name='status')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('board', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.board', verbose_name='board')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='meetings.publishedsession', verbose_name='reported at session')),
            ],
            options={
                'verbose_name': 'published follow-up',
                'verbose_name_plural': 'published follow-ups',
                'ordering': ['session', 'resolution_year', 'resolution_ordinal', 'resolution_sequence'],
                'indexes': [models.Index(fields=['board', 'resolution_year', 'resolution_ordinal', 'resolution_sequence', '-reported_on', '-reported_at_ordinal'], name='published_follow_up_resolution')],
            },
        ),
        migrations.CreateModel(
            name='PublishedResolution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('search_text', models.TextField(blank=True, editable=False, verbose_name='search text')),
                ('sequence', models.PositiveSmallIntegerField(default=1, verbose_name='sequence within the session')),
                ('title', models.CharField(max_length=500, verbose_name='title')),
                ('text', models.TextField(verbose_name='operative text')),
                ('unanimous', models.BooleanField(default=False, verbose_name='unanimous')),
                ('votes_for', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes for')),
                ('votes_against', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes against')),
                ('votes_abstain', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='abstentions')),
                ('outcome', models.CharField(choices=[('adopted', 'adopted'), ('rejected', 'rejected'), ('deferred', 'deferred')], default='adopted', max_length=20, verbose_name='outcome')),
                ('responsible_unit', models.CharField(blank=True, max_length=300, verbose_name='responsible unit')),
                ('due_date', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='resolutions', to='meetings.publishedagendaitem', verbose_name='agenda item')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='resolutions', to='meetings.publishedsession', verbose_name='session')),
            ],
            options={
                'verbose_name': 'published resolution',
                'verbose_name_plural': 'published resolutions',
                'ordering': ['session', 'sequence'],
                'constraints': [models.UniqueConstraint(fields=('session', 'sequence'), name='published_resolution_unique_number')],
            },
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
