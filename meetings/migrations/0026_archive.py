"""The archive of signed versions (meetings.models.archive), and the seal certificate pinned on each.

- `Minutes.signer_certificate_sha256`: the certificate that signed, worked out from the stored files for
  the versions signed before; on PostgreSQL kept, once set, as the file's SHA-256 is.
- `ArchivedCopy`: each file that archival maintenance extends (new validation data and document
  timestamp). On PostgreSQL a copy is never changed nor deleted, nor its table emptied, except by the
  tables' owner through the hatch of migration 0009.

The functions' text is written out whole, as this migration installs it and as it puts back (0025's):
migrations are history, and neither may change with a later migration or with the application's code.
"""

from io import BytesIO

import django.db.models.deletion
from django.db import migrations, models

# entraide_keep_signed_minutes as this migration installs it: 0025's, with the clause on
# signer_certificate_sha256 before the one on the record.
KEEP_SIGNED_MINUTES = """
CREATE OR REPLACE FUNCTION entraide_keep_signed_minutes() RETURNS trigger
SET search_path = {search_path}
AS $$
DECLARE
    refusal text;
BEGIN
    -- Before signature, the minutes are a working document like any other.
    IF OLD.state NOT IN ('signed', 'published') THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        -- Signed minutes are the board's evidence: a correction is a new version, never a deletion.
        refusal := 'they are never deleted';
    ELSIF NOT (NEW.state = OLD.state OR (OLD.state = 'signed' AND NEW.state = 'published')) THEN
        -- Publication is the one move left; a published version never leaves the public record.
        refusal := format('%s minutes do not become %s', OLD.state, NEW.state);
    ELSIF (NEW.pdf, NEW.sha256, NEW.session_id, NEW.version, NEW.code, NEW.signed_at)
          IS DISTINCT FROM (OLD.pdf, OLD.sha256, OLD.session_id, OLD.version, OLD.code, OLD.signed_at) THEN
        -- What the signature certifies and the verification page checks: the file, its SHA-256, which
        -- version of which session it is, its code and when it was signed.
        refusal := 'their file, its SHA-256, session, version, code and signature time do not change';
    ELSIF NEW.signed_content_sha256 IS DISTINCT FROM OLD.signed_content_sha256
          AND OLD.signed_content_sha256 <> '' THEN
        refusal := 'what their signature covers does not change';
    ELSIF NEW.signer_certificate_sha256 IS DISTINCT FROM OLD.signer_certificate_sha256
          AND OLD.signer_certificate_sha256 <> '' THEN
        refusal := 'the certificate that signed them does not change';
    ELSIF NEW.record IS DISTINCT FROM OLD.record AND NOT entraide_record_unfrozen(TG_RELID) THEN
        -- The record as signed is what the public pages show; only the owner's data migration may
        -- reshape it (as 0008 did), through the hatch.
        refusal := 'the record as signed does not change';
    ELSIF NEW.published_at IS DISTINCT FROM OLD.published_at
          AND NOT (OLD.state = 'signed' AND OLD.published_at IS NULL) THEN
        -- Set once, at publication (meetings.lifecycle.publish sets it, then moves signed to published,
        -- in one transaction); never changed after.
        refusal := 'their publication time is set once, when they are published';
    END IF;
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'Signed minutes (version % of session %) keep their signed file: %.',
            OLD.version, OLD.session_id, refusal
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

# entraide_keep_signed_minutes as migration 0025 installed it, which going backward puts back.
KEEP_SIGNED_MINUTES_0025 = """
CREATE OR REPLACE FUNCTION entraide_keep_signed_minutes() RETURNS trigger
SET search_path = {search_path}
AS $$
DECLARE
    refusal text;
BEGIN
    -- Before signature, the minutes are a working document like any other.
    IF OLD.state NOT IN ('signed', 'published') THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        -- Signed minutes are the board's evidence: a correction is a new version, never a deletion.
        refusal := 'they are never deleted';
    ELSIF NOT (NEW.state = OLD.state OR (OLD.state = 'signed' AND NEW.state = 'published')) THEN
        -- Publication is the one move left; a published version never leaves the public record.
        refusal := format('%s minutes do not become %s', OLD.state, NEW.state);
    ELSIF (NEW.pdf, NEW.sha256, NEW.session_id, NEW.version, NEW.code, NEW.signed_at)
          IS DISTINCT FROM (OLD.pdf, OLD.sha256, OLD.session_id, OLD.version, OLD.code, OLD.signed_at) THEN
        -- What the signature certifies and the verification page checks: the file, its SHA-256, which
        -- version of which session it is, its code and when it was signed.
        refusal := 'their file, its SHA-256, session, version, code and signature time do not change';
    ELSIF NEW.signed_content_sha256 IS DISTINCT FROM OLD.signed_content_sha256
          AND OLD.signed_content_sha256 <> '' THEN
        refusal := 'what their signature covers does not change';
    ELSIF NEW.record IS DISTINCT FROM OLD.record AND NOT entraide_record_unfrozen(TG_RELID) THEN
        -- The record as signed is what the public pages show; only the owner's data migration may
        -- reshape it (as 0008 did), through the hatch.
        refusal := 'the record as signed does not change';
    ELSIF NEW.published_at IS DISTINCT FROM OLD.published_at
          AND NOT (OLD.state = 'signed' AND OLD.published_at IS NULL) THEN
        -- Set once, at publication (meetings.lifecycle.publish sets it, then moves signed to published,
        -- in one transaction); never changed after.
        refusal := 'their publication time is set once, when they are published';
    END IF;
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'Signed minutes (version % of session %) keep their signed file: %.',
            OLD.version, OLD.session_id, refusal
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

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

ARCHIVED_COPY_TRIGGERS = [
    "CREATE TRIGGER meetings_archivedcopy_kept BEFORE UPDATE OR DELETE ON meetings_archivedcopy "
    "FOR EACH ROW EXECUTE FUNCTION entraide_keep_archived_copies()",
    # 0009's function, on the new table.
    "CREATE TRIGGER meetings_archivedcopy_no_truncate BEFORE TRUNCATE ON meetings_archivedcopy "
    "FOR EACH STATEMENT EXECUTE FUNCTION entraide_refuse_truncate()",
]


def _signer_certificate_of(pdf: bytes) -> str:
    """The SHA-256 of the certificate that made the first signature of a file this server signed. A copy
    of meetings.signing.signer_certificate_of as it stood when this migration was frozen (commit 3a30906)."""
    # Imported only when there is a file to read: every migrate loads this module.
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(pdf)).embedded_signatures[0].signer_cert.sha256.hex()


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    for minutes in Minutes.objects.exclude(sha256="").exclude(pdf="").filter(signer_certificate_sha256=""):
        with minutes.pdf.open("rb") as file:
            minutes.signer_certificate_sha256 = _signer_certificate_of(file.read())
        minutes.save(update_fields=["signer_certificate_sha256"])


def search_path(schema_editor) -> str:
    """The catalog, then the schema the tables are in, and the temporary schema last (as 0009's)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    return f"pg_catalog, {schema}, pg_temp"


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    path = search_path(schema_editor)
    # None: the % in the functions' text are not placeholders.
    schema_editor.execute(KEEP_SIGNED_MINUTES.format(search_path=path), None)
    schema_editor.execute(KEEP_ARCHIVED_COPIES.format(search_path=path), None)
    for trigger in ARCHIVED_COPY_TRIGGERS:
        schema_editor.execute(trigger)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(KEEP_SIGNED_MINUTES_0025.format(search_path=search_path(schema_editor)), None)
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_archivedcopy_kept ON meetings_archivedcopy")
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_archivedcopy_no_truncate ON meetings_archivedcopy")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_keep_archived_copies()")


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
        migrations.RunPython(protect, unprotect),
    ]
