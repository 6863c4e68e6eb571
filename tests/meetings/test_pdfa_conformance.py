"""The minutes are PDF/A-3B as the archivists' own validator says: veraPDF (tests/validators), on the
rendered draft and on the signed file, every rule of the profile checked."""

import pytest
from django.db import transaction

from meetings.models import Minutes
from tests import factory, pdf
from tests.actors import actors

pytestmark = pytest.mark.slow  # veraPDF, a Java validator (make test-all)


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
def test_verapdf_finds_the_minutes_pdf_a_3b_with_no_rule_failed(files, which):
    assert pdf.pdfa_verdict(files[which]) == ["COMPLIANT"]


@pytest.mark.parametrize("which", ["rendered", "signed"])
def test_the_record_attached_is_associated_with_the_document_once(files, which):
    # WeasyPrint 70 listed it twice (/AF [26 0 R 26 0 R]); meetings.minutes.pdf keeps one.
    assert len(pdf.associated_files(files[which])) == 1
