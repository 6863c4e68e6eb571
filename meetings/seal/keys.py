"""Private keys read once per process.

pyHanko's `SimpleSigner` and Certomancer's cryptography backend each read their key again from its bytes
at every signature, and reading an RSA key checks it: 0.11 s for a 3072-bit key, against 0.01 s for the
signature itself. A seal costs two such reads (pyHanko signs once to measure the signature's size, then
for good), and the demo PKI's responder one more per OCSP answer and timestamp it signs. Here each key is
read once, then kept in memory for the life of the process, as the signer already keeps the PKCS#12.
"""

from __future__ import annotations

import functools

from asn1crypto import algos, keys
from certomancer.crypto_utils import PycaCryptographyBackend
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner


@functools.lru_cache(maxsize=32)
def _private_key(der: bytes):
    return serialization.load_der_private_key(der, password=None)


def _signed(key: keys.PrivateKeyInfo, mechanism: str, digest_algorithm: str, data: bytes) -> bytes | None:
    """`data` signed with `key`, read once, for an RSA key in PKCS#1 v1.5 (the seal's, the demo PKI's);
    None for any other key or mechanism, which the library then signs itself."""
    loaded = _private_key(key.dump())
    if mechanism != "rsassa_pkcs1v15" or not isinstance(loaded, RSAPrivateKey):
        return None
    return loaded.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def signed_digest(
    key: keys.PrivateKeyInfo, mechanism: str, digest_algorithm: str, digest: bytes
) -> bytes | None:
    """`digest` (already hashed) signed as `_signed` signs data: the remote signing service's case."""
    loaded = _private_key(key.dump())
    if mechanism != "rsassa_pkcs1v15" or not isinstance(loaded, RSAPrivateKey):
        return None
    hashed = Prehashed(get_pyca_cryptography_hash(digest_algorithm))
    return loaded.sign(digest, padding.PKCS1v15(), hashed)


class KeptKeySigner(SimpleSigner):
    """pyHanko's signer for a key held in memory (the seal's PKCS#12), the key read once.

    RSA keys in PKCS#1 v1.5 (the seal's) are signed here; any other key or mechanism goes to pyHanko's
    own `sign_raw`."""

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: bytes) -> KeptKeySigner:
        """The key and certificate chain of a PKCS#12 (pyHanko's own reading, which returns its class)."""
        loaded = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
        return cls(
            signing_key=loaded.signing_key,
            signing_cert=loaded.signing_cert,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        signed = _signed(self.signing_key, mechanism, digest_algorithm, data)
        return signed if signed is not None else super().sign_raw(data, digest_algorithm)


class KeptKeyBackend(PycaCryptographyBackend):
    """Certomancer's cryptography backend, each key read once: its files when the demo PKI is loaded, its
    bytes when the responder signs an OCSP answer, a CRL or a timestamp."""

    @functools.lru_cache(maxsize=32)  # noqa: B019 (one backend per process, kept as long as it)
    def load_private_key(self, key_bytes: bytes, password: bytes | None):
        return super().load_private_key(key_bytes, password)

    def generic_sign(
        self, private_key: keys.PrivateKeyInfo, tbs_bytes: bytes, sd_algo: algos.SignedDigestAlgorithm
    ) -> bytes:
        signed = _signed(private_key, sd_algo.signature_algo, sd_algo.hash_algo, tbs_bytes)
        return signed if signed is not None else super().generic_sign(private_key, tbs_bytes, sd_algo)
