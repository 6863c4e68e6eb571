"""On PostgreSQL, resolutions and follow-ups are part of the record the database keeps as signed: see
meetings' migration 0006, whose function the triggers call."""

from django.db import migrations

RECORD_TABLES = ["decisions_resolution", "decisions_followup"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in RECORD_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION entraide_refuse_frozen_record('session_id')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in RECORD_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0005_follow_up_order"),
        ("meetings", "0006_frozen_record_in_the_database"),
    ]

    operations = [migrations.RunPython(create, drop)]
