"""The minutes before they are published: no public download; only the secretariat asks for a preview of
the draft. The public download of published minutes: test_minutes_download.py.
"""

import pytest
from django.contrib.auth.models import User

from meetings.models import Job, Minutes
from tests import factory
from tests.meetings.publication import plain_session

DOWNLOAD_URL = "/sessions/2025/2/minutes.pdf"


@pytest.fixture
def session(db):
    return plain_session(factory.board())


# No public download before publication


def test_a_public_session_has_no_public_minutes_before_they_are_published(client, session):
    factory.minutes_at(session, Minutes.State.APPROVED)

    assert client.get(DOWNLOAD_URL).status_code == 404


def test_signed_minutes_are_not_downloadable_until_they_are_published(client, session):
    factory.minutes_at(session, Minutes.State.SIGNED)

    assert client.get(DOWNLOAD_URL).status_code == 404


def test_the_session_page_offers_no_download_before_publication(client, session):
    response = client.get(session.get_absolute_url())

    assert "minutes.pdf" not in response.content.decode()


@pytest.mark.parametrize("path", [DOWNLOAD_URL, f"/fr{DOWNLOAD_URL}"])
def test_a_session_that_is_not_public_has_no_public_minutes(client, session, path):
    session.is_public = False
    session.save()

    assert client.get(path).status_code == 404


# The secretariat's draft preview, made by the task queue: test_queued_work.py


def test_the_preview_is_refused_to_someone_outside_the_secretariat(client, session):
    client.force_login(User.objects.create_user("visitor", password="x-pass-123"))

    response = client.post(f"/admin/meetings/session/{session.pk}/minutes-preview/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not Job.objects.exists()


def test_the_preview_of_a_session_that_does_not_exist_is_a_404(client, session):
    client.force_login(factory.secretariat_user())

    assert client.post("/admin/meetings/session/999999/minutes-preview/").status_code == 404
