"""Approval is the person's own signature: the president and the rapporteur each sign the rendered minutes
through the signing service that holds their key (the tests' demo service, meetings.seal.signing_service,
started by tests/conftest.py), with their PIN; the seal goes on top; /verify/ names them.

The signatures are read back by poppler's pdfsig, which did not make them, and by the check of /verify/.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from meetings.minutes import lifecycle
from meetings.models import Approval, DutyLog, Minutes
from meetings.models.duties import acting_user
from meetings.seal import demo_pki
from meetings.seal.signing import INSTITUTION_NAME, sign_pdf, verify_pdf
from tests import factory, pdf
from tests.actors import actors
from tests.client import Client
from tests.members import confirmed, page, signed_in
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

PRESIDENT = demo_pki.PERSONS[factory.PRESIDENT_LABEL]
RAPPORTEUR = demo_pki.PERSONS[factory.RAPPORTEUR_LABEL]


def _fields(data: bytes) -> list[tuple[str, str]]:
    """(field, signer's common name) of each signature, in the file's order, as pyHanko reads them."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [
        (s.field_name, s.signer_cert.subject.native["common_name"])
        for s in reader.embedded_regular_signatures
    ]


def _stored(approval: Approval) -> bytes:
    with approval.signed_pdf.open("rb") as stored:
        return stored.read()


def test_each_approval_is_the_persons_signature_on_the_same_rendered_file(tmp_path, signing_settings):
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    factory.approve(minutes, by=cast.rapporteur)
    first = minutes.approvals.get()
    assert (first.role, first.certificate_name) == ("rapporteur", RAPPORTEUR.name)
    assert _fields(_stored(first)) == [("Rapporteur", RAPPORTEUR.name)]

    minutes = factory.approve(minutes, by=cast.president)
    assert minutes.state == Minutes.State.APPROVED
    second = minutes.approvals.get(role="president")
    both = _stored(second)
    # The president signed the rapporteur's file: its bytes first, untouched, the signature appended.
    assert both.startswith(_stored(first))
    assert _fields(both) == [("Rapporteur", RAPPORTEUR.name), ("President", PRESIDENT.name)]
    found = pdf.pdfsig(both, tmp_path, settings.SIGNING_TRUST_ROOTS)
    assert found.count("Signature is Valid.") == 2, found
    assert found.count("Certificate is Trusted.") == 2, found


def test_the_seal_goes_on_the_persons_signatures_and_verify_names_them(tmp_path, signing_settings):
    cast = actors()
    minutes = factory.minutes_at(cast.session, Minutes.State.PUBLISHED)
    with minutes.pdf.open("rb") as stored:
        published = stored.read()
    assert [field for field, _name in _fields(published)] == ["President", "Rapporteur", "Seal"] or [
        field for field, _name in _fields(published)
    ] == ["Rapporteur", "President", "Seal"]
    found = pdf.pdfsig(published, tmp_path, settings.SIGNING_TRUST_ROOTS)
    # The three signatures (pdfsig leaves the archival timestamp unverified).
    assert found.count("Signature is Valid.") == 3, found
    assert found.count("Certificate is Trusted.") == 3, found
    assert "Certificate has been Revoked" not in found and "Unknown issue with Certificate" not in found

    check = verify_pdf(published)
    assert check.level == "B-LTA"
    assert {(s.field, s.name, s.sound) for s in check.signers} == {
        ("President", PRESIDENT.name, True),
        ("Rapporteur", RAPPORTEUR.name, True),
    }
    page = Client().post("/verify/", {"file": SimpleUploadedFile("m.pdf", published, "application/pdf")})
    text = visible_text(page)
    assert "أصلي" in text
    assert f"توقيع الرئيس {PRESIDENT.name}" in text
    assert f"توقيع المقرر {RAPPORTEUR.name}" in text
    assert f"خُتم من طرف {INSTITUTION_NAME}" in text
    for approval in minutes.approvals.all():
        assert approval.signed_at is not None


def test_verify_names_a_woman_president_in_the_feminine(signing_settings):
    cast = actors()
    cast.president.member.gender = "female"
    cast.president.member.save(update_fields=["gender"])
    minutes = factory.minutes_at(cast.session, Minutes.State.PUBLISHED)
    with minutes.pdf.open("rb") as stored:
        page = Client().post(
            "/verify/", {"file": SimpleUploadedFile("m.pdf", stored.read(), "application/pdf")}
        )

    assert f"توقيع الرئيسة {PRESIDENT.name}" in visible_text(page)


def test_a_wrong_pin_signs_nothing_and_records_nothing(signing_settings, settings):
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    with pytest.raises(ValidationError) as refused:
        factory.approve(minutes, by=cast.president, pin="000000")
    assert refused.value.messages == ["رفضت خدمة التوقيع الرمز السري: لم يُوقَّع أي شيء."]
    assert not minutes.approvals.exists()
    assert not list((Path(settings.MEDIA_ROOT) / "minutes" / "approved").glob("*.pdf"))


def test_a_credential_in_another_persons_name_signs_nothing(signing_settings):
    """The secretariat points the president's credential at the rapporteur's key, and knows its PIN:
    the certificate is not the president's, nothing is signed."""
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    president = cast.president.member
    president.signing_credential = demo_pki.credential_id(factory.RAPPORTEUR_LABEL)
    president.save(update_fields=["signing_credential"])
    with pytest.raises(ValidationError) as refused:
        factory.approve(minutes, by=cast.president, pin=RAPPORTEUR.pin)
    assert refused.value.code == "name"
    assert not minutes.approvals.exists()


def test_the_member_page_asks_for_the_pin_and_says_a_refusal(signing_settings):
    """Signed in as the president with their password and their second factor (what a secretariat that
    learnt both would have), without the PIN the signing service knows, no approval."""
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    client = signed_in(cast.president)
    approve = f"{page(cast.session)}approve/"
    refused = client.post(approve, confirmed(cast.president, pin="123456"), follow=True)
    assert "رفضت خدمة التوقيع الرمز السري" in visible_text(refused)
    assert not minutes.approvals.exists()
    done = client.post(approve, confirmed(cast.president), follow=True)
    assert "توقيعكم على المحضر" in visible_text(done) or minutes.approvals.filter(role="president").exists()
    assert minutes.approvals.filter(role="president").exists()


def test_the_database_refuses_an_approval_without_a_signature(signing_settings):
    if connection.vendor != "postgresql":
        pytest.skip("the guard is PostgreSQL's")
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)
    now = timezone.now()
    with pytest.raises(IntegrityError, match="signature"), transaction.atomic():
        Approval.objects.create(
            minutes=minutes,
            role="president",
            member=cast.president.member,
            by=cast.president,
            fingerprint="f" * 64,
            factor="app",
            factor_at=now,
        )


def test_a_changed_approved_copy_is_not_sealed(signing_settings):
    cast = actors()
    minutes = factory.minutes_at(cast.session, Minutes.State.APPROVED)
    last = minutes.approvals.order_by("-pk").first()
    changed = _with_new_title(_stored(last))
    with last.signed_pdf.open("wb") as stored:
        stored.write(changed)
    with pytest.raises(ValidationError):
        lifecycle.sign(minutes, by=factory.secretariat_user("sealer"))
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.APPROVED


def test_content_changed_after_the_persons_signed_then_sealed_is_not_their_signature(signing_settings):
    """Whoever holds the seal changes the minutes after both persons signed and seals the result: the
    persons' signatures no longer vouch for it (the check says which), and the file is no version."""
    cast = actors()
    minutes = factory.minutes_at(cast.session, Minutes.State.APPROVED)
    both = _stored(minutes.approvals.order_by("-pk").first())
    sealed = sign_pdf(_with_new_page_text(both), reason="—", location="الرباط")
    check = verify_pdf(sealed)
    assert check.status == "valid"  # the seal itself holds
    assert [s.sound for s in check.signers] == [False, False]
    assert all("changed" in s.problem for s in check.signers)
    page = Client().post("/verify/", {"file": SimpleUploadedFile("m.pdf", sealed, "application/pdf")})
    assert "أصلي" not in visible_text(page)


def _with_new_title(data: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    writer.set_info(generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("x")}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_new_page_text(data: bytes) -> bytes:
    """An incremental update that adds a content stream to the first page: a line of text."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 72 Td (x) Tj ET"))
    contents = page["/Contents"]
    page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [*(contents if isinstance(contents, generic.ArrayObject) else [contents]), stream]
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.slow  # a Java validator (make test-all)
def test_dss_finds_the_three_signatures_total_passed_at_pades_baseline_lta(signing_settings, signing_files):
    cast = actors()
    minutes = factory.minutes_at(cast.session, Minutes.State.PUBLISHED)
    with minutes.pdf.open("rb") as stored:
        report = pdf.dss_report(stored.read(), signing_files["SIGNING_TRUST_ROOTS"])

    assert report["signaturesCount"] == report["validSignatures"] == 3, report
    assert [s["signedBy"] for s in report["signatures"]] == [
        PRESIDENT.name,
        RAPPORTEUR.name,
        INSTITUTION_NAME,
    ]
    for signature in report["signatures"]:
        assert signature["indication"] == "TOTAL_PASSED", signature
        assert signature["signatureFormat"] == "PAdES-BASELINE-LTA", signature
    assert report["timestamps"] and all(t["indication"] == "PASSED" for t in report["timestamps"])


def test_minutes_too_long_to_render_are_refused_with_a_message_not_an_error(signing_settings, settings):
    settings.MINUTES_MAX_PAGES = 0  # every rendering is past the limit
    cast = actors()
    minutes = cast.minutes(Minutes.State.IN_REVIEW)

    with pytest.raises(ValidationError) as refused:
        factory.approve(minutes, by=cast.president)

    assert refused.value.code == "pages"
    assert not minutes.approvals.exists()


def test_a_change_of_signing_credential_is_kept_in_the_duties_log_with_who_made_it(signing_settings):
    cast = actors()
    member = cast.president.member
    member.signing_credential = demo_pki.credential_id(factory.RAPPORTEUR_LABEL)
    token = acting_user.set(cast.secretary)  # the request's user, as the middleware sets it
    try:
        member.save()
    finally:
        acting_user.reset(token)

    entry = DutyLog.objects.filter(kind=DutyLog.Kind.SIGNING, member=member).get()
    assert entry.by == cast.secretary
    assert entry.detail == "مفتاح التوقيع: entraide/benyahia → entraide/moujahidi"
