"""PostgreSQL keeps signed versions as signed (meetings' migration 0009), and the application's role cannot
take that away: it owns no table, so it can neither drop nor disable a trigger, nor TRUNCATE, nor open the
data migrations' escape hatch (docs/database-roles.md, `manage.py grant_application_role`)."""

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone

from decisions.models import Resolution
from meetings.models import AgendaItem, Minutes, Session
from meetings.models.record import RecordRow
from tests import factory
from tests.actors import actors
from tests.database import acting_as, application_role, execute, postgresql_only, sqlstate

__all__ = ["application_role"]  # a fixture, used by name

State = Minutes.State

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="What the command says on SQLite.")

INSUFFICIENT_PRIVILEGE = "42501"

# The record's tables and the minutes' history, which TRUNCATE would empty past their row triggers.
GUARDED_TABLES = [
    "meetings_session",
    "meetings_attendance",
    "meetings_agendaitem",
    "meetings_document",
    "meetings_minutes",
    "meetings_approval",
    "meetings_transition",
    "meetings_dutylog",
    "meetings_archivedcopy",
    "meetings_declaration",
    "meetings_writtenvote",
    "decisions_resolution",
    "decisions_followup",
]


@pytest.fixture(scope="module")
def signed(django_db_setup, django_db_blocker):
    """Two sessions for the whole module (signing takes a second each): one whose minutes are signed, one
    whose minutes are published; and a later session of the first board, whose record is still open.
    Each test runs in a transaction of its own inside this one, which is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first, second = actors(home=False), actors(home=False)
        later = factory.session(first.session.board, datetime.date(2026, 6, 18), 1)
        yield {
            "signed": first.minutes(State.SIGNED).pk,
            "published": second.minutes(State.PUBLISHED).pk,
            "resolution": first.resolution.pk,
            "later": later.pk,
        }
        transaction.set_rollback(True)


def minutes(signed, state: str):
    return Minutes.objects.filter(pk=signed[state])


@contextmanager
def constraints_checked_now() -> Iterator[None]:
    """Django's foreign keys are checked at commit; TRUNCATE refuses to run while checks of rows of the
    test's transaction are pending, so they are run first, and deferred again after."""
    try:
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
    finally:
        execute("SET CONSTRAINTS ALL DEFERRED")


# Signed minutes keep what they were signed with, whoever asks


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.SIGNED, State.PUBLISHED])
def test_the_database_keeps_the_record_of_signed_minutes(signed, state):
    kept = minutes(signed, state).get().record

    with pytest.raises(IntegrityError, match="the record as signed does not change"), transaction.atomic():
        minutes(signed, state).update(record={**kept, "opening": "نص آخر"})

    assert minutes(signed, state).get().record == kept


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.SIGNED, State.PUBLISHED])
@pytest.mark.parametrize(
    "change",
    [
        {"sha256": "0" * 64},
        {"pdf": "minutes/signed/other.pdf"},
        {"version": 9},
        {"code": "another-code"},
        {"signed_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
        {"signed_at": None},
        {"signed_content_sha256": "0" * 64},
        {"signed_content_sha256": ""},
        {"signer_certificate_sha256": "0" * 64},
        {"signer_certificate_sha256": ""},
    ],
    ids=lambda change: "-".join(f"{k}={v}" for k, v in change.items()),
)
def test_the_database_keeps_the_signed_file_and_its_facts(signed, state, change):
    with pytest.raises(IntegrityError, match="keep their signed file"), transaction.atomic():
        minutes(signed, state).update(**change)


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "target"),
    [
        (State.PUBLISHED, State.SIGNED),
        (State.PUBLISHED, State.APPROVED),
        (State.PUBLISHED, State.DRAFT),
        (State.SIGNED, State.APPROVED),
        (State.SIGNED, State.IN_REVIEW),
    ],
)
def test_signed_minutes_only_move_to_published(signed, state, target):
    with pytest.raises(IntegrityError, match=f"{state} minutes do not become {target}"), transaction.atomic():
        minutes(signed, state).update(state=target)

    assert minutes(signed, state).get().state == state


@postgresql_only
@pytest.mark.django_db
def test_the_publication_time_of_published_minutes_never_changes(signed):
    published = minutes(signed, State.PUBLISHED)
    kept = published.get().published_at
    assert kept is not None

    for value in (kept + datetime.timedelta(days=1), None):
        with pytest.raises(IntegrityError, match="publication time is set once"), transaction.atomic():
            published.update(published_at=value)

    assert published.get().published_at == kept


@postgresql_only
@pytest.mark.django_db
def test_the_publication_time_is_set_once_at_publication(signed):
    """As `lifecycle.publish` does: the time first, then the move, in one transaction."""
    signed_minutes = minutes(signed, State.SIGNED)
    now = timezone.now()

    signed_minutes.update(published_at=now)
    with pytest.raises(IntegrityError, match="publication time is set once"), transaction.atomic():
        signed_minutes.update(published_at=now + datetime.timedelta(hours=1))
    signed_minutes.update(state=State.PUBLISHED)

    assert (signed_minutes.get().state, signed_minutes.get().published_at) == (State.PUBLISHED, now)


@postgresql_only
@pytest.mark.django_db
def test_published_minutes_are_never_deleted(signed):
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        minutes(signed, State.PUBLISHED)._raw_delete(connection.alias)


# TRUNCATE


@postgresql_only
@pytest.mark.django_db
def test_a_truncate_of_a_table_holding_a_signed_session_is_refused(signed):
    count = Session.objects.get(minutes_versions=signed["signed"]).attendances.count()
    assert count

    refused = pytest.raises(IntegrityError, match="TRUNCATE meetings_attendance would empty signed records")
    with refused, constraints_checked_now(), transaction.atomic():
        execute("TRUNCATE meetings_attendance")

    assert Session.objects.get(minutes_versions=signed["signed"]).attendances.count() == count


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_every_table_of_the_record_and_of_the_history_refuses_truncate(signed, table):
    # The named table's trigger fires first, before those of the tables CASCADE adds.
    refused = pytest.raises(IntegrityError, match=f"TRUNCATE {table} would empty signed records")
    with refused, constraints_checked_now(), transaction.atomic():
        execute(f"TRUNCATE {table} CASCADE")


@postgresql_only
@pytest.mark.django_db
def test_every_model_of_the_record_has_the_databases_guards():
    """Each kind of row of the record, today's and the next one added (`RecordRow`), is refused by the
    database once the minutes are signed, and its table cannot be emptied past that."""
    tables = {
        model._meta.db_table
        for model in django_apps.get_models()
        if issubclass(model, RecordRow) and not model._meta.proxy
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgtype & 32 <> 0 FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggers = cursor.fetchall()
    frozen = {table for table, name, _ in triggers if name == f"{table}_frozen"}
    truncate = {table for table, _, on_truncate in triggers if on_truncate}
    assert "meetings_declaration" in tables
    assert tables - frozen == set()
    assert tables - truncate == set()
    assert set(GUARDED_TABLES) - truncate == set()


@postgresql_only
@pytest.mark.django_db
def test_the_owner_may_truncate_with_the_hatch_open(signed):
    """What the tests' harness does when it empties its database (tests/conftest.py)."""
    with constraints_checked_now(), transaction.atomic():
        execute("SET LOCAL entraide.unfreeze_record = 'on'")
        execute("TRUNCATE meetings_attendance")
        assert not Session.objects.get(minutes_versions=signed["signed"]).attendances.exists()
        transaction.set_rollback(True)

    assert Session.objects.get(minutes_versions=signed["signed"]).attendances.exists()


# The escape hatch of a data migration: the owner's


@postgresql_only
@pytest.mark.django_db
def test_the_owner_may_reshape_the_record_of_signed_minutes_but_not_their_file(signed):
    signed_minutes = minutes(signed, State.SIGNED)
    record = signed_minutes.get().record

    with transaction.atomic():
        execute("SET LOCAL entraide.unfreeze_record = 'on'")
        signed_minutes.update(record={**record, "format": 2})
        with pytest.raises(IntegrityError, match="keep their signed file"), transaction.atomic():
            signed_minutes.update(sha256="0" * 64)
        execute("SET LOCAL entraide.unfreeze_record = 'off'")

    assert signed_minutes.get().record["format"] == 2


# The application's role (docs/database-roles.md)


@postgresql_only
@pytest.mark.django_db
def test_the_application_role_works_on_an_unsigned_record(signed, application_role):
    with acting_as(application_role):
        later = Session.objects.get(pk=signed["later"])
        Session.objects.filter(pk=later.pk).update(place="مقر المؤسسة، الرباط")
        item = AgendaItem.objects.create(session=later, position=1, title="نقطة جديدة")
        item.title = "نقطة معدلة"
        item.save()
        signed_record = Minutes.objects.get(pk=signed["published"]).record  # reading a signed one

    assert Session.objects.get(pk=signed["later"]).place == "مقر المؤسسة، الرباط"
    assert AgendaItem.objects.get(pk=item.pk).title == "نقطة معدلة"
    assert signed_record["session"]


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "DROP TRIGGER meetings_minutes_signed_kept ON meetings_minutes",
        "DROP TRIGGER decisions_resolution_frozen ON decisions_resolution",
        "ALTER TABLE meetings_minutes DISABLE TRIGGER ALL",
        "ALTER TABLE meetings_session DISABLE TRIGGER meetings_session_frozen",
        "ALTER TABLE meetings_attendance OWNER TO CURRENT_USER",
        "TRUNCATE meetings_attendance",
        "TRUNCATE django_session",  # TRUNCATE is not granted at all
        "DROP FUNCTION entraide_record_unfrozen(oid)",
        "CREATE OR REPLACE FUNCTION entraide_record_unfrozen(tab oid) RETURNS boolean AS 'SELECT true' "
        "LANGUAGE sql",
        "CREATE TABLE meetings_shadow (id int)",  # no CREATE on the schema
        "CREATE TRIGGER meetings_minutes_first BEFORE UPDATE ON meetings_minutes "
        "FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    ],
    ids=lambda statement: " ".join(statement.split()[:4]),
)
def test_the_application_role_cannot_take_the_guard_away(signed, application_role, statement):
    with pytest.raises(ProgrammingError) as refusal, acting_as(application_role):
        execute(statement)

    assert sqlstate(refusal) == INSUFFICIENT_PRIVILEGE, refusal.value


@postgresql_only
@pytest.mark.django_db
def test_the_hatch_stays_closed_to_the_application_role(signed, application_role):
    record = minutes(signed, State.SIGNED).get().record

    with pytest.raises(IntegrityError, match="signed"), acting_as(application_role):
        execute("SET LOCAL entraide.unfreeze_record = 'on'")
        Resolution.objects.filter(pk=signed["resolution"]).update(search_text="")
    refused = pytest.raises(IntegrityError, match="the record as signed does not change")
    with refused, acting_as(application_role):
        execute("SET LOCAL entraide.unfreeze_record = 'on'")
        minutes(signed, State.SIGNED).update(record={**record, "format": 2})
    with pytest.raises(ProgrammingError) as refusal, acting_as(application_role):
        execute("SET LOCAL entraide.unfreeze_record = 'on'")
        execute("TRUNCATE meetings_attendance")

    assert sqlstate(refusal) == INSUFFICIENT_PRIVILEGE
    assert Resolution.objects.get(pk=signed["resolution"]).search_text
    assert minutes(signed, State.SIGNED).get().record == record


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "change"),
    [
        (State.SIGNED, {"record": {}}),
        (State.PUBLISHED, {"record": {}}),
        (State.PUBLISHED, {"published_at": datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)}),
        (State.PUBLISHED, {"state": State.SIGNED}),
        (State.SIGNED, {"sha256": "0" * 64}),
    ],
    ids=["signed-record", "published-record", "published_at", "published-to-signed", "sha256"],
)
def test_the_application_role_cannot_rewrite_signed_minutes(signed, application_role, state, change):
    with pytest.raises(IntegrityError, match="keep their signed file"), acting_as(application_role):
        minutes(signed, state).update(**change)


@postgresql_only
@pytest.mark.django_db
def test_a_temporary_table_does_not_hide_the_signed_minutes(signed, application_role):
    """Any role may create temporary tables, which come first in the search path unless told otherwise;
    the triggers' functions look up meetings_minutes in the project's schema."""
    with pytest.raises(IntegrityError, match="signed"), acting_as(application_role):
        execute("CREATE TEMPORARY TABLE meetings_minutes (session_id bigint, state text, version int)")
        Resolution.objects.filter(pk=signed["resolution"]).update(search_text="")


# The command


@postgresql_only
@pytest.mark.django_db
def test_grant_application_role_grants_the_data_privileges_and_nothing_else(application_role):
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    assert {
        "meetings_minutes",
        "decisions_resolution",
        "auth_user",
        "django_session",
        "django_admin_log",
    } <= set(tables)

    def held(privilege: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t FROM unnest(%s::text[]) AS t WHERE has_table_privilege(%s, t, %s)",
                [tables, application_role, privilege],
            )
            return {table for (table,) in cursor.fetchall()}

    for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        assert held(privilege) == set(tables), privilege
    for privilege in ("TRUNCATE", "REFERENCES", "TRIGGER"):
        assert held(privilege) == set(), privilege
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_schema_privilege(%(role)s, current_schema(), 'USAGE'),"
            " has_schema_privilege(%(role)s, current_schema(), 'CREATE'),"
            " has_database_privilege(%(role)s, current_database(), 'CONNECT'),"
            " has_sequence_privilege(%(role)s, pg_get_serial_sequence('meetings_minutes', 'id'), 'USAGE'),"
            " has_sequence_privilege(%(role)s, pg_get_serial_sequence('meetings_minutes', 'id'), 'UPDATE'),"
            " (SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %(role)s))",
            {"role": application_role},
        )
        assert cursor.fetchone() == (True, False, True, True, False, 0)


@postgresql_only
@pytest.mark.django_db
def test_grant_application_role_warns_of_a_create_it_does_not_take_back(application_role):
    """As PostgreSQL 14 and older grant it to PUBLIC on the public schema."""
    execute(f"GRANT CREATE ON SCHEMA public TO {application_role}")
    warning = io.StringIO()

    call_command("grant_application_role", application_role, stdout=io.StringIO(), stderr=warning)

    assert f"Warning: {application_role} may still CREATE in public" in warning.getvalue()


@postgresql_only
@pytest.mark.django_db
def test_grant_application_role_refuses_a_role_that_owns_the_tables():
    with pytest.raises(CommandError, match="could drop the triggers"):
        call_command("grant_application_role", connection.settings_dict["USER"], stdout=io.StringIO())


@postgresql_only
@pytest.mark.django_db
def test_grant_application_role_refuses_a_role_that_does_not_exist():
    with pytest.raises(CommandError, match="There is no role 'nobody_at_all': create it first"):
        call_command("grant_application_role", "nobody_at_all", stdout=io.StringIO())


@sqlite_only
@pytest.mark.django_db
def test_grant_application_role_refuses_sqlite():
    with pytest.raises(CommandError, match="is for PostgreSQL.*sqlite, which has no roles"):
        call_command("grant_application_role", "entraide_app", stdout=io.StringIO())
