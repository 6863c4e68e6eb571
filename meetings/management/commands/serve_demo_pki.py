"""Serve the demo PKI's OCSP responder, CRL and timestamp authority at SIGNING_DEMO_PKI_URL, and the demo
signing service (the approvers' personal keys, behind their PINs) at SIGNING_SERVICE_URL.

What an accredited provider's services are to production: `make run` starts this beside the app, so that
signing can timestamp and gather the certificates' revocation data, /verify/ can ask whether the seal
certificate was revoked, and the president and the rapporteur can sign with their own keys. Both answer
from this one process: the signing service in a thread of its own. `--wait` instead waits for both,
started before, to answer.
"""

import time
import urllib.request
from urllib.error import URLError
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.management.demo import refuse_outside_a_demo
from meetings.seal import demo_pki, signing_service

WAIT_SECONDS = 60  # returns as soon as both answer; a loaded machine (CI) took more than 20 s once


def _host_and_port(url: str) -> tuple[str, int]:
    address = urlsplit(url)
    assert address.hostname is not None  # settings.env_http_url accepts an address with a host only
    return address.hostname, address.port or 80


class Command(BaseCommand):
    help = (
        "Serve the demo PKI (OCSP, CRL, timestamps) that init_signing made, at SIGNING_DEMO_PKI_URL, and "
        "the demo signing service at SIGNING_SERVICE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            action="store_true",
            help=f"wait (up to {WAIT_SECONDS} s) for the responder and the signing service to answer",
        )

    def handle(self, *args, wait: bool = False, **options):
        refuse_outside_a_demo("The demo PKI's responder")
        url, service_url = settings.SIGNING_DEMO_PKI_URL, settings.SIGNING_SERVICE_URL
        if wait:
            self._wait(url + demo_pki.CRL_PATH, "The demo PKI's responder")
            if service_url:
                self._wait(service_url + "/info", "The demo signing service")
            return
        responder = demo_pki.server(*_host_and_port(url))
        self.stdout.write(f"Demo PKI of {demo_pki.folder()} answering at {url}")
        if service_url:
            signing_service.start(*_host_and_port(service_url))
            self.stdout.write(f"Demo signing service (the approvers' keys) answering at {service_url}")
        responder.serve_forever()

    def _wait(self, url: str, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except (URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"{what} does not answer at {url}: {exc}") from exc
                time.sleep(0.2)
