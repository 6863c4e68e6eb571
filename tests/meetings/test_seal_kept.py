"""What the seal keeps from one signature to the next (issue 29): its PKCS#12 opened once, its trust roots
read once, one SSL context for its requests; each made again when its file holds other bytes, whatever
the file's modification time says; and signatures made at once in two threads share them safely.
"""

import os
import ssl
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from meetings.seal import signing
from meetings.seal.signing import load_signer, seal_of, sign_pdf, trust_roots, verify_pdf
from tests.signing import SIGN, pkcs12_bytes

# Signed with the signing files of tests/meetings/conftest.py, checked against their trust roots.
pytestmark = pytest.mark.usefixtures("signing_settings")


def _rewritten_in_place(path, data: bytes) -> None:
    """`path` holds `data`, with the modification time it had: as a file rewritten within one tick of
    the clock looks."""
    before = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_two_signatures_open_the_pkcs12_once(minutes):
    signing._opened_pkcs12.cache_clear()

    assert verify_pdf(sign_pdf(minutes["pdf"], **SIGN)).is_valid
    assert verify_pdf(sign_pdf(minutes["pdf"], **SIGN)).is_valid

    opened = signing._opened_pkcs12.cache_info()
    assert (opened.misses, opened.hits) == (1, 1)


def test_two_signatures_make_one_ssl_context_and_read_the_trust_roots_once(minutes):
    signing._ssl_context.cache_clear()
    signing._read_trust_roots.cache_clear()

    with mock.patch.object(ssl, "create_default_context", wraps=ssl.create_default_context) as made:
        sign_pdf(minutes["pdf"], **SIGN)
        sign_pdf(minutes["pdf"], **SIGN)

    # None made per request by pyHanko's own HTTP sessions: each reads the whole CA bundle.
    assert made.call_count == 1
    assert signing._read_trust_roots.cache_info().misses == 1


def test_a_pkcs12_rewritten_with_another_key_signs_with_the_new_one(minutes, stranger, settings, request):
    passphrase = stranger["SIGNING_PASSPHRASE"]
    key, cert, chain = pkcs12.load_key_and_certificates(
        settings.SIGNING_PKCS12.read_bytes(), settings.SIGNING_PASSPHRASE.encode()
    )
    # Beside the stranger's PKI, which the tests' responder serves for a PKCS#12 in its folder.
    settings.SIGNING_PKCS12 = stranger["SIGNING_PKCS12"].with_name("rewritten.p12")
    settings.SIGNING_PASSPHRASE = passphrase
    request.addfinalizer(settings.SIGNING_PKCS12.unlink)
    settings.SIGNING_PKCS12.write_bytes(pkcs12_bytes(key, cert, chain, passphrase))
    institution = load_signer().signing_cert

    _rewritten_in_place(settings.SIGNING_PKCS12, stranger["SIGNING_PKCS12"].read_bytes())
    settings.SIGNING_TRUST_ROOTS = stranger["SIGNING_TRUST_ROOTS"]  # the roots its chain is checked on
    signed = sign_pdf(minutes["pdf"], **SIGN)

    assert load_signer().signing_cert.sha256 != institution.sha256
    assert seal_of(signed)[1] == load_signer().signing_cert.sha256.hex()


def test_trust_roots_rewritten_in_place_are_read_again(signing_files, stranger, settings, tmp_path):
    settings.SIGNING_TRUST_ROOTS = tmp_path / "roots.pem"
    settings.SIGNING_TRUST_ROOTS.write_bytes(signing_files["SIGNING_TRUST_ROOTS"].read_bytes())
    institution = trust_roots()

    _rewritten_in_place(settings.SIGNING_TRUST_ROOTS, stranger["SIGNING_TRUST_ROOTS"].read_bytes())

    assert [root.sha256 for root in trust_roots()] != [root.sha256 for root in institution]


def test_two_signatures_at_once_in_two_threads_are_both_valid(minutes):
    with ThreadPoolExecutor(max_workers=2) as threads:
        signed = list(threads.map(lambda _: sign_pdf(minutes["pdf"], **SIGN), range(2)))

    assert all(verify_pdf(pdf).is_valid for pdf in signed)
