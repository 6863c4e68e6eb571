"""What the signature of each signed version vouches for (meetings.signing.signed_content_sha256), so that
/verify/ knows a copy whose unsigned padding or trailing whitespace differs; worked out from the stored
files for the versions signed before. On PostgreSQL the database then keeps it as it keeps the file's
SHA-256: set once, never changed.

The function's text is written out whole, as this migration installs it and as it puts back (0009's):
migrations are history, and neither may change with a later migration or with the application's code."""

import hashlib
from io import BytesIO

from django.db import migrations, models

# entraide_keep_signed_minutes as this migration installs it: 0009's, with the clause on
# signed_content_sha256 before the one on the record.
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

# entraide_keep_signed_minutes as migration 0009 installed it, which going backward puts back.
KEEP_SIGNED_MINUTES_0009 = """
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


def _signed_content_of(pdf: bytes) -> str:
    """What the first signature of a file this server signed vouches for: the SHA-256 of the byte ranges
    it signs and of the signature itself (its DER, without the padding that fills /Contents). A copy of
    meetings.signing.signed_content_of as it stood when this migration was frozen (commit 3a30906)."""
    # Imported only when there is a file to read: every migrate loads this module.
    from asn1crypto.cms import ContentInfo
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    start, length, start_after, length_after = [int(number) for number in signature.byte_range]
    digest = hashlib.sha256(pdf[start : start + length])
    digest.update(pdf[start_after : start_after + length_after])
    digest.update(ContentInfo.load(signature.pkcs7_content, strict=False).dump())
    return digest.hexdigest()


def fill(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    for minutes in Minutes.objects.exclude(sha256="").exclude(pdf="").filter(signed_content_sha256=""):
        with minutes.pdf.open("rb") as file:
            minutes.signed_content_sha256 = _signed_content_of(file.read())
        minutes.save(update_fields=["signed_content_sha256"])


def search_path(schema_editor) -> str:
    """The catalog, then the schema the tables are in, and the temporary schema last (as 0009's)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    return f"pg_catalog, {schema}, pg_temp"


def replace_function(function: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # None: the % in the function's text are not placeholders.
        schema_editor.execute(function.format(search_path=search_path(schema_editor)), None)

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
        migrations.RunPython(
            replace_function(KEEP_SIGNED_MINUTES), replace_function(KEEP_SIGNED_MINUTES_0009)
        ),
    ]
