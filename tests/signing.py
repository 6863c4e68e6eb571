"""What the signing tests share: the minutes they sign, how they sign them, and the PDF bomb they check."""

import datetime
import functools
import io
import zlib
from concurrent.futures import ThreadPoolExecutor

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from meetings.seal.signing import DEMO_CA_NAME, INSTITUTION_NAME

OPENING = "افتتح السيد الرئيس الجلسة بكلمة رحب فيها بأعضاء المجلس"
SIGN = {"reason": "محضر الدورة الثانية برسم سنة 2025", "location": "الرباط"}


def sign_plainly(pdf: bytes, signer: dict, *, field_name: str) -> bytes:
    """A PAdES B-B signature with the key of `signer` (settings: SIGNING_PKCS12, SIGNING_PASSPHRASE) and no
    timestamp or validation data: what a forger appends with pyHanko in a few lines."""
    key = signers.SimpleSigner.load_pkcs12(
        signer["SIGNING_PKCS12"], passphrase=signer["SIGNING_PASSPHRASE"].encode()
    )
    metadata = signers.PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    with ThreadPoolExecutor(max_workers=1) as thread:  # pyHanko's asyncio.run() wants a thread of its own
        return thread.submit(signers.sign_pdf, writer, metadata, signer=key).result().getvalue()


# Bare certificates, made with `cryptography`, for the tests that need one outside a PKI (a PKCS#12 of
# another kind, a certificate without revocation data).
VALIDITY = datetime.timedelta(days=3652)  # ten years
# RFC 9336 id-kp-documentSigning. E-mail protection is there too because NSS, which poppler's pdfsig
# and many PDF readers use, checks a PDF signer's certificate for the "e-mail signer" usage.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

PrivateKey = rsa.RSAPrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Entraide Nationale"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
        ]
    )


def _builder(subject: x509.Name, issuer: x509.Name, key: PrivateKey) -> x509.CertificateBuilder:
    # A few minutes back, so that a clock a little behind still finds the certificate valid.
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def make_ca(common_name: str = DEMO_CA_NAME) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed CA that may issue end-entity certificates only (path length 0)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        _builder(_name(common_name), _name(common_name), key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signing_certificate(
    ca_key: PrivateKey, ca_cert: x509.Certificate, common_name: str = INSTITUTION_NAME
) -> tuple[PrivateKey, x509.Certificate]:
    """A document-signing certificate: digital signature and non-repudiation, which PAdES validators ask."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        _builder(_name(common_name), ca_cert.subject, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pkcs12_bytes(
    key: PrivateKey, cert: x509.Certificate, chain: list[x509.Certificate], passphrase: str
) -> bytes:
    """The key, its certificate and the chain above it, as the PKCS#12 that sign_pdf loads."""
    return pkcs12.serialize_key_and_certificates(
        name=b"entraide-signing",
        key=key,
        cert=cert,
        cas=chain,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )


@functools.cache
def xref_stream_bomb() -> bytes:
    """A PDF whose cross-reference stream, which any reader must inflate, expands to 1 GiB; packed once for
    the run (packing 1 GiB takes seconds), by the tests of the verify page and of hostile files."""
    packer, chunk = zlib.compressobj(9), bytes(16 * 1024 * 1024)
    bomb = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()  # about 1 MB
    head = (
        b"1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] /Root 1 0 R /Length %d /Filter /FlateDecode >>\nstream\n"
    )
    return b"%PDF-1.7\n" + head % len(bomb) + bomb + b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
