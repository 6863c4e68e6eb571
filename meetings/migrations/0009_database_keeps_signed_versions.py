"""On PostgreSQL, the database keeps signed versions as signed, and only the tables' owner may open it.

This closes what migration 0006 (and decisions' 0006) left open:

- Signed minutes now also keep their record (`Minutes.record`, from which the public pages are drawn),
  their publication time once it is set, and their state: signed may only become published, and
  published stays published.
- The escape hatch of a data migration, `SET LOCAL entraide.unfreeze_record = 'on'`, opens the record
  only for a role that owns the table (the role that runs the migrations), never for the application's
  role, which does not own the tables in production (docs/database-roles.md).
- TRUNCATE, which skips the row triggers, is refused on every table of the record and of the minutes'
  history, unless the hatch is open for the owner (the tests' harness empties its database that way:
  tests/conftest.py).
- The functions resolve the tables in the project's schema, never in a temporary schema: a role allowed
  to create temporary tables cannot hide the signed minutes behind a `meetings_minutes` of its own.

SQLite, the embedded database for development and the demo, relies on the models alone.
"""

from django.db import migrations

# The hatch, open for the table that fired the trigger? Only for a role that owns it, or is a member of its
# owner (a superuser counts): the application's role could otherwise set the variable itself.
RECORD_UNFROZEN = """
CREATE OR REPLACE FUNCTION entraide_record_unfrozen(tab oid) RETURNS boolean
SET search_path = {search_path}
AS $$
    SELECT coalesce(current_setting('entraide.unfreeze_record', true) = 'on', false)
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = tab), 'MEMBER')
$$ LANGUAGE sql STABLE;
"""

# 0006's rule, with the hatch for the owner only: a row of a session's record is not inserted, changed or
# deleted while the session's latest minutes are signed or published.
REFUSE_FROZEN_RECORD = """
CREATE OR REPLACE FUNCTION entraide_refuse_frozen_record() RETURNS trigger
SET search_path = {search_path}
AS $$
DECLARE
    session_column text := TG_ARGV[0];
    sessions bigint[] := '{{}}';
BEGIN
    -- A data migration run by the owner may rewrite a derived column (a search column, say).
    IF entraide_record_unfrozen(TG_RELID) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        sessions := sessions || (to_jsonb(OLD) ->> session_column)::bigint;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        sessions := sessions || (to_jsonb(NEW) ->> session_column)::bigint;
    END IF;
    IF EXISTS (
        SELECT 1 FROM meetings_minutes latest
        WHERE latest.session_id = ANY (sessions)
          AND latest.state IN ('signed', 'published')
          AND latest.version = (
              SELECT max(other.version) FROM meetings_minutes other WHERE other.session_id = latest.session_id
          )
    ) THEN
        RAISE EXCEPTION 'The minutes of this session are signed: the record (%) can no longer change.', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;
"""

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

# TRUNCATE empties a table without firing its row triggers: refused, but for the owner with the hatch
# open (a data migration; the tests' harness emptying its own database).
REFUSE_TRUNCATE = """
CREATE OR REPLACE FUNCTION entraide_refuse_truncate() RETURNS trigger
SET search_path = {search_path}
AS $$
BEGIN
    IF entraide_record_unfrozen(TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE % would empty signed records past their checks: refused.', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""

# What drop() puts back: 0006's functions as 0006 wrote them (without SET search_path, the hatch open to
# any role), the second with the minutes' trigger, which drop() removes first.
REFUSE_FROZEN_RECORD_0006 = """
CREATE OR REPLACE FUNCTION entraide_refuse_frozen_record() RETURNS trigger AS $$
DECLARE
    session_column text := TG_ARGV[0];
    sessions bigint[] := '{}';
BEGIN
    IF current_setting('entraide.unfreeze_record', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        sessions := sessions || (to_jsonb(OLD) ->> session_column)::bigint;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        sessions := sessions || (to_jsonb(NEW) ->> session_column)::bigint;
    END IF;
    IF EXISTS (
        SELECT 1 FROM meetings_minutes latest
        WHERE latest.session_id = ANY (sessions)
          AND latest.state IN ('signed', 'published')
          AND latest.version = (
              SELECT max(other.version) FROM meetings_minutes other WHERE other.session_id = latest.session_id
          )
    ) THEN
        RAISE EXCEPTION 'The minutes of this session are signed: the record (%) can no longer change.', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;
"""

KEEP_SIGNED_MINUTES_0006 = """
CREATE OR REPLACE FUNCTION entraide_keep_signed_minutes() RETURNS trigger AS $$
BEGIN
    IF OLD.state NOT IN ('signed', 'published') THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE'
       OR NEW.state NOT IN ('signed', 'published')
       OR (NEW.pdf, NEW.sha256, NEW.session_id, NEW.version, NEW.code, NEW.signed_at)
          IS DISTINCT FROM (OLD.pdf, OLD.sha256, OLD.session_id, OLD.version, OLD.code, OLD.signed_at)
    THEN
        RAISE EXCEPTION 'Signed minutes (version % of session %) keep their signed file.', OLD.version, OLD.session_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_minutes_signed_kept BEFORE UPDATE OR DELETE ON meetings_minutes
    FOR EACH ROW EXECUTE FUNCTION entraide_keep_signed_minutes();
"""

# The record's tables and the minutes' history.
TRUNCATE_GUARDED = [
    "meetings_session",
    "meetings_attendance",
    "meetings_agendaitem",
    "meetings_document",
    "meetings_minutes",
    "meetings_approval",
    "meetings_transition",
    "decisions_resolution",
    "decisions_followup",
]


def search_path(schema_editor) -> str:
    """The catalog, then the schema the tables are in, and the temporary schema last (by default it comes
    first, where anyone may create a table called meetings_minutes)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    return f"pg_catalog, {schema}, pg_temp"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    path = search_path(schema_editor)
    for function in (RECORD_UNFROZEN, REFUSE_FROZEN_RECORD, KEEP_SIGNED_MINUTES, REFUSE_TRUNCATE):
        schema_editor.execute(function.format(search_path=path), None)  # None: % is not a placeholder
    for table in TRUNCATE_GUARDED:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION entraide_refuse_truncate()"
        )


def drop(apps, schema_editor):
    """Back to 0006's functions."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRUNCATE_GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_refuse_truncate()")
    schema_editor.execute(REFUSE_FROZEN_RECORD_0006, None)
    # 0006's text creates the minutes' trigger with its function.
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_minutes_signed_kept ON meetings_minutes")
    schema_editor.execute(KEEP_SIGNED_MINUTES_0006, None)
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_record_unfrozen(oid)")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0008_record_and_duties"),
        ("decisions", "0006_frozen_record_in_the_database"),
    ]

    operations = [migrations.RunPython(create, drop)]
