"""The demo public-key infrastructure: what an accredited provider gives the institution in production.

Certomancer (by pyHanko's author) defines it and answers for it over HTTP, as a provider's services do:
- a root, the demo CA (the trust anchor of the demo's signatures and of /verify/);
- the institution's seal certificate, whose CRL distribution point and OCSP responder (its AIA) point
  at the responder, so that it can be revoked;
- a timestamp authority (RFC 3161), its certificate revocable in the same way;
- a delegated OCSP responder's certificate (id-pkix-ocsp-nocheck), and the root's CRL.

`init_signing` makes the keys (each installation its own) and writes the configuration beside the
PKCS#12 that `sign_pdf` loads, with the responder's address baked into the certificates
(SIGNING_DEMO_PKI_URL). `serve_demo_pki` (started by `make run`) and the tests serve `responder`, which
reads the configuration again when it changes: revoking a certificate is an edit of that file, as it is
an entry in a real CA's database.
"""

from __future__ import annotations

import datetime
import os
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import yaml
from asn1crypto import pem
from certomancer import crypto_utils
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from .keys import KeptKeyBackend
from .signing import DEMO_CA_NAME, INSTITUTION_NAME

# Certomancer's backend is a module global, read at every use: this one reads each key once per process.
crypto_utils.CRYPTO_BACKEND = KeptKeyBackend()

ARCH = "entraide"
TSA_PATH = f"/{ARCH}/tsa/tsa"
# The same authority once it has renewed its certificate (the same key, ten years more): its timestamps
# outlast the first certificate's, as a renewal's must (tests/meetings/test_archive.py).
RENEWED_TSA_PATH = f"/{ARCH}/tsa/tsa-renewed"
CRL_PATH = f"/{ARCH}/crls/root/latest.crl"
CONFIG_FILE = "certomancer.yml"
KEY_SIZE = 3072
ROOT_VALIDITY = datetime.timedelta(days=25 * 365)
# The seal certificate and the timestamp authority's expire long before the root, as real ones do: the
# signatures outlive them through their timestamps and the validation data kept in the file (B-LTA).
SEAL_VALIDITY = datetime.timedelta(days=5 * 365)
TSA_VALIDITY = datetime.timedelta(days=10 * 365)
ENTITY_NAMES = {
    "root": DEMO_CA_NAME,
    "institution": INSTITUTION_NAME,
    "tsa": "Entraide Nationale — horodatage de démonstration",
    "ocsp": "Entraide Nationale — OCSP de démonstration",
}


def folder() -> Path:
    """Where the demo PKI's keys and configuration live: beside the PKCS#12 it made."""
    return Path(settings.SIGNING_PKCS12).parent / "demo-pki"


def _key_usage(*usages: str) -> dict:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocable() -> list[dict]:
    """Where a validator finds the certificate's revocation status (CRL, OCSP) and its issuer (EU DSS
    warns of a certificate whose AIA names no issuer)."""
    access = {"ocsp-responder-names": ["root"], "ca-issuer-links": [{"repo": "root"}]}
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": access},
        },
    ]


def _validity(start: datetime.datetime, length: datetime.timedelta) -> dict:
    return {"valid-from": start.isoformat(), "valid-to": (start + length).isoformat()}


def configuration(url: str, passphrase: str, start: datetime.datetime, names: dict[str, str]) -> dict:
    """Certomancer's configuration of the demo PKI (its YAML file, as a dict)."""
    keys = {label: {"path": f"{label}.key.pem", "password": passphrase} for label in names}
    certificate_signing = [
        _key_usage("key_cert_sign", "crl_sign"),
        {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
    ]
    stamping = [
        _key_usage("digital_signature"),
        {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
        *_revocable(),
    ]
    return {
        "external-url-prefix": url.rstrip("/"),
        "keysets": {ARCH: {"keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "MA", "organization-name": "Entraide Nationale"},
                "entities": {label: {"common-name": name} for label, name in names.items()},
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": _validity(start, ROOT_VALIDITY),
                        "extensions": certificate_signing,
                    },
                    "institution": {
                        "issuer": "root",
                        "validity": _validity(start, SEAL_VALIDITY),
                        "extensions": [
                            _key_usage("digital_signature", "non_repudiation"),
                            # RFC 9336 documentSigning, and e-mail protection, which NSS (poppler's
                            # pdfsig, many PDF readers) asks of a PDF signer's certificate.
                            {"id": "extended_key_usage", "value": ["1.3.6.1.5.5.7.3.36", "email_protection"]},
                            *_revocable(),
                        ],
                    },
                    "tsa": {
                        "issuer": "root",
                        "validity": _validity(start, TSA_VALIDITY),
                        "extensions": stamping,
                    },
                    "tsa-renewed": {
                        "subject": "tsa",
                        "issuer": "root",
                        "validity": _validity(start, 2 * TSA_VALIDITY),
                        "extensions": stamping,
                    },
                    "ocsp": {
                        "issuer": "root",
                        "validity": _validity(start, TSA_VALIDITY),
                        "extensions": [
                            _key_usage("digital_signature"),
                            {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                            {"id": "ocsp_no_check"},
                        ],
                    },
                },
                "services": {
                    "ocsp": {"root": {"for-issuer": "root", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P1D",
                        }
                    },
                    "time-stamping": {
                        "tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
                        "tsa-renewed": {"signing-key": "tsa", "signing-cert": "tsa-renewed"},
                    },
                    "cert-repo": {"root": {"for-issuer": "root", "publish-issued-certs": False}},
                },
            }
        },
    }


def install(p12_path: Path, ca_path: Path, *, url: str, passphrase: str, ca_name: str = DEMO_CA_NAME):
    """A new demo PKI beside `p12_path`: the seal's key and chain there (PKCS#12, under `passphrase`),
    the root at `ca_path` (PEM). Another `ca_name` makes a look-alike, as a forger would."""
    pki = make(
        p12_path.parent / "demo-pki", url=url, passphrase=passphrase, names=ENTITY_NAMES | {"root": ca_name}
    )
    _write(p12_path, pki.package_pkcs12(CertLabel("institution"), password=passphrase.encode()), 0o600)
    _write(ca_path, pem.armor("CERTIFICATE", pki.get_cert(CertLabel("root")).dump()), 0o644)
    return pki


def make(where: Path, *, url: str, passphrase: str, names: dict[str, str] = ENTITY_NAMES) -> PKIArchitecture:
    """New keys and the configuration under `where`; the architecture they define."""
    where.mkdir(parents=True, exist_ok=True)
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    for label in names:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        _write(where / f"{label}.key.pem", key_pem, 0o600)
    # A few minutes back, so that a clock a little behind still finds the certificates valid.
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=5)
    write_configuration(where, configuration(url, passphrase, start, names))
    return architecture(where)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.chmod(path, mode)  # an existing file keeps its old mode through os.open


def read_configuration(where: Path) -> dict:
    return yaml.safe_load((where / CONFIG_FILE).read_text())


def write_configuration(where: Path, config: dict) -> None:
    _write(where / CONFIG_FILE, yaml.safe_dump(config, allow_unicode=True).encode(), 0o600)


def architecture(where: Path) -> PKIArchitecture:
    config = CertomancerConfig(read_configuration(where), key_search_dir=str(where))
    return config.get_pki_arch(ArchLabel(ARCH))


def revoke(where: Path, label: str, since: datetime.datetime, reason: str = "key_compromise") -> None:
    """Revoke one of the demo PKI's certificates from `since` on: its OCSP answers and CRL say so."""
    config = read_configuration(where)
    certificate = config["pki-architectures"][ARCH]["certs"][label]
    certificate["revocation"] = {"revoked-since": since.isoformat(), "reason": reason}
    write_configuration(where, config)


class Responder:
    """The demo PKI's OCSP responder, CRL repository and timestamp authority, as a WSGI application.

    It answers for the PKI of the current settings, read again whenever its configuration file changes.
    Certomancer's web interface (which offers every key for download) and its fake-time header are off.
    """

    def __init__(self) -> None:
        # Per folder, the configuration's version and its animator (loading one takes most of a second).
        self._loaded: dict[Path, tuple[int, Animator]] = {}
        # One answer at a time: Certomancer's objects (asn1crypto's, parsed lazily) are shared between
        # requests and not safe across threads; under two workers' signatures at once a timestamp came out
        # truncated. An answer takes milliseconds.
        self._one_at_a_time = threading.Lock()

    def _animator(self) -> Animator:
        where = folder()
        version = (where / CONFIG_FILE).stat().st_mtime_ns
        if self._loaded.get(where, (None,))[0] != version:
            store = AnimatorArchStore({ArchLabel(ARCH): architecture(where)})
            self._loaded[where] = version, Animator(store, with_web_ui=False, allow_time_override=False)
        return self._loaded[where][1]

    def __call__(self, environ, start_response):
        with self._one_at_a_time:
            return [b"".join(self._animator()(environ, start_response))]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def server(host: str, port: int, *, quiet: bool = False) -> WSGIServer:
    """The responder behind the standard library's WSGI server (a thread per request), not yet serving."""
    handler = _QuietHandler if quiet else WSGIRequestHandler
    return make_server(host, port, Responder(), server_class=_ThreadingServer, handler_class=handler)
