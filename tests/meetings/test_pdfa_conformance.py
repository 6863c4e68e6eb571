"""The minutes are PDF/A-3A and PDF/UA-1 as the archivists' own validator says: veraPDF (tests/validators),
on the rendered draft and on the signed file, every rule of both profiles checked."""

import pytest
from django.db import transaction

from meetings.models import Minutes
from tests import factory, pdf
from tests.actors import actors

# veraPDF, a Java validator (make test-all); django_db: pytest-django sets up the test database only for a
# session whose tests ask for one, and this module's fixture makes its rows there (run alone, it would not).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker) -> dict[str, bytes]:
    with django_db_blocker.unblock(), transaction.atomic():
        cast = actors(home=False)
        rendered = factory.draft_pdf(cast.session)
        signed = cast.minutes(Minutes.State.SIGNED)
        with signed.pdf.open("rb") as file:
            files = {"rendered": rendered, "signed": file.read()}
        transaction.set_rollback(True)
    return files


@pytest.mark.parametrize("which", ["rendered", "signed"])
def test_verapdf_finds_the_minutes_pdf_a_3a_with_no_rule_failed(files, which):
    assert pdf.pdfa_verdict(files[which], pdf.PDF_A_3A) == ["COMPLIANT"]


@pytest.mark.parametrize("which", ["rendered", "signed"])
def test_verapdf_finds_the_minutes_pdf_ua_1_with_no_rule_failed(files, which):
    assert pdf.pdfa_verdict(files[which], pdf.PDF_UA_1) == ["COMPLIANT"]


@pytest.mark.parametrize("which", ["rendered", "signed"])
def test_the_record_attached_is_associated_with_the_document_once(files, which):
    # WeasyPrint 70 listed it twice (/AF [26 0 R 26 0 R]); meetings.minutes.pdf keeps one.
    assert len(pdf.associated_files(files[which])) == 1
