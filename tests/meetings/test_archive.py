"""Archival maintenance of the signed minutes (meetings.minutes.archive): a renewal extends the newest file with
validation data and a new document timestamp, kept as an archived copy beside the signed original; the
copy, and the genuine file extended by anyone, stay authentic on /verify/, and the EU's validator accepts
them. The timestamps come from the tests' demo PKI (Certomancer, on a loopback port)."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django_tasks_db.models import DBTaskResult
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from meetings.minutes import archive
from meetings.models import ArchivedCopy, Minutes
from meetings.seal import demo_pki
from meetings.seal.signing import Status, extend_pdf, last_timestamp, verify_pdf
from tests import pdf
from tests.client import Client
from tests.meetings.test_verify_page import _published, reference_session, upload, verdict  # noqa: F401
from tests.pages import visible_text
from tests.processes import free_port

pytestmark = pytest.mark.django_db

SESSION_PDF = "/sessions/2025/2/minutes.pdf"


@pytest.fixture
def published(_published, module_files) -> Minutes:  # noqa: F811
    return Minutes.objects.get(pk=_published.minutes)


def downloaded(path: str) -> tuple[bytes, str]:
    response = Client().get(path)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response["ETag"]


def original(minutes: Minutes) -> bytes:
    with minutes.pdf.open("rb") as file:
        return file.read()


# A renewal


def test_a_renewal_keeps_an_extended_copy_beside_the_signed_original(published):
    signed = original(published)

    copy = archive.renew(published)

    extended = copy.pdf.read()
    assert extended.startswith(signed) and len(extended) > len(signed)
    assert original(Minutes.objects.get(pk=published.pk)) == signed  # the original stays as signed
    assert copy.sha256 == archive.sha256_hex(extended)
    timestamped_at, expires = last_timestamp(extended)
    assert (copy.timestamped_at, copy.renew_by) == (timestamped_at, expires)
    assert abs(copy.timestamped_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_the_extended_copy_is_b_lta_with_one_more_document_timestamp(published):
    copy = archive.renew(published)

    result = verify_pdf(copy.pdf.read())

    assert result.status == Status.VALID
    assert result.level == "B-LTA"
    assert result.archive_timestamps == 2
    assert result.archived_at == copy.timestamped_at


@pytest.mark.slow  # a Java validator (make test-all)
def test_dss_finds_the_extended_copy_total_passed_at_pades_baseline_lta(published, settings):
    copy = archive.renew(published)

    report = pdf.dss_report(copy.pdf.read(), settings.SIGNING_TRUST_ROOTS)

    assert len(report["signatures"]) == 3, report  # the president's, the rapporteur's, the seal
    for signature in report["signatures"]:
        assert (signature["indication"], signature["signatureFormat"]) == (
            "TOTAL_PASSED",
            "PAdES-BASELINE-LTA",
        ), report
    # The three signatures' timestamps, the archival one made at signature and the renewal's.
    assert [timestamp["indication"] for timestamp in report["timestamps"]] == ["PASSED"] * 5


@pytest.mark.slow  # a Java validator (make test-all)
def test_veraPDF_still_finds_the_extended_copy_pdfa_3a(published):
    renewed = archive.renew(published).pdf.read()
    assert pdf.pdfa_verdict(renewed, pdf.PDF_A_3A) == pdf.pdfa_verdict(renewed, pdf.PDF_UA_1) == ["COMPLIANT"]


# /verify/ after a renewal


def test_after_a_renewal_verify_calls_the_archived_copy_authentic_and_says_which(client, published):
    copy = archive.renew(published)

    response = upload(client, copy.pdf.read())

    assert verdict(response) == "authentic"
    text = visible_text(response)
    assert "الملف المنشور كما مدده الأرشيف" in text
    assert "PAdES B-LTA" in text


def test_the_genuine_file_extended_elsewhere_is_authentic_as_maintained(client, published):
    extended = extend_pdf(original(published))  # an archive of its own, not this server's

    response = upload(client, extended)

    assert verdict(response) == "authentic"
    assert "صيانة أرشيفية فقط" in visible_text(response)


def test_the_signed_original_is_still_authentic_as_signed_after_a_renewal(client, published):
    archive.renew(published)

    response = upload(client, original(published))

    assert verdict(response) == "authentic"
    assert "الملف المنشور، بايتا بايتا كما وُقّع." in visible_text(response)


def _new_title(extended: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(extended), strict=False)
    info = writer.trailer["/Info"].get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("محضر آخر")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_update_that_is_not_maintenance_after_a_renewal_is_modified(client, published):
    copy = archive.renew(published)

    assert verdict(upload(client, _new_title(copy.pdf.read()))) == "modified"


# The public downloads


def test_the_sessions_download_serves_the_newest_copy_and_the_versions_link_the_original(published):
    before, before_etag = downloaded(SESSION_PDF)
    copy = archive.renew(published)

    after, after_etag = downloaded(SESSION_PDF)
    permanent, _etag = downloaded(f"/minutes/{published.code}.pdf")

    assert before == original(published) and before_etag == f'"{published.sha256}"'
    assert after == copy.pdf.read() and after_etag == f'"{copy.sha256}"'
    assert permanent == original(published)


# When renewals happen


def renewals_queued(minutes: Minutes) -> list[datetime.datetime]:
    queued = DBTaskResult.objects.filter(
        task_path="meetings.minutes.archive.renew_when_due", args_kwargs__args=[minutes.pk]
    )
    return sorted(task.run_after for task in queued)


def stored_files(root: Path) -> list[Path]:
    return sorted(Path(root).rglob("*.pdf"))


def test_a_signature_queues_its_renewal_for_before_its_timestamp_expires(published):
    _timestamped_at, expires = last_timestamp(original(published))

    assert renewals_queued(published) == [expires - archive.RENEW_AHEAD]


def test_a_queued_renewal_does_nothing_before_it_is_due_and_renews_when_it_is(published, settings):
    _timestamped_at, expires = last_timestamp(original(published))
    due = expires - archive.RENEW_AHEAD + datetime.timedelta(days=1)

    assert archive.renew_when_due.call(published.pk) == "not due"
    # By then the authority has renewed its own certificate: its timestamps outlast the first one's.
    settings.SIGNING_TSA_URL = settings.SIGNING_DEMO_PKI_URL + demo_pki.RENEWED_TSA_PATH
    with time_machine.travel(due):
        said = archive.renew_when_due.call(published.pk)

    copy = ArchivedCopy.objects.get(minutes=published)
    assert said == f"renewed: {copy.sha256}"
    assert copy.timestamped_at > expires - archive.RENEW_AHEAD  # the authority's time, then
    assert copy.renew_by > expires
    assert renewals_queued(published)[-1] == copy.renew_by - archive.RENEW_AHEAD


def test_a_renewal_by_the_certificate_that_is_expiring_is_not_kept_and_is_tried_again_the_next_day(
    published, settings
):
    _timestamped_at, expires = last_timestamp(original(published))
    due = expires - archive.RENEW_AHEAD + datetime.timedelta(days=1)
    files_before = stored_files(settings.MEDIA_ROOT)

    with time_machine.travel(due, tick=False), pytest.raises(archive.ExtendsNothing) as refused:
        archive.renew_when_due.call(published.pk)

    assert f"certificate expires on {expires:%Y-%m-%d}, no later than the last timestamp's" in str(
        refused.value
    )
    assert not ArchivedCopy.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == files_before  # the extension's file is not left behind
    assert renewals_queued(published)[-1] == due + archive.RETRY_AFTER  # not at once, nor never


def test_a_renewal_the_authority_does_not_answer_is_tried_again_the_next_day(published, settings):
    _timestamped_at, expires = last_timestamp(original(published))
    due = expires - archive.RENEW_AHEAD + datetime.timedelta(days=1)
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{free_port()}/tsa"  # nobody listens there

    with time_machine.travel(due, tick=False), pytest.raises(TimestampRequestError):
        archive.renew_when_due.call(published.pk)

    assert not ArchivedCopy.objects.exists()
    assert renewals_queued(published)[-1] == due + archive.RETRY_AFTER


def test_a_renewal_that_lapses_within_the_renewal_window_queues_the_next_for_the_next_day(published):
    _timestamped_at, expires = last_timestamp(original(published))
    due = expires - archive.RENEW_AHEAD + datetime.timedelta(days=1)

    with time_machine.travel(due, tick=False):
        copy = archive.renew(published)  # by the authority's expiring certificate: it lapses as soon

    assert copy.renew_by == expires
    assert renewals_queued(published)[-1] == due + archive.RETRY_AFTER  # not at once, over and over


def test_the_command_renews_what_expires_before_the_date_it_is_given(published, capsys):
    call_command("renew_timestamps")  # nothing is due for years
    assert not ArchivedCopy.objects.exists()

    call_command("renew_timestamps", "--before", "2100-01-01")

    assert ArchivedCopy.objects.filter(minutes=published).count() == 1
    assert "1 signed versions renewed." in capsys.readouterr().out


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="--before 'demain' is not a date"):
        call_command("renew_timestamps", "--before", "demain")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers keep the copies.")
def test_the_database_keeps_an_archived_copy_as_it_was_made(published):
    copy = archive.renew(published)

    for change in (
        lambda: ArchivedCopy.objects.filter(pk=copy.pk).update(sha256="0" * 64),
        lambda: ArchivedCopy.objects.filter(pk=copy.pk).delete(),
    ):
        with (
            pytest.raises(IntegrityError, match="archived copy of signed minutes is kept"),
            transaction.atomic(),
        ):
            change()
    assert ArchivedCopy.objects.get(pk=copy.pk).sha256 == copy.sha256
