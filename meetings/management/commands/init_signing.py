"""Make a demo signing certificate, so that a developer's machine signs minutes as production does.

Production uses the institution's own PKCS#12 (SIGNING_PKCS12, SIGNING_PASSPHRASE) and the CA that
issued it (SIGNING_TRUST_ROOTS). On a developer's machine and in tests this command makes both: a
self-signed demo CA, and an institution certificate issued by it, written where those settings point.
Running it twice leaves the files as they are; it never replaces a file it did not make without --force.
"""

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.management.demo import refuse_outside_a_demo
from meetings.signing import DEMO_CA_NAME, INSTITUTION_NAME

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


def _common_name(name: x509.Name) -> str:
    attributes = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attributes[0].value) if attributes else ""


def is_demo_pkcs12(path: Path, passphrase: str) -> bool:
    """Whether a PKCS#12 holds a certificate issued by the demo CA (one that this command made)."""
    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode())
    except ValueError:
        return False
    return cert is not None and _common_name(cert.issuer) == DEMO_CA_NAME


def is_demo_ca(path: Path) -> bool:
    """Whether a PEM file holds the demo CA certificate and nothing else."""
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except ValueError:
        return False
    return all(_common_name(cert.subject) == DEMO_CA_NAME for cert in certs)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.chmod(path, mode)  # an existing file keeps its old mode through os.open


class Command(BaseCommand):
    help = "Make a demo CA and an institution signing certificate at SIGNING_PKCS12 and SIGNING_TRUST_ROOTS."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace existing files, even non-demo ones")

    def handle(self, *args, force: bool = False, **options):
        refuse_outside_a_demo("The demo certificate authority")
        p12_path, ca_path = Path(settings.SIGNING_PKCS12), Path(settings.SIGNING_TRUST_ROOTS)
        if not force:
            self._refuse_foreign_files(p12_path, ca_path)
            if p12_path.exists() and ca_path.exists():
                self.stdout.write(f"Signing files already there, nothing done: {p12_path}, {ca_path}")
                return
        ca_key, ca_cert = make_ca()
        key, cert = make_signing_certificate(ca_key, ca_cert)
        _write(p12_path, pkcs12_bytes(key, cert, [ca_cert], settings.SIGNING_PASSPHRASE), 0o600)
        _write(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        self.stdout.write(
            f"Demo CA «{DEMO_CA_NAME}», valid until {ca_cert.not_valid_after_utc:%Y-%m-%d}: {ca_path}\n"
            f"Signing certificate «{INSTITUTION_NAME}» issued by it, with its key and the chain: {p12_path}"
        )

    def _refuse_foreign_files(self, p12_path: Path, ca_path: Path) -> None:
        """Stop before replacing a file this command did not make, such as the institution's own."""
        if p12_path.exists() and not is_demo_pkcs12(p12_path, settings.SIGNING_PASSPHRASE):
            raise CommandError(
                f"{p12_path} (SIGNING_PKCS12) is not a demo certificate that SIGNING_PASSPHRASE opens: "
                "left alone (--force replaces it)."
            )
        if ca_path.exists() and not is_demo_ca(ca_path):
            raise CommandError(
                f"{ca_path} (SIGNING_TRUST_ROOTS) is not the demo CA: left alone (--force replaces it)."
            )
