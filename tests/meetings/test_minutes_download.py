"""Downloading the minutes: the public PDF of a public session, the secretariat's draft preview."""

import pytest
from django.contrib.auth.models import User

from tests import factory, pdf

N = pdf.normalized


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def session(db):
    board = factory.board()
    chair = factory.seat(board, name_ar="نعيمة بن يحيى")
    session = factory.session(board, chair=chair)
    factory.attend(session, chair)
    factory.agenda_item(session, 1, title="مشروع ميزانية المؤسسة برسم سنة 2026")
    return session


def _stored(media) -> list:
    return sorted((media / "minutes" / "rendered").glob("*.pdf"))


def test_a_public_session_downloads_its_minutes_as_pdf(client, session):
    response = client.get(f"/sessions/{session.year}/{session.ordinal}/minutes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert N("مشروع ميزانية المؤسسة برسم سنة 2026") in N(pdf.text(response.content))


def test_the_file_name_is_arabic_with_an_ascii_fallback(client, session):
    response = client.get(f"/sessions/{session.year}/{session.ordinal}/minutes.pdf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="minutes-2025-2.pdf"; ')
    # «محضر-الدورة-2-2025.pdf», percent-encoded as RFC 5987 asks.
    assert (
        "filename*=UTF-8''%D9%85%D8%AD%D8%B6%D8%B1-%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D8%A9-2-2025.pdf"
        in disposition
    )


def test_the_session_page_links_to_its_minutes(client, session):
    response = client.get(session.get_absolute_url())
    assert 'href="/sessions/2025/2/minutes.pdf"' in response.content.decode()


def test_an_unchanged_session_is_rendered_once_and_then_served_from_storage(client, session, _media):
    first = client.get("/sessions/2025/2/minutes.pdf").content
    stored = _stored(_media)
    assert len(stored) == 1
    stored[0].write_bytes(first + b"%marker")  # what is served next must come from this file
    second = client.get("/sessions/2025/2/minutes.pdf").content
    assert second == first + b"%marker"
    assert len(_stored(_media)) == 1


def test_a_change_to_the_record_renders_the_minutes_again(client, session, _media):
    client.get("/sessions/2025/2/minutes.pdf")
    item = session.agenda_items.get()
    item.title = "مشروع مخطط عمل المؤسسة برسم سنة 2026"
    item.save()
    response = client.get("/sessions/2025/2/minutes.pdf")
    assert N("مشروع مخطط عمل المؤسسة برسم سنة 2026") in N(pdf.text(response.content))
    assert len(_stored(_media)) == 2


@pytest.mark.parametrize("path", ["/sessions/2025/2/minutes.pdf", "/fr/sessions/2025/2/minutes.pdf"])
def test_a_session_that_is_not_public_has_no_public_minutes(client, session, path):
    session.is_public = False
    session.save()
    assert client.get(path).status_code == 404


def test_a_session_that_does_not_exist_has_no_minutes(client, session):
    assert client.get("/sessions/2025/7/minutes.pdf").status_code == 404


def test_the_secretariat_previews_the_draft_of_a_session_that_is_not_public(client, session):
    session.is_public = False
    session.save()
    client.force_login(factory.secretariat_user())
    response = client.get(f"/admin/meetings/session/{session.pk}/minutes-preview.pdf")
    assert response.status_code == 200
    assert 'filename="draft-minutes-2025-2.pdf"' in response["Content-Disposition"]
    assert all(N("مسودة") in page for page in pdf.page_texts(response.content))


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
