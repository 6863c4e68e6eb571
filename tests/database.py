"""The test database: the rows the migrations made around transactional tests, and PostgreSQL's roles.

The rows the migrations made (the "secretariat" group, its permissions…) around transactional tests:

A transactional test empties every table when it ends. With `serialized_rollback`, Django puts the
migrated rows back when the next such test starts, but tests that run later outside any test transaction
(module fixtures that load the demo, which needs the "secretariat" group) would miss them: a module of
transactional tests puts them back itself once it is done.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction


def migrated_rows() -> dict[str, str]:
    """The copy of the migrations' rows that `serialized_rollback` restores, by database alias."""
    return {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }


def put_back_migrated_rows() -> None:
    for alias, contents in migrated_rows().items():
        connections[alias].creation.deserialize_db_from_string(contents)


# PostgreSQL's guard: its triggers and the application's role (docs/database-roles.md).

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The triggers and roles are PostgreSQL's (meetings' migrations 0009 and 0027); SQLite, for "
    "development and the demo, relies on the models. They run in bash .ci/run.",
)


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sqlstate(refusal: pytest.ExceptionInfo) -> str:
    return refusal.value.__cause__.sqlstate


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    """The test's connection acts as `role` inside a savepoint: a refusal rolls the savepoint back, and the
    role with it; a success hands the connection back to the test's own role (the owning superuser)."""
    with transaction.atomic():
        execute(f"SET LOCAL ROLE {role}")
        yield
        execute("RESET ROLE")


@pytest.fixture
def application_role(db) -> str:
    """A role like production's application role, made inside the test's transaction (so it goes with
    it), named after the test database (so concurrent runs of other databases do not collide), with what
    `grant_application_role` gives it."""
    role = f"{connection.settings_dict['NAME']}_application"
    execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_application_role", role, stdout=io.StringIO())
    return role
