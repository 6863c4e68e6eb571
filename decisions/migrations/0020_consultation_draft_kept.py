"""On PostgreSQL, the draft resolution of a written consultation put to the members is kept as they read
it: none added or removed, none changed but for the result its closing writes (the outcome, the counts,
unanimity) and the derived search column. Meetings' migration 0037 has the function and its reasons."""

from django.db import migrations

# What the closing of the consultation writes, and the search column derived from the text.
WRITTEN_AT_CLOSING = ["search_text", "outcome", "votes_for", "votes_against", "votes_abstain", "unanimous"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    arguments = ", ".join(f"'{column}'" for column in WRITTEN_AT_CLOSING)
    schema_editor.execute(
        "CREATE TRIGGER decisions_resolution_consultation_kept "
        "BEFORE INSERT OR UPDATE OR DELETE ON decisions_resolution "
        f"FOR EACH ROW EXECUTE FUNCTION entraide_keep_consultation_draft({arguments})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS decisions_resolution_consultation_kept ON decisions_resolution")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0019_secretariat_declarations"),
        ("meetings", "0037_consultations_and_declarations_kept"),
    ]

    operations = [migrations.RunPython(create, drop)]
