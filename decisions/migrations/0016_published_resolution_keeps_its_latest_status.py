"""A published resolution keeps its latest follow-up status on its row, so that the register sorts, filters
and counts by it without a subquery per row (issue 29: three such subplans per page at 20,000 resolutions).

The status is not part of the resolution's signed record: later sessions' publications change it. So the
rule of 0009 (what the public reads is never updated) gets one exception on PostgreSQL, and only one: an
update of `latest_status` alone, to the status that the published follow-ups give it
(`entraide_latest_status`, the rule of `PublishedResolutionQuerySet.keep_latest_status`). Anyone may
bring a status up to date; nobody can set it to anything else.
"""

import importlib

from django.db import migrations, models

published_rows = importlib.import_module("decisions.migrations.0009_published_rows_in_the_database")

LATEST_STATUS = """
CREATE OR REPLACE FUNCTION entraide_latest_status(in_session bigint, numbered integer)
RETURNS text
SET search_path = {search_path}
AS $$
    SELECT f.status
    FROM meetings_publishedsession s
    JOIN decisions_publishedfollowup f
        ON f.board_id = s.board_id AND f.resolution_year = s.year AND f.resolution_ordinal = s.ordinal
    WHERE s.id = in_session AND f.resolution_sequence = numbered
    ORDER BY f.reported_on DESC, f.reported_at_ordinal DESC
    LIMIT 1
$$ LANGUAGE sql STABLE;
"""

# 0009's function, with the exception in its UPDATE branch.
KEPT_STATUS_ALLOWED = published_rows.REFUSE_FORGED_PUBLICATION.replace(
    """    IF TG_OP = 'UPDATE' THEN
""",
    """    IF TG_OP = 'UPDATE' THEN
        IF TG_TABLE_NAME = 'decisions_publishedresolution'
            AND to_jsonb(NEW) - 'latest_status' = to_jsonb(OLD) - 'latest_status'
            AND (to_jsonb(NEW) ->> 'latest_status') IS NOT DISTINCT FROM
                entraide_latest_status(NEW.session_id, (to_jsonb(NEW) ->> 'sequence')::integer)
        THEN
            RETURN NEW;
        END IF;
""",
)
assert KEPT_STATUS_ALLOWED != published_rows.REFUSE_FORGED_PUBLICATION


def allow_kept_status(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    path = published_rows.search_path(schema_editor)
    schema_editor.execute(LATEST_STATUS.format(search_path=path), None)
    schema_editor.execute(KEPT_STATUS_ALLOWED.format(search_path=path), None)


def refuse_kept_status(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    path = published_rows.search_path(schema_editor)
    schema_editor.execute(published_rows.REFUSE_FORGED_PUBLICATION.format(search_path=path), None)
    schema_editor.execute("DROP FUNCTION IF EXISTS entraide_latest_status(bigint, integer)")


def fill(apps, schema_editor):
    """Each published resolution's latest status, as the register looked it up until now: the status at
    the latest published session of its board that reported on it, by its number."""
    PublishedFollowUp = apps.get_model("decisions", "PublishedFollowUp")
    PublishedResolution = apps.get_model("decisions", "PublishedResolution")
    latest = {}
    reports = PublishedFollowUp.objects.order_by("reported_on", "reported_at_ordinal").values_list(
        "board", "resolution_year", "resolution_ordinal", "resolution_sequence", "status"
    )
    for board, year, ordinal, sequence, status in reports.iterator(chunk_size=2000):
        latest[(board, year, ordinal, sequence)] = status  # the later report wins
    changed = []
    rows = PublishedResolution.objects.values_list(
        "pk", "session__board", "session__year", "session__ordinal", "sequence"
    )
    for pk, *number in rows.iterator(chunk_size=2000):
        status = latest.get(tuple(number))
        if status:
            changed.append(PublishedResolution(pk=pk, latest_status=status))
    PublishedResolution.objects.bulk_update(changed, ["latest_status"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0015_secretariat_deletes_sessions_entered_by_mistake"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedresolution",
            name="latest_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_started", "not started"),
                    ("in_progress", "in progress"),
                    ("done", "done"),
                    ("cancelled", "cancelled"),
                ],
                help_text="As the latest published session reporting on it gave it (kept at publication).",
                max_length=20,
                null=True,
                verbose_name="latest follow-up",
            ),
        ),
        migrations.RunPython(allow_kept_status, refuse_kept_status),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
