"""On PostgreSQL, the database itself keeps a signed record as it was signed.

The models refuse first, with a message for the user (`meetings.lifecycle.record_will_change`); these
triggers catch what goes past them: a queryset's update() or delete(), raw SQL, another program.

- A row of a session's record (the session, its attendance, agenda items and documents here; resolutions
  and follow-ups in decisions' migration 0006) is not inserted, changed or deleted while the session's
  latest minutes are signed or published.
- Signed minutes keep their file, its SHA-256, their session, version, code and signature time, never go
  back to an unsigned state, and are never deleted.

A data migration that must rewrite a derived column of signed rows (a search column, say) runs
`SET LOCAL entraide.unfreeze_record = 'on'` first, inside its transaction.

Migration 0009 replaces these functions: signed minutes also keep their record, publication time and
state, TRUNCATE is refused, and the escape hatch opens for the tables' owner only (docs/database-roles.md).

SQLite, the embedded database for development and the demo, relies on the models alone.
"""

from django.db import migrations

REFUSE_FROZEN_RECORD = """
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

KEEP_SIGNED_MINUTES = """
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

# Each table of the record, and the column naming the session it belongs to.
RECORD_TABLES = {
    "meetings_session": "id",
    "meetings_attendance": "session_id",
    "meetings_agendaitem": "session_id",
    "meetings_document": "session_id",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REFUSE_FROZEN_RECORD, None)  # None: the % in its SQL are not placeholders
    schema_editor.execute(KEEP_SIGNED_MINUTES, None)
    for table, column in RECORD_TABLES.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION entraide_refuse_frozen_record('{column}')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in RECORD_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_minutes_signed_kept ON meetings_minutes")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_keep_signed_minutes()")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_refuse_frozen_record()")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_scale_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
