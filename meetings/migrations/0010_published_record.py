"""What the public reads of a published session: meetings.PublishedSession and PublishedAgendaItem (see
meetings.models.published); decisions' 0007 adds the resolutions and follow-ups and fills them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0009_database_keeps_signed_versions'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('ordinal', models.PositiveSmallIntegerField(verbose_name='ordinal within the year')),
                ('kind', models.CharField(choices=[('ordinary', 'ordinary'), ('extraordinary', 'extraordinary')], max_length=20, verbose_name='kind')),
                ('date', models.DateField(verbose_name='date')),
                ('start_time', models.TimeField(blank=True, null=True, verbose_name='start time')),
                ('end_time', models.TimeField(blank=True, null=True, verbose_name='end time')),
                ('place', models.CharField(blank=True, max_length=300, verbose_name='place')),
                ('board', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.board', verbose_name='board')),
                ('minutes', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.minutes', verbose_name='minutes')),
                ('session', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='published', to='meetings.session', verbose_name='session')),
            ],
            options={
                'verbose_name': 'published session',
                'verbose_name_plural': 'published sessions',
                'ordering': ['-date', '-ordinal'],
            },
        ),
        migrations.CreateModel(
            name='PublishedAgendaItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('search_text', models.TextField(blank=True, editable=False, verbose_name='search text')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('title', models.CharField(max_length=500, verbose_name='title')),
                ('presenter', models.CharField(blank=True, max_length=300, verbose_name='presented by')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('deliberation', models.TextField(blank=True, verbose_name='deliberation')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agenda_items', to='meetings.publishedsession', verbose_name='session')),
            ],
            options={
                'verbose_name': 'published agenda item',
                'verbose_name_plural': 'published agenda items',
                'ordering': ['session', 'position'],
            },
        ),
        migrations.AddIndex(
            model_name='publishedsession',
            index=models.Index(fields=['board', '-date', '-ordinal'], name='published_newest_first'),
        ),
        migrations.AddConstraint(
            model_name='publishedsession',
            constraint=models.UniqueConstraint(fields=('year', 'ordinal', 'board'), name='published_unique_number'),
        ),
    ]
