"""The seal and the check of a copy: what one signature and one /verify/ check cost, in one run.

    DEBUG=1 .venv/bin/python benchmarks/seal.py [--runs 5]

Makes a demo PKI in a temporary folder (init_signing) with its responder on a loopback port, renders the
demo's minutes once, then signs them several times (PAdES B-LTA: the seal, its timestamp, the OCSP answers
and the document timestamp, asked of the responder) and checks the signed file several times as /verify/
does (a process forked from the checks' server). Prints the first and the median time of each, and the
same with the key read again at every use, as pyHanko's and Certomancer's own signers do (the figures
before meetings.seal.keys).
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entraide.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = "sqlite:///" + tempfile.mkdtemp() + "/bench.sqlite3"

import django  # noqa: E402

django.setup()

from certomancer import crypto_utils  # noqa: E402
from certomancer.crypto_utils import PycaCryptographyBackend  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pyhanko.sign.signers import SimpleSigner  # noqa: E402

from meetings.minutes.pdf import render_minutes_pdf  # noqa: E402
from meetings.models import Session  # noqa: E402
from meetings.seal import demo_pki, keys, signing  # noqa: E402
from tests.signing import SIGN  # noqa: E402


def timed(function, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:] or times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    folder = Path(tempfile.mkdtemp())
    settings.MEDIA_ROOT = folder / "media"
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = folder / "institution.p12", folder / "ca.pem"
    responder = demo_pki.server("127.0.0.1", 0, quiet=True)
    settings.SIGNING_DEMO_PKI_URL = f"http://127.0.0.1:{responder.server_port}"
    settings.SIGNING_TSA_URL = settings.SIGNING_DEMO_PKI_URL + demo_pki.TSA_PATH
    call_command("init_signing", stdout=io.StringIO())
    threading.Thread(target=responder.serve_forever, daemon=True).start()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    pdf = render_minutes_pdf(Session.objects.with_record().order_by("-date").first())
    signed = signing.sign_pdf(pdf, **SIGN)

    figures = {
        "seal (keys kept)": timed(lambda: signing.sign_pdf(pdf, **SIGN), runs),
        "check of a copy": timed(lambda: signing.verify_pdf(signed), runs),
    }
    # As before meetings.seal.keys: pyHanko's own signer, Certomancer's own backend.
    signing._opened_pkcs12.cache_clear()
    with_kept = keys.KeptKeySigner.from_pkcs12
    keys.KeptKeySigner.from_pkcs12 = classmethod(  # type: ignore[method-assign]
        lambda cls, data, passphrase: SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase
        )
    )
    crypto_utils.CRYPTO_BACKEND = PycaCryptographyBackend()
    figures["seal (keys read at each use)"] = timed(lambda: signing.sign_pdf(pdf, **SIGN), runs)
    keys.KeptKeySigner.from_pkcs12 = with_kept  # type: ignore[method-assign]

    print(f"{'':32} {'first':>8} {'median':>8}   ({runs} runs)")
    for name, (first, median) in figures.items():
        print(f"{name:32} {first:7.3f}s {median:7.3f}s")
    responder.shutdown()


if __name__ == "__main__":
    main()
