"""A published correction: it replaces the minutes at the session's address, while the version it corrects
keeps its own address, bytes and verify page.

The reference session's first minutes and their correction go through the real lifecycle once for the
module (two signatures); each test reads them in a transaction of its own.
"""

from types import SimpleNamespace

import pytest

from meetings.models import Minutes, Session
from tests import factory, pdf
from tests.meetings.publication import (
    CORRECTED,
    SEE_CURRENT,
    SESSION_PDF,
    SUPERSEDED,
    body,
    correct,
    publish,
    reference_session,
    stored,
    verify_page,
    version_pdf,
)

pytestmark = pytest.mark.django_db

N = pdf.normalized


@pytest.fixture(scope="module")
def _corrected(module_db) -> SimpleNamespace:
    """The reference session of the home board: version 1 published, then version 2, which corrects an
    agenda item's title, signed and published too. The first version's bytes are read before the correction."""
    session = reference_session(factory.board())
    first = factory.publish(session)
    first_bytes = stored(first)
    second = publish(correct(session))
    return SimpleNamespace(session=session.pk, first=first.pk, first_bytes=first_bytes, second=second.pk)


@pytest.fixture
def session(_corrected, module_files) -> Session:
    return Session.objects.get(pk=_corrected.session)


@pytest.fixture
def published(_corrected, module_files) -> Minutes:
    """The first version, as published before the correction."""
    return Minutes.objects.get(pk=_corrected.first)


@pytest.fixture
def second(_corrected, module_files) -> Minutes:
    """The correction, published."""
    return Minutes.objects.get(pk=_corrected.second)


def test_a_published_correction_replaces_the_minutes_at_the_sessions_address(client, published, second):
    assert (second.version, second.reason) == (2, "تصحيح خطأ مادي في عنوان النقطة الأولى")

    response = client.get(SESSION_PDF)

    data = body(response)
    assert data == stored(second) != stored(published)
    assert response["ETag"] == f'"{second.sha256}"'
    assert 'filename="minutes-2025-2-v2.pdf"' in response["Content-Disposition"]
    assert N(CORRECTED) in N(pdf.text(data))


def test_the_corrected_version_keeps_its_own_address_and_bytes(client, _corrected, published, second):
    first_bytes = _corrected.first_bytes  # read before the correction was made

    response = client.get(version_pdf(published))

    assert response.status_code == 200
    assert body(response) == first_bytes
    assert response["ETag"] == f'"{published.sha256}"'
    assert 'filename="minutes-2025-2-v1.pdf"' in response["Content-Disposition"]


def test_the_first_versions_page_says_it_was_superseded_and_links_to_the_correction(
    client, published, second
):
    page = client.get(verify_page(published)).content.decode()

    assert SUPERSEDED in page
    assert f'href="{verify_page(second)}"' in page
    assert f'href="{version_pdf(published)}"' in page


def test_the_correction_has_its_own_verify_page_that_supersedes_nothing(client, second):
    page = client.get(verify_page(second)).content.decode()

    assert second.sha256 in page
    assert SEE_CURRENT not in page


def test_after_a_correction_the_session_page_links_to_the_corrections_verify_page(
    client, session, published, second
):
    page = client.get(session.get_absolute_url()).content.decode()

    assert f'href="{verify_page(second)}"' in page
    assert f'href="{verify_page(published)}"' not in page
