"""The normalised search column of agenda items, filled for the existing rows, with a trigram index on
PostgreSQL (on SQLite the search scans the column, which the same LIKE serves)."""

from django.db import migrations, models

from meetings.search import normalize

INDEX = "agenda_item_search_trgm"


def fill(apps, schema_editor):
    # Historical models: their save() is the plain one, so a signed session's rows are filled too.
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    items = list(AgendaItem.objects.only("title", "summary", "deliberation"))
    for item in items:
        item.search_text = normalize(" ".join([item.title, item.summary, item.deliberation]))
    AgendaItem.objects.bulk_update(items, ["search_text"], batch_size=500)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON meetings_agendaitem USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_minutes_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
