"""On PostgreSQL, what the public reads of a published session is made by its publication and nothing else.

The rows of meetings.PublishedSession, PublishedAgendaItem and of PublishedResolution, PublishedFollowUp
here are the record of the latest published version, copied at publication (`lifecycle.publish`). A
forged row would make the register or the search say what no signed PDF says, so:

- they are never updated (nothing in the application does);
- they are inserted or deleted only in the transaction that publishes a version of their session: the
  session's minutes must be published by a row version written by this very transaction (its `xmin` is a
  transaction still in progress, which only the current one can see);
- the owner's escape hatch of meetings' migration 0009 opens them for a data migration.

SQLite, for development and the demo, relies on the models alone.
"""

from django.db import migrations

PUBLISHED_BY_THIS_TRANSACTION = """
CREATE OR REPLACE FUNCTION entraide_published_now(session bigint) RETURNS boolean
SET search_path = {search_path}
AS $$
DECLARE
    current bigint := pg_current_xact_id()::text::bigint;
    low bigint;
    written bigint;
BEGIN
    FOR low IN
        SELECT m.xmin::text::bigint FROM meetings_minutes m WHERE m.session_id = session AND m.state = 'published'
    LOOP
        CONTINUE WHEN low < 3;  -- frozen, or bootstrap: long committed
        -- xmin holds the low 32 bits of a transaction id, compared modulo 2^32 within half a cycle of
        -- the current one (a savepoint's id comes after its transaction's).
        written := ((current >> 32) << 32) | low;
        IF written - current > 2147483648 THEN
            written := written - 4294967296;
        ELSIF current - written > 2147483648 THEN
            written := written + 4294967296;
        END IF;
        -- A row version still in progress that this transaction sees is its own.
        BEGIN
            IF pg_xact_status(written::text::xid8) = 'in progress' THEN
                RETURN true;
            END IF;
        EXCEPTION WHEN invalid_parameter_value THEN
            CONTINUE;  -- too old for the commit log: long committed
        END;
    END LOOP;
    RETURN false;
END
$$ LANGUAGE plpgsql;
"""

REFUSE_FORGED_PUBLICATION = """
CREATE OR REPLACE FUNCTION entraide_refuse_forged_publication() RETURNS trigger
SET search_path = {search_path}
AS $$
DECLARE
    row_session bigint := (to_jsonb(COALESCE(NEW, OLD)) ->> 'session_id')::bigint;
BEGIN
    IF entraide_record_unfrozen(TG_RELID) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'What the public reads of a signed session (%) is never edited.', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    -- A published session names the session; its parts name the published session.
    IF TG_ARGV[0] = 'part' THEN
        row_session := (SELECT p.session_id FROM meetings_publishedsession p WHERE p.id = row_session);
    END IF;
    IF NOT entraide_published_now(row_session) THEN
        RAISE EXCEPTION 'What the public reads of a signed session (%) is made by its publication only.', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;
"""

# Each table, and whether its session_id names the session or the published session.
PUBLISHED_TABLES = {
    "meetings_publishedsession": "session",
    "meetings_publishedagendaitem": "part",
    "decisions_publishedresolution": "part",
    "decisions_publishedfollowup": "part",
}


def search_path(schema_editor) -> str:
    """The catalog, then the schema the tables are in, and the temporary schema last (as meetings' 0009:
    by default it comes first, where anyone may create a table called meetings_minutes)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    return f"pg_catalog, {schema}, pg_temp"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    path = search_path(schema_editor)
    for function in (PUBLISHED_BY_THIS_TRANSACTION, REFUSE_FORGED_PUBLICATION):
        schema_editor.execute(function.format(search_path=path), None)  # None: % is not a placeholder
    for table, kind in PUBLISHED_TABLES.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_published BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION entraide_refuse_forged_publication('{kind}')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PUBLISHED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_published ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_refuse_forged_publication()")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_published_now(bigint)")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0008_secretariat_duties"),
        ("meetings", "0010_published_record"),
    ]

    operations = [migrations.RunPython(create, drop)]
