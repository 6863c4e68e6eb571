"""The demo's remote signing service (meetings/seal/signing_service.py) and the demo responder's OCSP over GET.

The service answers in a thread of the tests' session (tests/conftest.py, `signing_keys`), for the demo PKI
the settings name: it holds the approvers' keys, and signs only after their PIN. It is driven here as the
app drives it, with pyHanko's CSC client, and by its JSON API for what a client would not send.
"""

import asyncio
import base64
import hashlib
import io
import json
import shutil
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from asn1crypto import ocsp
from certomancer.registry import CertLabel
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as x509_ocsp
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from decisions.management.commands.load_demo import MEMBER_USERS, SEATS
from entraide.settings import next_port
from meetings.seal import demo_pki, signing_service
from tests import pdf

PRESIDENT = demo_pki.credential_id("benyahia")
PRESIDENT_PIN = demo_pki.PERSONS["benyahia"].pin
WRONG_PIN = "000000"
SHA256, SHA256_RSA = "2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11"


class Refused(Exception):
    """The service's answer to an authorization it refused: its status and JSON body."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status, body)
        self.status, self.body = status, body


class PinAuthorization(CSCAuthorizationManager):
    """CSC's explicit authorization: the PIN, and the hashes to sign (SCAL 2)."""

    def __init__(self, service, credential, http: aiohttp.ClientSession, pin: str) -> None:
        super().__init__(service, credential)
        self.http, self.pin = http, pin

    async def authorize_signature(self, hash_b64s):
        request = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.http.post(url, json=request) as answer:
            body = await answer.json(content_type=None)
        if answer.status != 200:
            raise Refused(answer.status, body)
        return self.parse_csc_auth_response(body)


def _in_a_thread(function, *args):
    # pyHanko's asyncio.run() wants a thread without a running event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(function, *args).result()


def a_small_pdf() -> bytes:
    """One blank page."""
    writer = PdfFileWriter()
    page = {
        "/Type": generic.NameObject("/Page"),
        "/MediaBox": generic.ArrayObject(map(generic.NumberObject, [0, 0, 200, 200])),
    }
    writer.insert_page(generic.DictionaryObject({generic.NameObject(k): v for k, v in page.items()}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_as(credential_id: str, pin: str) -> bytes:
    """A small PDF signed at the service with `credential_id`, authorized by `pin`."""

    async def signed() -> bytes:
        async with aiohttp.ClientSession() as http:
            service = CSCServiceSessionInfo(settings.SIGNING_SERVICE_URL, credential_id)
            credential = await fetch_certs_in_csc_credential(http, service)
            signer = CSCSigner(http, PinAuthorization(service, credential, http, pin))
            metadata = signers.PdfSignatureMetadata(field_name="President", subfilter=SigSeedSubFilter.PADES)
            writer = IncrementalPdfFileWriter(io.BytesIO(a_small_pdf()))
            return (await signers.async_sign_pdf(writer, metadata, signer=signer)).getvalue()

    return _in_a_thread(asyncio.run, signed())


def csc(endpoint: str, body: dict) -> tuple[int, dict]:
    """The service's status and JSON answer to a call of its API."""
    request = urllib.request.Request(
        f"{settings.SIGNING_SERVICE_URL}/csc/v1/{endpoint}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        content = error.read()
        return error.code, json.loads(content) if content.startswith(b"{") else {"text": content.decode()}


def b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def authorize(
    hashes: list[str], pin: str | None = PRESIDENT_PIN, credential: str = PRESIDENT
) -> tuple[int, dict]:
    request = {"credentialID": credential, "numSignatures": len(hashes), "hash": hashes}
    return csc("credentials/authorize", request if pin is None else request | {"PIN": pin})


def sign_hash(sad: str, hashes: list[str], credential: str = PRESIDENT) -> tuple[int, dict]:
    request = {
        "credentialID": credential,
        "SAD": sad,
        "hash": hashes,
        "hashAlgo": SHA256,
        "signAlgo": SHA256_RSA,
    }
    return csc("signatures/signHash", request)


def refusal(description: str) -> dict:
    return {"error": "invalid_request", "error_description": description}


@pytest.fixture
def own_pki(settings, signing_keys, tmp_path) -> Path:
    """A copy of the session's demo PKI (the same certificates), which the service and the responder serve
    for the test: what the test locks or revokes stays its own."""
    shutil.copytree(signing_keys / "demo-pki", tmp_path / "demo-pki")
    settings.SIGNING_PKCS12 = tmp_path / "institution.p12"  # demo_pki.folder() is beside it
    return demo_pki.folder()


# Signing with the right PIN


def test_the_president_signs_with_her_pin_and_pyhanko_trusts_the_signature():
    signed = sign_as(PRESIDENT, PRESIDENT_PIN)

    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(settings.SIGNING_TRUST_ROOTS)], allow_fetching=True
    )
    status = _in_a_thread(validate_pdf_signature, signature, context)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "نعيمة بن يحيى"


def test_the_persons_certificates_bear_the_names_of_the_demos_approvers():
    usernames = {seat: username for seat, (username, _password) in MEMBER_USERS.items()}

    assert demo_pki.PERSONS[usernames["president"]].name == SEATS["president"][0]
    assert demo_pki.PERSONS[usernames["director"]].name == SEATS["director"][0]


def test_a_persons_certificate_is_for_signing_documents_and_revocable(signing_keys):
    pki = demo_pki.architecture(demo_pki.folder())
    certificate = x509.load_der_x509_certificate(pki.get_cert(CertLabel("moujahidi")).dump())

    assert certificate.subject.rfc4514_string() == "CN=خطار المجاهدي,O=Entraide Nationale,C=MA"
    assert (
        certificate.issuer == x509.load_der_x509_certificate(pki.get_cert(CertLabel("root")).dump()).subject
    )
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {usage.dotted_string for usage in usages} == {"1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4"}
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert any(item.access_method == x509.AuthorityInformationAccessOID.OCSP for item in access)
    assert certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value


def test_the_credentials_info_asks_for_a_pin_and_pins_the_hashes():
    status, info = csc("credentials/info", {"credentialID": PRESIDENT, "certificates": "chain"})

    assert status == 200
    assert info["authMode"] == "explicit"
    assert info["PIN"] | {"description": ""} == {
        "presence": "true",
        "format": "N",
        "label": "PIN",
        "description": "",
    }
    assert info["SCAL"] == "2"
    assert len(info["cert"]["certificates"]) == 2  # the person's and the demo CA's


# Wrong PINs


def test_a_wrong_pin_is_refused_with_the_csc_error_and_nothing_is_signed(own_pki):
    with pytest.raises(Refused) as refused:
        sign_as(PRESIDENT, WRONG_PIN)

    assert refused.value.status == 400
    assert refused.value.body == refusal("Invalid PIN")


def test_no_pin_is_refused(own_pki):
    assert authorize([b64_sha256(b"minutes")], pin=None) == (400, refusal("Invalid PIN"))


def test_five_wrong_pins_lock_the_credential_even_to_the_right_pin(own_pki):
    hashes = [b64_sha256(b"minutes")]
    for _attempt in range(5):
        assert authorize(hashes, pin=WRONG_PIN) == (400, refusal("Invalid PIN"))

    assert authorize(hashes) == (400, refusal("Credential locked"))
    with pytest.raises(Refused) as refused:
        sign_as(PRESIDENT, PRESIDENT_PIN)
    assert refused.value.body == refusal("Credential locked")
    # The other person's credential is not locked.
    status, _sad = authorize(
        hashes, pin=demo_pki.PERSONS["moujahidi"].pin, credential=demo_pki.credential_id("moujahidi")
    )
    assert status == 200


def test_the_right_pin_before_the_fifth_wrong_one_starts_the_count_again(own_pki):
    hashes = [b64_sha256(b"minutes")]
    for _attempt in range(4):
        authorize(hashes, pin=WRONG_PIN)
    assert authorize(hashes)[0] == 200

    for _attempt in range(4):
        authorize(hashes, pin=WRONG_PIN)
    assert authorize(hashes)[0] == 200


def test_a_pin_file_made_again_unlocks_the_credential(own_pki):
    hashes = [b64_sha256(b"minutes")]
    for _attempt in range(5):
        authorize(hashes, pin=WRONG_PIN)

    demo_pki.write_pins(own_pki, {PRESIDENT: PRESIDENT_PIN})

    assert authorize(hashes)[0] == 200


def test_the_pin_file_keeps_salted_hashes_never_the_pins(signing_keys):
    pins = (demo_pki.folder() / demo_pki.PIN_FILE).read_text()

    assert PRESIDENT_PIN not in pins and demo_pki.PERSONS["moujahidi"].pin not in pins
    records = demo_pki.read_pins(demo_pki.folder())
    assert records[PRESIDENT]["salt"] != records[demo_pki.credential_id("moujahidi")]["salt"]


# Only the persons' keys


def test_the_service_lists_only_the_persons_credentials():
    status, answer = csc("credentials/list", {})

    assert status == 200
    assert answer == {"credentialIDs": ["entraide/benyahia", "entraide/moujahidi"]}


@pytest.mark.parametrize("label", ["institution", "tsa", "tsa-renewed", "ocsp", "root"])
def test_the_seals_and_the_authorities_keys_are_unknown_to_the_service(label):
    credential = demo_pki.credential_id(label)
    unknown = (400, refusal("Invalid parameter credentialID"))

    assert csc("credentials/info", {"credentialID": credential}) == unknown
    assert authorize([b64_sha256(b"minutes")], credential=credential) == unknown
    assert sign_hash("a SAD", [b64_sha256(b"minutes")], credential=credential) == unknown


def test_the_service_listens_by_default_on_the_port_after_the_responders():
    assert next_port("http://127.0.0.1:8790") == "http://127.0.0.1:8791"
    assert next_port("http://[::1]:8790") == "http://[::1]:8791"


def test_the_service_does_not_timestamp():
    assert csc("signatures/timestamp", {"hash": b64_sha256(b"x"), "hashAlgo": SHA256})[0] in {404, 405}


# Signature activation data


def test_a_sad_signs_the_hash_it_was_given_for_and_no_other():
    minutes, other = b64_sha256(b"minutes"), b64_sha256(b"another document")
    sad = authorize([minutes])[1]["SAD"]

    assert sign_hash(sad, [other]) == (400, refusal("Invalid parameter hash"))


def test_a_sad_signs_once():
    minutes = b64_sha256(b"minutes")
    sad = authorize([minutes])[1]["SAD"]

    assert sign_hash(sad, [minutes])[0] == 200
    assert sign_hash(sad, [minutes]) == (400, refusal("Invalid parameter SAD"))


def test_a_sad_signs_for_its_credential_only():
    minutes = b64_sha256(b"minutes")
    sad = authorize([minutes])[1]["SAD"]

    assert sign_hash(sad, [minutes], credential=demo_pki.credential_id("moujahidi")) == (
        400,
        refusal("Invalid parameter SAD"),
    )


def test_each_service_signs_its_sads_with_a_secret_of_its_own():
    first, second = signing_service.SigningService(), signing_service.SigningService()

    assert first.service_params.sad_secret != second.service_params.sad_secret
    assert b"secret" not in {first.service_params.sad_secret, second.service_params.sad_secret}


# OCSP over GET (RFC 6960 appendix A.1)


def _ocsp_request_for(label: str) -> bytes:
    pki = demo_pki.architecture(demo_pki.folder())
    certificate, issuer = (
        x509.load_der_x509_certificate(pki.get_cert(CertLabel(name)).dump()) for name in (label, "root")
    )
    request = x509_ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())
    return request.build().public_bytes(serialization.Encoding.DER)


def _ocsp_get(path: str) -> ocsp.OCSPResponse:
    with urllib.request.urlopen(
        settings.SIGNING_DEMO_PKI_URL + f"/{demo_pki.ARCH}/ocsp/root/" + path, timeout=30
    ) as answer:
        assert answer.headers["Content-Type"] == "application/ocsp-response"
        return ocsp.OCSPResponse.load(answer.read())


def test_the_responder_answers_an_ocsp_request_sent_by_get():
    response = _ocsp_get(quote(base64.b64encode(_ocsp_request_for("institution")).decode(), safe=""))

    assert response["response_status"].native == "successful"
    single = response.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "good"
    # In whole seconds: NSS (poppler's pdfsig) finds fractions of a second corrupt.
    assert response.basic_ocsp_response["tbs_response_data"]["produced_at"].native.microsecond == 0
    assert single["this_update"].native.microsecond == 0


def test_the_responder_reads_the_url_safe_base64_of_a_get_request_too():
    encoded = base64.urlsafe_b64encode(_ocsp_request_for("benyahia")).decode().rstrip("=")

    response = _ocsp_get(encoded)

    assert response["response_status"].native == "successful"


# poppler's pdfsig checks the person's certificate with the responder itself


def test_pdfsig_asks_the_responder_and_trusts_the_persons_certificate(own_pki, tmp_path):
    report = pdf.pdfsig(sign_as(PRESIDENT, PRESIDENT_PIN), tmp_path, settings.SIGNING_TRUST_ROOTS)

    assert "Signer Certificate Common Name: نعيمة بن يحيى" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


def test_pdfsig_learns_from_the_responder_that_a_persons_certificate_was_revoked(own_pki, tmp_path):
    signed = sign_as(PRESIDENT, PRESIDENT_PIN)
    demo_pki.revoke(
        own_pki, "benyahia", since=demo_pki.architecture(own_pki).get_cert(CertLabel("root")).not_valid_before
    )

    report = pdf.pdfsig(signed, tmp_path, settings.SIGNING_TRUST_ROOTS)

    assert "Certificate Validation: Certificate has been Revoked." in report
