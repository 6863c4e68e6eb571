"""The rows the migrations made (the "secretariat" group, its permissions…) around transactional tests.

A transactional test empties every table when it ends. With `serialized_rollback`, Django puts the
migrated rows back when the next such test starts, but tests that run later outside any test transaction
(module fixtures that load the demo, which needs the "secretariat" group) would miss them: a module of
transactional tests puts them back itself once it is done.
"""

from django.db import connections


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
