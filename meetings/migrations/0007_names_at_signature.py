"""Signed minutes keep the names and titles of the people their record names, as they were at signature.

Minutes signed before this migration get the names as they are now: the best knowledge there is (the
signed PDFs themselves hold the names as signed)."""

from django.db import migrations, models

NAME_FIELDS = ("name_ar", "name_fr", "title_ar", "title_fr")


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    signed = Minutes.objects.filter(state__in=["signed", "published"]).select_related("session__chair")
    for minutes in signed:
        session = minutes.session
        people = [session.chair]
        for attendance in session.attendances.select_related("member", "proxy"):
            people += [attendance.member, attendance.proxy]
        minutes.signed_names = {
            str(person.pk): {field: getattr(person, field) for field in NAME_FIELDS}
            for person in people
            if person is not None
        }
        minutes.save(update_fields=["signed_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_frozen_record_in_the_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="signed_names",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="names at signature"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
