"""The record of a session in one place: built once at signature, and drawn from its snapshot after."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.minutes import lifecycle
from meetings.models import Minutes
from meetings.models.record import session_record
from meetings.models.session import Session
from tests.actors import actors

pytestmark = pytest.mark.django_db


def reads_of(table: str, queries: CaptureQueriesContext) -> int:
    pattern = re.compile(rf'^SELECT .* FROM "{table}"', re.S)
    return sum(1 for query in queries.captured_queries if pattern.match(query["sql"]))


def test_the_signature_reads_the_seats_and_the_attendance_once():
    cast = actors()
    minutes = cast.minutes(Minutes.State.APPROVED)

    with CaptureQueriesContext(connection) as queries:
        lifecycle.sign(minutes, by=cast.secretary)

    assert reads_of("meetings_membership", queries) == 1
    assert reads_of("meetings_attendance", queries) == 1


def test_the_signed_version_keeps_the_record_its_pdf_embeds():
    cast = actors()
    minutes = cast.minutes(Minutes.State.SIGNED)

    assert minutes.record == session_record(Session.objects.with_record().get(pk=cast.session.pk))
    assert minutes.record["session"]["chaired_by"]["name_ar"] == "نعيمة بن يحيى"
