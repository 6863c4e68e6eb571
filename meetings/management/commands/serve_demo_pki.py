"""Serve the demo PKI's OCSP responder, CRL and timestamp authority at SIGNING_DEMO_PKI_URL.

What an accredited provider's services are to production: `make run` starts this beside the app, so that
signing can timestamp and gather the certificates' revocation data, and /verify/ can ask whether the
seal certificate was revoked. `--wait` instead waits for a responder started before to answer.
"""

import time
import urllib.request
from urllib.error import URLError
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.management.demo import refuse_outside_a_demo
from meetings.seal import demo_pki

WAIT_SECONDS = 20


class Command(BaseCommand):
    help = "Serve the demo PKI (OCSP, CRL, timestamps) that init_signing made, at SIGNING_DEMO_PKI_URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait", action="store_true", help=f"wait (up to {WAIT_SECONDS} s) for the responder to answer"
        )

    def handle(self, *args, wait: bool = False, **options):
        refuse_outside_a_demo("The demo PKI's responder")
        url = settings.SIGNING_DEMO_PKI_URL
        if wait:
            return self._wait(url + demo_pki.CRL_PATH)
        address = urlsplit(url)
        assert address.hostname is not None  # settings.env_http_url accepts an address with a host only
        self.stdout.write(f"Demo PKI of {demo_pki.folder()} answering at {url}")
        demo_pki.server(address.hostname, address.port or 80).serve_forever()

    def _wait(self, crl_url: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(crl_url, timeout=2):
                    return
            except (URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"The demo PKI's responder does not answer at {crl_url}: {exc}"
                    ) from exc
                time.sleep(0.2)
