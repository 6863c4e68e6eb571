"""The demo public-key infrastructure: what an accredited provider gives the institution in production.

Certomancer (by pyHanko's author) defines it and answers for it over HTTP, as a provider's services do:
- a root, the demo CA (the trust anchor of the demo's signatures and of /verify/);
- the institution's seal certificate, whose CRL distribution point and OCSP responder (its AIA) point
  at the responder, so that it can be revoked;
- a timestamp authority (RFC 3161), its certificate revocable in the same way;
- a delegated OCSP responder's certificate (id-pkix-ocsp-nocheck), and the root's CRL;
- a personal certificate for each approver of the demo (the president, the rapporteur: `PERSONS`), whose
  key only the demo's remote signing service uses (meetings/seal/signing_service.py), after the person's
  PIN, which the service keeps hashed in a file of its own here (`PIN_FILE`).

`init_signing` makes the keys (each installation its own) and writes the configuration beside the
PKCS#12 that `sign_pdf` loads, with the responder's address baked into the certificates
(SIGNING_DEMO_PKI_URL). `serve_demo_pki` (started by `make run`) and the tests serve `Responder`, which
reads the configuration again when it changes: revoking a certificate is an edit of that file, as it is
an entry in a real CA's database. It answers OCSP over POST and over GET (RFC 6960 appendix A.1), the way
NSS (poppler's pdfsig, Firefox, Thunderbird) asks first.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import hmac
import io
import json
import os
import re
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import unquote
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
PERSON_VALIDITY = datetime.timedelta(days=3 * 365)
ENTITY_NAMES = {
    "root": DEMO_CA_NAME,
    "institution": INSTITUTION_NAME,
    "tsa": "Entraide Nationale — horodatage de démonstration",
    "ocsp": "Entraide Nationale — OCSP de démonstration",
}


@dataclasses.dataclass(frozen=True)
class Person:
    """An approver of the demo with a personal certificate: the name it bears, the PIN that unlocks its key
    at the signing service."""

    name: str
    pin: str


# Labelled with the person's username in the demo (decisions' load_demo, MEMBER_USERS); the names exactly
# as the demo's board spells them (load_demo's SEATS), since the certificate's name is the signer's on the
# minutes. The PINs are public on purpose, like the demo's passwords: they unlock demo keys only.
PERSONS = {
    "benyahia": Person(name="نعيمة بن يحيى", pin="250612"),  # the president
    "moujahidi": Person(name="خطار المجاهدي", pin="251218"),  # the rapporteur
}
# The signing service's PINs, salted and hashed (scrypt), beside the keys they unlock.
PIN_FILE = "signing-service-pins.json"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def credential_id(label: str) -> str:
    """The signing service's name of a person's credential (key and certificate)."""
    return f"{ARCH}/{label}"


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


def _personal(start: datetime.datetime) -> dict:
    """A person's certificate: for signing documents, revocable like the seal's."""
    return {
        "issuer": "root",
        "validity": _validity(start, PERSON_VALIDITY),
        "extensions": [
            _key_usage("digital_signature", "non_repudiation"),
            _document_signing(),
            *_revocable(),
        ],
    }


def _document_signing() -> dict:
    # RFC 9336 documentSigning, and e-mail protection, which NSS (poppler's pdfsig, many PDF readers) asks
    # of a PDF signer's certificate.
    return {"id": "extended_key_usage", "value": ["1.3.6.1.5.5.7.3.36", "email_protection"]}


def configuration(
    url: str,
    passphrase: str,
    start: datetime.datetime,
    names: dict[str, str],
    persons: dict[str, Person] = PERSONS,
) -> dict:
    """Certomancer's configuration of the demo PKI (its YAML file, as a dict)."""
    assert not names.keys() & persons.keys(), "a person's label is an entity's"
    keys = {label: {"path": f"{label}.key.pem", "password": passphrase} for label in [*names, *persons]}
    entities = {label: {"common-name": name} for label, name in names.items()}
    entities |= {label: {"common-name": person.name} for label, person in persons.items()}
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
                "entities": entities,
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
                            _document_signing(),
                            *_revocable(),
                        ],
                    },
                    **{label: _personal(start) for label in persons},
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


def make(
    where: Path,
    *,
    url: str,
    passphrase: str,
    names: dict[str, str] = ENTITY_NAMES,
    persons: dict[str, Person] = PERSONS,
) -> PKIArchitecture:
    """New keys, the configuration and the signing service's PINs under `where`; the architecture they
    define."""
    where.mkdir(parents=True, exist_ok=True)
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    for label in [*names, *persons]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        _write(where / f"{label}.key.pem", key_pem, 0o600)
    # A few minutes back, so that a clock a little behind still finds the certificates valid.
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=5)
    write_configuration(where, configuration(url, passphrase, start, names, persons))
    write_pins(where, {credential_id(label): person.pin for label, person in persons.items()})
    return architecture(where)


def _pin_hash(pin: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **params)


def write_pins(where: Path, pins: dict[str, str]) -> None:
    """The signing service's PIN file: per credential ID, a salt and the PIN's scrypt hash, never the PIN.
    Writing it again ends any lock of a credential at the service."""
    hashed = {}
    for credential, pin in pins.items():
        salt = os.urandom(16)
        hashed[credential] = {"salt": salt.hex(), "scrypt": _pin_hash(pin, salt, _SCRYPT).hex(), **_SCRYPT}
    _write(where / PIN_FILE, json.dumps(hashed, indent=2).encode(), 0o600)


def read_pins(where: Path) -> dict[str, dict]:
    return json.loads((where / PIN_FILE).read_text())


def pin_matches(record: dict, pin: str) -> bool:
    """Whether `pin` is the one a PIN file's `record` was made from (in constant time)."""
    given = _pin_hash(pin, bytes.fromhex(record["salt"]), {name: record[name] for name in _SCRYPT})
    return hmac.compare_digest(given, bytes.fromhex(record["scrypt"]))


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


# RFC 6960 appendix A.1: an OCSP request sent by GET is the responder's URL, a slash, and the URL encoding
# of the request's base64 (some clients send the URL-safe alphabet, unpadded).
_OCSP_GET = re.compile(r"(/[^/]+/ocsp/[^/]+)/(.+)")


def _ocsp_get_as_post(environ: dict) -> dict | None:
    """The WSGI environ of an OCSP request sent by GET, as the POST that Certomancer answers; None for any
    other request."""
    match = _OCSP_GET.fullmatch(environ.get("PATH_INFO", ""))
    if environ.get("REQUEST_METHOD") != "GET" or match is None:
        return None
    # The server has percent-decoded the path already; a second pass is harmless, since base64 has no «%».
    encoded = unquote(match[2]).replace("-", "+").replace("_", "/")
    try:
        der = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        return None
    return environ | {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": match[1],
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/ocsp-request",
        "CONTENT_LENGTH": str(len(der)),
        "wsgi.input": io.BytesIO(der),
    }


class _Animator(Animator):
    """Certomancer's, its OCSP answers dated to the whole second: NSS (poppler's pdfsig, Firefox) finds an
    answer whose times have fractions of a second corrupt, as RFC 5280 forbids them in certificates."""

    def at_time(self, request):
        moment = super().at_time(request)
        return moment.replace(microsecond=0) if "/ocsp/" in request.path else moment


class Responder:
    """The demo PKI's OCSP responder, CRL repository and timestamp authority, as a WSGI application.

    It answers for the PKI of the current settings, read again whenever its configuration file changes.
    Certomancer's web interface (which offers every key for download) and its fake-time header are off.
    OCSP requests come by POST or by GET (which Certomancer does not answer: they are made POSTs here).
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
            self._loaded[where] = version, _Animator(store, with_web_ui=False, allow_time_override=False)
        return self._loaded[where][1]

    def __call__(self, environ, start_response):
        environ = _ocsp_get_as_post(environ) or environ
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
