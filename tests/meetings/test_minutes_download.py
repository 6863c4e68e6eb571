"""Downloading the minutes: the public gets the stored signed file of the latest published version.

The session's minutes are published once for the module (`factory.publish`: rendered, signed, stored);
each test reads them in a transaction of its own, which undoes what it changed. Before publication and
the secretariat's draft preview: test_minutes_preview.py.
"""

import hashlib
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Minutes, Session
from tests import factory, pdf
from tests.meetings.publication import plain_session

pytestmark = pytest.mark.django_db

N = pdf.normalized

DOWNLOAD_URL = "/sessions/2025/2/minutes.pdf"


@pytest.fixture(scope="module")
def _published(module_db) -> SimpleNamespace:
    session = plain_session(factory.board())
    return SimpleNamespace(session=session.pk, minutes=factory.publish(session).pk)


@pytest.fixture
def session(_published, module_files) -> Session:
    return Session.objects.get(pk=_published.session)


@pytest.fixture
def published(_published, module_files) -> Minutes:
    return Minutes.objects.get(pk=_published.minutes)


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


# The public download


def test_the_public_download_is_the_stored_signed_file_byte_for_byte(client, published):
    response = client.get(DOWNLOAD_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = downloaded(response)
    with published.pdf.open("rb") as stored:
        assert body == stored.read()
    assert hashlib.sha256(body).hexdigest() == published.sha256


def test_the_public_download_reads_as_the_minutes_of_the_session(client, published):
    body = downloaded(client.get(DOWNLOAD_URL))

    assert N("مشروع ميزانية المؤسسة برسم سنة 2026") in N(pdf.text(body))
    assert all(N("مسودة") not in page for page in pdf.page_texts(body))


def test_a_published_correction_replaces_the_earlier_version_at_the_public_address(
    client, session, published
):
    correction = factory.minutes_at(session, Minutes.State.PUBLISHED, reason="خطأ مادي في اسم أحد الأعضاء")

    body = downloaded(client.get(DOWNLOAD_URL))

    assert hashlib.sha256(body).hexdigest() == correction.sha256 != published.sha256


def test_the_file_name_is_arabic_with_the_version_and_an_ascii_fallback(client, published):
    disposition = client.get(DOWNLOAD_URL)["Content-Disposition"]

    assert disposition.startswith('inline; filename="minutes-2025-2-v1.pdf"; ')
    # «محضر-الدورة-2-2025-الصيغة-1.pdf», percent-encoded as RFC 5987 asks.
    assert f"filename*=UTF-8''{quote('محضر-الدورة-2-2025-الصيغة-1.pdf')}" in disposition
    assert "%D9%85%D8%AD%D8%B6%D8%B1-%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D8%A9-2-2025-" in disposition


def test_the_session_page_links_to_its_published_minutes_by_their_immutable_address(
    client, session, published
):
    response = client.get(session.get_absolute_url())

    address = f"/minutes/{published.code}/{published.sha256}.pdf"
    assert f'href="{address}"' in response.content.decode()
    assert hashlib.sha256(downloaded(client.get(address))).hexdigest() == published.sha256


# The immutable address: one stored file for good


def test_the_immutable_address_is_cached_for_a_year_and_then_answered_without_a_query(client, published):
    address = f"/minutes/{published.code}/{published.sha256}.pdf"

    first = client.get(address)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(address)
        confirmed = client.get(address, headers={"if-none-match": f'"{published.sha256}"'})

    assert first["Cache-Control"] == again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first["ETag"] == again["ETag"] == f'"{published.sha256}"'
    assert downloaded(again) == downloaded(first)
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert "minutes-2025-2-v1.pdf" in again["Content-Disposition"]
    assert confirmed.status_code == 304
    assert len(queries) == 0  # this server remembers the file (meetings.pages.files)


@pytest.mark.parametrize("wrong", ["hash", "code"])
def test_an_immutable_address_of_no_public_file_is_a_404(client, session, published, wrong):
    if wrong == "hash":
        address = f"/minutes/{published.code}/{'0' * 64}.pdf"
    else:  # a correction in review: not public, whatever hash is asked
        correction = factory.minutes_at(session, Minutes.State.IN_REVIEW, reason="تصحيح لم ينشر")
        address = f"/minutes/{correction.code}/{published.sha256}.pdf"

    assert client.get(address).status_code == 404
    assert client.get(address).status_code == 404  # not remembered either


def test_a_session_that_does_not_exist_has_no_minutes(client, published):
    assert client.get("/sessions/2025/7/minutes.pdf").status_code == 404


# What a download reads: the version's own columns and its number from the record, never the record whole.
WHOLE_RECORD = re.compile(r'"meetings_minutes"\."record"(?!\s*(?:#>>|->|,\s*\'\$))')


@pytest.mark.parametrize("address", ["session", "version", "file"])
def test_a_download_reads_two_figures_of_the_record_not_the_record(client, published, address):
    url = {
        "session": DOWNLOAD_URL,
        "version": f"/minutes/{published.code}.pdf",
        "file": f"/minutes/{published.code}/{published.sha256}.pdf",
    }[address]
    client.get(DOWNLOAD_URL)  # the connection's and the session's first queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "minutes-2025-2-v1.pdf" in response["Content-Disposition"]
    assert len(queries) <= 2, [q["sql"] for q in queries.captured_queries]  # the version, its newest copy
    assert not any(WHOLE_RECORD.search(q["sql"]) for q in queries.captured_queries)
