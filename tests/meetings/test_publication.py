"""Publication of the signed minutes: what the public downloads is the stored signed file, byte for byte.

The reference session goes through the real lifecycle once for the module (`factory.publish`: rendered by
WeasyPrint, signed by pyHanko with the tests' demo certificate, stored with its SHA-256); each test reads
it in a transaction of its own, which undoes what it changed. A correction is in
test_publication_correction.py, minutes not yet published in test_unpublished_minutes.py.
"""

import hashlib
import subprocess
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError

from meetings.models import Attendance, Minutes, Session
from tests import factory, pdf
from tests.meetings.publication import (
    A_DAY,
    BUDGET,
    CORRECTED,
    SEE_CURRENT,
    SESSION_PDF,
    body,
    correct,
    max_age,
    reference_session,
    stored,
    verify_page,
    version_pdf,
)
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

N = pdf.normalized


@pytest.fixture(scope="module")
def _published(module_db) -> SimpleNamespace:
    """The reference session of the home board, its first minutes published (signed once for the module)."""
    session = reference_session(factory.board())
    return SimpleNamespace(session=session.pk, minutes=factory.publish(session).pk)


@pytest.fixture
def session(_published, module_files) -> Session:
    return Session.objects.get(pk=_published.session)


@pytest.fixture
def published(_published, module_files) -> Minutes:
    return Minutes.objects.get(pk=_published.minutes)


# The stored signed file, as both public addresses serve it


@pytest.fixture(params=["session", "version"])
def download(request, published) -> str:
    """The session's latest published minutes, and this one version for good."""
    return SESSION_PDF if request.param == "session" else version_pdf(published)


def test_the_download_is_the_stored_signed_file_byte_for_byte(client, published, download):
    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = body(response)
    assert data == stored(published)
    assert hashlib.sha256(data).hexdigest() == published.sha256


def test_the_etag_is_the_sha256_of_the_file_and_strong(client, published, download):
    response = client.get(download)

    assert response["ETag"] == f'"{published.sha256}"'
    assert not response["ETag"].startswith("W/")


def test_the_download_is_publicly_cacheable(client, published, download):
    response = client.get(download)

    assert "public" in [part.strip() for part in response["Cache-Control"].split(",")]
    assert max_age(response) > 0


def test_the_session_address_is_cached_briefly_since_a_correction_replaces_it(client, published):
    assert max_age(client.get(SESSION_PDF)) <= 3600


def test_one_version_is_cached_for_long_since_its_bytes_never_change(client, published):
    assert max_age(client.get(version_pdf(published))) >= 30 * A_DAY


def test_the_file_name_is_arabic_with_an_ascii_fallback(client, published, download):
    disposition = client.get(download)["Content-Disposition"]

    # «محضر-الدورة-2-2025-الصيغة-1.pdf», percent-encoded in UTF-8 as RFC 5987 asks.
    assert disposition == (
        "inline; filename=\"minutes-2025-2-v1.pdf\"; filename*=UTF-8''"
        "%D9%85%D8%AD%D8%B6%D8%B1-%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D8%A9-2-2025-"
        "%D8%A7%D9%84%D8%B5%D9%8A%D8%BA%D8%A9-1.pdf"
    )
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "محضر-الدورة-2-2025-الصيغة-1.pdf"


def test_a_copy_the_browser_already_has_is_not_sent_again(client, published, download):
    etag = f'"{published.sha256}"'

    response = client.get(download, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert body(response) == b""
    # RFC 9110 (15.4.5): a 304 carries the ETag and Cache-Control that the 200 would have sent.
    assert response["ETag"] == etag
    assert max_age(response) > 0


def test_a_copy_with_another_etag_gets_the_file_again(client, published, download):
    response = client.get(download, headers={"If-None-Match": f'"{"0" * 64}"'})

    assert response.status_code == 200
    assert body(response) == stored(published)


# Never a re-render


def _set(row, **fields) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


# Each changes one input of the rendering: the record the minutes print.
RECORD_CHANGES = {
    "the session's opening": lambda s: _set(s, opening="نص آخر"),
    "an agenda item's title": lambda s: _set(s.agenda_items.get(), title=CORRECTED),
    "a new agenda item": lambda s: factory.agenda_item(s, 2),
    "deleting an agenda item": lambda s: s.agenda_items.get().delete(),
    "an attendance": lambda s: _set(s.attendances.first(), status=Attendance.Status.ABSENT),
    "a resolution": lambda s: _set(s.resolutions.get(), title="قرار آخر"),
}


@pytest.mark.parametrize("change", RECORD_CHANGES.values(), ids=RECORD_CHANGES.keys())
def test_after_publication_the_record_the_pdf_is_made_of_cannot_change(client, session, published, change):
    with pytest.raises(ValidationError) as refused:
        change(session)

    assert refused.value.code == "frozen"
    session.refresh_from_db()
    assert session.opening == "افتتح السيد الرئيس الجلسة."
    assert list(session.agenda_items.values_list("title", flat=True)) == [BUDGET]
    assert body(client.get(SESSION_PDF)) == stored(published)


def test_the_download_never_renders_the_minutes_again(client, published, monkeypatch):
    def no_rendering(*args, **kwargs):
        raise AssertionError("the public download rendered the minutes")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", no_rendering)
    monkeypatch.setattr("meetings.minutes.lifecycle.render_minutes_pdf", no_rendering)

    first = body(client.get(SESSION_PDF))
    second = body(client.get(SESSION_PDF))

    assert first == second == stored(published)


def test_pdfsig_finds_the_downloaded_file_validly_signed_then_timestamped_as_a_whole(
    client, published, tmp_path
):
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(body(client.get(SESSION_PDF)))

    # pdfsig exits 0 whatever it finds: its text is the verdict.
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    signature, timestamp = report.split("Signature #2:")

    assert "Signature is Valid." in signature
    # B-LTA: the signature, then the validation data and the document timestamp over the whole file
    # (the last revision holds the timestamp authority's own revocation data).
    assert "Signature Type: unknown" in timestamp  # poppler's name for an RFC 3161 document timestamp


def test_the_downloaded_file_reads_as_the_sessions_minutes(client, published):
    assert N(BUDGET) in N(pdf.text(body(client.get(SESSION_PDF))))


def test_the_pdf_prints_the_address_of_its_verify_page(client, published, settings):
    text = N(pdf.text(body(client.get(SESSION_PDF))))

    assert N(f"{settings.SITE_URL}{verify_page(published)}") in text


def test_the_verify_page_names_the_session_the_version_and_the_sha256(client, published):
    response = client.get(verify_page(published))

    assert response.status_code == 200
    text = visible_text(response)
    assert "الدورة الثانية برسم سنة 2025" in text
    assert "الصيغة 1" in text
    assert published.sha256 in text
    assert SEE_CURRENT not in text
    assert f'href="{version_pdf(published)}"' in response.content.decode()


# A correction, signed but not yet published


def test_a_correction_signed_but_not_published_changes_nothing_the_public_sees(client, session, published):
    second = correct(session)

    assert body(client.get(SESSION_PDF)) == stored(published)
    assert client.get(version_pdf(second)).status_code == 404
    assert client.get(verify_page(second)).status_code == 404
    page = client.get(verify_page(published)).content.decode()
    assert second.code not in page
    assert SEE_CURRENT not in page


# An unknown version


def test_an_unknown_version_code_is_a_404(client, published):
    assert client.get("/minutes/no-such-code.pdf").status_code == 404
    assert client.get("/verify/no-such-code/").status_code == 404


# The session's page


def test_the_session_page_links_to_the_signed_pdf_and_to_its_verify_page(client, session, published):
    page = client.get(session.get_absolute_url()).content.decode()

    assert f'href="/minutes/{published.code}/{published.sha256}.pdf"' in page  # its one stored file, for good
    assert f'href="{verify_page(published)}"' in page
