"""The seal and the check of a copy: what one signature and one /verify/ check cost, in one run.

    DEBUG=1 .venv/bin/python benchmarks/seal.py [--runs 5] [--short]

Makes a demo PKI in a temporary folder (init_signing) with its responder on a loopback port and the demo
signing service (which the demo's approvals use), renders the demo's minutes once, then signs them (PAdES
B-LTA: the seal, its timestamp, the OCSP answers and the document timestamp, asked of the responder) in
two ways, pair by pair (kept, made again, kept, made again…), so that whatever else the machine does
weighs on both alike:

- kept: as the application signs, the seal's PKCS#12, its trust roots and the SSL context of its
  requests made once per process (meetings.seal.signing) and its key read once (meetings.seal.keys);
- made again: each of them made again for every signature, and the key read again at each of its two
  uses by pyHanko's own signer (the figures before issue 29 and meetings.seal.keys, but for the one HTTP
  session per signature, which stays). The demo responder keeps its keys in both: it stands for the
  accredited provider's authority, whose work is not the seal's.

The first signature kept is the first of the process, which makes what the others keep. Then the archival
renewal of the signed file (extend_pdf) and the check of a copy as /verify/ does it (a process forked
from the checks' server). Prints the first and the median time of each, and the ratio of the medians.
`--short`, one run of each, is the smallest run through every path: CI runs it to check that the script
still works, and asserts no figure.
"""

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entraide.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the table, not each OCSP request and rendering step
os.environ["DATABASE_URL"] = "sqlite:///" + tempfile.mkdtemp() + "/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pyhanko.sign.signers import SimpleSigner  # noqa: E402

from meetings.minutes.pdf import render_minutes_pdf  # noqa: E402
from meetings.models import Session  # noqa: E402
from meetings.seal import demo_pki, keys, signing, signing_service  # noqa: E402
from tests.signing import SIGN  # noqa: E402

# What meetings.seal.signing keeps from one signature to the next.
KEPT = ("_opened_pkcs12", "_read_trust_roots", "_ssl_context")


@contextlib.contextmanager
def made_again() -> Iterator[None]:
    """Signatures inside make each kept thing again, and read the seal's key at each use (pyHanko's own
    signer); the kept ones stay in their caches, untouched, for the signatures outside."""
    with contextlib.ExitStack() as stack:
        for name in KEPT:
            stack.enter_context(mock.patch.object(signing, name, getattr(signing, name).__wrapped__))
        own_signer = classmethod(
            lambda cls, data, passphrase: SimpleSigner.load_pkcs12_data(
                data, other_certs=(), passphrase=passphrase
            )
        )
        stack.enter_context(mock.patch.object(keys.KeptKeySigner, "from_pkcs12", own_signer))
        yield


def seconds(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleaved(runs: int, **variants: Callable[[], object]) -> dict[str, list[float]]:
    """The times of each variant, run in turn: A, B, A, B…"""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, function in variants.items():
            times[name].append(seconds(function))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--short", action="store_true", help="one run of each: the script still works")
    options = parser.parse_args()
    runs = 1 if options.short else options.runs

    folder = Path(tempfile.mkdtemp())
    settings.MEDIA_ROOT = folder / "media"
    settings.SIGNING_PKCS12, settings.SIGNING_TRUST_ROOTS = folder / "institution.p12", folder / "ca.pem"
    responder = demo_pki.server("127.0.0.1", 0, quiet=True)
    settings.SIGNING_DEMO_PKI_URL = f"http://127.0.0.1:{responder.server_port}"
    settings.SIGNING_TSA_URL = settings.SIGNING_DEMO_PKI_URL + demo_pki.TSA_PATH
    service = signing_service.start("127.0.0.1", 0, quiet=True)  # the demo's approvals sign there
    settings.SIGNING_SERVICE_URL = service.url
    call_command("init_signing", stdout=io.StringIO())
    threading.Thread(target=responder.serve_forever, daemon=True).start()
    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        pdf = render_minutes_pdf(Session.objects.with_record().order_by("-date").first())
        signed = signing.sign_pdf(pdf, **SIGN)  # pyHanko's imports, the demo's first answers
        for name in KEPT:  # the first signature timed makes what the others keep
            getattr(signing, name).cache_clear()

        def sealed_again() -> bytes:
            with made_again():
                return signing.sign_pdf(pdf, **SIGN)

        seals = interleaved(runs, kept=lambda: signing.sign_pdf(pdf, **SIGN), made_again=sealed_again)
        rows = {
            "seal, kept": seals["kept"],
            "seal, made again each time": seals["made_again"],
            "archive renewal (extend_pdf)": [
                seconds(lambda: signing.extend_pdf(signed)) for _ in range(runs)
            ],
            "check of a copy": [seconds(lambda: signing.verify_pdf(signed)) for _ in range(runs)],
        }
    finally:
        responder.shutdown()
        responder.server_close()
        service.stop()

    print(f"{'':32} {'first':>8} {'median':>8}   ({runs} runs each, the seals interleaved)")
    for name, times in rows.items():
        print(f"{name:32} {times[0]:7.3f}s {statistics.median(times):7.3f}s")
    ratio = statistics.median(seals["made_again"]) / statistics.median(seals["kept"])
    print(f"{'seal, made again / kept':32} {'':8} {ratio:7.2f}x")


if __name__ == "__main__":
    main()
