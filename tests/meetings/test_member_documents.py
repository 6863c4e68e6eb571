"""The session's documents: the secretariat attaches a PDF in the admin, the members of the board download
it byte for byte; the admin refuses what is not a PDF of at most 10 MB.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.models import Document, Session
from tests import factory
from tests.client import Client
from tests.members import NOT_A_PDF, OVER_10_MB, a_pdf, admin_form, cast, page, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


def attach(client: Client, session: Session, upload: SimpleUploadedFile, title: str = "تقرير التنفيذ"):
    """The secretariat adds one row to the documents inline of the session's page, saves."""
    url = f"/admin/meetings/session/{session.pk}/change/"
    data = admin_form(client, url, "session_form")
    data.update({"documents-TOTAL_FORMS": "1", "documents-0-title": title, "documents-0-agenda_item": ""})
    return client.post(url, {**data, "documents-0-file": upload, "_save": "حفظ"})


# Documents


def test_the_secretariat_attaches_a_pdf_that_members_of_the_board_download_byte_for_byte():
    people = cast()
    report = a_pdf()

    saved = attach(
        signed_in(factory.secretariat_user()),
        people.session,
        SimpleUploadedFile("تقرير.pdf", report, content_type="application/pdf"),
    )

    assert saved.status_code == 302
    document = people.session.documents.get()
    client = signed_in(people.member)
    listed = client.get(page(people.session))
    assert f'href="/members/documents/{document.pk}/"' in listed.content.decode()
    assert "تقرير التنفيذ" in visible_text(listed)
    response = client.get(f"/members/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == report
    assert signed_in(people.outsider).get(f"/members/documents/{document.pk}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_document():
    people = cast()
    document = Document.objects.create(
        session=people.session, title="تقرير", file=ContentFile(a_pdf(), name="report.pdf")
    )

    response = Client().get(f"/members/documents/{document.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/members/login/?next=/members/documents/{document.pk}/"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), NOT_A_PDF, id="a picture renamed .pdf"),
        pytest.param(b"%PDF-1.7\n" + bytes(10 * 1024 * 1024), OVER_10_MB, id="over 10 MB"),
    ],
)
def test_the_admin_refuses_a_document_that_is_not_a_pdf_of_at_most_10_mb(content, message):
    people = cast()

    response = attach(
        signed_in(factory.secretariat_user()),
        people.session,
        SimpleUploadedFile("تقرير.pdf", content, content_type="application/pdf"),
    )

    assert response.status_code == 200
    assert message in visible_text(response)
    assert not Document.objects.exists()
