"""The signing settings: a missing file or a wrong passphrase is named when signing or verifying, a bad
setting stops the start (the files need not exist yet); and `init_signing`, which makes the demo CA and the
institution certificate and replaces one it did not make only when forced.
"""

import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from meetings.seal.keys import KeptKeySigner
from meetings.seal.signing import (
    DEMO_CA_NAME,
    INSTITUTION_NAME,
    SigningNotConfigured,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from tests.signing import DOCUMENT_SIGNING, SIGN, pkcs12_bytes
from tests.test_settings import refusal, start

# Signed with the signing files of tests/meetings/conftest.py, checked against their trust roots.
pytestmark = pytest.mark.usefixtures("signing_settings")


# Configuration


def test_signing_without_the_pkcs12_file_names_the_variable(minutes, settings, tmp_path):
    settings.SIGNING_PKCS12 = tmp_path / "missing.p12"
    with pytest.raises(SigningNotConfigured, match="SIGNING_PKCS12=.*missing.p12.*init_signing"):
        sign_pdf(minutes["pdf"], **SIGN)


def test_verifying_without_the_trust_roots_file_names_the_variable(minutes, settings, tmp_path):
    settings.SIGNING_TRUST_ROOTS = tmp_path / "missing.pem"
    with pytest.raises(SigningNotConfigured, match="SIGNING_TRUST_ROOTS=.*missing.pem"):
        verify_pdf(minutes["signed"])


def test_a_wrong_passphrase_names_both_variables(minutes, settings):
    settings.SIGNING_PASSPHRASE = "not-the-passphrase"
    with pytest.raises(SigningNotConfigured, match="SIGNING_PKCS12=.*SIGNING_PASSPHRASE"):
        sign_pdf(minutes["pdf"], **SIGN)


def test_the_public_demo_passphrase_opens_only_a_demo_certificate(minutes, settings, stranger, tmp_path):
    key, cert, chain = pkcs12.load_key_and_certificates(
        stranger["SIGNING_PKCS12"].read_bytes(), stranger["SIGNING_PASSPHRASE"].encode()
    )
    settings.SIGNING_PKCS12 = tmp_path / "real.p12"
    settings.SIGNING_PKCS12.write_bytes(pkcs12_bytes(key, cert, chain, settings.SIGNING_DEMO_PASSPHRASE))

    with pytest.raises(SigningNotConfigured, match="SIGNING_PASSPHRASE is the public demo passphrase"):
        sign_pdf(minutes["pdf"], **SIGN)


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_a_timestamp_authority_that_is_not_a_url_stops_the_start():
    error = refusal(start(SIGNING_TSA_URL="tsa.example.ma"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_TSA_URL='tsa.example.ma'")


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_an_institution_certificate_without_its_passphrase_stops_a_production_start():
    error = refusal(start(SIGNING_PKCS12="/srv/signing/institution.p12"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_PASSPHRASE must be set")


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_an_empty_passphrase_stops_the_start():
    error = refusal(start(SIGNING_PASSPHRASE=""))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_PASSPHRASE is empty")


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_signing_files_need_not_exist_for_the_app_to_start():
    result = start(
        SIGNING_PKCS12="/nonexistent/institution.p12",
        SIGNING_PASSPHRASE="institution-passphrase",
        SIGNING_TRUST_ROOTS="/nonexistent/ca.pem",
        SIGNING_TSA_URL="https://tsa.example.ma/rfc3161",
    )
    assert result.returncode == 0, result.stderr


def test_the_seal_is_opened_once_and_signs_with_its_key_kept(minutes, signing_settings):
    # pyHanko's own signer reads its key again, RSA check included, at each of a seal's two signings.
    assert load_signer() is load_signer()
    assert isinstance(load_signer(), KeptKeySigner)
    assert verify_pdf(sign_pdf(minutes["pdf"], **SIGN)).is_valid


# init_signing


def _certificates(
    files: dict, passphrase: str
) -> tuple[x509.Certificate, list[x509.Certificate], x509.Certificate]:
    """The institution certificate and the chain in the PKCS#12, and the CA in the trust roots file."""
    _key, cert, chain = pkcs12.load_key_and_certificates(
        files["SIGNING_PKCS12"].read_bytes(), passphrase.encode()
    )
    return cert, chain, x509.load_pem_x509_certificate(files["SIGNING_TRUST_ROOTS"].read_bytes())


def test_init_signing_makes_a_demo_ca_and_a_document_signing_certificate(signing_files, settings):
    cert, chain, ca = _certificates(signing_files, settings.SIGNING_PASSPHRASE)

    assert ca.subject == ca.issuer == cert.issuer
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEMO_CA_NAME
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # The root outlives the signatures' certificates by far, as real ones do (meetings.seal.demo_pki).
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days >= 25 * 365
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 5 * 365
    assert chain == [ca]
    assert cert.subject.rfc4514_string() == f"CN={INSTITUTION_NAME},O=Entraide Nationale,C=MA"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert DOCUMENT_SIGNING in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    cert.verify_directly_issued_by(ca)


def test_init_signing_keeps_the_private_key_file_private(signing_files):
    assert signing_files["SIGNING_PKCS12"].stat().st_mode & 0o077 == 0


def test_init_signing_twice_leaves_the_files_as_they_are(settings, tmp_path):
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = tmp_path / "i.p12", tmp_path / "ca.pem"
    call_command("init_signing", stdout=io.StringIO())
    before = settings.SIGNING_PKCS12.read_bytes(), settings.SIGNING_TRUST_ROOTS.read_bytes()
    out = io.StringIO()

    call_command("init_signing", stdout=out)

    assert "nothing done" in out.getvalue()
    assert (settings.SIGNING_PKCS12.read_bytes(), settings.SIGNING_TRUST_ROOTS.read_bytes()) == before


def test_init_signing_refuses_to_replace_a_certificate_it_did_not_make(settings, stranger, tmp_path):
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = tmp_path / "i.p12", tmp_path / "ca.pem"
    settings.SIGNING_PASSPHRASE = stranger["SIGNING_PASSPHRASE"]
    institution = stranger["SIGNING_PKCS12"].read_bytes()
    settings.SIGNING_PKCS12.write_bytes(institution)

    with pytest.raises(CommandError, match="is not a demo certificate"):
        call_command("init_signing", stdout=io.StringIO())

    assert settings.SIGNING_PKCS12.read_bytes() == institution
    assert not settings.SIGNING_TRUST_ROOTS.exists()


def test_init_signing_with_force_replaces_it(settings, stranger, tmp_path):
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = tmp_path / "i.p12", tmp_path / "ca.pem"
    settings.SIGNING_PKCS12.write_bytes(stranger["SIGNING_PKCS12"].read_bytes())

    call_command("init_signing", "--force", stdout=io.StringIO())

    cert, _chain, _ca = _certificates(
        {"SIGNING_PKCS12": settings.SIGNING_PKCS12, "SIGNING_TRUST_ROOTS": settings.SIGNING_TRUST_ROOTS},
        settings.SIGNING_PASSPHRASE,
    )
    assert cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEMO_CA_NAME
