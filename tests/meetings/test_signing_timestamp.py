"""Signing with a timestamp authority (PAdES B-T): the signing time is the authority's, and an unreachable
authority stops the signature. The authority is pyHanko's test stamper, served over HTTP on loopback.
"""

import datetime
import http.server
import socket
import threading

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper, TimestampRequestError

from meetings.management.commands.init_signing import make_ca
from meetings.signing import Status, sign_pdf, verify_pdf
from tests.signing import SIGN


@pytest.fixture(autouse=True)
def _signing_settings(settings, signing_files):
    for name, value in signing_files.items():
        setattr(settings, name, value)
    settings.SIGNING_TSA_URL = ""


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
