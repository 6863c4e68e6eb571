"""Signing the minutes (PAdES) and checking a submitted copy; read back by pyHanko and by poppler's pdfsig.

The certificates are made by `init_signing` in a temporary folder, never under var/ (the `signing_files`
fixture, in conftest.py). Hostile files, the timestamp authority and the configuration have files of their
own: test_verify_hostile_files.py, test_signing_timestamp.py and test_signing_configuration.py.
"""

import datetime
import io
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from asn1crypto import cms
from django.test import override_settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from meetings.seal.signing import (
    DEMO_CA_NAME,
    INSTITUTION_NAME,
    MAX_VERIFY_BYTES,
    Status,
    check,
    extend_pdf,
    sha256_hex,
    sign_pdf,
    verify_pdf,
)
from tests import pdf
from tests.signing import OPENING, SIGN, sign_plainly

# Signed with the signing files of tests/meetings/conftest.py, checked against their trust roots.
pytestmark = pytest.mark.usefixtures("signing_settings")

N = pdf.normalized


def _first_signature(data: bytes):
    return PdfFileReader(io.BytesIO(data)).embedded_signatures[0]


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


def test_pyhanko_finds_the_signature_intact_valid_trusted_and_followed_by_archival_updates_only(
    minutes, signing_files
):
    context = ValidationContext(trust_roots=[load_cert_from_pemder(signing_files["SIGNING_TRUST_ROOTS"])])

    # In a thread of its own: pyHanko's asyncio.run() refuses the browser tests' running event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        status = thread.submit(validate_pdf_signature, _first_signature(minutes["signed"]), context).result()

    assert status.intact and status.valid and status.trusted
    # B-LTA: the signed revision, then the DSS and the document timestamp, which pyHanko's difference
    # analysis classifies as archival updates.
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.LTA_UPDATES
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

    report = pdf.pdfsig(minutes["signed"], tmp_path, signing_files["SIGNING_TRUST_ROOTS"])
    signature, timestamp = report.split("Signature #2:")

    assert "Signature Validation: Signature is Valid." in signature
    assert "Certificate Validation: Certificate is Trusted." in signature
    assert f"Signer Certificate Common Name: {INSTITUTION_NAME}" in signature
    # The document timestamp over it all (B-LTA), by the timestamp authority; poppler checks none.
    assert "Signer Certificate Common Name: Entraide Nationale — horodatage de démonstration" in timestamp


def test_pdfsig_without_the_demo_ca_does_not_trust_the_certificate(minutes, tmp_path):
    report = pdf.pdfsig(minutes["signed"], tmp_path)

    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." not in report


def test_the_signed_file_still_reads_as_the_minutes(minutes):
    text = N(pdf.text(minutes["signed"]))
    assert N(OPENING) in text
    assert N("المصادقة على مخطط عمل سنة 2026") in text


def test_the_signed_file_is_still_identified_as_pdf_a_3a_and_pdf_ua_1_with_its_title_and_author(minutes):
    # pyHanko's own update of the metadata (no private hook): the PDF/A identification, the title and
    # the author stay as rendered; pyHanko adds itself as producer. veraPDF's verdict on the whole
    # signed file: tests/meetings/test_pdfa_conformance.py.
    meta = pdf.xmp(minutes["signed"])
    assert 'pdfaid:part="3"' in meta
    assert 'pdfaid:conformance="A"' in meta
    assert 'pdfuaid:part="1"' in meta
    rendered, signed = pdf.info(minutes["pdf"]), pdf.info(minutes["signed"])
    assert (signed["Title"], signed["Author"]) == (rendered["Title"], rendered["Author"])
    assert signed["Producer"].startswith(rendered["Producer"])


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
    blob = bytes.fromhex(signed[start : signed.index(b">", start)].decode())
    # The signature value inside the CMS blob (the timestamp token follows it); the signed bytes stay.
    value = cms.ContentInfo.load(blob)["content"]["signer_infos"][0]["signature"].native
    position = start + 2 * (blob.index(value) + 20)
    changed = bytearray(signed)
    changed[position] = ord("0") if changed[position] != ord("0") else ord("1")

    assert verify_pdf(bytes(changed)).status == Status.INVALID_SIGNATURE


def test_pdfsig_also_sees_the_changed_byte(minutes, tmp_path):
    report = pdf.pdfsig(_change_one_signed_byte(minutes["signed"]), tmp_path)
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


def test_a_second_signature_appended_with_another_key_is_modified(minutes, stranger):
    countersigned = sign_plainly(minutes["signed"], stranger, field_name="Signature2")

    assert verify_pdf(countersigned).status == Status.MODIFIED


def test_bytes_appended_after_the_end_of_the_file_are_a_modification(minutes):
    assert verify_pdf(minutes["signed"] + b"\n% appended\n").status == Status.MODIFIED


def test_bytes_riding_after_the_end_behind_a_pointer_to_the_old_cross_reference_are_a_modification(minutes):
    # Up to 20 MB could ride in a file whose last «startxref» points back to the signed revision's own
    # cross-reference: a reader sees the same revisions, the bytes are there all the same.
    last_xref = re.findall(rb"startxref\s+(\d+)", minutes["signed"])[-1]
    riding = minutes["signed"] + b"\n% " + b"x" * 4096 + b"\nstartxref\n" + last_xref + b"\n%%EOF\n"

    assert verify_pdf(riding).status == Status.MODIFIED


def _with_xmp(signed: bytes, change) -> bytes:
    """An incremental update after the archival maintenance that gives the document new XMP metadata."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    before = writer.root["/Metadata"]
    metadata = generic.StreamObject(
        {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")},
        stream_data=change(before.data),
    )
    writer.root["/Metadata"] = writer.add_object(metadata)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda xmp: xmp.replace("محضر اجتماع".encode(), "محضر مزور".encode()), id="title"),
        pytest.param(
            lambda xmp: re.sub(rb'pdfaid:(part|conformance)="[^"]*" ', b"", xmp).replace(
                b"pyHanko", b"Forger"
            ),
            id="producer and PDF/A identification",
        ),
        pytest.param(lambda xmp: xmp, id="the same packet, in a new object"),
    ],
)
def test_xmp_metadata_changed_after_signing_is_a_modification(minutes, change):
    changed = _with_xmp(minutes["signed"], change)

    assert verify_pdf(changed).status == Status.MODIFIED


def test_a_document_timestamp_of_a_foreign_authority_is_not_maintenance(minutes, stranger):
    # The archival maintenance done under another CA: its authority's timestamp, its validation data.
    with override_settings(**stranger):
        extended = extend_pdf(minutes["signed"])

    assert verify_pdf(extended).status == Status.MODIFIED


def test_a_broken_document_timestamp_is_not_maintenance(minutes, signing_settings):
    extended = extend_pdf(minutes["signed"])
    # One byte of the new timestamp token's signature value changed: its CMS no longer verifies.
    token = extended.rindex(b"/Contents <") + len(b"/Contents <")
    broken = extended[: token + 3000] + (b"0" if extended[token + 3000 : token + 3001] != b"0" else b"1")
    broken += extended[token + 3001 :]

    assert verify_pdf(broken).status == Status.MODIFIED


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


def test_a_pdf_signed_under_another_ca_is_untrusted_and_its_signer_not_named(minutes, stranger):
    with override_settings(**stranger):
        forged = sign_pdf(minutes["pdf"], **SIGN)

    result = verify_pdf(forged)

    assert result.status == Status.UNTRUSTED
    assert result.signer is None  # a forger chooses the name in a certificate nobody trusts
    assert INSTITUTION_NAME in result.detail


def test_after_its_certificate_expired_a_signature_is_valid_when_signed_a_stranger_s_never(
    minutes, signing_files, stranger, settings
):
    # In this process, at a date past the ten years of the demo CA and its certificate.
    with override_settings(**stranger):
        forged = sign_pdf(minutes["pdf"], **SIGN)
    with time_machine.travel(datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC), tick=False):
        genuine = check(minutes["signed"], signing_files["SIGNING_TRUST_ROOTS"])
        stranger_s = check(forged, signing_files["SIGNING_TRUST_ROOTS"])

    assert genuine["status"] == Status.VALID_WHEN_SIGNED
    assert genuine["signer"] == INSTITUTION_NAME
    assert stranger_s["status"] == Status.UNTRUSTED


@pytest.mark.parametrize("user_password", ["", "secret"])
def test_an_encrypted_copy_is_unreadable(minutes, user_password):
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(minutes["signed"])))
    writer.encrypt("owner-password", user_password)
    encrypted = io.BytesIO()
    writer.write(encrypted)

    result = verify_pdf(encrypted.getvalue())

    assert result.status == Status.UNREADABLE
    assert result.detail == "encrypted"
