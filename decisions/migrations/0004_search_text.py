"""The normalised search column of resolutions, filled for the existing rows, with a trigram index on
PostgreSQL (on SQLite the search scans the column, which the same LIKE serves)."""

from django.db import migrations, models

from meetings.search import normalize

INDEX = "resolution_search_trgm"


def fill(apps, schema_editor):
    # Historical models: their save() is the plain one, so a signed session's rows are filled too.
    Resolution = apps.get_model("decisions", "Resolution")
    resolutions = list(Resolution.objects.only("title", "text", "responsible_unit"))
    for resolution in resolutions:
        resolution.search_text = normalize(
            " ".join([resolution.title, resolution.text, resolution.responsible_unit])
        )
    Resolution.objects.bulk_update(resolutions, ["search_text"], batch_size=500)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON decisions_resolution USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0003_secretariat_minutes_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="resolution",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
