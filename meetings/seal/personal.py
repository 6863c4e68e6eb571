"""A person's own signature on the minutes: the president's or the rapporteur's, made by the remote
signing service that holds their key (the Cloud Signature Consortium API v1, through pyHanko's CSC signer).

The key never leaves the service, and the service signs only after it has authenticated the person: here
with the PIN the person chose at the service (CSC's «explicit» authorization, bound to the hash being
signed). The app passes the PIN through once and keeps nothing of it; an account of the secretariat, even
holding the person's password of this app, has neither the PIN nor the key. In production the service is
the accredited provider's (SIGNING_SERVICE_URL); in the demo and the tests, meetings.seal.signing_service.

The signature is PAdES, appended as an incremental update in a signature field named for the seat
(`FIELDS`), with a timestamp of SIGNING_TSA_URL (B-T): the certificates' revocation data, the seal and the
archival timestamp then go on top of it (meetings.seal.signing.sign_pdf).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from .signing import (
    PERSON_FIELDS,
    Signer,
    SigningNotConfigured,
    in_a_thread,
    persons_signatures,
    timestamp_authority,
)

if TYPE_CHECKING:
    from asn1crypto import x509

# The signature field of each seat: the field's name says whose signature it holds, and the verifier
# (meetings.seal.signing.check) reads the seat from it.
FIELDS = PERSON_FIELDS
SEATS = {field: seat for seat, field in FIELDS.items()}
# A member's answer to a written consultation, signed on a page of its own (meetings.convocation.written).
ANSWER = "answer"
ANSWER_FIELD = "Answer"

SERVICE_TIMEOUT_SECONDS = 30


class SignatureRefused(Exception):
    """The signing service did not sign: a wrong PIN, a locked or unknown credential, a certificate that
    is not the person's, or no answer. The message is for the person who tried, in their language."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class PersonalSignature:
    pdf: bytes  # the file given, byte for byte, followed by the signature and its validation data
    signer: str  # the certificate's common name
    certificate_sha256: str
    signed_at: datetime  # the time the signature's timestamp proves


def same_name(certified: str | None, recorded: str) -> bool:
    """Whether a certificate's name is the one the record holds: the same letters, whatever the Unicode
    form, the spacing and any bidi control characters."""
    if not certified:
        return False
    return _comparable(certified) == _comparable(recorded)


_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _comparable(name: str) -> str:
    return " ".join(_BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", name)).split())


def personal_signatures(pdf: bytes) -> dict[str, Signer]:
    """The sound signatures of the persons in a file, by seat (the field each is in)."""
    return {
        SEATS[signer.field]: signer
        for signer in persons_signatures(pdf)
        if signer.sound and signer.field in SEATS
    }


def sign_as_person(
    pdf: bytes, *, seat: str, credential_id: str, pin: str, name: str, reason: str, location: str
) -> PersonalSignature:
    """`pdf` signed in the field of `seat` (or of a member's written answer, ANSWER) with the credential `credential_id` of the signing service,
    authorized by the person's `pin`. The certificate must be the person's: named `name` (as the record
    names them), chaining to SIGNING_TRUST_ROOTS; otherwise nothing is signed. Raises SignatureRefused
    with a message for the person; SigningNotConfigured when no service is set."""
    if not settings.SIGNING_SERVICE_URL:
        raise SigningNotConfigured(
            "SIGNING_SERVICE_URL is not set: the president and the rapporteur sign the minutes through the "
            "accredited provider's remote signing service (the CSC API)."
        )
    if not credential_id:
        raise SignatureRefused(
            _("The secretariat has not yet recorded your credential at the signing service."),
            code="credential",
        )
    field = ANSWER_FIELD if seat == ANSWER else FIELDS[seat]
    return in_a_thread(_sign, pdf, field, credential_id, pin, name, reason, location)


def _sign(pdf: bytes, field: str, credential_id: str, pin: str, name: str, reason: str, location: str):
    import asyncio

    return asyncio.run(_signed(pdf, field, credential_id, pin, name, reason, location))


async def _signed(
    pdf: bytes, field: str, credential_id: str, pin: str, name: str, reason: str, location: str
) -> PersonalSignature:
    import aiohttp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.signers.csc_signer import (
        CSCServiceSessionInfo,
        CSCSigner,
        fetch_certs_in_csc_credential,
    )

    service = CSCServiceSessionInfo(settings.SIGNING_SERVICE_URL.rstrip("/"), credential_id)
    timeout = aiohttp.ClientTimeout(total=SERVICE_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            credential = await fetch_certs_in_csc_credential(http, service, timeout=SERVICE_TIMEOUT_SECONDS)
        except SigningError as exc:
            raise _unavailable() from exc
        certificate = credential.signing_cert
        if not same_name(_common_name(certificate), name):
            raise SignatureRefused(
                _("The certificate of this credential is not in your name: nothing was signed."), code="name"
            )
        authorization = _pin_authorization()(service, credential, pin, http)
        # B-T: the certificates' revocation data go in with the seal, for every signature at once
        # (meetings.seal.signing.sign_pdf), and the archival timestamp over them.
        metadata = PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        signer = PdfSigner(
            metadata,
            CSCSigner(http, authorization, sign_timeout=SERVICE_TIMEOUT_SECONDS),
            timestamper=timestamp_authority(),
            new_field_spec=SigFieldSpec(field, box=None),
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        try:
            signed = (await signer.async_sign_pdf(writer)).getvalue()
        except SigningError as exc:
            if authorization.refusal is not None:
                raise authorization.refusal from exc
            raise _unavailable() from exc
    return PersonalSignature(
        pdf=signed,
        signer=_common_name(certificate) or "",
        certificate_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
        signed_at=_timestamp_of(signed, field),
    )


def _unavailable() -> SignatureRefused:
    return SignatureRefused(
        _("The signing service does not answer: nothing was signed. Try again in a few minutes."),
        code="unavailable",
    )


def _common_name(certificate: x509.Certificate) -> str | None:
    return certificate.subject.native.get("common_name")


def _timestamp_of(signed: bytes, field: str) -> datetime:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = next(
        s for s in PdfFileReader(BytesIO(signed), strict=False).embedded_signatures if s.field_name == field
    )
    token = signature.signed_data["signer_infos"][0]["unsigned_attrs"]
    for attribute in token:
        if attribute["type"].native == "signature_time_stamp_token":
            info = attribute["values"][0]["content"]["encap_content_info"]["content"].parsed
            return info["gen_time"].native
    raise SignatureRefused(
        _("The signature came back without its timestamp: nothing was kept."), code="timestamp"
    )


@functools.cache
def _pin_authorization():
    """pyHanko's CSCAuthorizationManager with the person's PIN, made where first used: pyHanko's signers
    cost a web process that never signs 0.4 s and 30 MB to import."""
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers.csc_signer import CSCAuthorizationInfo, CSCAuthorizationManager

    class PinAuthorization(CSCAuthorizationManager):
        """credentials/authorize with the person's PIN, for the hashes about to be signed (SCAL 2). The
        service's refusal is kept (`refusal`): pyHanko's signer logs it and raises a generic error."""

        def __init__(self, service, credential, pin: str, http) -> None:
            super().__init__(service, credential)
            self.pin, self.http = pin, http
            self.refusal: SignatureRefused | None = None

        async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
            request = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
            url = self.csc_session_info.endpoint_url("credentials/authorize")
            async with self.http.post(url, headers=self.auth_headers, json=request) as response:
                answer = await response.json(content_type=None) if response.status != 204 else {}
                if response.status != 200:
                    self.refusal = _refusal(response.status, answer if isinstance(answer, dict) else {})
                    raise SigningError(f"credentials/authorize: HTTP {response.status} {answer}")
            return self.parse_csc_auth_response(answer)

    return PinAuthorization


def _refusal(status: int, answer: dict) -> SignatureRefused:
    """The service's refusal (CSC's error shape: «error», «error_description»), for the person."""
    description = str(answer.get("error_description", "")).lower()
    if "locked" in description:
        return SignatureRefused(
            _(
                "The signing service has locked your credential after too many wrong PINs: nothing was signed. "
                "Your provider unlocks it."
            ),
            code="locked",
        )
    if "pin" in description:
        return SignatureRefused(_("The signing service refused the PIN: nothing was signed."), code="pin")
    if status == 404:
        return SignatureRefused(_("The signing service does not know this credential."), code="credential")
    return _unavailable()
