"""What the signature of each signed version vouches for (meetings.signing.signed_content_sha256), so that
/verify/ knows a copy whose unsigned padding or trailing whitespace differs; worked out from the stored
files for the versions signed before. On PostgreSQL the database then keeps it as it keeps the file's
SHA-256: set once, never changed."""

import importlib

from django.db import migrations, models

from meetings.signing import signed_content_of

KEEPS_IT = """
    ELSIF NEW.signed_content_sha256 IS DISTINCT FROM OLD.signed_content_sha256
          AND OLD.signed_content_sha256 <> '' THEN
        refusal := 'what their signature covers does not change';
    ELSIF NEW.record IS DISTINCT FROM OLD.record"""


def keep_signed_minutes(before: bool) -> str:
    text = importlib.import_module("meetings.migrations.0009_database_keeps_signed_versions").KEEP_SIGNED_MINUTES
    if before:
        return text
    after = text.replace("\n    ELSIF NEW.record IS DISTINCT FROM OLD.record", KEEPS_IT, 1)
    assert after != text, "0009's function changed: the clause has no place to go"
    return after


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    for minutes in Minutes.objects.exclude(sha256="").exclude(pdf="").filter(signed_content_sha256=""):
        with minutes.pdf.open("rb") as file:
            minutes.signed_content_sha256 = signed_content_of(file.read())
        minutes.save(update_fields=["signed_content_sha256"])


def replace_function(before: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        path = importlib.import_module("meetings.migrations.0009_database_keeps_signed_versions").search_path
        schema_editor.execute(keep_signed_minutes(before).format(search_path=path(schema_editor)), None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0024_bounded_in_the_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="signed_content_sha256",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                verbose_name="SHA-256 of what the signature covers",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(replace_function(before=False), replace_function(before=True)),
    ]
