"""The long texts have limits a real record never reaches, said in their help text, checked by the forms
and kept by the database whoever writes: the shell's UPDATE, or SQL."""

import pytest
from django.db import IntegrityError, transaction

from decisions.models import FollowUp, Resolution
from meetings.models import AgendaItem, Session
from tests import factory
from tests.client import Client
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Session, "opening", 20_000),
        (AgendaItem, "deliberation", 100_000),
        (AgendaItem, "summary", 20_000),
        (Resolution, "text", 50_000),
        (Resolution, "text_fr", 50_000),
        (FollowUp, "note", 10_000),
    ],
)
def test_the_database_refuses_a_text_past_its_limit_written_around_the_forms(model, field, limit):
    session = factory.session(factory.board())
    item = factory.agenda_item(session)
    resolution = factory.resolution(session, agenda_item=item)
    later = factory.session(session.board, ordinal=session.ordinal + 1)
    factory.follow_up(resolution, later)
    rows = model.objects.all()

    rows.update(**{field: "ب" * limit})  # the limit itself is a text like any other
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "ب" * (limit + 1)})


def test_the_session_page_says_the_limit_of_a_deliberation():
    session = factory.session(factory.board())
    factory.agenda_item(session)
    client = Client()
    client.force_login(factory.secretariat_user())

    text = visible_text(client.get(f"/admin/meetings/session/{session.pk}/change/"))

    assert "ما ناقشه المجلس. 100 000 حرف على الأكثر." in text  # the narrow no-break space, as a space
