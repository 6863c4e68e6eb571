"""Make a demo PKI, so that a developer's machine signs minutes as production does (PAdES B-LTA).

Production uses the institution's own PKCS#12 (SIGNING_PKCS12, SIGNING_PASSPHRASE), the CA that issued
it (SIGNING_TRUST_ROOTS) and a timestamp authority (SIGNING_TSA_URL). On a developer's machine and in
tests this command makes their like (meetings.seal.demo_pki): a demo CA, the institution's seal certificate
issued by it, a timestamp authority and an OCSP responder, which `serve_demo_pki` answers for, and the
approvers' personal certificates with the PINs of the demo signing service (meetings.seal.signing_service).
Running it twice leaves the files as they are; it never replaces a file it did not make without --force.
"""

from pathlib import Path

from certomancer.registry import CertLabel
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.management.demo import refuse_outside_a_demo
from meetings.seal import demo_pki
from meetings.seal.signing import DEMO_CA_NAME, INSTITUTION_NAME


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


class Command(BaseCommand):
    help = (
        "Make a demo PKI (CA, seal certificate, timestamp authority, OCSP responder, the approvers' "
        "certificates and their signing PINs) and write the seal's PKCS#12 at SIGNING_PKCS12 and the CA at "
        "SIGNING_TRUST_ROOTS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace existing files, even non-demo ones")

    def handle(self, *args, force: bool = False, **options):
        refuse_outside_a_demo("The demo certificate authority")
        p12_path, ca_path = Path(settings.SIGNING_PKCS12), Path(settings.SIGNING_TRUST_ROOTS)
        if not force:
            self._refuse_foreign_files(p12_path, ca_path)
            # Files of an earlier release's demo (a CA without revocation services, or without the
            # approvers' certificates and the signing service's PINs) are made again.
            made = [demo_pki.folder() / demo_pki.CONFIG_FILE, demo_pki.folder() / demo_pki.PIN_FILE]
            if p12_path.exists() and ca_path.exists() and all(path.exists() for path in made):
                self.stdout.write(f"Signing files already there, nothing done: {p12_path}, {ca_path}")
                return
        url = settings.SIGNING_DEMO_PKI_URL
        pki = demo_pki.install(p12_path, ca_path, url=url, passphrase=settings.SIGNING_PASSPHRASE)
        root = pki.get_cert(CertLabel("root"))
        self.stdout.write(
            f"Demo CA «{DEMO_CA_NAME}», valid until {root.not_valid_after:%Y-%m-%d}: {ca_path}\n"
            f"Seal certificate «{INSTITUTION_NAME}» issued by it, with its key and the chain: {p12_path}\n"
            f"Its timestamp authority, OCSP responder and CRL at {url} (`manage.py serve_demo_pki`; "
            f"make run starts it).\n"
            f"The approvers' personal certificates, at the demo signing service ({settings.SIGNING_SERVICE_URL}, "
            f"served with them), each behind its demo PIN: "
            + ", ".join(
                f"{demo_pki.credential_id(label)} {person.pin}" for label, person in demo_pki.PERSONS.items()
            )
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
