"""Downloading the minutes: the public gets the stored signed file of the latest published version; the
secretariat previews the draft as it would print now."""

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User

from meetings.models import Minutes
from tests import factory, pdf

N = pdf.normalized

DOWNLOAD_URL = "/sessions/2025/2/minutes.pdf"


@pytest.fixture
def session(db):
    board = factory.board()
    chair = factory.seat(board, name_ar="نعيمة بن يحيى")
    session = factory.session(board, chair=chair)
    factory.attend(session, chair)
    factory.agenda_item(session, 1, title="مشروع ميزانية المؤسسة برسم سنة 2026")
    return session


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


# The public download


def test_the_public_download_is_the_stored_signed_file_byte_for_byte(client, session):
    minutes = factory.publish(session)

    response = client.get(DOWNLOAD_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = downloaded(response)
    with minutes.pdf.open("rb") as stored:
        assert body == stored.read()
    assert hashlib.sha256(body).hexdigest() == minutes.sha256


def test_the_public_download_reads_as_the_minutes_of_the_session(client, session):
    factory.publish(session)

    body = downloaded(client.get(DOWNLOAD_URL))

    assert N("مشروع ميزانية المؤسسة برسم سنة 2026") in N(pdf.text(body))
    assert all(N("مسودة") not in page for page in pdf.page_texts(body))


def test_a_published_correction_replaces_the_earlier_version_at_the_public_address(client, session):
    first = factory.publish(session)
    correction = factory.minutes_at(session, Minutes.State.PUBLISHED, reason="خطأ مادي في اسم أحد الأعضاء")

    body = downloaded(client.get(DOWNLOAD_URL))

    assert hashlib.sha256(body).hexdigest() == correction.sha256 != first.sha256


def test_the_file_name_is_arabic_with_the_version_and_an_ascii_fallback(client, session):
    factory.publish(session)

    disposition = client.get(DOWNLOAD_URL)["Content-Disposition"]

    assert disposition.startswith('inline; filename="minutes-2025-2-v1.pdf"; ')
    # «محضر-الدورة-2-2025-الصيغة-1.pdf», percent-encoded as RFC 5987 asks.
    assert f"filename*=UTF-8''{quote('محضر-الدورة-2-2025-الصيغة-1.pdf')}" in disposition
    assert "%D9%85%D8%AD%D8%B6%D8%B1-%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D8%A9-2-2025-" in disposition


def test_the_session_page_links_to_its_published_minutes(client, session):
    factory.publish(session)

    response = client.get(session.get_absolute_url())

    assert 'href="/sessions/2025/2/minutes.pdf"' in response.content.decode()


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


def test_a_session_that_does_not_exist_has_no_minutes(client, session):
    factory.publish(session)

    assert client.get("/sessions/2025/7/minutes.pdf").status_code == 404


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
