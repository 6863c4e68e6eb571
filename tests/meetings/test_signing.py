"""Signing the minutes (PAdES) and checking a submitted copy; read back by pyHanko and by poppler's pdfsig.

The certificates are made by `init_signing` in a temporary folder, never under var/.
"""

import datetime
import http.server
import io
import socket
import subprocess
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign.timestamps import DummyTimeStamper, TimestampRequestError
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from meetings.management.commands.init_signing import (
    DOCUMENT_SIGNING,
    make_ca,
    make_signing_certificate,
    pkcs12_bytes,
)
from meetings.minutes import minutes_queryset, render_minutes_pdf
from meetings.signing import (
    DEMO_CA_NAME,
    INSTITUTION_NAME,
    MAX_VERIFY_BYTES,
    VERIFY_TIMEOUT_SECONDS,
    SigningNotConfigured,
    Status,
    sha256_hex,
    sign_pdf,
    verify_pdf,
)
from tests import factory, pdf
from tests.test_settings import refusal, start

N = pdf.normalized
OPENING = "افتتح السيد الرئيس الجلسة بكلمة رحب فيها بأعضاء المجلس"
SIGN = {"reason": "محضر الدورة الثانية برسم سنة 2025", "location": "الرباط"}


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory) -> dict:
    """The demo CA and institution certificate, made by `init_signing` in a temporary folder."""
    folder = tmp_path_factory.mktemp("signing")
    files = {"SIGNING_PKCS12": folder / "institution.p12", "SIGNING_TRUST_ROOTS": folder / "ca.pem"}
    with override_settings(**files):
        call_command("init_signing", stdout=io.StringIO())
    return files


@pytest.fixture(autouse=True)
def _signing_settings(settings, signing_files):
    for name, value in signing_files.items():
        setattr(settings, name, value)
    settings.SIGNING_TSA_URL = ""


@pytest.fixture(scope="session")
def stranger(tmp_path_factory) -> dict:
    """Settings for a certificate issued by another self-made CA, which the trust roots do not list."""
    folder = tmp_path_factory.mktemp("stranger")
    ca_key, ca_cert = make_ca("Autorité de certification inconnue")
    key, cert = make_signing_certificate(ca_key, ca_cert)
    (folder / "stranger.p12").write_bytes(pkcs12_bytes(key, cert, [ca_cert], "stranger-passphrase"))
    return {"SIGNING_PKCS12": folder / "stranger.p12", "SIGNING_PASSPHRASE": "stranger-passphrase"}


@pytest.fixture(scope="module")
def minutes(django_db_setup, django_db_blocker, signing_files) -> dict:
    """Minutes rendered from a session made with the factory, unsigned and signed."""
    with django_db_blocker.unblock(), transaction.atomic():
        session = factory.session(factory.board(is_home=False), opening=OPENING)
        factory.agenda_item(session, 1, title="المصادقة على مخطط عمل سنة 2026")
        rendered = render_minutes_pdf(minutes_queryset().get(pk=session.pk))
        transaction.set_rollback(True)
    with override_settings(**signing_files):
        signed = sign_pdf(rendered, **SIGN)
    return {"pdf": rendered, "signed": signed}


def _first_signature(data: bytes):
    return PdfFileReader(io.BytesIO(data)).embedded_signatures[0]


def _pdfsig(data: bytes, tmp_path: Path, nssdir: Path | None = None) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    options = ["-nssdir", f"sql:{nssdir}"] if nssdir else []
    # pdfsig exits 0 whatever it finds: its text is the verdict.
    done = subprocess.run(["pdfsig", *options, str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout


def _nss_database(tmp_path: Path, ca_pem: Path) -> Path:
    """An NSS database trusting the demo CA for e-mail (S/MIME), the usage poppler asks NSS to check."""
    folder = tmp_path / "nss"
    folder.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{folder}"], check=True, timeout=60)
    subprocess.run(
        ["certutil", "-A", "-n", "ca", "-t", ",C,", "-i", str(ca_pem), "-d", f"sql:{folder}"],
        check=True,
        timeout=60,
    )
    return folder


def _change_one_signed_byte(signed: bytes) -> bytes:
    """The same file with one byte changed inside a stream of the signed range (not in /Contents)."""
    first_range_end = int(signed.split(b"/ByteRange [0 ", 1)[1].split(b" ", 1)[0])
    position = signed.index(b"stream\n", first_range_end // 2) + 20
    assert position < first_range_end
    changed = bytearray(signed)
    changed[position] ^= 0x01
    return bytes(changed)


# Signing


def test_signing_keeps_the_rendered_bytes_and_appends_the_signature(minutes):
    assert minutes["signed"].startswith(minutes["pdf"])
    assert len(minutes["signed"]) > len(minutes["pdf"])


def test_pyhanko_finds_the_signature_intact_valid_trusted_and_covering_the_whole_file(minutes, signing_files):
    context = ValidationContext(trust_roots=[load_cert_from_pemder(signing_files["SIGNING_TRUST_ROOTS"])])

    # In a thread of its own: pyHanko's asyncio.run() refuses the browser tests' running event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        status = thread.submit(validate_pdf_signature, _first_signature(minutes["signed"]), context).result()

    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == INSTITUTION_NAME


def test_the_signature_is_pades_with_the_chain_embedded_and_the_stated_reason(minutes):
    signature = _first_signature(minutes["signed"])

    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == SIGN["reason"]
    assert signature.sig_object["/Location"] == SIGN["location"]
    assert [cert.subject.native["common_name"] for cert in signature.other_embedded_certs] == [DEMO_CA_NAME]


def test_the_signature_field_is_invisible(minutes):
    widget = _first_signature(minutes["signed"]).sig_field

    assert [float(side) for side in widget["/Rect"]] == [0, 0, 0, 0]
    assert widget["/F"] & 4  # printable, as PDF/A asks of every annotation


def test_pdfsig_says_the_signature_is_valid_and_the_certificate_trusted(minutes, signing_files, tmp_path):
    nssdir = _nss_database(tmp_path, signing_files["SIGNING_TRUST_ROOTS"])

    report = _pdfsig(minutes["signed"], tmp_path, nssdir)

    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Total document signed" in report
    assert f"Signer Certificate Common Name: {INSTITUTION_NAME}" in report


def test_pdfsig_without_the_demo_ca_does_not_trust_the_certificate(minutes, tmp_path):
    report = _pdfsig(minutes["signed"], tmp_path, None)

    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." not in report


def test_the_signed_file_still_reads_as_the_minutes(minutes):
    text = N(pdf.text(minutes["signed"]))
    assert N(OPENING) in text
    assert N("المصادقة على مخطط عمل سنة 2026") in text


def test_the_signed_file_is_still_identified_as_pdf_a_3b_with_its_metadata_unchanged(minutes):
    meta = pdf.xmp(minutes["signed"])
    assert 'pdfaid:part="3"' in meta
    assert 'pdfaid:conformance="B"' in meta
    # The XMP packet and the Info dictionary stay as rendered, hence consistent with each other.
    assert meta == pdf.xmp(minutes["pdf"])
    assert pdf.info(minutes["signed"])["Producer"] == pdf.info(minutes["pdf"])["Producer"]


# Verifying


def test_the_signed_minutes_verify_as_valid(minutes):
    result = verify_pdf(minutes["signed"])

    assert result.status == Status.VALID == "valid"
    assert result.is_valid
    assert result.signer == INSTITUTION_NAME
    assert abs(result.signed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(hours=1)
    assert result.sha256 == sha256_hex(minutes["signed"])


def test_one_byte_changed_inside_the_signed_content_is_modified(minutes):
    assert verify_pdf(_change_one_signed_byte(minutes["signed"])).status == Status.MODIFIED


def test_a_changed_signature_value_is_an_invalid_signature(minutes):
    signed = minutes["signed"]
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    blob = bytes.fromhex(signed[start : signed.index(b">", start)].decode()).rstrip(b"\0")
    # A B-B signature's CMS blob ends with the signature value; the signed bytes stay as they were.
    position = start + 2 * (len(blob) - 50)
    changed = bytearray(signed)
    changed[position] = ord("0") if changed[position] != ord("0") else ord("1")

    assert verify_pdf(bytes(changed)).status == Status.INVALID_SIGNATURE


def test_pdfsig_also_sees_the_changed_byte(minutes, tmp_path):
    report = _pdfsig(_change_one_signed_byte(minutes["signed"]), tmp_path)
    assert "Signature Validation: Signature is Valid." not in report
    assert "Digest Mismatch" in report


def test_an_update_appended_after_signing_is_modified(minutes):
    writer = IncrementalPdfFileWriter(io.BytesIO(minutes["signed"]))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)

    result = verify_pdf(appended.getvalue())

    assert result.status == Status.MODIFIED
    # The original signature is still the institution's: the name is given, the copy is not valid.
    assert result.signer == INSTITUTION_NAME


def test_a_second_signature_appended_with_another_key_is_modified(minutes, settings, stranger):
    for name, value in stranger.items():
        setattr(settings, name, value)
    countersigned = sign_pdf(minutes["signed"], field_name="Signature2", **SIGN)

    assert verify_pdf(countersigned).status == Status.MODIFIED


def test_bytes_appended_after_the_end_of_the_file_are_a_modification(minutes):
    assert verify_pdf(minutes["signed"] + b"\n% appended\n").status == Status.MODIFIED


def test_the_unsigned_minutes_are_unsigned(minutes):
    result = verify_pdf(minutes["pdf"])
    assert result.status == Status.UNSIGNED
    assert result.signer is None


@pytest.mark.parametrize("data", [b"", b"garbage " * 1000, b"%PDF-1.7\n" + bytes(range(256)) * 40])
def test_what_is_not_a_pdf_is_unreadable(data):
    result = verify_pdf(data)
    assert result.status == Status.UNREADABLE
    assert result.sha256 == sha256_hex(data)


def test_a_truncated_signed_file_is_unreadable(minutes):
    assert verify_pdf(minutes["signed"][:-300]).status == Status.UNREADABLE


def test_fifty_megabytes_are_too_large_and_not_read():
    data = bytes(50 * 1024 * 1024)  # in memory only
    started = time.monotonic()

    result = verify_pdf(data)

    assert result.status == Status.TOO_LARGE
    assert len(data) > MAX_VERIFY_BYTES
    assert time.monotonic() - started < 1  # no child was started for it


def test_a_pdf_signed_under_another_ca_is_untrusted_and_its_signer_not_named(minutes, settings, stranger):
    for name, value in stranger.items():
        setattr(settings, name, value)
    forged = sign_pdf(minutes["pdf"], **SIGN)

    result = verify_pdf(forged)

    assert result.status == Status.UNTRUSTED
    assert result.signer is None  # a forger chooses the name in a certificate nobody trusts
    assert INSTITUTION_NAME in result.detail


@pytest.mark.parametrize("user_password", ["", "secret"])
def test_an_encrypted_copy_is_unreadable(minutes, user_password):
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(minutes["signed"])))
    writer.encrypt("owner-password", user_password)
    encrypted = io.BytesIO()
    writer.write(encrypted)

    result = verify_pdf(encrypted.getvalue())

    assert result.status == Status.UNREADABLE
    assert result.detail == "encrypted"


# Hostile files


def _classic_pdf(objects: dict[int, bytes], trailer: bytes) -> bytes:
    """A PDF with a cross-reference table, from object bodies by number."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets.get(number, 0) for number in range(1, size))
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def _flate_bomb(expanded: int) -> bytes:
    """A FlateDecode stream that inflates to `expanded` zero bytes, about a thousandth of that packed."""
    packer, chunk = zlib.compressobj(9), bytes(16 * 1024 * 1024)
    return b"".join(packer.compress(chunk) for _ in range(expanded // len(chunk))) + packer.flush()


def _xref_stream_bomb() -> bytes:
    """A PDF whose cross-reference stream, which any reader must inflate, expands to 1 GiB."""
    bomb = _flate_bomb(1024 * 1024 * 1024)
    head = (
        b"1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] /Root 1 0 R /Length %d /Filter /FlateDecode >>\nstream\n"
    )
    return b"%PDF-1.7\n" + head % len(bomb) + bomb + b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
}
BOMBS = {
    "inflating to 1 GiB": _xref_stream_bomb,
    "nested 100 000 arrays deep": lambda: _classic_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields %s >> >>"
            % (b"[" * 100_000 + b"]" * 100_000)
        }
        | PAGES,
        b"<< /Size 4 /Root 1 0 R >>",
    ),
    "a field that is its own kid": lambda: _classic_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"}
        | PAGES
        | {4: b"<< /FT /Sig /T (a) /Kids [4 0 R] >>"},
        b"<< /Size 5 /Root 1 0 R >>",
    ),
    "references that point at each other": lambda: _classic_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>"} | PAGES | {4: b"5 0 R", 5: b"4 0 R"},
        b"<< /Size 6 /Root 1 0 R >>",
    ),
}


@pytest.mark.parametrize("make", BOMBS.values(), ids=BOMBS.keys())
def test_a_pdf_bomb_ends_within_the_time_limit_without_being_valid(make):
    bomb = make()
    assert len(bomb) < MAX_VERIFY_BYTES
    started = time.monotonic()

    result = verify_pdf(bomb)

    assert time.monotonic() - started < VERIFY_TIMEOUT_SECONDS + 5
    assert result.status in {Status.UNREADABLE, Status.TIMEOUT}, result


def test_a_check_that_outlasts_its_time_limit_answers_timeout(minutes):
    assert verify_pdf(minutes["signed"], timeout=0.05).status == Status.TIMEOUT


# Timestamp authority (PAdES B-T)


def _timestamping_certificate(ca_key, ca_cert) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Horodatage de test")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start_at)
        .not_valid_after(start_at + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _timestamp_server(stamper: DummyTimeStamper) -> http.server.ThreadingHTTPServer:
    """RFC 3161 over HTTP on a free loopback port, answered by pyHanko's test stamper."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def timestamp_authority(tmp_path, settings, signing_files):
    """A timestamp authority under a CA of its own, added to the trust roots; yields the time it certifies."""
    ca_key, ca_cert = make_ca("Autorité d'horodatage de test")
    key, cert = _timestamping_certificate(ca_key, ca_cert)
    stamped_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=10)
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
        fixed_dt=stamped_at,
    )
    server = _timestamp_server(stamper)
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(
        signing_files["SIGNING_TRUST_ROOTS"].read_bytes() + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    settings.SIGNING_TRUST_ROOTS = bundle
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    yield stamped_at
    server.shutdown()
    server.server_close()


def test_with_a_timestamp_authority_the_signing_time_is_the_authoritys(minutes, timestamp_authority):
    signed = sign_pdf(minutes["pdf"], **SIGN)

    result = verify_pdf(signed)

    assert result.status == Status.VALID
    # Ten minutes before the signer's own clock: the time is the authority's, not the one the signer states.
    assert result.signed_at == timestamp_authority


def test_an_unreachable_timestamp_authority_stops_the_signature(minutes, settings):
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{port}/"

    with pytest.raises(TimestampRequestError):
        sign_pdf(minutes["pdf"], **SIGN)


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


def test_a_timestamp_authority_that_is_not_a_url_stops_the_start():
    error = refusal(start(SIGNING_TSA_URL="tsa.example.ma"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_TSA_URL='tsa.example.ma'")


def test_an_institution_certificate_without_its_passphrase_stops_a_production_start():
    error = refusal(start(SIGNING_PKCS12="/srv/signing/institution.p12"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_PASSPHRASE must be set")


def test_an_empty_passphrase_stops_the_start():
    error = refusal(start(SIGNING_PASSPHRASE=""))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SIGNING_PASSPHRASE is empty")


def test_signing_files_need_not_exist_for_the_app_to_start():
    result = start(
        SIGNING_PKCS12="/nonexistent/institution.p12",
        SIGNING_PASSPHRASE="institution-passphrase",
        SIGNING_TRUST_ROOTS="/nonexistent/ca.pem",
        SIGNING_TSA_URL="https://tsa.example.ma/rfc3161",
    )
    assert result.returncode == 0, result.stderr


# init_signing


def _certificates(
    files: dict, passphrase: str
) -> tuple[x509.Certificate, list[x509.Certificate], x509.Certificate]:
    """The institution certificate and the chain in the PKCS#12, and the CA in the trust roots file."""
    _key, cert, chain = pkcs12.load_key_and_certificates(
        files["SIGNING_PKCS12"].read_bytes(), passphrase.encode()
    )
    return cert, chain, x509.load_pem_x509_certificate(files["SIGNING_TRUST_ROOTS"].read_bytes())


def test_init_signing_makes_a_ten_year_demo_ca_and_a_document_signing_certificate(signing_files, settings):
    cert, chain, ca = _certificates(signing_files, settings.SIGNING_PASSPHRASE)

    assert ca.subject == ca.issuer == cert.issuer
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEMO_CA_NAME
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days >= 3650
    assert chain == [ca]
    assert cert.subject.rfc4514_string() == f"C=MA,O=Entraide Nationale,CN={INSTITUTION_NAME}"
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
