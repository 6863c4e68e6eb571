"""The institution's signature on the minutes (PAdES, pyHanko), and the check of a submitted copy.

`sign_pdf` appends the signature to a rendered PDF/A-3b as an incremental update: the rendered bytes stay
the first bytes of the signed file, untouched, and the PDF/A identification stays. `verify_pdf` tells
whether a file someone submits is a signed copy, unchanged since it was signed.

A submitted file is hostile input. It is checked in a process of its own with a size limit, a memory cap
and a wall-clock timeout, so that a crafted PDF costs a web worker a few seconds at most, never its memory
or its life: a child of a server that imported pyHanko once (meetings.seal.sandbox), which starts a check
in milliseconds where a new interpreter took a third of a second. It reads no settings: the parent hands it
the trust roots' path.

pyHanko is imported where it is used: importing this module stays cheap for the modules that name it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import hashlib
import logging
import re
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .sandbox import Sandbox, SandboxTimeout, serve

if TYPE_CHECKING:
    import aiohttp
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus
    from pyhanko_certvalidator import ValidationContext

T = TypeVar("T")

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

    # Signed by a certificate chaining to SIGNING_TRUST_ROOTS, and nothing changed since: nothing added,
    # or only archival maintenance (validation data in the DSS, document timestamps).
    VALID = "valid"
    MODIFIED = "modified"  # a byte changed inside the signed range, or anything but maintenance appended
    INVALID_SIGNATURE = "invalid_signature"  # the signed bytes match, the signature value does not
    # A sound signature by a certificate that chained to SIGNING_TRUST_ROOTS when it signed, and has
    # expired since (the time is the timestamp's, or the signer's own claim without one).
    VALID_WHEN_SIGNED = "valid_when_signed"
    # A sound signature by a trusted certificate that its CA revoked before the time the signature is
    # proven to exist (its timestamp's), or revoked at all when no timestamp proves that time.
    REVOKED = "revoked"
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
    # The SHA-256 of the signer's certificate (DER), pinned at signature on the stored version.
    signer_sha256: str | None = None
    level: str = ""  # PAdES baseline level: "B-B", "B-T", "B-LT" or "B-LTA"
    proven_at: datetime | None = None  # the time the signature timestamp proves
    # The document timestamps after the signature (archival maintenance): how many, the latest's time.
    archive_timestamps: int = 0
    archived_at: datetime | None = None
    # When the CA says the certificate was revoked (asked online at the check), or None.
    revoked_at: datetime | None = None
    revocation: str = ""  # "good", "revoked", "unknown" (no fresh answer); empty when not asked
    revocation_as_of: datetime | None = None  # the time the answer that says «good» speaks for
    # The persons' signatures under the seal, in signing order (`Signer`).
    signers: tuple[Signer, ...] = ()

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID


@dataclass(frozen=True)
class Signer:
    """A person's signature under the seal, as the check found it. `name` and `certificate_sha256` are
    given only for a certificate that chains to the trust roots; `sound` when the signature is intact,
    valid, by such a certificate, and nothing but signatures and validation data came after it until
    the seal (the content the person signed is the content sealed)."""

    field: str
    sound: bool
    name: str | None = None
    certificate_sha256: str | None = None
    signed_at: datetime | None = None
    proven_at: datetime | None = None
    problem: str = ""
    revocation: str = ""  # as `Verification.revocation`, for this person's certificate

    @classmethod
    def from_check(cls, found: dict) -> Signer:
        times = {key: datetime.fromisoformat(found[key]) if found.get(key) else None for key in _SIGNER_TIMES}
        return cls(**{**found, **times})


_SIGNER_TIMES = ("signed_at", "proven_at")


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


# What one signature needs and the next can reuse (issue 29) is kept for the life of the process, each
# thing keyed on what it is made from: a test that points a setting at another file, or a certificate
# renewed on disk, gets a new one, never a stale one. Each kept thing is either never changed once made
# (the signer, the trust roots) or made to be shared between threads (an SSLContext); what belongs to one
# event loop (an HTTP session) lives as long as one signature (`_authority_session`).


@functools.lru_cache(maxsize=4)
def _opened_pkcs12(data: bytes, passphrase: str) -> SimpleSigner:
    """The seal's key and certificate chain, opened once per process from the bytes of its PKCS#12 and
    kept while the file holds the same bytes: opening checks the RSA key, a third of a second, a third of a
    signature's own work. Keyed on the bytes rather than on the file's modification time, which a file
    rewritten within the same tick of the clock keeps; reading a few kilobytes costs microseconds."""
    # Imported here, as pyHanko is: its signers cost a web process that never signs 0.4 s and 30 MB.
    from .keys import KeptKeySigner

    return KeptKeySigner.from_pkcs12(data, passphrase.encode())


def load_signer() -> SimpleSigner:
    """The institution's key and certificate chain, from SIGNING_PKCS12 opened with SIGNING_PASSPHRASE."""
    path = _configured_file("SIGNING_PKCS12")
    passphrase = settings.SIGNING_PASSPHRASE
    try:
        signer = _opened_pkcs12(path.read_bytes(), passphrase)
    except ValueError as exc:
        raise SigningNotConfigured(
            f"SIGNING_PKCS12={str(path)!r} cannot be opened with SIGNING_PASSPHRASE (wrong passphrase, "
            f"or not a PKCS#12 file with a key and its certificate)."
        ) from exc
    assert signer.signing_cert is not None  # a PKCS#12 opened as a signer holds its certificate
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


# The seal's signature field. The persons' own signatures, before it, are in fields named for their seats
# (meetings.seal.personal): the check tells them from the seal by these names.
SEAL_FIELD = "Seal"
PERSON_FIELDS = {"president": "President", "rapporteur": "Rapporteur"}
_PERSONS = frozenset(PERSON_FIELDS.values())


def sign_pdf(pdf: bytes, *, field_name: str = SEAL_FIELD, reason: str, location: str) -> bytes:
    """Sign a PDF with the institution's certificate at PAdES B-LTA, in one go.

    Signatures already in the file (the president's and the rapporteur's) first get their validation
    data (their certificates' revocation status and their timestamps' chains, fetched now) in the
    document security store, so that the archival timestamp covers them too. The signature carries a
    timestamp of SIGNING_TSA_URL (B-T); the revocation data of the seal's and the timestamp authority's
    certificates, fetched from the OCSP responders and CRLs they name, go in the document security store
    (B-LT); a document timestamp covers it all (B-LTA). The signature field is invisible (the document
    prints its own signature block). The result starts with `pdf`, byte for byte. Raises
    SigningNotConfigured for an unusable key file or no timestamp authority, and OSError (pyHanko's
    TimestampRequestError) or a validation error when the authority or a responder does not answer: a
    signature is never silently downgraded.

    The key, the trust roots and the SSL context are kept from one signature to the next; the requests of
    one signature share one HTTP session (`with_the_authority`).
    """
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    _tsa_url()  # the settings checked before any work
    trust_roots()
    key = load_signer()

    async def sealed(http: aiohttp.ClientSession) -> bytes:
        context = fetching_context(http)
        metadata = PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            use_pades_lta=True,
            embed_validation_info=True,
            validation_context=context,
            reason=reason,
            location=location,
        )
        signer = PdfSigner(
            metadata,
            key,
            timestamper=timestamp_authority(http),
            new_field_spec=SigFieldSpec(field_name, box=None),
        )
        # pyHanko's own incremental update: it keeps the XMP packet's PDF/A identification and adds
        # itself as producer (veraPDF finds the signed file PDF/A-3B:
        # tests/meetings/test_pdfa_conformance.py).
        return await _sealed(pdf, signer, context)

    return with_the_authority(sealed)


async def _sealed(pdf: bytes, signer, context: ValidationContext) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_add_validation_info

    for index in range(len(PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures)):
        # Read again after each update: a signature object belongs to the reader of its file.
        signature = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures[index]
        pdf = (await async_add_validation_info(signature, context, in_place=False)).getvalue()
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return (await signer.async_sign_pdf(writer)).getvalue()


def extend_pdf(signed: bytes) -> bytes:
    """Archival maintenance of a signed file: the validation data of its last document timestamp (the
    authority's certificate chain and revocation status, fetched now) in the DSS, and a new document
    timestamp over it all, by SIGNING_TSA_URL. The result starts with `signed`, byte for byte, and is
    authentic wherever `signed` was: /verify/ finds the same signed content followed by maintenance.
    Raises as `sign_pdf` does when the authority or a responder does not answer."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfTimeStamper
    from pyhanko.sign.validation import async_add_validation_info

    _tsa_url()  # checked before any work

    async def extended(http: aiohttp.ClientSession) -> bytes:
        reader, context = PdfFileReader(BytesIO(signed), strict=False), fetching_context(http)
        stamper = PdfTimeStamper(timestamp_authority(http))
        stamped = await stamper.async_update_archival_timestamp_chain(reader, context, in_place=False)
        # And the new timestamp's own validation data, as a signature at B-LTA ends: the file is complete
        # offline (EU DSS, which fetches nothing, finds it B-LTA).
        new = PdfFileReader(stamped, strict=False).embedded_timestamp_signatures[-1]
        return (await async_add_validation_info(new, context, in_place=False)).getvalue()

    return with_the_authority(extended)


def last_timestamp(signed: bytes) -> tuple[datetime | None, datetime]:
    """The time of a signed file's last document timestamp, and when that timestamp's certificate
    expires: its proof of time must be renewed (`extend_pdf`) before then, while the certificate can
    still be checked. A file without a document timestamp (B-B, B-T) is due at once."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    timestamps = PdfFileReader(BytesIO(signed), strict=False).embedded_timestamp_signatures
    if not timestamps:
        return None, datetime.now(UTC)
    last = timestamps[-1]
    info = last.signed_data["encap_content_info"]["content"].parsed
    return info["gen_time"].native, last.signer_cert.not_valid_after


def _tsa_url() -> str:
    if not settings.SIGNING_TSA_URL:
        raise SigningNotConfigured(
            "SIGNING_TSA_URL is not set: the minutes are signed at PAdES B-LTA, which needs the "
            "accredited provider's timestamp authority (an RFC 3161 URL)."
        )
    return settings.SIGNING_TSA_URL


def timestamp_authority(http: aiohttp.ClientSession | None = None):
    """The client of SIGNING_TSA_URL. Its requests go through `http`, a signature's session
    (`with_the_authority`); without one, through a session pyHanko opens and closes for each request."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(_tsa_url(), timeout=10, session=http)


def trust_roots() -> tuple[x509.Certificate, ...]:
    """The certificates of SIGNING_TRUST_ROOTS."""
    return _read_trust_roots(_configured_file("SIGNING_TRUST_ROOTS").read_bytes())


@functools.lru_cache(maxsize=4)
def _read_trust_roots(data: bytes) -> tuple[x509.Certificate, ...]:
    """Trust roots parsed once per process, kept while their file holds the same bytes (keyed on the
    bytes, as the seal's PKCS#12 is). Kept as well are what the validator works out of them and caches in
    the certificate objects, such as their names prepared for comparison. A tuple: nothing changes them."""
    from pyhanko.keys import load_certs_from_pemder_data

    return tuple(load_certs_from_pemder_data(data))


def fetching_context(http: aiohttp.ClientSession) -> ValidationContext:
    """The trust roots, with revocation data for every certificate on the way fetched now through `http`,
    a signature's session: no answer from a responder, no signature. A context per signature: it gathers
    the answers it fetched, which the next signature must fetch afresh."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    return ValidationContext(
        trust_roots=trust_roots(),
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetcher_backend=AIOHttpFetcherBackend(session=http),
    )


@functools.lru_cache(maxsize=2)
def _ssl_context(cafile: str, modified_ns: int) -> ssl.SSLContext:
    """The SSL context of the requests to the timestamp authority and the responders, made once per
    process: making one reads and parses a whole bundle of CA certificates, 24 ms, and pyHanko made one
    for each HTTP session it opened, four for a seal. Keyed on the bundle's path and modification time.
    One context serves any number of threads and event loops at once."""
    return ssl.create_default_context(cafile=cafile)


@contextlib.asynccontextmanager
async def _authority_session() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session for a signature's requests to the timestamp authority and the responders, on the
    kept SSL context (trusting certifi's bundle, as pyHanko's own sessions do), closed when it ends. Not
    kept longer: a session belongs to the event loop that opened it, and each signature runs a loop of its
    own. Within a signature, a connection the server keeps open serves the next request to it (one TLS
    handshake per host rather than one per request)."""
    import aiohttp
    import certifi

    cafile = certifi.where()
    context = _ssl_context(cafile, Path(cafile).stat().st_mtime_ns)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        yield http


def with_the_authority(work: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
    """`work`, given a session of its own to the authority (`_authority_session`), in an event loop of its
    own in a thread of its own (`in_a_thread`): one loop for the whole signature, so that one session
    serves all its requests."""

    async def run() -> T:
        async with _authority_session() as http:
            return await work(http)

    return in_a_thread(lambda: asyncio.run(run()))


def in_a_thread(function: Callable, *args, **kwargs):
    """pyHanko's synchronous API calls asyncio.run(), which refuses to run in a thread that already runs
    an event loop (an ASGI server's, or Playwright's in the browser tests): a thread of its own has none."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(function, *args, **kwargs).result()


def verify_pdf(data: bytes, *, timeout: float = VERIFY_TIMEOUT_SECONDS) -> Verification:
    """Check a submitted file in a process of its own with a size limit, a memory cap and a timeout.

    Only a missing trust roots file raises (a server fault, not the file's); everything about the file
    itself is a status. With VERIFY_REVOCATION_ONLINE the check asks the CA (OCSP, CRL) whether a trusted
    signer's certificate has been revoked since; the URLs it asks are the CA's own, in a certificate that
    chained to the roots.
    """
    digest = sha256_hex(data)
    if len(data) > MAX_VERIFY_BYTES:
        return Verification(Status.TOO_LARGE, digest, detail=f"{len(data)} bytes > {MAX_VERIFY_BYTES}")
    roots = _configured_file("SIGNING_TRUST_ROOTS")
    header = {"roots": str(roots), "ask_revocation": settings.VERIFY_REVOCATION_ONLINE}
    try:
        found = _CHECKS.ask(header, data, timeout=timeout)
    except SandboxTimeout:
        return Verification(Status.TIMEOUT, digest, detail=f"no answer within {timeout} s")
    if found is None:
        # Killed by the memory cap, or any other death: the file could not be read within the limits.
        return Verification(Status.UNREADABLE, digest, detail="the check ended without an answer")
    status = Status(found["status"])
    # The fields of each kind, as the check sent them.
    times: dict[str, Any] = {
        name: datetime.fromisoformat(found[name]) if found.get(name) else None for name in _TIMES
    }
    return Verification(
        status,
        digest,
        **times,
        **{name: found[name] for name in _FACTS if found.get(name) is not None},
        signers=tuple(Signer.from_check(signer) for signer in found.get("signers", ())),
    )


# The checks' server: this module, run as `python -m meetings.seal.signing SOCKET` (below).
_CHECKS = Sandbox("meetings.seal.signing")


def _check_request(header: dict, data: bytes) -> dict:
    """A check, in its sandboxed child (meetings.seal.sandbox): the verdict of `check`, as a dict."""
    try:
        return check(data, Path(header["roots"]), ask_revocation=header["ask_revocation"])
    except MemoryError:
        return _result(Status.UNREADABLE, "memory cap reached")


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


def persons_signatures(pdf: bytes) -> list[Signer]:
    """The persons' signatures in a file this server keeps (the copy the president and the rapporteur
    signed, before the seal), judged as the check of a submitted copy judges them."""
    return in_a_thread(_persons_signatures, pdf, list(trust_roots()))


def _persons_signatures(pdf: bytes, roots: list) -> list[Signer]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures
    return [Signer.from_check(_plain(_person(pdf, signature, roots))) for signature in signatures]


def seal_of(pdf: bytes) -> tuple[str, str]:
    """Of a file this server sealed: the `signed_content_sha256` of its seal (the signature over the
    rendered minutes and the persons' signatures, before the archival timestamps), and the SHA-256 of the
    seal's certificate."""
    seal = _seal_of(pdf)
    return signed_content_sha256(pdf, seal), seal.signer_cert.sha256.hex()


def _seal_of(pdf: bytes) -> EmbeddedPdfSignature:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signatures = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    return next((s for s in signatures if s.field_name not in _PERSONS), signatures[-1])


# What follows runs in the child process.

WHITESPACE = b" \t\r\n\f\0"
_TIMES = ("signed_at", "proven_at", "archived_at", "revoked_at", "revocation_as_of")
_FACTS = ("signer", "detail", "content_sha256", "signer_sha256", "level", "archive_timestamps", "revocation")


def _result(status: Status, detail: str, **facts) -> dict:
    return {"status": str(status), "detail": detail[:500]} | _plain(facts)


def _plain(facts: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value for name, value in facts.items()
    }


def _read_signatures(data: bytes) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]] | dict:
    """The file and its signatures in signing order, or the result that says why there are none to check."""
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
    if not signatures or signatures[0].sig_object_type != "/Sig":
        return _result(Status.UNSIGNED, "no signature before the first document timestamp")
    return reader, signatures


def _maintenance_policy():
    """pyHanko's default difference policy, less what it allows beyond archival maintenance: changes to
    the document information dictionary (a new title is not maintenance), and to form fields other than
    signature fields. Left: the DSS, document timestamps and their fields, the file's structure
    (cross-reference and object streams), and the XMP packet, which pyHanko's own maintenance updates."""
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DSSCompareRule,
        FormUpdatingRule,
        MetadataUpdateRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        XrefStreamRule,
    )

    archival = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),
            XrefStreamRule().as_qualified(archival),
            ObjectStreamRule().as_qualified(archival),
            DSSCompareRule().as_qualified(archival),
            MetadataUpdateRule().as_qualified(archival),
        ],
        form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
    )


def _person(data: bytes, signature: EmbeddedPdfSignature, roots: list) -> dict:
    """A person's signature under the seal, judged as `Signer` says."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    found: dict[str, Any] = {"field": str(signature.field_name or "")[:50], "sound": False}
    try:
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots), skip_diff=True)
        signed_at = _signed_at(status)
        if status.intact and status.valid and not status.trusted and signed_at is not None:
            status = validate_pdf_signature(
                signature, ValidationContext(trust_roots=roots, moment=signed_at), skip_diff=True
            )
    except Exception as exc:  # a malformed signature dictionary or CMS blob
        return found | {"problem": f"{type(exc).__name__}: {exc}"[:200]}
    if not (status.intact and status.valid):
        return found | {"problem": "the signature does not match the bytes it signs"}
    if not status.trusted:
        return found | {"problem": f"certificate not trusted: {status.trust_problem_indic}"[:200]}
    found |= {
        "name": status.signing_cert.subject.native.get("common_name"),
        "certificate_sha256": status.signing_cert.sha256.hex(),
        "signed_at": _signed_at(status),
        "proven_at": _proven_at(status),
    }
    try:
        # After a person's signature may come other signatures (the other person's, the seal: the form
        # filling level), their validation data and archival maintenance; never a change of the content,
        # of the document information, of the XMP metadata, or of a form field other than a signature's.
        signature.compute_integrity_info(diff_policy=_maintenance_policy())
        result = signature.diff_result
        followed_by_signatures = (
            isinstance(result, DiffResult)
            and result.modification_level <= ModificationLevel.FORM_FILLING
            and _metadata_kept(signature)
        )
    except Exception as exc:
        return found | {"problem": f"{type(exc).__name__}: {exc}"[:200]}
    if not followed_by_signatures:
        return found | {"problem": "the document was changed after this signature"}
    return found | {"sound": True}


def _only_maintenance(
    data: bytes, signature: EmbeddedPdfSignature, later: list[EmbeddedPdfSignature], roots: list
) -> bool:
    """Whether every revision after the signed one is archival maintenance: the later signatures are all
    document timestamps of a trusted authority that hold, each revision is accounted for by its own
    cross-reference, the XMP metadata is the one signed, and the difference analysis finds DSS and
    timestamp updates only."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel

    if any(other.sig_object_type != "/DocTimeStamp" for other in later):
        return False
    if not data.rstrip(WHITESPACE).endswith(b"%%EOF"):
        return False  # bytes past the last revision's end: not a revision, not maintenance
    start, length = _byte_range(signature)[-2:]
    if not _revisions_accounted_for(data, start + length) or not _metadata_kept(signature):
        return False
    if not _timestamps_hold(later, roots):
        return False
    signature.compute_integrity_info(diff_policy=_maintenance_policy())
    result = signature.diff_result
    return isinstance(result, DiffResult) and result.modification_level == ModificationLevel.LTA_UPDATES


# The end of a revision: its cross-reference's offset, then the end-of-file marker.
_REVISION_END = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
# What a cross-reference starts with: a table («xref»), or a stream object («12 0 obj»).
_CROSS_REFERENCE = re.compile(rb"xref|\d+\s+\d+\s+obj")


def _revisions_accounted_for(data: bytes, signed_end: int) -> bool:
    """Whether each revision after the signed one (from `signed_end`) ends with a «startxref» that points
    to a cross-reference inside that revision. A last «startxref» that points back to an earlier one leaves
    the bytes before it out of every revision: a reader never sees them, and up to 20 MB could ride along
    in a file called authentic."""
    revision_start = signed_end
    for end in _REVISION_END.finditer(data, signed_end):
        offset = int(end.group(1))
        if not (revision_start <= offset < end.start() and _CROSS_REFERENCE.match(data, offset)):
            return False
        revision_start = end.end()
    return True


def _metadata_kept(signature: EmbeddedPdfSignature) -> bool:
    """Whether every revision after the signed one keeps the XMP metadata the signature covered: the same
    object, the same fields with the same values, compared field by field (pyHanko writes the packet
    again at each update, not byte for byte), but for the modification date, which its updates set. A new
    title, producer or PDF/A identification, or a new metadata object, is not maintenance (the difference
    analysis lets any XMP update through at the archival level)."""
    from pyhanko.pdf_utils.generic import IndirectObject
    from pyhanko.pdf_utils.metadata import model, xmp_xml
    from pyhanko.pdf_utils.misc import PdfReadError

    reader = signature.reader

    def metadata(revision: int) -> tuple[int, dict] | None:
        root = reader.get_historical_root(revision)
        reference = root.raw_get("/Metadata") if "/Metadata" in root else None
        if not isinstance(reference, IndirectObject):
            return None
        packet = reader.get_object(reference.reference, revision=revision).data
        fields = {
            name: value for description in xmp_xml.parse_xmp(BytesIO(packet)) for name, value in description
        }
        fields.pop(model.XMP_MODDATE, None)
        return reference.idnum, fields

    try:
        signed = metadata(signature.signed_revision)
        return all(
            metadata(revision) == signed
            for revision in range(signature.signed_revision + 1, reader.xrefs.total_revisions)
        )
    except (KeyError, ValueError, AttributeError, PdfReadError):  # pyHanko's XMP errors are ValueErrors
        return False


def _timestamps_hold(later: list[EmbeddedPdfSignature], roots: list) -> bool:
    """Whether each document timestamp after the signature is intact, valid, covers everything before it
    and was made by an authority that chains to the trust roots: trusted now, or when it stamped (an
    authority's certificate expires along an archive's chain of timestamps; a forger's never chains)."""
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    covering = (SignatureCoverageLevel.ENTIRE_REVISION, SignatureCoverageLevel.ENTIRE_FILE)
    for timestamp in later:
        try:
            status = validate_pdf_timestamp(timestamp, ValidationContext(trust_roots=roots), skip_diff=True)
            if status.intact and status.valid and not status.trusted:
                then = ValidationContext(trust_roots=roots, moment=status.timestamp)
                status = validate_pdf_timestamp(timestamp, then, skip_diff=True)
        except Exception:  # a malformed timestamp token proves nothing
            return False
        if not (status.intact and status.valid and status.trusted and status.coverage in covering):
            return False
    return True


def _judge_signature(
    status: PdfSignatureStatus, after: bytes, maintained: Callable[[], bool]
) -> tuple[Status, str]:
    """The rules: intact, cryptographically valid, trusted, and covering the whole file, give or take
    whitespace past its end (`after`, the bytes past the signed ones: a transfer that adds a line end
    changes nothing) or archival maintenance (`maintained`, asked only when there is more)."""
    from pyhanko.sign.validation import SignatureCoverageLevel

    if not status.intact:
        return Status.MODIFIED, "digest mismatch: the signed bytes were changed"
    if not status.valid:
        return Status.INVALID_SIGNATURE, "the signature value does not verify"
    if not status.trusted:
        return Status.UNTRUSTED, f"certificate not trusted: {status.trust_problem_indic}"
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return Status.VALID, status.summary()
    only_whitespace_after = not after.strip(WHITESPACE)
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and (only_whitespace_after or maintained()):
        return Status.VALID, f"{status.summary()}, followed by archival maintenance at most"
    coverage = status.coverage.name if status.coverage is not None else "coverage unknown"
    return Status.MODIFIED, f"{coverage}: updated after signing"


def _signed_at(status: PdfSignatureStatus) -> datetime | None:
    return _proven_at(status) or status.signer_reported_dt


def _proven_at(status: PdfSignatureStatus) -> datetime | None:
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted:
        return timestamp.timestamp
    return None


def _archive_timestamps(later: list[EmbeddedPdfSignature], context: ValidationContext) -> list[datetime]:
    """The times of the document timestamps after the signature that a trusted authority made."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    times = []
    for timestamp in later:
        try:
            found = validate_pdf_timestamp(timestamp, validation_context=context, skip_diff=True)
        except Exception:  # a malformed timestamp proves nothing; the content's verdict stands
            continue
        if found.intact and found.valid and found.trusted:
            times.append(found.timestamp)
    return times


def _level(status: PdfSignatureStatus, reader: PdfFileReader, archived: list[datetime]) -> str:
    """The PAdES baseline level (ETSI EN 319 142-1) this file reaches."""
    if _proven_at(status) is None:
        return "B-B"
    store = reader.root.get("/DSS")
    store = store.get_object() if store is not None else {}
    if not (store.get("/OCSPs") or store.get("/CRLs")):
        return "B-T"
    return "B-LTA" if archived else "B-LT"


def _revocation(signature: EmbeddedPdfSignature, roots: list) -> dict:
    """What the CA says now of the signer's certificate, asked online: «good» only from an answer fresh at
    the time of the check (an OCSP response, or a CRL within its validity: what pyHanko's validator takes
    in hard-fail mode) and never from the validation data in the file, with the time that answer speaks
    for (`revocation_as_of`); «unknown» when no such answer came."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import RevokedError
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    fetching = AIOHttpFetcherBackend(per_request_timeout=5)
    context = ValidationContext(
        trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail", fetcher_backend=fetching
    )
    validator = CertificateValidator(
        signature.signer_cert, intermediate_certs=signature.other_embedded_certs, validation_context=context
    )

    async def asked() -> None:
        try:
            await validator.async_validate_path()
        finally:
            await fetching.close()  # a backend given to the context is the giver's to close

    try:
        asyncio.run(asked())
    except RevokedError as revoked:
        return {"revocation": "revoked", "revoked_at": revoked.revocation_dt}
    except Exception:  # no answer, or an answer that says nothing: not known now
        return {"revocation": "unknown"}
    return {"revocation": "good", "revocation_as_of": _answered_as_of(context, signature.signer_cert)}


def _answered_as_of(context: ValidationContext, certificate) -> datetime | None:
    """The time the freshest answer about `certificate` speaks for: its OCSP response's, else the CRL's."""
    serial = certificate.serial_number
    ocsp = [
        single["this_update"].native
        for response in context.ocsps
        for single in response.basic_ocsp_response["tbs_response_data"]["responses"]
        if single["cert_id"]["serial_number"].native == serial
    ]
    crls = [crl["tbs_cert_list"]["this_update"].native for crl in context.crls]
    return max(ocsp or crls, default=None)


def check(data: bytes, trust_roots: Path, *, ask_revocation: bool = False) -> dict:
    """The verdict on one file, as plain data: what the child prints.

    The seal decides whether the file is unchanged: it is the last signature, over the document as
    rendered and the persons' signatures on it. After it may come archival maintenance (validation data,
    document timestamps); anything else, another signature included, is an update appended after the
    seal, hence "modified". The persons' signatures under it are each judged (`_person`) and listed in
    `signers`, for the caller, who knows who held which seat, to name them.
    """
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    found = _read_signatures(data)
    if isinstance(found, dict):
        return found
    reader, signatures = found
    # The seal is the first signature in a field that is not a person's; the persons' come before it.
    # Whatever signature comes after the seal is appended after it (not maintenance: "modified").
    regular = [i for i, s in enumerate(signatures) if s.sig_object_type == "/Sig"]
    seal_index = next((i for i in regular if signatures[i].field_name not in _PERSONS), regular[-1])
    signature, later = signatures[seal_index], signatures[seal_index + 1 :]
    persons = [s for s in signatures[:seal_index] if s.sig_object_type == "/Sig"]
    roots = list(load_certs_from_pemder([trust_roots]))
    try:
        # The difference analysis runs only if there is more than whitespace after the signed revision.
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots), skip_diff=True)
    except Exception as exc:  # a malformed signature dictionary or CMS blob, hostile or broken
        return _result(Status.INVALID_SIGNATURE, f"{type(exc).__name__}: {exc}")
    start, length = _byte_range(signature)[-2:]
    after = data[start + length :]
    verdict, detail = _judge_signature(
        status, after, lambda: _only_maintenance(data, signature, later, roots)
    )
    signed_at = _signed_at(status)
    if verdict == Status.UNTRUSTED and signed_at is not None:
        # Not trusted now: was it when it signed? A certificate that has expired since was; a
        # certificate that never chained to the trust roots (a forger's) never is.
        then = ValidationContext(trust_roots=roots, moment=signed_at)
        earlier = validate_pdf_signature(signature, then, skip_diff=True)
        if (
            _judge_signature(earlier, after, lambda: _only_maintenance(data, signature, later, roots))[0]
            == Status.VALID
        ):
            status, verdict = earlier, Status.VALID_WHEN_SIGNED
            detail = f"trusted when it signed, at {(_signed_at(earlier) or signed_at).isoformat()}, not now"
    facts: dict[str, Any] = {"content_sha256": signed_content_sha256(data, signature)}
    chain_trusted = status.validation_path is not None and status.trust_problem_indic is None
    if not chain_trusted:
        return _result(verdict, f"{detail}; signer {status.signing_cert.subject.human_friendly!r}", **facts)
    archived = _archive_timestamps(later, ValidationContext(trust_roots=roots))
    facts |= {
        "signer": status.signing_cert.subject.native.get("common_name"),
        "signer_sha256": status.signing_cert.sha256.hex(),
        "signed_at": _signed_at(status),
        "proven_at": _proven_at(status),
        "level": _level(status, reader, archived),
        "archive_timestamps": len(later),
        "archived_at": max(archived, default=None),
    }
    signers = [_person(data, person, roots) for person in persons]
    if ask_revocation and verdict == Status.VALID:
        facts |= _revocation(signature, roots)
        revoked_at, proven_at = facts.get("revoked_at"), facts["proven_at"]
        if revoked_at is not None and (proven_at is None or revoked_at <= proven_at):
            verdict, detail = Status.REVOKED, f"revoked at {revoked_at.isoformat()}, proven at {proven_at}"
        for person, found in zip(persons, signers, strict=True):
            if found["sound"]:
                facts = _persons_revocation(person, found, roots, facts)
    facts["signers"] = [_plain(found) for found in signers]
    return _result(verdict, detail, **facts)


def _persons_revocation(person: EmbeddedPdfSignature, found: dict, roots: list, facts: dict) -> dict:
    """A person's certificate asked about as the seal's: revoked before the time their signature is
    proven, the signature no longer holds; no fresh answer, and the file's revocation is not known."""
    answer = _revocation(person, roots)
    found["revocation"] = answer["revocation"]
    revoked_at = answer.get("revoked_at")
    if revoked_at is not None and (found["proven_at"] is None or revoked_at <= found["proven_at"]):
        found |= {"sound": False, "problem": f"certificate revoked at {revoked_at.isoformat()}"}
    elif answer["revocation"] == "unknown" and facts.get("revocation") == "good":
        facts = facts | {"revocation": "unknown", "revocation_as_of": None}
    elif answer["revocation"] == "good" and facts.get("revocation_as_of") and answer["revocation_as_of"]:
        facts = facts | {"revocation_as_of": min(facts["revocation_as_of"], answer["revocation_as_of"])}
    return facts


if __name__ == "__main__":
    from pyhanko.sign import validation  # noqa: F401 (imported once by the server, before its children fork)

    # What pyHanko says of a file that does not check out (an unknown signer's path…) is the verdict's
    # business, not the server log's; its errors still go to the log.
    logging.basicConfig(level=logging.ERROR)
    serve(sys.argv[1], _check_request, memory_bytes=VERIFY_MEMORY_BYTES)
