"""On PostgreSQL, a declaration of interest names an agenda item of its own session, whoever writes it
(`Declaration.clean` says so to the user first): a declaration filed under one session on another's item
would take a member out of a quorum that is not the one the record of that session counts."""

from django.db import migrations

ITEM_OF_ITS_SESSION = """
CREATE FUNCTION entraide_declaration_item_of_its_session() RETURNS trigger
SET search_path = {search_path}
AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM meetings_agendaitem WHERE id = NEW.agenda_item_id AND session_id = NEW.session_id
    ) THEN
        RAISE EXCEPTION 'A declaration of interest names an agenda item of its own session (%).', NEW.session_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGER = (
    "CREATE TRIGGER meetings_declaration_item_of_its_session BEFORE INSERT OR UPDATE ON meetings_declaration "
    "FOR EACH ROW EXECUTE FUNCTION entraide_declaration_item_of_its_session()"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    search_path = f"pg_catalog, {schema}, pg_temp"
    schema_editor.execute(ITEM_OF_ITS_SESSION.format(search_path=search_path), None)  # % is no placeholder
    schema_editor.execute(TRIGGER)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_declaration_item_of_its_session ON meetings_declaration")
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_declaration_item_of_its_session()")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0038_written_consultation_withdrawn"),
    ]

    operations = [migrations.RunPython(create, drop)]
