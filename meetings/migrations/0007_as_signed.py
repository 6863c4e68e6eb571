"""Signed minutes keep what their record shows that lives outside it, as it was at signature: the names and
titles of the people it names, and the quorum counted from the seats of the day.

Minutes signed before this migration get the names as they are now (the best knowledge there is: the
signed PDFs hold the names as signed) and no quorum, which the pages then count as before."""

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
        minutes.as_signed = {
            "people": {
                str(person.pk): {field: getattr(person, field) for field in NAME_FIELDS}
                for person in people
                if person is not None
            }
        }
        minutes.save(update_fields=["as_signed"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_frozen_record_in_the_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="as_signed",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="as signed"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
