"""The archive of signed versions (meetings.models.archive), and the seal certificate pinned on each.

- `Minutes.signer_certificate_sha256`: the certificate that signed, worked out from the stored files for
  the versions signed before; on PostgreSQL kept, once set, as the file's SHA-256 is.
- `ArchivedCopy`: each file that archival maintenance extends (new validation data and document
  timestamp). On PostgreSQL a copy is never changed nor deleted, nor its table emptied, except by the
  tables' owner through the hatch of migration 0009.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from meetings.signing import signer_certificate_of

KEEPS_THE_SIGNER = """
    ELSIF NEW.signer_certificate_sha256 IS DISTINCT FROM OLD.signer_certificate_sha256
          AND OLD.signer_certificate_sha256 <> '' THEN
        refusal := 'the certificate that signed them does not change';
    ELSIF NEW.record IS DISTINCT FROM OLD.record"""

KEEP_ARCHIVED_COPIES = """
CREATE OR REPLACE FUNCTION entraide_keep_archived_copies() RETURNS trigger
SET search_path = {search_path}
AS $$
BEGIN
    IF entraide_record_unfrozen(TG_RELID) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'An archived copy of signed minutes is kept as it was made: % refused.', TG_OP
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""


def keep_signed_minutes(before: bool) -> str:
    text = importlib.import_module("meetings.migrations.0025_signed_content").keep_signed_minutes(before=False)
    if before:
        return text
    after = text.replace("\n    ELSIF NEW.record IS DISTINCT FROM OLD.record", KEEPS_THE_SIGNER, 1)
    assert after != text, "0025's function changed: the clause has no place to go"
    return after


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    for minutes in Minutes.objects.exclude(sha256="").exclude(pdf="").filter(signer_certificate_sha256=""):
        with minutes.pdf.open("rb") as file:
            minutes.signer_certificate_sha256 = signer_certificate_of(file.read())
        minutes.save(update_fields=["signer_certificate_sha256"])


def search_path(schema_editor) -> str:
    return importlib.import_module("meetings.migrations.0009_database_keeps_signed_versions").search_path(
        schema_editor
    )


def protect(before: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        path = search_path(schema_editor)
        schema_editor.execute(keep_signed_minutes(before).format(search_path=path), None)
        if before:
            schema_editor.execute("DROP TRIGGER IF EXISTS meetings_archivedcopy_kept ON meetings_archivedcopy")
            schema_editor.execute("DROP TRIGGER IF EXISTS meetings_archivedcopy_no_truncate ON meetings_archivedcopy")
            schema_editor.execute("DROP FUNCTION IF EXISTS entraide_keep_archived_copies()")
            return
        schema_editor.execute(KEEP_ARCHIVED_COPIES.format(search_path=path), None)
        schema_editor.execute(
            "CREATE TRIGGER meetings_archivedcopy_kept BEFORE UPDATE OR DELETE ON meetings_archivedcopy "
            "FOR EACH ROW EXECUTE FUNCTION entraide_keep_archived_copies()"
        )
        schema_editor.execute(
            "CREATE TRIGGER meetings_archivedcopy_no_truncate BEFORE TRUNCATE ON meetings_archivedcopy "
            "FOR EACH STATEMENT EXECUTE FUNCTION entraide_refuse_truncate()"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0025_signed_content"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="signer_certificate_sha256",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="SHA-256 of the signer's certificate"
            ),
        ),
        migrations.CreateModel(
            name="ArchivedCopy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("pdf", models.FileField(upload_to="minutes/archived/", verbose_name="extended PDF")),
                ("sha256", models.CharField(max_length=64, unique=True, verbose_name="SHA-256 of the extended PDF")),
                ("timestamped_at", models.DateTimeField(verbose_name="timestamped at")),
                ("renew_by", models.DateTimeField(verbose_name="to be renewed before")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "minutes",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="archived_copies",
                        to="meetings.minutes",
                        verbose_name="minutes",
                    ),
                ),
            ],
            options={
                "verbose_name": "archived copy",
                "verbose_name_plural": "archived copies",
                "ordering": ["minutes", "timestamped_at"],
                "get_latest_by": "timestamped_at",
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(protect(before=False), protect(before=True)),
    ]
