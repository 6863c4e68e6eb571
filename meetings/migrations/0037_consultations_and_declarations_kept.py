"""On PostgreSQL, what issue 30 added to the record is kept as the rest of it is:

- a declaration of interest is a row of the record: refused once the minutes are signed (0006's function),
  and TRUNCATE of its table refused (0009's); TRUNCATE of the written answers is refused too;
- a written consultation put to the members keeps what they were told: its board, kind, number and
  closing time, and the time it was put to them; once closed or withdrawn, the time it was;
- its draft, as the members read it, is kept: no document or resolution added or removed, none changed but
  for the result its closing writes into the resolution (decisions' migration 0020 for the resolutions);
- an answer is only inserted while the consultation takes answers: put to the members, neither closed nor
  withdrawn.

Each refusal opens, as the others, for the tables' owner with the hatch open (migration 0009's
`entraide_record_unfrozen`). SQLite, for development and the demo, relies on the models alone
(`Session.check_consultation_kept`, `RecordRow.put_to_members_keeps`, `WrittenVote.save`).
"""

from django.db import migrations

# The functions resolve the tables in the project's schema, never in a temporary one (as 0009's).
KEEP_CONSULTATION = """
CREATE FUNCTION entraide_keep_consultation() RETURNS trigger
SET search_path = {search_path}
AS $$
BEGIN
    IF OLD.kind <> 'written' OR OLD.submitted_at IS NULL OR entraide_record_unfrozen(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF (NEW.kind, NEW.board_id, NEW.year, NEW.ordinal, NEW.date, NEW.closes_at, NEW.submitted_at)
           IS DISTINCT FROM (OLD.kind, OLD.board_id, OLD.year, OLD.ordinal, OLD.date, OLD.closes_at, OLD.submitted_at)
       OR (OLD.closed_at IS NOT NULL AND NEW.closed_at IS DISTINCT FROM OLD.closed_at)
       OR (OLD.cancelled_at IS NOT NULL AND NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at) THEN
        RAISE EXCEPTION 'Written consultation %: put to the members, it keeps its board, number and times.', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

# A row of a consultation's draft (a resolution, a document): its arguments name the columns its closing
# may still write (the result, a derived search column); every other column is kept.
KEEP_CONSULTATION_DRAFT = """
CREATE FUNCTION entraide_keep_consultation_draft() RETURNS trigger
SET search_path = {search_path}
AS $$
DECLARE
    written text[] := COALESCE(TG_ARGV, '{{}}');
    sessions bigint[] := '{{}}';
BEGIN
    IF entraide_record_unfrozen(TG_RELID) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - written) = (to_jsonb(OLD) - written) THEN
        RETURN NEW;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        sessions := sessions || OLD.session_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        sessions := sessions || NEW.session_id;
    END IF;
    IF EXISTS (
        SELECT 1 FROM meetings_session
        WHERE id = ANY (sessions) AND kind = 'written' AND submitted_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'The draft put to the members in writing (%) no longer changes.', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;
"""

ANSWER_IN_TIME = """
CREATE FUNCTION entraide_written_answer_in_time() RETURNS trigger
SET search_path = {search_path}
AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM meetings_session
        WHERE id = NEW.session_id AND kind = 'written' AND submitted_at IS NOT NULL AND closed_at IS NULL
          AND cancelled_at IS NULL
    ) THEN
        RAISE EXCEPTION 'Written consultation %: it takes no answer (not put to the members, closed or withdrawn).',
            NEW.session_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = {
    "meetings_declaration_frozen": "BEFORE INSERT OR UPDATE OR DELETE ON meetings_declaration "
    "FOR EACH ROW EXECUTE FUNCTION entraide_refuse_frozen_record('session_id')",
    "meetings_declaration_no_truncate": "BEFORE TRUNCATE ON meetings_declaration "
    "FOR EACH STATEMENT EXECUTE FUNCTION entraide_refuse_truncate()",
    "meetings_writtenvote_no_truncate": "BEFORE TRUNCATE ON meetings_writtenvote "
    "FOR EACH STATEMENT EXECUTE FUNCTION entraide_refuse_truncate()",
    "meetings_writtenvote_in_time": "BEFORE INSERT ON meetings_writtenvote "
    "FOR EACH ROW EXECUTE FUNCTION entraide_written_answer_in_time()",
    "meetings_session_consultation_kept": "BEFORE UPDATE ON meetings_session "
    "FOR EACH ROW EXECUTE FUNCTION entraide_keep_consultation()",
    "meetings_document_consultation_kept": "BEFORE INSERT OR UPDATE OR DELETE ON meetings_document "
    "FOR EACH ROW EXECUTE FUNCTION entraide_keep_consultation_draft()",
}
FUNCTIONS = {
    "entraide_keep_consultation": KEEP_CONSULTATION,
    "entraide_keep_consultation_draft": KEEP_CONSULTATION_DRAFT,
    "entraide_written_answer_in_time": ANSWER_IN_TIME,
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    search_path = f"pg_catalog, {schema}, pg_temp"
    for function in FUNCTIONS.values():
        schema_editor.execute(function.format(search_path=search_path), None)  # None: % is no placeholder
    for name, trigger in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {name} {trigger}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, trigger in TRIGGERS.items():
        table = trigger.split(" ON ")[1].split()[0]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0036_written_consultations"),
    ]

    operations = [migrations.RunPython(create, drop)]
