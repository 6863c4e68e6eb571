"""The minutes are signed at PAdES B-LTA with the demo PKI (meetings.seal.demo_pki: Certomancer's OCSP
responder, CRL and timestamp authority, served by the tests on a loopback port): the reference validators
accept them, revocation is asked of the CA, and a missing authority or responder stops the signature.
"""

import datetime
import io
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from asn1crypto import ocsp
from django.conf import settings
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimestampRequestError

from meetings.seal import demo_pki
from meetings.seal.signing import INSTITUTION_NAME, SigningNotConfigured, Status, sign_pdf, verify_pdf
from tests import factory, pdf
from tests.meetings.test_verify_page import reference_session, upload, verdict
from tests.pages import visible_text
from tests.processes import free_port
from tests.signing import SIGN

# Signed with the signing files of tests/meetings/conftest.py, checked against their trust roots.
pytestmark = pytest.mark.usefixtures("signing_settings")


# What the signature holds


def test_the_signed_minutes_are_b_lta_with_the_time_proven_by_the_authority(minutes):
    result = verify_pdf(minutes["signed"])

    assert result.status == Status.VALID
    assert result.level == "B-LTA"
    assert result.archive_timestamps == 1
    assert result.proven_at is not None
    assert result.proven_at <= result.archived_at < result.proven_at + datetime.timedelta(minutes=1)


def test_the_document_security_store_holds_the_revocation_data_of_the_seal_and_the_authority(minutes):
    reader = PdfFileReader(io.BytesIO(minutes["signed"]))
    store = reader.root["/DSS"]
    signature, timestamp = reader.embedded_signatures
    seal = signature.signer_cert
    answered = {
        ocsp.OCSPResponse.load(answer.get_object().data)
        .response_data["responses"][0]["cert_id"]["serial_number"]
        .native
        for answer in store["/OCSPs"]
    }

    # An OCSP answer for the seal's certificate and one for the timestamp authority's (the root's CRL only
    # when an answer could not be had: pyHanko asks it instead).
    assert seal.serial_number in answered
    assert timestamp.signer_cert.serial_number in answered
    assert [signature.sig_object_type for signature in reader.embedded_signatures] == [
        "/Sig",
        "/DocTimeStamp",
    ]


@pytest.mark.slow  # a Java validator (make test-all)
def test_dss_finds_the_signed_minutes_total_passed_at_pades_baseline_lta(minutes, signing_files):
    report = pdf.dss_report(minutes["signed"], signing_files["SIGNING_TRUST_ROOTS"])

    assert report["signaturesCount"] == report["validSignatures"] == 1
    (signature,) = report["signatures"]
    assert signature["indication"] == "TOTAL_PASSED", signature
    assert signature["signatureFormat"] == "PAdES-BASELINE-LTA"
    assert signature["signedBy"] == INSTITUTION_NAME
    assert signature["errors"] == signature["warnings"] == []
    assert [timestamp["indication"] for timestamp in report["timestamps"]] == ["PASSED", "PASSED"]


@pytest.mark.slow  # a Java validator (make test-all)
def test_dss_with_another_trust_anchor_finds_no_chain(minutes, stranger):
    report = pdf.dss_report(minutes["signed"], stranger["SIGNING_TRUST_ROOTS"])

    (signature,) = report["signatures"]
    assert signature["indication"] == "INDETERMINATE"
    assert signature["subIndication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def _adesverify(signed: bytes, trust: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    pyhanko = Path(sys.executable).parent / "pyhanko"  # pyhanko-cli's, in the tests' virtualenv
    command = [pyhanko, "sign", "adesverify", "--trust", trust, "--trust-replace", path]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_pyhankos_cli_validates_the_signature_ades_style_with_revocation_checking(
    minutes, signing_files, tmp_path
):
    done = _adesverify(minutes["signed"], signing_files["SIGNING_TRUST_ROOTS"], tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    # field:fingerprint:verdict; the signature then the archival updates, all judged acceptable
    verdict = done.stdout.strip().split(":", 2)[2]
    assert (
        verdict
        == "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,EXTENDED_WITH_LTA_UPDATES,ACCEPTABLE_MODIFICATIONS"
    )


def test_pyhankos_cli_refuses_it_under_another_trust_root(minutes, stranger, tmp_path):
    done = _adesverify(minutes["signed"], stranger["SIGNING_TRUST_ROOTS"], tmp_path)

    assert done.returncode != 0
    assert "Validation failed" in done.stderr


# What stops a signature


def test_without_a_timestamp_authority_nothing_is_signed(minutes, settings):
    settings.SIGNING_TSA_URL = ""

    with pytest.raises(SigningNotConfigured, match="SIGNING_TSA_URL"):
        sign_pdf(minutes["pdf"], **SIGN)


def test_an_unreachable_timestamp_authority_stops_the_signature(minutes, settings):
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{free_port()}/"

    with pytest.raises(TimestampRequestError):
        sign_pdf(minutes["pdf"], **SIGN)


def test_an_unreachable_ocsp_responder_stops_the_signature(minutes, settings, tmp_path):
    # A PKI whose certificates name a responder that does not answer; the timestamp authority does.
    p12, ca = tmp_path / "institution.p12", tmp_path / "ca.pem"
    demo_pki.install(p12, ca, url=f"http://127.0.0.1:{free_port()}", passphrase=settings.SIGNING_PASSPHRASE)

    with (
        override_settings(SIGNING_PKCS12=p12, SIGNING_TRUST_ROOTS=ca),
        pytest.raises(Exception, match="validat"),
    ):
        sign_pdf(minutes["pdf"], **SIGN)


# Revocation, asked of the CA when a copy is checked


@pytest.fixture(scope="module")
def module_pki(tmp_path_factory) -> Path:
    """A demo PKI made once for the module, which each test that revokes copies (`own_pki`)."""
    folder = tmp_path_factory.mktemp("pki")
    demo_pki.install(
        folder / "institution.p12",
        folder / "ca.pem",
        url=settings.SIGNING_DEMO_PKI_URL,
        passphrase=settings.SIGNING_PASSPHRASE,
    )
    return folder


@pytest.fixture
def own_pki(settings, tmp_path, module_pki) -> Path:
    """A demo PKI of the test's own (a copy of the module's, keys and configuration), whose certificates
    it may revoke; its folder."""
    shutil.copytree(module_pki, tmp_path, dirs_exist_ok=True)
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = tmp_path / "institution.p12", tmp_path / "ca.pem"
    return demo_pki.folder()


def test_a_seal_revoked_after_the_proven_signing_time_leaves_the_signature_valid(minutes, own_pki):
    signed = sign_pdf(minutes["pdf"], **SIGN)
    before = verify_pdf(signed)
    # Revoked from the next whole second (OCSP states times to the second), which the test waits for.
    since = before.proven_at.replace(microsecond=0) + datetime.timedelta(seconds=1)
    _revoked_at(own_pki, since)

    after = verify_pdf(signed)

    assert before.revocation == "good"
    assert after.status == Status.VALID
    assert after.revocation == "revoked"
    assert after.revoked_at == since > after.proven_at


def test_a_seal_revoked_before_the_proven_signing_time_makes_the_signature_revoked(minutes, own_pki):
    signed = sign_pdf(minutes["pdf"], **SIGN)
    # The CA learns later that the key was compromised an hour before this signature.
    demo_pki.revoke(
        own_pki, "institution", since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    )

    result = verify_pdf(signed)

    assert result.status == Status.REVOKED
    assert result.revoked_at < result.proven_at
    assert result.signer == INSTITUTION_NAME


def test_a_failing_responder_leaves_the_revocation_unknown_and_the_signature_valid(minutes, own_pki):
    signed = sign_pdf(minutes["pdf"], **SIGN)
    (own_pki / demo_pki.CONFIG_FILE).rename(own_pki / "elsewhere.yml")  # the CA's responder fails (500)

    result = verify_pdf(signed)

    assert result.status == Status.VALID
    assert result.revocation == "unknown"


def test_without_asking_online_the_revocation_is_not_known(minutes, settings):
    settings.VERIFY_REVOCATION_ONLINE = False

    result = verify_pdf(minutes["signed"])

    assert result.status == Status.VALID
    assert result.revocation == ""


# What /verify/ tells the reader


@pytest.fixture
def published_under_own_pki(own_pki, db):
    """Minutes of the home board published (signed under the test's own PKI), and that PKI's folder."""
    session = reference_session(factory.board())
    return factory.publish(session), own_pki


def _revoked_at(folder: Path, since: datetime.datetime) -> None:
    """The CA revokes the seal from `since` (waited for, if it is ahead) and publishes its new CRL: the
    responder has read its new configuration before the check asks it (reading one takes a second,
    more on a busy machine, and the check gives each answer 5 s)."""
    demo_pki.revoke(folder, "institution", since=since)
    time.sleep(max(0.0, (since - datetime.datetime.now(datetime.UTC)).total_seconds()) + 0.2)
    with urllib.request.urlopen(settings.SIGNING_DEMO_PKI_URL + demo_pki.CRL_PATH, timeout=30) as crl:
        assert crl.status == 200


def test_verify_says_a_seal_revoked_after_the_signature_leaves_it_authentic(client, published_under_own_pki):
    minutes, folder = published_under_own_pki
    signed = minutes.pdf.read()
    _revoked_at(
        folder, since=verify_pdf(signed).proven_at.replace(microsecond=0) + datetime.timedelta(seconds=1)
    )

    response = upload(client, signed)

    assert verdict(response) == "authentic"
    assert "بعد هذا التوقيع: يبقى التوقيع صحيحا." in visible_text(response)


def test_verify_says_a_seal_revoked_before_the_signature_is_revoked(client, published_under_own_pki):
    minutes, folder = published_under_own_pki
    _revoked_at(folder, since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1))

    response = upload(client, minutes.pdf.read())

    text = visible_text(response)
    assert "ملغاة: وُقّع هذا الملف بشهادة المؤسسة" in text
    assert "قبل الوقت الذي يثبت فيه وجود هذا التوقيع." in text
    assert "أصلي" not in text


def test_verify_says_plainly_when_revocation_cannot_be_checked_now(client, published_under_own_pki):
    """The responder fails: the verdict itself says the copy is not confirmed now, never a green
    «authentic» with a line of caveat under it."""
    minutes, folder = published_under_own_pki
    (folder / demo_pki.CONFIG_FILE).rename(folder / "elsewhere.yml")  # the CA's responder fails (500)

    response = upload(client, minutes.pdf.read())

    assert verdict(response) == "unconfirmed"
    assert "alert-success" not in response.content.decode()
    assert "غير معروف الآن: لم تقدم أي سلطة جوابا حديثا" in visible_text(response)


def test_verify_says_not_revoked_with_the_time_the_answer_speaks_for(client, published_under_own_pki):
    minutes, _folder = published_under_own_pki

    response = upload(client, minutes.pdf.read())

    assert verdict(response) == "authentic"
    assert "غير ملغاة، حسب جواب سلطتها عن يوم" in visible_text(response)


def test_verify_refuses_minutes_whose_presidents_certificate_was_revoked_before_she_signed(
    client, published_under_own_pki
):
    """The president's key was compromised an hour before her signature, the CA learns it later: her
    signature no longer holds, and the minutes are not approved, whatever the seal says."""
    minutes, folder = published_under_own_pki
    demo_pki.revoke(
        folder,
        factory.PRESIDENT_LABEL,
        since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
    )
    with urllib.request.urlopen(settings.SIGNING_DEMO_PKI_URL + demo_pki.CRL_PATH, timeout=30) as crl:
        assert crl.status == 200

    response = upload(client, minutes.pdf.read())

    assert verdict(response) == "unapproved"
