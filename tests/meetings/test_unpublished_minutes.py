"""Minutes not yet published, and published minutes of another board: served nowhere.

Each test builds its own session, since each needs minutes of its own state; only those signed are rendered
and signed for real. Published minutes are in test_publication.py.
"""

import pytest

from meetings.models import Minutes
from tests import factory
from tests.meetings.publication import (
    SESSION_PDF,
    advance,
    reference_session,
    stored,
    verify_page,
    version_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return reference_session(factory.board())


def test_a_session_without_minutes_has_no_pdf(client, session):
    assert client.get(SESSION_PDF).status_code == 404


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "signed"])
def test_minutes_not_yet_published_are_served_nowhere(client, session, state):
    minutes = advance(session, state)
    assert minutes.state == state

    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404
    assert client.get(verify_page(minutes)).status_code == 404


def test_signed_minutes_have_their_file_stored_yet_not_served(client, session):
    minutes = advance(session, Minutes.State.SIGNED)

    assert stored(minutes).startswith(b"%PDF-")
    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404


def test_published_minutes_of_another_board_are_served_nowhere(client):
    minutes = factory.publish(reference_session(factory.board(is_home=False)))

    assert client.get(minutes.session.get_absolute_url()).status_code == 404
    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404
    assert client.get(verify_page(minutes)).status_code == 404
