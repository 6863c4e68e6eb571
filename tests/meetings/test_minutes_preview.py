"""The minutes before they are published: no public download; the secretariat previews the draft as it
would print now. The public download of published minutes: test_minutes_download.py.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from meetings.models import Minutes
from tests import factory, pdf
from tests.meetings.publication import plain_session

DOWNLOAD_URL = "/sessions/2025/2/minutes.pdf"

N = pdf.normalized


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


# The secretariat's draft preview


def test_the_secretariat_previews_the_draft_of_a_session_that_is_not_public(client, session):
    session.is_public = False
    session.save()
    client.force_login(factory.secretariat_user())

    response = client.get(f"/admin/meetings/session/{session.pk}/minutes-preview.pdf")

    assert response.status_code == 200
    assert 'filename="draft-minutes-2025-2.pdf"' in response["Content-Disposition"]
    assert all(N("مسودة") in page for page in pdf.page_texts(response.content))


def test_the_preview_is_rendered_anew_and_never_stored(client, session, settings):
    client.force_login(factory.secretariat_user())

    response = client.get(f"/admin/meetings/session/{session.pk}/minutes-preview.pdf")

    assert response.status_code == 200
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == []


def test_the_session_admin_page_links_to_the_preview(client, session):
    client.force_login(factory.secretariat_user())

    response = client.get(f"/admin/meetings/session/{session.pk}/change/")

    assert f'href="/admin/meetings/session/{session.pk}/minutes-preview.pdf"' in response.content.decode()
    assert "معاينة مسودة المحضر (PDF)" in response.content.decode()


def test_the_preview_is_refused_to_someone_outside_the_secretariat(client, session):
    client.force_login(User.objects.create_user("visitor", password="x-pass-123"))

    response = client.get(f"/admin/meetings/session/{session.pk}/minutes-preview.pdf")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_preview_of_a_session_that_does_not_exist_is_a_404(client, session):
    client.force_login(factory.secretariat_user())

    assert client.get("/admin/meetings/session/999999/minutes-preview.pdf").status_code == 404
