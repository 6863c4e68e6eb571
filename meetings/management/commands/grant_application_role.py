"""Give the application's database role what running the site needs, and nothing more (PostgreSQL).

In production the site connects as a role that does not own the tables: the triggers that keep a signed
record (meetings' migrations 0006 and 0009) can then be dropped or disabled by no one but the owner,
which runs `manage.py migrate` and then this command, every time (docs/database-roles.md):

    python manage.py grant_application_role entraide_app

The named role gets CONNECT on the database, USAGE on the tables' schema, SELECT, INSERT, UPDATE and
DELETE on every table of the installed apps (the project's, and Django's: users, groups, permissions,
sessions, content types, the admin's log) and USAGE and SELECT on their sequences. Never TRUNCATE, the
ownership of anything or CREATE on the schema; TRUNCATE, REFERENCES and TRIGGER given earlier are taken
back. A superuser, or a role that owns the tables, is refused: the triggers would not hold it back.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"
# Privileges on a table that would let the role empty it past its row triggers, or add triggers of its own.
NEVER = "TRUNCATE, REFERENCES, TRIGGER"


class Command(BaseCommand):
    help = (
        "Grant a PostgreSQL role the data privileges the site needs (no TRUNCATE, no ownership, no CREATE). "
        "Run by the role that owns the tables, after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as (it must already exist)")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"grant_application_role is for PostgreSQL; the {database!r} database is {connection.vendor}, "
                "which has no roles: the application opens the file with the file system's permissions."
            )
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        if not names:
            raise CommandError("The database has no table of the project yet: run `manage.py migrate` first.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            grantee = self.grantee(cursor, role)
            # The tables, named as GRANT needs them, their schemas, and whether `role` owns any of them.
            cursor.execute(
                """
                SELECT c.oid::regclass::text, quote_ident(n.nspname),
                       pg_has_role(%(role)s::name, c.relowner, 'MEMBER'),
                       has_schema_privilege(%(role)s::name, n.oid, 'CREATE')
                FROM unnest(%(names)s::text[]) AS t(name)
                JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))
                JOIN pg_namespace n ON n.oid = c.relnamespace
                ORDER BY 1
                """,
                {"role": role, "names": names},
            )
            rows = cursor.fetchall()
            tables = [table for table, _schema, _owns, _creates in rows]
            schemas = sorted({schema for _table, schema, _owns, _creates in rows})
            creates = sorted({schema for _table, schema, _owns, creates in rows if creates})
            if any(owns for _table, _schema, owns, _creates in rows):
                raise CommandError(
                    f"The role {role!r} is a superuser, or owns the tables (or is a member of their owner): "
                    "connected as it, the application could drop the triggers that keep a signed record. "
                    "Give the application a role of its own (docs/database-roles.md)."
                )
            cursor.execute(
                """
                SELECT DISTINCT s.oid::regclass::text
                FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = ANY (%s::regclass[])
                ORDER BY 1
                """,
                [tables],
            )
            sequences = [sequence for (sequence,) in cursor.fetchall()]
            cursor.execute("SELECT quote_ident(current_database())")
            (database_name,) = cursor.fetchone()

            cursor.execute(f"GRANT CONNECT ON DATABASE {database_name} TO {grantee}")
            cursor.execute(f"GRANT USAGE ON SCHEMA {', '.join(schemas)} TO {grantee}")
            cursor.execute(f"GRANT {TABLE_PRIVILEGES} ON TABLE {', '.join(tables)} TO {grantee}")
            cursor.execute(f"REVOKE {NEVER} ON TABLE {', '.join(tables)} FROM {grantee}")
            if sequences:
                cursor.execute(f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCE {', '.join(sequences)} TO {grantee}")

        self.stdout.write(
            f"{role}: CONNECT on {database_name}, USAGE on {', '.join(schemas)}, {TABLE_PRIVILEGES} on "
            f"{len(tables)} tables, {SEQUENCE_PRIVILEGES} on {len(sequences)} sequences."
        )
        if creates:
            # Granted to PUBLIC, not by this command (PostgreSQL 14 and older do so on the public schema).
            self.stderr.write(
                f"Warning: {role} may still CREATE in {', '.join(creates)} (granted to it or to PUBLIC). "
                f"Take it back: REVOKE CREATE ON SCHEMA {', '.join(creates)} FROM PUBLIC, {role};"
            )

    @staticmethod
    def grantee(cursor, role: str) -> str:
        cursor.execute("SELECT quote_ident(rolname) FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise CommandError(f"There is no role {role!r}: create it first (createuser {role}).")
        return found[0]
