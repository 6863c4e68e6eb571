"""The stored files in an S3-compatible bucket (STORAGE_URL), as every application server of a cluster
shares them: a real server (SeaweedFS's S3 gateway) holds the signed minutes, their archived copies and
the session documents; the public downloads serve its bytes with their strong ETag, the documents stay
behind the members' check, and nothing lands in MEDIA_ROOT."""

import hashlib
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from entraide.settings import env_storage
from meetings.minutes import archive
from meetings.models import Document
from tests import factory
from tests.client import Client
from tests.meetings.publication import SESSION_PDF, plain_session
from tests.members import a_pdf, cast, signed_in

# A server the tests start, SeaweedFS (make test-all).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class Bucket:
    def __init__(self, store, prefix: str):
        self.store, self.prefix = store, prefix

    def objects(self) -> dict[str, bytes]:
        return self.store.objects(self.prefix)


@pytest.fixture
def bucket(object_storage, settings, monkeypatch) -> Bucket:
    """A folder of the object store's bucket of its own, the app's storage for the test (as STORAGE_URL
    sets it)."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("STORAGE_URL", object_storage.storage_url(prefix))
    settings.STORAGES = {**settings.STORAGES, "default": env_storage("STORAGE_URL")}
    return Bucket(object_storage, prefix)


def files_in(folder) -> list[Path]:
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def test_the_signed_minutes_are_kept_in_the_bucket_and_the_public_downloads_serve_its_bytes(bucket, settings):
    minutes = factory.publish(plain_session(factory.board()))

    held = bucket.objects()
    assert minutes.pdf.name.startswith("minutes/signed/")
    assert hashlib.sha256(held[minutes.pdf.name]).hexdigest() == minutes.sha256
    assert files_in(settings.MEDIA_ROOT) == []
    client = Client()
    response = client.get(SESSION_PDF)
    assert response.status_code == 200
    assert response["ETag"] == f'"{minutes.sha256}"'
    assert b"".join(response.streaming_content) == held[minutes.pdf.name]
    assert client.get(SESSION_PDF, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    version = client.get(f"/minutes/{minutes.code}.pdf")
    assert b"".join(version.streaming_content) == held[minutes.pdf.name]


def test_a_downloaded_file_from_the_bucket_verifies_as_authentic(bucket):
    factory.publish(plain_session(factory.board()))
    client = Client()
    downloaded = b"".join(client.get(SESSION_PDF).streaming_content)

    page = client.post("/verify/", {"file": ContentFile(downloaded, name="minutes.pdf")})

    assert "verdict-authentic" in page.content.decode()


def test_an_archived_copy_goes_to_the_bucket_and_becomes_the_session_download(bucket):
    minutes = factory.publish(plain_session(factory.board()))

    copy = archive.renew(minutes)

    held = bucket.objects()
    assert copy.pdf.name.startswith("minutes/archived/")
    assert hashlib.sha256(held[copy.pdf.name]).hexdigest() == copy.sha256
    assert held[minutes.pdf.name] != held[copy.pdf.name]
    response = Client().get(SESSION_PDF)
    assert response["ETag"] == f'"{copy.sha256}"'
    assert b"".join(response.streaming_content) == held[copy.pdf.name]


def test_a_session_document_in_the_bucket_reaches_members_only(bucket):
    people = cast()
    report = a_pdf()

    document = Document.objects.create(
        session=people.session, title="تقرير", file=ContentFile(report, name="report.pdf")
    )

    assert bucket.objects()[document.file.name] == report
    url = f"/members/documents/{document.pk}/"
    member = signed_in(people.member).get(url)
    assert member.status_code == 200
    assert b"".join(member.streaming_content) == report
    assert signed_in(people.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_name_already_in_the_bucket_is_never_written_over(bucket):
    people = cast()
    one, other = a_pdf("الأول"), a_pdf("الثاني")
    first = Document.objects.create(
        session=people.session, title="أ", file=ContentFile(one, name="report.pdf")
    )

    second = Document.objects.create(
        session=people.session, title="ب", file=ContentFile(other, name="report.pdf")
    )

    assert first.file.name != second.file.name
    held = bucket.objects()
    assert (held[first.file.name], held[second.file.name]) == (one, other)


def test_the_health_check_asks_the_bucket(bucket, settings):
    assert Client().get("/health/").status_code == 200
    refused = env_storage("STORAGE_URL")
    refused["OPTIONS"]["secret_key"] = "not-the-key"  # the object store refuses every request
    settings.STORAGES = {**settings.STORAGES, "default": refused}

    assert Client().get("/health/").status_code == 500
