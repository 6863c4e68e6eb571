"""The institution's signature on the minutes (PAdES, pyHanko), and the check of a submitted copy.

`sign_pdf` appends the signature to a rendered PDF/A-3b as an incremental update: the rendered bytes stay
the first bytes of the signed file, untouched, and the PDF/A identification stays. `verify_pdf` tells
whether a file someone submits is a signed copy, unchanged since it was signed.

A submitted file is hostile input. It is checked in a child process (`python -m meetings.signing`, the
PDF on standard input) with a size limit, a memory cap and a wall-clock timeout, so that a crafted PDF
costs a web worker a few seconds at most, never its memory or its life. The child reads no settings:
the parent hands it the trust roots' path.

pyHanko is imported where it is used: importing this module stays cheap for the modules that name it.
"""

from __future__ import annotations

import enum
import hashlib
import json
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

DEMO_CA_NAME = "Entraide Nationale — CA de démonstration"
# The Arabic name alone: the French one is the certificate's organization. One name attribute cannot mix
# Arabic and Latin letters: pyHanko compares names after RFC 4518 string preparation, whose bidi rule
# rejects mixed text, and fails the certificate chain.
INSTITUTION_NAME = "التعاون الوطني"

# Limits for checking a submitted file. Signed minutes weigh well under a megabyte; a file above the
# size limit is refused unread.
MAX_VERIFY_BYTES = 20 * 1024 * 1024
VERIFY_TIMEOUT_SECONDS = 20
VERIFY_MEMORY_BYTES = 512 * 1024 * 1024  # address space of the child, interpreter and pyHanko included


class Status(enum.StrEnum):
    """What `verify_pdf` found; a StrEnum, so it compares equal to its plain string value.

    A byte changed inside the signed range is "modified", not "invalid_signature": to a reader both say
    the same thing, this is not the file that was signed. "invalid_signature" is kept for a signature
    that does not verify over bytes that do match, a broken or forged signature rather than an edit.
    """

    VALID = "valid"  # signed by a certificate chaining to SIGNING_TRUST_ROOTS, nothing changed or added since
    MODIFIED = "modified"  # a byte changed inside the signed range, or anything appended after signing
    INVALID_SIGNATURE = "invalid_signature"  # the signed bytes match, the signature value does not
    # A sound signature by a certificate that chained to SIGNING_TRUST_ROOTS when it signed, and has
    # expired since (the time is the timestamp's, or the signer's own claim without one).
    VALID_WHEN_SIGNED = "valid_when_signed"
    UNTRUSTED = "untrusted"  # a sound signature, by a certificate that never chained to the trust roots
    UNSIGNED = "unsigned"  # a readable PDF without a signature
    UNREADABLE = "unreadable"  # not a PDF that can be read: garbage, empty, truncated, encrypted
    TOO_LARGE = "too_large"  # above MAX_VERIFY_BYTES, not read
    TIMEOUT = "timeout"  # the check took longer than VERIFY_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one file.

    `signer` and `signed_at` come from the first signature, and only when its certificate chains to the
    trust roots: a forger chooses the name in an untrusted certificate. `signed_at` is the time certified
    by the timestamp authority when there is one, else the time the signer stated. `detail` is technical,
    for the logs, never for users.
    """

    status: Status
    sha256: str
    signer: str | None = None
    signed_at: datetime | None = None
    detail: str = ""
    # What the first signature vouches for (`signed_content_sha256`), when it could be read.
    content_sha256: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID


class SigningNotConfigured(ImproperlyConfigured):
    """A signing setting points at a file that is missing or cannot be used."""


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of a file, as stored next to the signed minutes and compared on a submitted copy."""
    return hashlib.sha256(data).hexdigest()


def _configured_file(setting: str) -> Path:
    path = Path(getattr(settings, setting))
    if not path.is_file():
        raise SigningNotConfigured(
            f"{setting}={str(path)!r} is not a file: run `python manage.py init_signing` for a demo "
            f"certificate, or point {setting} at the institution's file."
        )
    return path


def load_signer() -> SimpleSigner:
    """The institution's key and certificate chain, from SIGNING_PKCS12 opened with SIGNING_PASSPHRASE."""
    from pyhanko.sign.signers import SimpleSigner

    path = _configured_file("SIGNING_PKCS12")
    passphrase = settings.SIGNING_PASSPHRASE
    try:
        signer = SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=(), passphrase=passphrase.encode()
        )
    except ValueError as exc:
        raise SigningNotConfigured(
            f"SIGNING_PKCS12={str(path)!r} cannot be opened with SIGNING_PASSPHRASE (wrong passphrase, "
            f"or not a PKCS#12 file with a key and its certificate)."
        ) from exc
    issuer = signer.signing_cert.issuer.native.get("common_name")
    if issuer == DEMO_CA_NAME and not settings.DEMO_ALLOWED:
        raise SigningNotConfigured(
            "SIGNING_PKCS12 holds the demo certificate, which never signs outside development (DEBUG=1) or "
            "a demonstration server (DEMO_ALLOWED=1): point SIGNING_PKCS12 at the institution's certificate."
        )
    if passphrase == settings.SIGNING_DEMO_PASSPHRASE and issuer != DEMO_CA_NAME:
        # The demo passphrase is public: it may protect the demo certificate only.
        raise SigningNotConfigured(
            "SIGNING_PASSPHRASE is the public demo passphrase: set the institution's own."
        )
    return signer


def sign_pdf(pdf: bytes, *, field_name: str = "Signature1", reason: str, location: str) -> bytes:
    """Sign a PDF with the institution's certificate: PAdES B-B, or B-T when SIGNING_TSA_URL is set.

    The signature field is invisible (the document prints its own signature block) and the chain is
    embedded, so a reader needs only the CA certificate. The result starts with `pdf`, byte for byte.
    Raises SigningNotConfigured for an unusable key file, and OSError (pyHanko's TimestampRequestError)
    when the timestamp authority does not answer: a signature is never silently downgraded to B-B.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.timestamps import HTTPTimeStamper

    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        use_pades_lta=False,
        embed_validation_info=False,
        reason=reason,
        location=location,
    )
    timestamper = HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=10) if settings.SIGNING_TSA_URL else None
    signer = PdfSigner(
        metadata, load_signer(), timestamper=timestamper, new_field_spec=SigFieldSpec(field_name, box=None)
    )
    # pyHanko's synchronous API calls asyncio.run(), which refuses to run in a thread that already runs
    # an event loop (an ASGI server's, or Playwright's in the browser tests): a thread of its own has none.
    # pyHanko's own incremental update: it keeps the XMP packet's PDF/A identification and adds itself
    # as producer (veraPDF finds the signed file PDF/A-3B: tests/meetings/test_pdfa_conformance.py).
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    with ThreadPoolExecutor(max_workers=1) as thread:
        signed = thread.submit(signer.sign_pdf, writer).result()
    return signed.getvalue()


def verify_pdf(data: bytes, *, timeout: float = VERIFY_TIMEOUT_SECONDS) -> Verification:
    """Check a submitted file in a child process with a size limit, a memory cap and a timeout.

    Only a missing trust roots file raises (a server fault, not the file's); everything about the file
    itself is a status. Starting the child costs about a third of a second.
    """
    digest = sha256_hex(data)
    if len(data) > MAX_VERIFY_BYTES:
        return Verification(Status.TOO_LARGE, digest, detail=f"{len(data)} bytes > {MAX_VERIFY_BYTES}")
    roots = _configured_file("SIGNING_TRUST_ROOTS")
    command = [sys.executable, "-m", "meetings.signing", str(roots)]
    try:
        child = subprocess.run(
            command, input=data, capture_output=True, timeout=timeout, cwd=settings.BASE_DIR
        )
    except subprocess.TimeoutExpired:
        return Verification(Status.TIMEOUT, digest, detail=f"no answer within {timeout} s")
    try:
        found = json.loads(child.stdout)
        status = Status(found["status"])
    except (ValueError, KeyError, TypeError):
        # Killed by the memory cap, or any other death: the file could not be read within the limits.
        stderr = child.stderr.decode(errors="replace").strip().splitlines()[-1:]
        return Verification(Status.UNREADABLE, digest, detail=f"child exited {child.returncode}: {stderr}")
    signed_at = datetime.fromisoformat(found["signed_at"]) if found.get("signed_at") else None
    return Verification(
        status, digest, found.get("signer"), signed_at, found.get("detail", ""), found.get("content_sha256")
    )


def signed_content_sha256(data: bytes, signature: EmbeddedPdfSignature) -> str:
    """What a signature vouches for, whatever the unsigned bytes around it: the SHA-256 of the byte
    ranges it signs and of the signature itself (its DER, without the padding that fills /Contents).
    Two files that differ only in that padding, or in whitespace after the end of the file, are the
    same signed document."""
    from asn1crypto.cms import ContentInfo

    start, length, start_after, length_after = _byte_range(signature)
    digest = hashlib.sha256(data[start : start + length])
    digest.update(data[start_after : start_after + length_after])
    digest.update(ContentInfo.load(signature.pkcs7_content, strict=False).dump())
    return digest.hexdigest()


def _byte_range(signature: EmbeddedPdfSignature) -> list[int]:
    return [int(number) for number in signature.byte_range]


def signed_content_of(pdf: bytes) -> str:
    """`signed_content_sha256` of the first signature of a file this server signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    return signed_content_sha256(pdf, PdfFileReader(BytesIO(pdf)).embedded_signatures[0])


# What follows runs in the child process.


def _result(
    status: Status,
    detail: str,
    signer: str | None = None,
    signed_at: datetime | None = None,
    content_sha256: str | None = None,
) -> dict:
    return {
        "status": str(status),
        "detail": detail[:500],
        "signer": signer,
        "signed_at": signed_at.isoformat() if signed_at else None,
        "content_sha256": content_sha256,
    }


def _read_signatures(data: bytes) -> list[EmbeddedPdfSignature] | dict:
    """The signatures in signing order, or the result that says why there are none to check."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in data[:1024]:
        return _result(Status.UNREADABLE, "no %PDF- header")
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            return _result(Status.UNREADABLE, "encrypted")
        signatures = list(reader.embedded_signatures)
    # Anything a hostile file makes the parser raise (RecursionError and MemoryError included) means the
    # same: this is not a PDF that can be read within the limits.
    except Exception as exc:
        return _result(Status.UNREADABLE, f"{type(exc).__name__}: {exc}")
    return signatures or _result(Status.UNSIGNED, "no signature")


def _judge(status: PdfSignatureStatus, later_signatures: int, after: bytes) -> tuple[Status, str]:
    """The rules: intact, cryptographically valid, trusted, and covering the whole file (`after`, the
    bytes past the signed ones, may only be whitespace: a transfer that adds a line end changes nothing)."""
    from pyhanko.sign.validation import SignatureCoverageLevel

    if not status.intact:
        return Status.MODIFIED, "digest mismatch: the signed bytes were changed"
    if not status.valid:
        return Status.INVALID_SIGNATURE, "the signature value does not verify"
    if not status.trusted:
        return Status.UNTRUSTED, f"certificate not trusted: {status.trust_problem_indic}"
    whitespace_after = (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and later_signatures == 0
        and not after.strip(b" \t\r\n\f\0")
    )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not whitespace_after:
        return (
            Status.MODIFIED,
            f"{status.coverage.name}: updated after signing ({later_signatures} later signatures)",
        )
    return Status.VALID, status.summary()


def _signed_at(status: PdfSignatureStatus) -> datetime | None:
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.valid and timestamp.trusted:
        return timestamp.timestamp
    return status.signer_reported_dt


def check(data: bytes, trust_roots: Path) -> dict:
    """The verdict on one file, as plain data: what the child prints.

    Only the first signature decides: it is the one over the document as rendered, and anything after
    it, a later signature included, is an update appended after signing, hence "modified".
    """
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signatures = _read_signatures(data)
    if isinstance(signatures, dict):
        return signatures
    roots = list(load_certs_from_pemder([trust_roots]))
    try:
        # No diff analysis: any update after the signature is "modified" whatever it changes.
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=roots), skip_diff=True)
    except Exception as exc:  # a malformed signature dictionary or CMS blob, hostile or broken
        return _result(Status.INVALID_SIGNATURE, f"{type(exc).__name__}: {exc}")
    start, length = _byte_range(signatures[0])[-2:]
    after, later_signatures = data[start + length :], len(signatures) - 1
    verdict, detail = _judge(status, later_signatures, after)
    if verdict == Status.UNTRUSTED and _signed_at(status) is not None:
        # Not trusted now: was it when it signed? A certificate that has expired since was; a
        # certificate that never chained to the trust roots (a forger's) never is.
        then = ValidationContext(trust_roots=roots, moment=_signed_at(status))
        earlier = validate_pdf_signature(signatures[0], then, skip_diff=True)
        if _judge(earlier, later_signatures, after)[0] == Status.VALID:
            status, verdict = earlier, Status.VALID_WHEN_SIGNED
            detail = f"trusted when it signed, at {_signed_at(earlier).isoformat()}, not now"
    content = signed_content_sha256(data, signatures[0])
    chain_trusted = status.validation_path is not None and status.trust_problem_indic is None
    if not chain_trusted:
        signer_name = status.signing_cert.subject.human_friendly
        return _result(verdict, f"{detail}; signer {signer_name!r}", content_sha256=content)
    signer = status.signing_cert.subject.native.get("common_name")
    return _result(verdict, detail, signer, _signed_at(status), content)


def _child_main(argv: list[str]) -> int:
    """`python -m meetings.signing TRUST_ROOTS.pem < file.pdf`: print the verdict as JSON."""
    resource.setrlimit(resource.RLIMIT_AS, (VERIFY_MEMORY_BYTES, VERIFY_MEMORY_BYTES))
    data = sys.stdin.buffer.read(MAX_VERIFY_BYTES + 1)
    try:
        result = check(data, Path(argv[0]))
    except MemoryError:
        result = _result(Status.UNREADABLE, "memory cap reached")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
